"""Drafts beside live content: an editor prepares the next version of a live
page while visitors keep seeing the published one (issue 12)."""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from programs import content_cache
from programs.models import FrequentlyAskedQuestion, LevelOfCare, Page, PublicationStatus, Service

from .test_admin import admin_url, form_data

pytestmark = pytest.mark.django_db

IOP = "intensive-outpatient-program"


@pytest.fixture
def iop(demo_content):
    return LevelOfCare.objects.get(slug=IOP)


def edit(admin_client, obj, button, **changes):
    """Open obj's edit form in the admin, change some fields, press button."""
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(admin_client.get(url), button=button)
    data.update(changes)
    return admin_client.post(url, data)


def public_html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_live_program_stays_live_with_its_text_while_its_draft_changes(admin_client, client, iop):
    live_summary = iop.summary
    response = edit(
        admin_client, iop, "_save_draft", summary="Draft summary, not ready yet.", body="## Draft body"
    )

    assert response.status_code == 302
    iop.refresh_from_db()
    assert iop.status == PublicationStatus.PUBLISHED
    assert iop.summary == live_summary
    assert iop.draft["summary"] == "Draft summary, not ready yet."
    assert iop.has_unpublished_changes
    page = public_html(client, iop.get_absolute_url())
    assert live_summary in page and "Draft summary" not in page
    # Still everywhere a published program is listed.
    for url in ["/", "/programs/", "/levels-of-care/", "/admissions/consultation/"]:
        assert iop.name in public_html(client, url), url


def test_saving_a_draft_records_no_version_and_keeps_the_content_memo(admin_client, iop):
    version_before = content_cache.current_version()
    edit(admin_client, iop, "_save_draft", summary="Draft only.")
    assert not Version.objects.get_for_object(iop).exists()
    content_cache._version_seen = ("", 0.0)
    assert content_cache.current_version() == version_before  # nothing public changed


def test_the_edit_form_shows_the_draft_not_the_live_text(admin_client, iop):
    edit(admin_client, iop, "_save_draft", summary="Draft summary in the form.")
    form = admin_client.get(admin_url(LevelOfCare, "change", iop.pk)).context["adminform"].form
    assert form["summary"].value() == "Draft summary in the form."


def test_preview_shows_the_draft_with_its_faqs_and_services(admin_client, client, iop):
    url = admin_url(LevelOfCare, "change", iop.pk)
    data = form_data(admin_client.get(url), button="_save_draft")
    data["summary"] = "Previewed draft summary."
    data["faqs-0-question"] = "A question only the draft has?"
    data["faqs-1-DELETE"] = "on"
    removed_question = iop.faqs.all()[1].question
    data["services"] = [str(Service.objects.get(slug="family-therapy").pk)]
    assert admin_client.post(url, data).status_code == 302

    preview = admin_client.get(reverse("programs:preview_program", kwargs={"pk": iop.pk})).content.decode()
    assert "Previewed draft summary." in preview
    assert "A question only the draft has?" in preview
    assert removed_question not in preview
    assert "Family therapy" in preview and "Relapse prevention" not in preview
    assert "unpublished draft saved" in preview
    public = public_html(client, iop.get_absolute_url())
    assert "Previewed draft summary." not in public and removed_question in public


def test_a_faq_added_in_a_draft_survives_saving_the_draft_again(admin_client, iop):
    url = admin_url(LevelOfCare, "change", iop.pk)
    data = form_data(admin_client.get(url), button="_save_draft")
    total = int(data["faqs-TOTAL_FORMS"])
    data.update(
        {
            "faqs-TOTAL_FORMS": str(total + 1),
            f"faqs-{total}-question": "New draft question?",
            f"faqs-{total}-answer": "New draft answer.",
            f"faqs-{total}-order": "9",
        }
    )
    assert admin_client.post(url, data).status_code == 302
    assert not iop.faqs.filter(question="New draft question?").exists()  # not live

    # Sent back unchanged, the draft-only FAQ is kept; then it is published.
    assert admin_client.post(url, form_data(admin_client.get(url), button="_save_draft")).status_code == 302
    iop.refresh_from_db()
    assert [f["question"] for f in iop.draft["faqs"]].count("New draft question?") == 1
    assert edit(admin_client, iop, "_publish").status_code == 302
    assert iop.faqs.filter(question="New draft question?").count() == 1


