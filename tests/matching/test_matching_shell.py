"""`boucle match` on a hand-built territory, and re-runs that respect people's decisions."""

import json

import pytest

from boucle.cli import main
from boucle.matching import lifecycle
from boucle.matching.models import StatusChange, Synergy
from boucle.matching.service_run import run_matching
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory():
    # A coal power station near Lille offering fly ash; a cement plant 60 km away (Lumbres area would be
    # farther: we place it near Valenciennes); another cement plant in Strasbourg, ~400 km away.
    power = make_site("Centrale thermique", lat=50.63, lon=3.06, commune="59350", naf="35.11Z")
    near = make_site("Cimenterie proche", lat=50.36, lon=3.52, commune="59606", naf="23.51Z")
    far = make_site("Cimenterie lointaine", lat=48.58, lon=7.75, commune="67482", naf="23.51Z")
    ash = make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=20000, unit="t",
                    material_class="fly_ash")
    return power, near, far, ash


def jsonl(capsys, *args):
    assert main(["match", *args]) == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_fly_ash_reaches_the_cement_plant_inside_the_radius_only(territory, capsys):
    power, near, far, ash = territory
    rows = jsonl(capsys, "--format", "jsonl", "--no-store")
    receivers = {r["need_site_id"] for r in rows if r["offer_flow_id"] == str(ash.pk)}
    assert near.site_id in receivers and far.site_id not in receivers
    row = next(r for r in rows if r["need_site_id"] == near.site_id and r["offer_flow_id"] == str(ash.pk))
    assert row["inferred"] is True and row["need_flow_id"] is None and row["need_label"] is None
    assert row["offer_site_id"] == power.site_id and row["offer_label"] == "Cendres volantes de charbon"
    assert 20 < row["distance_km"] < 80 and row["score"] > 0
    assert set(row) >= {"material_class", "quantity", "unit", "co2e_avoided_t_per_year", "explanation"}


def test_a_declared_need_ranks_above_an_inferred_one(territory, capsys):
    power, near, far, ash = territory
    other = make_site("Cimenterie déclarante", lat=50.35, lon=3.50, commune="59606", naf="23.51Z")
    make_flow(other, "Cendres volantes", direction="need", ewc="100102", quantity=20000, unit="t",
              material_class="fly_ash")
    rows = [r for r in jsonl(capsys, "--format", "jsonl", "--no-store") if r["offer_flow_id"] == str(ash.pk)]
    declared = next(r for r in rows if not r["inferred"])
    inferred = next(r for r in rows if r["inferred"] and r["need_site_id"] == near.site_id)
    assert declared["need_site_id"] == other.site_id and declared["score"] > inferred["score"]


def test_radius_option_narrows_the_search(territory, capsys):
    rows = jsonl(capsys, "--format", "jsonl", "--no-store", "--radius-km", "10")
    assert all(r["distance_km"] <= 10 for r in rows)


def test_rerun_updates_suggestions_without_losing_a_status(territory):
    power, near, far, ash = territory
    first = run_matching(None, 200)
    assert first.created > 0 and not Synergy.objects.filter(stale=True).exists()  # fresh proposals are live
    synergy = Synergy.objects.get(offer=ash, need_site=near)
    synergy.status = lifecycle.CONTACTED
    synergy.save()
    StatusChange.objects.create(synergy=synergy, from_status="suggested", to_status="contacted", reason="appel")
    second = run_matching(None, 200)
    synergy.refresh_from_db()
    assert synergy.status == lifecycle.CONTACTED and not synergy.stale
    assert not Synergy.objects.filter(stale=True).exists()  # unchanged suggestions stay live too
    assert second.created == 0 and Synergy.objects.filter(offer=ash, need_site=near).count() == 1


def test_a_suggestion_no_longer_made_becomes_stale_not_deleted(territory):
    power, near, far, ash = territory
    run_matching(None, 200)
    synergy = Synergy.objects.get(offer=ash, need_site=near)
    near.closed = True  # the cement plant closes: the engine stops proposing it
    near.save()
    run_matching(None, 200)
    synergy.refresh_from_db()
    assert synergy.stale and synergy.status == lifecycle.SUGGESTED


def test_empty_and_one_site_territories_work(capsys):
    assert jsonl(capsys, "--format", "jsonl", "--no-store") == []
    site = make_site("Seul", commune="59350", naf="23.51Z")
    make_flow(site, "Cendres volantes", ewc="100102", quantity=10, unit="t")
    assert jsonl(capsys, "--format", "jsonl", "--no-store") == []  # a site never matches itself


