"""Issue 11, the rules of the pre-admission screen (admissions.services.screening_rules),
as pure functions: the detox flag, the ASQ, and the suggested level of care."""

import pytest

from admissions.models import LevelOfCareSuggestion as Level
from admissions.services.screening_rules import (
    suggest_level_of_care,
    suicide_risk_acute,
    suicide_risk_positive,
    withdrawal_risk_is_high,
)


def scores(d1, d2, d3, d4, d5, d6):
    return {1: d1, 2: d2, 3: d3, 4: d4, 5: d5, 6: d6}


# The detox flag -----------------------------------------------------------------------


@pytest.mark.parametrize("substance", ["alcohol", "benzodiazepines", "sedatives", "opioids"])
@pytest.mark.parametrize(("symptoms", "seizures"), [("yes", ""), ("no", "yes"), ("", "yes")])
def test_a_risky_substance_with_symptoms_now_or_past_seizures_flags_detox(substance, symptoms, seizures):
    assert withdrawal_risk_is_high(
        substances=["cannabis", substance],
        symptoms_now=symptoms,
        seizures_or_dts=seizures,
        intoxication_withdrawal_score=None,
    )


@pytest.mark.parametrize(
    ("substances", "symptoms", "seizures"),
    [
        (["alcohol"], "no", "no"),  # risky substance, no symptoms, no seizure history
        (["alcohol"], "declined", ""),  # unknown is not a yes
        (["stimulants", "cannabis"], "yes", "yes"),  # symptoms, but not a dangerous withdrawal
        ([], "yes", "yes"),
    ],
)
def test_no_detox_flag_without_both_parts(substances, symptoms, seizures):
    assert not withdrawal_risk_is_high(
        substances=substances,
        symptoms_now=symptoms,
        seizures_or_dts=seizures,
        intoxication_withdrawal_score=2,
    )


@pytest.mark.parametrize("score", [3, 4])
def test_dimension_one_scored_three_or_more_flags_detox_on_its_own(score):
    assert withdrawal_risk_is_high(
        substances=["stimulants"],
        symptoms_now="no",
        seizures_or_dts="no",
        intoxication_withdrawal_score=score,
    )


# The ASQ -----------------------------------------------------------------------------


def test_any_yes_or_refusal_of_the_four_questions_is_positive():
    assert not suicide_risk_positive(questions=["no", "no", "no", "no"])
    assert not suicide_risk_positive(questions=["", "", "", ""])
    assert suicide_risk_positive(questions=["no", "no", "yes", "no"])
    assert suicide_risk_positive(questions=["no", "declined", "no", "no"])


def test_the_acuity_question_makes_it_acute_and_a_yes_there_is_positive_on_its_own():
    assert suicide_risk_acute(right_now="yes") and suicide_risk_acute(right_now="declined")
    assert not suicide_risk_acute(right_now="no")
    assert suicide_risk_positive(questions=["no"] * 4, right_now="yes")


# The suggested level of care --------------------------------------------------------


@pytest.mark.parametrize(
    ("dimensions", "expected"),
    [
        (scores(0, 0, 0, 0, 0, 0), Level.OP),
        (scores(1, 1, 1, 1, 1, 1), Level.OP),
        (scores(0, 1, 2, 1, 1, 0), Level.IOP),
        (scores(1, 0, 1, 3, 1, 1), Level.IOP),  # readiness alone never goes above IOP
        (scores(1, 0, 1, 4, 1, 1), Level.IOP),
        (scores(2, 0, 3, 1, 2, 1), Level.PHP),
        (scores(0, 0, 0, 0, 0, 3), Level.PHP),
        (scores(2, 0, 0, 0, 4, 1), Level.RESIDENTIAL),
        (scores(1, 4, 3, 2, 1, 1), Level.RESIDENTIAL),
        (scores(3, 0, 0, 0, 0, 0), Level.WITHDRAWAL_MANAGEMENT),  # through the detox flag
    ],
)
def test_the_highest_score_drives_the_suggestion(dimensions, expected):
    detox = withdrawal_risk_is_high(
        substances=[], symptoms_now="", seizures_or_dts="", intoxication_withdrawal_score=dimensions[1]
    )
    assert suggest_level_of_care(dimensions, detox_flag=detox).level == expected


def test_the_detox_flag_comes_before_everything_else():
    suggestion = suggest_level_of_care(scores(1, 0, 0, 0, 0, 0), detox_flag=True)
    assert suggestion.level == Level.WITHDRAWAL_MANAGEMENT
    assert "withdrawal" in suggestion.reason


def test_the_reason_names_the_dimensions():
    assert "dimension 3" in suggest_level_of_care(scores(0, 0, 3, 0, 1, 0), detox_flag=False).reason
    reason = suggest_level_of_care(scores(2, 4, 0, 0, 4, 0), detox_flag=False).reason
    assert "dimensions 2 and 5" in reason


def test_no_suggestion_until_every_dimension_is_scored():
    assert suggest_level_of_care({1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: None}, detox_flag=False) is None
    assert suggest_level_of_care({}, detox_flag=True) is None


def test_a_score_outside_zero_to_four_is_refused():
    with pytest.raises(ValueError):
        suggest_level_of_care(scores(0, 0, 5, 0, 0, 0), detox_flag=False)
