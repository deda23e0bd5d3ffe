"""The plain dataclasses an eligibility check takes and gives back.

Nothing here touches the database: the intake builds an `EligibilityRequest`
from a stored verification request and stores the `EligibilityResult` (its
`to_dict()` form, encrypted) on the lead.

Every field that holds patient data is `repr=False`, so a stray log line or
traceback that prints a request or result shows only the trace number, the
payer and the status.
"""

import dataclasses
import enum
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import codes


class Status(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    # The payer answered with AAA reject codes: member not found, bad ID/name/DOB, or a provider problem.
    REJECTED = "rejected"
    # Coverage is active but behavioural health is administered by another organisation.
    CARVED_OUT = "carved_out"
    # The clearinghouse has not heard back from the payer yet.
    PENDING = "pending"
    ERROR = "error"
    # No automatic check is configured: a coordinator phones the payer.
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.ACTIVE: "Coverage active",
    Status.INACTIVE: "Coverage inactive",
    Status.REJECTED: "Rejected: member not found or details wrong",
    Status.CARVED_OUT: "Active; behavioural health carved out",
    Status.PENDING: "Waiting for the payer",
    Status.ERROR: "Check failed",
    Status.MANUAL: "Verify by phone",
}


class InvalidEligibilityRequest(ValueError):
    """Names the fields that are missing or unusable, never their values."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("eligibility request incomplete: " + "; ".join(problems))


def new_trace_number() -> str:
    """A trace number carrying no patient data (TRN02 allows 50 characters)."""
    return uuid.uuid4().hex.upper()


_NPI = re.compile(r"\d{10}")


def npi_is_valid(npi: str) -> bool:
    """Luhn check over the NPI with the 80840 health-industry prefix."""
    if not _NPI.fullmatch(npi or ""):
        return False
    total = 24  # the 80840 prefix contributes a constant 24
    for position, char in enumerate(reversed(npi[:9])):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


@dataclass(frozen=True)
class Dependent:
    """The patient, when the policy holder (subscriber) is someone else."""

    first_name: str = field(repr=False)
    last_name: str = field(repr=False)
    date_of_birth: date = field(repr=False)
    # INS02: 01 spouse, 19 child, 34 other adult.
    relationship_code: str = "19"


@dataclass(frozen=True)
class EligibilityRequest:
    payer_id: str
    payer_name: str
    subscriber_first_name: str = field(repr=False)
    subscriber_last_name: str = field(repr=False)
    subscriber_date_of_birth: date | None = field(repr=False)
    member_id: str = field(repr=False)
    group_number: str = field(default="", repr=False)
    dependent: Dependent | None = field(default=None, repr=False)
    # One service type per inquiry (one EQ loop): the payer directory orders them, and
    # the check of a stored request sends one 270 per type (eligibility/inquiries.py).
    service_type: str = codes.SAFE_SERVICE_TYPES[0]
    # Generate it, or derive it from the verification request's primary key so a
    # re-run is recognisable; never from anything the person typed.
    trace_number: str = field(default_factory=new_trace_number)
    date_of_service: date | None = None
    # Empty means "from settings" (ELIGIBILITY_PROVIDER_NPI / _NAME); backends fill them in.
    provider_npi: str = ""
    provider_name: str = ""

    @property
    def patient_is_dependent(self) -> bool:
        return self.dependent is not None

    def with_provider(self, *, npi: str, name: str) -> "EligibilityRequest":
        return dataclasses.replace(
            self, provider_npi=self.provider_npi or npi, provider_name=self.provider_name or name
        )

    def problems(self) -> list[str]:
        """What stops this request from being sent, by field name only."""
        problems = []
        if not self.payer_id.strip():
            problems.append("payer ID missing")
        if not self.member_id.strip():
            problems.append("member ID missing")
        if not self.subscriber_last_name.strip():
            problems.append("subscriber last name missing")
        if not self.subscriber_first_name.strip():
            problems.append("subscriber first name missing")
        if self.dependent is None and self.subscriber_date_of_birth is None:
            problems.append("subscriber date of birth missing")
        if self.dependent is not None:
            if not (self.dependent.first_name.strip() and self.dependent.last_name.strip()):
                problems.append("patient name missing")
            if self.dependent.relationship_code not in codes.RELATIONSHIPS:
                problems.append("relationship code not one of 01, 19, 34")
        if not self.service_type:
            problems.append("no service type code")
        if not npi_is_valid(self.provider_npi):
            problems.append("provider NPI missing or not a valid NPI")
        if not self.provider_name.strip():
            problems.append("provider name missing")
        if not 1 <= len(self.trace_number) <= 50:
            problems.append("trace number must be 1 to 50 characters")
        today = timezone.localdate()
        for label, born in (
            ("subscriber", self.subscriber_date_of_birth),
            ("patient", self.dependent.date_of_birth if self.dependent else None),
        ):
            if born is not None and born > today:
                problems.append(f"{label} date of birth in the future")
        return problems

    def validate(self) -> None:
        if problems := self.problems():
            raise InvalidEligibilityRequest(problems)


@dataclass
class Accumulator:
    """A deductible or out-of-pocket maximum for one tier: the total, and what is left or used."""

    total: Decimal | None = None
    remaining: Decimal | None = None
    met: Decimal | None = None

    def settle(self) -> None:
        """Payers send any two of the three; work out the third."""
        if self.met is None and self.total is not None and self.remaining is not None:
            self.met = self.total - self.remaining
        if self.remaining is None and self.total is not None and self.met is not None:
            self.remaining = self.total - self.met

    @property
    def known(self) -> bool:
        return any(v is not None for v in (self.total, self.remaining, self.met))


@dataclass
class Tier:
    individual: Accumulator = field(default_factory=Accumulator)
    family: Accumulator = field(default_factory=Accumulator)

    @property
    def known(self) -> bool:
        return self.individual.known or self.family.known


@dataclass
class NetworkSplit:
    """In network (EB12 Y), out of network (N), and not stated by the payer (W, U or blank)."""

    in_network: Tier = field(default_factory=Tier)
    out_of_network: Tier = field(default_factory=Tier)
    network_not_stated: Tier = field(default_factory=Tier)


@dataclass
class Percentages:
    """Coinsurance as the patient's share in percent (EB08 0.2 is 20)."""

    in_network: Decimal | None = None
    out_of_network: Decimal | None = None
    network_not_stated: Decimal | None = None


