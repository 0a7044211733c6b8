"""Indicators of a hand-built territory: they add up across levels, and estimates stay apart from measures."""

import pytest

from boucle.observatory.queries import territory_indicators
from boucle.territories.refs import resolve

MEL, DUNKERQUE, ARRAS = "200093201", "245900428", "200033579"

pytestmark = pytest.mark.django_db


def _flat(doc):
    """Every additive number of an indicator document, keyed by its path."""
    out = {}
    for row in doc["flows"]:
        out[("flow", row["direction"], row["kind"], row["material_class"], row["unit"])] = row["quantity"]
        out[("nflows", row["direction"], row["kind"], row["material_class"], row["unit"])] = row["flows"]
    for row in doc["flows_by_kind"]:
        out[("kind", row["direction"], row["kind"], row["unit"])] = row["quantity"]
    for status, n in doc["synergies"]["by_status"].items():
        out[("status", status)] = n
    for basis, metrics in doc["impacts"].items():
        for metric, v in metrics.items():
            out[("impact", basis, metric)] = v
    out["needs"] = doc["local_sourcing"]["needs"]
    out["needs_local"] = doc["local_sourcing"]["needs_with_local_source"]
    return out


def _sum(*docs):
    total = {}
    for d in docs:
        for k, v in _flat(d).items():
            total[k] = total.get(k, 0) + v
    return total


def _ind(ref):
    return territory_indicators(resolve(ref), public=False)


def test_observatory_figures_add_up_from_communes_to_region(obs_world):
    communes = {c: _ind(f"commune:{c}") for c in ("59350", "59009", "59183", "62041", "62193")}
    mel, dk, arras = _ind(f"epci:{MEL}"), _ind(f"epci:{DUNKERQUE}"), _ind(f"epci:{ARRAS}")
    dep59, dep62, region = _ind("departement:59"), _ind("departement:62"), _ind("region:32")
    assert _flat(mel) == _sum(communes["59350"], communes["59009"])
    assert _flat(dep59) == _sum(mel, dk)
    assert _flat(dep62) == _sum(communes["62041"], communes["62193"])
    assert _flat(region) == _sum(dep59, dep62)
    flat = _flat(region)
    # By hand: every offer of region 32 in tonnes, Metz excluded.
    assert flat[("kind", "offer", "material", "t")] == 1200 + 5000 + 70000 + 300
    assert flat[("kind", "offer", "energy", "MWh")] == 3000
    assert flat[("flow", "offer", "water", "process_water", "m3")] == 20000
    assert region["companies"]["declaring"] == 6


def test_observatory_funnel_and_statuses(obs_world):
    region = _ind("region:32")
    assert region["synergies"]["by_status"]["running"] == 1
    assert region["synergies"]["by_status"]["declined"] == 1
    reached = {row["status"]: row["reached"] for row in region["synergies"]["funnel"]}
    assert reached == {"suggested": 4, "contacted": 2, "in_discussion": 2, "trial": 1, "running": 1}
    # Companies in synergies that went beyond a suggestion: sand (Lille A, Lille B), water (Dunkerque, Arras).
    assert region["companies"]["in_synergies"] == 4


def test_observatory_estimated_and_verified_never_mix(obs_world):
    impacts = _ind("region:32")["impacts"]
    assert impacts["verified"]["tonnes_diverted"] == 700  # measured, sand only
    assert impacts["estimated"]["tonnes_diverted"] == 900  # running synergies' estimate
    assert impacts["potential"]["tonnes_diverted"] == 900 + 4000  # every open synergy; declined left out
    assert impacts["potential"]["water_m3"] == 15000
    assert impacts["estimated"]["water_m3"] == 0  # the water synergy does not run yet
    assert impacts["verified"]["co2e_avoided_t"] == 30
    assert impacts["estimated"]["co2e_avoided_t"] == 45


def test_observatory_local_sourcing_share(obs_world):
    doc = _ind("region:32")["local_sourcing"]
    # Needs: sand (synergy), ash (offer 2 km away), water (synergy), cullet (no offer anywhere).
    assert doc["needs"] == 4
    assert doc["needs_with_local_source"] == 3
    assert doc["share"] == pytest.approx(0.75)


def test_observatory_period_leaves_out_flows_not_yet_available(obs_world):
    import datetime as dt

    flow = obs_world.flows["dk_slag"]
    flow.available_from = dt.date(2031, 1, 1)
    flow.save()
    before = territory_indicators(resolve("region:32"), public=False, period=2030)
    after = territory_indicators(resolve("region:32"), public=False, period=2031)
    key = [r for r in after["flows"] if r["material_class"] == "slag"]
    assert key and key[0]["quantity"] == 70000
    assert not [r for r in before["flows"] if r["material_class"] == "slag"]
