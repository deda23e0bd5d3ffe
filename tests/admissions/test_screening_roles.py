"""Issue 11, role x page for the pre-admission screening: coordinators and
managers fill in screens, a clinician also signs them off, a content editor
sees none of it. Allowed is a 200 (a 302 for a write that worked); denied is
a 403 for staff, a redirect to the login for anyone not logged in."""

import pytest
from django.test import Client
from django.urls import reverse

from admissions.models import PreAdmissionScreening, ScreeningDecision

from .factories import content_editor, coordinator, login, make_consultation, make_user, manager
from .screening_support import NO_RISK, clinician, make_screening, new_url, page_url, post_data, scores

pytestmark = pytest.mark.django_db

USERS = {
    "coordinator": lambda: coordinator("coord"),
    "manager": lambda: manager("boss"),
    "clinician": lambda: clinician("doc"),
    "content editor": lambda: content_editor("editor"),
    "staff without a role": lambda: make_user("nobody"),
    "superuser": lambda: make_user("root", superuser=True),
}
PAGES = ["lead page", "new screening", "screening", "save", "sign off"]
OK = {"lead page": 200, "new screening": 200, "screening": 200, "save": 302, "sign off": 302}
ALLOWED = {
    "coordinator": {"lead page", "new screening", "screening", "save"},
    "manager": {"lead page", "new screening", "screening", "save"},
    "clinician": set(PAGES),
    "content editor": set(),
    "staff without a role": set(),
    "superuser": set(PAGES),
}


@pytest.fixture
def screening():
    _, lead = make_consultation(first_name="Hidalgo")
    return make_screening(
        lead,
        coordinator("first_coord"),
        {**NO_RISK, **scores(1, 1, 1, 1, 1, 1), "mental_health": "Canaryroleqx"},
    )


def _request(client, page, screening):
    lead = screening.lead
    if page == "lead page":
        return client.get(reverse("admin:admissions_lead_change", args=[lead.pk]))
    if page == "new screening":
        return client.get(new_url(lead))
    if page == "screening":
        return client.get(page_url(screening))
    if page == "save":
        return client.post(page_url(screening), {**post_data({**NO_RISK, "medications": "none"})})
    return client.post(
        page_url(screening), {"action": "sign_off", "sign_off-decision": ScreeningDecision.ACCEPT_OP}
    )


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("page", PAGES)
def test_role_page_matrix(screening, role, page):
    client = login(Client(), USERS[role]())
    response = _request(client, page, screening)
    expected = OK[page] if page in ALLOWED[role] else 403
    assert response.status_code == expected, f"{role} on {page}: {response.status_code}"
    screening.refresh_from_db()
    assert screening.is_signed_off == (page == "sign off" and expected == 302)
    assert (screening.medications == "none") == (page == "save" and expected == 302)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_the_login(screening, page):
    response = _request(Client(), page, screening)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", ["content editor", "staff without a role"])
def test_no_screening_data_reaches_a_role_without_it(screening, role):
    client = login(Client(), USERS[role]())
    for url in ("/admin/", page_url(screening), new_url(screening.lead)):
        assert "Canaryroleqx" not in client.get(url).content.decode()


def test_the_lead_page_shows_the_screening_panel_only_to_roles_with_screening():
    _, lead = make_consultation()
    url = reverse("admin:admissions_lead_change", args=[lead.pk])
    reader = make_user("auditor")
    from django.contrib.auth.models import Permission

    reader.user_permissions.add(
        Permission.objects.get(codename="view_lead", content_type__app_label="admissions")
    )
    assert "Pre-admission screening" not in login(Client(), reader).get(url).content.decode()
    page = login(Client(), clinician()).get(url).content.decode()
    assert "Pre-admission screening" in page and "Start the screening" in page
    # A clinician reads leads but does not work them.
    assert "Work this lead" not in page


def test_the_clinician_role_is_what_the_migration_says():
    user = clinician()
    assert user.has_perm("admissions.sign_off_screening")
    assert user.has_perm("admissions.view_lead") and not user.has_perm("admissions.change_lead")
    assert not coordinator("c2").has_perm("admissions.sign_off_screening")
    assert not manager("m2").has_perm("admissions.sign_off_screening")
    assert PreAdmissionScreening._meta.get_field("decision").help_text
