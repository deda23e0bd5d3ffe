"""The sitemap: every published page in each language, each with its versions
in the other languages (xhtml:link hreflang, x-default English). Only published
versions are named, and each names the others, so the links are reciprocal."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import translation

from .models import LevelOfCare, Page

# The pages every language has (their views show the active language's rows).
FIXED_PAGES = (
    "programs:home",
    "programs:list",
    "programs:comparison",
    "programs:team",
    "admissions:consultation",
    "admissions:verify_insurance",
)


class _SiteUrlSitemap(Sitemap):
    """Absolute URLs on SITE_URL, not on whatever Host the request carried."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def versions(self, item) -> dict:
        """language -> this item's path in it (None where it has none)."""
        raise NotImplementedError

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url_info in urls:
            paths = self.versions(url_info["item"])
            alternates = [
                {"location": f"{protocol}://{domain}{path}", "lang_code": code}
                for code, path in paths.items()
                if path
            ]
            if len(alternates) > 1:
                default = paths.get(settings.LANGUAGE_CODE)
                if default:
                    alternates.append(
                        {"location": f"{protocol}://{domain}{default}", "lang_code": "x-default"}
                    )
                url_info["alternates"] = alternates
        return urls


class StaticViewSitemap(_SiteUrlSitemap):
    priority = 0.8

    def items(self):
        return [(name, code) for name in FIXED_PAGES for code, _name in settings.LANGUAGES]

    def _path(self, name, code):
        with translation.override(code):
            return reverse(name)

    def location(self, item):
        return self._path(*item)

    def versions(self, item):
        return {code: self._path(item[0], code) for code, _name in settings.LANGUAGES}


class _ContentSitemap(_SiteUrlSitemap):
    model = None

    def items(self):
        return self.model.objects.published().with_published_versions().order_by("language", "order", "pk")

    def lastmod(self, obj):
        return obj.updated_at

    def versions(self, obj):
        return {
            code: version.get_absolute_url() if version is not None else None
            for code, version in obj.published_versions().items()
        }


class LevelOfCareSitemap(_ContentSitemap):
    model = LevelOfCare
    priority = 0.9


class PageSitemap(_ContentSitemap):
    model = Page
    priority = 0.5


sitemaps = {"static": StaticViewSitemap, "programs": LevelOfCareSitemap, "pages": PageSitemap}
