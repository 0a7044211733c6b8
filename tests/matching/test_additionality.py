"""Proposals valued against what happens today: no credit for what already happens, heat and water physics.

The hand-computed cases are those of docs/impact-method.md (cases 1, 4a, 11 and 12).
"""

import math
from pathlib import Path

import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.matching.pipeline import FlowIn, SiteIn, classify_flow, propose

DOC = Path(__file__).resolve().parents[2] / "docs" / "impact-method.md"


def _doc_case(name: str) -> dict:
    text = DOC.read_text(encoding="utf-8")
    for block in text.split("```impact-case\n")[1:]:
        body = dict(line.split(":", 1) for line in block.split("```", 1)[0].strip().splitlines())
        body = {k.strip(): v.strip() for k, v in body.items()}
        if body["case"] == name:
            return body
    raise KeyError(name)


def _east(lat: float, lon: float, km: float) -> tuple[float, float]:
    return lat, lon + km / (111.195 * math.cos(math.radians(lat)))


def _scrap_world(route=None, quantity=1000.0):
    dealer = SiteIn("dealer", 50.63, 3.06, naf_code="46.77Z")
    steel = SiteIn("steel", *_east(50.63, 3.06, 20), naf_code="24.10Z")
    flows = [FlowIn("scrap", "dealer", "offer", label="Ferraille", class_key="steel_scrap", quantity_t=quantity,
                    unit="t" if quantity else None, current_route=route),
             FlowIn("need", "steel", "need", label="Ferraille", class_key="steel_scrap", quantity_t=5000, unit="t")]
    return [dealer, steel], flows


def test_scrap_already_recycled_is_not_proposed_but_landfilled_scrap_is():
    sites, flows = _scrap_world(route=None)  # no route declared: steel scrap is sold today (documented default)
    assert not [p for p in propose(sites, flows, inferred=False) if p.offer_flow_id == "scrap"]
    sites, flows = _scrap_world(route="R4")
    assert not propose(sites, flows, inferred=False)
    sites, flows = _scrap_world(route="D1")
    (p,) = propose(sites, flows, inferred=False)
    case1 = _doc_case("steel_scrap")
    gain = float(case1["ef_virgin"]) + float(case1["ef_disposal"]) - float(case1["ef_processing"])
    expected = 1000 * (gain - p.distance_km * float(case1["ef_transport"])) / 1000
    assert p.co2e_avoided_t_per_year == pytest.approx(expected, rel=1e-4)
    assert p.tonnes_diverted == pytest.approx(1000)
    assert p.co2e_low_t < p.co2e_avoided_t_per_year < p.co2e_high_t
    assert p.explanation["current_route"] == "landfill" and p.explanation["current_route_assumed"] is False


def test_offer_without_quantity_is_still_proposed_with_unknown_figures():
    sites, flows = _scrap_world(route=None, quantity=None)
    (p,) = propose(sites, flows, inferred=False)
    assert p.co2e_avoided_t_per_year is None and p.eur_saved is None and p.co2e_low_t is None
    assert p.explanation["current_route"] == "recycling" and p.explanation["current_route_assumed"] is True


def _heat_world(km: float, supply_c: float, need_c: float = 60.0):
    plant = SiteIn("plant", 50.63, 3.06, naf_code="20.14Z")
    greenhouse = SiteIn("greenhouse", *_east(50.63, 3.06, km), naf_code="01.13Z")
    flows = [FlowIn("heat", "plant", "offer", label="Chaleur fatale", kind="energy", class_key="waste_heat_low",
                    quantity_t=5000, unit="MWh", temperature_c=supply_c),
             FlowIn("need", "greenhouse", "need", label="Chauffage des serres", kind="energy",
                    class_key="waste_heat_low", quantity_t=6000, unit="MWh", temperature_c=need_c)]
    return [plant, greenhouse], flows


def test_heat_is_proposed_within_its_break_even_distance_only():
    (p,) = propose(*_heat_world(2.0, 80.0), inferred=False)
    b = exchange_breakdown("waste_heat_low", 5000, "MWh", p.distance_km, supply_temperature_c=80,
                           need_temperature_c=60)
    assert p.co2e_avoided_t_per_year == pytest.approx(b.co2e_avoided_t, rel=1e-6)
    assert p.co2e_avoided_t_per_year == pytest.approx(959.628, rel=2e-3)  # case 4a at ~2 km
    assert p.explanation["heat_breakeven_km"] == pytest.approx(3.888, abs=0.01)
    assert propose(*_heat_world(5.0, 80.0), inferred=False) == []  # beyond 3.9 km the pipe costs more


