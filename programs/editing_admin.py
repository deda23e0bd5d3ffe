"""Admin behaviour shared by the programs app: a readable history with diffs
for every model, and drafts for pages and programs (programs.drafts).

On a page or program the edit form shows the working copy (the draft, or the
live version when there is none). "Save draft" keeps it beside the live
version; "Publish" makes it live in one step; "Unpublish…" and "Discard
draft…" are separate pages that ask first. Restoring a version from the
history puts it in the draft and never changes what is live.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import get_text_list
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import drafts, history, translations
from .forms import DraftChildFormSet, DraftForm, EditorForm
from .models import ENGLISH, PublicationStatus, Service, placeholder_slug

PUBLISH, SAVE_DRAFT, RESTORE = "_publish", "_save_draft", "_restore"


def when(moment) -> str:
    """A date and time to the second, in the site's time zone."""
    return date_format(timezone.localtime(moment), "j M Y, H:i:s") if moment else ""


def who(user) -> str:
    if user is None:
        return "the site (no signed-in editor)"
    full_name = user.get_full_name()
    return f"{user.get_username()} ({full_name})" if full_name else user.get_username()


class HistoryAdmin(VersionAdmin):
    """django-reversion's admin with a history editors can read: seconds, who,
    which fields changed and a diff between any two versions."""

    form = EditorForm
    object_history_template = "admin/programs/object_history.html"
    restore_label = "Restore this version"

    def _url(self, name, *args):
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args)

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name=f"{info[0]}_{info[1]}_compare",
            ),
            *self.extra_urls(view, info),
            *super().get_urls(),
        ]

    def extra_urls(self, view, info):
        return []

    def _versions(self, obj):
        return list(
            Version.objects.get_for_object(obj)
            .select_related("revision", "revision__user")
            .order_by("revision__date_created", "pk")
        )

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries, previous = [], None
        for version in self._versions(obj):
            data = history.data_from_version(self.model, version)
            entries.append(
                {
                    "version": version,
                    "when": when(version.revision.date_created),
                    "who": who(version.revision.user),
                    "comment": version.revision.get_comment(),
                    "changes": history.changed_fields(self.model, previous[1], data) if previous else None,
                    "compare_url": (
                        f"{self._url('compare', quote(obj.pk))}?a={previous[0].pk}&b={version.pk}"
                        if previous
                        else ""
                    ),
                    "compare_live_url": f"{self._url('compare', quote(obj.pk))}?a={version.pk}&b=live",
                    "restore_url": self._url("revision", quote(obj.pk), version.pk),
                }
            )
            previous = (version, data)
        entries.reverse()  # latest first
        context = {
            "version_entries": entries,
            "restore_label": self.restore_label,
            "draft_entry": self.draft_entry(obj),
            **(extra_context or {}),
        }
        # ModelAdmin's view adds every admin log entry (draft saves included), paginated.
        return admin.ModelAdmin.history_view(self, request, object_id, context)

    def draft_entry(self, obj):
        return None

    def _comparable(self, obj, which):
        """(label, data) for 'live', 'draft' or a version id of obj."""
        if which == "live":
            return "The live version", history.data_from_object(obj)
        if which == "draft" and getattr(obj, "draft", None) is not None:
            return (
                f"The draft saved {when(obj.draft_updated_at)} by {who(obj.draft_updated_by)}",
                drafts.complete(obj, obj.draft),
            )
        if not str(which).isdigit():
            raise Http404("Nothing to compare")
        version = get_object_or_404(
            Version.objects.get_for_object(obj).select_related("revision__user"), pk=int(which)
        )
        label = f"The version of {when(version.revision.date_created)} by {who(version.revision.user)}"
        return label, history.data_from_version(self.model, version)

    def compare_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        before_label, before = self._comparable(obj, request.GET.get("a", ""))
        after_label, after = self._comparable(obj, request.GET.get("b", ""))
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare versions of {obj}",
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "app_label": opts.app_label,
            "before_label": before_label,
            "after_label": after_label,
            "rows": history.field_diffs(self.model, before, after),
            "history_url": self._url("history", quote(obj.pk)),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/programs/compare.html", context)


