"""The 270 builder against golden strings written by hand from the 005010X279A1 layout."""

from datetime import UTC, date, datetime

import pytest

from admissions.eligibility import Dependent, InvalidEligibilityRequest
from admissions.eligibility.fake_clearinghouse import request_from_270
from admissions.eligibility.x12_270 import Envelope, build_270
from admissions.eligibility.x12_text import split_segments

from .conftest import make_request

GOLDEN_SUBSCRIBER = "".join(
    [
        "ISA*00*          *00*          *ZZ*SHEERRECOVERY  *ZZ*CLEARINGHOUSE  *250303*0905*^*00501*123456789*0*P*:~",
        "GS*HS*SHEERRECOVERY*CLEARINGHOUSE*20250303*0905*123456789*X*005010X279A1~",
        "ST*270*0001*005010X279A1~",
        "BHT*0022*13*TRACE0001*20250303*0905~",
        "HL*1**20*1~",
        "NM1*PR*2*AETNA*****PI*60054~",
        "HL*2*1*21*1~",
        "NM1*1P*2*SHEER RECOVERY*****XX*1234567893~",
        "HL*3*2*22*0~",
        "TRN*1*TRACE0001*9123456789~",
        "NM1*IL*1*DOE*JANE****MI*W123456789~",
        "REF*6P*G100~",
        "DMG*D8*19900517~",
        "DTP*291*D8*20250303~",
        # Issue 11: one service type per 270 (MH by default), not four.
        "EQ*MH~",
        "SE*14*0001~",
        "GE*1*123456789~",
        "IEA*1*123456789~",
    ]
)

GOLDEN_DEPENDENT = "".join(
    [
        "ISA*00*          *00*          *ZZ*SHEERREC01     *ZZ*STEDI          *251231*2359*^*00501*000000042*0*T*:~",
        "GS*HS*SHEERREC01*STEDI*20251231*2359*42*X*005010X279A1~",
        "ST*270*0001*005010X279A1~",
        "BHT*0022*13*DEPTRACE7*20251231*2359~",
        "HL*1**20*1~",
        "NM1*PR*2*BLUE SHIELD OF CALIFORNIA*****PI*94036~",
        "HL*2*1*21*1~",
        "NM1*1P*2*SHEER RECOVERY*****XX*1234567893~",
        "HL*3*2*22*1~",
        "NM1*IL*1*NUNEZ*JOSE****MI*XEA123456789~",
        "REF*6P*W0051~",
        "HL*4*3*23*0~",
        "TRN*1*DEPTRACE7*1987654321~",
        "NM1*03*1*NUNEZ*SOFIA~",
        "INS*N*19~",
        "DMG*D8*20080615~",
        "DTP*291*D8*20260105~",
        "EQ*AI~",
        "SE*17*0001~",
        "GE*1*42~",
        "IEA*1*000000042~",
    ]
)


def dependent_request():
    return make_request(
        payer_id="94036",
        payer_name="Blue Shield of California",
        subscriber_first_name="José",
        subscriber_last_name="Núñez",
        subscriber_date_of_birth=None,
        member_id="XEA 123 456 789",
        group_number="W0051",
        dependent=Dependent("Sofía", "Núñez", date(2008, 6, 15), "19"),
        service_type="AI",
        trace_number="DEPTRACE7",
        date_of_service=date(2026, 1, 5),
    )


def test_subscriber_270_matches_golden_string():
    built = build_270(make_request(), control_number=123456789, now=datetime(2025, 3, 3, 9, 5))
    assert built == GOLDEN_SUBSCRIBER


def test_dependent_270_matches_golden_string():
    envelope = Envelope(sender_id="SHEERREC01", receiver_id="STEDI", usage="T", originator_id="1987654321")
    built = build_270(
        dependent_request(), control_number=42, now=datetime(2025, 12, 31, 23, 59), envelope=envelope
    )
    assert built == GOLDEN_DEPENDENT


def test_aware_time_is_written_in_the_centre_local_time():
    # 17:05 UTC on 3 March 2025 is 09:05 in Los Angeles (PST, before the DST change).
    built = build_270(make_request(), control_number=123456789, now=datetime(2025, 3, 3, 17, 5, tzinfo=UTC))
    assert built == GOLDEN_SUBSCRIBER


def _envelope_facts(x12: str):
    delimiters, segments = split_segments(x12)
    ids = [s[0] for s in segments]
    by_id = {s[0]: s for s in segments}
    return delimiters, segments, ids, by_id


