from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from .models import LevelOfCare, Page


class _SiteUrlSitemap(Sitemap):
    """Absolute URLs on SITE_URL, not on whatever Host the request carried."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StaticViewSitemap(_SiteUrlSitemap):
    priority = 0.8

    def items(self):
        return [
            "/",
            "/programs/",
            "/levels-of-care/",
            "/team/",
            "/admissions/consultation/",
            "/admissions/verify-insurance/",
        ]

    def location(self, item):
        return item


class LevelOfCareSitemap(_SiteUrlSitemap):
    priority = 0.9

    def items(self):
        return LevelOfCare.objects.published()

    def lastmod(self, obj):
        return obj.updated_at


class PageSitemap(_SiteUrlSitemap):
    priority = 0.5

    def items(self):
        return Page.objects.published()

    def lastmod(self, obj):
        return obj.updated_at


sitemaps = {"static": StaticViewSitemap, "programs": LevelOfCareSitemap, "pages": PageSitemap}
