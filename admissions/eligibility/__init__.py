"""Insurance eligibility checks (HIPAA X12 270/271), independent of the intake models.

    from admissions.eligibility import EligibilityRequest, check

    result = check(EligibilityRequest(...))   # never raises
    result.status, describe(result), result.to_dict()   # describe: plain_words.py

The backend comes from ELIGIBILITY_BACKEND (manual, fake, x12, rest) and its
options from ELIGIBILITY; see backends.py. Patient data never reaches a log or an
exception message: log lines carry the trace number, backend and status only.
"""

from .backends import Backend, check, get_backend
from .http import EligibilityError, EligibilityTimeout
from .plain_words import describe
from .records import (
    Dependent,
    EligibilityRequest,
    EligibilityResult,
    InvalidEligibilityRequest,
    Status,
)

__all__ = [
    "Backend",
    "Dependent",
    "EligibilityError",
    "EligibilityRequest",
    "EligibilityResult",
    "EligibilityTimeout",
    "InvalidEligibilityRequest",
    "Status",
    "check",
    "describe",
    "get_backend",
]
