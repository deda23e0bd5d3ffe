"""Another language's version of a page or program: its own row, linked to the
English original (programs.models.TranslatableMixin).

"Add the Spanish version" copies the original's live content into a new row
that is NOT on the site (status draft), under a placeholder slug the editor
must replace before publishing. The editor then translates it with the usual
Save draft / Preview / Publish; its history starts with this copy.
"""

import reversion
from django.db import transaction

from . import drafts
from .models import ENGLISH, PublicationStatus, Service, placeholder_slug


def version_in(original, code):
    """original's row in language code (any status), or None."""
    if code == original.language:
        return original
    return original.translations.filter(language=code).first()


def _free(model, code, field, value, max_length):
    """value, or value-2, value-3… until no row in language code has it."""
    candidate, n = value[:max_length], 1
    while model._default_manager.filter(language=code, **{field: candidate}).exists():
        n += 1
        suffix = f"-{n}" if field == "slug" else f" ({n})"
        candidate = value[: max_length - len(suffix)] + suffix
    return candidate


def create_translation(original, code, *, user=None):
    """A new, unpublished row in language code copying original's live
    content. Services map to their versions in that language (the others are
    left out, returned so the editor can be told); FAQs are copied to be
    translated; the clinical review is not copied: nobody has reviewed the
    translation yet. Returns (the new row, services left out)."""
    if original.language != ENGLISH:
        raise ValueError("Translations are made from the English original.")
    model = type(original)
    data = drafts.live_copy(original)
    left_out = []
    with reversion.create_revision(), transaction.atomic():
        if version_in(original, code) is not None:
            raise ValueError(f"{original} already has a version in {code}.")
        copy = drafts.apply(model(language=code, translation_of=original), data)
        copy.status = PublicationStatus.DRAFT
        copy.slug = _free(model, code, "slug", placeholder_slug(original.slug, code), 100)
        if hasattr(copy, "name"):
            copy.name = _free(model, code, "name", copy.name, model._meta.get_field("name").max_length)
        if hasattr(copy, "reviewed_by_id"):
            copy.reviewed_by, copy.reviewed_on = None, None
        copy.updated_by = user
        copy.save()
        for name in copy.draft_m2m_fields:
            related = model._meta.get_field(name).related_model
            chosen = list(related._default_manager.filter(pk__in=data[name]))
            if related is Service:
                mapped = {
                    service.translation_of_id: service
                    for service in Service.objects.filter(language=code, translation_of__in=chosen)
                }
                left_out = [service for service in chosen if service.pk not in mapped]
                chosen = [mapped[service.pk] for service in chosen if service.pk in mapped]
            getattr(copy, name).set(chosen)
        for related_name, child_model, fk_attname, fields in drafts._children(copy):
            child_model._default_manager.bulk_create(
                child_model(**{fk_attname: copy.pk}, **{f: item[f] for f in fields})
                for item in data[related_name]
            )
        reversion.add_to_revision(copy)
        reversion.set_user(user)
        reversion.set_comment(
            f"Created as the {code} version of “{original}” (a copy of the English, not published)."
        )
    return copy, left_out
