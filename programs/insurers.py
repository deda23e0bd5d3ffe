"""The insurers the /insurance/ page lists, generated from the admissions
payer directory (admissions/eligibility/payers.py).

programs/ imports nothing of admissions/ (docs/architecture.md): the
admissions app hands its directory over at start-up with `use_directory()`,
and this page reads it. Until then the page says to call.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Plans the center does not take, said plainly on the page. Not in the payer
# directory: government programmes the center is not contracted with.
NOT_ACCEPTED = (
    ("Medi-Cal", gettext_lazy("California's Medicaid program, including Medi-Cal managed-care plans")),
    ("Medicare", gettext_lazy("including Medicare Advantage plans")),
)


@dataclass(frozen=True)
class Insurer:
    name: str
    note: str = ""


_directory: tuple = ()


def use_directory(payers) -> None:
    """payers: objects with display_name and note (the payer directory)."""
    global _directory
    _directory = tuple(payers)


def directory() -> dict:
    accepted = sorted(
        (Insurer(payer.display_name, _public_note(payer.note)) for payer in _directory),
        key=lambda insurer: insurer.name.casefold(),
    )
    return {"accepted": accepted, "not_accepted": [Insurer(name, note) for name, note in NOT_ACCEPTED]}


def _public_note(note: str) -> str:
    # Staff notes are written for coordinators; only HMO and Medi-Cal caveats matter to a family.
    lowered = note.casefold()
    if "hmo" in lowered:
        return _("HMO plans usually need a referral or authorization first; we check this for you.")
    if "medi-cal" in lowered:
        return _("Commercial and Marketplace plans only, not Medi-Cal plans.")
    return ""
