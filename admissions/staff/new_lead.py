"""Recording a request that came by phone, walk-in, referral or email
(LeadAdmin's "Add lead", at /admin/admissions/lead/new/): one short form a
coordinator fills in during the call on a phone-sized screen, the consent
script to read out beside the checkbox, and, when the phone or email is
already on an open lead, the offer to attach the call to it.

The write is admissions.services.pipeline.lead_record_inquiry (never
rate-limited); the view audits it and sends the coordinator to the lead page.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from admissions.access.audit import audit_record
from admissions.contact import clean_person_name, normalize_email, normalize_phone_with_extension
from admissions.models import AuditAction, BestTimeToCall, Channel, Lead, ReferralPartner
from admissions.services import pipeline
from programs.models import LevelOfCare

from . import selectors
from .lead_actions import apply_service_errors

NEW = "new"


def _name(value: str) -> str:
    try:
        return clean_person_name(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class NewLeadForm(forms.Form):
    channel = forms.ChoiceField(
        label="How did they reach us?",
        choices=[c for c in Channel.choices if c[0] != Channel.WEB],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(label="Caller's first name", max_length=100)
    last_name = forms.CharField(label="Caller's last name", max_length=100)
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text="With the area code; an extension as “ext 2”.",
    )
    email = forms.EmailField(label="Email", required=False, max_length=254)
    relation = forms.CharField(
        label="Relation to the patient",
        max_length=60,
        required=False,
        help_text="Leave empty when the caller is the patient; e.g. “mother”.",
    )
    patient_first_name = forms.CharField(
        label="Patient's first name, if someone else", max_length=100, required=False
    )
    patient_last_name = forms.CharField(
        label="Patient's last name, if someone else", max_length=100, required=False
    )
    level_of_care = forms.ModelChoiceField(
        label="Level of care asked about",
        queryset=LevelOfCare.objects.filter(language="en"),
        required=False,
        empty_label="Not sure",
    )
    message = forms.CharField(
        label="What they said",
        required=False,
        max_length=pipeline.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    best_time_to_call = forms.ChoiceField(
        label="Best time to call back", choices=BestTimeToCall.choices, initial=BestTimeToCall.ANY
    )
    referred_by = forms.ModelChoiceField(
        label="Referred by",
        queryset=ReferralPartner.objects.filter(active=True),
        required=False,
        empty_label="Nobody / not a partner",
    )
    consent = forms.BooleanField(label="They agreed to be contacted (script read out above)")
    attach_to = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_first_name(self):
        return _name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return _name(self.cleaned_data["last_name"])

    def clean_patient_first_name(self):
        return _name(self.cleaned_data["patient_first_name"])

    def clean_patient_last_name(self):
        return _name(self.cleaned_data["patient_last_name"])

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        try:
            return normalize_phone_with_extension(value)
        except ValueError:
            raise ValidationError(
                "Enter a phone number with the area code, e.g. (714) 555-0123 ext 2."
            ) from None

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"] or "")

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors:
            self.add_error("phone", "Give a phone number or an email address (or both).")
        return data


def lead_new(model_admin, request):
    """GET: the form. POST: when the phone or email matches an open lead and
    the coordinator has not chosen yet, the form again with the matches
    offered; otherwise the lead is recorded (or the call attached)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    script = pipeline.verbal_consent_script()
    form = NewLeadForm(request.POST or None)
    matches, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            choice = data["attach_to"]
            matches = [] if choice else _matches(data)
            if not matches:
                attach_to = None
                if choice and choice != NEW and choice.isdigit():
                    attach_to = Lead.objects.filter(pk=int(choice)).first()
                try:
                    lead, _ = pipeline.lead_record_inquiry(
                        actor=request.user,
                        channel=data["channel"],
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        phone=data["phone"],
                        email=data["email"],
                        relation=data["relation"],
                        patient_first_name=data["patient_first_name"],
                        patient_last_name=data["patient_last_name"],
                        level_of_care=data["level_of_care"],
                        message=data["message"],
                        best_time_to_call=data["best_time_to_call"],
                        referred_by=data["referred_by"],
                        consent=script,
                        attach_to=attach_to,
                    )
                except ValidationError as error:
                    apply_service_errors(form, error)
                else:
                    audit_record(
                        action=AuditAction.CHANGE, request=request, obj=lead, detail="recorded inquiry"
                    )
                    messages.success(request, f"Lead {lead.pk} recorded.")
                    return HttpResponseRedirect(reverse("admin:admissions_lead_change", args=[lead.pk]))
            else:
                status = 200
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "New lead by phone, walk-in, referral or email",
        "form": form,
        "script": script,
        "matches": matches,
        "media": model_admin.media + form.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/lead/new.html", context, status=status)


def _matches(data) -> list:
    return selectors.lead_matches(phone=data["phone"], email=data["email"])