@dataclass(frozen=True)
class Copay:
    service_type: str
    amount: Decimal
    network: str  # "in", "out" or "" when not stated


@dataclass(frozen=True)
class CarveOut:
    """Another organisation administers (some) behavioural-health benefits."""

    administrator_name: str
    phone: str = ""
    administrator_id: str = ""
    service_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    """An AAA segment: the reason code, where it sat, and what it means for staff."""

    code: str
    loop: str
    follow_up: str = ""

    @property
    def reason(self) -> str:
        return codes.REJECT_REASONS.get(self.code, codes.UNKNOWN_REJECT).reason

    @property
    def what_to_fix(self) -> str:
        return codes.REJECT_REASONS.get(self.code, codes.UNKNOWN_REJECT).what_to_fix

    @property
    def retryable(self) -> bool:
        return codes.REJECT_REASONS.get(self.code, codes.UNKNOWN_REJECT).retryable


@dataclass(frozen=True)
class BenefitLine:
    """One EB segment as given, for the detail view; the summary fields come from these."""

    info: str  # EB01
    coverage_level: str = ""  # EB02
    service_types: tuple[str, ...] = ()  # EB03, repeated
    insurance_type: str = ""  # EB04
    plan_description: str = ""  # EB05
    time_period: str = ""  # EB06
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08 as a fraction
    authorization_required: str = ""  # EB11 Y/N/U
    in_network: str = ""  # EB12 Y/N/W/U
    messages: tuple[str, ...] = ()
    entity_names: tuple[str, ...] = ()  # 2120 NM1 names


