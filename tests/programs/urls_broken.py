"""The site's URLs plus views that fail, to exercise handler500 for real."""

from django.db import connection
from django.urls import path

from sheer_site.urls import handler500
from sheer_site.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a bug in a view")


def broken_database(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM table_that_does_not_exist")


urlpatterns = [
    path("test-broken/", broken),
    path("test-broken-database/", broken_database),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
