"""The held-out protocol of issue 11, run end to end on the command line (scripts/heldout_protocol.py):
parks imported as a user would (sites with words, offers only), ``boucle match`` default output scored."""
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "heldout_protocol.py"


@pytest.fixture(scope="module")
def protocol():
    spec = importlib.util.spec_from_file_location("heldout_protocol", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def two_parks(protocol):
    # Kalundborg (101) and Kwinana (103): two parks of the literature check set, thousands of km apart
    return protocol.run_protocol("literature", describe="words", cases=["101", "103"])[0]


def test_every_site_and_offer_of_the_parks_is_imported(two_parks):
    assert two_parks["sites"] == 23 and two_parks["offers"] == 20  # an import that rejects a line stops the run
    assert set(two_parks["cases"]) == {"101", "103"}


def test_no_proposal_crosses_from_one_park_to_another(two_parks):
    assert two_parks["proposed"] > 0
    assert two_parks["cross_park_proposals"] == 0


def test_the_default_output_beats_proposing_everything_to_everyone(two_parks):
    engine, everyone = two_parks["pooled"], two_parks["baselines"]["everyone_to_everyone"]
    assert everyone["recall"] == 1.0
    assert engine["precision"] > 2 * everyone["precision"]
    assert engine["f1"] > everyone["f1"]


def test_a_division_code_keeps_the_parks_apart_too(protocol):
    res = protocol.run_protocol("literature", describe="codes", level="division", cases=["101"])[0]
    assert res["proposed"] > 0 and res["cross_park_proposals"] == 0
    assert res["pooled"]["f1"] > res["baselines"]["everyone_to_everyone"]["f1"]
