"""What a coordinator does on a lead's page, each a small form and one call
of the pipeline service (admissions.services.pipeline): record a call, change
status, add a note, assign, set a follow-up; record that the person asked us
to stop contacting them; clear or delete possible spam; merge two leads of
the same person; move a wrongly attached request to a new lead."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from admissions.models import (
    CLOSED_STATUSES,
    ConsultationRequest,
    ContactStop,
    InsuranceVerification,
    Lead,
    LeadEvent,
    LeadStatus,
    ReferralPartner,
    next_status,
)
from admissions.services import pipeline, scheduling

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
    referred_to = forms.ModelChoiceField(
        label="Referred to (for Closed: referred out)",
        queryset=ReferralPartner.objects.filter(active=True),
        required=False,
        empty_label="Choose a partner",
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
    with transaction.atomic():
        if data["to_status"] in CLOSED_STATUSES:
            # A closed lead holds no seat and waits on no list; undone with the
            # close if the close is refused (no reason given).
            scheduling.lead_places_release(lead=lead, actor=user)
        return pipeline.lead_status_change(
            lead=lead,
            to_status=data["to_status"],
            actor=user,
            reason=data["reason"],
            referred_to=data.get("referred_to"),
        )


class StopContactForm(forms.Form):
    via = forms.ChoiceField(
        label="How did they tell us?", choices=[c for c in ContactStop.choices if c[0] != ContactStop.LINK]
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, I looked at it", required=True)


class MergeForm(forms.Form):
    other = forms.IntegerField(
        label="Lead number to merge into this one",
        min_value=1,
        help_text="The same person's other lead: its requests and timeline move here; it is closed as a duplicate.",
    )


class SplitForm(forms.Form):
    request = forms.CharField(widget=forms.HiddenInput)


def _do_stop(lead, user, data):
    return pipeline.lead_contact_stop(lead=lead, actor=user, via=data["via"], note=data["note"])


def _do_spam_clear(lead, user, data):
    return pipeline.lead_spam_clear(lead=lead, actor=user)


def _do_spam_delete(lead, user, data):
    return pipeline.lead_spam_delete(lead=lead, actor=user)


def _do_merge(lead, user, data):
    other = Lead.objects.filter(pk=data["other"]).first()
    if other is None:
        raise ValidationError({"other": "There is no lead with that number."})
    return pipeline.lead_merge(into=lead, other=other, actor=user)


def _do_split(lead, user, data):
    kind, _, pk = data["request"].partition("-")
    model = {"consultation": ConsultationRequest, "insurance": InsuranceVerification}.get(kind)
    submission = model.objects.filter(pk=int(pk), lead=lead).first() if model and pk.isdigit() else None
    if submission is None:
        raise ValidationError({"request": "That request is not on this lead."})
    return pipeline.lead_split_request(submission=submission, actor=user)


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
    "stop": (
        StopContactForm,
        _do_stop,
        "Recorded: no more calls or emails.",
        "Asked us to stop contacting them",
    ),
    "spam_clear": (ConfirmForm, _do_spam_clear, "Marked as not spam.", "Possible spam"),
    "spam_delete": (ConfirmForm, _do_spam_delete, "Deleted.", "Possible spam"),
    "merge": (MergeForm, _do_merge, "Leads merged.", "Merge with another lead"),
    "split": (SplitForm, _do_split, "Request moved to a new lead.", "Move a request to a new lead"),
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
        "stop": StopContactForm(prefix="stop"),
        "spam_clear": ConfirmForm(prefix="spam_clear"),
        "spam_delete": ConfirmForm(prefix="spam_delete"),
        "merge": MergeForm(prefix="merge"),
    }


def apply_service_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
