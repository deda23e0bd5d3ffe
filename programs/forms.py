"""Admin forms for site content."""

from django import forms
from django.forms.models import BaseInlineFormSet

from .models import PublicationStatus


def normalize_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


class EditorForm(forms.ModelForm):
    """Browsers send textareas back with \\r\\n; stored text uses \\n, so an
    untouched field would otherwise look changed (and be logged as such)."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = normalize_newlines(value)
        return cleaned


class DraftForm(EditorForm):
    """The edit form of a page or program: it shows and edits the working copy
    (programs.drafts); `publishing` is set when the Publish button was pressed,
    so the checks that only apply to live content run."""

    publishing = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        working = getattr(self.instance, "_working_copy", None)
        if working is not None:
            for name in self.instance.draft_m2m_fields:
                if name in self.fields and name in working:
                    self.initial[name] = working[name]
        if self.publishing:
            self.instance.status = PublicationStatus.PUBLISHED


class DraftChildFormSet(BaseInlineFormSet):
    """Child rows (a program's FAQs) as the working copy has them: rows that are
    live show with the draft's text; rows added in the draft only come as extra
    forms that keep their text when sent back unchanged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._draft_only = []
        working = getattr(self.instance, "_working_copy", None)
        related_name = self.fk.remote_field.get_accessor_name()
        if working is None or self.instance.pk is None or related_name not in working:
            return
        fields = dict(self.instance.draft_children)[related_name]
        existing = {child.pk: child for child in super().get_queryset()}
        shown = []
        for item in working[related_name]:
            child = existing.get(item.get("id"))
            if child is None:
                self._draft_only.append({f: item.get(f) for f in fields})
                continue
            for f in fields:
                setattr(child, f, item.get(f))
            shown.append(child)
        self._queryset = shown
        self.initial_extra = self._draft_only
        self.extra = max(self.extra, len(self._draft_only))

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        first_extra = self.initial_form_count()
        if index is not None and first_extra <= index < first_extra + len(self._draft_only):
            kwargs["empty_permitted"] = False
        return kwargs
