"""The five things a coordinator does on a lead's page, each a small form and
one call of the pipeline service (admissions.services.pipeline): record a call,
change status, add a note, assign, set a follow-up."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from admissions.models import Lead, LeadEvent, LeadStatus, next_status
from admissions.services import pipeline

from . import selectors


class CallForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened", choices=LeadEvent.CallOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", choices=LeadStatus.choices)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for every closed status: why the lead is closed. Optional otherwise.",
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note", max_length=pipeline.NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Coordinator",
        queryset=selectors.coordinators(),
        required=False,
        empty_label="Nobody (unassigned)",
    )


class FollowUpForm(forms.Form):
    follow_up_at = forms.DateTimeField(
        label="Next follow-up",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Local time (Pacific). Leave empty and press “Clear follow-up” to remove it.",
    )
    note = forms.CharField(
        label="What to do then (optional)",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        # The "Clear follow-up" button (name="clear") empties it on purpose.
        if "clear" not in self.data and not data.get("follow_up_at") and "follow_up_at" not in self.errors:
            self.add_error("follow_up_at", "Choose a date and time, or press “Clear follow-up”.")
        return data


def _do_call(lead, user, data):
    return pipeline.lead_call_attempt_record(
        lead=lead, actor=user, outcome=data["outcome"], note=data["note"]
    )


def _do_status(lead, user, data):
    return pipeline.lead_status_change(
        lead=lead, to_status=data["to_status"], actor=user, reason=data["reason"]
    )


def _do_note(lead, user, data):
    return pipeline.lead_note_add(lead=lead, actor=user, note=data["note"])


def _do_assign(lead, user, data):
    return pipeline.lead_assign(lead=lead, actor=user, assignee=data["assignee"])


def _do_follow_up(lead, user, data):
    when = None if data.get("clear") else data["follow_up_at"]
    return pipeline.lead_follow_up_set(lead=lead, actor=user, follow_up_at=when, note=data["note"])


# name -> (form, service call, message on success, heading on the page)
ACTIONS = {
    "call": (CallForm, _do_call, "Call recorded.", "Record a call"),
    "status": (StatusForm, _do_status, "Status changed.", "Change status"),
    "note": (NoteForm, _do_note, "Note added.", "Add a note"),
    "assign": (AssignForm, _do_assign, "Assignment changed.", "Coordinator"),
    "follow_up": (FollowUpForm, _do_follow_up, "Follow-up updated.", "Follow-up"),
}


def blank_forms(lead: Lead) -> dict:
    return {
        "call": CallForm(prefix="call"),
        "status": StatusForm(prefix="status", initial={"to_status": next_status(lead.status)}),
        "note": NoteForm(prefix="note"),
        "assign": AssignForm(prefix="assign", initial={"assignee": lead.assigned_to_id}),
        "follow_up": FollowUpForm(
            prefix="follow_up",
            initial={"follow_up_at": timezone.localtime(lead.follow_up_at) if lead.follow_up_at else None},
        ),
    }


def apply_service_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
