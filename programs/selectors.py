"""Reads for the public pages, kept in one place so views stay thin and the
query count per page stays fixed."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

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
    # Plain pages important enough for the header as well as the footer.
    header_page_slugs: tuple = ("about", "insurance", "sober-living")

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


def site_chrome() -> SiteChrome:
    # Keyed by day as well: a licence disappears the day after it expires.
    return memoized(("chrome", timezone.localdate()), _site_chrome)


def _site_chrome() -> SiteChrome:
    return SiteChrome(
        facts=site_facts(),
        programs=list(LevelOfCare.objects.published().only("name", "short_name", "slug", "order")),
        footer_pages=list(
            Page.objects.published().filter(show_in_footer=True).only("title", "menu_title", "slug", "order")
        ),
        licenses=list(License.objects.filter(expires_on__gte=timezone.localdate())),
        accreditations=list(Accreditation.objects.select_related("seal")),
    )


def _active_team():
    return Person.objects.filter(active=True).select_related("photo")


def level_of_care_detail(*, slug):
    """A published level of care with its services, FAQs, team, reviewer and picture loaded."""
    return memoized(
        ("level", slug),
        lambda: (
            LevelOfCare.objects.published()
            .select_related("hero_picture", "reviewed_by")
            .prefetch_related("services", "faqs", Prefetch("team", queryset=_active_team()))
            .get(slug=slug)
        ),
    )


def team():
    return memoized("team", lambda: list(_active_team()))


def home_picture():
    """The first facility picture, for the top of the home page."""
    from .models import Picture, PictureKind

    return memoized("home-picture", lambda: Picture.objects.filter(kind=PictureKind.FACILITY).first())


def levels_of_care_for_comparison():
    return memoized("levels", lambda: list(LevelOfCare.objects.published()))


def published_page(*, slug):
    return memoized(("page", slug), lambda: Page.objects.published().get(slug=slug))
