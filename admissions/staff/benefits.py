"""Benefits verification (VOB) in the admin (routes in admissions/admin.py):

- `benefits_queue_view`: the work queue, insurance requests of open leads whose
  benefits nobody has finished, oldest first, with who holds each and a button
  to take one;
- `benefits_view`: one request's benefits record: the plain-words summary a
  coordinator reads to the family, each figure with where it came from
  (electronic, or phone-verified by whom and when), and the form a coordinator
  fills in on the phone with the payer (take, hand back, save, complete);
- `panels_for_lead`: what the lead page shows of each request's record.

Staff pages only: nothing here is reachable from the public site. Viewing needs
view_benefitsverification, changing change_benefitsverification (coordinators
and managers); every view and change is audited without patient data; writes go
through admissions.services.benefits.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from admissions.access.audit import audit_record
from admissions.eligibility.plain_words import describe
from admissions.eligibility.records import Status
from admissions.eligibility.tasks import stored_result
from admissions.models import (
    CALL_FIELDS,
    FIGURES,
    LEVELS,
    AuditAction,
    AuthorizationRule,
    BenefitsStatus,
    BenefitsVerification,
    InsuranceVerification,
    Lead,
    NetworkStatus,
)
from admissions.services.benefits import (
    benefits_claim,
    benefits_release,
    benefits_save,
    user_can_work_benefits,
)

from . import selectors
from .display import format_duration, format_when, person_name

VIEW_PERMISSION = "admissions.view_benefitsverification"
ACTIONS = ("claim", "release", "save", "complete")


def can_view(user) -> bool:
    return bool(user.is_active and user.has_perm(VIEW_PERMISSION))


# The words read to the family ------------------------------------------------------


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


def percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}%"


def _pays(share: Decimal | None) -> str:
    """The plan's share, from the patient's coinsurance (20 -> 'pays 80%')."""
    return f"pays {percent(Decimal(100) - share)}" if share is not None else ""


def _deductible_words(total, met, who: str) -> str:
    if total is None:
        return ""
    words = f"{who} deductible is {money(total)}"
    if met is not None:
        left = max(total - met, Decimal(0))
        words += f"; {money(met)} met so far, {money(left)} to go"
    return words + "."


def _level_words(record: BenefitsVerification, level: str, name: str) -> str:
    network = getattr(record, f"{level}_network")
    copay = getattr(record, f"{level}_copay")
    share = getattr(record, f"{level}_coinsurance")
    authorization = getattr(record, f"{level}_authorization")
    limit = getattr(record, f"{level}_visit_limit")
    if not any(v not in (None, "") for v in (network, copay, share, authorization, limit)):
        return ""
    short = name.split(" ")[0]
    if network == NetworkStatus.NOT_COVERED:
        return f"{short}: your plan does not cover it."
    parts = []
    if network:
        parts.append("we are in network" if network == NetworkStatus.IN_NETWORK else "we are out of network")
    cost = []
    if share is not None:
        deductible = record.deductible_individual
        after = f" after a {money(deductible)} deductible" if deductible is not None and share < 100 else ""
        cost.append(f"your plan {_pays(share)}{after}")
    if copay is not None:
        cost.append(f"you pay a {money(copay)} copay" + (" per day" if level != "op" else " per visit"))
    parts += cost
    if authorization == AuthorizationRule.REQUIRED:
        parts.append("we get the plan's approval before you start (prior authorization)")
    elif authorization == AuthorizationRule.NOT_REQUIRED:
        parts.append("no prior approval is needed")
    if limit:
        parts.append(f"the plan covers up to {limit}")
    return f"{short}: " + "; ".join(parts) + "."


def family_summary(record: BenefitsVerification, *, payer: str = "") -> list[str]:
    """Plain words a coordinator can read to the family, e.g. "IOP: we are in network;
    your plan pays 80% after a $1,500 deductible ..."; empty when nothing is known."""
    lines = []
    for level, name in LEVELS:
        if words := _level_words(record, level, name):
            lines.append(words)
    for words in (
        _deductible_words(record.deductible_individual, record.deductible_individual_met, "Your"),
        _deductible_words(record.deductible_family, record.deductible_family_met, "Your family's"),
    ):
        if words:
            lines.append(words)
    if record.out_of_pocket_individual is not None:
        met = record.out_of_pocket_individual_met
        lines.append(
            f"The most you pay in a year is {money(record.out_of_pocket_individual)}"
            + (f"; {money(met)} of it met so far." if met is not None else ".")
        )
    if record.out_of_network_coinsurance is not None or record.out_of_network_deductible is not None:
        words = "Out of network, your plan "
        words += _pays(record.out_of_network_coinsurance) or "has benefits"
        if record.out_of_network_deductible is not None:
            words += f" after a separate {money(record.out_of_network_deductible)} deductible"
        lines.append(words + ".")
    if not lines:
        return []
    source = f"{payer} gave us" if payer else "the plan gave us"
    lines.append(
        f"These are the figures {source}; what you pay in the end depends on the claims the plan processes."
    )
    return lines


