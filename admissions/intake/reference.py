"""The rows every intake form reads and nobody types in: consent wording, the
insurance carriers, the levels of care. Kept in each worker's memory between
edits (programs.content_cache: a version in the shared cache, reloaded on
every server after any save or delete of these rows or of site content), so
neither the form page nor its post asks the database for them.

Nothing personal is kept here: the rows are the site's own wording and lists.
Which consent version is in force is worked out on each call from the kept
rows (`effective_from`) and the page's language, so a version that takes
effect later needs no save to show up on time.

Per language: consent wording is kept once with both languages in it (a form
token may name either), and `consent_in_force` picks the page's. Carrier
names are the carriers' own in both languages; the levels of care are the
public pages' own list (programs.selectors keeps it per language).
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation

from admissions.models import ConsentText, InsuranceCarrier, Language, language_of
from programs import selectors
from programs.content_cache import content_changed, memoized


def consent_texts() -> dict[int, ConsentText]:
    """Every consent wording version, by id (a handful of short rows). Read-only:
    shared by a worker's threads."""
    return memoized("admissions:consent-texts", lambda: {c.pk: c for c in ConsentText.objects.all()})


def page_language() -> str:
    """The active language (the URL's, sheer_site.middleware) as a Language."""
    return language_of(translation.get_language())


def consent_in_force(kind: str, *, language: str | None = None, now=None) -> ConsentText | None:
    """The newest version of `kind` already effective in `language` (the
    page's by default). A language without that wording yet gets the English,
    so a form is never drawn without its consent."""
    now = now or timezone.now()
    language = language or page_language()
    effective = [c for c in consent_texts().values() if c.kind == kind and c.effective_from <= now]
    in_language = [c for c in effective if c.language == language] or [
        c for c in effective if c.language == Language.ENGLISH
    ]
    return max(in_language, key=lambda c: c.version, default=None)


def active_carriers() -> list[InsuranceCarrier]:
    """The insurance form's list, in its order."""
    return memoized("admissions:carriers", lambda: list(InsuranceCarrier.objects.filter(active=True)))


def published_levels() -> list:
    """Published levels of care, in their order (the public pages' own list)."""
    return selectors.levels_of_care_for_comparison()


def connect_signals() -> None:
    """A save or delete of consent wording or a carrier reloads every worker's
    copy (and the blank forms rendered from them); AdmissionsConfig.ready calls it.
    Levels of care are site content and already do."""
    for model in (ConsentText, InsuranceCarrier):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"intake-save-{model.__name__}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"intake-delete-{model.__name__}")
