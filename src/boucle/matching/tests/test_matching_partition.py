"""Matching cut into tiles over worker processes gives the single run's rows, exactly."""

import math

import numpy as np
import pytest

from boucle.matching import engine as eng
from boucle.matching import partition as pt
from boucle.matching import pipeline as pl
from boucle.matching.selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER

pytestmark = pytest.mark.skipif(not pl.nearest.compiled_search_usable(
    eng.Offers(site=[0], cls=[0], quantity_t=[1.0]), eng.Needs(site=[0], cls=[0])), reason="numba missing")


def territory(n_sites=1500, n_offer_flows=1500, n_needs=3000, seed=3, **options) -> pt.Problem:
    """Sites over ~330 x 440 km of northern France, flows of 25 material classes; a tenth of the
    offer flows have a second class row; most needs inferred, some declared."""
    rng = np.random.default_rng(seed)
    info = pl.class_info()
    mat = [i for i, k in enumerate(info.kind) if k == "material"][:25]
    sites = eng.Sites(48.0 + rng.random(n_sites) * 3.0, 0.5 + rng.random(n_sites) * 6.0)
    flow_site = rng.integers(0, n_sites, n_offer_flows)
    two = np.flatnonzero(rng.random(n_offer_flows) < 0.1)
    o_flow = np.sort(np.concatenate([np.arange(n_offer_flows), two]))
    n_off = o_flow.size
    offers = eng.Offers(site=flow_site[o_flow], cls=rng.choice(mat, n_off),
                        quantity_t=np.where(rng.random(n_off) < .3, np.nan, rng.lognormal(3, 1.5, n_off)),
                        hazardous=rng.random(n_off) < .05, confidence=rng.choice([1.0, .9, .7, .5], n_off))
    inferred = rng.random(n_needs) < .6
    needs = eng.Needs(site=rng.integers(0, n_sites, n_needs), cls=rng.choice(mat, n_needs),
                      quantity_t=np.where(rng.random(n_needs) < .5, np.nan, rng.lognormal(3, 1.5, n_needs)),
                      inferred=inferred, confidence=rng.choice([1.0, .8, .6], n_needs),
                      accepts_hazardous=rng.random(n_needs) < .5)
    flow_rank = rng.permutation(n_offer_flows + n_needs)
    n_flow = np.where(inferred, -1, flow_rank[n_offer_flows + np.arange(n_needs)])
    site_rank = rng.permutation(n_sites)
    base = dict(radius_km=200.0, threshold=DEFAULT_THRESHOLD, cap=MAX_RECEIVERS_PER_OFFER, by_plausibility=True)
    base.update(options)
    return pt.Problem(sites, offers, needs, flow_rank[o_flow], site_rank[needs.site], n_flow,
                      rng.random(n_sites) < .1, weights=pl.ScoreWeights(), **base)


def single(p: pt.Problem):
    cands, terms, sel = pl.select_arrays(p.sites, p.offers, p.needs, p.o_flow_of, p.n_site_of, p.n_flow_of,
                                         p.waste_op, p.radius_km, p.threshold, p.cap, p.by_plausibility,
                                         p.weights, p.exhaustive)
    return [cands.offer_idx[sel], cands.need_idx[sel], cands.distance_km[sel], cands.compat_weight[sel],
            terms["score"][sel], terms["plausibility"][sel]]


def rows(r: pt.Partitioned):
    return [r.offer_idx, r.need_idx, r.distance_km, r.compat_weight, r.score, r.plausibility]


def assert_same(expected, got):
    for a, b in zip(expected, got):
        assert a.dtype.kind == b.dtype.kind
        np.testing.assert_array_equal(a, b)  # exact: same pairs, same bits, same order


@pytest.fixture(scope="module")
def default_output():
    p = territory()
    return p, single(p)


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_tiles_give_the_single_runs_default_output(default_output, workers):
    p, expected = default_output
    got = pt.run_partitioned(p, workers=workers, tiles=6)
    assert len(got.tiles) == 6 and len(got) == expected[0].size > 500
    assert_same(expected, rows(got))
    # each pair once, at most 3 receivers per offer flow
    pairs = got.offer_idx * len(p.needs) + got.need_idx
    assert np.unique(pairs).size == pairs.size
    assert np.bincount(p.o_flow_of[got.offer_idx]).max() <= MAX_RECEIVERS_PER_OFFER


