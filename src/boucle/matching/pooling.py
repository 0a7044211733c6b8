"""Pools: three or more nearby sites sharing a need (pooled purchasing) or a
waste (a shared collection round).

A one-to-one synergy needs a partner with the opposite flow; a pool only needs
neighbours with the *same* flow, which is how many territories start (shared
cardboard collection, joint purchase of pallets).

Grouping (deterministic, greedy): for each (class, direction), take the site
with the most other sites of that flow within ``radius_km`` (ties: lowest site
index), make it a pool with those neighbours, remove them, repeat while a seed
still has ``min_sites - 1`` neighbours. Every site of a pool is within
``radius_km`` of its seed, so within ``2 * radius_km`` of each other.

Truck-km saving, per collection (or delivery) cycle::

    separate = sum over sites of 2 * d(depot, site)        (one return trip each)
    pooled   = d(depot, s1) + d(s1, s2) + ... + d(sk, depot) (one round)
    saved    = separate - pooled

where the round visits sites in nearest-neighbour order from the depot. The
depot is the treatment point or supplier nearest to the pool's centroid when
``depots`` are given, else the centroid itself (a conservative proxy: a real
depot outside the pool only adds the same approach leg to every separate
trip, so the saving grows). Distances are great-circle km times ``detour``
(road network / straight line, 1.0 by default). Truck capacity is ignored:
the figure is an estimate to rank pools, not a routing plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .engine import Sites, group_positions
from .spatial import km_to_chord, pairwise_km, to_xyz

OFFER, NEED = "offer", "need"


@dataclass(frozen=True, eq=False)
class Flows:
    """Offers and needs in one table, the direction being explicit (never a sign)."""

    site: np.ndarray
    cls: np.ndarray
    quantity_t: np.ndarray
    direction: np.ndarray  # "offer" or "need" per row

    def __post_init__(self):
        site = np.asarray(self.site, dtype=np.int64).reshape(-1)
        object.__setattr__(self, "site", site)
        object.__setattr__(self, "cls", np.asarray(self.cls, dtype=np.int64).reshape(-1))
        object.__setattr__(self, "quantity_t", np.asarray(self.quantity_t, dtype=np.float64).reshape(-1))
        direction = np.asarray(self.direction).astype(str).reshape(-1)
        if not np.isin(direction, (OFFER, NEED)).all():
            raise ValueError("direction must be 'offer' or 'need'")
        object.__setattr__(self, "direction", direction)

    def __len__(self) -> int:
        return self.site.size


@dataclass(frozen=True)
class Pool:
    cls: int
    direction: str
    sites: np.ndarray  # site indices, seed first then by index
    flow_idx: np.ndarray  # rows of the Flows table
    total_t: float  # nan quantities count as 0
    depot_lat: float
    depot_lon: float
    round_order: np.ndarray  # sites in visiting order
    truck_km_separate: float
    truck_km_pooled: float

    @property
    def truck_km_saved(self) -> float:
        return self.truck_km_separate - self.truck_km_pooled


def _centroid(xyz: np.ndarray) -> np.ndarray:
    m = xyz.mean(axis=0)
    return m / np.linalg.norm(m)


def round_trip_km(depot_xyz: np.ndarray, xyz: np.ndarray, detour: float = 1.0) -> tuple[float, float, np.ndarray]:
    """(separate return trips, nearest-neighbour round, visiting order)."""
    separate = 2.0 * float(pairwise_km(np.broadcast_to(depot_xyz, xyz.shape), xyz).sum())
    left = list(range(len(xyz)))
    here, pooled, order = depot_xyz, 0.0, []
    while left:
        d = pairwise_km(np.broadcast_to(here, (len(left), 3)), xyz[left])
        j = int(np.argmin(d))  # first minimum: lowest position on ties
        pooled += float(d[j])
        here = xyz[left[j]]
        order.append(left.pop(j))
    pooled += float(pairwise_km(here[None], depot_xyz[None])[0])
    return separate * detour, pooled * detour, np.array(order, dtype=np.int64)


def find_pools(
    sites: Sites,
    flows: Flows,
    radius_km: float = 10.0,
    min_sites: int = 3,
    depots_lat=None,
    depots_lon=None,
    detour: float = 1.0,
) -> list[Pool]:
    """Pools ordered by truck-km saved (descending), then class, direction, seed."""
    if len(flows) == 0 or len(sites) == 0:
        return []
    xyz = sites.xyz
    depots = None if depots_lat is None or len(depots_lat) == 0 else to_xyz(depots_lat, depots_lon)
    depot_tree = cKDTree(depots) if depots is not None else None
    chord = float(km_to_chord(radius_km))
    pools: list[Pool] = []
    for direction in (NEED, OFFER):
        rows = np.flatnonzero(flows.direction == direction)
        for c, pos in group_positions(flows.cls[rows]).items():
            f_rows = rows[pos]
            site_ids = np.unique(flows.site[f_rows])
            if site_ids.size < min_sites:
                continue
            pools.extend(_pools_of_group(c, direction, site_ids, f_rows, flows, xyz, chord, min_sites, depots, depot_tree, detour))
    pools.sort(key=lambda p: (-p.truck_km_saved, p.cls, p.direction, int(p.sites[0])))
    return pools


def _pools_of_group(c, direction, site_ids, f_rows, flows, xyz, chord, min_sites, depots, depot_tree, detour):
    tree = cKDTree(xyz[site_ids])
    neighbours = tree.query_ball_point(xyz[site_ids], chord)
    free = np.ones(site_ids.size, dtype=bool)
    out = []
    while True:
        counts = np.array([sum(free[j] for j in nb) if free[i] else 0 for i, nb in enumerate(neighbours)])
        seed = int(np.argmax(counts))
        if counts[seed] < min_sites:
            break
        members = sorted(j for j in neighbours[seed] if free[j] and j != seed)
        members = [seed] + members
        free[members] = False
        pool_sites = site_ids[members]
        p_xyz = xyz[pool_sites]
        centre = _centroid(p_xyz)
        depot = depots[int(depot_tree.query(centre)[1])] if depots is not None else centre
        separate, pooled, order = round_trip_km(depot, p_xyz, detour)
        lat, lon = np.degrees(np.arcsin(np.clip(depot[2], -1, 1))), np.degrees(np.arctan2(depot[1], depot[0]))
        in_pool = f_rows[np.isin(flows.site[f_rows], pool_sites)]
        out.append(Pool(
            cls=int(c), direction=direction, sites=pool_sites, flow_idx=in_pool,
            total_t=float(np.nansum(flows.quantity_t[in_pool])), depot_lat=float(lat), depot_lon=float(lon),
            round_order=pool_sites[order], truck_km_separate=separate, truck_km_pooled=pooled,
        ))
    return out
