"""Write the site's error page as a static file for nginx to show when no app
server answers (502/503/504): the same look, the same admissions phone number.

Run on every release after collectstatic (its stylesheet links are the hashed
names collectstatic just wrote): deploy/release.sh does.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.test import RequestFactory

from programs.views import server_error


class Command(BaseCommand):
    help = "Render the error page, with the admissions phone number, to a static HTML file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write it, e.g. /srv/sheer/outage/50x.html")

    def handle(self, *, path, verbosity, **options):
        request = RequestFactory().get("/")
        html = server_error(request).content
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(html)
        temporary.replace(target)  # nginx never reads half a file
        if verbosity:
            self.stdout.write(f"wrote {target} ({len(html)} bytes)")
