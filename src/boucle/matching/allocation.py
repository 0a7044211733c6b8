"""The territory's best assignment of supplies to demands, as an exact min-cost flow.

Ranking says which partner is good for one flow; a facilitator also asks
"if everyone followed the plan, which exchanges maximise the tonnes of CO2e
avoided (or euros) for the whole territory?". Offers and needs compete for the
same tonnes, so this is a transportation problem: maximise
``sum(value_per_t[a] * tonnes[a])`` under ``sum of tonnes leaving a supply <=
its quantity`` and ``sum arriving at a demand <= its quantity``. Its constraint
matrix is totally unimodular, so a min-cost flow solves it exactly and fast.

Network: supply nodes -> demand nodes (one arc per candidate, unit cost
``-value``) -> one sink; every supply also has a zero-cost arc straight to the
sink, so leaving tonnes unshipped is always allowed (nobody must take waste
that loses value).

Rounding (OR-Tools works on int64): quantities are counted in
``quantity_unit_t`` (default 0.001 t = 1 kg, rounded down so no limit is ever
exceeded) and values per tonne in steps of ``1 / value_scale`` (default 0.001,
rounded to nearest). The plan is optimal for the rounded problem; the reported
``total_value`` uses the exact float values and the rounded flows. If the
integer objective could overflow int64, the quantity unit is coarsened by
powers of ten and the unit used is reported.

Independent parts of the network (no arc joins them, even indirectly: another material,
another area) are solved one by one, small ones packed together: same optimum, and
faster, since cost scaling grows faster than the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

_INT64_BUDGET = 2**62


@dataclass(frozen=True, eq=False)
class Allocation:
    flow_t: np.ndarray  # tonnes per input arc (0 for dropped arcs)
    total_value: float
    shipped_t: np.ndarray  # per supply
    received_t: np.ndarray  # per demand
    quantity_unit_t: float
    status: str

    @property
    def used_arcs(self) -> np.ndarray:
        return np.flatnonzero(self.flow_t > 0)


def _units(quantity_t: np.ndarray, unit_t: float, unknown_units: int) -> np.ndarray:
    q = np.asarray(quantity_t, dtype=np.float64)
    units = np.floor(np.where(np.isfinite(q), np.maximum(q, 0.0), 0.0) / unit_t + 1e-9).astype(np.int64)
    return np.where(np.isfinite(q), units, unknown_units)


def allocate(
    supply_t,
    demand_t,
    arcs_from,
    arcs_to,
    arc_value,
    arc_capacity_t=None,
    quantity_unit_t: float = 0.001,
    value_scale: float = 1000.0,
    workers: int | None = None,
) -> Allocation:
    """Maximise total value; ``arc_value`` is per tonne (e.g. tCO2e avoided per t).

    ``demand_t`` may hold nan for an unknown demand: it is then bounded only by
    the supplies reaching it. Arcs with a non-positive (or nan) value are never used.
    ``workers``: the independent parts solved by that many processes (same plan).
    """
    supply_t = np.asarray(supply_t, dtype=np.float64).reshape(-1)
    demand_t = np.asarray(demand_t, dtype=np.float64).reshape(-1)
    arcs_from = np.asarray(arcs_from, dtype=np.int64).reshape(-1)
    arcs_to = np.asarray(arcs_to, dtype=np.int64).reshape(-1)
    arc_value = np.asarray(arc_value, dtype=np.float64).reshape(-1)
    n_s, n_d, n_a = supply_t.size, demand_t.size, arcs_from.size
    cap_t = np.full(n_a, np.inf) if arc_capacity_t is None else np.asarray(arc_capacity_t, dtype=np.float64)

    flow_t = np.zeros(n_a)
    keep = np.flatnonzero(np.nan_to_num(arc_value, nan=0.0) > 0)
    cost = np.rint(arc_value[keep] * value_scale).astype(np.int64)
    keep, cost = keep[cost > 0], cost[cost > 0]
    supply_finite = np.nan_to_num(supply_t, nan=0.0, posinf=0.0)
    if keep.size == 0 or supply_finite.sum() <= 0:
        return Allocation(flow_t, 0.0, np.zeros(n_s), np.zeros(n_d), quantity_unit_t, "EMPTY")

    unit = quantity_unit_t
    while float(np.maximum(supply_finite, 0).sum()) / unit * float(cost.max()) >= _INT64_BUDGET:
        unit *= 10.0
    u = _units(supply_finite, unit, 0)
    total = int(u.sum())
    v = _units(demand_t, unit, total)
    c_units = _units(cap_t[keep], unit, total)

    tails, heads = arcs_from[keep], arcs_to[keep]
    capacity = np.minimum(np.minimum(u[tails], v[heads]), c_units)
    flows = np.zeros(keep.size, dtype=np.int64)
    groups = _independent_groups(tails, heads, n_s, n_d)
    for arcs, solved in zip(groups, _solve_groups(groups, tails, heads, u, v, capacity, cost, workers)):
        flows[arcs] = solved
    flow_t[keep] = flows * unit
    shipped = np.bincount(arcs_from, weights=flow_t, minlength=n_s)
    received = np.bincount(arcs_to, weights=flow_t, minlength=n_d)
    value = float(np.dot(flow_t[keep], arc_value[keep]))
    return Allocation(flow_t, value, shipped, received, unit, "OPTIMAL")


GROUP_ARCS = 4096  # small independent parts are solved together: one solver call costs more than a few arcs


def _independent_groups(tails: np.ndarray, heads: np.ndarray, n_s: int, n_d: int) -> list[np.ndarray]:
    """Arc indices split along the connected components of the supply-demand graph, small
    components packed together up to ``GROUP_ARCS`` arcs.

    Supplies and demands that share no arc, even indirectly, do not compete: each part is solved
    on its own and the union of the optima is the optimum. Cost scaling grows faster than the
    network, so a territory's network (one component per material and area) solves faster in
    parts than whole."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = n_s + n_d
    graph = coo_matrix((np.ones(tails.size, dtype=np.int8), (tails, heads + n_s)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    component = label[tails]
    order = np.argsort(component, kind="stable")
    parts = np.split(order, np.flatnonzero(np.diff(component[order])) + 1)
    groups, pending, size = [], [], 0
    for part in sorted(parts, key=len, reverse=True):
        pending.append(part)
        size += part.size
        if size >= GROUP_ARCS:
            groups.append(np.concatenate(pending))
            pending, size = [], 0
    if pending:
        groups.append(np.concatenate(pending))
    return groups


_NETWORK: tuple = ()  # the arrays the worker processes inherit (fork): no copy per part


def _solve_group(i: int) -> np.ndarray:
    groups, tails, heads, u, v, capacity, cost = _NETWORK
    arcs = groups[i]
    return _min_cost_flow(tails[arcs], heads[arcs], u, v, capacity[arcs], cost[arcs])


def _solve_groups(groups, tails, heads, u, v, capacity, cost, workers: int | None) -> list[np.ndarray]:
    """Each independent part's flows, in this process or over ``workers`` forked processes (largest
    parts first); parts do not compete, so the plan is the same either way."""
    global _NETWORK
    _NETWORK = (groups, tails, heads, u, v, capacity, cost)
    try:
        if not workers or workers <= 1 or len(groups) <= 1:
            return [_solve_group(i) for i in range(len(groups))]
        import multiprocessing as mp

        order = sorted(range(len(groups)), key=lambda i: -groups[i].size)
        with mp.get_context("fork").Pool(min(workers, len(groups))) as pool:
            solved = dict(zip(order, pool.imap(_solve_group, order, chunksize=1)))
        return [solved[i] for i in range(len(groups))]
    finally:
        _NETWORK = ()


def _min_cost_flow(tails, heads, u, v, capacity, cost) -> np.ndarray:
    """Integer flow on each arc (supply ``tails`` -> demand ``heads``) maximising ``cost`` per
    unit, with every supply free to leave units unshipped (an arc straight to the sink)."""
    sup, s_local = np.unique(tails, return_inverse=True)
    dem, d_local = np.unique(heads, return_inverse=True)
    n_s, n_d = sup.size, dem.size
    sink = n_s + n_d
    all_tails = np.concatenate([s_local, n_s + np.arange(n_d), np.arange(n_s)]).astype(np.int32)
    all_heads = np.concatenate([n_s + d_local, np.full(n_d + n_s, sink)]).astype(np.int32)
    all_capacity = np.concatenate([capacity, v[dem], u[sup]]).astype(np.int64)
    unit_cost = np.concatenate([-cost, np.zeros(n_d + n_s, dtype=np.int64)])
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(all_tails, all_heads, all_capacity, unit_cost)
    supplies = np.concatenate([u[sup], np.zeros(n_d, dtype=np.int64), [-int(u[sup].sum())]]).astype(np.int64)
    solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return np.asarray(solver.flows(np.arange(tails.size, dtype=np.int32)), dtype=np.int64)


def allocate_what_if(
    supply_site,
    demand_site,
    supply_t,
    demand_t,
    arcs_from,
    arcs_to,
    arc_value,
    arc_distance_km=None,
    exclude_sites=(),
    max_distance_km: float | None = None,
    value_factor=1.0,
    **kwargs,
) -> Allocation:
    """A scenario is the same problem with filtered or rescaled arrays: drop the
    arcs touching excluded sites or longer than ``max_distance_km``, multiply
    values by ``value_factor`` (scalar or per arc, e.g. a new emission factor for
    one material). Flows come back aligned with the original arcs."""
    arcs_from = np.asarray(arcs_from, dtype=np.int64)
    arcs_to = np.asarray(arcs_to, dtype=np.int64)
    value = np.asarray(arc_value, dtype=np.float64) * np.broadcast_to(np.asarray(value_factor, dtype=np.float64), arcs_from.shape)
    excluded = np.asarray(list(exclude_sites), dtype=np.int64)
    ok = ~np.isin(np.asarray(supply_site)[arcs_from], excluded) & ~np.isin(np.asarray(demand_site)[arcs_to], excluded)
    if max_distance_km is not None:
        ok &= np.asarray(arc_distance_km, dtype=np.float64) <= max_distance_km
    return allocate(supply_t, demand_t, arcs_from, arcs_to, np.where(ok, value, 0.0), **kwargs)
