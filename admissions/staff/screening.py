"""The pre-admission screen in the admin (routes in admissions/admin.py):

- `screening_new`: a blank screen for a lead (GET), stored on the first save (POST);
- `screening_page`: one screen: the coordinator's answers (saved as often as
  needed until signed off), the crisis protocol when a suicide-risk answer is
  positive, the detox flag and the suggested level of care, and a clinician's
  sign-off;
- `panel_for_lead`: the lead page's summary of the latest screen and its link.

One form, fieldsets per part and per ASAM dimension, errors next to their
field, usable on a phone with JavaScript off. The crisis protocol is rendered
by the server whenever the saved (or just posted) answers are positive;
static/admin-extra/screening.js only shows it sooner, as a "Yes" is ticked.

Writes go through admissions.services.screening; every view is audited
(lead and screen ids, no answers). Seeing a screen needs
view_preadmissionscreening; filling it in add/change; signing off
sign_off_screening (the Clinician role).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from admissions.access.audit import audit_record
from admissions.models import (
    ASAM_DIMENSIONS,
    ASQ_ACUITY_QUESTION,
    ASQ_QUESTIONS,
    AuditAction,
    Lead,
    PreAdmissionScreening,
    ScreeningDecision,
    ScreeningSubstance,
)
from admissions.services import screening as service
from admissions.services.pipeline import NOTE_MAX_LENGTH

from . import selectors
from .display import format_when, person_name
from .lead_actions import apply_service_errors

VIEW = "admissions.view_preadmissionscreening"
SUBSTANCES_PREFIX = "substances"

ANSWER_RADIOS = (
    "withdrawal_symptoms_now",
    "withdrawal_seizures_or_dts",
    *ASQ_QUESTIONS,
    ASQ_ACUITY_QUESTION,
)
SCORE_RADIOS = tuple(f"{prefix}_score" for _, prefix, _ in ASAM_DIMENSIONS)
BLANK_LABELS = {name: "Not asked yet" for name in ANSWER_RADIOS} | {
    name: "Not scored yet" for name in SCORE_RADIOS
}

# (anchor, legend, lead-in, fields) of the form's parts, in the order of the call.
WITHDRAWAL = (
    "withdrawal",
    "Withdrawal",
    "",
    (
        "withdrawal_symptoms_now",
        "withdrawal_symptoms_detail",
        "withdrawal_seizures_or_dts",
        "withdrawal_history",
    ),
)
SUICIDE_RISK = (
    "suicide-risk",
    "Suicide-risk questions (ASQ)",
    "Ask each question as written. Any “Yes”, or a refusal to answer, is a positive screen: "
    "then ask question 5 and follow the crisis protocol shown.",
    (*ASQ_QUESTIONS, "asq_tried_how_when", ASQ_ACUITY_QUESTION),
)
THE_REST = (
    "picture",
    "Mental health, medications, legal and housing",
    "",
    ("mental_health", "medications", "legal_situation", "housing_situation"),
)


class ScreeningForm(forms.ModelForm):
    """The coordinator's answers. Never saved by the view: its cleaned data
    goes to admissions.services.screening.screening_save."""

    class Meta:
        model = PreAdmissionScreening
        fields = PreAdmissionScreening.ANSWER_FIELDS

    def __init__(self, *args, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (*ANSWER_RADIOS, *SCORE_RADIOS):
            field = self.fields[name]
            choices = [choice for choice in field.choices if choice[0] != ""]
            field.widget = forms.RadioSelect()
            field.choices = [*choices, ("", BLANK_LABELS[name])]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2
            if read_only:
                field.disabled = True


class SubstanceForm(forms.ModelForm):
    class Meta:
        model = ScreeningSubstance
        fields = ScreeningSubstance.ANSWER_FIELDS
        widgets = {"last_used_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substance"].error_messages["required"] = "Choose the substance, or empty this row."
        self.fields["last_used_on"].input_formats = ["%Y-%m-%d", "%m/%d/%Y"]
        if read_only:
            for field in self.fields.values():
                field.disabled = True


class SubstanceFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this substance"


def substance_formset(data=None, *, screening=None, read_only=False):
    formset_class = forms.modelformset_factory(
        ScreeningSubstance,
        form=SubstanceForm,
        formset=SubstanceFormSet,
        extra=0 if read_only else 2,
        can_delete=not read_only,
        max_num=service.MAX_SUBSTANCES,
        validate_max=True,
    )
    queryset = screening.substances.all() if screening is not None else ScreeningSubstance.objects.none()
    return formset_class(
        data, queryset=queryset, prefix=SUBSTANCES_PREFIX, form_kwargs={"read_only": read_only}
    )


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=ScreeningDecision.choices, widget=forms.RadioSelect
    )
    referred_to = forms.ModelChoiceField(
        label="Refer to (for “Refer out”)",
        queryset=selectors.referral_destinations(),
        required=False,
        empty_label="Choose a partner",
        help_text="Referral partners marked active.",
    )
    note = forms.CharField(
        label="Clinician's note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the decision differs from the suggested level of care.",
    )


# The views ----------------------------------------------------------------------------


def _lead_or_404(lead_id: int) -> Lead:
    return get_object_or_404(Lead, pk=lead_id)


def _require_view(user):
    if not (user.is_active and user.has_perm(VIEW) and user.has_perm("admissions.view_lead")):
        raise PermissionDenied


def _substances_of(formset) -> list[dict]:
    """The filled-in rows in order, without the ones ticked for removal."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not data.get("substance"):
            continue
        rows.append({name: data.get(name) for name in ScreeningSubstance.ANSWER_FIELDS})
    return rows