# Figures with where they came from -------------------------------------------------


def _shown(record: BenefitsVerification, name: str) -> str:
    value = getattr(record, name)
    if value in (None, ""):
        return ""
    field = BenefitsVerification._meta.get_field(name)
    if field.choices:
        return getattr(record, f"get_{name}_display")()
    if isinstance(value, Decimal):
        return percent(value) if name.endswith("coinsurance") else money(value)
    return str(value)


def origin_words(record: BenefitsVerification, name: str, people: dict) -> str:
    """'Electronic (271), checked Mar 3, 9:05 a.m.' or 'Phone-verified by Ana Ruiz, Mar 3, 10:12 a.m.'."""
    origin = record.source_of(name)
    if origin is None:
        return ""
    when = format_when(origin.at, short=True)
    if origin.phone_verified:
        who = person_name(people.get(origin.by_id)) or "a former user"
        return f"{origin.label} by {who}, {when}"
    return f"{origin.label}, checked {when}"


def _people(record: BenefitsVerification) -> dict:
    ids = {data.get("by") for data in (record.sources or {}).values() if data.get("by")}
    return {user.pk: user for user in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def figure_rows(record: BenefitsVerification) -> list[dict]:
    people = _people(record)
    rows = []
    for name in FIGURES:
        field = BenefitsVerification._meta.get_field(name)
        origin = record.source_of(name)
        rows.append(
            {
                "name": name,
                "label": field.verbose_name[:1].upper() + field.verbose_name[1:],
                "value": _shown(record, name),
                "origin": origin_words(record, name, people),
                "phone_verified": bool(origin and origin.phone_verified),
                "electronic": bool(origin and not origin.phone_verified),
            }
        )
    return rows


# The form ---------------------------------------------------------------------------


class BenefitsForm(forms.ModelForm):
    """Every figure and the call's details; each labelled and explained by the model's help_text."""

    confirmed = forms.MultipleChoiceField(
        choices=[(name, name) for name in FIGURES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick an electronic figure the payer confirmed unchanged: it becomes phone-verified.",
    )

    class Meta:
        model = BenefitsVerification
        fields = [*FIGURES, *CALL_FIELDS]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "out_of_network_notes": forms.Textarea(attrs={"rows": 2}),
        }


# Pages ------------------------------------------------------------------------------


def _request_or_404(lead_id: int, verification_id: int) -> InsuranceVerification:
    verification = (
        InsuranceVerification.objects.select_related("lead", "carrier")
        .filter(pk=verification_id, lead_id=lead_id)
        .first()
    )
    if verification is None:
        raise Http404("No such insurance request on this lead.")
    return verification


def _payer_name(verification: InsuranceVerification) -> str:
    return str(verification.carrier) if verification.carrier_id else verification.carrier_other


def _check_words(check) -> list[str]:
    result = stored_result(check) if check is not None else None
    if result is None:
        return []
    return [line for line in describe(result).splitlines() if line.strip()]


def _run(action: str, verification, user, data) -> str:
    """One POST action through the service; returns the message to show."""
    if action == "claim":
        benefits_claim(verification=verification, actor=user)
        return "It is yours: you hold this benefits verification."
    if action == "release":
        benefits_release(verification=verification, actor=user)
        return "Handed back to the work queue."
    form = data
    figures = {name: form.cleaned_data.get(name) for name in FIGURES}
    call = {name: form.cleaned_data.get(name) or "" for name in CALL_FIELDS}
    benefits_save(
        verification=verification,
        actor=user,
        figures=figures,
        call=call,
        confirmed=set(form.cleaned_data.get("confirmed") or ()),
        complete=action == "complete",
    )
    return "Benefits verification complete." if action == "complete" else "Benefits saved."


def benefits_view(model_admin, request, lead_id: int, verification_id: int):
    user = request.user
    if not can_view(user):
        raise PermissionDenied
    verification = _request_or_404(lead_id, verification_id)
    lead = verification.lead
    can_edit = user_can_work_benefits(user)
    record = (
        BenefitsVerification.objects.select_related("held_by", "completed_by")
        .filter(verification=verification)
        .first()
    ) or BenefitsVerification(verification=verification)
    form = BenefitsForm(instance=record)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponseBadRequest("Unknown action.")
        form = BenefitsForm(request.POST, instance=BenefitsVerification(verification=verification))
        status = 400
        if action in ("claim", "release") or form.is_valid():
            try:
                done = _run(action, verification, user, form)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
                messages.error(request, " ".join(p for ps in error.message_dict.values() for p in ps))
            except PermissionDenied as error:
                messages.error(request, str(error) or "You may not do that.")
                status = 403
            else:
                audit_record(
                    action=AuditAction.CHANGE,
                    request=request,
                    obj=lead,
                    detail=f"benefits_{action} insurance={verification.pk}",
                )
                messages.success(request, done)
                return HttpResponseRedirect(request.get_full_path())
        if action in ("claim", "release"):
            return HttpResponseRedirect(request.get_full_path())
    else:
        audit_record(
            action=AuditAction.VIEW, request=request, obj=lead, detail=f"benefits insurance={verification.pk}"
        )

    plan, recheck = selectors.benefits_checks(verification)
    payer = _payer_name(verification)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Benefits: {lead.first_name} {lead.last_name}, {payer or 'insurance'}",
        "subtitle": None,
        "lead": lead,
        "verification": verification,
        "record": record,
        "payer": payer,
        "status_words": record.get_status_display(),
        "holder": person_name(record.held_by),
        "held_since": format_when(record.held_since, short=True),
        "is_mine": record.held_by_id == user.pk,
        "completed": f"{person_name(record.completed_by)}, {format_when(record.completed_at, short=True)}"
        if record.completed_at
        else "",
        "summary": family_summary(record, payer=payer),
        "figures": [{**row, "field": form[row["name"]]} for row in figure_rows(record)],
        "call_fields": [form[name] for name in CALL_FIELDS],
        "form": form if can_edit else None,
        "can_edit": can_edit,
        "plan_check": _check_words(plan),
        "carve_out_check": _check_words(recheck),
        "carve_out_status": Status(recheck.status).label if recheck is not None else "",
        "queue_url": reverse("admin:admissions_lead_benefits_queue"),
        "media": model_admin.media + form.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/benefits.html", context, status=status)


def benefits_queue_view(model_admin, request):
    user = request.user
    if not can_view(user):
        raise PermissionDenied
    now = timezone.now()
    rows = []
    for verification in selectors.benefits_queue():
        record = getattr(verification, "benefits", None)
        lead = verification.lead
        rows.append(
            {
                "lead": lead,
                "name": f"{lead.first_name} {lead.last_name}",
                "payer": _payer_name(verification),
                "waiting": format_duration(now - verification.submitted_at),
                "received": format_when(verification.submitted_at, short=True),
                "status": record.get_status_display() if record else BenefitsStatus.NOT_STARTED.label,
                "holder": person_name(record.held_by) if record else "",
                "mine": bool(record and record.held_by_id == user.pk),
                "free": not (record and record.held_by_id),
                "url": reverse("admin:admissions_lead_benefits", args=[lead.pk, verification.pk]),
            }
        )
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        object_type=BenefitsVerification._meta.label_lower,
        detail=f"queue; rows={len(rows)}",
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Benefits to verify",
        "rows": rows,
        "can_edit": user_can_work_benefits(user),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/admissions/benefits_queue.html", context)


def panels_for_lead(lead: Lead, *, user) -> dict[str, dict]:
    """Anchor of each insurance submission -> its benefits line on the lead page
    (nothing for users who may not view benefits)."""
    if not can_view(user):
        return {}
    records = selectors.benefits_of_lead(lead)
    panels = {}
    for verification_id in InsuranceVerification.objects.filter(lead=lead).values_list("pk", flat=True):
        record = records.get(verification_id)
        summary = family_summary(record) if record else []
        panels[f"insurance-{verification_id}"] = {
            "status": record.get_status_display() if record else BenefitsStatus.NOT_STARTED.label,
            "holder": person_name(record.held_by) if record else "",
            "summary": summary[:-1] if summary else [],
            "url": reverse("admin:admissions_lead_benefits", args=[lead.pk, verification_id]),
        }
    return panels
