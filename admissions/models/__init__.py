"""Admissions: a person who asks for help (a lead), each form they send (a
submission), everything staff do with them (events), the audit trail and the
automatic insurance checks. One module per idea; every model is importable
from here, as Django expects.
"""

from .audit import AuditAction, AuditEvent
from .eligibility import EligibilityCheck
from .leads import (
    CHECK_MAY_VERIFY_FROM,
    CLOSED_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    PIPELINE,
    STATUS_GROUPS,
    Channel,
    ContactStop,
    Lead,
    LeadEvent,
    LeadQuerySet,
    LeadStatus,
    RequestKind,
    next_status,
    waiting_threshold,
)
from .referrals import ReferralPartner
from .requests import (
    SUBMISSION_MODELS,
    BestTimeToCall,
    BlockedSubmission,
    ConsentText,
    ConsultationRequest,
    HeardAboutUs,
    InsuranceCarrier,
    InsuranceVerification,
    PolicyHolder,
    PreferredLanguage,
    RateCount,
    Submission,
    WhoNeedsHelp,
    card_image_name,
)
from .search import LeadSearchToken, lead_search_tokens_rebuild

__all__ = [
    "Channel",
    "ContactStop",
    "LeadSearchToken",
    "RateCount",
    "ReferralPartner",
    "lead_search_tokens_rebuild",
    "CHECK_MAY_VERIFY_FROM",
    "CLOSED_STATUSES",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "PIPELINE",
    "STATUS_GROUPS",
    "SUBMISSION_MODELS",
    "AuditAction",
    "AuditEvent",
    "BestTimeToCall",
    "BlockedSubmission",
    "ConsentText",
    "ConsultationRequest",
    "EligibilityCheck",
    "HeardAboutUs",
    "InsuranceCarrier",
    "InsuranceVerification",
    "Lead",
    "LeadEvent",
    "LeadQuerySet",
    "LeadStatus",
    "PolicyHolder",
    "PreferredLanguage",
    "RequestKind",
    "Submission",
    "WhoNeedsHelp",
    "card_image_name",
    "next_status",
    "waiting_threshold",
]
