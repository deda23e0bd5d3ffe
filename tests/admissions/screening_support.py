"""Test data for the pre-admission screening: a clinician (the role the
screening migration adds), the form's POST data, and a screen stored through
the service."""

import importlib

from django.contrib.auth.models import Group
from django.urls import reverse

from admissions.models import ASAM_DIMENSIONS, PreAdmissionScreening
from admissions.services.screening import screening_save

from .factories import make_user

screening_roles = importlib.import_module("admissions.migrations.0013_pre_admission_screening")
CLINICIAN = screening_roles.CLINICIAN


def clinician(username="clinician", **fields):
    user = make_user(username, **fields)
    group = Group.objects.filter(name=CLINICIAN).first()
    if group is None:  # a transactional test flushed it; the seed only adds what is missing
        from django.apps import apps

        screening_roles.seed_clinician_role(apps, None)
        group = Group.objects.get(name=CLINICIAN)
    user.groups.add(group)
    return user


NO_RISK = {
    "asq_wished_dead": "no",
    "asq_better_off_dead": "no",
    "asq_thoughts_of_killing_self": "no",
    "asq_ever_tried": "no",
}


def scores(*values) -> dict:
    """Answers scoring dimensions 1-6 with `values`, each with a short note."""
    answers = {}
    for (number, prefix, _), value in zip(ASAM_DIMENSIONS, values, strict=True):
        answers[f"{prefix}_score"] = str(value)
        answers[f"{prefix}_note"] = f"Dimension {number} note."
    return answers


def post_data(answers=None, substances=(), *, action="save") -> dict:
    """The screening form as a browser posts it: every answer field, the
    substance formset's management form, one row per substance dict."""
    data = {"action": action}
    for name in PreAdmissionScreening.ANSWER_FIELDS:
        data[name] = ""
    data.update(answers or {})
    rows = list(substances) + [{}]  # and one empty row, as the page has
    data.update(
        {
            "substances-TOTAL_FORMS": str(len(rows)),
            "substances-INITIAL_FORMS": "0",
            "substances-MIN_NUM_FORMS": "0",
            "substances-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        for name in ("substance", "which_one", "route", "amount", "frequency", "last_used_on"):
            data[f"substances-{index}-{name}"] = row.get(name, "")
    return data


def new_url(lead) -> str:
    return reverse("admin:admissions_lead_screening_new", args=[lead.pk])


def page_url(screening) -> str:
    return reverse("admin:admissions_lead_screening", args=[screening.lead_id, screening.pk])


def make_screening(lead, actor, answers=None, substances=()) -> PreAdmissionScreening:
    return screening_save(lead=lead, actor=actor, answers=answers or {}, substances=list(substances))
