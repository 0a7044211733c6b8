"""Quantities by kind: tonnes of material, MWh of energy and m3 of water are never added together."""

import json

import numpy as np
import pytest

from boucle.cli import main
from boucle.matching.potential import Candidates, solve
from boucle.testing import make_flow, make_site


def candidates(rows):
    """rows: (offer, need, offer_q, need_q, unit, kind, co2 for offer_q)"""
    offer, need, oq, nq, unit, kind, co2 = zip(*rows)
    return Candidates(list(offer), list(need), np.array(oq, float), np.array(nq, float), list(unit), list(kind),
                      np.array(oq, float), np.array(co2, float), np.full(len(rows), np.nan),
                      [{"row": i} for i in range(len(rows))])


def test_units_are_reported_apart_and_each_offer_is_used_once():
    c = candidates([
        ("ash", "cement-a", 1000.0, np.nan, "t", "material", 300.0),  # 0.3 t/t
        ("ash", "cement-b", 1000.0, np.nan, "t", "material", 500.0),  # 0.5 t/t: the better receiver
        ("heat", "greenhouse", 7000.0, 4000.0, "MWh", "energy", 1400.0),  # need takes 4000 of 7000 MWh
        ("water", "washer", 50000.0, np.nan, "m3", "water", 15.0),
    ])
    p = solve(c)
    assert p.tonnes_exchanged == pytest.approx(1000.0)  # not 2000: one offer, two alternatives
    assert p.mwh_exchanged == pytest.approx(4000.0)
    assert p.m3_exchanged == pytest.approx(50000.0)  # 3e-4 tCO2e per m3 is not rounded away
    assert p.total_value == pytest.approx(500.0 + 800.0 + 15.0)
    assert {(e["row"], e["unit"]) for e in p.exchanges} == {(1, "t"), (2, "MWh"), (3, "m3")}


def test_an_offer_in_another_unit_or_without_quantity_moves_nothing():
    c = candidates([("sand", "glass", np.nan, np.nan, "t", "material", np.nan),
                    ("soil", "works", 400.0, np.nan, "m3", "material", 40.0)])
    p = solve(c)
    assert p.exchanges == [] and p.offers_quantity_unknown == 1 and p.offers_other_unit == 1


