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


def test_propose_with_workers_gives_the_same_proposals():
    rng = np.random.default_rng(2)
    naf = ["24.10Z", "23.51Z", "17.12Z", "38.32Z", "10.81Z", "20.14Z", "41.20A", "16.10A"]
    labels = ["ferraille", "carton", "palettes bois", "laitier de haut fourneau", "cendres volantes", "sciure",
              "gravats", "papier", "pulpes de betteraves", "plastique"]
    sites = [pl.SiteIn(f"S{i:03d}", 49.0 + rng.random() * 2.0, 1.5 + rng.random() * 3.5, naf[i % len(naf)])
             for i in range(300)]
    flows = [pl.FlowIn(f"F{j:04d}", f"S{rng.integers(0, 300):03d}", "offer" if j % 3 else "need",
                       labels[rng.integers(0, len(labels))], quantity_t=float(rng.integers(1, 500)))
             for j in range(900)]
    one = pl.propose(sites, flows)
    assert len(one) > 200
    assert pl.propose(sites, flows, workers=2) == one
    assert [p.explanation for p in pl.propose(sites, flows, workers=0)] == [p.explanation for p in one]
