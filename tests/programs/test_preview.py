"""Staff see drafts before they go live; nobody else does, and no cache keeps them."""

import pytest
from django.conf import settings
from django.urls import reverse

from programs.models import LevelOfCare, Page, PublicationStatus
from tests.security.otp import login_with_second_factor

from .html_parts import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_level(demo_content):
    level = LevelOfCare.objects.get(slug="outpatient-program")
    level.status = PublicationStatus.DRAFT
    level.summary = "Unpublished summary for the outpatient program."
    level.save()
    return level


@pytest.fixture
def draft_page(db):
    return Page.objects.create(
        title="New page", slug="new-page", summary="Not ready yet.", body="## Draft body"
    )


def preview_urls(level, page):
    return [
        reverse("programs:preview_program", kwargs={"pk": level.pk}),
        reverse("programs:preview_page", kwargs={"pk": page.pk}),
    ]


def assert_never_cached(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control, response["Cache-Control"]
    assert "public" not in cache_control


def test_staff_see_a_draft_marked_noindex_and_uncached(client, staff_user, draft_level, draft_page):
    login_with_second_factor(client, staff_user)  # issue 15 #8: previews need the second factor
    for url, text in zip(
        preview_urls(draft_level, draft_page), [draft_level.summary, "Draft body"], strict=True
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_never_cached(response)
        html = response.content.decode()
        assert text in html
        parts = parse(html)
        assert parts.meta(name="robots") == "noindex, nofollow"
        assert "Preview: this is how the page will look." in html


def test_the_preview_canonical_points_at_the_public_address(client, staff_user, draft_level):
    login_with_second_factor(client, staff_user)  # issue 15 #8: previews need the second factor
    url = reverse("programs:preview_program", kwargs={"pk": draft_level.pk})
    parts = parse(client.get(url).content.decode())
    public = settings.SITE_URL + draft_level.get_absolute_url()
    assert parts.link("canonical") == public
    assert parts.meta(prop="og:url") == public


def test_the_public_still_gets_404_for_the_draft(client, staff_user, draft_level, draft_page):
    client.force_login(staff_user)  # even staff: the public URL never shows a draft
    assert client.get(draft_level.get_absolute_url()).status_code == 404
    assert client.get(draft_page.get_absolute_url()).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_and_nothing_is_cached(client, draft_level, draft_page):
    for url in preview_urls(draft_level, draft_page):
        response = client.get(url)
        assert response.status_code == 302
        login = reverse("admin:login")
        assert response["Location"].startswith(f"{login}?next=")
        assert_never_cached(response)
        assert draft_level.summary not in response.content.decode()


def test_logged_in_non_staff_cannot_preview(client, django_user_model, draft_level, draft_page):
    client.force_login(django_user_model.objects.create_user(username="visitor", password="x" * 20))
    for url in preview_urls(draft_level, draft_page):
        assert client.get(url).status_code == 302


def test_preview_of_a_missing_item_is_404(client, staff_user, db):
    login_with_second_factor(client, staff_user)  # issue 15 #8: previews need the second factor
    assert client.get(reverse("programs:preview_program", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("programs:preview_page", kwargs={"pk": 999999})).status_code == 404


def test_preview_accepts_only_safe_methods(client, staff_user, draft_page):
    login_with_second_factor(client, staff_user)  # issue 15 #8: previews need the second factor
    response = client.post(reverse("programs:preview_page", kwargs={"pk": draft_page.pk}))
    assert response.status_code in (403, 405)  # CSRF or method: either way nothing happens
    assert Page.objects.get(pk=draft_page.pk).status == PublicationStatus.DRAFT


def test_robots_txt_keeps_previews_out_of_search(client):
    assert "Disallow: /preview/" in client.get("/robots.txt").content.decode().splitlines()
