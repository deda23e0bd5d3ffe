"""Which page is "this page" in the other language, for the language switch
and the hreflang links (templates/base.html).

The language is the URL's (sheer_site.middleware.LanguageFromPathMiddleware).
Fixed pages (home, programs list, comparison, team, the forms) have a twin in
every language: the same view reversed with the other language active. A page
an editor writes (a level of care, a plain page) is a row per language, linked
to its English original; its views pass `alternates_for_content(...)`, which
names no URL for a language whose version is not published.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

# Each language's name in that language: that is how a reader looks for it.
NATIVE_NAMES = {"en": "English", "es": "Español"}


@dataclass(frozen=True)
class Alternate:
    code: str
    name: str
    url: str | None  # the path; None when the page has no version in this language
    current: bool


class Alternates(list):
    @property
    def x_default(self) -> str | None:
        """The English address: for a reader whose language the site lacks."""
        for alternate in self:
            if alternate.code == settings.LANGUAGE_CODE:
                return alternate.url
        return None

    @property
    def others(self):
        return [alternate for alternate in self if not alternate.current]


def _alternates(urls: dict) -> Alternates:
    current = translation.get_language()
    return Alternates(
        Alternate(code=code, name=NATIVE_NAMES.get(code, code), url=urls.get(code), current=code == current)
        for code, _name in settings.LANGUAGES
    )


def alternates_for_path(path: str) -> Alternates:
    """The same view in each language (for views without per-language content)."""
    try:
        match = resolve(path)
    except Resolver404:
        return _alternates({})
    if match.url_name is None or match.namespace not in PUBLIC_NAMESPACES:
        return _alternates({})
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            try:
                urls[code] = reverse(
                    f"{match.namespace}:{match.url_name}", args=match.args, kwargs=match.kwargs
                )
            except NoReverseMatch:
                urls[code] = None
    return _alternates(urls)


def alternates_for_content(versions: dict) -> Alternates:
    """versions: language code -> the published object in that language (or None)."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        obj = versions.get(code)
        urls[code] = obj.get_absolute_url() if obj is not None else None
    return _alternates(urls)


PUBLIC_NAMESPACES = {"programs", "admissions"}
