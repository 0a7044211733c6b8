"""The compiled top-k search (impact models linear in tonnes) gives exactly the
answer of the numpy search and of a full enumeration of the pairs in reach."""

from dataclasses import replace

import numpy as np
import pytest

from boucle.impact.vector import linear_coefficients, material_index, score_exchanges
from boucle.matching.engine import ClassInfo, Compatibility, Needs, Offers, Sites, find_candidates, top_k_per
from boucle.matching.nearest import best_needs_per_offer, best_offers_per_need
from boucle.matching.scoring import LinearImpact, default_impact, score_candidates, score_terms

KINDS = ["material", "material", "material", "heat", "water", "water"]


def territory(seed: int, n_sites: int = 500, n_flows: int = 1600):
    """Sites around Lille (some sharing a place), every rule in play: heat with
    temperatures, water grades, hazardous offers, inferred and unknown needs,
    zero and missing quantities, duplicated offers (exact ties)."""
    rng = np.random.default_rng(seed)
    lat = 50.6 + rng.normal(0, 0.6, n_sites)
    lon = 3.0 + rng.normal(0, 0.9, n_sites)
    lat[: n_sites // 10] = lat[n_sites // 10: 2 * (n_sites // 10)]  # co-located sites
    lon[: n_sites // 10] = lon[n_sites // 10: 2 * (n_sites // 10)]
    sites = Sites(lat, lon)
    n_cls = len(KINDS)
    n_off, n_need = n_flows // 2, n_flows - n_flows // 2
    q = rng.lognormal(3.0, 1.5, n_off)
    q[rng.random(n_off) < 0.03] = 0.0
    q[rng.random(n_off) < 0.03] = np.nan
    off_site = rng.integers(0, n_sites, n_off)
    off_cls = rng.integers(0, n_cls, n_off)
    conf = np.where(rng.random(n_off) < 0.5, 1.0, rng.uniform(0.3, 1.0, n_off))
    dup = rng.choice(n_off, 40, replace=False)  # exact copies of other offers
    src = rng.choice(n_off, 40, replace=False)
    for arr in (q, off_site, off_cls, conf):
        arr[dup] = arr[src]
    offers = Offers(site=off_site, cls=off_cls, quantity_t=q, hazardous=rng.random(n_off) < 0.1, confidence=conf,
                    temperature_c=np.where(rng.random(n_off) < 0.7, rng.uniform(40, 200, n_off), np.nan))
    needs = Needs(site=rng.integers(0, n_sites, n_need), cls=rng.integers(0, n_cls, n_need),
                  quantity_t=np.where(rng.random(n_need) < 0.3, np.nan, rng.lognormal(3.0, 1.5, n_need)),
                  temperature_c=np.where(rng.random(n_need) < 0.7, rng.uniform(40, 200, n_need), np.nan),
                  inferred=rng.random(n_need) < 0.3, accepts_hazardous=rng.random(n_need) < 0.3,
                  confidence=np.where(rng.random(n_need) < 0.5, 1.0, rng.uniform(0.3, 1.0, n_need)))
    # needs that only a hazardous offer meets (a hazardous-waste treater's intake), authorised for it
    only = rng.random(n_need) < 0.1
    needs = replace(needs, hazardous_only=only, accepts_hazardous=needs.accepts_hazardous | only)
    classinfo = ClassInfo(kind=KINDS, water_grade=[0, 0, 0, 0, 2, 1], max_distance_km=[np.nan, 60.0, np.nan, np.nan, np.nan, np.nan])
    compat = Compatibility.identity(n_cls).plus([0, 2, 4, 5], [1, 1, 5, 4], [0.6, 0.9, 1.0, 1.0])
    return sites, offers, needs, classinfo, compat


def linear_model(seed: int, n: int) -> LinearImpact:
    """Savings and transport costs of both signs, some figures not computable."""
    rng = np.random.default_rng(seed)
    co2 = rng.uniform(-50, 800, n)
    co2[0] = np.nan
    return LinearImpact(co2, rng.uniform(0.0, 0.2, n), rng.choice([0.0, 1.0], n),
                        rng.uniform(-20, 60, n), np.r_[rng.uniform(0, 0.3, n - 1), -0.05])


def enumerated_top(sites, offers, needs, classinfo, compat, impact_fn, radius_km, k):
    c = find_candidates(sites, offers, needs, classinfo, compat, radius_km)
    score = score_candidates(c, offers, needs, impact_fn)
    ref = top_k_per(c.need_idx, score, k, tie=c.offer_idx)
    return c.take(ref), score[ref]


def assert_same(top, cands, score):
    np.testing.assert_array_equal(top.candidates.need_idx, cands.need_idx)
    np.testing.assert_array_equal(top.candidates.offer_idx, cands.offer_idx)
    np.testing.assert_allclose(top.score, score, rtol=1e-12)
    np.testing.assert_allclose(top.candidates.distance_km, cands.distance_km, atol=1e-9)
    np.testing.assert_array_equal(top.candidates.compat_weight, cands.compat_weight)


def assert_first_k_per_offer(got, oi, ni, value, k, rtol=1e-12):
    """``got`` (a per-offer search) holds, for each offer, the first k of its pairs ``oi, ni, value`` (ordered by
    offer, then best first), as enumerating every pair gives."""
    pos = np.arange(oi.size)
    start = np.maximum.accumulate(np.where(np.r_[True, oi[1:] != oi[:-1]], pos, 0))
    first_k = pos - start < k
    np.testing.assert_array_equal(got.candidates.offer_idx, oi[first_k])
    np.testing.assert_array_equal(got.candidates.need_idx, ni[first_k])
    np.testing.assert_allclose(got.value, value[first_k], rtol=rtol)
    return first_k


def assert_per_offer_search_is_enumeration(sites, offers, needs, classinfo, compat, linear, k=4, radius_km=90.0):
    """The per-offer compiled search keeps each offer's k best needs by score, ties by need index."""
    got = best_needs_per_offer(sites, offers, needs, classinfo, compat, radius_km, k, linear)
    c = find_candidates(sites, offers, needs, classinfo, compat, radius_km)
    score = score_candidates(c, offers, needs, linear)
    order = np.lexsort((c.need_idx, -score, c.offer_idx))
    assert_first_k_per_offer(got, c.offer_idx[order], c.need_idx[order], score[order], k)


def test_linear_coefficients_are_the_impact_model():
    n = len(material_index())
    rng = np.random.default_rng(3)
    mi = np.r_[np.arange(n), rng.integers(0, n, 5000)]
    q, d = rng.lognormal(3, 2, mi.size), rng.uniform(0, 400, mi.size)
    model = LinearImpact(**linear_coefficients(np.arange(n)))
    got, want = model(mi, q, d), score_exchanges(mi, q, d)
    for key in ("co2e_avoided_t", "tonnes_diverted", "eur_saved", "computable"):
        np.testing.assert_array_equal(got[key], want[key])
    assert want["computable"].any() and not want["computable"].all()  # both cases are exercised
    # received by a waste operator: no virgin purchase in the euros, the same in the ranking's model
    resale = rng.random(mi.size) < 0.5
    got, want = model(mi, q, d, resale=resale), score_exchanges(mi, q, d, resale=resale)
    np.testing.assert_array_equal(got["eur_saved"], want["eur_saved"])
    assert not np.array_equal(want["eur_saved"], score_exchanges(mi, q, d)["eur_saved"])
    # received by a treatment and disposal operator: a material's CO2e and euros unknown, the same in both
    disposal = rng.random(mi.size) < 0.5
    got = model(mi, q, d, resale=resale, disposal=disposal)
    want = score_exchanges(mi, q, d, resale=resale, disposal=disposal)
    for key in ("co2e_avoided_t", "eur_saved", "computable"):
        np.testing.assert_array_equal(got[key], want[key])
    material = score_exchanges(mi, q, d)["tonnes_diverted"] > 0
    assert np.isnan(want["eur_saved"][disposal & material]).all()
    assert np.isfinite(want["eur_saved"][~disposal & material]).any()


@pytest.mark.parametrize("seed", [1, 2])
def test_compiled_search_equals_numpy_search_and_enumeration(seed):
    sites, offers, needs, classinfo, compat = territory(seed)
    linear = linear_model(seed, len(classinfo))
    ref, ref_score = enumerated_top(sites, offers, needs, classinfo, compat, linear, 90.0, 7)
    assert len(ref) > 1000
    compiled = best_offers_per_need(sites, offers, needs, classinfo, compat, radius_km=90.0, k=7, impact_fn=linear)
    # A plain function hides the coefficients: the numpy search runs.
    generic = best_offers_per_need(sites, offers, needs, classinfo, compat, radius_km=90.0, k=7,
                                   impact_fn=lambda **kw: linear(**kw))
    assert_same(compiled, ref, ref_score)
    assert_same(generic, ref, ref_score)
    assert compiled.pairs_scored < len(find_candidates(sites, offers, needs, classinfo, compat, 90.0))


def test_compiled_search_with_the_default_impact_and_a_threshold():
    sites, offers, needs, classinfo, compat = territory(4)
    ref, ref_score = enumerated_top(sites, offers, needs, classinfo, compat, default_impact, 120.0, 5)
    threshold = float(np.median(ref_score))
    keep = ref_score >= threshold
    top = best_offers_per_need(sites, offers, needs, classinfo, compat, radius_km=120.0, k=5, min_score=threshold)
    assert_same(top, ref.take(np.flatnonzero(keep)), ref_score[keep])


def test_compiled_search_does_not_depend_on_the_number_of_threads():
    sites, offers, needs, classinfo, compat = territory(5)
    linear = linear_model(5, len(classinfo))
    one = best_offers_per_need(sites, offers, needs, classinfo, compat, k=10, impact_fn=linear, workers=1)
    two = best_offers_per_need(sites, offers, needs, classinfo, compat, k=10, impact_fn=linear, workers=2)
    np.testing.assert_array_equal(one.candidates.offer_idx, two.candidates.offer_idx)
    np.testing.assert_array_equal(one.score, two.score)
    assert one.pairs_scored == two.pairs_scored


def test_identical_offers_keep_the_lowest_indices():
    s = Sites([50.0, 50.1], [3.0, 3.0])
    offers = Offers(site=[0] * 12, cls=[0] * 12, quantity_t=[5.0] * 12)
    needs = Needs(site=[1, 1], cls=[0, 0], quantity_t=[5.0, np.nan])
    top = best_offers_per_need(s, offers, needs, ClassInfo.uniform(1), k=10, impact_fn=LinearImpact.tonnes_only(1))
    assert top.candidates.offer_idx.tolist() == list(range(10)) * 2
    assert top.candidates.need_idx.tolist() == [0] * 10 + [1] * 10


def test_the_fast_decay_bound_is_never_below_exp():
    from boucle.matching.nearest_kernel import BOUND_SLACK, _exp_upper

    x = np.r_[0.0, np.logspace(-12, 3, 20001)]
    bound = np.array([_exp_upper(v) for v in x]) * BOUND_SLACK
    assert np.all(bound >= np.exp(-x))
    assert np.all(bound <= np.exp(-x) * (1 + 1e-4))  # and tight enough to prune


def test_an_impact_model_too_short_for_the_classes_is_refused():
    sites, offers, needs, classinfo, compat = territory(6, n_flows=200)
    with pytest.raises(ValueError, match="materials"):
        best_offers_per_need(sites, offers, needs, classinfo, compat, impact_fn=LinearImpact.tonnes_only(3))


def test_pairs_kept_apart_are_left_out_and_the_best_others_kept():
    """A recycler's offer never goes to a neighbour recycler's inferred need (the resale rule): the search
    leaves those pairs out itself and keeps, per offer, the k best of the others, exactly what listing every
    need of each offer and then dropping those pairs keeps."""
    sites, offers, needs, classinfo, compat = territory(5)
    linear = linear_model(5, len(KINDS))
    rng = np.random.default_rng(5)
    apart = (rng.random(len(offers)) < 0.5, rng.random(len(needs)) < 0.5)
    k = 4
    got = best_needs_per_offer(sites, offers, needs, classinfo, compat, 100.0, k, linear, apart=apart)
    every = best_needs_per_offer(sites, offers, needs, classinfo, compat, 100.0, len(needs), linear)
    c = every.candidates
    dropped = apart[0][c.offer_idx] & apart[1][c.need_idx]
    assert dropped.sum() > 100  # the rule is at work in this territory
    oi, ni, value = c.offer_idx[~dropped], c.need_idx[~dropped], every.value[~dropped]
    # ordered by offer, then best first: the first k of each offer
    assert_first_k_per_offer(got, oi, ni, value, k)


def test_pairs_beyond_an_offers_reach_are_left_out_and_the_best_nearer_ones_kept():
    """An offer whose every pair gains nothing beyond some distance (the gain filter's break-even) is searched
    within it: per offer, the k best needs no farther than its reach, exactly what listing every need of each
    offer and then dropping the farther ones keeps."""
    sites, offers, needs, classinfo, compat = territory(8)
    linear = linear_model(8, len(KINDS))
    rng = np.random.default_rng(8)
    reach = np.where(rng.random(len(offers)) < 0.7, rng.uniform(2.0, 60.0, len(offers)), np.inf)
    k = 4
    got = best_needs_per_offer(sites, offers, needs, classinfo, compat, 100.0, k, linear, reach_km=reach)
    every = best_needs_per_offer(sites, offers, needs, classinfo, compat, 100.0, len(needs), linear)
    c = every.candidates
    far = c.distance_km > reach[c.offer_idx]
    assert far.sum() > 100  # the reach is at work in this territory
    assert_first_k_per_offer(got, c.offer_idx[~far], c.need_idx[~far], every.value[~far], k)


def test_a_waste_operators_needs_are_ranked_with_the_euros_it_saves_in_both_searches():
    """A recycler resells what it receives: its pairs save no virgin purchase (``Needs.resale``,
    ``LinearImpact.eur_resale_per_unit``), as the figures shown say. The ranking counted the virgin price for it;
    both compiled searches now rank with the recycler's euros, exactly as a full enumeration does."""
    from dataclasses import replace

    sites, offers, needs, classinfo, compat = territory(7)
    rng = np.random.default_rng(7)
    needs = replace(needs, resale=rng.random(len(needs)) < 0.4)
    plain = linear_model(7, len(KINDS))
    # the virgin price is most of the saving: a recycler's euros are far lower (negative for some classes)
    linear = replace(plain, eur_resale_per_unit=plain.eur_per_unit - rng.uniform(30, 80, len(KINDS)))
    ref, ref_score = enumerated_top(sites, offers, needs, classinfo, compat, linear, 90.0, 7)
    _, blind_score = enumerated_top(sites, offers, replace(needs, resale=None), classinfo, compat, linear, 90.0, 7)
    assert not np.allclose(np.sort(ref_score), np.sort(blind_score))  # the recycler's euros change the ranking
    assert_same(best_offers_per_need(sites, offers, needs, classinfo, compat, radius_km=90.0, k=7, impact_fn=linear),
                ref, ref_score)
    # per offer: its k best needs by score, ties by need index, as enumerating every pair gives
    assert_per_offer_search_is_enumeration(sites, offers, needs, classinfo, compat, linear)


def test_a_disposal_operators_needs_are_ranked_without_the_euros_and_co2e_it_does_not_save_in_both_searches():
    """A treatment and disposal operator (NACE 38.21, 38.22) bills its own gate fee and recycles nothing: its pairs
    count no euros and no CO2e (``Needs.disposal``, ``LinearImpact``'s disposal coefficients), as the synergy page
    says. Both compiled searches rank its needs so, exactly as a full enumeration does."""
    sites, offers, needs, classinfo, compat = territory(8)
    rng = np.random.default_rng(8)
    resale = rng.random(len(needs)) < 0.5
    needs = replace(needs, resale=resale, disposal=resale & (rng.random(len(needs)) < 0.6))
    plain = linear_model(8, len(KINDS))
    material = np.array([k == "material" for k in KINDS])
    linear = replace(plain, eur_resale_per_unit=plain.eur_per_unit + 40.0,
                     co2e_disposal_kg_per_unit=np.where(material, np.nan, plain.co2e_kg_per_unit),
                     eur_disposal_per_unit=np.where(material, np.nan, plain.eur_per_unit))
    ref, ref_score = enumerated_top(sites, offers, needs, classinfo, compat, linear, 90.0, 7)
    _, blind_score = enumerated_top(sites, offers, replace(needs, disposal=None), classinfo, compat, linear, 90.0, 7)
    assert not np.allclose(np.sort(ref_score), np.sort(blind_score))  # the disposal rule changes the ranking
    assert_same(best_offers_per_need(sites, offers, needs, classinfo, compat, radius_km=90.0, k=7, impact_fn=linear),
                ref, ref_score)
    # per offer: its k best needs by score, ties by need index, as enumerating every pair gives
    assert_per_offer_search_is_enumeration(sites, offers, needs, classinfo, compat, linear)


@pytest.mark.parametrize("by_plausibility", [True, False])
def test_hazardous_offers_decaying_from_their_nearest_receiver_are_searched_exactly(by_plausibility):
    """A hazardous offer's distance decay counts from its nearest receiver (``Offers.nearest_km``,
    ``scoring.decay_distance``): the per-offer search keeps, for each offer, exactly the k best needs
    above the threshold that enumerating every pair gives, far receivers of such offers included."""
    sites, offers, needs, classinfo, compat = territory(9)
    linear = linear_model(9, len(KINDS))
    every = find_candidates(sites, offers, needs, classinfo, compat, 150.0)
    near = np.full(len(offers), np.inf)
    np.minimum.at(near, every.offer_idx, every.distance_km)
    offers = replace(offers, nearest_km=np.where(offers.hazardous & np.isfinite(near), near, np.nan))
    assert np.isfinite(offers.nearest_km).sum() > 20 and np.nanmax(offers.nearest_km) > 5
    threshold, k = 0.05, 3
    got = best_needs_per_offer(sites, offers, needs, classinfo, compat, 150.0, k, linear, threshold=threshold,
                               by_plausibility=by_plausibility)
    terms = score_terms(every.offer_idx, every.need_idx, every.distance_km, every.compat_weight, offers, needs, linear)
    plaus = terms["compat_weight"] * terms["confidence"] * terms["inferred_factor"] * terms["decay"]
    rank = plaus if by_plausibility else terms["score"]
    ok = plaus >= threshold
    oi, ni, v = every.offer_idx[ok], every.need_idx[ok], rank[ok]
    order = np.lexsort((ni, -v, oi))
    oi, ni, v = oi[order], ni[order], v[order]
    first_k = assert_first_k_per_offer(got, oi, ni, v, k, rtol=1e-9)
    haz_kept = offers.hazardous[oi[first_k]]
    assert haz_kept.sum() > 20  # hazardous offers' pairs are in play
    plain = score_terms(every.offer_idx, every.need_idx, every.distance_km, every.compat_weight,
                        replace(offers, nearest_km=None), needs, linear)
    plain_plaus = plain["compat_weight"] * plain["confidence"] * plain["inferred_factor"] * plain["decay"]
    assert (plain_plaus[ok] < threshold).sum() > 5  # some kept only because their decay counts from the nearest