@dataclass
class EligibilityResult:
    status: Status
    trace_number: str = ""
    backend: str = ""
    checked_at: datetime = field(default_factory=timezone.now)
    payer_name: str = ""
    plan_name: str = field(default="", repr=False)
    group_number: str = field(default="", repr=False)
    group_name: str = field(default="", repr=False)
    insurance_type: str = field(default="", repr=False)
    coverage_begin: date | None = field(default=None, repr=False)
    coverage_end: date | None = field(default=None, repr=False)
    deductible: NetworkSplit = field(default_factory=NetworkSplit, repr=False)
    out_of_pocket: NetworkSplit = field(default_factory=NetworkSplit, repr=False)
    coinsurance: Percentages = field(default_factory=Percentages, repr=False)
    copays: list[Copay] = field(default_factory=list, repr=False)
    # Service type code -> prior authorization required (EB11 Y) or not (N).
    prior_authorization: dict[str, bool] = field(default_factory=dict, repr=False)
    carve_out: CarveOut | None = field(default=None, repr=False)
    rejections: list[Rejection] = field(default_factory=list)
    messages: list[str] = field(default_factory=list, repr=False)
    benefits: list[BenefitLine] = field(default_factory=list, repr=False)
    patient_is_dependent: bool = False
    # The service types asked about, one 270 each, in the order sent (inquiries.py).
    service_types: list[str] = field(default_factory=list)
    # Asked about after the first, but not answered with active coverage (ask the payer by phone).
    unanswered_service_types: list[str] = field(default_factory=list)
    raw_271: str = field(default="", repr=False)
    # What went to the clearinghouse: the 270, or the JSON body for the rest backend. Store encrypted.
    request_sent: str = field(default="", repr=False)
    # Why the check failed, in words with no patient data (safe to log).
    error_reason: str = ""
    retryable: bool = False

    @property
    def coverage_active(self) -> bool:
        return self.status in (Status.ACTIVE, Status.CARVED_OUT)

    @property
    def final(self) -> bool:
        """True when re-running would not change the answer without someone editing the request."""
        return not self.retryable and self.status not in (Status.PENDING,)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for storage (encrypted by the caller: it holds patient data)."""
        return _jsonable(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EligibilityResult":
        def split(d):
            return NetworkSplit(
                **{
                    k: Tier(**{lvl: Accumulator(**_decimals(a)) for lvl, a in t.items()})
                    for k, t in d.items()
                }
            )

        data = dict(data)
        data["status"] = Status(data["status"])
        data["checked_at"] = datetime.fromisoformat(data["checked_at"])
        for key in ("coverage_begin", "coverage_end"):
            data[key] = date.fromisoformat(data[key]) if data.get(key) else None
        data["deductible"] = split(data["deductible"])
        data["out_of_pocket"] = split(data["out_of_pocket"])
        data["coinsurance"] = Percentages(**_decimals(data["coinsurance"]))
        data["copays"] = [Copay(**{**c, "amount": Decimal(c["amount"])}) for c in data["copays"]]
        data["carve_out"] = (
            CarveOut(**{**data["carve_out"], "service_types": tuple(data["carve_out"]["service_types"])})
            if data.get("carve_out")
            else None
        )
        data["rejections"] = [Rejection(**r) for r in data["rejections"]]
        data["benefits"] = [
            BenefitLine(
                **{
                    **_decimals(b, ("amount", "percent")),
                    **{k: tuple(b[k]) for k in ("service_types", "messages", "entity_names")},
                }
            )
            for b in data["benefits"]
        ]
        return cls(**data)


def _decimals(d: dict, keys=None) -> dict:
    return {k: (Decimal(v) if v is not None and (keys is None or k in keys) else v) for k, v in d.items()}


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
