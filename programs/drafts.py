"""Drafts beside live content: an editor prepares the next version of a page
while the public keeps seeing the published one.

The live version stays in the model's own columns, so every public read
(`published()`, the sitemap, the content memo) is untouched by editing. The
editor's working copy is a JSON dict in the row's `draft` column: every field
an editor types, the many-to-many choices as primary keys and child rows (a
program's FAQs) as a list. Saving a draft is a QuerySet.update(): no signal,
no version, no change to what workers keep in memory.

Publishing copies the working copy into the live columns and child rows in one
transaction and records a django-reversion version; unpublishing only takes the
live version off the site. Restoring an old version writes it into the draft.
"""

from contextlib import nullcontext

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .markup import render_markdown
from .models import PublicationStatus


def _field_value(obj, field):
    value = field.value_from_object(obj)
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    return value


def _children(obj):
    """(related name, child model, foreign key attname, editable fields) per drafted relation."""
    for related_name, fields in obj.draft_children:
        relation = obj._meta.get_field(related_name)
        yield related_name, relation.related_model, relation.field.attname, fields


def _child_sort_key(item):
    return (item.get("order") or 0, item.get("id") or 0)


def stored(obj):
    """obj as the database has it (an edit form changes the instance in memory)."""
    return type(obj)._default_manager.get(pk=obj.pk)