@pytest.mark.parametrize("code", ["30", "MH", "AI", "CJ", "A8"])
@pytest.mark.parametrize("with_dependent", [False, True])
@pytest.mark.parametrize("control", [1, 7, 999_999_999])
def test_segment_count_and_control_numbers_agree(code, with_dependent, control):
    request = make_request(
        service_type=code,
        dependent=Dependent("Kid", "Doe", date(2010, 1, 1), "19") if with_dependent else None,
    )
    x12 = build_270(request, control_number=control, now=datetime(2025, 3, 3, 9, 5))
    delimiters, segments, ids, by_id = _envelope_facts(x12)
    assert len(x12.split("~")[0]) + 1 == 106  # the ISA is fixed-width
    st, se = ids.index("ST"), ids.index("SE")
    assert by_id["SE"][1] == str(se - st + 1)
    assert by_id["SE"][2] == by_id["ST"][2] == "0001"
    assert by_id["ISA"][13] == by_id["IEA"][2] == f"{control:09d}"
    assert by_id["GS"][6] == by_id["GE"][2] == str(control)
    assert by_id["GE"][1] == by_id["IEA"][1] == "1"
    # Issue 11: exactly one EQ loop, one service type, per 270.
    assert [s[1] for s in segments if s[0] == "EQ"] == [code]
    # The EQ loops and the trace number sit at the patient's level only.
    assert ids.count("TRN") == 1
    patient_hl = "23" if with_dependent else "22"
    last_hl = max(i for i, s in enumerate(segments) if s[0] == "HL")
    assert segments[last_hl][3] == patient_hl
    assert ids.index("TRN") > last_hl and ids.index("EQ") > last_hl


def test_delimiters_typed_into_answers_cannot_inject_segments():
    request = make_request(
        subscriber_last_name="O'Brien*~^:HL",
        subscriber_first_name="Ann~ISA",
        member_id="W12*34~56",
        group_number="G:1^0",
    )
    x12 = build_270(request, control_number=5, now=datetime(2025, 3, 3, 9, 5))
    _, segments, ids, by_id = _envelope_facts(x12)
    assert ids.count("HL") == 3 and ids.count("ISA") == 1
    subscriber = next(s for s in segments if s[0] == "NM1" and s[1] == "IL")
    assert subscriber[3:5] == ["O'BRIEN HL", "ANN ISA"]
    assert subscriber[9] == "W12 34 56".replace(" ", "")
    assert by_id["REF"][2] == "G10"


def test_long_names_are_cut_to_the_element_maximum():
    request = make_request(subscriber_last_name="L" * 80, subscriber_first_name="F" * 50)
    x12 = build_270(request, control_number=5, now=datetime(2025, 3, 3, 9, 5))
    subscriber = next(s for s in _envelope_facts(x12)[1] if s[0] == "NM1" and s[1] == "IL")
    assert (len(subscriber[3]), len(subscriber[4])) == (60, 35)


def test_no_group_number_means_no_ref_segment():
    x12 = build_270(make_request(group_number="  "), control_number=5, now=datetime(2025, 3, 3, 9, 5))
    assert "REF" not in _envelope_facts(x12)[2]
    assert "SE*13*0001~" in x12  # one EQ (issue 11), no REF


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"subscriber_last_name": "张伟"}, "subscriber last name has no characters X12 can carry"),
        ({"member_id": "   "}, "member ID missing"),
        ({"provider_npi": "1234567890"}, "provider NPI missing or not a valid NPI"),
        ({"provider_npi": ""}, "provider NPI missing or not a valid NPI"),
        ({"subscriber_date_of_birth": date(2999, 1, 1)}, "subscriber date of birth in the future"),
        ({"subscriber_date_of_birth": None}, "subscriber date of birth missing"),
        ({"service_type": "A*"}, "service type code not 1-2 letters or digits"),
        ({"service_type": ""}, "no service type code"),
        ({"payer_id": ""}, "payer ID missing"),
        (
            {"dependent": Dependent("Kid", "Doe", date(2010, 1, 1), "99")},
            "relationship code not one of 01, 19, 34",
        ),
        ({"trace_number": "T" * 51}, "trace number must be 1 to 50 characters"),
    ],
)
def test_unsendable_requests_are_refused_naming_the_field_not_the_value(overrides, problem):
    request = make_request(**{"member_id": "SECRETMEMBER9", **overrides})
    with pytest.raises(InvalidEligibilityRequest) as caught:
        build_270(request, control_number=5, now=datetime(2025, 3, 3, 9, 5))
    assert problem in caught.value.problems
    message = str(caught.value)
    for value in ("SECRETMEMBER9", "Jane", "Doe", "张伟", "19900517", "1990-05-17"):
        assert value not in message


def test_control_number_out_of_range_is_refused():
    with pytest.raises(ValueError, match="control number"):
        build_270(make_request(), control_number=1_000_000_000, now=datetime(2025, 3, 3, 9, 5))


def test_a_270_reads_back_to_the_same_request():
    request = dependent_request()
    x12 = build_270(request, control_number=42, now=datetime(2025, 12, 31, 23, 59))
    back = request_from_270(x12)
    assert (back.member_id, back.subscriber_last_name, back.subscriber_first_name) == (
        "XEA123456789",
        "NUNEZ",
        "JOSE",
    )
    assert (back.dependent.first_name, back.dependent.date_of_birth) == ("SOFIA", date(2008, 6, 15))
    assert back.trace_number == "DEPTRACE7"
    assert back.service_type == "AI"
    assert back.date_of_service == date(2026, 1, 5)


def test_requests_do_not_show_patient_data_in_repr():
    text = repr(dependent_request())
    assert "DEPTRACE7" in text and "94036" in text
    for value in ("José", "Núñez", "Sofía", "XEA 123", "W0051", "2008"):
        assert value not in text
