"""`boucle match` keeps at most a few receivers per offer, found by the compiled best-first search
in bounded memory: its proposals must be exactly those of the full enumeration of every pair in
reach followed by the same selection, on random territories (ties, co-located sites, duplicated
flows, inferred needs, hazardous waste, heat with temperatures, unknown quantities)."""

import dataclasses

import numpy as np
import pytest

from boucle.matching import pipeline
from boucle.matching.pipeline import DEFAULT_THRESHOLD, FlowIn, SiteIn, propose

NAF = ["23.51Z", "10.11Z", "24.10Z", "38.21Z", "38.22Z", "20.14Z", "16.10A", "35.30Z", "01.13Z", "17.12Z", None]
OFFERS = ["laitier", "cendres volantes", "palettes bois", "chaleur fatale", "boues", "ferraille", "carton",
          "plastique", "sciure", "verre", "gravats", "solvants usés", "huile usagée", "vapeur",
          "eau de refroidissement", "CO2"]
NEEDS = ["ferraille", "carton", "sciure", "chaleur", "vapeur", "laitier de haut fourneau", "cendres volantes",
         "eau de process", "palettes bois", "verre"]


def territory(seed: int, n_sites: int = 160, n_flows: int = 500, offers=OFFERS):
    rng = np.random.default_rng(seed)
    lat = 50.5 + rng.normal(0, 0.25, n_sites)
    lon = 3.0 + rng.normal(0, 0.35, n_sites)
    lat[: n_sites // 8] = lat[n_sites // 8: 2 * (n_sites // 8)]  # co-located sites: exact ties in distance
    lon[: n_sites // 8] = lon[n_sites // 8: 2 * (n_sites // 8)]
    sites = [SiteIn(f"S{i:04d}", float(lat[i]), float(lon[i]), NAF[rng.integers(len(NAF))]) for i in range(n_sites)]
    flows = []
    for j in range(n_flows):
        offer = rng.random() < 0.55
        label = (offers if offer else NEEDS)[rng.integers(len(offers if offer else NEEDS))]
        q = None if rng.random() < 0.25 else float(rng.choice([10.0, 100.0, 1000.0]))  # few values: ties
        temp = float(rng.choice([60.0, 120.0, 300.0])) if "chaleur" in label or "vapeur" in label else None
        flows.append(FlowIn(f"F{j:05d}", sites[rng.integers(n_sites)].site_id, "offer" if offer else "need",
                            label=label, quantity_t=q, temperature_c=temp,
                            hazardous=bool(offer and label in ("solvants usés", "huile usagée"))))
    for j in rng.choice(len(flows), 40, replace=False):  # exact copies of other flows on other sites
        f = flows[int(j)]
        flows.append(dataclasses.replace(f, flow_id=f"D{j:05d}", site_id=sites[rng.integers(n_sites)].site_id))
    return sites, flows


def rows(props):
    return [dataclasses.asdict(p) for p in props]


def shown(sites, flows, cap, **kw):
    """The default output (most plausible receivers above the threshold) with at most ``cap`` per offer."""
    saved = pipeline.MAX_RECEIVERS_PER_OFFER
    pipeline.MAX_RECEIVERS_PER_OFFER = cap
    try:
        return propose(sites, flows, **kw)
    finally:
        pipeline.MAX_RECEIVERS_PER_OFFER = saved


@pytest.fixture(params=["first guess", "one need at a time"])
def guess(request, monkeypatch):
    """The search's first guess of how many needs to look at per offer, and the tightest one, which
    makes it widen the search again and again (the path taken when many receivers tie)."""
    if request.param != "first guess":
        monkeypatch.setattr(pipeline, "FIRST_GUESS", (0, 1))
    return request.param


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_capped_proposals_equal_the_full_enumeration(seed, guess):
    sites, flows = territory(seed)
    for cap in (1, 3, 5):
        got = shown(sites, flows, cap)
        want = shown(sites, flows, cap, exhaustive=True)
        assert rows(got) == rows(want)
        assert max(np.unique([p.offer_flow_id for p in got], return_counts=True)[1]) <= cap
    full = propose(sites, flows, threshold=DEFAULT_THRESHOLD)  # no cap: every pair above the threshold
    assert len(full) > len(shown(sites, flows, 1)) > 0


@pytest.mark.parametrize("seed", [5, 6])
def test_ranking_mode_and_a_small_radius_equal_the_full_enumeration(seed, guess):
    sites, flows = territory(seed, n_sites=120, n_flows=400)
    assert rows(propose(sites, flows, top=4)) == rows(propose(sites, flows, top=4, exhaustive=True))
    assert rows(shown(sites, flows, 2, radius_km=15.0, inferred=False)) == \
        rows(shown(sites, flows, 2, radius_km=15.0, inferred=False, exhaustive=True))


def test_many_identical_receivers_are_cut_by_site_and_flow_ids():
    """Twenty identical cement works on one spot: the search must widen past its first guess and
    keep the receivers with the smallest ids, as the enumeration does (three: a third cement works
    exactly as plausible as the first two is a tie, which selection.SAME_TRADE_KEPT does not split)."""
    sites = [SiteIn("steel", 50.0, 3.0, "24.10Z")] + [SiteIn(f"cem{i:02d}", 50.1, 3.0, "23.51Z") for i in range(20)]
    flows = [FlowIn("slag", "steel", "offer", label="laitier de haut fourneau", quantity_t=500.0)]
    got = shown(sites, flows, 3)
    assert [p.need_site_id for p in got] == ["cem00", "cem01", "cem02"]
    assert rows(got) == rows(shown(sites, flows, 3, exhaustive=True))


def _km_north(km: float) -> float:
    return 50.0 + km / 111.2


def test_a_declared_need_replaces_the_inferred_one_beyond_the_search_cut(monkeypatch):
    """Steel slag: the road builder next door ranks first through its inferred need, but it declared
    a (tiny) need of blast-furnace slag, which steel slag can replace as an aggregate (EN 13242): the
    suggestion to that builder is its declared need, which ranks below the next road builder, so the
    one receiver shown is the next one. The search that looked at two needs only must still know of
    the declared one. (A cement works is no such receiver: the blast furnace slag of its cement is
    that slag only, EN 197-1.)"""
    monkeypatch.setattr(pipeline, "FIRST_GUESS", (0, 2))
    sites = [SiteIn("steel", 50.0, 3.0, "24.10Z"), SiteIn("roadA", _km_north(3), 3.0, "42.11Z"),
             SiteIn("roadB", _km_north(5), 3.0, "42.11Z")]
    flows = [FlowIn("slag", "steel", "offer", label="laitier d'aciérie", quantity_t=5000.0),
             FlowIn("want", "roadA", "need", class_key="blast_furnace_slag", quantity_t=1.0)]
    got = propose(sites, flows, top=1)  # ranked by score
    assert [(p.need_site_id, p.inferred) for p in got] == [("roadB", True)]
    assert rows(got) == rows(propose(sites, flows, top=1, exhaustive=True))
    assert [(p.need_site_id, p.inferred) for p in propose(sites, flows, top=2)] == \
        [("roadB", True), ("roadA", False)]


@pytest.mark.parametrize("seed", [9, 10])
def test_the_cap_of_an_offer_class_gives_the_full_enumeration_s_rows(seed, guess):
    """An electricity offer shows at most selection.CLASS_CAPS["electricity"] receivers: the search
    proves the best ``cap`` of each offer and gives the enumeration's rows."""
    from boucle.matching.selection import CLASS_CAPS

    sites, flows = territory(seed, offers=OFFERS + ["électricité"] * 4)
    got = shown(sites, flows, 3)
    assert rows(got) == rows(shown(sites, flows, 3, exhaustive=True))
    power = [p.offer_flow_id for p in got if p.material_class == "electricity"]
    counts = np.unique(power, return_counts=True)[1]
    assert counts.size and counts.max() == CLASS_CAPS["electricity"]


@pytest.mark.parametrize("seed", [7, 8])
def test_the_relative_cut_gives_the_full_enumeration_s_rows(seed, guess, monkeypatch):
    """With a relative cut an offer often shows fewer receivers than the cap: the search must know
    that what it left out lies below the cut, and give the enumeration's rows."""
    from boucle.matching import selection

    monkeypatch.setattr(selection, "RELATIVE_CUT", 0.8)
    sites, flows = territory(seed)
    got = shown(sites, flows, 3)
    assert rows(got) == rows(shown(sites, flows, 3, exhaustive=True))
    monkeypatch.setattr(selection, "RELATIVE_CUT", 0.0)
    assert len(shown(sites, flows, 3)) > len(got) > 0


@pytest.mark.parametrize("seed", [7, 8])
@pytest.mark.parametrize("first_guess", [None, (0, 1)])
def test_per_need_mode_equals_the_full_enumeration(seed, first_guess, monkeypatch):
    """`boucle match --per-need K`: the K best offer flows of each need (a declared need flow, or a
    site's inferred needs), by score, ties by offer flow id; the bounded per-need search widened
    as often as needed (one offer per need row at first) gives the enumeration's rows."""
    if first_guess:
        monkeypatch.setattr(pipeline, "FIRST_GUESS_PER_NEED", first_guess)
    sites, flows = territory(seed, n_sites=120, n_flows=400)
    for k in (1, 4):
        got = propose(sites, flows, per_need=k)
        assert rows(got) == rows(propose(sites, flows, per_need=k, exhaustive=True))
        need = [(p.need_site_id, p.need_flow_id) for p in got]
        assert need == sorted(need, key=lambda n: (n[0], n[1] or ""))  # grouped by need, as site and flow ids
        counts = np.unique([f"{s}/{f}" for s, f in need], return_counts=True)[1]
        assert counts.max() == k
        for n in set(need):
            scores = [p.score for p, m in zip(got, need) if m == n]
            assert scores == sorted(scores, reverse=True)