def test_pairs_cross_tile_borders_and_halo_is_the_reach_of_the_threshold(default_output):
    p, expected = default_output
    pt.share(p)
    specs = pt.plan_tiles(pt._SHARED["x"], pt._SHARED["y"], pt.site_loads(p), 6, pt.halo_km(p))
    tile_of = np.full(len(p.sites), -1)
    for s in specs:
        owned = pt.owned_sites(s, pt._SHARED["x"], pt._SHARED["y"])
        assert (tile_of[owned] == -1).all()  # every site owned once
        tile_of[owned] = s.index
    assert (tile_of >= 0).all()
    o_tile, n_tile = tile_of[p.offers.site[expected[0]]], tile_of[p.needs.site[expected[1]]]
    assert (o_tile != n_tile).sum() > 20  # shown pairs straddle tile borders
    # halo: the distance at which the most plausible pair decays to the threshold, not the radius
    # (decay 50 km, best plausibility 1: 50 x ln(1 / threshold) km, well inside the 200 km radius)
    assert 50 * math.log(1 / DEFAULT_THRESHOLD) - 1 < specs[0].halo_km < 50 * math.log(1 / DEFAULT_THRESHOLD) + 1
    assert expected[2].max() <= specs[0].halo_km
    loads = [s.load for s in specs]
    assert max(loads) < 1.2 * min(loads)  # balanced


def test_top_k_by_score_and_every_pair_mode_are_exact_too():
    top = territory(n_sites=800, n_offer_flows=600, n_needs=1200, seed=5, threshold=0.0, cap=4,
                    by_plausibility=False, radius_km=80.0)
    assert_same(single(top), rows(pt.run_partitioned(top, workers=2, tiles=5)))
    every = territory(n_sites=500, n_offer_flows=300, n_needs=600, seed=6, radius_km=60.0, cap=None)
    assert_same(single(every), rows(pt.run_partitioned(every, workers=0, tiles=4)))


def test_need_at_the_edge_of_the_halo_is_seen_by_the_tile_of_the_offer():
    """Two sites 60 km apart across a tile border: the pair is shown, once."""
    info = pl.class_info()
    c = [i for i, k in enumerate(info.kind) if k == "material"][0]
    lat = np.array([49.0, 49.0, 49.0, 49.0 + 0.1, 49.0])
    lon = np.array([2.0, 2.0 + 60 / 73.0, 5.0, 5.1, 1.0])
    sites = eng.Sites(lat, lon)
    offers = eng.Offers(site=[0, 2], cls=[c, c], quantity_t=[10.0, 10.0])
    needs = eng.Needs(site=[1, 3, 4], cls=[c, c, c], quantity_t=[10.0, 10.0, 10.0])
    p = pt.Problem(sites, offers, needs, np.array([0, 1]), np.array([1, 3, 4]), np.array([2, 3, 4]), None,
                   200.0, DEFAULT_THRESHOLD, 3, True)
    pt.share(p)
    specs = pt.plan_tiles(pt._SHARED["x"], pt._SHARED["y"], pt.site_loads(p), 3, pt.halo_km(p))
    got = pt.run_partitioned(p, workers=0, specs=specs)
    assert_same(single(p), rows(got))
    assert (0, 0) in set(zip(got.offer_idx.tolist(), got.need_idx.tolist()))


def test_a_tile_runs_alone_from_a_saved_problem(tmp_path, default_output):
    """What a job queue would do: the problem saved once, each tile a plain function call."""
    p, expected = default_output
    p.save(tmp_path / "problem")
    loaded = pt.Problem.load(tmp_path / "problem")
    pt.share(loaded)
    specs = pt.plan_tiles(pt._SHARED["x"], pt._SHARED["y"], pt.site_loads(loaded), 4, pt.halo_km(loaded),
                          source=str(tmp_path / "problem"))
    pt._SHARED.clear()  # a fresh worker: only the spec
    results = [pt.run_tile(s) for s in specs]
    assert_same(expected, pt.merge(results, p))


