"""How a person is reached, normalised once for everyone: E.164 phone numbers,
lower-case email addresses, and their keyed hashes (HMAC), which de-duplicate
leads and answer staff searches without the plaintext ever being compared.

Ground level: forms, services and selectors all use it; it uses only
admissions.phi.crypto.
"""

import phonenumbers

from admissions.phi import crypto


def normalize_phone(raw: str) -> str:
    """US-first E.164 ('+17145551234'); ValueError when it is not a real number."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def phone_lookup(phone_e164: str) -> str:
    return crypto.lookup_hash("phone", phone_e164) if phone_e164 else ""


def email_lookup(email: str) -> str:
    return crypto.lookup_hash("email", normalize_email(email)) if email else ""
