"""Staff search of leads.

What a term means (lead_search_q): names, phones and emails are encrypted, so
a term is turned into the same keyed tokens the index holds
(admissions.models.search.LeadSearchToken): every name word, unaccented and
case-folded, must be a name on the lead (requester, patient, policy holder or
anyone whose request was attached); 4 or 7 digits are the end of a phone
number; a whole phone number or email address is matched whole; a number up
to 9 digits is also a lead number. Every status is searched. The term itself never sits in a URL, a log or the browser's
history in plain text: the search box posts here (lead_search), and the inbox
URL carries it encrypted (`?s=phi1...`), read back by EncryptedSearchForm.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib.admin.views.main import SEARCH_VAR, ChangeListSearchForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse

from admissions.contact import (
    email_tokens,
    name_words,
    normalize_email,
    normalize_phone,
    phone_tokens,
)
from admissions.contact import search_token as index_token
from admissions.models import LeadSearchToken
from admissions.phi import crypto

SEARCH_TOKEN_VAR = "s"  # noqa: S105  (a query parameter name, not a secret)
SEARCH_CONTEXT = "admissions.lead.search"
# Search terms longer than this are not a name, phone or email anyone types.
SEARCH_MAX_LENGTH = 200
# Leads one phone suffix may list (last 4 digits: about 1 in 10,000 numbers each).
SUFFIX_MATCH_LIMIT = 2000


def _has_token(kind: str, token: str) -> Q:
    return Q(pk__in=LeadSearchToken.objects.filter(token=token).values("lead_id"))


def lead_search_q(term: str) -> Q | None:
    """What a staff search means, as a filter; None when it matches nothing.

    - contains "@": an email address, matched whole through its keyed hash;
    - a valid phone number in any common form: matched whole;
    - 4 or 7 digits (punctuation ignored): the last digits of a phone number,
      or a lead number;
    - otherwise every word must be a name on the lead (or the term is the lead's number).
    """
    term = " ".join(term.split())[:SEARCH_MAX_LENGTH]
    if not term:
        return None
    if "@" in term:
        email = normalize_email(term)
        ((kind, token),) = email_tokens(email)
        # The index holds the lead's own email and every request's: one
        # index lookup (an OR with Lead.email_lookup would scan the leads).
        return _has_token(kind, token)
    digits = "".join(ch for ch in term if ch.isdigit())
    punctuation_only = all(ch.isdigit() or ch in " ()-.+" for ch in term)
    if punctuation_only and len(digits) >= 10:
        try:
            phone = normalize_phone(term)
        except ValueError:
            pass
        else:
            token = dict(phone_tokens(phone))["phone"]
            return _has_token("phone", token)
    if punctuation_only and digits and len(digits) <= 9:
        # A lead number, or the end of a phone number: the few leads with the
        # suffix are read from the index first, so the filter is one primary
        # key list (an OR of a subquery and the number made PostgreSQL walk
        # every lead: 2.8 s at 1,000,000 in scripts/growth_bench.py).
        ids = {int(digits)}
        if len(digits) in (4, 7):
            kind = f"ph{len(digits)}"
            ids.update(
                LeadSearchToken.objects.filter(token=index_token(kind, digits)).values_list(
                    "lead_id", flat=True
                )[:SUFFIX_MATCH_LIMIT]
            )
        return Q(pk__in=sorted(ids))
    words = name_words(term)
    if not words:
        return Q(pk__in=[])
    match = Q()
    for word in dict.fromkeys(words):
        match &= _has_token("name", index_token("name", word))
    return match


def lead_search_count(term: str) -> int | None:
    """How many leads a search finds, read from the index alone, when the term
    is one token (an email, a whole phone number, one name word); None
    otherwise. Every lead has a token at most once (`lead_search_token_once`,
    the kind is part of the token), so counting tokens counts leads: a common
    first name (1 lead in 10 at 1,000,000) is counted in the index instead of
    joined to the leads (75 ms in scripts/growth_bench.py)."""
    term = " ".join(term.split())[:SEARCH_MAX_LENGTH]
    if not term:
        return None
    if "@" in term:
        ((_, token),) = email_tokens(normalize_email(term))
        return LeadSearchToken.objects.filter(token=token).count()
    digits = "".join(ch for ch in term if ch.isdigit())
    if all(ch.isdigit() or ch in " ()-.+" for ch in term):
        return None  # a lead number or the end of a phone: a short id list, cheap to count
    words = list(dict.fromkeys(name_words(term)))
    if len(words) != 1 or digits:
        return None
    return LeadSearchToken.objects.filter(token=index_token("name", words[0])).count()


def search_token(term: str) -> str:
    return crypto.encrypt_text(term, context=SEARCH_CONTEXT)


def search_term(token: str) -> str:
    """The term behind a token; DecryptionError if it was altered or the key is gone."""
    return crypto.decrypt_text(token, context=SEARCH_CONTEXT)[:SEARCH_MAX_LENGTH]


def inbox_url(params) -> str:
    url = reverse("admin:admissions_lead_changelist")
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def without_plain_search(query_dict) -> list[tuple[str, list[str]]]:
    """The query string's parameters with `q` replaced by its encrypted token."""
    params = [
        (key, values) for key, values in query_dict.lists() if key not in ("q", SEARCH_TOKEN_VAR, "p", "e")
    ]
    term = " ".join((query_dict.get("q") or "").split())[:SEARCH_MAX_LENGTH]
    if term:
        params.append((SEARCH_TOKEN_VAR, [search_token(term)]))
    return params


def lead_search(model_admin, request):
    """The inbox search form posts here; the term goes back only encrypted."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    post = request.POST.copy()
    post.pop("csrfmiddlewaretoken", None)
    return HttpResponseRedirect(inbox_url(without_plain_search(post)))


class EncryptedSearchForm(ChangeListSearchForm):
    """Reads the search term from the encrypted `s` parameter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[SEARCH_TOKEN_VAR] = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        token = data.get(SEARCH_TOKEN_VAR)
        if token and not data.get(SEARCH_VAR):
            try:
                data[SEARCH_VAR] = search_term(token)
            except crypto.DecryptionError:
                raise ValidationError("That search link no longer works. Please search again.") from None
        return data