def live_copy(obj) -> dict:
    """The live version of obj as working-copy data (obj as loaded, not edited)."""
    data = {field.name: _field_value(obj, field) for field in obj.drafted_fields()}
    for name in obj.draft_m2m_fields:
        data[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
    for related_name, _model, _fk, fields in _children(obj):
        data[related_name] = [
            {"id": child.pk, **{f: getattr(child, f) for f in fields}}
            for child in getattr(obj, related_name).all()
        ]
    return data


def complete(obj, data: dict) -> dict:
    """data made safe to show or publish: missing fields from the live version,
    ids of child rows and related objects deleted since dropped."""
    live = live_copy(obj)
    result = {key: data.get(key, live[key]) for key in live}
    for name in obj.draft_m2m_fields:
        related = obj._meta.get_field(name).related_model
        result[name] = sorted(
            related._default_manager.filter(pk__in=result[name] or []).values_list("pk", flat=True)
        )
    for related_name, _model, _fk, fields in _children(obj):
        live_ids = {item["id"] for item in live[related_name]}
        result[related_name] = sorted(
            (
                {
                    "id": item.get("id") if item.get("id") in live_ids else None,
                    **{f: item.get(f) for f in fields},
                }
                for item in result[related_name] or []
            ),
            key=_child_sort_key,
        )
    return result


def working_copy(obj) -> dict:
    """What the editor works on: the draft if there is one, else the live version."""
    return complete(obj, obj.draft) if obj.draft is not None else live_copy(obj)


def apply(obj, data: dict):
    """Put data into obj's attributes, in memory only (for the edit form and
    the preview); obj._working_copy keeps the relations for them."""
    for field in obj.drafted_fields():
        if field.name not in data:
            continue
        value = data[field.name]
        if isinstance(field, models.FileField):
            # Straight into __dict__: assigning through the descriptor would
            # open the image file to measure it.
            obj.__dict__[field.attname] = value or ""
        else:
            setattr(obj, field.attname, field.to_python(value))
    if hasattr(obj, "body_html"):
        obj.body_html = render_markdown(obj.body)
    obj._working_copy = data
    return obj


def preview_relations(obj) -> dict:
    """Related objects of an applied working copy, as the public template reads them."""
    data = obj._working_copy
    relations = {}
    for name in obj.draft_m2m_fields:
        related = obj._meta.get_field(name).related_model
        relations[name] = list(related._default_manager.filter(pk__in=data[name]))
    for related_name, model, fk_attname, fields in _children(obj):
        relations[related_name] = [
            model(pk=item.get("id"), **{fk_attname: obj.pk}, **{f: item[f] for f in fields})
            for item in sorted(data[related_name], key=_child_sort_key)
        ]
    return relations


def data_from_forms(obj, form, formsets) -> dict:
    """The working copy an admin form and its inline formsets describe
    (validated); an uploaded image is stored now so the draft can name it."""
    instance = form.instance
    for field in instance.drafted_fields():
        if isinstance(field, models.FileField):
            file = getattr(instance, field.attname)
            if file and not file._committed:
                file.save(file.name, file.file, save=False)
    data = {field.name: _field_value(instance, field) for field in instance.drafted_fields()}
    before = getattr(obj, "_working_copy", None) or {}
    for name in instance.draft_m2m_fields:
        if name in form.cleaned_data:
            data[name] = sorted(related.pk for related in form.cleaned_data[name])
        else:
            data[name] = before.get(name, [])
    by_relation = {fs.fk.remote_field.get_accessor_name(): fs for fs in formsets if hasattr(fs, "fk")}
    for related_name, _model, fk_attname, fields in _children(instance):
        formset = by_relation.get(related_name)
        if formset is None:
            data[related_name] = before.get(related_name, [])
            continue
        items = []
        for child_form in formset.forms:
            cleaned = getattr(child_form, "cleaned_data", None)
            if not cleaned or (formset.can_delete and formset._should_delete_form(child_form)):
                continue
            existing = cleaned.get(formset.model._meta.pk.name)
            child_id = (
                existing.pk if existing is not None and getattr(existing, fk_attname) == obj.pk else None
            )
            items.append({"id": child_id, **{f: cleaned.get(f) for f in fields}})
        data[related_name] = sorted(items, key=_child_sort_key)
    return data


def save_draft(obj, data: dict, *, user, publish_at=None):
    """Keep data as obj's draft (none if it matches the live version). Never
    touches the live columns."""
    draft = None if data == live_copy(stored(obj)) else data
    now = timezone.now()
    changes = {
        "draft": draft,
        "draft_updated_at": now if draft is not None else None,
        "draft_updated_by": user if draft is not None else None,
        "publish_at": publish_at,
    }
    type(obj)._default_manager.filter(pk=obj.pk).update(**changes)
    for name, value in changes.items():
        setattr(obj, name, value)
    return draft is not None


def discard_draft(obj):
    type(obj)._default_manager.filter(pk=obj.pk).update(
        draft=None, draft_updated_at=None, draft_updated_by=None, publish_at=None
    )
    obj.draft = obj.draft_updated_at = obj.draft_updated_by = obj.publish_at = None


def publish(obj, data=None, *, user=None, comment="Published.", validate=False):
    """Make data (by default the working copy) the live version, in one
    transaction, and record it as a version. Returns the saved object."""
    opened = not reversion.is_active()
    with reversion.create_revision() if opened else nullcontext(), transaction.atomic():
        live = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        data = complete(live, working_copy(live) if data is None else data)
        apply(live, data)
        live.status = PublicationStatus.PUBLISHED
        live.draft = live.draft_updated_at = live.draft_updated_by = live.publish_at = None
        if user is not None:
            live.updated_by = user
        if validate:
            live.full_clean()
        live.save()
        for name in live.draft_m2m_fields:
            getattr(live, name).set(data[name])
        for related_name, model, fk_attname, fields in _children(live):
            _replace_children(live, related_name, model, fk_attname, fields, data[related_name])
        # Added last and explicitly: the version then holds the FAQs and
        # services as published, not as they were when the row was saved.
        reversion.add_to_revision(live)
        if opened:
            reversion.set_user(user)
            reversion.set_comment(comment)
    return live


def _replace_children(obj, related_name, model, fk_attname, fields, items):
    existing = {child.pk: child for child in getattr(obj, related_name).all()}
    kept = set()
    for item in items:
        child = existing.get(item.get("id")) or model(**{fk_attname: obj.pk})
        if child.pk is None or any(getattr(child, f) != item[f] for f in fields):
            for f in fields:
                setattr(child, f, item[f])
            child.save()
        kept.add(child.pk)
    for pk, child in existing.items():
        if pk not in kept:
            child.delete()


def unpublish(obj, *, user=None, comment="Unpublished: taken off the site."):
    """Take the live version off the site; content and draft stay as they are."""
    opened = not reversion.is_active()
    with reversion.create_revision() if opened else nullcontext():
        obj.status = PublicationStatus.DRAFT
        if user is not None:
            obj.updated_by = user
        obj.save(update_fields=["status", "updated_by", "updated_at"])
        if opened:
            reversion.set_user(user)
            reversion.set_comment(comment)
    return obj


def version_data(model, version) -> dict:
    """A recorded version of model as working-copy data, FAQs included."""
    fields = version.field_dict
    data = {}
    for field in model.drafted_fields():
        if field.attname in fields:
            value = fields[field.attname]
            data[field.name] = (
                (getattr(value, "name", value) or "") if isinstance(field, models.FileField) else value
            )
    for name in model.draft_m2m_fields:
        if name in fields:
            data[name] = sorted(int(pk) for pk in fields[name])
    for related_name, fields_of_child in model.draft_children:
        relation = model._meta.get_field(related_name)
        child_model, fk_attname = relation.related_model, relation.field.attname
        content_type = ContentType.objects.get_for_model(child_model)
        items = []
        for child_version in version.revision.version_set.filter(content_type=content_type):
            child = child_version.field_dict
            if str(child.get(fk_attname)) == str(version.object_id):
                items.append({"id": child["id"], **{f: child.get(f) for f in fields_of_child}})
        data[related_name] = sorted(items, key=_child_sort_key)
    return data