def _save(request, lead, screening, form, formset):
    """Validate everything, then one service call: all stored or nothing."""
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    if not (form_ok and formset_ok):
        return None
    answers = {name: form.cleaned_data.get(name) for name in PreAdmissionScreening.ANSWER_FIELDS}
    try:
        return service.screening_save(
            lead=lead,
            screening=screening,
            actor=request.user,
            answers=answers,
            substances=_substances_of(formset),
        )
    except ValidationError as error:
        # Substance rows were checked by the formset; what the service still
        # finds about them goes at the top of the form.
        errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, messages_ in errors.items():
            form.add_error(field if field in form.fields else None, messages_)
        return None


def screening_new(model_admin, request, lead_id: int):
    """A blank screen; nothing is stored until the first save."""
    _require_view(request.user)
    lead = _lead_or_404(lead_id)
    if not request.user.has_perm(service.ADD):
        raise PermissionDenied
    form = ScreeningForm(request.POST or None)
    formset = substance_formset(request.POST or None)
    status = 200
    if request.method == "POST":
        screening = _save(request, lead, None, form, formset)
        if screening is not None:
            return _saved(model_admin, request, lead, screening)
        status = 400
    else:
        audit_record(action=AuditAction.VIEW, request=request, obj=lead, detail="screening new")
    return _render(model_admin, request, lead, None, form, formset, status=status)


def screening_page(model_admin, request, lead_id: int, screening_id: int):
    _require_view(request.user)
    lead = _lead_or_404(lead_id)
    screening = selectors.lead_screening(lead, screening_id)
    if screening is None:
        raise Http404("No such screening for this lead.")
    user = request.user
    editable = user.has_perm(service.CHANGE) and not screening.is_signed_off
    status = 200
    sign_off_form = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "save":
            if not user.has_perm(service.CHANGE):
                raise PermissionDenied
            # The form fills its instance in while it validates: give it its own
            # copy, so the page below still knows what is stored.
            form = ScreeningForm(request.POST, instance=selectors.lead_screening(lead, screening.pk))
            formset = substance_formset(request.POST, screening=screening)
            saved = _save(request, lead, screening, form, formset)
            if saved is not None:
                return _saved(model_admin, request, lead, saved)
            status = 400
        elif action == "sign_off":
            if not service.user_can_sign_off(user):
                raise PermissionDenied
            sign_off_form = SignOffForm(request.POST, prefix="sign_off")
            if sign_off_form.is_valid():
                data = sign_off_form.cleaned_data
                try:
                    service.screening_sign_off(
                        screening=screening,
                        actor=user,
                        decision=data["decision"],
                        referred_to=data["referred_to"],
                        note=data["note"],
                    )
                except ValidationError as error:
                    apply_service_errors(sign_off_form, error)
                else:
                    audit_record(
                        action=AuditAction.CHANGE,
                        request=request,
                        obj=lead,
                        detail=f"screening {screening.pk} sign-off",
                    )
                    model_admin.log_change(request, lead, [{"changed": {"fields": ["screening sign-off"]}}])
                    messages.success(request, "Screening signed off.")
                    return HttpResponseRedirect(request.get_full_path())
            status = 400
            form = ScreeningForm(instance=screening, read_only=not editable)
            formset = substance_formset(screening=screening, read_only=not editable)
        else:
            return HttpResponseBadRequest("Unknown action.")
    else:
        audit_record(action=AuditAction.VIEW, request=request, obj=lead, detail=f"screening {screening.pk}")
        form = ScreeningForm(instance=screening, read_only=not editable)
        formset = substance_formset(screening=screening, read_only=not editable)
    return _render(
        model_admin, request, lead, screening, form, formset, status=status, sign_off_form=sign_off_form
    )