def test_cooler_heat_reaches_the_need_through_a_heat_pump():
    (p,) = propose(*_heat_world(1.0, 40.0), inferred=False)
    b = exchange_breakdown("waste_heat_low", 5000, "MWh", p.distance_km, supply_temperature_c=40,
                           need_temperature_c=60)
    assert b.heat["use"] == "heat_pump"
    assert p.co2e_avoided_t_per_year == pytest.approx(b.co2e_avoided_t, rel=1e-6)
    # a need a heat pump cannot reach (steam at 180 °C) is not served by 40 °C heat
    assert propose(*_heat_world(1.0, 40.0, need_c=180.0), inferred=False) == []


def test_inferred_heat_need_carries_the_temperature_of_its_activity():
    plant = SiteIn("plant", 50.63, 3.06, naf_code="20.14Z")
    dairy = SiteIn("dairy", *_east(50.63, 3.06, 0.5), naf_code="10.51A")
    flows = [FlowIn("heat", "plant", "offer", label="Eau chaude", kind="energy", class_key="hot_water",
                    quantity_t=5000, unit="MWh", temperature_c=90)]
    proposals = [p for p in propose([plant, dairy], flows) if p.need_site_id == "dairy"]
    assert proposals and all(p.explanation["need_temperature_c"] == 72 for p in proposals)  # HTST pasteurisation


def test_warm_cooling_water_return_is_low_grade_heat_not_cooling_water():
    offer = FlowIn("ret", "s", "offer", label="Retour eau de refroidissement 35 °C", kind="water", temperature_c=35)
    assert [k for k, _ in classify_flow(offer)] == ["waste_heat_low"]
    cold = FlowIn("cw", "s", "offer", label="Eau de refroidissement", kind="water", temperature_c=18)
    assert [k for k, _ in classify_flow(cold)][0] == "water_cooling"
    a, b = SiteIn("a", 50.63, 3.06, naf_code="35.11Z"), SiteIn("b", *_east(50.63, 3.06, 1), naf_code="24.10Z")
    flows = [FlowIn("ret", "a", "offer", label="Retour eau de refroidissement", kind="water", temperature_c=35,
                    quantity_t=100000, unit="m3"),
             FlowIn("need", "b", "need", label="Eau de refroidissement", kind="water", quantity_t=100000, unit="m3")]
    assert not [p for p in propose([a, b], flows, inferred=False) if p.material_class == "water_cooling"]


def test_water_cascade_irrigation_finds_treated_waste_water_not_a_process_need():
    case = _doc_case("water_cascade_irrigation")
    wwtp = SiteIn("wwtp", 50.63, 3.06, naf_code="37.00Z")
    farm = SiteIn("farm", *_east(50.63, 3.06, 3), naf_code="01.11Z")
    works = SiteIn("works", *_east(50.63, 3.06, -3), naf_code="20.14Z")
    flows = [FlowIn("eut", "wwtp", "offer", label="Eaux usées traitées", kind="water",
                    class_key=case["material"], quantity_t=float(case["quantity"]), unit="m3"),
             FlowIn("irr", "farm", "need", label="Eau d'irrigation", kind="water", quantity_t=60000, unit="m3"),
             FlowIn("proc", "works", "need", label="Eau de process", kind="water", class_key=case["not_for_class"],
                    quantity_t=60000, unit="m3")]
    assert classify_flow(flows[1])[0][0] == case["need_class"]
    proposals = propose([wwtp, farm, works], flows, inferred=False)
    assert {p.need_flow_id for p in proposals} == {"irr"}
    (p,) = proposals
    assert p.co2e_avoided_t_per_year == pytest.approx(float(case["co2e_avoided_t"]), rel=1e-6)
    assert p.explanation["current_route"] == "discharge_treated"


def test_the_estimate_is_for_what_the_declared_need_can_take():
    sites, flows = _heat_world(1.0, 80.0)  # 2,000 MWh reach 1.6 km, not 2
    flows[1] = FlowIn("need", "greenhouse", "need", label="Chauffage des serres", kind="energy",
                      class_key="waste_heat_low", quantity_t=2000, unit="MWh", temperature_c=60)
    (p,) = propose(sites, flows, inferred=False)
    b = exchange_breakdown("waste_heat_low", 2000, "MWh", p.distance_km, supply_temperature_c=80,
                           need_temperature_c=60)
    assert p.co2e_avoided_t_per_year == pytest.approx(b.co2e_avoided_t, rel=1e-6)
