"""Model fields whose values are stored encrypted (see admissions.crypto).

The column holds only the token; Python code sees the plain value. Database
lookups on these fields are refused (they would compare ciphertexts), except
``isnull`` and ``= ''``; find people through the keyed-hash columns instead.
"""

import datetime
import decimal

from django.core import checks
from django.db import models

from . import crypto


class EmptyExact(models.lookups.Exact):
    """`field=""` only: whether a value is there at all (constraints, filters).
    Comparing with any other value would compare a fresh ciphertext and is refused."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise ValueError("encrypted fields can only be compared with the empty string")
        return self.rhs

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])


class _EncryptedMixin:
    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        # Binds each ciphertext to its column: app_label.model.field.
        self.encryption_context = f"{cls._meta.label_lower}.{name}"

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def _serialize(self, value) -> str:
        return str(value)

    def _deserialize(self, text: str):
        return text

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_text(self._serialize(value), context=self.encryption_context)

    def get_db_prep_value(self, value, connection, prepared=False):
        # Skip the backends' date/char adaptation: the column holds a token.
        return value if prepared else self.get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self._deserialize(crypto.decrypt_text(value, context=self.encryption_context))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return EmptyExact
        return None

    def get_transform(self, name):
        return None

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.db_index:
            errors.append(
                checks.Error("Encrypted fields cannot be unique or indexed.", obj=self, id="admissions.E001")
            )
        return errors


class EncryptedTextField(_EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(_EncryptedMixin, models.CharField):
    """A CharField whose max_length applies to the plain value (the form);
    the column itself is unbounded text."""

    def cast_db_type(self, connection):
        return self.db_type(connection)


class EncryptedDateField(_EncryptedMixin, models.DateField):
    def _serialize(self, value) -> str:
        return value.isoformat()

    def _deserialize(self, text: str):
        return datetime.date.fromisoformat(text)


class EncryptedDecimalField(_EncryptedMixin, models.DecimalField):
    """A money amount or percentage about a person's plan (benefits verification)."""

    def _serialize(self, value) -> str:
        return str(value)

    def _deserialize(self, text: str):
        return decimal.Decimal(text)
