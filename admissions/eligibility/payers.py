"""The payer directory: carriers the intake form lists, with the payer ID each clearinghouse uses.

The form's carrier list (InsuranceCarrier rows, seeded in admissions migration 0002) maps here by
name through `lookup()`; MultiPlan is deliberately absent: it is a network a plan rents, not a payer,
so the payer printed on the card is the one to check. `lookup()` finds a payer by key,
display name or alias, ignoring case, punctuation and "&"/"and".

PAYER IDS ARE TO BE CONFIRMED. The values below are plausible, commonly seen
electronic payer IDs, NOT verified facts: every clearinghouse publishes its own
payer list, IDs differ between clearinghouses and between a carrier's regional
plans, and they change. Before going live, confirm each ID with the chosen
clearinghouse's payer list and set `ids_confirmed=True` on that entry. An
unconfirmed ID is still sent (the payer's AAA 79 rejection tells staff it is wrong).

SERVICE TYPES, one per 270, in the order asked: every payer gets MH first (on
the CAQH CORE list all payers must answer); the substance-use codes (AI, CJ)
follow only where the entry lists them, because a payer that does not support
a code answers with its generic plan benefits or a rejection. Only the
behavioural-health administrators (Magellan, Carelon, MHN) list them so far;
add them to a commercial payer once the clearinghouse's payer list says it
answers them (TO BE CONFIRMED, like the IDs).

BEHAVIOURAL-HEALTH CARVE-OUTS: when a plan's 271 names another administrator
(Magellan, Carelon, Optum, MHN), `carve_out_payer()` finds it here by the ID the
271 gave or by name, and the check of a stored request sends that administrator
a second 270 (eligibility/tasks.py).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .codes import SAFE_SERVICE_TYPES, SUBSTANCE_USE_SERVICE_TYPES

CLEARINGHOUSES = ("stedi", "availity", "optum")


@dataclass(frozen=True)
class Payer:
    key: str
    display_name: str
    aliases: tuple[str, ...] = ()
    # Clearinghouse -> electronic payer ID. TO BE CONFIRMED with each clearinghouse (module docstring).
    payer_ids: dict[str, str] = field(default_factory=dict)
    ids_confirmed: bool = False
    # What admissions staff should know before relying on an electronic check.
    note: str = ""
    # One 270 per code, in this order (module docstring); TO BE CONFIRMED per payer.
    service_types: tuple[str, ...] = SAFE_SERVICE_TYPES

    def payer_id(self, clearinghouse: str) -> str:
        return self.payer_ids.get(clearinghouse, "")


def _same(payer_id: str) -> dict[str, str]:
    return dict.fromkeys(CLEARINGHOUSES, payer_id)


# MH, then the substance-use codes: for payers that answer them (TO CONFIRM per payer).
MH_THEN_SUBSTANCE_USE = SAFE_SERVICE_TYPES + SUBSTANCE_USE_SERVICE_TYPES


# fmt: off
PAYERS: tuple[Payer, ...] = (
    # TO CONFIRM: 60054 is Aetna's widely published commercial ID.
    Payer("aetna", "Aetna", ("Aetna Health", "Aetna Better Health", "Aetna PPO", "Aetna HMO"), _same("60054")),
    # TO CONFIRM: California Anthem ID; other states' Anthem plans use other IDs.
    Payer("anthem_blue_cross", "Anthem Blue Cross", ("Anthem", "Anthem BCBS", "Blue Cross of California",
          "Anthem Blue Cross Blue Shield", "Elevance"), _same("47198"),
          note="Out-of-state Blue plans (BlueCard) are checked through the home plan's ID prefix."),
    # TO CONFIRM.
    Payer("blue_shield_ca", "Blue Shield of California", ("Blue Shield", "Blue Shield CA", "BSC"), _same("94036")),
    # TO CONFIRM: 62308 is Cigna's widely published commercial ID.
    Payer("cigna", "Cigna", ("Cigna Healthcare", "Cigna Behavioral Health", "Evernorth"), _same("62308")),
    # TO CONFIRM: 87726 is UnitedHealthcare's widely published ID (Optum Behavioral Health uses it too).
    Payer("unitedhealthcare", "UnitedHealthcare", ("United Healthcare", "UHC", "United", "Optum",
          "Optum Behavioral Health", "United Behavioral Health", "UBH"), _same("87726"),
          note="Behavioural health is often administered by Optum: expect a carve-out answer."),
    # TO CONFIRM.
    Payer("health_net", "Health Net", ("HealthNet", "Health Net of California"), _same("95567"),
          note="Behavioural health may be administered by MHN (Managed Health Network)."),
    # TO CONFIRM.
    Payer("kaiser", "Kaiser Permanente", ("Kaiser", "KP", "Kaiser Foundation Health Plan",
          "Kaiser Permanente Southern California"), _same("94134"),
          note="HMO: usually not accepted for out-of-network treatment; confirm an authorization or referral first."),
    # TO CONFIRM.
    Payer("magellan", "Magellan Healthcare", ("Magellan", "Magellan Health", "Magellan Behavioral Health"),
          _same("01260"), service_types=MH_THEN_SUBSTANCE_USE),
    # TO CONFIRM.
    Payer("carelon", "Carelon Behavioral Health", ("Beacon", "Beacon Health Options", "Carelon",
          "Carelon Behavioral Health (Beacon)", "ValueOptions"), _same("43324"),
          service_types=MH_THEN_SUBSTANCE_USE),
    # TO CONFIRM: the TRICARE West contractor changed in 2025; check the current one's ID.
    Payer("tricare_west", "TRICARE West", ("Tricare", "TriWest", "TriWest Healthcare Alliance",
          "Health Net Federal Services"), _same("99726"),
          note="Military families: referral and authorization rules differ; verify by phone as well."),
    # TO CONFIRM.
    Payer("humana", "Humana", ("Humana Behavioral Health",), _same("61101")),
    # TO CONFIRM.
    Payer("molina", "Molina Healthcare", ("Molina", "Molina Healthcare of California"), _same("38333"),
          note="Mostly Medi-Cal and Marketplace plans; check whether the plan covers our levels of care."),
    # TO CONFIRM.
    Payer("mhn", "MHN (Managed Health Network)", ("MHN", "Managed Health Network", "Health Net MHN"),
          _same("22771"), service_types=MH_THEN_SUBSTANCE_USE),
)
# fmt: on

_SPACE = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s]")


def normalize(name: str) -> str:
    """'Blue-Shield  of  California!' -> 'blue shield of california'; '&' counts as 'and'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = text.casefold().replace("&", " and ")
    return _SPACE.sub(" ", _PUNCTUATION.sub(" ", text).replace("_", " ")).strip()


