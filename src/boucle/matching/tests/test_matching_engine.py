"""Hand-built territories whose answers are known."""

import numpy as np
import pytest

from boucle.matching.engine import (
    Candidates,
    ClassInfo,
    Compatibility,
    Needs,
    Offers,
    Sites,
    find_candidates,
    score_candidates,
    top_k_per,
)
from boucle.matching.spatial import chord_to_km, haversine_km, km_to_chord, to_xyz

FLY_ASH, HEAT, GREY_WATER, DRINKING_WATER, SOLVENT, GYPSUM_FGD, GYPSUM = range(7)
CLASSES = ClassInfo(
    kind=["material", "heat", "water", "water", "material", "material", "material"],
    water_grade=[0, 0, 1, 3, 0, 0, 0],
)

# Bouchain (coal plant), a cement plant 20 km away, one in Marseille (~750 km).
BOUCHAIN, CEMENT_NEAR, CEMENT_FAR = (50.285, 3.315), (50.36, 3.57), (43.30, 5.40)


def sites(*coords):
    lat, lon = zip(*coords)
    return Sites(lat=np.array(lat), lon=np.array(lon))


def test_sphere_distances_match_haversine_anywhere():
    # Paris-New York and a short hop: chord conversion is exact on the sphere.
    lat1, lon1 = np.array([48.8566, 50.0]), np.array([2.3522, 3.0])
    lat2, lon2 = np.array([40.7128, 50.01]), np.array([-74.0060, 3.0])
    chord = np.linalg.norm(to_xyz(lat1, lon1) - to_xyz(lat2, lon2), axis=1)
    np.testing.assert_allclose(chord_to_km(chord), haversine_km(lat1, lon1, lat2, lon2), rtol=1e-9)
    assert abs(chord_to_km(chord)[0] - 5837) < 10
    np.testing.assert_allclose(chord_to_km(km_to_chord([1.0, 200.0, 5000.0])), [1.0, 200.0, 5000.0])


def test_fly_ash_reaches_cement_plant_inside_radius_only():
    s = sites(BOUCHAIN, CEMENT_NEAR, CEMENT_FAR)
    offers = Offers(site=[0], cls=[FLY_ASH], quantity_t=[5000.0])
    needs = Needs(site=[1, 2], cls=[FLY_ASH, FLY_ASH], quantity_t=[3000.0, 3000.0])
    c = find_candidates(s, offers, needs, CLASSES, radius_km=200.0)
    assert c.need_idx.tolist() == [0]
    expected = haversine_km(BOUCHAIN[0], BOUCHAIN[1], *CEMENT_NEAR)
    assert c.distance_km[0] == pytest.approx(expected, rel=1e-9)
    # A continental radius reaches Marseille too.
    assert find_candidates(s, offers, needs, CLASSES, radius_km=1000.0).need_idx.tolist() == [0, 1]


def test_a_site_never_matches_itself_even_at_zero_distance():
    # Two companies on the same commune centroid do match; one site with itself does not.
    s = sites(BOUCHAIN, BOUCHAIN)
    offers = Offers(site=[0], cls=[FLY_ASH], quantity_t=[10.0])
    needs = Needs(site=[0, 1], cls=[FLY_ASH, FLY_ASH])
    c = find_candidates(s, offers, needs, CLASSES)
    assert c.need_idx.tolist() == [1]
    assert c.distance_km[0] == pytest.approx(0.0, abs=1e-9)


def test_heat_too_far_or_too_cold_is_rejected():
    # Needs 3 km, 8 km (beyond the 5 km heat limit) and 2 km but needing 200 °C.
    s = sites((50.0, 3.0), (50.027, 3.0), (50.072, 3.0), (50.018, 3.0))
    offers = Offers(site=[0], cls=[HEAT], quantity_t=[1.0], temperature_c=[90.0])
    needs = Needs(site=[1, 2, 3], cls=[HEAT] * 3, temperature_c=[60.0, 60.0, 200.0])
    assert find_candidates(s, offers, needs, CLASSES).need_idx.tolist() == [0]
    # Unknown temperatures do not block (the facilitator checks them).
    needs_unknown = Needs(site=[3], cls=[HEAT])
    assert len(find_candidates(s, offers, needs_unknown, CLASSES)) == 1
    # A class can be stricter than the kind default (steam: 3 km).
    steam = ClassInfo(kind=CLASSES.kind, water_grade=CLASSES.water_grade, max_distance_km=[np.nan, 2.5, np.nan, np.nan, np.nan, np.nan, np.nan])
    assert find_candidates(s, offers, needs, steam).need_idx.tolist() == []


