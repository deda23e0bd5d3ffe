"""What changed between two versions of a piece of content, for the admin's
history: which fields (by comparing values, so a textarea sent back with
\\r\\n is no change) and a word-by-word diff of each.

Versions, the live row and a draft are all compared as plain dicts of field
values (programs.drafts' working-copy form for pages and programs).
"""

import datetime
import decimal
import re
from difflib import SequenceMatcher

from django.db import models
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import capfirst

from . import drafts

# Kept by the site, not typed by an editor; never reported as a change.
_BOOKKEEPING = {"id", "body_html", "created_at", "updated_at", "updated_by", "image_width", "image_height"}


def _is_drafted(model):
    return hasattr(model, "drafted_fields")


def _compared_fields(model):
    if _is_drafted(model):
        return [f for f in model.drafted_fields() if f.name not in _BOOKKEEPING]
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in _BOOKKEEPING and not getattr(f, "auto_now", False) and not f.primary_key
    ]


def _m2m_names(model):
    if _is_drafted(model):
        return list(model.draft_m2m_fields)
    return [f.name for f in model._meta.many_to_many]


def data_from_object(obj) -> dict:
    """The live row as comparable data (status included for pages and programs)."""
    if _is_drafted(obj):
        return {**drafts.live_copy(obj), "status": obj.status}
    data = {f.name: _plain(f, f.value_from_object(obj)) for f in _compared_fields(type(obj))}
    for name in _m2m_names(type(obj)):
        data[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
    return data


def data_from_version(model, version) -> dict:
    if _is_drafted(model):
        return {**drafts.version_data(model, version), "status": version.field_dict.get("status")}
    fields = version.field_dict
    data = {f.name: _plain(f, fields.get(f.attname)) for f in _compared_fields(model) if f.attname in fields}
    for name in _m2m_names(model):
        if name in fields:
            data[name] = sorted(int(pk) for pk in fields[name])
    return data


def _plain(field, value):
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    return value


def _normalized(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal):
        # A draft keeps these as JSON text ("2026-11-01"); the live row as objects.
        return value.isoformat() if not isinstance(value, decimal.Decimal) else str(value)
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    return value


def _labels(model):
    labels = {f.name: capfirst(f.verbose_name) for f in model._meta.concrete_fields}
    labels.update({f.name: capfirst(f.verbose_name) for f in model._meta.many_to_many})
    for related_name, _fields in getattr(model, "draft_children", ()):
        labels[related_name] = capfirst(
            model._meta.get_field(related_name).related_model._meta.verbose_name_plural
        )
    labels["status"] = "On the site"
    return labels


def changed_names(old: dict | None, new: dict) -> list[str]:
    """Names of the fields whose values differ ("image" also for its size)."""
    if old is None:
        return []
    names = []
    for name in new:
        if name in _BOOKKEEPING or name not in old:
            continue
        if _normalized(old[name]) != _normalized(new[name]):
            names.append(name)
    return names


def changed_fields(model, old: dict | None, new: dict) -> list[str]:
    """The editor's names of the fields that changed, in the model's field order."""
    labels = _labels(model)
    return [labels.get(name, name) for name in changed_names(old, new)]


def as_text(model, name, value) -> str:
    """One field's value as an editor reads it, for the diff."""
    if value is None or value == "":
        return ""
    if name == "status":
        return "Published (on the site)" if value == "published" else "Not published (hidden from the public)"
    children = dict(getattr(model, "draft_children", ()))
    if name in children:
        return "\n\n".join(
            "\n".join(f"{capfirst(f)}: {item.get(f)}" for f in children[name] if f != "order")
            + f"\n(position {item.get('order')})"
            for item in value
        )
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - an old version may name a field that no longer exists
        return str(value)
    if field.many_to_many:
        related = field.related_model._default_manager.filter(pk__in=value)
        found = {obj.pk: str(obj) for obj in related}
        return "\n".join(found.get(pk, f"(deleted, id {pk})") for pk in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


_TOKENS = re.compile(r"\s+|[^\s]+")


def inline_diff(old: str, new: str):
    """old → new as escaped HTML, word by word: removed words in <del>, added
    in <ins>, each also announced in words (not only by colour or line)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(
                format_html(
                    '<del><span class="visually-hidden">[removed: </span>{}<span class="visually-hidden">]</span></del>',
                    "".join(a[i1:i2]),
                )
            )
        if op in ("insert", "replace"):
            parts.append(
                format_html(
                    '<ins><span class="visually-hidden">[added: </span>{}<span class="visually-hidden">]</span></ins>',
                    "".join(b[j1:j2]),
                )
            )
    return format_html_join("", "{}", ((part,) for part in parts))  # each part is already escaped


def field_diffs(model, old: dict, new: dict) -> list[dict]:
    """For each changed field: its label, both values as text and the inline diff."""
    labels = _labels(model)
    rows = []
    for name in changed_names(old, new):
        before, after = (
            as_text(model, name, _normalized(old[name])),
            as_text(model, name, _normalized(new[name])),
        )
        rows.append(
            {
                "label": labels.get(name, name),
                "before": before,
                "after": after,
                "diff": inline_diff(before, after),
            }
        )
    return rows
