"""Taking in one post of an intake form: the spam checks in their order, the
form, then the store. Views call `intake_form_issue` for a blank form and
`intake_submit` for a post, and only turn the outcome into a response.

The order matters and lives only here:
1. a token that already stored its request: the same thank-you, nothing new;
2. the honeypot: counted as spam, not stored;
3. a missing or altered token: answers kept, a new token, "send again";
4. the form's own rules: answers kept with the errors;
5. the minimum fill time and the per-address rate limit (counted atomically):
   nothing is silently dropped; a valid request that trips either is stored,
   flagged "Possible spam" for a person to clear or delete, and counted;
6. the store (one transaction).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from admissions.models import BlockedSubmission

from . import reference, spam
from .blank_forms import BlankForm, blank_form
from .forms import IntakeForm, consents_shown
from .store import RequestContext, form_token_used, request_store

RESEND = _("We couldn't send your form as it was. Please check your answers and press “Send” again.")


@dataclass(frozen=True)
class IntakeOutcome:
    """`form` is set when the person must correct something (answer 400);
    otherwise the request is stored, was stored before, or was spam, and
    every one of those sees the same thank-you page."""

    form: IntakeForm | None = None
    token: spam.FormToken | None = None
    stored: bool = False
    blocked_reason: str = ""


def intake_form_issue(form_class: type[IntakeForm], query) -> tuple[BlankForm, spam.FormToken]:
    """A blank form (its fields drawn once per worker, admissions.intake.blank_forms)
    and the one-time token that dates it and names its consent wording."""
    blank = blank_form(form_class, query)
    return blank, spam.form_token_issue(consent_ids=blank.consent_ids)


def _blocked(form_class, reason) -> IntakeOutcome:
    spam.blocked_submission_count(kind=form_class.kind, reason=reason)
    return IntakeOutcome(blocked_reason=reason)


def intake_submit(
    *, form_class: type[IntakeForm], data, files, client_ip: str | None, page_url: str, attribution: dict
) -> IntakeOutcome:
    token = spam.form_token_read(data.get(spam.TOKEN_FIELD))
    if token is not None and form_token_used(form_class.model, token.id):
        return IntakeOutcome()  # double click or resubmission: already stored
    if spam.honeypot_filled(data):
        return _blocked(form_class, BlockedSubmission.Reason.HONEYPOT)

    consents = consents_shown(form_class, token.consent_ids if token else ())
    form = form_class(data, files, consents=consents)
    if token is None:
        # Missing or altered token (e.g. after a key change): keep the answers,
        # hand out a new token, ask to send again.
        form.is_valid()
        form.add_error(None, RESEND)
        return IntakeOutcome(
            form=form, token=spam.form_token_issue(consent_ids=form.consent_ids, reissued=True)
        )
    if not form.is_valid():
        return IntakeOutcome(form=form, token=token)
    flag = ""
    if spam.is_too_fast(token):
        flag = BlockedSubmission.Reason.TOO_FAST
    if spam.rate_limit_take(kind=form_class.kind, client_ip=client_ip) and not flag:
        flag = BlockedSubmission.Reason.RATE_LIMIT

    context = RequestContext(
        form_token=token.id,
        client_ip=client_ip,
        page_url=page_url,
        attribution=attribution,
        possible_spam=str(flag),
        # The page's language (its URL): the auto-reply and staff follow it.
        language=reference.page_language(),
    )
    try:
        # The token was looked up above (step 1): the store does not ask again;
        # a concurrent post with the same token still meets the unique key.
        _, created = request_store(answers=form.answers(), context=context, token_checked=True)
    except BaseException:
        # Not stored: the allowance is given back (sending again after an
        # outage must not make a person look like a flood).
        spam.rate_limit_refund(kind=form_class.kind, client_ip=client_ip)
        raise
    if not created:
        spam.rate_limit_refund(kind=form_class.kind, client_ip=client_ip)
    elif flag:
        spam.blocked_submission_count(kind=form_class.kind, reason=flag)
    return IntakeOutcome(stored=created, blocked_reason=str(flag))