def test_water_is_never_downgraded_to_a_cleaner_use():
    s = sites((50.0, 3.0), (50.05, 3.0))
    compat = Compatibility.identity(7).plus([GREY_WATER, DRINKING_WATER], [DRINKING_WATER, GREY_WATER], 0.9)
    offers = Offers(site=[0, 0], cls=[GREY_WATER, DRINKING_WATER], quantity_t=[100.0, 100.0])
    needs = Needs(site=[1], cls=[DRINKING_WATER])
    c = find_candidates(s, offers, needs, CLASSES, compat)
    assert c.offer_idx.tolist() == [1]  # drinking water serves drinking water; grey does not
    needs_grey = Needs(site=[1], cls=[GREY_WATER])
    assert sorted(find_candidates(s, offers, needs_grey, CLASSES, compat).offer_idx.tolist()) == [0, 1]


def test_hazardous_offers_only_reach_authorised_sites():
    s = sites((50.0, 3.0), (50.1, 3.0), (50.2, 3.0))
    offers = Offers(site=[0, 0], cls=[SOLVENT, SOLVENT], quantity_t=[5.0, 5.0], hazardous=[True, False])
    needs = Needs(site=[1, 2], cls=[SOLVENT, SOLVENT], accepts_hazardous=[True, False])
    c = find_candidates(s, offers, needs, CLASSES)
    pairs = set(zip(c.offer_idx.tolist(), c.need_idx.tolist()))
    assert pairs == {(0, 0), (1, 0), (1, 1)}


def test_substitution_serves_a_need_with_its_weight():
    s = sites((50.0, 3.0), (50.1, 3.0))
    compat = Compatibility.identity(7).plus(GYPSUM_FGD, GYPSUM, 0.7)
    offers = Offers(site=[0, 0], cls=[GYPSUM_FGD, GYPSUM], quantity_t=[100.0, 100.0])
    needs = Needs(site=[1], cls=[GYPSUM], quantity_t=[100.0])
    c = find_candidates(s, offers, needs, CLASSES, compat)
    assert dict(zip(c.offer_idx.tolist(), c.compat_weight.tolist())) == {0: 0.7, 1: 1.0}
    score = score_candidates(c, offers, needs)
    assert score[c.offer_idx == 1][0] > score[c.offer_idx == 0][0]
    # Without the substitution, FGD gypsum is not a candidate at all.
    assert find_candidates(s, offers, needs, CLASSES).offer_idx.tolist() == [1]


def test_inferred_need_ranks_below_declared_need_of_equal_merit():
    # Two needs on symmetric sites, same quantity: only "inferred" differs.
    s = sites((50.0, 3.0), (50.1, 3.0), (49.9, 3.0))
    offers = Offers(site=[0], cls=[FLY_ASH], quantity_t=[100.0])
    needs = Needs(site=[1, 2], cls=[FLY_ASH, FLY_ASH], quantity_t=[100.0, 100.0], inferred=[True, False])
    c = find_candidates(s, offers, needs, CLASSES)
    score = score_candidates(c, offers, needs)
    best = top_k_per(c.offer_idx, score, k=1)
    assert c.need_idx[best].tolist() == [1]
    assert score[c.need_idx == 0][0] < score[c.need_idx == 1][0]


def test_score_prefers_closer_better_fitting_surer_offers():
    s = sites((50.0, 3.0), (50.05, 3.0), (50.6, 3.0), (50.0, 3.05))
    need = Needs(site=[0], cls=[FLY_ASH], quantity_t=[100.0])
    offers = Offers(site=[1, 2, 3, 3], cls=[FLY_ASH] * 4, quantity_t=[100.0, 100.0, 2.0, 100.0], confidence=[1.0, 1.0, 1.0, 0.5])
    c = find_candidates(s, offers, need, CLASSES)
    score = dict(zip(c.offer_idx.tolist(), score_candidates(c, offers, need).tolist()))
    assert score[0] > score[1]  # 6 km beats 67 km
    assert score[0] > score[2]  # 2 t for a 100 t need fits poorly
    assert score[0] > score[3]  # uncertain classification
    assert all(0.0 < v <= 1.0 for v in score.values())


def test_top_k_per_is_deterministic_with_ties():
    group = np.array([2, 1, 1, 2, 1, 2, 2])
    score = np.array([0.5, 0.9, 0.9, 0.5, np.nan, 0.7, 0.1])
    pos = top_k_per(group, score, k=2)
    assert pos.tolist() == [1, 2, 5, 0]  # group 1 then 2; ties by position; NaN last
    tie = np.array([0, 9, 3, 0, 0, 0, 0])
    assert top_k_per(group, score, k=1, tie=tie).tolist() == [2, 5]


