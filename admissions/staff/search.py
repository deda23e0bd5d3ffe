"""Staff search of leads.

What a term means (lead_search_q): an email address or a phone number is
matched whole through its keyed hash (Lead.email_lookup / phone_lookup), never
in plaintext; anything else must appear in the first or last name, or be the
lead's number. The term itself never sits in a URL, a log or the browser's
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

from admissions.contact import email_lookup, normalize_email, normalize_phone, phone_lookup
from admissions.phi import crypto

SEARCH_TOKEN_VAR = "s"  # noqa: S105  (a query parameter name, not a secret)
SEARCH_CONTEXT = "admissions.lead.search"
# Search terms longer than this are not a name, phone or email anyone types.
SEARCH_MAX_LENGTH = 200


def lead_search_q(term: str) -> Q | None:
    """What a staff search means, as a filter; None when it matches nothing.

    - contains "@": an email address, matched whole through its keyed hash;
    - a valid phone number in any common form: matched through its keyed hash;
    - otherwise every word must appear in the first or last name (or be the lead's number).
    """
    term = " ".join(term.split())[:SEARCH_MAX_LENGTH]
    if not term:
        return None
    if "@" in term:
        return Q(email_lookup=email_lookup(normalize_email(term)))
    try:
        phone = normalize_phone(term)
    except ValueError:
        pass
    else:
        return Q(phone_lookup=phone_lookup(phone))
    match = Q()
    for word in term.split(" "):
        match &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    if term.isdigit() and len(term) <= 9:
        match |= Q(pk=int(term))
    return match


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
