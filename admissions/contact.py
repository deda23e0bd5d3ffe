"""How a person is reached, normalised once for everyone: E.164 phone numbers,
lower-case email addresses, and their keyed hashes (HMAC), which de-duplicate
leads and answer staff searches without the plaintext ever being compared.

Ground level: forms, services and selectors all use it; it uses only
admissions.phi.crypto.
"""

import re
import unicodedata

import phonenumbers
from django.db.models import Q
from django.utils.translation import gettext_noop

from admissions.phi import crypto


def _parsed_phone(raw: str) -> phonenumbers.PhoneNumber:
    """US-first; ValueError when it is not a real number."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return number


def normalize_phone(raw: str) -> str:
    """US-first E.164 ('+17145551234'), any extension left out; ValueError when invalid."""
    return phonenumbers.format_number(_parsed_phone(raw), phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def phone_lookup(phone_e164: str) -> str:
    """Keyed hash of the number alone: an extension does not make another person."""
    number = phone_e164.partition(";ext=")[0] if phone_e164 else ""
    return crypto.lookup_hash("phone", number) if number else ""


def email_lookup(email: str) -> str:
    return crypto.lookup_hash("email", normalize_email(email)) if email else ""


def reached_by(*, phone: str = "", email: str = "") -> Q | None:
    """A filter for leads (or requests) with this phone or this email, through
    the keyed hashes; None when neither is given."""
    match = Q()
    if phone:
        match |= Q(phone_lookup=phone_lookup(phone))
    if email:
        match |= Q(email_lookup=email_lookup(email))
    return match or None


# Phone extensions -----------------------------------------------------------------
# A number with an extension is stored as E.164 plus ";ext=2" (RFC 3966); the
# keyed hash and the suffix tokens cover the number alone.

EXTENSION_MARK = ";ext="


def normalize_phone_with_extension(raw: str) -> str:
    """E.164, plus ';ext=NN' when the number was typed with an extension
    ('(714) 555-0123 ext 2' -> '+17145550123;ext=2'); ValueError when invalid."""
    number = _parsed_phone(raw)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    extension = "".join(ch for ch in (number.extension or "") if ch.isdigit())[:7]
    return f"{e164}{EXTENSION_MARK}{extension}" if extension else e164


def split_extension(phone: str) -> tuple[str, str]:
    number, _, extension = (phone or "").partition(EXTENSION_MARK)
    return number, extension


def format_phone(phone: str) -> str:
    """'+17145550123;ext=2' -> '(714) 555-0123 ext 2'; other countries in international form."""
    number, extension = split_extension(phone)
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return phone
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    text = phonenumbers.format_number(parsed, style)
    return f"{text} ext {extension}" if extension else text


def tel_href(phone: str) -> str:
    """A tel: link target; the extension after a pause (',') so the phone dials it."""
    number, extension = split_extension(phone)
    return f"tel:{number},{extension}" if extension else f"tel:{number}"


# Names ------------------------------------------------------------------------------

NAME_PUNCTUATION = frozenset(" '’-.")
_DOMAIN_LIKE = re.compile(r"[^\W\d_]{2,}\.[^\W\d_]{2,}", re.IGNORECASE)
# English where they are raised (staff pages too); the public forms translate
# them (admissions.intake.fields.NameField), so they are in the catalogue.
NAME_INVALID = gettext_noop("Use letters, spaces, apostrophes, hyphens and periods only.")
NAME_WEB_ADDRESS = gettext_noop("A name can't be a web address.")


def name_problem(value: str) -> str:
    """Why a person's name is refused, or '' when it is fine: letters (any
    script, with their accents), spaces, apostrophes, hyphens and periods;
    no digits, line breaks, links, bidi or zero-width controls."""
    if not value:
        return ""
    for char in value:
        category = unicodedata.category(char)
        if char in NAME_PUNCTUATION or category[0] == "L" or category in ("Mn", "Mc"):
            continue
        return NAME_INVALID
    if not any(unicodedata.category(c)[0] == "L" for c in value):
        return NAME_INVALID
    if "www." in value.lower() or _DOMAIN_LIKE.search(value):
        return NAME_WEB_ADDRESS
    return ""


def clean_person_name(value: str) -> str:
    """Collapsed spaces; ValueError with the message when refused."""
    value = " ".join((value or "").split())
    problem = name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def name_words(text: str) -> list[str]:
    """Search words of a name: unaccented (NFKD, combining marks dropped),
    case-folded, split on spaces, hyphens and periods, apostrophes removed
    ('José Núñez-O’Brien' -> ['jose', 'nunez', 'obrien'])."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("'", "").replace("’", "")
    words = re.split(r"[\s\-.]+", plain)
    return [w for w in words if w and any(ch.isalnum() for ch in w)]


# Search tokens ----------------------------------------------------------------------
# Keyed hashes (HMAC under PHI_LOOKUP_KEY) of what staff search by. The kind is
# part of the hashed message, so a name token never equals a phone token.

TOKEN_LENGTH = 32  # hex characters: 128 bits of the HMAC


def search_token(kind: str, value: str) -> str:
    return crypto.lookup_hash(f"search-{kind}", value)[:TOKEN_LENGTH]


def name_tokens(*names: str) -> set[tuple[str, str]]:
    return {("name", search_token("name", word)) for name in names for word in name_words(name)}


def phone_tokens(phone: str) -> set[tuple[str, str]]:
    number, _ = split_extension(phone)
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 7:
        return set()
    return {
        ("ph4", search_token("ph4", digits[-4:])),
        ("ph7", search_token("ph7", digits[-7:])),
        ("phone", search_token("phone", number)),
    }


def email_tokens(email: str) -> set[tuple[str, str]]:
    return {("email", search_token("email", normalize_email(email)))} if email else set()