def _index() -> dict[str, Payer]:
    index: dict[str, Payer] = {}
    for payer in PAYERS:
        for name in (payer.key, payer.display_name, *payer.aliases):
            key = normalize(name)
            if key in index and index[key] is not payer:
                raise ValueError(f"payer name {name!r} is used by two payers")
            index[key] = payer
    return index


_BY_NAME = _index()


def lookup(name: str) -> Payer | None:
    """The payer with this display name, alias or key; None when unknown (the form's "other")."""
    return _BY_NAME.get(normalize(name or ""))


def get(key: str) -> Payer:
    for payer in PAYERS:
        if payer.key == key:
            return payer
    raise KeyError(key)


def choices() -> list[tuple[str, str]]:
    """(key, display name) for a form's carrier select, in display order."""
    return [(payer.key, payer.display_name) for payer in PAYERS]


def by_payer_id(payer_id: str, clearinghouse: str) -> Payer | None:
    """The directory entry a clearinghouse knows by this electronic payer ID."""
    payer_id = (payer_id or "").strip()
    if not payer_id:
        return None
    for payer in PAYERS:
        if payer.payer_id(clearinghouse) == payer_id:
            return payer
    return None


def carve_out_payer(administrator_id: str, administrator_name: str, clearinghouse: str) -> Payer | None:
    """The behavioural-health administrator a 271 named, when the directory has an ID for it:
    by the ID the 271 gave (2120 NM109), else by its name. None when unknown: then staff phone it."""
    payer = by_payer_id(administrator_id, clearinghouse) or lookup(administrator_name)
    return payer if payer is not None and payer.payer_id(clearinghouse) else None
