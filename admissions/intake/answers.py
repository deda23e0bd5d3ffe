"""One typed record of what a form said, handed from the form to the service.

The service needs to reason about a few answers (who the person is, how to
reach them, which level of care the lead is filed under); every other answer
is stored as it is, under its model field's name. So a new question is a
model field and a form field, and this record does not change.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from admissions.models import RequestKind

# Answers the service reads itself; the rest go straight onto the submission.
PERSON_FIELDS = ("first_name", "last_name", "phone", "email")


@dataclass(frozen=True, kw_only=True)
class IntakeAnswers:
    kind: RequestKind
    first_name: str
    last_name: str
    phone: str = ""  # E.164 (admissions.contact.normalize_phone), or empty
    email: str = ""  # normalised (admissions.contact.normalize_email), or empty
    # Every other answer: submission model field name -> value (consent
    # answers are the ConsentText shown, or None when not given).
    answers: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: RequestKind, **values) -> "IntakeAnswers":
        """From keyword answers, as a form or a test has them."""
        person = {name: values.pop(name) for name in PERSON_FIELDS if name in values}
        return cls(kind=kind, **person, answers=values)

    @property
    def level_of_care(self):
        """The level of care the person asked about, when the form asks."""
        return self.answers.get("level_of_care")

    def submission_fields(self) -> dict:
        """What the submission row stores: the person and every answer."""
        return {**{name: getattr(self, name) for name in PERSON_FIELDS}, **self.answers}