def small_region(seed: int):
    """300 sites of eight activities and 900 flows from common labels, as records for the pipeline."""
    rng = np.random.default_rng(seed)
    naf = ["24.10Z", "23.51Z", "17.12Z", "38.32Z", "10.81Z", "20.14Z", "41.20A", "16.10A"]
    labels = ["ferraille", "carton", "palettes bois", "laitier de haut fourneau", "cendres volantes", "sciure",
              "gravats", "papier", "pulpes de betteraves", "plastique"]
    sites = [pl.SiteIn(f"S{i:03d}", 49.0 + rng.random() * 2.0, 1.5 + rng.random() * 3.5, naf[i % len(naf)])
             for i in range(300)]
    flows = [pl.FlowIn(f"F{j:04d}", f"S{rng.integers(0, 300):03d}", "offer" if j % 3 else "need",
                       labels[rng.integers(0, len(labels))], quantity_t=float(rng.integers(1, 500)))
             for j in range(900)]
    return sites, flows


def test_propose_with_workers_gives_the_same_proposals():
    sites, flows = small_region(2)
    one = pl.propose(sites, flows)
    assert len(one) > 200
    assert pl.propose(sites, flows, workers=2) == one
    assert [p.explanation for p in pl.propose(sites, flows, workers=0)] == [p.explanation for p in one]


# --------------------------------------------------------------------------- the per-need mode

def single_per_need(p: pt.Problem, exhaustive=None):
    cands, terms, sel = pl.select_need_arrays(p.sites, p.offers, p.needs, p.o_flow_of, p.n_site_of, p.n_flow_of,
                                              p.waste_op, p.radius_km, p.per_need, p.weights,
                                              p.exhaustive if exhaustive is None else exhaustive)
    return [cands.offer_idx[sel], cands.need_idx[sel], cands.distance_km[sel], cands.compat_weight[sel],
            terms["score"][sel], terms["plausibility"][sel]]


def tied_territory(seed: int, per_need: int, radius_km: float = 80.0) -> pt.Problem:
    """Sites snapped to a 0.25 degree grid (about three per point, so tile cuts, which fall on site
    coordinates, pass through sites, and distances repeat), four material classes, quantities and
    confidences from a few values: many pairs score exactly the same."""
    p = territory(n_sites=900, n_offer_flows=900, n_needs=1800, seed=seed)
    rng = np.random.default_rng(seed)
    mat = [i for i, k in enumerate(pl.class_info().kind) if k == "material"][:4]
    grid = eng.Sites(np.round(p.sites.lat * 4) / 4, np.round(p.sites.lon * 4) / 4)
    offers = eng.Offers(site=p.offers.site, cls=rng.choice(mat, len(p.offers)),
                        quantity_t=rng.choice([np.nan, 10.0, 50.0], len(p.offers)), hazardous=p.offers.hazardous,
                        confidence=rng.choice([1.0, 0.7], len(p.offers)))
    needs = eng.Needs(site=p.needs.site, cls=rng.choice(mat, len(p.needs)),
                      quantity_t=rng.choice([np.nan, 20.0], len(p.needs)), inferred=p.needs.inferred,
                      confidence=rng.choice([1.0, 0.8], len(p.needs)), accepts_hazardous=p.needs.accepts_hazardous)
    return pt.Problem(grid, offers, needs, p.o_flow_of, p.n_site_of, p.n_flow_of, p.waste_op, radius_km, 0.0,
                      None, False, p.weights, per_need=per_need)


def per_need_rows_are_valid(p: pt.Problem, got) -> None:
    oi, ni, score = got[0], got[1], got[4]
    need = pl.need_keys(p.n_site_of[ni], p.n_flow_of[ni])
    assert np.all(np.diff(need) >= 0)  # grouped by need
    pairs = need * (p.o_flow_of.max() + 1) + p.o_flow_of[oi]
    assert np.unique(pairs).size == pairs.size  # one pair per need and offer flow: each found once
    assert np.bincount(np.unique(need, return_inverse=True)[1]).max() <= p.per_need