def test_publish_replaces_the_live_version_in_one_step(admin_client, admin_user, client, iop):
    first_faq = iop.faqs.first()
    edit(
        admin_client, iop, "_save_draft", summary="The next summary.", **{"faqs-0-answer": "A newer answer."}
    )
    response = edit(admin_client, iop, "_publish")

    assert response.status_code == 302
    iop.refresh_from_db()
    assert iop.summary == "The next summary."
    assert iop.draft is None and iop.draft_updated_at is None and not iop.has_unpublished_changes
    assert iop.updated_by == admin_user
    first_faq.refresh_from_db()
    assert first_faq.answer == "A newer answer."  # same row, updated in place
    assert "The next summary." in public_html(client, iop.get_absolute_url())
    version = Version.objects.get_for_object(iop).get()
    assert version.revision.user == admin_user
    assert version.field_dict["summary"] == "The next summary."
    faq_versions = [v.field_dict for v in version.revision.version_set.all() if "answer" in v.field_dict]
    assert "A newer answer." in [v["answer"] for v in faq_versions]  # the FAQs as published


def test_publishing_a_page_without_a_summary_is_refused_and_nothing_changes(admin_client, demo_content):
    page = Page.objects.get(slug="about")
    response = edit(admin_client, page, "_publish", summary="", seo_description="")
    assert response.status_code == 200
    assert "summary" in response.context["adminform"].form.errors
    page.refresh_from_db()
    assert page.summary and page.draft is None


def test_unpublish_asks_first_then_takes_the_page_off_the_site(admin_client, client, demo_content):
    page = Page.objects.get(slug="about")
    url = admin_url(Page, "unpublish", page.pk)
    change_page = admin_client.get(admin_url(Page, "change", page.pk)).content.decode()
    assert f'href="{url}"' in change_page

    confirmation = admin_client.get(url)
    assert confirmation.status_code == 200
    assert "Take this off the site?" in confirmation.content.decode()
    assert client.get("/about/").status_code == 200  # asking changes nothing

    assert admin_client.post(url).status_code == 302
    page.refresh_from_db()
    assert page.status == PublicationStatus.DRAFT
    assert client.get("/about/").status_code == 404
    assert Version.objects.get_for_object(page).get().revision.get_comment().startswith("Unpublished")


def test_saving_a_draft_never_unpublishes(admin_client, client, demo_content):
    page = Page.objects.get(slug="about")
    response = edit(admin_client, page, "_save_draft", status="draft", title="Draft title")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.is_published
    assert client.get("/about/").status_code == 200


def test_restoring_a_version_makes_it_the_draft_and_never_changes_what_is_live(
    admin_client, client, demo_content
):
    page = Page.objects.get(slug="about")
    # A version recorded while the page was off the site...
    page.status = PublicationStatus.DRAFT
    page.save()
    edit(admin_client, page, "_publish", title="Old title")
    unpublish = admin_url(Page, "unpublish", page.pk)
    assert admin_client.post(unpublish).status_code == 302
    old = Version.objects.get_for_object(page).first()  # latest: title "Old title", not on the site
    assert old.field_dict["status"] == PublicationStatus.DRAFT
    # ...then it was published again with new text.
    edit(admin_client, page, "_publish", title="Current title")

    revision_url = admin_url(Page, "revision", page.pk, old.pk)
    restore_page = admin_client.get(revision_url)
    assert restore_page.status_code == 200
    assert "Restore as draft" in restore_page.content.decode()
    versions_before = Version.objects.get_for_object(page).count()
    response = admin_client.post(
        revision_url, form_data(restore_page, button="_publish")
    )  # even with Publish

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.is_published
    assert page.title == "Current title"
    assert page.draft["title"] == "Old title"
    assert client.get("/about/").status_code == 200
    assert "Current title" in public_html(client, "/about/")
    assert Version.objects.get_for_object(page).count() == versions_before


