from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.cache import cache_control

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
    path("admissions/", include("admissions.intake.urls")),
    path("", include("programs.urls")),
]
if settings.BENCH_FLOOR:
    # scripts/bench_pages.py only: a constant page, the floor a program page is measured against.
    from . import bench

    urlpatterns.insert(0, path("bench/floor/", bench.floor, name="bench_floor"))

handler400 = "sheer_site.errors.bad_request"
handler403 = "sheer_site.errors.permission_denied"
handler404 = "sheer_site.errors.page_not_found"
handler500 = "programs.views.server_error"
