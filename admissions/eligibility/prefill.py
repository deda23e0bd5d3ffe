"""What an eligibility answer says about the figures of a benefits verification.

`electronic_figures(plan, carve_out)` -> {figure name: value}, named as the
fields of admissions.models.BenefitsVerification; only what the 271 states.
Pure: the check of a stored request (tasks.py) hands the figures to the
benefits service, which labels them *electronic* and never overwrites a
phone-verified one.

When the plan carves behavioural health out and the administrator answered
the re-check, the administrator's answer is the one that applies to
treatment here, so the figures come from it alone; the plan's own figures
are for medical care.
"""

from decimal import Decimal

from . import codes
from .records import Accumulator, EligibilityResult, Tier

# The copay a service type's line gives, by level of care.
LEVEL_SERVICE_TYPES = {
    "php": ("BB",),
    "iop": ("CJ", "CH"),
    "op": ("CF", "A8", "MH", "AI", "A6"),
}
# AuthorizationRule values of the model (the engine does not import models).
REQUIRED, NOT_REQUIRED = "required", "not_required"


def _tier(split, network: str) -> Tier:
    tier = getattr(split, network)
    if network == "in_network" and not tier.known:
        # The payer did not say which network: take it as the in-network figure.
        return split.network_not_stated
    return tier


def _amounts(acc: Accumulator) -> tuple[Decimal | None, Decimal | None]:
    return acc.total, acc.met


def _copay(result: EligibilityResult, service_types: tuple[str, ...]) -> Decimal | None:
    for code in service_types:
        for copay in result.copays:
            if copay.service_type == code and copay.network in ("in", ""):
                return copay.amount
    return None


def _authorization(result: EligibilityResult) -> str:
    said = {code: required for code, required in result.prior_authorization.items()}
    behavioural = [required for code, required in said.items() if code in codes.BEHAVIOURAL_HEALTH]
    if any(behavioural):
        return REQUIRED
    if behavioural:
        return NOT_REQUIRED
    return ""


def electronic_figures(
    plan: EligibilityResult | None, carve_out: EligibilityResult | None = None
) -> dict[str, object]:
    """The figures the answers give; empty when neither shows active coverage."""
    source = carve_out if carve_out is not None and carve_out.coverage_active else plan
    if source is None or not source.coverage_active:
        return {}
    figures: dict[str, object] = {}
    for name, split in (("deductible", source.deductible), ("out_of_pocket", source.out_of_pocket)):
        tier = _tier(split, "in_network")
        figures[f"{name}_individual"], figures[f"{name}_individual_met"] = _amounts(tier.individual)
        figures[f"{name}_family"], figures[f"{name}_family_met"] = _amounts(tier.family)
    out = source.deductible.out_of_network.individual
    figures["out_of_network_deductible"], figures["out_of_network_deductible_met"] = _amounts(out)
    figures["out_of_network_out_of_pocket"] = source.out_of_pocket.out_of_network.individual.total
    figures["out_of_network_coinsurance"] = source.coinsurance.out_of_network
    share = (
        source.coinsurance.in_network
        if source.coinsurance.in_network is not None
        else source.coinsurance.network_not_stated
    )
    authorization = _authorization(source)
    for level, service_types in LEVEL_SERVICE_TYPES.items():
        figures[f"{level}_coinsurance"] = share
        figures[f"{level}_copay"] = _copay(source, service_types)
        figures[f"{level}_authorization"] = authorization
    carve = plan.carve_out if plan is not None else None
    if carve is not None:
        figures["review_by"] = carve.administrator_name
        figures["review_phone"] = carve.phone
    return {name: value for name, value in figures.items() if value not in (None, "")}