class DraftAdmin(HistoryAdmin):
    """Pages and programs: edit a draft, preview it, publish it in one step."""

    form = DraftForm
    change_form_template = "admin/programs/draft_change_form.html"
    change_list_template = None  # no "Recover deleted" button: see recover_view
    restore_label = "Restore as draft"
    preview_url_name = None

    # --- what the edit form works on -------------------------------------

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            request._programs_language = obj.language  # the services offered are in it
        editing = getattr(request, "_programs_editing", None)
        if obj is not None and editing is not None:
            obj._working_before = drafts.working_copy(obj)
            source = editing.get("source")
            drafts.apply(obj, drafts.complete(obj, source) if source is not None else obj._working_before)
        return obj

    def _edit(self, request, **state):
        request._programs_editing = state

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._edit(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore: the change form filled with an old version; sending it
        makes that the draft. What is live does not change."""
        object_id = unquote(object_id)
        version = get_object_or_404(Version, pk=version_id, object_id=object_id)
        self._edit(request, source=drafts.version_data(self.model, version), restoring=version)
        context = {
            "title": f"Restore a version of {version.object_repr}",
            "restoring": {
                "when": when(version.revision.date_created),
                "who": who(version.revision.user),
                "comment": version.revision.get_comment(),
                "history_url": self._url("history", quote(object_id)),
            },
            **(extra_context or {}),
        }
        return self.changeform_view(request, quote(object_id), request.path, context)

    def recover_view(self, request, version_id, extra_context=None):
        # Recovering a deleted page would put it straight back on the site.
        raise PermissionDenied

    def _publishing(self, request):
        editing = getattr(request, "_programs_editing", None) or {}
        return request.method == "POST" and PUBLISH in request.POST and "restoring" not in editing

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # A program lists services in its own language only.
        if db_field.related_model is Service:
            language = getattr(request, "_programs_language", ENGLISH)
            kwargs["queryset"] = Service.objects.filter(language=language)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self._publishing(request):
            form = type(form.__name__, (form,), {"publishing": True})
        return form

    # --- saving -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        editing = getattr(request, "_programs_editing", None)
        if change and editing is not None:
            return  # the edit form: save_related() decides, with the FAQs in hand
        obj.updated_by = request.user
        if change and obj.draft is not None:
            # A change from the list (its position): the draft keeps it too.
            obj.draft = {**obj.draft, **{name: form.cleaned_data[name] for name in form.changed_data}}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        editing = getattr(request, "_programs_editing", None)
        if not change or editing is None:
            return super().save_related(request, form, formsets, change)
        obj = form.instance
        before = obj._working_before
        data = drafts.data_from_forms(obj, form, formsets)
        if "restoring" in editing:
            has_draft = drafts.save_draft(obj, data, user=request.user, publish_at=obj.publish_at)
            version = editing["restoring"]
            request._programs_outcome = (
                RESTORE,
                f"Restored the version of {when(version.revision.date_created)} as the draft"
                if has_draft
                else f"Restored the version of {when(version.revision.date_created)}: it matches the live "
                "version, so there is no draft",
                history.changed_fields(self.model, before, data),
            )
        elif self._publishing(request):
            live_before = drafts.live_copy(drafts.stored(obj))
            was_live = (
                type(obj)._default_manager.filter(pk=obj.pk, status=PublicationStatus.PUBLISHED).exists()
            )
            published = drafts.publish(obj, data, user=request.user)
            changes = history.changed_fields(self.model, live_before, data)
            if not was_live:
                changes = ["On the site", *changes]
            form.instance = published
            request._programs_outcome = (PUBLISH, "Published", changes)
        else:
            has_draft = drafts.save_draft(obj, data, user=request.user, publish_at=obj.publish_at)
            request._programs_outcome = (
                SAVE_DRAFT,
                "Saved the draft"
                if has_draft
                else "No unpublished changes: the draft matches the live version",
                history.changed_fields(self.model, before, data),
            )

    def construct_change_message(self, request, form, formsets, add=False):
        outcome = getattr(request, "_programs_outcome", None)
        if outcome is None:
            return super().construct_change_message(request, form, formsets, add)
        _kind, what, changes = outcome
        if changes:
            return f"{what}; changed {get_text_list(changes, 'and')}."
        return f"{what}; no field changed."

    def response_change(self, request, obj):
        outcome = getattr(request, "_programs_outcome", None)
        if outcome is None:
            return super().response_change(request, obj)
        kind, _what, _changes = outcome
        message = self.construct_change_message(request, None, [])
        if kind == PUBLISH:
            message += " Visitors now see this version."
        elif obj.draft is not None:
            message += " Visitors still see the live version until you publish."
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", quote(obj.pk)))

    def response_add(self, request, obj, post_url_continue=None):
        if SAVE_DRAFT in request.POST or PUBLISH in request.POST:
            where = "Published" if obj.is_published else "Saved as a draft, not on the site yet"
            self.message_user(request, f"{where}: “{obj}”.", messages.SUCCESS)
            return HttpResponseRedirect(self._url("change", quote(obj.pk)))
        return super().response_add(request, obj, post_url_continue)

    # --- unpublish and discard ------------------------------------------

    def extra_urls(self, view, info):
        return [
            path(
                "<path:object_id>/unpublish/",
                view(self.unpublish_view),
                name=f"{info[0]}_{info[1]}_unpublish",
            ),
            path(
                "<path:object_id>/discard-draft/",
                view(self.discard_draft_view),
                name=f"{info[0]}_{info[1]}_discard_draft",
            ),
            path(
                "<path:object_id>/translate/<str:language>/",
                view(self.add_translation_view),
                name=f"{info[0]}_{info[1]}_translate",
            ),
        ]

    def _confirm(self, request, object_id, *, allowed, refused, question, consequences, button, act):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = self._url("change", quote(obj.pk))
        if not allowed(obj):
            self.message_user(request, refused, messages.WARNING)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            with self.create_revision(request):
                message = act(obj)
                self.log_change(request, obj, message)
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        opts = self.model._meta
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": question,
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "app_label": opts.app_label,
            "consequences": consequences(obj),
            "button": button,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/programs/confirm_action.html", context)

    def unpublish_view(self, request, object_id):
        def act(obj):
            drafts.unpublish(obj, user=request.user)
            return "Unpublished: taken off the site. The content and any draft are kept; publish to bring it back."

        return self._confirm(
            request,
            object_id,
            allowed=lambda obj: obj.is_published,
            refused="This is not on the site, so there is nothing to unpublish.",
            question="Take this off the site?",
            consequences=lambda obj: [
                f"“{obj}” will disappear from the site at once: its address will show “page not found”, and it "
                "leaves the menus, the home page, the comparison and the consultation form's list.",
                "Nothing is deleted. The live text and any draft are kept, and Publish brings it back.",
            ],
            button="Yes, unpublish",
            act=act,
        )

    def discard_draft_view(self, request, object_id):
        def act(obj):
            drafts.discard_draft(obj)
            return "Discarded the draft; the live version is unchanged."

        return self._confirm(
            request,
            object_id,
            allowed=lambda obj: obj.draft is not None,
            refused="There is no draft to discard.",
            question="Discard the draft?",
            consequences=lambda obj: [
                f"The unpublished changes saved {when(obj.draft_updated_at)} by {who(obj.draft_updated_by)} "
                "will be thrown away, with any scheduled publication.",
                "What is live does not change.",
            ],
            button="Yes, discard the draft",
            act=act,
        )

    def add_translation_view(self, request, object_id, language):
        """ "Add the Spanish version": asks first, then creates an unpublished
        copy of the English original and opens it."""
        names = dict(settings.LANGUAGES)
        original = self.get_object(request, unquote(object_id))
        if original is None or language not in names or language == ENGLISH:
            raise Http404
        if not self.has_add_permission(request) or not self.has_change_permission(request, original):
            raise PermissionDenied
        change_url = self._url("change", quote(original.pk))
        if original.language != ENGLISH:
            self.message_user(request, "Translations are added from the English original.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        existing = translations.version_in(original, language)
        if existing is not None:
            self.message_user(request, f"The {names[language]} version already exists.", messages.WARNING)
            return HttpResponseRedirect(self._url("change", quote(existing.pk)))
        if request.method == "POST":
            copy, left_out = translations.create_translation(original, language, user=request.user)
            self.log_addition(request, copy, f"Created as the {names[language]} version of “{original}”.")
            message = (
                f"Created the {names[language]} version as a copy of the English, not on the site. Translate "
                f"every field, give it its own address (slug) in place of “{copy.slug}”, then publish."
            )
            if left_out:
                message += (
                    f" Services without a {names[language]} version were left out: "
                    f"{get_text_list([str(s) for s in left_out], 'and')}."
                )
            if getattr(copy, "reviewed_by_id", 0) is None:
                message += " The clinical review is empty: a clinician should check the translation."
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(self._url("change", quote(copy.pk)))
        opts = self.model._meta
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Add the {names[language]} version of “{original}”?",
            "subtitle": None,
            "object": original,
            "opts": opts,
            "app_label": opts.app_label,
            "consequences": [
                f"A new {names[language]} {opts.verbose_name} is made as a copy of the English text, to translate.",
                "It is not on the site: it stays hidden until you publish it, and it has its own draft, "
                "preview and history.",
                f"Its address starts as a placeholder (“{placeholder_slug(original.slug, language)}”) "
                "that you must change before publishing.",
            ],
            "button": f"Yes, add the {names[language]} version",
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/programs/confirm_action.html", context)

    # --- what the editor sees ------------------------------------------

    def _preview_url(self, obj):
        # At the row's own language's address: /es/preview/… for Spanish.
        return obj.reverse_in_language(self.preview_url_name, pk=obj.pk)

    @admin.display(description="Language versions")
    def language_versions(self, obj):
        """Each language's version of this content: its state and a link, or
        a link to add it."""
        if obj is None or obj.pk is None:
            return "English. Once saved, you can add the Spanish version."
        original = obj.original
        rows = []
        for code, name in settings.LANGUAGES:
            version = translations.version_in(original, code)
            if version is None:
                add = self._url("translate", quote(original.pk), code)
                rows.append(
                    format_html(
                        '<li>{}: not yet written. <a href="{}">Add the {} version</a></li>', name, add, name
                    )
                )
                continue
            state = "published" if version.is_published else "draft (not on the site)"
            if version.draft_updated_at is not None:
                state += ", with unpublished changes"
            label = format_html("<strong>{}</strong> (this one)", name) if version.pk == obj.pk else name
            rows.append(
                format_html(
                    '<li>{}: {}. <a href="{}">Edit</a> · <a href="{}" target="_blank" rel="noopener">Preview</a></li>',
                    label,
                    state,
                    self._url("change", quote(version.pk)),
                    self._preview_url(version),
                )
            )
        return format_html(
            '<ul class="language-versions">{}</ul>', format_html_join("", "{}", ((row,) for row in rows))
        )

    @admin.display(description="Language", ordering="language")
    def language_column(self, obj):
        return dict(settings.LANGUAGES).get(obj.language, obj.language)

    def draft_entry(self, obj):
        if obj.draft is None:
            return None
        live = history.data_from_object(obj)
        return {
            "when": when(obj.draft_updated_at),
            "who": who(obj.draft_updated_by),
            "changes": history.changed_fields(self.model, live, drafts.complete(obj, obj.draft)),
            "compare_url": f"{self._url('compare', quote(obj.pk))}?a=live&b=draft",
            "preview_url": self._preview_url(obj),
            "publish_at": when(obj.publish_at),
        }

    @admin.display(description="On the site")
    def publication_state(self, obj):
        if obj is None or obj.pk is None:
            return "Not yet: Save draft keeps it hidden, Publish puts it on the site."
        live = "Live: visitors see the published version." if obj.is_published else "Not on the site."
        if obj.draft_updated_at is None:
            state = " No unpublished changes."
        else:
            state = format_html(
                " Unpublished changes saved {} by {}.",
                when(obj.draft_updated_at),
                who(obj.draft_updated_by),
            )
        schedule = format_html(" Will be published at {}.", when(obj.publish_at)) if obj.publish_at else ""
        links = ""
        if obj.draft_updated_at is not None:
            links = format_html(
                ' <a href="{}">Compare the draft with the live version</a>',
                f"{self._url('compare', quote(obj.pk))}?a=live&b=draft",
            )
        return format_html("{}{}{}{}", live, state, schedule, links)

    @admin.display(description="Draft")
    def draft_column(self, obj):
        if obj.draft_updated_at is None:
            return "—"
        if obj.publish_at:
            return f"Unpublished changes, to be published {when(obj.publish_at)}"
        return f"Unpublished changes ({when(obj.draft_updated_at)})"

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save first to preview."
        url = self._preview_url(obj)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Open preview</a> (shows the draft; opens in a new tab)',
            url,
        )

    @admin.display(description="Preview")
    def preview_column(self, obj):
        url = self._preview_url(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">Preview</a>', url)

    def view_on_site(self, obj):
        # The public URL 404s for content that is not live; send staff to the preview instead.
        if obj.is_published:
            return obj.get_absolute_url()
        return self._preview_url(obj)


class DraftChildInline(admin.StackedInline):
    """Child rows edited with their page (a program's FAQs): part of its draft."""

    form = EditorForm
    formset = DraftChildFormSet