def test_restoring_brings_back_a_deleted_faq_in_the_draft(admin_client, client, iop):
    edit(admin_client, iop, "_publish")
    first = Version.objects.get_for_object(iop).get()
    deleted_question = iop.faqs.first().question
    edit(admin_client, iop, "_publish", **{"faqs-0-DELETE": "on"})
    assert not iop.faqs.filter(question=deleted_question).exists()

    revision_url = admin_url(LevelOfCare, "revision", iop.pk, first.pk)
    assert (
        admin_client.post(
            revision_url, form_data(admin_client.get(revision_url), button="_restore")
        ).status_code
        == 302
    )

    assert not iop.faqs.filter(question=deleted_question).exists()  # live unchanged
    preview = admin_client.get(reverse("programs:preview_program", kwargs={"pk": iop.pk})).content.decode()
    assert deleted_question in preview
    assert edit(admin_client, iop, "_publish").status_code == 302
    assert iop.faqs.filter(question=deleted_question).exists()


def test_discard_draft_asks_first_and_leaves_the_live_version(admin_client, iop):
    live_summary = iop.summary
    edit(admin_client, iop, "_save_draft", summary="Throw this away.")
    url = admin_url(LevelOfCare, "discard_draft", iop.pk)
    assert "Discard the draft?" in admin_client.get(url).content.decode()
    assert admin_client.post(url).status_code == 302
    iop.refresh_from_db()
    assert iop.draft is None and iop.summary == live_summary


def test_adding_with_save_draft_keeps_it_off_the_site_and_publish_puts_it_on(admin_client, client, db):
    data = {
        "title": "Family program",
        "menu_title": "",
        "slug": "family-program",
        "summary": "For families.",
        "body": "Text",
        "order": "0",
        "seo_title": "",
        "seo_description": "",
    }
    assert admin_client.post(admin_url(Page, "add"), {**data, "_save_draft": "1"}).status_code == 302
    page = Page.objects.get(slug="family-program")
    assert not page.is_published
    assert client.get("/family-program/").status_code == 404
    assert admin_client.post(admin_url(Page, "change", page.pk), {**data, "_publish": "1"}).status_code == 302
    assert client.get("/family-program/").status_code == 200


def test_an_edit_logs_only_the_fields_that_changed_even_with_browser_line_endings(admin_client, iop):
    url = admin_url(LevelOfCare, "change", iop.pk)
    data = form_data(admin_client.get(url), button="_save_draft")
    # Browsers send every textarea back with \r\n.
    for key, value in list(data.items()):
        if isinstance(value, str) and "\n" in value:
            data[key] = value.replace("\n", "\r\n")
    data["summary"] = "A changed summary."
    data["typical_length"] = "45 to 60 days"
    assert admin_client.post(url, data).status_code == 302

    entry = LogEntry.objects.filter(object_id=str(iop.pk)).latest("action_time")
    assert entry.get_change_message() == "Saved the draft; changed Summary and Typical length."
    iop.refresh_from_db()
    assert "\r" not in iop.draft["body"] and iop.draft["body"] == iop.body

    assert edit(admin_client, iop, "_publish").status_code == 302
    entry = LogEntry.objects.filter(object_id=str(iop.pk)).latest("action_time")
    assert entry.get_change_message() == "Published; changed Summary and Typical length."


