"""The rules of the pre-admission screen, as pure functions (no database):
when withdrawal risk is high enough to refer to detox first, when the
suicide-risk questions are positive, and which level of care the six ASAM
dimension scores suggest. A suggestion only: a clinician decides
(admissions.services.screening.screening_sign_off).

Detox flag (high withdrawal risk). Withdrawal from alcohol, benzodiazepines,
other sedatives and opioids can be dangerous (seizures, delirium tremens) or
unbearable enough to end treatment on day one, and an outpatient program does
not manage it. The flag is raised when

- the person uses any of those substances AND has withdrawal symptoms now or
  has ever had a withdrawal seizure or the DTs; or
- dimension 1 (intoxication/withdrawal potential) is scored 3 or 4.

Suicide risk (ASQ). Positive when any of the four questions is answered yes or
the person declines to answer one (the ASQ counts a refusal as positive), and
acute when the acuity question ("thoughts of killing yourself right now") is
yes or declined. That question is asked only after a positive answer, but a
yes recorded there is acute and positive whatever the other answers say.

Suggested level of care, from the highest score, first rule that applies:

1. any dimension not scored yet: no suggestion;
2. the detox flag: withdrawal management (detox) first, refer out;
3. a 4 in dimension 1, 2, 3, 5 or 6: 24-hour care (residential or
   hospital), refer out;
4. a 3 in dimension 2, 3, 5 or 6: partial hospitalization (PHP);
5. a 2 in any dimension, or a 3 or 4 in dimension 4: intensive
   outpatient (IOP);
6. otherwise (everything 0 or 1): outpatient (OP).

Dimension 4 (readiness to change) never raises the suggestion above IOP: low
readiness calls for motivational work, not for more hours or a bed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from admissions.models.screening import LevelOfCareSuggestion, ScreeningAnswer, Substance

# Substances whose withdrawal may need medical management.
WITHDRAWAL_RISK_SUBSTANCES = frozenset(
    {Substance.ALCOHOL, Substance.BENZODIAZEPINES, Substance.OTHER_SEDATIVES, Substance.OPIOIDS}
)
POSITIVE_ANSWERS = frozenset({ScreeningAnswer.YES, ScreeningAnswer.DECLINED})
READINESS = 4


@dataclass(frozen=True)
class Suggestion:
    level: LevelOfCareSuggestion
    reason: str

    @property
    def label(self) -> str:
        return self.level.label


def withdrawal_risk_is_high(
    *,
    substances: Iterable[str],
    symptoms_now: str,
    seizures_or_dts: str,
    intoxication_withdrawal_score: int | None,
) -> bool:
    """The detox flag (see the module's rule)."""
    if intoxication_withdrawal_score is not None and intoxication_withdrawal_score >= 3:
        return True
    uses_risky = any(substance in WITHDRAWAL_RISK_SUBSTANCES for substance in substances)
    return uses_risky and (symptoms_now == ScreeningAnswer.YES or seizures_or_dts == ScreeningAnswer.YES)


def suicide_risk_positive(*, questions: Iterable[str], right_now: str = "") -> bool:
    """Any of the four ASQ questions answered yes or declined, or an acute answer."""
    return any(answer in POSITIVE_ANSWERS for answer in questions) or suicide_risk_acute(right_now=right_now)


def suicide_risk_acute(*, right_now: str) -> bool:
    """Yes (or declined) to "are you having thoughts of killing yourself right now?"."""
    return right_now in POSITIVE_ANSWERS


def suggest_level_of_care(scores: Mapping[int, int | None], *, detox_flag: bool) -> Suggestion | None:
    """The level of care the scores point to (see the module's rule), or None
    while a dimension is unscored. `scores` maps dimension 1–6 to 0–4."""
    if any(scores.get(number) is None for number in range(1, 7)):
        return None
    if any(not 0 <= scores[number] <= 4 for number in range(1, 7)):
        raise ValueError("ASAM dimension scores run from 0 to 4")
    if detox_flag:
        return Suggestion(
            LevelOfCareSuggestion.WITHDRAWAL_MANAGEMENT,
            "High withdrawal risk: withdrawal management (detox) comes before outpatient care.",
        )
    others = {number: score for number, score in scores.items() if number != READINESS}
    severe = sorted(number for number, score in others.items() if score == 4)
    if severe:
        return Suggestion(
            LevelOfCareSuggestion.RESIDENTIAL,
            f"Severe (4) in {_dimensions(severe)}: needs 24-hour care.",
        )
    significant = sorted(number for number, score in others.items() if score == 3)
    if significant:
        return Suggestion(
            LevelOfCareSuggestion.PHP,
            f"Significant (3) in {_dimensions(significant)}: partial hospitalization.",
        )
    moderate = sorted(number for number, score in scores.items() if score >= 2)
    if moderate:
        return Suggestion(
            LevelOfCareSuggestion.IOP,
            f"Moderate or higher in {_dimensions(moderate)}: intensive outpatient.",
        )
    return Suggestion(LevelOfCareSuggestion.OP, "Every dimension none or mild: outpatient.")


def _dimensions(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"dimension {numbers[0]}"
    return "dimensions " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