@pytest.mark.django_db
def test_allocate_and_match_keep_units_by_kind(capsys):
    incinerator = make_site("UVE", lat=50.63, lon=3.06, commune="59350", naf="38.21Z")
    greenhouse = make_site("Serres", lat=50.64, lon=3.07, commune="59350", naf="01.13Z")
    make_flow(incinerator, "Chaleur fatale basse température", kind="energy", quantity=7000, unit="MWh",
              quantity_base=7000, base_unit="MWh", material_class="waste_heat_low", temperature_c=90)
    make_flow(greenhouse, "Chaleur basse température", direction="need", kind="energy", quantity=4000, unit="MWh",
              quantity_base=4000, base_unit="MWh", material_class="waste_heat_low", temperature_c=60)
    power = make_site("Centrale", lat=50.63, lon=3.06, commune="59350", naf="35.11Z")
    make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=2000, unit="t", material_class="fly_ash")
    make_site("Cimenterie", lat=50.36, lon=3.52, commune="59606", naf="23.51Z")
    assert main(["match", "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    units = {r["material_class"]: r["unit"] for r in rows}
    assert units.get("waste_heat_low") == "MWh" and units.get("fly_ash") == "t"
    assert main(["allocate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "OPTIMAL" and out["objective"] == "co2"
    assert out["mwh_exchanged"] == pytest.approx(4000.0)
    assert 0 < out["tonnes_exchanged"] <= 2000.0  # heat is never counted as tonnes
    assert {e["unit"] for e in out["exchanges"]} == {"MWh", "t"}
    heat = next(e for e in out["exchanges"] if e["unit"] == "MWh")
    assert heat["quantity"] == pytest.approx(4000.0) and heat["kind"] == "energy"


@pytest.mark.django_db
def test_allocate_before_any_matching_runs_it_rather_than_answer_nothing(capsys):
    power = make_site("Centrale", lat=50.63, lon=3.06, commune="59350", naf="35.11Z")
    make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=2000, unit="t", material_class="fly_ash")
    make_site("Cimenterie", lat=50.36, lon=3.52, commune="59606", naf="23.51Z")
    assert main(["allocate", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)  # stdout holds only the data; the note goes to stderr
    assert out["source"] == "matching" and out["tonnes_exchanged"] == pytest.approx(2000.0)
    assert captured.err


def test_a_need_capped_estimate_is_valued_per_unit_of_what_the_need_takes():
    """A suggestion's CO2e is estimated for what the declared need can take (5,000 of 9,000 MWh):
    the allocation moves those 5,000 and must find that very estimate, not 5/9 of it."""
    c = Candidates(["steam"], [("flow", 1)], np.array([9000.0]), np.array([5000.0]), ["MWh"], ["energy"],
                   np.array([5000.0]), np.array([1000.0]), np.array([np.nan]), [{}])
    p = solve(c)
    assert p.mwh_exchanged == pytest.approx(5000.0) and p.total_value == pytest.approx(1000.0)


@pytest.mark.django_db
def test_stored_suggestions_are_valued_for_the_quantity_their_estimate_is_for():
    from boucle.matching.models import Synergy
    from boucle.matching.territory_potential import stored_candidates

    plant = make_site("Papeterie", lat=50.64, lon=3.08, commune="59350", naf="17.12Z")
    steam = make_flow(plant, "Vapeur excédentaire", kind="energy", quantity=9000, unit="MWh", quantity_base=9000,
                      base_unit="MWh", material_class="steam", temperature_c=180)
    dairy = make_site("Laiterie", lat=50.645, lon=3.085, commune="59350", naf="10.51A")
    need = make_flow(dairy, "Vapeur", direction="need", kind="energy", quantity=5000, unit="MWh", quantity_base=5000,
                     base_unit="MWh", material_class="steam", temperature_c=150)
    Synergy.objects.create(offer=steam, need=need, need_site=dairy, material_class="steam", distance_km=1,
                           quantity_t=9000, score=0.5, co2e_avoided_t=1000.0)
    assert solve(stored_candidates()).total_value == pytest.approx(1000.0)


@pytest.mark.django_db
@pytest.mark.parametrize("fresh", [False, True])
def test_allocate_over_workers_gives_the_same_plan(capsys, monkeypatch, fresh):
    """Fly ash and heat around Lille and around Strasbourg never compete: independent parts of the
    network, solved over two processes (and with --fresh, the matching's tiles too), same plan."""
    from boucle.matching import allocation
    from boucle.web.snapshots import forget_all

    monkeypatch.setattr(allocation, "GROUP_ARCS", 1)  # each part its own solver call, even this small
    parts = []
    real = allocation._independent_groups
    monkeypatch.setattr(allocation, "_independent_groups", lambda *a: parts.append(len(g := real(*a))) or g)

    for i, (lat, lon, commune) in enumerate([(50.63, 3.06, "59350"), (48.58, 7.75, "67482")]):
        power = make_site(f"Centrale {i}", lat=lat, lon=lon, commune=commune, naf="35.11Z")
        make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=2000 + i, unit="t",
                  material_class="fly_ash")
        make_site(f"Cimenterie {i}", lat=lat - 0.2, lon=lon + 0.3, commune=commune, naf="23.51Z")
        uve = make_site(f"UVE {i}", lat=lat + 0.01, lon=lon, commune=commune, naf="38.21Z")
        make_flow(uve, "Chaleur fatale basse température", kind="energy", quantity=7000, unit="MWh",
                  quantity_base=7000, base_unit="MWh", material_class="waste_heat_low", temperature_c=90)
        serres = make_site(f"Serres {i}", lat=lat + 0.02, lon=lon, commune=commune, naf="01.13Z")
        make_flow(serres, "Chaleur basse température", direction="need", kind="energy", quantity=4000 - i,
                  unit="MWh", quantity_base=4000 - i, base_unit="MWh", material_class="waste_heat_low",
                  temperature_c=60)
    flags = ["--fresh"] if fresh else []
    if not fresh:
        assert main(["match", "--format", "jsonl"]) == 0
        capsys.readouterr()
    outputs = []
    for workers in ([], ["--workers", "2"]):
        forget_all()  # the potential is kept per data version: compute it again
        assert main(["allocate", "--json", *flags, *workers]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    one, two = outputs
    assert one == two
    assert parts and min(parts) >= 4  # two materials in two regions
    assert one["mwh_exchanged"] == pytest.approx(4000.0 + 3999.0) and one["tonnes_exchanged"] > 0
    assert {e["unit"] for e in one["exchanges"]} == {"t", "MWh"} and len(one["exchanges"]) >= 4
    assert main(["allocate", "--workers", "0"]) == 2


@pytest.mark.django_db
def test_an_inferred_heat_need_takes_no_more_than_its_site_declared():
    """Waste heat suggested to sites whose activity typically uses heat (no quantity: an inferred need). A
    pasta factory next to a steelworks does not take 470 GWh a year: a site that declared a heat need takes
    at most that much, one that declared none adds nothing to the potential (heat is used where it is made)."""
    from boucle.matching.models import Synergy
    from boucle.matching.territory_potential import stored_candidates

    works = make_site("Aciérie", lat=50.63, lon=3.06, commune="59350", naf="24.10Z")
    heat = make_flow(works, "Chaleur fatale", kind="energy", quantity=470000, unit="MWh", quantity_base=470000,
                     base_unit="MWh", material_class="waste_heat_medium", temperature_c=250)
    pasta = make_site("Pâtes", lat=50.635, lon=3.065, commune="59350", naf="10.73Z")
    make_flow(pasta, "Chaleur basse température", direction="need", kind="energy", quantity=2000, unit="MWh",
              quantity_base=2000, base_unit="MWh", material_class="waste_heat_low", temperature_c=60)
    lab = make_site("Laboratoire", lat=50.64, lon=3.07, commune="59350", naf="72.19Z")
    for site in (pasta, lab):  # the estimate is for the whole offer, as the matching scores an inferred need
        Synergy.objects.create(offer=heat, need=None, need_site=site, material_class="waste_heat_medium",
                               distance_km=1, quantity_t=470000, score=0.5, inferred=True, co2e_avoided_t=94000.0)
    p = solve(stored_candidates())
    assert p.mwh_exchanged == pytest.approx(2000.0)
    assert [e["need_site_id"] for e in p.exchanges] == [pasta.site_id]
    assert p.total_value == pytest.approx(94000.0 * 2000 / 470000)  # valued per MWh of the estimate