def _saved(model_admin, request, lead, screening):
    audit_record(action=AuditAction.CHANGE, request=request, obj=lead, detail=f"screening {screening.pk}")
    model_admin.log_change(request, lead, [{"changed": {"fields": ["screening"]}}])
    messages.success(request, "Screening saved.")
    url = reverse("admin:admissions_lead_screening", args=[lead.pk, screening.pk])
    findings = service.screening_findings(screening)
    return HttpResponseRedirect(url + ("#crisis-protocol" if findings.suicide_risk else ""))


def _posted_findings(form, formset, screening) -> service.ScreeningFindings | None:
    """The rules applied to what was just typed (a form with errors, not
    stored): the crisis protocol must show even when something else is wrong."""
    if not form.is_bound:
        return service.screening_findings(screening) if screening is not None else None
    raw = {name: form.data.get(name, "") for name in PreAdmissionScreening.ANSWER_FIELDS}
    scores = {}
    for number, prefix, _ in ASAM_DIMENSIONS:
        value = raw.get(f"{prefix}_score", "")
        scores[number] = int(value) if value in {"0", "1", "2", "3", "4"} else None
    substances = [
        form.data.get(f"{SUBSTANCES_PREFIX}-{i}-substance", "")
        for i in range(min(_total_forms(formset), service.MAX_SUBSTANCES + 2))
        if not form.data.get(f"{SUBSTANCES_PREFIX}-{i}-DELETE")
    ]
    return service.findings_from_answers(answers=raw, substances=substances, scores=scores)