def test_history_shows_seconds_who_what_changed_and_a_diff(admin_client, admin_user, iop):
    edit(admin_client, iop, "_publish")
    edit(admin_client, iop, "_publish", body=iop.body + "\n\nA <script>new</script> closing line.")
    history = admin_client.get(admin_url(LevelOfCare, "history", iop.pk)).content.decode()

    assert re.search(r"\d{1,2}:\d\d:\d\d", history), "no seconds in the history"
    assert admin_user.username in history
    assert "Body" in history
    compare_links = re.findall(r'href="([^"]*/history/compare/\?a=\d+&amp;b=\d+)"', history)
    assert compare_links
    compare = admin_client.get(compare_links[0].replace("&amp;", "&"))
    assert compare.status_code == 200
    html = compare.content.decode()
    assert "<ins>" in html and "[added: </span>" in html
    assert "&lt;script&gt;new&lt;/script&gt;" in html and "<script>new" not in html


def test_compare_the_draft_with_the_live_version(admin_client, iop):
    edit(admin_client, iop, "_save_draft", summary=iop.summary.replace("Several hours", "A few hours"))
    url = admin_url(LevelOfCare, "compare", iop.pk) + "?a=live&b=draft"
    html = admin_client.get(url).content.decode()
    assert "<del>" in html and "Several" in html and "<ins>" in html
    assert (
        admin_client.get(admin_url(LevelOfCare, "compare", iop.pk) + "?a=live&b=nonsense").status_code == 404
    )


def test_a_scheduled_draft_is_published_once_when_its_time_comes(admin_client, client, iop):
    due = timezone.localtime() - datetime.timedelta(minutes=1)
    url = admin_url(LevelOfCare, "change", iop.pk)
    data = form_data(admin_client.get(url), button="_save_draft")
    data.update(
        {
            "summary": "Scheduled summary.",
            "publish_at_0": due.strftime("%Y-%m-%d"),
            "publish_at_1": due.strftime("%H:%M:%S"),
        }
    )
    assert admin_client.post(url, data).status_code == 302
    later = LevelOfCare.objects.get(slug="outpatient-program")
    LevelOfCare.objects.filter(pk=later.pk).update(
        draft={"summary": "Not yet."}, publish_at=timezone.now() + datetime.timedelta(days=1)
    )

    call_command("publish_scheduled")
    call_command("publish_scheduled")  # a second run changes nothing

    iop.refresh_from_db()
    assert iop.summary == "Scheduled summary." and iop.draft is None and iop.publish_at is None
    assert Version.objects.get_for_object(iop).count() == 1
    assert "Published on schedule" in Version.objects.get_for_object(iop).get().revision.get_comment()
    assert "Scheduled summary." in public_html(client, iop.get_absolute_url())
    later.refresh_from_db()
    assert later.draft == {"summary": "Not yet."} and later.summary != "Not yet."


def test_a_scheduled_draft_that_fails_its_checks_stays_a_draft(db, demo_content, capsys):
    page = Page.objects.get(slug="about")
    Page.objects.filter(pk=page.pk).update(
        draft={"summary": "", "seo_description": ""},
        publish_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.draft is not None and page.summary
    assert "Could not publish" in capsys.readouterr().err


def test_list_page_says_which_items_have_unpublished_changes(admin_client, iop):
    edit(admin_client, iop, "_save_draft", summary="Pending.")
    html = admin_client.get(admin_url(LevelOfCare, "changelist")).content.decode()
    assert "Unpublished changes" in html


def test_a_deleted_faq_id_in_an_old_draft_is_not_reused(admin_client, iop):
    faq = iop.faqs.first()
    draft = {"faqs": [{"id": faq.pk, "question": "Kept?", "answer": "Yes.", "order": 0}]}
    LevelOfCare.objects.filter(pk=iop.pk).update(draft=draft)
    faq.delete()
    assert edit(admin_client, iop, "_publish").status_code == 302
    assert list(iop.faqs.values_list("question", flat=True)) == ["Kept?"]
    assert FrequentlyAskedQuestion.objects.filter(level_of_care=iop).count() == 1
