"""The bridge from a stored verification request (duck-typed) to an eligibility inquiry."""

import importlib
from datetime import date
from types import SimpleNamespace

import pytest

from admissions.eligibility import Status, check, payers
from admissions.eligibility.backends import FakeBackend
from admissions.eligibility.verification import relationship_code, request_for_verification, trace_number_for


def verification(**overrides):
    values = {
        "pk": 41,
        "carrier": SimpleNamespace(name="Anthem Blue Cross"),
        "carrier_other": "",
        "first_name": "Mateo",
        "last_name": "Morales",
        "date_of_birth": date(2005, 3, 9),
        "member_id": "W900800700",
        "group_number": "551122",
        "policy_holder": "patient",
        "holder_first_name": "",
        "holder_last_name": "",
        "holder_date_of_birth": None,
        "holder_relationship": "",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def test_patient_is_the_policy_holder():
    request = request_for_verification(verification(), trace_number=trace_number_for(41))
    assert (request.payer_id, request.payer_name) == ("47198", "Anthem Blue Cross")
    assert (request.subscriber_first_name, request.subscriber_last_name) == ("Mateo", "Morales")
    assert request.subscriber_date_of_birth == date(2005, 3, 9)
    assert request.dependent is None and request.trace_number == "SHEER-IV-41-1"


def test_someone_else_holds_the_policy():
    request = request_for_verification(
        verification(
            policy_holder="someone_else",
            holder_first_name="Rosa",
            holder_last_name="Morales",
            holder_date_of_birth=date(1975, 1, 2),
            holder_relationship="Mother",
        ),
        trace_number="T",
    )
    assert (request.subscriber_first_name, request.subscriber_date_of_birth) == ("Rosa", date(1975, 1, 2))
    assert request.dependent.first_name == "Mateo" and request.dependent.relationship_code == "19"
    result = check(request, FakeBackend())
    assert result.status == Status.ACTIVE and result.patient_is_dependent


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Mother", "19"),
        ("my dad", "19"),
        ("Legal guardian", "19"),
        ("stepfather", "19"),
        ("Wife", "01"),
        ("spouse", "01"),
        ("Domestic partner", "34"),
        ("grandmother", "34"),
        ("", "34"),
    ],
)
def test_holder_relationship_becomes_the_patient_relationship_code(typed, code):
    assert relationship_code(typed) == code


def test_other_carrier_typed_by_hand_is_looked_up_too():
    request = request_for_verification(verification(carrier=None, carrier_other="cigna"), trace_number="T")
    assert request.payer_id == "62308"


@pytest.mark.parametrize("other", ["MultiPlan", "Some Local Plan", ""])
def test_carriers_outside_the_directory_are_left_to_a_coordinator(other):
    assert request_for_verification(verification(carrier=None, carrier_other=other), trace_number="T") is None


def test_every_carrier_the_form_offers_maps_to_the_directory_except_networks():
    seeded = importlib.import_module("admissions.migrations.0002_seed_roles_consents_carriers").CARRIERS
    unmapped = [name for name in seeded if payers.lookup(name) is None]
    assert unmapped == ["MultiPlan"]
