"""Aqueous liquid wastes are wastes carried by tanker, not water (issue 11, "receivers that can really receive").

Aqueous washing liquids and mother liquors (07 xx 01*), aqueous liquid wastes (16 10 01*) or rinsing liquids
(11 01 11*) are liquid wastes sent by road to a physico-chemical treatment plant or an incinerator (EU BREF WT
2018, treatment of water-based liquid waste; NACE 38.22), counted in tonnes; a site's cooling water keeps the
water path: a pipe to a neighbour within 20 km, in m3."""

import json

import pytest

from boucle.cli import main
from boucle.matching.pipeline import FlowIn, SiteIn, propose
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db

KM = 1 / 111.2  # degrees of latitude per km


def jsonl(capsys):
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_soiled_washing_water_goes_by_tanker_to_a_physico_chemical_treater_in_tonnes(capsys):
    plant = make_site("Fabrication de cosmétiques", lat=50.0, naf="20.42Z")
    make_site("Station d'épuration", lat=50.0 + 3 * KM, naf="37.00Z")
    make_site("ISDND", lat=50.0 + 5 * KM, naf="38.21Z")
    treater = make_site("Centre de traitement physico-chimique", lat=50.0 + 60 * KM, naf="38.22Z")
    # typed as a company would: the waste code in the label, no code nor hazard filled in apart
    make_flow(plant, "Eaux de lavage souillées (07 06 01*)")
    rows = [r for r in jsonl(capsys) if r["offer_label"] == "Eaux de lavage souillées (07 06 01*)"]
    assert [(r["need_site_id"], r["unit"], r["explanation"]["hazardous"]) for r in rows] == [(treater.site_id, "t", True)]
    assert rows[0]["distance_km"] == pytest.approx(60, abs=1)


def test_cooling_water_keeps_the_water_path(capsys):
    plant = make_site("Centrale thermique", lat=50.0, naf="35.11Z")
    near = make_site("Pisciculture", lat=50.0 + 8 * KM, naf="03.22Z")
    make_site("Pisciculture lointaine", lat=50.0 + 45 * KM, naf="03.22Z")
    make_flow(plant, "Rejets d'eau de refroidissement", kind="water")
    rows = [r for r in jsonl(capsys) if r["offer_label"] == "Rejets d'eau de refroidissement"]
    assert [(r["need_site_id"], r["unit"]) for r in rows] == [(near.site_id, "m3")]


def _site(site_id, naf, north_km):
    return SiteIn(site_id, 50.0 + north_km * KM, 3.0, naf, "")


@pytest.mark.parametrize("label", [
    "Déchets liquides aqueux contenant des substances dangereuses (16 10 01*)",
    "Liquides aqueux de rinçage (11 01 11*)",
    "Liquides aqueux de nettoyage 12 03 01*",
])
def test_hazardous_aqueous_liquid_wastes_never_reach_a_site_that_cannot_take_them(label):
    sites = [_site("giver", "25.61", 0), _site("sewage", "37.00", 2), _site("landfill", "38.21", 4),
             _site("treater", "38.22", 60)]
    got = [(p.need_site_id, p.unit) for p in propose(sites, [FlowIn("o", "giver", "offer", label=label)])]
    assert got == [("treater", "t")]


def test_non_hazardous_aqueous_liquid_waste_and_leachate_go_by_road_to_sewage_works():
    # 16 10 02 and 19 07 03 are not hazardous: a sewage works takes them in by tanker (NACE 37.00), at road
    # distance, never a hazardous-waste treater's intake nor a landfill (no liquid waste in landfill)
    sites = [_site("giver", "38.21", 0), _site("sewage", "37.00", 50), _site("treater", "38.22", 10),
             _site("landfill", "38.21", 5)]
    for label in ("Déchets liquides aqueux (16 10 02)", "Lixiviats de décharge (19 07 03)"):
        got = [(p.need_site_id, p.unit) for p in propose(sites, [FlowIn("o", "giver", "offer", label=label)])]
        assert got == [("sewage", "t")], label


@pytest.mark.parametrize("label", [
    "Eaux de lavage souillées", "eaux de lavage de cuves", "dirty wash water", "Waschwasser verschmutzt",
])
def test_soiled_washing_water_without_a_code_is_a_liquid_waste_by_tanker(label):
    """The words say it without the code: soiled, or having washed tanks, the water is no process water but an
    aqueous liquid waste in tonnes, to a waste water treatment plant (16 10 02) or, said hazardous, to a
    hazardous waste treater (16 10 01*)."""
    sites = [_site("giver", "20.42", 0), _site("sewage", "37.00", 2), _site("treater", "38.22", 60)]
    got = [(p.need_site_id, p.unit) for p in propose(sites, [FlowIn("o", "giver", "offer", label=label)])]
    assert got == [("sewage", "t")]
    said = FlowIn("o", "giver", "offer", label=label, hazardous=True)
    assert [(p.need_site_id, p.unit) for p in propose(sites, [said])] == [("treater", "t")]


def test_clean_washing_water_keeps_the_water_path():
    sites = [_site("giver", "20.42", 0), _site("treater", "38.22", 60)]
    got = propose(sites, [FlowIn("o", "giver", "offer", label="eau de lavage", kind="water")])
    assert all(p.unit == "m3" for p in got) and "treater" not in {p.need_site_id for p in got}


# Treated waste water (the effluent of a sewage works, « eaux usées traitées », REUT, reclaimed water) is water: piped
# to the users of large volumes of cooling and process water nearby, in m3 (US EPA 2012 Guidelines for Water Reuse,
# 3.3; EU BREF ICS 2001), never in tonnes.
@pytest.mark.parametrize("label", ["Eaux usées traitées", "Treated effluent", "Reclaimed water", "REUT"])
def test_a_power_station_near_a_sewage_works_is_proposed_its_treated_effluent_in_m3(label):
    sites = [SiteIn("wwtp", 50.0, 3.0, "37.00Z", "Station d'épuration"),
             SiteIn("power", 50.0 + 4 * KM, 3.0, "35.11Z", "Centrale thermique"),
             SiteIn("far", 50.0 + 60 * KM, 3.0, "35.11Z", "Centrale thermique lointaine")]
    got = [(p.need_site_id, p.unit) for p in propose(sites, [FlowIn("o", "wwtp", "offer", label=label)])]
    assert ("power", "m3") in got
    assert all(unit == "m3" for _, unit in got) and "far" not in {s for s, _ in got}


def test_a_paper_mill_near_a_sewage_works_is_proposed_its_treated_effluent_in_m3():
    sites = [SiteIn("wwtp", 50.0, 3.0, "", "Wastewater treatment plant"),
             SiteIn("mill", 50.0 + 3 * KM, 3.0, "", "Paper mill")]
    got = [(p.need_site_id, p.unit) for p in propose(sites, [FlowIn("o", "wwtp", "offer", label="Treated effluent")])]
    assert got == [("mill", "m3")]
