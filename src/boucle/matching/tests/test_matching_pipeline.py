"""The pipeline a user meets: records in, proposals out, best first."""

import random

from boucle.matching.pipeline import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, FlowIn, SiteIn, propose
from boucle.matching.selection import RELATIVE_CUT, SAME_TRADE_KEPT


def _km_north(km: float) -> float:
    return 50.0 + km / 111.2


SITES = [
    SiteIn("steel", 50.0, 3.0, "24.10Z", "aciérie"),
    SiteIn("cement", _km_north(10), 3.0, "23.51Z", None),
    SiteIn("cement-declared", _km_north(10), 3.0001, "23.51Z", None),
    SiteIn("dairy", _km_north(5), 3.0, None, "laiterie"),
    SiteIn("haz", _km_north(8), 3.0, "38.22Z", None),
    SiteIn("greenhouse", _km_north(2), 3.0, None, "serre maraîchère"),
    SiteIn("ammonia", _km_north(3), 3.0, "20.15", "ammonia plant"),
    SiteIn("bricks", _km_north(6), 3.0, None, "brick works"),
]
FLOWS = [
    FlowIn("slag", "steel", "offer", label="laitier de haut fourneau", ewc_code="100202", quantity_t=5000),
    FlowIn("solvent", "steel", "offer", label="solvants usagés", ewc_code="140603", hazardous=True, quantity_t=20),
    FlowIn("co2", "ammonia", "offer", label="CO2", quantity_t=1000),
    FlowIn("need-slag", "cement-declared", "need", label="laitier", class_key="blast_furnace_slag", quantity_t=3000),
]


def _pairs(props):
    return {(p.offer_flow_id, p.need_site_id) for p in props}


def test_inferred_needs_find_partners_nobody_declared():
    props = propose(SITES, FLOWS)
    pairs = _pairs(props)
    assert ("slag", "cement") in pairs  # nothing declared by "cement": its activity says it takes slag
    assert ("co2", "greenhouse") in pairs  # products and gases, not only wastes
    slag = next(p for p in props if p.offer_flow_id == "slag" and p.need_site_id == "cement")
    assert slag.inferred and slag.need_flow_id is None and slag.need_label is None
    assert slag.material_class in ("blast_furnace_slag", "steel_slag")
    assert 9 < slag.distance_km < 11
    assert slag.explanation["rule_id"].startswith(("in:23.5", "recipe:23.5")) and "BREF" in slag.explanation["source"]
    assert all(p.plausibility >= DEFAULT_THRESHOLD for p in props)


def test_declared_need_ranks_above_inferred_need_of_equal_merit():
    props = [p for p in propose(SITES, FLOWS) if p.offer_flow_id == "slag"]
    order = [p.need_site_id for p in props]
    assert order.index("cement-declared") < order.index("cement")
    declared = props[order.index("cement-declared")]
    assert not declared.inferred and declared.need_flow_id == "need-slag"


def test_hazardous_waste_only_to_authorised_sites():
    props = propose(SITES, FLOWS, threshold=0.0)
    receivers = {p.need_site_id for p in props if p.offer_flow_id == "solvent"}
    assert "haz" in receivers and not receivers & {"dairy", "greenhouse", "bricks"}
    ash = dict(flow_id="ash", site_id="steel", direction="offer", label="cendres volantes", ewc_code="100104")
    risky = {p.need_site_id for p in propose(SITES, [FlowIn(**ash, hazardous=True)], threshold=0.0)}
    safe = {p.need_site_id for p in propose(SITES, [FlowIn(**ash, hazardous=False)], threshold=0.0)}
    assert {"cement", "haz"} <= risky and "bricks" not in risky  # a brick works may not take hazardous ash
    assert "bricks" in safe


def test_without_inference_only_declared_needs_match():
    props = propose(SITES, FLOWS, inferred=False, threshold=0.0)
    assert _pairs(props) == {("slag", "cement-declared")}


def test_threshold_and_top():
    everything = propose(SITES, FLOWS, threshold=0.0)
    # the default output is the threshold plus at most a few receivers per offer, the most plausible
    by_threshold = propose(SITES, FLOWS, threshold=DEFAULT_THRESHOLD)
    default = propose(SITES, FLOWS)
    assert set(default) <= set(by_threshold)
    for offer in {p.offer_flow_id for p in by_threshold}:
        mine = [p for p in by_threshold if p.offer_flow_id == offer]
        shown = [p for p in default if p.offer_flow_id == offer]
        # the most plausible, at most the cap, none far below the offer's best (the relative cut)
        best = max(p.plausibility for p in mine)
        close = [p for p in mine if p.plausibility >= RELATIVE_CUT * best]
        # ... and past the second, none of an activity already shown (the first such ends the list)
        full = min(len(close), MAX_RECEIVERS_PER_OFFER)
        assert 1 <= len(shown) <= full
        if len(shown) < full:
            nxt = max((p for p in close if p not in shown), key=lambda p: (p.plausibility, p.score))
            assert len(shown) == SAME_TRADE_KEPT
            assert nxt.explanation["receiver_activity"] in {p.explanation["receiver_activity"] for p in shown}
        assert min(p.plausibility for p in shown) >= max(p.plausibility for p in mine if p not in shown) \
            if len(shown) < len(mine) else True
    for t in (DEFAULT_THRESHOLD, 0.5):
        assert {(p.offer_flow_id, p.need_site_id) for p in everything if p.plausibility >= t} == \
            _pairs(propose(SITES, FLOWS, threshold=t))
    assert 0 < len(propose(SITES, FLOWS, threshold=0.5)) < len(everything)
    top1 = propose(SITES, FLOWS, top=1)
    assert sorted(p.offer_flow_id for p in top1) == sorted({p.offer_flow_id for p in everything})
    assert propose(SITES, FLOWS, radius_km=0.5, threshold=0.0) == []


def test_sorted_best_first_and_deterministic():
    props = propose(SITES, FLOWS, threshold=0.0)
    scores = [p.score for p in props]
    assert scores == sorted(scores, reverse=True)
    rng = random.Random(7)
    sites, flows = SITES[:], FLOWS[:]
    rng.shuffle(sites), rng.shuffle(flows)
    assert [(p.offer_flow_id, p.need_site_id, p.score) for p in propose(sites, flows, threshold=0.0)] == \
        [(p.offer_flow_id, p.need_site_id, p.score) for p in props]


def test_no_offer_no_proposal():
    assert propose(SITES, [f for f in FLOWS if f.direction == "need"]) == []
    assert propose([], []) == []


def test_utilities_low_temperature_heat_reaches_only_nearby_users():
    sites = [SiteIn("dc", 50.0, 3.0, None, "data centre"), SiteIn("near", _km_north(2), 3.0, None, "greenhouse"),
             SiteIn("far", _km_north(30), 3.0, None, "greenhouse"), SiteIn("pool", _km_north(1), 3.0, "93.11", None)]
    heat = FlowIn("heat", "dc", "offer", label="chaleur fatale", kind="energy", temperature_c=35.0, quantity_t=None)
    props = propose(sites, [heat])
    assert {p.need_site_id for p in props} == {"near", "pool"}
    assert all(p.material_class == "waste_heat_low" for p in props)
