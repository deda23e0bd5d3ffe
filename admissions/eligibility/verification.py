"""From a stored insurance-verification request to an `EligibilityRequest`.

Duck-typed on purpose: it reads the attributes the intake's InsuranceVerification
has (carrier / carrier_other, first_name, last_name, date_of_birth, member_id,
group_number, policy_holder, holder_*), so this package does not import the
intake models and the intake can call it from its task.
"""

import re

from django.conf import settings

from . import payers
from .records import Dependent, EligibilityRequest

SOMEONE_ELSE = "someone_else"

# The form asks the policy holder's relationship TO the patient; INS02 in 2100D
# is the patient's relationship to the holder, and allows only 01, 19 and 34.
_HOLDER_IS_PARENT = re.compile(
    r"\b(parent|mother|father|mom|mum|dad|step ?(mother|father|parent)|guardian)\b"
)
_HOLDER_IS_SPOUSE = re.compile(r"\b(spouse|husband|wife)\b")


def relationship_code(holder_relationship: str) -> str:
    """'Mother' -> 19 (patient is the child), 'wife' -> 01 (spouse), anything else -> 34 (other adult)."""
    text = (holder_relationship or "").casefold()
    if _HOLDER_IS_PARENT.search(text):
        return "19"
    if _HOLDER_IS_SPOUSE.search(text):
        return "01"
    return "34"


def trace_number_for(verification_id: int, attempt: int = 1) -> str:
    """Stable per request and attempt, so a re-run is recognisable; carries no patient data."""
    return f"SHEER-IV-{verification_id}-{attempt}"


def carve_out_trace_number_for(verification_id: int, attempt: int = 1) -> str:
    """The re-check of a carve-out with the administrator it names (eligibility/tasks.py)."""
    return f"{trace_number_for(verification_id, attempt)}-CO"


def configured_clearinghouse() -> str:
    return settings.ELIGIBILITY.get("CLEARINGHOUSE", "stedi")


def payer_for_verification(verification) -> payers.Payer | None:
    """The directory entry of the carrier chosen (or typed), None when it is not a payer we know."""
    carrier = getattr(verification, "carrier", None)
    return payers.lookup(carrier.name if carrier else getattr(verification, "carrier_other", ""))


def request_for_verification(
    verification, *, trace_number: str, clearinghouse: str = ""
) -> EligibilityRequest | None:
    """The inquiry for this verification request, or None when its carrier is not in the payer directory
    ("other", or a network such as MultiPlan that is not a payer): then a coordinator verifies by phone.
    It asks the payer's first service type; `inquiries.check_each_service_type` asks each in turn."""
    payer = payer_for_verification(verification)
    clearinghouse = clearinghouse or configured_clearinghouse()
    payer_id = payer.payer_id(clearinghouse) if payer else ""
    if not payer_id:
        return None
    holder_is_patient = verification.policy_holder != SOMEONE_ELSE
    if holder_is_patient:
        subscriber = (verification.first_name, verification.last_name, verification.date_of_birth)
        dependent = None
    else:
        subscriber = (
            verification.holder_first_name,
            verification.holder_last_name,
            verification.holder_date_of_birth,
        )
        dependent = Dependent(
            first_name=verification.first_name,
            last_name=verification.last_name,
            date_of_birth=verification.date_of_birth,
            relationship_code=relationship_code(verification.holder_relationship),
        )
    return EligibilityRequest(
        payer_id=payer_id,
        payer_name=payer.display_name,
        subscriber_first_name=subscriber[0] or "",
        subscriber_last_name=subscriber[1] or "",
        subscriber_date_of_birth=subscriber[2],
        member_id=verification.member_id,
        group_number=verification.group_number or "",
        dependent=dependent,
        service_type=payer.service_types[0],
        trace_number=trace_number,
    )
