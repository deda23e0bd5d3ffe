"""Role x page: who may open what, exactly as issue 3 says.

Admissions coordinator works leads (no delete, no export); Admissions manager
also reassigns and exports; Content editor edits programs and sees no lead
data. Allowed is a 200; denied is a 403 for staff, a redirect to the login
for anyone not logged in.
"""

import pytest
from django.test import Client
from django.urls import reverse

from admissions.models import LeadStatus
from admissions.services.pipeline import lead_status_change

from .factories import (
    card_storage_fixture,  # noqa: F401  (the card_storage fixture)
    content_editor,
    coordinator,
    login,
    make_consultation,
    make_insurance,
    make_user,
    manager,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "lead list",
    "lead change",
    "lead history",
    "card file",
    "export",
    "dashboard",
    "benefits queue",
    "benefits",
    "programs admin",
]
ALLOWED = {
    "coordinator": {
        "lead list",
        "lead change",
        "lead history",
        "card file",
        "dashboard",
        "benefits queue",
        "benefits",
    },
    "manager": {
        "lead list",
        "lead change",
        "lead history",
        "card file",
        "export",
        "dashboard",
        "benefits queue",
        "benefits",
    },
    "content editor": {"programs admin"},
    "superuser": set(PAGES),
    "staff without a role": set(),
}
USERS = {
    "coordinator": lambda: coordinator("coord"),
    "manager": lambda: manager("boss"),
    "content editor": lambda: content_editor("editor"),
    "superuser": lambda: make_user("root", superuser=True),
    "staff without a role": lambda: make_user("nobody"),
}


@pytest.fixture
def urls(card_storage):
    check, lead = make_insurance(cards=True)
    return {
        "lead list": reverse("admin:admissions_lead_changelist"),
        "lead change": reverse("admin:admissions_lead_change", args=[lead.pk]),
        "lead history": reverse("admin:admissions_lead_history", args=[lead.pk]),
        "card file": reverse("admin:admissions_lead_card", args=[check.pk, "front"]),
        "export": reverse("admin:admissions_lead_export"),
        "dashboard": reverse("admin:admissions_lead_dashboard"),
        "benefits queue": reverse("admin:admissions_lead_benefits_queue"),
        "benefits": reverse("admin:admissions_lead_benefits", args=[lead.pk, check.pk]),
        "programs admin": reverse("admin:programs_levelofcare_changelist"),
    }


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("page", PAGES)
def test_role_page_matrix(urls, role, page):
    client = login(Client(), USERS[role]())
    response = client.get(urls[page])
    expected = 200 if page in ALLOWED[role] else 403
    assert response.status_code == expected, f"{role} on {page}: {response.status_code}"


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_the_login(urls, page):
    response = Client().get(urls[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_logged_in_non_staff_user_is_sent_to_the_login(urls):
    client = login(Client(), make_user("patient_portal_user", is_staff=False))
    response = client.get(urls["lead list"])
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 302), ("manager", 302), ("content editor", 403), ("staff without a role", 403)],
)
def test_who_may_work_a_lead(role, status):
    lead = make_consultation()[1]
    client = login(Client(), USERS[role]())
    url = reverse("admin:admissions_lead_change", args=[lead.pk])
    response = client.post(url, {"action": "note", "note-note": "Spoke to her mother"})
    assert response.status_code == status
    assert lead.events.filter(kind="note").exists() == (status == 302)


@pytest.mark.parametrize("role", ["coordinator", "manager"])
def test_no_role_deletes_leads_and_both_record_phone_leads(role):
    lead = make_consultation()[1]
    client = login(Client(), USERS[role]())
    assert client.get(reverse("admin:admissions_lead_delete", args=[lead.pk])).status_code == 403
    # Issue 10: coordinators and managers record leads that came by phone.
    assert client.get(reverse("admin:admissions_lead_add")).status_code == 302
    assert client.get(reverse("admin:admissions_lead_new")).status_code == 200
    changelist = client.get(reverse("admin:admissions_lead_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_the_admin_home_shows_each_role_only_its_own_work():
    pages = {role: login(Client(), USERS[role]()).get("/admin/").content.decode() for role in ALLOWED}
    assert "Admissions work" in pages["coordinator"] and "Admissions work" in pages["manager"]
    assert "Admissions work" not in pages["content editor"]
    assert "/admin/admissions/" not in pages["content editor"]
    assert "/admin/programs/levelofcare/" in pages["content editor"]
    assert "/admin/programs/levelofcare/" not in pages["coordinator"]


def test_content_editors_see_no_lead_data_anywhere_they_can_go():
    lead = make_consultation(first_name="Hidalgo")[1]
    lead_status_change(lead=lead, to_status=LeadStatus.CONTACTED, actor=manager("boss"))
    client = login(Client(), content_editor())
    for url in ("/admin/", "/admin/programs/", reverse("admin:programs_levelofcare_changelist")):
        response = client.get(url)
        assert response.status_code == 200
        assert "Hidalgo" not in response.content.decode()
    for name in ("consultationrequest", "insuranceverification", "insurancecarrier", "auditevent"):
        assert client.get(reverse(f"admin:admissions_{name}_changelist")).status_code == 403


def test_a_view_only_user_reads_a_lead_but_cannot_work_it():
    from django.contrib.auth.models import Permission

    reader = make_user("auditor")
    reader.user_permissions.add(
        Permission.objects.get(codename="view_lead", content_type__app_label="admissions")
    )
    lead = make_consultation()[1]
    client = login(Client(), reader)
    url = reverse("admin:admissions_lead_change", args=[lead.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Work this lead" not in page.content.decode()
    assert client.post(url, {"action": "note", "note-note": "x"}).status_code == 403
    assert not lead.events.filter(kind="note").exists()


def test_reference_data_is_read_only_for_coordinators_and_editable_by_managers():
    url = reverse("admin:admissions_insurancecarrier_changelist")
    coordinator_page = login(Client(), USERS["coordinator"]()).get(url)
    assert coordinator_page.status_code == 200
    assert 'name="form-0-order"' not in coordinator_page.content.decode()
    manager_page = login(Client(), USERS["manager"]()).get(url)
    assert 'name="form-0-order"' in manager_page.content.decode()
