"""The name and phone index that staff search goes through.

Names, phones and emails are encrypted at rest, so nothing can be compared in
the database. Instead each lead has rows of keyed tokens (HMAC under
PHI_LOOKUP_KEY, truncated to 128 bits): one per normalised name word
(unaccented, case-folded) of every person on the lead (the requester, the
patient named on a request, the policy holder and anyone else whose request
was attached), and the last 4 and last 7 digits and the whole number of every
phone, and every email. A search computes the same tokens from the term and
looks them up on the index. See docs/security.md ("The name index").
"""

from django.db import models, transaction

from admissions.contact import email_tokens, name_tokens, phone_tokens

from .leads import Lead
from .requests import ConsultationRequest, InsuranceVerification


class LeadSearchToken(models.Model):
    class Kind(models.TextChoices):
        NAME = "name", "Name word"
        PHONE_LAST4 = "ph4", "Last 4 phone digits"
        PHONE_LAST7 = "ph7", "Last 7 phone digits"
        PHONE = "phone", "Whole phone number"
        EMAIL = "email", "Email address"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="search_tokens")
    kind = models.CharField(max_length=5, choices=Kind)
    token = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["token", "lead"], name="lead_search_token")]
        constraints = [
            models.UniqueConstraint(fields=["lead", "kind", "token"], name="lead_search_token_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} token of lead {self.lead_id}"


def _request_tokens(request) -> set[tuple[str, str]]:
    """The tokens of the people on one consultation or insurance request."""
    if isinstance(request, InsuranceVerification):
        others = (request.holder_first_name, request.holder_last_name)
    else:
        others = (request.patient_first_name, request.patient_last_name)
    return (
        name_tokens(request.first_name, request.last_name, *others)
        | phone_tokens(request.phone)
        | email_tokens(request.email)
    )


def _lead_own_tokens(lead: Lead) -> set[tuple[str, str]]:
    return name_tokens(lead.first_name, lead.last_name) | phone_tokens(lead.phone) | email_tokens(lead.email)


def tokens_for_lead(lead: Lead) -> set[tuple[str, str]]:
    """Every (kind, token) the lead should be found by."""
    tokens = _lead_own_tokens(lead)
    for request in ConsultationRequest.objects.filter(lead=lead).only(
        "first_name", "last_name", "patient_first_name", "patient_last_name", "phone", "email"
    ):
        tokens |= _request_tokens(request)
    for request in InsuranceVerification.objects.filter(lead=lead).only(
        "first_name", "last_name", "holder_first_name", "holder_last_name", "phone", "email"
    ):
        tokens |= _request_tokens(request)
    return tokens


def _tokens_insert(lead: Lead, tokens) -> None:
    LeadSearchToken.objects.bulk_create(
        [LeadSearchToken(lead=lead, kind=kind, token=token) for kind, token in tokens],
        ignore_conflicts=True,
    )


@transaction.atomic
def lead_search_tokens_rebuild(lead: Lead) -> None:
    """Bring the lead's tokens in line with its people (after any write that
    changes a name, a phone, an email or which requests belong to the lead)."""
    wanted = tokens_for_lead(lead)
    have = set(LeadSearchToken.objects.filter(lead=lead).values_list("kind", "token"))
    stale = have - wanted
    if stale:
        for kind, token in stale:
            LeadSearchToken.objects.filter(lead=lead, kind=kind, token=token).delete()
    _tokens_insert(lead, wanted - have)


def lead_search_tokens_add(*, lead: Lead, request) -> None:
    """A request was just attached to the lead, and nothing else about the
    lead's people changed (the public forms): its tokens and the lead's own
    are added, in one INSERT that skips the ones already there. Equivalent to
    a rebuild without reading the lead's other requests (tested against it)."""
    _tokens_insert(lead, _lead_own_tokens(lead) | _request_tokens(request))
