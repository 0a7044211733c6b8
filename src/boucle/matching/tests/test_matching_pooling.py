import numpy as np
import pytest

from boucle.matching.engine import Sites
from boucle.matching.pooling import Flows, find_pools
from boucle.matching.spatial import EARTH_RADIUS_KM

DEG_KM = EARTH_RADIUS_KM * np.pi / 180  # one degree of the equator


def equator_sites(*lons):
    return Sites(lat=np.zeros(len(lons)), lon=np.array(lons, dtype=float))


def test_shared_collection_round_saves_hand_computed_truck_km():
    # Three sites on the equator at 1°, 2°, 3° E throw away cardboard; the
    # treatment plant is at 0°. Separate return trips: 2 x (1 + 2 + 3) = 12°.
    # One round 0 -> 1 -> 2 -> 3 -> 0: 6°. Saving 6° of great circle.
    # A fourth site at 10° E is too far to join; a site with another waste is ignored.
    sites = equator_sites(1.0, 2.0, 3.0, 10.0, 2.5)
    flows = Flows(site=[0, 1, 2, 3, 4], cls=[7, 7, 7, 7, 8], quantity_t=[1.0, 2.0, 3.0, 4.0, 5.0], direction=["offer"] * 5)
    pools = find_pools(sites, flows, radius_km=1.5 * DEG_KM, depots_lat=[0.0, 45.0], depots_lon=[0.0, 0.0])
    assert len(pools) == 1
    p = pools[0]
    assert (p.cls, p.direction) == (7, "offer")
    assert p.sites.tolist() == [1, 0, 2]  # seed (most neighbours) first
    assert p.round_order.tolist() == [0, 1, 2]
    assert p.total_t == pytest.approx(6.0)
    assert (p.depot_lat, p.depot_lon) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert p.truck_km_separate == pytest.approx(12 * DEG_KM)
    assert p.truck_km_pooled == pytest.approx(6 * DEG_KM)
    assert p.truck_km_saved == pytest.approx(6 * DEG_KM)


def test_pooled_purchasing_without_depot_uses_the_centroid():
    # Square of side 0.1° around the equator/meridian crossing: centroid at the
    # centre; separate = 4 x 2 x half-diagonal; round = 2 half-diagonals + 3 sides.
    h = 0.05
    sites = Sites(lat=[h, h, -h, -h], lon=[-h, h, h, -h])
    flows = Flows(site=[0, 1, 2, 3], cls=[1] * 4, quantity_t=[np.nan, 1, 1, 1], direction=["need"] * 4)
    [p] = find_pools(sites, flows, radius_km=50.0)
    side, half_diag = 0.1 * DEG_KM, 0.1 * DEG_KM / np.sqrt(2)
    assert p.truck_km_separate == pytest.approx(8 * half_diag, rel=1e-3)
    assert p.truck_km_pooled == pytest.approx(2 * half_diag + 3 * side, rel=1e-3)
    assert p.total_t == pytest.approx(3.0)
    assert p.direction == "need"


def test_needs_and_offers_do_not_pool_together_and_small_groups_are_no_pool():
    sites = equator_sites(1.0, 1.01, 1.02, 1.03)
    flows = Flows(site=[0, 1, 2, 3], cls=[1] * 4, quantity_t=[1.0] * 4, direction=["need", "need", "offer", "offer"])
    assert find_pools(sites, flows, radius_km=20.0) == []
    both = Flows(site=[0, 1, 1, 1], cls=[1] * 4, quantity_t=[1.0] * 4, direction=["need"] * 4)
    assert find_pools(sites, both, radius_km=20.0) == []  # two flows on one site: still 2 sites
    assert len(find_pools(sites, both, radius_km=20.0, min_sites=2)) == 1


def test_greedy_grouping_is_deterministic_and_disjoint():
    rng = np.random.default_rng(2)
    sites = Sites(lat=rng.uniform(49, 50, 200), lon=rng.uniform(2, 3, 200))
    flows = Flows(site=np.arange(200), cls=rng.integers(0, 3, 200), quantity_t=rng.uniform(1, 5, 200), direction=np.where(rng.random(200) < 0.5, "offer", "need"))
    a, b = find_pools(sites, flows, radius_km=8.0), find_pools(sites, flows, radius_km=8.0)
    assert len(a) > 3
    assert [p.sites.tolist() for p in a] == [p.sites.tolist() for p in b]
    for key in {(p.cls, p.direction) for p in a}:
        members = np.concatenate([p.sites for p in a if (p.cls, p.direction) == key])
        assert members.size == np.unique(members).size
    saved = [p.truck_km_saved for p in a]
    assert saved == sorted(saved, reverse=True)


def test_empty_and_one_site():
    assert find_pools(Sites([], []), Flows([], [], [], []), radius_km=10.0) == []
    one = Flows(site=[0, 0, 0], cls=[1, 1, 1], quantity_t=[1, 1, 1], direction=["need"] * 3)
    assert find_pools(equator_sites(1.0), one, radius_km=10.0) == []
    with pytest.raises(ValueError):
        Flows(site=[0], cls=[1], quantity_t=[1.0], direction=["-1"])