def test_empty_and_one_site_territories():
    empty = find_candidates(Sites([], []), Offers([], [], []), Needs([], []), CLASSES)
    assert len(empty) == 0 and score_candidates(empty, Offers([], [], []), Needs([], [])).size == 0
    assert top_k_per(empty.need_idx, np.zeros(0), 10).size == 0
    one = sites(BOUCHAIN)
    offers = Offers(site=[0], cls=[FLY_ASH], quantity_t=[1.0])
    needs = Needs(site=[0], cls=[FLY_ASH])
    assert len(find_candidates(one, offers, needs, CLASSES)) == 0
    assert len(find_candidates(one, offers, Needs([], []), CLASSES)) == 0


def random_territory(seed, n_sites=300, n_flows=2000, n_classes=5):
    rng = np.random.default_rng(seed)
    s = Sites(lat=rng.uniform(48.0, 51.0, n_sites), lon=rng.uniform(1.0, 6.0, n_sites))
    offers = Offers(
        site=rng.integers(0, n_sites, n_flows), cls=rng.integers(0, n_classes, n_flows),
        quantity_t=rng.lognormal(3, 1, n_flows), confidence=rng.uniform(0.5, 1, n_flows),
        hazardous=rng.random(n_flows) < 0.1,
    )
    needs = Needs(
        site=rng.integers(0, n_sites, n_flows), cls=rng.integers(0, n_classes, n_flows),
        quantity_t=np.where(rng.random(n_flows) < 0.3, np.nan, rng.lognormal(3, 1, n_flows)),
        inferred=rng.random(n_flows) < 0.3, accepts_hazardous=rng.random(n_flows) < 0.2,
    )
    return s, offers, needs, ClassInfo.uniform(n_classes)


def test_candidates_equal_a_brute_force_enumeration():
    s, offers, needs, ci = random_territory(1, n_flows=700)
    c = find_candidates(s, offers, needs, ci, radius_km=60.0)
    oi, ni = np.meshgrid(np.arange(len(offers)), np.arange(len(needs)), indexing="ij")
    oi, ni = oi.ravel(), ni.ravel()
    d = haversine_km(s.lat[offers.site[oi]], s.lon[offers.site[oi]], s.lat[needs.site[ni]], s.lon[needs.site[ni]])
    ok = (offers.cls[oi] == needs.cls[ni]) & (d <= 60.0) & (offers.site[oi] != needs.site[ni])
    ok &= ~offers.hazardous[oi] | needs.accepts_hazardous[ni]
    assert set(zip(c.offer_idx.tolist(), c.need_idx.tolist())) == set(zip(oi[ok].tolist(), ni[ok].tolist()))


def test_same_input_same_output():
    runs = []
    for _ in range(2):
        s, offers, needs, ci = random_territory(7)
        c = find_candidates(s, offers, needs, ci, radius_km=80.0)
        score = score_candidates(c, offers, needs)
        runs.append((c, score, top_k_per(c.need_idx, score, 10)))
    (c1, s1, t1), (c2, s2, t2) = runs
    assert len(c1) > 1000
    for name in ("offer_idx", "need_idx", "distance_km"):
        np.testing.assert_array_equal(getattr(c1, name), getattr(c2, name))
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(t1, t2)


def test_candidates_take_and_empty():
    c = Candidates.empty()
    assert len(c.take(np.zeros(0, dtype=int))) == 0


def linear_impact(material_idx, quantity_t, distance_km, **_):
    """A model shaped like boucle.impact's: saving per tonne minus road freight."""
    gain = np.array([0.9, 0.05, 0.4])[material_idx]
    co2e = quantity_t * (gain - 0.0001 * distance_km)
    return {"co2e_avoided_t": co2e, "tonnes_diverted": quantity_t, "eur_saved": quantity_t * (30 - 0.1 * distance_km), "computable": np.ones(co2e.shape, bool)}


@pytest.mark.parametrize("pool,impact_fn,group_min", [(1, None, 4096), (16, linear_impact, 20)])
def test_fast_top_k_equals_full_enumeration(pool, impact_fn, group_min, monkeypatch):
    from boucle.matching import nearest
    from boucle.matching.nearest import best_offers_per_need

    monkeypatch.setattr(nearest, "GROUP_MIN_NEEDS", group_min)  # exercise the grouped queries too
    s, offers, needs, ci = random_territory(5, n_sites=900, n_flows=900, n_classes=3)
    compat = Compatibility.identity(3).plus([0, 2], [1, 1], [0.6, 0.9])
    c = find_candidates(s, offers, needs, ci, compat, radius_km=150.0)
    score = score_candidates(c, offers, needs, impact_fn)
    ref = top_k_per(c.need_idx, score, 10, tie=c.offer_idx)
    fast = best_offers_per_need(s, offers, needs, ci, compat, radius_km=150.0, k=10, pool=pool, impact_fn=impact_fn)
    np.testing.assert_array_equal(fast.candidates.need_idx, c.need_idx[ref])
    np.testing.assert_array_equal(fast.candidates.offer_idx, c.offer_idx[ref])
    np.testing.assert_allclose(fast.score, score[ref])
    np.testing.assert_allclose(fast.candidates.distance_km, c.distance_km[ref], atol=1e-9)