def test_unknown_territory_exits_with_the_reason(capsys):
    assert main(["match", "--territory", "epci:000000000"]) == 2
    err = capsys.readouterr().err
    assert "epci" in err and "000000000" in err


def test_pools_of_three_neighbours_sharing_a_waste(capsys):
    # Three workshops on an east-west line, 2 km apart, each with cardboard; the sorting centre (NAF 38)
    # is 20 km north of the middle one. By hand: separate return trips 2 x (20.1 + 20 + 20.1) = 120.4 km;
    # one round depot -> middle (20) -> one end (2) -> other end (4) -> depot (20.1) = 46.1 km.
    sites = [make_site(f"Atelier {i}", lat=50.60, lon=3.00 + i * 0.0283, commune="59350") for i in range(3)]
    make_site("Centre de tri", lat=50.60 + 20 / 111.2, lon=3.0283, commune="59350", naf="38.11Z")
    for site in sites:
        make_flow(site, "Cartons", material_class="cardboard", quantity=12, unit="t")
        # heat is piped, not collected in rounds: three sites with waste heat make no pool
        make_flow(site, "Chaleur fatale", kind="energy", material_class="waste_heat_low", quantity=900, unit="MWh",
                  quantity_base=900, base_unit="MWh")
    assert main(["pools", "--json", "--radius-km", "5"]) == 0
    pools = json.loads(capsys.readouterr().out)["pools"]
    assert len(pools) == 1
    pool = pools[0]
    assert pool["material_class"] == "cardboard" and sorted(pool["site_ids"]) == sorted(s.site_id for s in sites)
    assert pool["truck_km_separate"] == pytest.approx(120.4, rel=0.01)
    assert pool["truck_km_pooled"] == pytest.approx(46.1, rel=0.01)
    assert pool["truck_km_saved"] == pytest.approx(74.3, rel=0.02) and pool["total_t"] == 36


def test_per_need_lists_the_best_offers_of_each_need_with_any_number_of_workers(territory, capsys):
    power, near, far, ash = territory
    buyer = make_site("Cimenterie déclarante", lat=50.35, lon=3.50, commune="59606", naf="23.51Z")
    make_flow(buyer, "Cendres volantes", direction="need", ewc="100102", quantity=5000, unit="t",
              material_class="fly_ash")
    for i in range(3):
        plant = make_site(f"Centrale {i}", lat=50.40 + i * 0.1, lon=3.30, commune="59350", naf="35.11Z")
        make_flow(plant, "Cendres volantes de charbon", ewc="100102", quantity=1000 * (i + 1), unit="t",
                  material_class="fly_ash")
    rows = jsonl(capsys, "--format", "jsonl", "--no-store", "--per-need", "2")
    declared = [r for r in rows if r["need_site_id"] == buyer.site_id and not r["inferred"]]
    assert len(declared) == 2  # four offers of fly ash within reach: the two best
    assert declared[0]["score"] >= declared[1]["score"]
    assert all(r["material_class"] == "fly_ash" for r in declared)
    per_need = {}
    for r in rows:
        per_need.setdefault((r["need_site_id"], r["need_flow_id"]), []).append(r["offer_flow_id"])
    assert max(len(v) for v in per_need.values()) == 2 and all(len(set(v)) == len(v) for v in per_need.values())
    assert jsonl(capsys, "--format", "jsonl", "--no-store", "--per-need", "2", "--workers", "2") == rows


@pytest.mark.parametrize("args, message", [
    (["--per-need", "0"], "--per-need : un nombre d'offres d'au moins 1 est attendu."),
    (["--per-need", "2", "--top", "3"], "--per-need et --top : choisissez l'un des deux"),
])
def test_per_need_refuses_bad_options_before_matching(capsys, args, message):
    assert main(["match", "--no-store", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Mise en relation" not in err


def test_the_table_reads_a_relevance_in_percent_and_french_numbers(territory, capsys):
    assert main(["match", "--no-store"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "km" in line and "→" in line and "%" not in line)
    header, first = lines[at], lines[at + 1]
    assert "pertinence" in header and "score" not in header and "t CO2e/an" in header
    assert " %" in first and "," in first  # "  92 %    60,3 …": a share and a French decimal mark


def test_an_empty_job_list_says_how_to_start_one(capsys):
    assert main(["jobs", "list"]) == 0
    assert "boucle jobs submit" in capsys.readouterr().out
