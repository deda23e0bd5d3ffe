"""A blank intake form is the same page for everyone: its fields, labels,
hints and choices depend only on the consent wording in force, the published
levels of care (or carriers) and the program a link preselects. Drawing them
through crispy-forms' per-widget templates cost most of the form page's CPU
(19.6 of 36 ms, issue 14), so each worker draws a blank form once and keeps
the HTML of its fields (programs.content_cache: thrown away on every server
when site content, consent wording or a carrier is saved).

Only the fields are kept. What differs per visitor stays out of the fragment
and is rendered per request around it (templates/admissions/intake_form.html):
the CSRF token, the signed one-time form token, the attribution inputs and the
honeypot. A form sent back with errors holds a person's answers and is never
kept: it is drawn by crispy-forms as before.

Kept per language: the labels, hints and consent wording are the page's
language (its URL), so an English form drawn after a Spanish one is English.
"""

import re
from dataclasses import dataclass

from crispy_forms.utils import render_crispy_form
from django.middleware.csp import get_nonce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from programs.content_cache import memoized

from . import attribution, reference
from .forms import IntakeForm, current_consent


@dataclass(frozen=True)
class BlankForm:
    fields_html: SafeString
    # The wording versions drawn into the fields: the form token names them.
    consent_ids: tuple[int, ...]
    multipart: bool


def blank_form(form_class: type[IntakeForm], query) -> BlankForm:
    """The blank form's fields for a GET with this query string (?program=<slug>)."""
    initial = form_class.preselected(query)
    in_force = tuple(getattr(current_consent(kind), "pk", None) for kind in form_class.consent_kinds.values())
    language = reference.page_language()
    key = ("admissions:blank-form", form_class.kind, language, in_force, tuple(sorted(initial.items())))
    return memoized(key, lambda: _draw(form_class, initial))


def _draw(form_class: type[IntakeForm], initial: dict) -> BlankForm:
    form = form_class(initial=initial)
    return BlankForm(
        fields_html=render_crispy_form(form),
        consent_ids=tuple(form.consent_ids),
        multipart=form.is_multipart(),
    )


# The whole blank form page is drawn once per worker too, with these marks
# where each visitor's own values go: the CSRF token, the signed form token
# and the value of each attribution input. Letters and digits only, so
# escaping leaves them be.
HOLES = {
    "csrf_token": "SHEERHOLECSRF7f3a",
    "form_token": "SHEERHOLEFORM7f3a",
    **{name: f"SHEERHOLE{name.upper().replace('_', '')}7f3a" for name in attribution.FIELDS},
}
_HOLE_NAMES = {mark: name for name, mark in HOLES.items()}
_HOLE_RE = re.compile("(" + "|".join(HOLES.values()) + ")")


@dataclass(frozen=True)
class BlankPage:
    """The page as encoded text between the holes: filling it is one join
    (three passes of str.replace and the encoding were a fifth of a form GET)."""

    parts: tuple[bytes, ...]  # one more than holes
    holes: tuple[str, ...]  # names in HOLES, in page order

    @classmethod
    def split(cls, html: str) -> "BlankPage":
        pieces = _HOLE_RE.split(html)
        return cls(
            parts=tuple(piece.encode() for piece in pieces[::2]),
            holes=tuple(_HOLE_NAMES[mark] for mark in pieces[1::2]),
        )

    def fill(self, values: dict[str, str]) -> bytes:
        """The page with each hole's value escaped (a missing value is empty)."""
        out = [self.parts[0]]
        for name, part in zip(self.holes, self.parts[1:], strict=True):
            value = values.get(name)
            if value:
                out.append(escape(value).encode())
            out.append(part)
        return b"".join(out)


def blank_page(request, template: str, blank: BlankForm, context_for) -> BlankPage | None:
    """The page around a blank form, drawn once per worker per content version
    and day (the footer's licences and year), language and path; None when the
    page cannot be shared (it used a CSP nonce while drawing)."""
    key = ("admissions:blank-page", template, request.path, blank, timezone.localdate())
    page = memoized(key, lambda: _draw_page(request, template, blank, context_for))
    return page or None


def _draw_page(request, template, blank, context_for):
    context = context_for(
        blank=blank,
        form_token=HOLES["form_token"],
        attribution_html=attribution.hidden_inputs({name: HOLES[name] for name in attribution.FIELDS}),
    )
    context["csrf_token"] = HOLES["csrf_token"]
    html = render_to_string(template, context, request=request)
    if get_nonce(request) or HOLES["csrf_token"] not in html or HOLES["form_token"] not in html:
        return False  # not shareable: draw this page per request
    return BlankPage.split(html)
