"""The payer directory: lookups by name or alias, and honesty about unconfirmed payer IDs."""

import pytest

from admissions.eligibility import payers


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Aetna", "aetna"),
        ("  AETNA  ", "aetna"),
        ("Anthem Blue Cross", "anthem_blue_cross"),
        ("anthem-blue cross", "anthem_blue_cross"),
        ("Blue Cross of California", "anthem_blue_cross"),
        ("Blue Shield of California", "blue_shield_ca"),
        ("BLUE SHIELD, CA", "blue_shield_ca"),
        ("cigna", "cigna"),
        ("United Healthcare", "unitedhealthcare"),
        ("UHC", "unitedhealthcare"),
        ("Optum", "unitedhealthcare"),
        ("Health Net", "health_net"),
        ("HealthNet", "health_net"),
        ("Kaiser", "kaiser"),
        ("Kaiser Permanente", "kaiser"),
        ("Magellan", "magellan"),
        ("Beacon Health Options", "carelon"),
        ("Carelon Behavioral Health", "carelon"),
        ("TRICARE West", "tricare_west"),
        ("TriWest", "tricare_west"),
        ("Tricare", "tricare_west"),
        ("Managed Health Network", "mhn"),
        ("blue_shield_ca", "blue_shield_ca"),
    ],
)
def test_lookup_ignores_case_spacing_and_punctuation(typed, key):
    assert payers.lookup(typed).key == key


def test_ampersand_and_accents_are_normalised():
    assert payers.normalize("Blue Cross & Blue Shield") == payers.normalize("blue cross and blue shield")
    assert payers.normalize("Mágellan") == "magellan"


@pytest.mark.parametrize("typed", ["", "Other", "Blue", "Medicare", "Aetna Canada Plus"])
def test_unknown_names_find_nothing(typed):
    assert payers.lookup(typed) is None


def test_every_payer_has_an_id_for_every_clearinghouse_and_none_claims_to_be_confirmed():
    for payer in payers.PAYERS:
        for clearinghouse in payers.CLEARINGHOUSES:
            assert payer.payer_id(clearinghouse), (payer.key, clearinghouse)
        # Flip only after checking the clearinghouse's own payer list (see the module docstring).
        assert payer.ids_confirmed is False


def test_keys_and_names_are_unique_and_the_form_gets_choices():
    keys = [key for key, _ in payers.choices()]
    assert len(keys) == len(set(keys)) == len(payers.PAYERS)
    assert ("kaiser", "Kaiser Permanente") in payers.choices()
    assert payers.get("magellan").display_name == "Magellan Healthcare"
    with pytest.raises(KeyError):
        payers.get("nope")


def test_kaiser_carries_the_out_of_network_warning():
    assert "not accepted for out-of-network" in payers.get("kaiser").note