@pytest.mark.parametrize("per_need, workers", [(1, 0), (3, 2), (6, 1)])
def test_per_need_top_k_over_tiles_is_the_single_runs_and_the_enumerations(per_need, workers):
    """Tiles own needs and see the offers within the halo; the merge keeps the single run's order
    (need, score descending, offer flow), ties included."""
    p = tied_territory(seed=11 + per_need, per_need=per_need)
    expected = single_per_need(p)
    assert_same(single_per_need(p, exhaustive=True), expected)  # the bounded search is exact
    score = expected[4]
    assert np.unique(score).size < 0.7 * score.size  # ties are many
    got = pt.run_partitioned(p, workers=workers, tiles=5)
    assert len(got) == expected[0].size > 1000
    assert_same(expected, rows(got))
    per_need_rows_are_valid(p, rows(got))
    # the halo is the radius (no plausibility cut) and tiles see offers beyond their own sites
    assert got.halo_km == p.radius_km
    assert all(t.offers_seen > 0 and t.needs_owned > 0 for t in got.tiles)
    assert sum(t.needs_owned for t in got.tiles) == len(p.needs)  # each need owned once


def test_per_need_pairs_straddle_tile_borders_and_sites_on_a_cut():
    p = tied_territory(seed=21, per_need=3)
    pt.share(p)
    x, y = pt._SHARED["x"], pt._SHARED["y"]
    specs = pt.plan_tiles(x, y, pt.site_loads(p), 6, pt.halo_km(p))
    cuts = {v for s in specs for v in (s.x0, s.x1, s.y0, s.y1) if np.isfinite(v)}
    on_cut = np.isin(x, list(cuts)) | np.isin(y, list(cuts))
    assert on_cut.sum() > 10  # sites lie exactly on tile borders (the grid)
    expected = single_per_need(p)
    got = pt.run_partitioned(p, workers=0, specs=specs)
    assert_same(expected, rows(got))
    tile_of = np.full(len(p.sites), -1)
    for s in specs:
        tile_of[pt.owned_sites(s, x, y)] = s.index
    assert (tile_of[p.offers.site[got.offer_idx]] != tile_of[p.needs.site[got.need_idx]]).sum() > 100
    assert on_cut[p.needs.site[got.need_idx]].sum() > 10 and on_cut[p.offers.site[got.offer_idx]].sum() > 10


def test_per_need_searches_again_the_needs_it_cannot_prove(monkeypatch):
    """One offer per need row at first: every need of several rows, or whose best offer flows come
    back through several class rows, must be searched again until its top k is proven."""
    p = tied_territory(seed=31, per_need=4)
    expected = single_per_need(p, exhaustive=True)
    calls = []
    real = pl.nearest.best_offers_per_need
    monkeypatch.setattr(pl.nearest, "best_offers_per_need", lambda *a, **kw: calls.append(a[6]) or real(*a, **kw))
    monkeypatch.setattr(pl, "FIRST_GUESS_PER_NEED", (0, 1))
    assert_same(expected, single_per_need(p, exhaustive=False))
    assert calls[:3] == [1, 4, 16]  # the reach per need row grew until every need was proven


def test_per_need_tile_runs_alone_from_a_saved_problem(tmp_path):
    p = tied_territory(seed=41, per_need=2)
    p.save(tmp_path / "problem")
    loaded = pt.Problem.load(tmp_path / "problem")
    assert loaded.per_need == 2
    pt.share(loaded)
    specs = pt.plan_tiles(pt._SHARED["x"], pt._SHARED["y"], pt.site_loads(loaded), 3, pt.halo_km(loaded),
                          source=str(tmp_path / "problem"))
    pt._SHARED.clear()
    assert_same(single_per_need(p), pt.merge([pt.run_tile(s) for s in specs], p))


def test_propose_per_need_with_workers_gives_the_same_proposals():
    sites, flows = small_region(4)
    one = pl.propose(sites, flows, per_need=2)
    assert len(one) > 200
    assert pl.propose(sites, flows, per_need=2, exhaustive=True) == one
    assert pl.propose(sites, flows, per_need=2, workers=2) == one
    # at most 2 offer flows per need (a declared need flow, or a site's inferred needs), each once
    need = [(p.need_site_id, p.need_flow_id) for p in one]
    assert max(need.count(n) for n in set(need)) == 2
    assert len({(n, p.offer_flow_id) for n, p in zip(need, one)}) == len(one)
    assert any(p.inferred for p in one) and any(not p.inferred for p in one)
    with pytest.raises(ValueError):
        pl.propose(sites, flows, top=2, per_need=2)
