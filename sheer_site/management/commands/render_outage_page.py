"""Write the site's error page as a static file for nginx to show when no app
server answers (502/503/504): the same look, the same admissions phone number.

One file per language: PATH in English, and beside it PATH's name with the
language before the suffix (50x.es.html) for nginx to show under /es/.

Run on every release after collectstatic (its stylesheet links are the hashed
names collectstatic just wrote): deploy/release.sh does.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import RequestFactory
from django.utils import translation

from programs.views import server_error


class Command(BaseCommand):
    help = "Render the error page, with the admissions phone number, to a static HTML file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write it, e.g. /srv/sheer/outage/50x.html")

    def handle(self, *, path, verbosity, **options):
        english = Path(path)
        for code, _name in settings.LANGUAGES:
            target = (
                english if code == settings.LANGUAGE_CODE else english.with_suffix(f".{code}{english.suffix}")
            )
            with translation.override(code):
                html = server_error(RequestFactory().get("/")).content
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(".tmp")
            temporary.write_bytes(html)
            temporary.replace(target)  # nginx never reads half a file
            if verbosity:
                self.stdout.write(f"wrote {target} ({len(html)} bytes)")
