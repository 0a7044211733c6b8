"""Business-step vocabulary: CBV 2.0 loaded from CBV.jsonld, plus Boucle's circular steps."""

import json
from importlib import resources

import pytest

from boucle.epcis.vocab import (
    BOUCLE_BIZSTEP,
    BOUCLE_BIZSTEPS,
    BOUCLE_VOC,
    bizstep_word,
    boucle_bizsteps,
    boucle_vocabulary_jsonld,
    cbv_bizsteps,
    cbv_terms,
    context_vocabularies,
    normalize_bizstep,
)

LIFECYCLE = ["commissioning", "shipping", "receiving", "installing", "repairing", "disassembling",
             "removing", "replacing", "collecting", "destroying", "decommissioning", "inspecting"]


def test_cbv_bizsteps_match_the_epcis_context_terms():
    """Two GS1 artefacts, one list: a mismatch would mean a stale or truncated copy."""
    assert cbv_bizsteps() == context_vocabularies()[(None, "bizStep")]


@pytest.mark.parametrize("word", LIFECYCLE)
def test_life_cycle_steps_are_standard(word):
    assert cbv_bizsteps()[word] == f"https://ref.gs1.org/cbv/BizStep-{word}"


def test_cbv_list_is_read_from_the_shipped_ontology():
    graph = json.loads(resources.files("boucle.epcis").joinpath("data/CBV.jsonld").read_text())
    ids = {n["@id"] for n in graph["@graph"] if n.get("@type") == "cbv:BizStep"}
    assert {f"cbv:BizStep-{w}" for w in cbv_bizsteps()} == ids
    assert "in_transit" in cbv_terms("Disp")


def test_boucle_steps_live_under_the_boucle_namespace_and_do_not_shadow_cbv():
    assert BOUCLE_BIZSTEP.startswith(BOUCLE_VOC)
    assert set(BOUCLE_BIZSTEPS) == {"refurbishing", "reusing", "recycling", "remanufacturing"}
    assert not set(BOUCLE_BIZSTEPS) & set(cbv_bizsteps())
    assert boucle_bizsteps()["recycling"] == BOUCLE_VOC + "bizstep/recycling"


@pytest.mark.parametrize("spelling", [
    "repairing", " Repairing ", "cbv:BizStep-repairing", "bizstep_repairing", "BizStep-repairing",
    "urn:epcglobal:cbv:bizstep:repairing", "https://ref.gs1.org/cbv/BizStep-repairing",
])
def test_normalize_bizstep_accepts_every_spelling_of_a_cbv_step(spelling):
    assert normalize_bizstep(spelling) == "https://ref.gs1.org/cbv/BizStep-repairing"


@pytest.mark.parametrize("spelling", [
    "refurbishing", "boucle:refurbishing", BOUCLE_VOC + "bizstep/refurbishing",
])
def test_normalize_bizstep_accepts_boucle_steps(spelling):
    assert normalize_bizstep(spelling) == BOUCLE_VOC + "bizstep/refurbishing"


@pytest.mark.parametrize("bad", ["repairring", "cbv:BizStep-teleporting",
                                 "https://ref.gs1.org/cbv/BizStep-teleporting", ""])
def test_unknown_step_is_an_error_not_a_silent_new_term(bad):
    with pytest.raises(ValueError):
        normalize_bizstep(bad)


def test_bizstep_word_is_the_inverse_for_display():
    for word, iri in {**cbv_bizsteps(), **boucle_bizsteps()}.items():
        assert bizstep_word(iri) == word
        assert normalize_bizstep(word) == iri


def test_published_boucle_vocabulary_defines_every_step_as_a_business_step():
    from boucle.epcis.jsonld import expand

    nodes = expand(boucle_vocabulary_jsonld())
    types = {n["@id"]: n["@type"] for n in nodes}
    assert types == {iri: ["https://ref.gs1.org/cbv/BizStep"] for iri in boucle_bizsteps().values()}
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert all(n[label][0]["@language"] == "en" for n in nodes)
