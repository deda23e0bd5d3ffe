"""X12 005010X279A1 code lists the eligibility engine reads, with the words staff see.

Descriptions are our own plain-English paraphrases (the official wording is
licensed by X12); "what to fix" is the advice a coordinator acts on.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RejectReason:
    reason: str
    what_to_fix: str
    # The payer may answer on a later try without anyone changing anything.
    retryable: bool = False


_CHECK_CARD = "Compare it with the front of the insurance card, character for character, and correct it."

# AAA03, request validation reject reason codes.
REJECT_REASONS: dict[str, RejectReason] = {
    "04": RejectReason(
        "Too many inquiries for this member were sent.", "Wait a day before checking again.", True
    ),
    "15": RejectReason(
        "The payer says required information is missing.",
        "Make sure member ID, name and date of birth are all filled in and check again.",
    ),
    "33": RejectReason("The payer found errors in the request.", "Review every insurance detail and retry."),
    "35": RejectReason(
        "The payer says Sheer Recovery is out of network for this plan.",
        "Confirm out-of-network benefits with the payer by phone.",
    ),
    "41": RejectReason(
        "The payer restricts eligibility inquiries from us.",
        "Call the payer's provider line; ask the clearinghouse to check our enrollment with this payer.",
    ),
    "42": RejectReason(
        "The payer's system is unavailable right now.",
        "Nothing to fix in the request; it is retried automatically. If it keeps failing, call the payer.",
        True,
    ),
    "43": RejectReason(
        "The payer does not recognise our provider ID (NPI).",
        "Ask the administrator to check ELIGIBILITY_PROVIDER_NPI and our enrollment with this payer.",
    ),
    "44": RejectReason(
        "The payer does not recognise our provider name.",
        "Ask the administrator to check ELIGIBILITY_PROVIDER_NAME against our enrollment.",
    ),
    "45": RejectReason(
        "The payer needs our provider specialty.", "Call the payer; the automatic check cannot send it."
    ),
    "47": RejectReason(
        "The payer needs our provider state.", "Call the payer; the automatic check cannot send it."
    ),
    "50": RejectReason(
        "The payer says we are not eligible to make inquiries.",
        "Ask the clearinghouse to check our enrollment with this payer.",
    ),
    "51": RejectReason(
        "The payer has no record of Sheer Recovery as a provider.",
        "Ask the clearinghouse to check our enrollment with this payer; verify by phone meanwhile.",
    ),
    "52": RejectReason(
        "The service date is outside our enrollment with this plan.", "Verify benefits by phone."
    ),
    "53": RejectReason(
        "The payer will not answer for these services from our provider type.", "Verify benefits by phone."
    ),
    "56": RejectReason("The payer rejected a date in the request.", "Check the date of birth and retry."),
    "57": RejectReason(
        "The service date is missing or invalid.", "Nothing for staff to fix; report it to the administrator."
    ),
    "58": RejectReason(
        "The date of birth is missing or invalid.", "Check the date of birth with the caller and correct it."
    ),
    "60": RejectReason(
        "The date of birth is after the service date.",
        "Check the date of birth with the caller and correct it.",
    ),
    "61": RejectReason(
        "The payer has a date of death before the service date.", "Call the payer to verify the member."
    ),
    "62": RejectReason(
        "The service date is outside what the payer lets us ask about.", "Verify benefits by phone."
    ),
    "63": RejectReason(
        "The service date is in the future for this payer.", "Check again on or after the admission date."
    ),
    "64": RejectReason("The patient's ID is missing or invalid.", _CHECK_CARD),
    "65": RejectReason(
        "The patient's name is missing or invalid.",
        "Check the patient's name as printed on the card (no nicknames) and correct it.",
    ),
    "66": RejectReason(
        "The payer needs the patient's gender.", "Call the payer; the automatic check does not send it."
    ),
    "67": RejectReason(
        "The payer found no patient with these details.",
        "Check the patient's name and date of birth against the card; a dependent may have their own member ID.",
    ),
    "68": RejectReason(
        "The payer has more than one patient with this ID.", "Call the payer to identify the right member."
    ),
    "69": RejectReason(
        "The request does not fit the patient's age.",
        "Check the date of birth with the caller and correct it.",
    ),
    "70": RejectReason("The request does not fit the patient's gender.", "Call the payer to verify."),
    "71": RejectReason(
        "The date of birth does not match the payer's records.",
        "Check the date of birth with the caller (month and day swapped is common) and correct it.",
    ),
    "72": RejectReason("The member ID is invalid or missing.", _CHECK_CARD + " Include any prefix letters."),
    "73": RejectReason(
        "The policy holder's name is invalid or missing.",
        "Use the policy holder's legal name exactly as printed on the card and correct it.",
    ),
    "74": RejectReason(
        "The payer needs the policy holder's gender.", "Call the payer; the automatic check does not send it."
    ),
    "75": RejectReason(
        "The payer found no policy holder with these details.",
        "Check the member ID, the policy holder's name and date of birth against the card. "
        "If the patient is a dependent, enter the policy holder's details as the subscriber.",
    ),
    "76": RejectReason(
        "The payer has more than one policy holder with this ID.", "Call the payer to identify the member."
    ),
    "77": RejectReason(
        "The policy holder was found but the patient was not.",
        "Check the patient's name, date of birth and relationship; the patient may have their own member ID.",
    ),
    "78": RejectReason(
        "The policy holder is not in the group or plan given.",
        "Check the group number on the card and correct it.",
    ),
    "79": RejectReason(
        "The clearinghouse or payer rejected the payer ID we sent.",
        "Check the insurance carrier chosen; the administrator may need to fix the payer ID in the payer directory.",
    ),
    "80": RejectReason(
        "The payer did not answer in time.",
        "Nothing to fix in the request; it is retried automatically. If it keeps failing, call the payer.",
        True,
    ),
    "97": RejectReason(
        "The payer needs our provider address.", "Call the payer; the automatic check does not send it."
    ),
    "T4": RejectReason(
        "The payer name or ID is missing.",
        "Check the insurance carrier chosen; the administrator may need to fix the payer directory.",
    ),
}

UNKNOWN_REJECT = RejectReason(
    "The payer rejected the inquiry with a code we do not know.", "Verify benefits by phone."
)

# AAA04, follow-up action.
FOLLOW_UP_ACTIONS = {
    "C": "correct and resubmit",
    "N": "resubmission not allowed",
    "P": "resubmit the original",
    "R": "resubmission allowed",
    "S": "do not resubmit; the payer asked a third party",
    "W": "wait 30 days and resubmit",
    "X": "wait 10 days and resubmit",
    "Y": "do not resubmit; the payer will answer by hand",
}

# EB01, eligibility or benefit information.
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})
COINSURANCE, COPAY, DEDUCTIBLE, OUT_OF_POCKET = "A", "B", "C", "G"
CONTACT_ENTITY, OTHER_PAYER = "U", "R"
BENEFIT_INFO = {
    "1": "Active coverage",
    "2": "Active, full risk capitation",
    "3": "Active, services capitated",
    "4": "Active, services capitated to primary care physician",
    "5": "Active, pending investigation",
    "6": "Inactive",
    "7": "Inactive, pending eligibility update",
    "8": "Inactive, pending investigation",
    "A": "Coinsurance",
    "B": "Copay",
    "C": "Deductible",
    "CB": "Coverage basis",
    "D": "Benefit description",
    "E": "Exclusions",
    "F": "Limitations",
    "G": "Out-of-pocket maximum",
    "I": "Not covered",
    "L": "Primary care provider",
    "MC": "Managed care coordinator",
    "N": "Services restricted to the following provider",
    "P": "Benefit disclaimer",
    "R": "Other or additional payer",
    "U": "Contact the following entity for benefits",
    "V": "Cannot process",
}

# EB02, coverage level: which tier an accumulator belongs to.
INDIVIDUAL_LEVELS = frozenset({"IND", "EMP"})
FAMILY_LEVELS = frozenset({"FAM", "ESP", "ECH", "SPC", "SPO", "CHD", "DEP"})

# EB06, time period: totals, amounts left, amounts used so far.
TOTAL_PERIODS = frozenset({"21", "22", "23", "25", "26", "27", "32", "34"})
REMAINING_PERIODS = frozenset({"29", "33"})
MET_PERIODS = frozenset({"24"})

# EB04, insurance type (the ones an addiction-treatment center meets).
INSURANCE_TYPES = {
    "C1": "Commercial",
    "CO": "COBRA",
    "EP": "EPO",
    "HM": "HMO",
    "HN": "HMO Medicare Risk",
    "IN": "Indemnity",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "MP": "Medicare Primary",
    "PR": "PPO",
    "PS": "POS",
    "QM": "Qualified Medicare Beneficiary",
}

# EB03 / EQ01, service types. 30 is the plan as a whole; the rest are what a
# substance-use and mental-health admission needs.
SERVICE_TYPES = {
    "1": "Medical care",
    "30": "Health benefit plan coverage",
    "33": "Chiropractic",
    "47": "Hospital",
    "48": "Hospital, inpatient",
    "50": "Hospital, outpatient",
    "86": "Emergency services",
    "88": "Pharmacy",
    "98": "Office visit",
    "A4": "Psychiatric",
    "A6": "Psychotherapy",
    "A7": "Psychiatric, inpatient",
    "A8": "Psychiatric, outpatient",
    "AI": "Substance use treatment",
    "AJ": "Alcoholism treatment",
    "AK": "Drug addiction treatment",
    "BB": "Partial hospitalization (psychiatric)",
    "BC": "Day care (psychiatric)",
    "CE": "Mental health provider, inpatient",
    "CF": "Mental health provider, outpatient",
    "CG": "Mental health facility, inpatient",
    "CH": "Mental health facility, outpatient",
    "CI": "Substance use facility, inpatient",
    "CJ": "Substance use facility, outpatient",
    "MH": "Mental health",
    "UC": "Urgent care",
}
PLAN_LEVEL = "30"
BEHAVIOURAL_HEALTH = frozenset(
    {"A4", "A6", "A7", "A8", "AI", "AJ", "AK", "BB", "BC", "CE", "CF", "CG", "CH", "CI", "CJ", "MH"}
)
# One service type per 270 (many payers answer only the first EQ of several, or
# reject the lot): the payer directory sets the order for each payer. MH is on
# the CAQH CORE list every payer must answer, so it goes first and is the whole
# default; substance-use codes follow only for payers that answer them.
SAFE_SERVICE_TYPES = ("MH",)
SUBSTANCE_USE_SERVICE_TYPES = ("AI", "CJ")
# (X12 "AD" is occupational therapy, not addiction: AI, AJ, AK, CI and CJ are.)

# NM101 in loop 2120: entities that mean "someone else administers this benefit".
ADMINISTRATOR_ENTITIES = frozenset({"PR", "PRP", "SEP", "TTP", "2B", "VN", "Y2", "X3", "13", "1I", "P5"})

# INS02 / relationship of the patient to the policy holder (2100D).
RELATIONSHIPS = {"01": "Spouse", "19": "Child", "34": "Other adult"}

# DTP01 dates.
PLAN_BEGIN, PLAN_END, PLAN, ELIGIBILITY = "346", "347", "291", "307"
ELIGIBILITY_BEGIN, ELIGIBILITY_END = "356", "357"


def service_type_name(code: str) -> str:
    return SERVICE_TYPES.get(code, f"Service type {code}")
