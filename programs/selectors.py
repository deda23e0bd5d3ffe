"""Reads for the public pages, kept in one place so views stay thin and the
query count per page stays fixed."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone, translation

from . import structured_data
from .content_cache import memoized
from .models import Accreditation, LevelOfCare, License, Page, Person, SiteFacts


@dataclass
class SiteChrome:
    facts: SiteFacts | None
    programs: list = field(default_factory=list)
    footer_pages: list = field(default_factory=list)
    licenses: list = field(default_factory=list)
    accreditations: list = field(default_factory=list)
    # Footer pages also in the header, in this language.
    header_pages: list = field(default_factory=list)

    @property
    def json_ld(self):
        return structured_data.medical_clinic(self.facts)


# The last site facts this process read, for the 500 page when the database
# is down: the admissions number matters most exactly then.
_last_known_facts: SiteFacts | None = None


def site_facts() -> SiteFacts | None:
    global _last_known_facts
    facts = SiteFacts.load()
    if facts is not None:
        _last_known_facts = facts
    return facts


def site_facts_for_error_page() -> SiteFacts | None:
    try:
        return site_facts()
    except Exception:  # the database may be the thing that failed
        return _last_known_facts


# Plain pages important enough for the header as well as the footer, by the
# English original's slug, so a translation is in the header with its original.
HEADER_PAGE_SLUGS = ("about", "insurance", "sober-living")


def _language() -> str:
    return translation.get_language() or "en"


def _memoized(key, build):
    """memoized() under a key that includes the active language: a worker
    never serves a Spanish row to an English page, or the other way round."""
    return memoized((_language(), *key), build)


def site_chrome() -> SiteChrome:
    # Keyed by day as well: a licence disappears the day after it expires.
    return _memoized(("chrome", timezone.localdate()), _site_chrome)


def _site_chrome() -> SiteChrome:
    footer_pages = list(
        Page.objects.published()
        .in_language()
        .filter(show_in_footer=True)
        .select_related("translation_of")
        .only("title", "menu_title", "slug", "order", "language", "translation_of__slug")
    )
    return SiteChrome(
        facts=site_facts(),
        programs=list(
            LevelOfCare.objects.published()
            .in_language()
            .only("name", "short_name", "slug", "order", "language")
        ),
        footer_pages=footer_pages,
        header_pages=[page for page in footer_pages if page.original.slug in HEADER_PAGE_SLUGS],
        licenses=list(License.objects.filter(expires_on__gte=timezone.localdate())),
        accreditations=list(Accreditation.objects.select_related("seal")),
    )


def _active_team():
    return Person.objects.filter(active=True).select_related("photo")


def level_of_care_detail(*, slug):
    """The published level of care with this slug in the active language, its
    services, FAQs, team, reviewer, picture and other languages' versions loaded."""
    return _memoized(
        ("level", slug),
        lambda: (
            LevelOfCare.objects.published()
            .in_language()
            .with_published_versions()
            .select_related("hero_picture", "reviewed_by")
            .prefetch_related("services", "faqs", Prefetch("team", queryset=_active_team()))
            .get(slug=slug)
        ),
    )


def team():
    return _memoized(("team",), lambda: list(_active_team()))


def home_picture():
    """The first facility picture, for the top of the home page."""
    from .models import Picture, PictureKind

    return _memoized(("home-picture",), lambda: Picture.objects.filter(kind=PictureKind.FACILITY).first())


def levels_of_care_for_comparison():
    """The published levels of care in the active language, in their order."""
    return _memoized(("levels",), lambda: list(LevelOfCare.objects.published().in_language()))


def published_page(*, slug):
    """The published page with this slug in the active language, with its other versions."""
    return _memoized(
        ("page", slug),
        lambda: Page.objects.published().in_language().with_published_versions().get(slug=slug),
    )
