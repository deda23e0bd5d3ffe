"""Workers keep published content in memory; edits must still show at once."""

import pytest
from django.core.cache import cache

from programs import content_cache
from programs.models import LevelOfCare, Page, SiteFacts

pytestmark = pytest.mark.django_db
IOP = "/programs/intensive-outpatient-program/"


def test_an_edit_saved_in_this_worker_shows_on_the_next_request(client, demo_content):
    assert "Call (949) 555-0142" in client.get(IOP).content.decode()
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    level.summary = "A brand new summary for the intensive outpatient program."
    level.save()
    facts = SiteFacts.load()
    facts.admissions_phone, facts.admissions_phone_display = "+19495550199", "(949) 555-0199"
    facts.save()
    html = client.get(IOP).content.decode()
    assert "A brand new summary" in html
    assert "Call (949) 555-0199" in html


def test_a_page_unpublished_in_this_worker_disappears_at_once(client, demo_content):
    assert client.get("/about/").status_code == 200
    page = Page.objects.get(slug="about")
    page.status = "draft"
    page.save()
    assert client.get("/about/").status_code == 404
    assert 'href="/about/"' not in client.get("/").content.decode()


def test_an_edit_made_by_another_worker_is_seen_through_the_shared_version(client, demo_content):
    client.get(IOP)
    # Another server changed the content: the row changes without this
    # worker's signals, and the shared version moves on.
    LevelOfCare.objects.filter(slug="intensive-outpatient-program").update(summary="Changed elsewhere.")
    assert "Changed elsewhere." not in client.get(IOP).content.decode()  # still the kept copy
    cache.set(content_cache.VERSION_KEY, "another-worker-version", None)
    content_cache._version_seen = ("", 0.0)
    assert "Changed elsewhere." in client.get(IOP).content.decode()


def test_a_write_that_bypasses_signals_is_picked_up_after_the_memo_lifetime(
    client, demo_content, monkeypatch
):
    client.get(IOP)
    LevelOfCare.objects.filter(slug="intensive-outpatient-program").update(summary="Changed by SQL.")
    clock = content_cache.time.monotonic() + content_cache.MEMO_SECONDS + 1
    monkeypatch.setattr(content_cache.time, "monotonic", lambda: clock)
    assert "Changed by SQL." in client.get(IOP).content.decode()