def _total_forms(formset) -> int:
    try:
        return int(formset.data.get(f"{SUBSTANCES_PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        return 0


def _sections(form) -> list[dict]:
    def section(anchor, legend, lead_in, names):
        return {"anchor": anchor, "legend": legend, "lead_in": lead_in, "fields": [form[n] for n in names]}

    dimensions = [
        section(
            f"dimension-{number}",
            f"ASAM dimension {number}: {title}",
            "",
            (f"{prefix}_score", f"{prefix}_note"),
        )
        for number, prefix, title in ASAM_DIMENSIONS
    ]
    return {
        "withdrawal": section(*WITHDRAWAL),
        "suicide_risk": section(*SUICIDE_RISK),
        "dimensions": dimensions,
        "rest": section(*THE_REST),
    }


def _render(model_admin, request, lead, screening, form, formset, *, status=200, sign_off_form=None):
    user = request.user
    findings = _posted_findings(form, formset, screening)
    can_sign_off = screening is not None and not screening.is_signed_off and service.user_can_sign_off(user)
    if can_sign_off and sign_off_form is None:
        suggested = findings.suggestion if findings else None
        initial = {}
        if suggested is not None:
            initial["decision"] = {
                "php": ScreeningDecision.ACCEPT_PHP,
                "iop": ScreeningDecision.ACCEPT_IOP,
                "op": ScreeningDecision.ACCEPT_OP,
            }.get(suggested.level, ScreeningDecision.REFER_OUT)
        sign_off_form = SignOffForm(prefix="sign_off", initial=initial)
    editable = not any(field.disabled for field in form.fields.values())
    has_errors = bool(form.errors or any(f.errors for f in formset.forms) or formset.non_form_errors())
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Pre-admission screening: {lead.first_name} {lead.last_name}",
        "subtitle": None,
        "lead": lead,
        "screening": screening,
        "form": form,
        "formset": formset,
        "sections": _sections(form),
        "editable": editable,
        "has_errors": has_errors,
        "findings": findings,
        "crisis": crisis_context(screening, findings),
        "asq_names": " ".join((*ASQ_QUESTIONS,)),
        "asq_acuity_name": ASQ_ACUITY_QUESTION,
        "sign_off_form": sign_off_form if can_sign_off else None,
        "sign_off_errors": bool(sign_off_form is not None and sign_off_form.errors),
        "signed_off": signed_off_summary(screening),
        "other_screenings": [
            {
                "pk": s.pk,
                "label": f"Screening {s.pk}",
                "when": format_when(s.started_at),
                "signed": s.is_signed_off,
            }
            for s in selectors.lead_screenings(lead)
            if screening is None or s.pk != screening.pk
        ],
        "started": _started(screening),
        "has_view_permission": True,
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/screening.html", context, status=status)


def crisis_context(screening, findings) -> dict:
    """What the crisis protocol says about the alert to the on-call supervisor."""
    configured = bool(service.oncall_recipients())
    saved_positive = screening is not None and service.screening_findings(screening).suicide_risk
    if screening is not None and screening.crisis_alert_sent_at:
        alert = (
            f"The on-call clinical supervisor was emailed at {format_when(screening.crisis_alert_sent_at)}."
        )
    elif saved_positive and configured:
        alert = "The email to the on-call clinical supervisor is on its way."
    elif configured:
        alert = "Saving this screen emails the on-call clinical supervisor (lead number only): save now."
    else:
        alert = "No on-call email address is set up: phone the on-call clinical supervisor yourself."
    return {
        "show": bool(findings and findings.suicide_risk),
        "acute": bool(findings and findings.suicide_risk_acute),
        "alert": alert,
    }


def signed_off_summary(screening) -> dict | None:
    if screening is None or not screening.is_signed_off:
        return None
    return {
        "decision": screening.get_decision_display(),
        "referred_to": str(screening.referred_to) if screening.referred_to_id else "",
        "suggested": screening.get_suggested_at_sign_off_display(),
        "note": screening.decision_note,
        "by": person_name(screening.signed_off_by),
        "when": format_when(screening.signed_off_at),
    }


def _started(screening) -> str:
    if screening is None:
        return ""
    text = f"Started {format_when(screening.started_at)} by {person_name(screening.started_by)}"
    if screening.updated_at != screening.started_at:
        text += f"; last saved {format_when(screening.updated_at)} by {person_name(screening.updated_by)}"
    return text + "."


# The lead page's panel ----------------------------------------------------------------


def panel_for_lead(lead: Lead, *, user) -> dict | None:
    """The latest screen in a few lines and the link to start or continue
    one; None for a reader whose role does not include screening."""
    if not user.has_perm(VIEW):
        return None
    screenings = list(selectors.lead_screenings(lead)[:1])
    latest = screenings[0] if screenings else None
    can_add = user.has_perm(service.ADD)
    panel = {
        "new_url": reverse("admin:admissions_lead_screening_new", args=[lead.pk]) if can_add else "",
        "latest": None,
    }
    if latest is None:
        return panel
    findings = service.screening_findings(latest)
    facts = [("Started", f"{format_when(latest.started_at)} by {person_name(latest.started_by)}")]
    if findings.suicide_risk:
        facts.append(("Suicide risk", "Positive (acute)" if findings.suicide_risk_acute else "Positive"))
    if findings.detox_flag:
        facts.append(("Withdrawal", "High risk: refer to detox first"))
    facts.append(
        (
            "Suggested level",
            findings.suggestion.label if findings.suggestion else "Score all six ASAM dimensions",
        )
    )
    signed = signed_off_summary(latest)
    if signed:
        decision = signed["decision"] + (f" to {signed['referred_to']}" if signed["referred_to"] else "")
        facts.append(("Decision", f"{decision}, signed by {signed['by']} {signed['when']}"))
    else:
        facts.append(("Decision", "Not signed off yet"))
    panel["latest"] = {
        "url": reverse("admin:admissions_lead_screening", args=[lead.pk, latest.pk]),
        "label": f"Screening {latest.pk}",
        "signed": latest.is_signed_off,
        "facts": facts,
        "flagged": findings.suicide_risk or findings.detox_flag,
    }
    return panel
