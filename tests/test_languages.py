"""English and Spanish side by side (issue 13), on the demo content:

- every English public page has a Spanish twin (or is in ENGLISH_ONLY, on
  purpose), and the hreflang links of the pair name each other;
- the language switch on each goes to the other, not to a home page;
- a Spanish page shows no interface string from the catalogue in English;
- the URL alone says the language: no cookie, no Vary on Accept-Language.
"""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import polib
import pytest
from django.conf import settings

from programs.demo_content import load_demo_content
from programs.models import LevelOfCare, Page

from .test_catalogue import CATALOGUE

# English pages with no Spanish twin, each with its reason. None today.
ENGLISH_ONLY: dict[str, str] = {}

FIXED = [
    "/",
    "/programs/",
    "/levels-of-care/",
    "/team/",
    "/admissions/consultation/",
    "/admissions/verify-insurance/",
    "/admissions/thank-you/consultation/",
    "/admissions/thank-you/insurance/",
]


@pytest.fixture
def demo(db):
    load_demo_content()


def _english_pages():
    content = [
        obj.get_absolute_url()
        for model in (LevelOfCare, Page)
        for obj in model.objects.published().filter(language="en")
    ]
    return FIXED + content


class _Reader(HTMLParser):
    """hreflang links, the switch's links, and what a person reads or hears."""

    SKIP = {"script", "style"}
    SPOKEN_ATTRIBUTES = ("alt", "aria-label", "title", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hreflang = {}
        self.switch = []
        self.text = []
        self._skipping = 0
        self._in_switch = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIP:
            self._skipping += 1
        if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            assert attrs["hreflang"] not in self.hreflang, f"two hreflang={attrs['hreflang']}"
            self.hreflang[attrs["hreflang"]] = attrs["href"]
        if tag == "nav" and "language-switch" in attrs.get("class", ""):
            self._in_switch = True
        if tag == "a" and self._in_switch:
            self.switch.append(attrs["href"])
        if tag == "meta" and attrs.get("name") == "description":
            self.text.append(attrs.get("content") or "")
        self.text.extend(attrs[name] for name in self.SPOKEN_ATTRIBUTES if attrs.get(name))

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skipping -= 1
        if tag == "nav":
            self._in_switch = False

    def handle_data(self, data):
        if not self._skipping:
            self.text.append(data)


def _read(client, path):
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    reader = _Reader()
    reader.feed(response.content.decode())
    reader.response = response
    reader.words = " ".join(" ".join(reader.text).split())
    return reader


def _path(url):
    assert url.startswith(settings.SITE_URL), url
    return urlsplit(url).path


def test_every_english_page_has_a_spanish_twin_named_both_ways(client, demo):
    checked = 0
    for path in _english_pages():
        if path in ENGLISH_ONLY:
            continue
        english = _read(client, path)
        assert english.response.content.decode().count('<html lang="en"') == 1, path
        assert set(english.hreflang) == {"en", "es", "x-default"}, f"{path}: {english.hreflang}"
        assert _path(english.hreflang["en"]) == path
        assert english.hreflang["x-default"] == english.hreflang["en"]

        spanish_path = _path(english.hreflang["es"])
        assert spanish_path.startswith("/es/") and spanish_path != "/es" + path or path == "/", spanish_path
        spanish = _read(client, spanish_path)
        assert '<html lang="es"' in spanish.response.content.decode(), spanish_path
        assert spanish.hreflang == english.hreflang, f"{path} and {spanish_path} do not name each other"

        assert english.switch == [spanish_path], f"{path}: switch goes to {english.switch}"
        assert spanish.switch == [path], f"{spanish_path}: switch goes to {spanish.switch}"
        checked += 1
    assert checked >= len(FIXED) + 3 + 7  # the fixed pages, three programs and seven plain pages


def _interface_strings():
    """English catalogue strings worth looking for: whole phrases, not single
    words that Spanish shares ("Menu"), split around placeholders and tags."""
    phrases = set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or entry.msgstr == entry.msgid or entry.msgid.endswith("/"):
            continue
        for piece in re.split(r"%\(\w+\)[sd]|<[^>]+>|\{\w*\}", html.unescape(entry.msgid)):
            piece = " ".join(piece.split()).strip(" .,:;")
            if len(piece.split()) >= 3:
                phrases.add(piece)
    assert len(phrases) > 50
    return phrases


def test_spanish_pages_show_no_interface_string_in_english(client, demo):
    phrases = _interface_strings()
    for path in _english_pages():
        spanish_path = _path(_read(client, path).hreflang["es"])
        words = _read(client, spanish_path).words
        left = sorted(phrase for phrase in phrases if phrase in words)
        assert left == [], f"{spanish_path} shows English: {left}"


def test_a_spanish_page_is_one_cached_object_per_url(client, demo):
    for path in ("/es/", "/es/programas/programa-intensivo-ambulatorio/", "/es/niveles-de-atencion/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert response.status_code == 200
        assert '<html lang="es"' in response.content.decode()  # the URL wins over the browser
        assert response["Content-Language"] == "es"
        vary = response.get("Vary", "").lower()
        assert "accept-language" not in vary and "cookie" not in vary, vary
        assert not response.cookies, path
        assert "public" in response["Cache-Control"]
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert '<html lang="en"' in english.content.decode()
