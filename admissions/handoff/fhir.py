"""An admitted lead as a FHIR R4 Bundle (type collection), built from a
HandoffRecord without touching the database.

Only what the record holds goes in: an empty field is left out, never filled
with a guess. Every resource and the bundle carry the 42 CFR Part 2 labels
(restricted; Part 2 information; no redisclosure without consent) and the
notice that must go with a Part 2 disclosure.
"""

import datetime
import uuid

from .record import Admission, HandoffRecord, Insurance, Person, Screening

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
LANGUAGE = "urn:ietf:bcp:47"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}

# 42 CFR 2.32(a)(2): the short form of the notice that accompanies a disclosure.
PART2_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
SECURITY = (
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {"system": ACT_CODE, "code": "NORDSCLCD", "display": "no redisclosure without consent directive"},
)


def _meta(site: str) -> dict:
    return {
        "security": [dict(label) for label in SECURITY],
        "tag": [{"system": f"{site}/fhir/notice", "code": "part2-notice", "display": PART2_NOTICE}],
    }


def _instant(moment: datetime.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _name(person: Person) -> list[dict]:
    name = {}
    if person.last_name:
        name["family"] = person.last_name
    if person.first_name:
        name["given"] = [person.first_name]
    return [{"use": "official", **name}] if name else []


def _telecom(person: Person) -> list[dict]:
    telecom = []
    if person.phone:
        telecom.append({"system": "phone", "value": person.phone})
    if person.email:
        telecom.append({"system": "email", "value": person.email})
    return telecom


def _person_fields(person: Person) -> dict:
    fields = {"name": _name(person), "telecom": _telecom(person)}
    if person.birth_date:
        fields["birthDate"] = person.birth_date.isoformat()
    return {key: value for key, value in fields.items() if value}


class _Ids:
    """Stable ids: the same lead exported twice names its resources alike."""

    def __init__(self, site: str, lead_id: int):
        self.base = f"{site}/fhir/lead/{lead_id}"

    def __call__(self, part: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.base}/{part}"))


def _patient(record: HandoffRecord, site: str, ids: _Ids) -> dict:
    patient = {
        "resourceType": "Patient",
        "id": ids("patient"),
        "meta": _meta(site),
        "identifier": [{"system": f"{site}/fhir/lead", "value": str(record.lead_id)}],
        **_person_fields(record.patient),
    }
    if record.patient.language:
        coding = {"system": LANGUAGE, "code": record.patient.language}
        if record.patient.language in LANGUAGE_NAMES:
            coding["display"] = LANGUAGE_NAMES[record.patient.language]
        patient["communication"] = [{"language": {"coding": [coding]}, "preferred": True}]
    return patient


def _related_person(person: Person, part: str, site: str, ids: _Ids) -> dict:
    related = {
        "resourceType": "RelatedPerson",
        "id": ids(part),
        "meta": _meta(site),
        "patient": {"reference": f"urn:uuid:{ids('patient')}"},
        **_person_fields(person),
    }
    if person.relationship:
        related["relationship"] = [{"text": person.relationship}]
    return related


def _coverage(insurance: Insurance, site: str, ids: _Ids) -> dict:
    patient = f"urn:uuid:{ids('patient')}"
    subscriber = f"urn:uuid:{ids('policy-holder')}" if insurance.holder else patient
    relationship = "self" if insurance.holder is None else "other"
    coverage = {
        "resourceType": "Coverage",
        "id": ids("coverage"),
        "meta": _meta(site),
        "status": "active",
        "beneficiary": {"reference": patient},
        "subscriber": {"reference": subscriber},
        "relationship": {"coding": [{"system": SUBSCRIBER_RELATIONSHIP, "code": relationship}]},
        "payor": [{"display": insurance.payer or "Unknown payer"}],
    }
    if insurance.member_id:
        coverage["subscriberId"] = insurance.member_id
    if insurance.group_number:
        coverage["class"] = [
            {
                "type": {"coding": [{"system": COVERAGE_CLASS, "code": "group"}]},
                "value": insurance.group_number,
            }
        ]
    return coverage


def _screening(screening: Screening, site: str, ids: _Ids) -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": ids("screening"),
        "meta": _meta(site),
        "status": "completed",
        "subject": {"reference": f"urn:uuid:{ids('patient')}"},
        "authored": _instant(screening.completed_at),
        "item": [
            {"linkId": item.link_id, "text": item.text, "answer": [{"valueString": item.answer}]}
            for item in screening.items
            if item.answer
        ],
    }


def _admission(admission: Admission, site: str, ids: _Ids) -> list[dict]:
    """The order to admit (ServiceRequest) and, when booked, the admission
    appointment based on it."""
    what = admission.level_of_care or "level of care to be decided"
    if admission.track:
        what = f"{what}, {admission.track}"
    request = {
        "resourceType": "ServiceRequest",
        "id": ids("admission"),
        "meta": _meta(site),
        "status": "active",
        "intent": "order",
        "code": {"text": f"Admission: {what}"},
        "subject": {"reference": f"urn:uuid:{ids('patient')}"},
    }
    if admission.start:
        request["occurrenceDateTime"] = _instant(admission.start)
    elif admission.first_day:
        request["occurrenceDateTime"] = admission.first_day.isoformat()
    if admission.with_whom:
        request["performer"] = [{"display": admission.with_whom}]
    if admission.telehealth:
        request["locationCode"] = [{"text": "Telehealth"}]
    resources = [request]
    if admission.start and admission.end:
        participants = [{"actor": {"reference": f"urn:uuid:{ids('patient')}"}, "status": "accepted"}]
        if admission.with_whom:
            participants.append({"actor": {"display": admission.with_whom}, "status": "accepted"})
        resources.append(
            {
                "resourceType": "Appointment",
                "id": ids("admission-appointment"),
                "meta": _meta(site),
                "status": "fulfilled" if admission.kept else "booked",
                "description": f"Admission: {what}" + (" (telehealth)" if admission.telehealth else ""),
                "start": _instant(admission.start),
                "end": _instant(admission.end),
                "basedOn": [{"reference": f"urn:uuid:{ids('admission')}"}],
                "participant": participants,
            }
        )
    return resources


def handoff_bundle(record: HandoffRecord, *, site: str, now: datetime.datetime) -> dict:
    """The Bundle as JSON-ready data. `site` is the canonical origin (ids and
    identifiers are under it); `now` the bundle's timestamp."""
    site = site.rstrip("/")
    ids = _Ids(site, record.lead_id)
    resources = [_patient(record, site, ids)]
    if record.caller is not None:
        resources.append(_related_person(record.caller, "caller", site, ids))
    if record.insurance is not None:
        if record.insurance.holder is not None:
            resources.append(_related_person(record.insurance.holder, "policy-holder", site, ids))
        resources.append(_coverage(record.insurance, site, ids))
    if record.screening is not None:
        resources.append(_screening(record.screening, site, ids))
    resources.extend(_admission(record.admission, site, ids))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": _meta(site),
        "identifier": {"system": f"{site}/fhir/handoff", "value": f"lead-{record.lead_id}"},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [{"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource} for resource in resources],
    }
