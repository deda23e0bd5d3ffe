import logging
from types import SimpleNamespace

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.functional import SimpleLazyObject

from . import selectors
from .selectors import site_chrome

logger = logging.getLogger(__name__)

# The last site chrome this process read: the header and footer (above all the
# admissions phone number) when the database is unreachable.
_last_good_chrome = None


def languages(request):
    """`alternates`: this page in each language (programs/languages.py). A view
    whose content is per language passes its own, which wins."""
    from .languages import alternates_for_path

    return {"alternates": SimpleLazyObject(lambda: alternates_for_path(request.path_info))}


def site_facts(request):
    """Header and footer data (phone, address, licences, menus).

    Lazy so that responses which never render the site chrome (health checks,
    admin JSON) pay nothing for it. Survives a database outage: the last chrome
    this process read, else the phone number from settings, so a page that
    needs nothing else from the database (the thank-you pages) still renders.
    """
    return {"site": SimpleLazyObject(_site_chrome_or_last_good)}


def _site_chrome_or_last_good():
    global _last_good_chrome
    try:
        chrome = site_chrome()
    except (OperationalError, InterfaceError) as exc:
        logger.warning("database unavailable (%s): site chrome from memory or settings", type(exc).__name__)
        return _last_good_chrome or fallback_chrome()
    _last_good_chrome = chrome
    return chrome


def fallback_facts():
    """Site facts without the database: the last ones this process read, else
    ADMISSIONS_PHONE / ADMISSIONS_PHONE_DISPLAY from settings, else None."""
    if selectors._last_known_facts is not None:
        return selectors._last_known_facts
    phone = settings.ADMISSIONS_PHONE
    if not phone:
        return None
    return SimpleNamespace(
        name="Sheer Recovery",
        admissions_phone=phone,
        admissions_phone_display=settings.ADMISSIONS_PHONE_DISPLAY or phone,
        email="",
        street_address="",
        locality="",
        region="",
        postal_code="",
        hours="Admissions answers 24 hours a day, 7 days a week",
        hours_in_language="",
    )


def fallback_chrome():
    return SimpleNamespace(
        facts=fallback_facts(),
        programs=[],
        footer_pages=[],
        licenses=[],
        accreditations=[],
        header_pages=[],
        json_ld=None,
    )
