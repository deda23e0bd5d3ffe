"""Links to the site's own pages in public templates come from {% url %}, so a
moved URL breaks a test instead of a link (issue 9)."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PUBLIC = [
    "base.html",
    "standalone_base.html",
    "404.html",
    "500.html",
    *(str(p.relative_to(TEMPLATES)) for p in (TEMPLATES / "programs").glob("*.html")),
    *(str(p.relative_to(TEMPLATES)) for p in (TEMPLATES / "admissions").glob("*.html")),
]


def test_public_templates_have_no_hard_coded_links_to_our_own_pages():
    for name in PUBLIC:
        text = (TEMPLATES / name).read_text()
        assert not re.search(r'href="/(?!/)', text), name


def test_pages_that_render_when_the_database_is_down_cannot_fail_on_a_link():
    # {% url ... as name %} yields "" instead of raising when a name is missing.
    for name in ["500.html", "standalone_base.html"]:
        text = (TEMPLATES / name).read_text()
        for tag in re.findall(r"{% url [^%]*%}", text):
            assert " as " in tag, (name, tag)
