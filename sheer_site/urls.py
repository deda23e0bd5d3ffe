from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control

from programs import views as program_views
from programs.sitemaps import sitemaps

from . import health

admin.site.site_header = "Sheer Recovery staff"
admin.site.site_title = "Sheer Recovery staff"
admin.site.index_title = "Admissions and site content"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Second factor for staff, before the admin's own catch-all URLs.
    path(f"{settings.ADMIN_PATH}mfa/", include("admissions.access.mfa")),
    path(f"{settings.ADMIN_PATH}mfa/passkeys/", include("admissions.access.passkeys")),
    path(settings.ADMIN_PATH, admin.site.urls),
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)(sitemap),
        {"sitemaps": sitemaps},
        name="sitemap",
    ),
    path("robots.txt", program_views.robots_txt, name="robots_txt"),
    path(
        f"{settings.MEDIA_URL.strip('/')}/renditions/<path:name>", program_views.rendition, name="rendition"
    ),
]
# The patient side in each language: English where it always was, Spanish
# under /es/ with Spanish path words (the catalogue translates the patterns).
urlpatterns += i18n_patterns(
    path(_("admissions/"), include("admissions.intake.urls")),
    path("", include("programs.urls")),
    prefix_default_language=False,
)
if settings.BENCH_FLOOR:
    # scripts/bench_pages.py only: a constant page, the floor a program page is measured against.
    from . import bench

    urlpatterns.insert(0, path("bench/floor/", bench.floor, name="bench_floor"))

handler400 = "sheer_site.errors.bad_request"
handler403 = "sheer_site.errors.permission_denied"
handler404 = "sheer_site.errors.page_not_found"
handler500 = "programs.views.server_error"
