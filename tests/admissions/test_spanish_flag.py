"""Lead.spanish, kept by a trigger on both request tables (issue 14 at
1,000,000 leads: the inbox's Spanish filter reads it through an index). After
every kind of write that can change it, each lead's flag must equal what its
requests say."""

import pytest
from django.db.models import Exists, OuterRef

from admissions.models import SPEAKS_SPANISH, ConsultationRequest, InsuranceVerification, Lead
from admissions.services import pipeline

from .factories import coordinator, make_consultation, make_insurance

pytestmark = pytest.mark.django_db


def asked_of_the_requests() -> dict[int, bool]:
    leads = Lead.objects.annotate(
        from_requests=Exists(ConsultationRequest.objects.filter(SPEAKS_SPANISH, lead=OuterRef("pk")))
        | Exists(InsuranceVerification.objects.filter(SPEAKS_SPANISH, lead=OuterRef("pk")))
    )
    return dict(leads.values_list("pk", "from_requests"))


def kept() -> dict[int, bool]:
    return dict(Lead.objects.values_list("pk", "spanish"))


def assert_flags(expected_spanish: set[int]):
    assert kept() == asked_of_the_requests()
    assert {pk for pk, spanish in kept().items() if spanish} == expected_spanish


def test_the_flag_follows_every_write_to_a_request():
    actor = coordinator("casey")
    english, anna = make_consultation(first_name="Anna", phone="+17145550101")
    assert_flags(set())
    # Asked for Spanish on the English form.
    _, bea = make_consultation(first_name="Bea", phone="+17145550102", preferred_language="es")
    assert_flags({bea.pk})
    # Came through the Spanish form (the store sets the form language).
    spanish_form, cruz = make_consultation(first_name="Cruz", phone="+17145550103")
    ConsultationRequest.objects.filter(pk=spanish_form.pk).update(language="es")
    assert_flags({bea.pk, cruz.pk})
    # An insurance request asking for Spanish, attached to Anna's lead by phone.
    insurance, same = make_insurance(phone="+17145550101", preferred_language="es")
    assert same.pk == anna.pk
    assert_flags({anna.pk, bea.pk, cruz.pk})
    # Split: the insurance request moves to a lead of its own, and Anna's
    # English request leaves her lead English again.
    split = pipeline.lead_split_request(
        submission=InsuranceVerification.objects.get(pk=insurance.pk), actor=actor
    )
    assert_flags({split.pk, bea.pk, cruz.pk})
    # Merge: Cruz's Spanish request moves into Anna's lead.
    pipeline.lead_merge(into=Lead.objects.get(pk=anna.pk), other=Lead.objects.get(pk=cruz.pk), actor=actor)
    assert_flags({anna.pk, bea.pk, split.pk})
    # An edit in the admin: Bea would rather have English after all.
    ConsultationRequest.objects.filter(lead=bea).update(preferred_language="en")
    assert_flags({anna.pk, split.pk})
    # A request deleted (the purge): its lead is English again.
    InsuranceVerification.objects.filter(pk=insurance.pk).delete()
    assert_flags({anna.pk})
    ConsultationRequest.objects.filter(pk=english.pk).update(language="es")  # a second Spanish request
    ConsultationRequest.objects.filter(pk=spanish_form.pk).delete()
    assert_flags({anna.pk})
    # A lead loaded before its flag changed, then saved, leaves the flag be.
    stale = Lead.objects.get(pk=anna.pk)
    ConsultationRequest.objects.filter(lead=anna).update(language="en", preferred_language="en")
    stale.last_activity_at = stale.received_at
    stale.save()
    assert_flags(set())


def test_the_inbox_filter_reads_the_flag(client):
    from django.test import Client
    from django.urls import reverse

    from .factories import login

    _, english = make_consultation(first_name="Dora", phone="+17145550111")
    _, spanish = make_consultation(first_name="Elsa", phone="+17145550112", preferred_language="es")
    staff = login(Client(), coordinator("drew"))
    inbox = reverse("admin:admissions_lead_changelist")

    def listed(query):
        html = staff.get(inbox, query).content.decode()
        return {pk for pk in (english.pk, spanish.pk) if f">{pk}<" in html}

    assert listed({"language": "es"}) == {spanish.pk}
    assert listed({"language": "en"}) == {english.pk}
    # The flag, not the requests, is what the filter reads on PostgreSQL.
    Lead.objects.filter(pk=english.pk).update(spanish=True)
    assert listed({"language": "es"}) == {english.pk, spanish.pk}
