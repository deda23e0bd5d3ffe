"""Issue 15 #8: every staff-only URL needs the second factor, wherever it is
mounted. The resolver is walked: a URL the anonymous visitor cannot read but
a verified superuser can is staff-only, and a session that gave only a
password (with or without an authenticator enrolled) must be sent to the
second factor (or the login) there, never shown the page."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from . import test_headers
from .otp import add_authenticator, login_with_second_factor

pytestmark = pytest.mark.django_db

samples = test_headers.samples  # the same sample arguments as the header test


def refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    return location.startswith(
        (reverse("mfa:verify"), reverse("mfa:setup"), reverse("admin:login"), "/accounts/login/")
    )


@pytest.mark.parametrize("enrolled", [False, True], ids=["no-authenticator", "authenticator"])
def test_every_staff_only_url_needs_the_second_factor(
    client, admin_user, django_user_model, samples, enrolled
):
    from django.test import Client

    verified = login_with_second_factor(Client(), admin_user)
    other = django_user_model.objects.create_superuser("root2", "root2@example.test", "x" * 20)
    if enrolled:
        add_authenticator(other)
    password_only = Client()
    password_only.force_login(other)  # the password step, and nothing else
    anonymous = client
    urls = {name: url for name, url in test_headers.all_urls(samples).items() if url}

    staff_only = []
    for name, url in urls.items():
        if anonymous.get(url).status_code == 200:
            continue  # public
        if verified.get(url).status_code != 200:
            continue
        staff_only.append(name)
        response = password_only.get(url)
        assert refused(response), (name, url, response.status_code, response.get("Location"))
        if response.status_code in (301, 302, 303):
            assert "next=" in response["Location"] or response["Location"].startswith(reverse("admin:login"))
    # The walk found the admin and the draft previews among them.
    assert "admin:index" in staff_only
    assert {"programs:preview_program", "programs:preview_page"} <= set(staff_only), staff_only


def test_a_password_alone_reads_no_draft_preview(client, admin_user, demo_content, samples):
    add_authenticator(admin_user)
    client.force_login(admin_user)
    for name in ("programs:preview_program", "programs:preview_page"):
        url = reverse(name, kwargs={"pk": samples(name, "pk")})
        response = client.get(url)
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"] == f"{reverse('mfa:verify')}?{urlencode({'next': url})}"
        assert "no-store" in response["Cache-Control"]
    login_with_second_factor(client, admin_user)
    assert client.get(url).status_code == 200


def test_staff_only_prefixes_are_guarded_by_the_middleware_too(settings_prefixes=None):
    from admissions.access.middleware import is_staff_path

    assert "/preview/" in settings.STAFF_ONLY_PATH_PREFIXES
    assert is_staff_path("/preview/pages/1/") and is_staff_path(f"/{settings.ADMIN_PATH}")
    assert not is_staff_path("/programs/")