def test_fast_top_k_handles_ties_and_empty_territories():
    from boucle.matching.nearest import best_offers_per_need

    # Twelve identical offers on one site: the 10 kept are the lowest indices.
    s = sites((50.0, 3.0), (50.1, 3.0))
    offers = Offers(site=[0] * 12, cls=[FLY_ASH] * 12, quantity_t=[5.0] * 12)
    needs = Needs(site=[1], cls=[FLY_ASH], quantity_t=[5.0])
    top = best_offers_per_need(s, offers, needs, CLASSES, k=10, pool=1)
    assert top.candidates.offer_idx.tolist() == list(range(10))
    empty = best_offers_per_need(Sites([], []), Offers([], [], []), Needs([], []), CLASSES)
    assert len(empty.score) == 0
    one = best_offers_per_need(sites(BOUCHAIN), Offers([0], [FLY_ASH], [1.0]), Needs([0], [FLY_ASH]), CLASSES)
    assert len(one.score) == 0


def test_explanation_accounts_for_the_score():
    from boucle.matching.explain import explain

    s = sites((50.0, 3.0), (50.1, 3.0))
    compat = Compatibility.identity(7).plus(GYPSUM_FGD, GYPSUM, 0.7)
    offers = Offers(site=[0], cls=[GYPSUM_FGD], quantity_t=[80.0], confidence=[0.9])
    needs = Needs(site=[1], cls=[GYPSUM], quantity_t=[100.0], inferred=[True])

    def impact(material_idx, quantity_t, distance_km, **_):
        co2e = quantity_t * 0.1
        return {"co2e_avoided_t": co2e, "tonnes_diverted": quantity_t, "eur_saved": quantity_t * 20, "computable": np.ones(co2e.shape, bool)}

    c = find_candidates(s, offers, needs, CLASSES, compat)
    score = score_candidates(c, offers, needs, impact)
    keys = ["fly_ash", "heat", "grey", "drinking", "solvent", "fgd_gypsum", "gypsum"]
    e = explain(0, c, offers, needs, CLASSES, impact, class_keys=keys)
    assert e["score"] == pytest.approx(score[0])
    assert e["exchanged_t"] == 80.0 and e["impact"]["co2e_avoided_t"] == pytest.approx(8.0)
    assert e["terms"]["fit"] == pytest.approx(0.8)
    t = e["terms"]
    assert e["score"] == pytest.approx(t["merit"] * t["confidence"] * t["inferred_factor"] * t["decay"] * t["compat_weight"])
    codes = {r["code"]: r for r in e["reasons"]}
    assert codes["substitution"]["offer_class"] == "fgd_gypsum" and codes["substitution"]["weight"] == 0.7
    assert "inferred_need" in codes
    assert e["distance_km"] == pytest.approx(11.12, abs=0.01)


def test_partners_across_the_antimeridian_and_near_the_pole_match():
    # Fiji straddles 180°: 0.2° of longitude apart is ~22 km, not ~40,000.
    s = sites((-17.0, 179.9), (-17.0, -179.9), (89.99, 0.0), (89.99, 180.0))
    offers = Offers(site=[0, 2], cls=[FLY_ASH, FLY_ASH], quantity_t=[1.0, 1.0])
    needs = Needs(site=[1, 3], cls=[FLY_ASH, FLY_ASH])
    c = find_candidates(s, offers, needs, CLASSES, radius_km=30.0)
    assert list(zip(c.offer_idx.tolist(), c.need_idx.tolist())) == [(0, 0), (1, 1)]
    assert c.distance_km[0] == pytest.approx(haversine_km(-17.0, 179.9, -17.0, -179.9))
    assert c.distance_km[1] == pytest.approx(2.22, abs=0.01)


def test_fast_top_k_with_a_display_threshold_keeps_exactly_the_pairs_above_it():
    from boucle.matching.nearest import best_offers_per_need

    s, offers, needs, ci = random_territory(9, n_sites=600, n_flows=600, n_classes=2)
    c = find_candidates(s, offers, needs, ci, radius_km=120.0)
    score = score_candidates(c, offers, needs)
    ref = top_k_per(c.need_idx, score, 5, tie=c.offer_idx)
    threshold = float(np.median(score[ref]))
    ref = ref[score[ref] >= threshold]
    fast = best_offers_per_need(s, offers, needs, ci, radius_km=120.0, k=5, min_score=threshold)
    np.testing.assert_array_equal(fast.candidates.offer_idx, c.offer_idx[ref])
    np.testing.assert_array_equal(fast.candidates.need_idx, c.need_idx[ref])
    plain = best_offers_per_need(s, offers, needs, ci, radius_km=120.0, k=5)
    assert fast.pairs_scored < plain.pairs_scored
