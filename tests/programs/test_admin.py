"""The admin as editors use it: every registered programs model opens, history
and restore work, the last editor is recorded, drafts can be previewed."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from programs.models import FrequentlyAskedQuestion, LevelOfCare, Page, PublicationStatus, Service, SiteFacts

from .html_parts import parse
from .images import GIF

pytestmark = pytest.mark.django_db

PROGRAMS_ADMINS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "programs"
]
IDS = [model.__name__ for model, _ in PROGRAMS_ADMINS]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_programs_model_is_in_the_admin_directly_or_inline():
    registered = {model for model, _ in PROGRAMS_ADMINS}
    inline = {inline.model for _, model_admin in PROGRAMS_ADMINS for inline in model_admin.inlines}
    assert FrequentlyAskedQuestion in inline
    assert registered | inline == set(apps.get_app_config("programs").get_models())


@pytest.mark.parametrize(("model", "model_admin"), PROGRAMS_ADMINS, ids=IDS)
def test_changelist_and_change_page_open(admin_client, demo_content, model, model_admin):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"the demo content has no {model.__name__} to open"
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.instance == obj


@pytest.mark.parametrize(("model", "model_admin"), PROGRAMS_ADMINS, ids=IDS)
def test_add_page_opens_on_an_empty_site(admin_client, model, model_admin):
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), PROGRAMS_ADMINS, ids=IDS)
def test_changelist_search_and_filters_do_not_fail(admin_client, demo_content, model, model_admin):
    params = {"q": "therapy"} if model_admin.search_fields else {}
    response = admin_client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), PROGRAMS_ADMINS, ids=IDS)
def test_history_page_opens(admin_client, demo_content, model, model_admin):
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_there_is_no_second_site_facts_row_to_add(admin_client, demo_content):
    assert admin_client.get(admin_url(SiteFacts, "add")).status_code == 403
    response = admin_client.get(admin_url(SiteFacts, "change", 1))
    assert "deletelink" not in response.content.decode()


def form_data(response, button="_publish"):
    """What the browser would submit from an admin change form as rendered:
    the main form plus every inline formset, with their current values, and
    the button pressed (Publish unless told otherwise; None for none)."""
    data = {button: "1"} if button else {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)
    return data


def test_save_through_the_admin_records_the_editor_and_a_version(admin_client, admin_user, demo_content):
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    url = admin_url(LevelOfCare, "change", level.pk)
    data = form_data(admin_client.get(url))
    data["summary"] = "Edited summary from the admin."

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    level.refresh_from_db()
    assert level.summary == "Edited summary from the admin."
    assert level.updated_by == admin_user
    version = Version.objects.get_for_object(level).first()
    assert version.revision.user == admin_user
    assert version.field_dict["summary"] == "Edited summary from the admin."


def test_page_save_through_the_admin_records_the_editor(admin_client, admin_user, demo_content):
    page = Page.objects.get(slug="about")
    url = admin_url(Page, "change", page.pk)
    data = form_data(admin_client.get(url))
    data["body"] = "## New\n\nText"
    assert admin_client.post(url, data).status_code == 302
    page.refresh_from_db()
    assert page.updated_by == admin_user
    assert "<h2>New</h2>" in page.body_html


def test_an_earlier_version_can_be_restored_from_history(admin_client, demo_content):
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    url = admin_url(LevelOfCare, "change", level.pk)
    original = form_data(admin_client.get(url))
    original_faqs = list(level.faqs.values_list("question", flat=True))

    # First admin save: the version we will go back to.
    assert admin_client.post(url, original).status_code == 302
    first_version = Version.objects.get_for_object(level).get()

    edited = form_data(admin_client.get(url))
    edited["summary"] = "A summary someone regrets."
    edited["body"] = "## Replaced body"
    edited["faqs-0-DELETE"] = "on"
    assert admin_client.post(url, edited).status_code == 302
    level.refresh_from_db()
    assert level.summary == "A summary someone regrets."
    assert level.faqs.count() == len(original_faqs) - 1

    history = admin_client.get(admin_url(LevelOfCare, "history", level.pk))
    revision_url = admin_url(LevelOfCare, "revision", level.pk, first_version.pk)
    assert revision_url in history.content.decode()

    # The revision page shows the old values in the form; saving it restores them.
    revision_page = admin_client.get(revision_url)
    assert revision_page.status_code == 200
    response = admin_client.post(revision_url, form_data(revision_page, button="_restore"))
    assert response.status_code == 302
    # Restoring made it the draft; publishing it is a step of its own.
    assert admin_client.post(url, form_data(admin_client.get(url))).status_code == 302

    level.refresh_from_db()
    assert level.summary == original["summary"]
    assert level.body == original["body"]
    assert "<h2>Replaced body</h2>" not in level.body_html
    assert list(level.faqs.values_list("question", flat=True)) == original_faqs
    assert Version.objects.get_for_object(level).count() == 3


def test_viewing_an_old_version_changes_nothing(admin_client, demo_content):
    page = Page.objects.get(slug="about")
    url = admin_url(Page, "change", page.pk)
    assert admin_client.post(url, form_data(admin_client.get(url))).status_code == 302
    old = Version.objects.get_for_object(page).get()
    data = form_data(admin_client.get(url))
    data["title"] = "Newer title"
    assert admin_client.post(url, data).status_code == 302

    assert admin_client.get(admin_url(Page, "revision", page.pk, old.pk)).status_code == 200
    page.refresh_from_db()
    assert page.title == "Newer title"


def test_preview_link_in_the_admin_opens_the_draft(admin_client, demo_content):
    level = LevelOfCare.objects.get(slug="outpatient-program")
    level.status = PublicationStatus.DRAFT
    level.summary = "Draft-only summary text."
    level.save()

    change_page = admin_client.get(admin_url(LevelOfCare, "change", level.pk)).content.decode()
    links = [
        el.attrs["href"] for el in parse(change_page).find_all("a") if "/preview/" in el.attrs.get("href", "")
    ]
    assert links, "no preview link on the change page"
    own = reverse("programs:preview_program", kwargs={"pk": level.pk})
    # Its own preview, and each other language's version's (issue 13), at that language's address.
    versions = [level, *level.translations.all()]
    assert own in links
    assert set(links) == {v.reverse_in_language("programs:preview_program", pk=v.pk) for v in versions}
    links = [own]

    preview = admin_client.get(links[0])
    assert preview.status_code == 200
    assert "Draft-only summary text." in preview.content.decode()
    # "View on site" goes to the preview too, since the public URL 404s for a draft.
    model_admin = admin.site._registry[LevelOfCare]
    assert model_admin.view_on_site(level) == links[0]


def test_preview_link_for_a_draft_page(admin_client):
    page = Page.objects.create(title="Coming soon", slug="coming-soon", body="Not yet")
    change_page = admin_client.get(admin_url(Page, "change", page.pk)).content.decode()
    preview_url = reverse("programs:preview_page", kwargs={"pk": page.pk})
    assert f'href="{preview_url}"' in change_page
    assert admin_client.get(preview_url).status_code == 200


def test_the_changelist_shows_status_and_who_changed_it_last(admin_client, admin_user, demo_content):
    LevelOfCare.objects.filter(slug="outpatient-program").update(
        status=PublicationStatus.DRAFT, updated_by=admin_user
    )
    html = admin_client.get(admin_url(LevelOfCare, "changelist")).content.decode()
    assert "Draft (hidden from the public)" in html
    assert admin_user.username in html


@pytest.mark.parametrize(("model", "model_admin"), PROGRAMS_ADMINS, ids=IDS)
def test_every_changelist_shows_more_than_the_object_name(model, model_admin):
    assert len(model_admin.list_display) >= 3
    assert "__str__" not in model_admin.list_display


@pytest.mark.parametrize(
    ("model", "view"), [(LevelOfCare, "programs:preview_program"), (Page, "programs:preview_page")]
)
def test_the_changelist_preview_column_opens_each_draft(admin_client, demo_content, model, view):
    model.objects.update(status=PublicationStatus.DRAFT)
    parts = parse(admin_client.get(admin_url(model, "changelist")).content.decode())
    links = sorted(el.attrs["href"] for el in parts.find_all("a") if el.text == "Preview")
    # Each row's preview at its own language's address (/es/preview/… for Spanish rows).
    assert links == sorted(obj.reverse_in_language(view, pk=obj.pk) for obj in model.objects.all())
    for link in links:
        assert admin_client.get(link).status_code == 200


def test_service_changelist_counts_programs_in_one_query(
    admin_client, demo_content, django_assert_max_num_queries
):
    url = admin_url(Service, "changelist")
    admin_client.get(url)
    # 17 if each row counted its own programs; 9 includes the second-factor check.
    with django_assert_max_num_queries(9):
        response = admin_client.get(url)
    counts = {row.name: row._program_count for row in response.context["cl"].result_list}
    assert counts["Group therapy"] == 3
    assert counts["Case management"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days_per_week_min": "5", "days_per_week_max": "3"}, "days_per_week_max"),
        ({"hours_per_day_min": "6", "hours_per_day_max": "2"}, "hours_per_day_max"),
        ({"asam_level": "two"}, "asam_level"),
    ],
)
def test_bad_schedule_in_the_admin_is_an_error_beside_the_field_and_nothing_is_saved(
    admin_client, demo_content, changes, field
):
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    url = admin_url(LevelOfCare, "change", level.pk)
    data = form_data(admin_client.get(url))
    data.update(changes, summary="This edit must not be stored.")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == [field]
    assert response.context["adminform"].form["summary"].value() == "This edit must not be stored."  # kept
    level.refresh_from_db()
    assert level.summary != "This edit must not be stored."
    assert not Version.objects.get_for_object(level).exists()


def test_an_image_without_a_description_is_refused_in_the_admin(
    admin_client, demo_content, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    url = admin_url(LevelOfCare, "change", level.pk)
    data = form_data(admin_client.get(url))
    data["image"] = SimpleUploadedFile("photo.gif", GIF, "image/gif")
    data["image_alt"] = ""

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["image_alt"]
    level.refresh_from_db()
    assert not level.image
    assert not list(tmp_path.rglob("*.gif"))  # no orphan upload left behind
