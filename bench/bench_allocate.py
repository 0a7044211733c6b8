"""Territory allocation at scale: 100,000 arcs, OR-Tools min-cost flow vs networkx.

Supplies and demands sit on real commune coordinates; each demand gets arcs
from nearby supplies (the shape the matching produces), valued in tCO2e
avoided per tonne minus transport. Both solvers get the same integer network
(see boucle.matching.allocation for the scaling) and must reach the same
optimum value.

A second network of the same size is split by material (40 materials, supplies and demands of
one material joined only to each other: the shape of a territory's network, one part per material
and area) and solved whole in one OR-Tools call, part by part in this process, and part by part
over 2 worker processes: the same integer objective and flows are required, and the CPU seconds of
each (the workers' included) are reported (``allocate_parts_*``).

Usage: .venv/bin/python bench/bench_allocate.py [--arcs 100000] [--skip-networkx]
Merges allocate_100k_seconds, allocate_speedup_vs_networkx and allocate_parts_* into bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_match import load_communes, merge_results  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402

from boucle.matching.allocation import allocate  # noqa: E402
from boucle.matching.spatial import chord_to_km, to_xyz  # noqa: E402

VALUE_SCALE, UNIT_T = 1000.0, 0.001


def make_instance(n_arcs: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    lat, lon, _ = load_communes()
    n_sup = n_dem = max(n_arcs // 5, 1)
    per = n_arcs // n_dem
    s_pick, d_pick = rng.integers(0, lat.size, n_sup), rng.integers(0, lat.size, n_dem)
    s_xyz, d_xyz = to_xyz(lat[s_pick], lon[s_pick]), to_xyz(lat[d_pick], lon[d_pick])
    dist, idx = cKDTree(s_xyz).query(d_xyz, k=per)
    arcs_to = np.repeat(np.arange(n_dem), per)
    arcs_from = idx.reshape(-1)
    km = chord_to_km(dist.reshape(-1))
    gain = rng.uniform(0.05, 1.5, n_sup)[arcs_from]  # tCO2e avoided per t, by material of the supply
    value = gain - 0.0001 * km  # minus road freight, ~0.1 kgCO2e per t.km
    supply = np.round(rng.lognormal(3.0, 1.2, n_sup), 3)
    demand = np.round(rng.lognormal(3.0, 1.2, n_dem), 3)
    return supply, demand, arcs_from, arcs_to, value


def parts_instance(n_arcs: int, n_materials: int = 40, seed: int = 8):
    """Like :func:`make_instance`, but each supply and demand has one of ``n_materials`` materials and
    arcs join only the same material: independent parts."""
    rng = np.random.default_rng(seed)
    lat, lon, _ = load_communes()
    n_sup = n_dem = max(n_arcs // 5, 1)
    s_pick, d_pick = rng.integers(0, lat.size, n_sup), rng.integers(0, lat.size, n_dem)
    s_mat, d_mat = rng.integers(0, n_materials, n_sup), rng.integers(0, n_materials, n_dem)
    frm, to, km = [], [], []
    for m in range(n_materials):
        s_idx, d_idx = np.flatnonzero(s_mat == m), np.flatnonzero(d_mat == m)
        dist, idx = cKDTree(to_xyz(lat[s_pick[s_idx]], lon[s_pick[s_idx]])).query(
            to_xyz(lat[d_pick[d_idx]], lon[d_pick[d_idx]]), k=5)
        frm.append(s_idx[idx.reshape(-1)])
        to.append(np.repeat(d_idx, 5))
        km.append(chord_to_km(dist.reshape(-1)))
    arcs_from, arcs_to, km = np.concatenate(frm), np.concatenate(to), np.concatenate(km)
    value = rng.uniform(0.05, 1.5, n_materials)[s_mat[arcs_from]] - 0.0001 * km
    supply = np.round(rng.lognormal(3.0, 1.2, n_sup), 3)
    demand = np.round(rng.lognormal(3.0, 1.2, n_dem), 3)
    return supply, demand, arcs_from, arcs_to, value


def parts_figures(n_arcs: int) -> dict:
    """The network of independent parts solved whole, by parts, and by parts over 2 processes."""
    import resource

    from boucle.matching import allocation

    supply, demand, arcs_from, arcs_to, value = parts_instance(n_arcs)
    runs = {}
    for name, group_arcs, workers in (("whole", 10**12, None), ("parts", allocation.GROUP_ARCS, None),
                                      ("parts_2w", allocation.GROUP_ARCS, 2)):
        old, allocation.GROUP_ARCS = allocation.GROUP_ARCS, group_arcs
        try:
            groups = len(allocation._independent_groups(arcs_from, arcs_to, supply.size, demand.size))
            t0, c0 = time.perf_counter(), time.process_time()
            k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            alloc = allocate(supply, demand, arcs_from, arcs_to, value, quantity_unit_t=UNIT_T,
                             value_scale=VALUE_SCALE, workers=workers)
            k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            allocation.GROUP_ARCS = old
        children = (k1.ru_utime + k1.ru_stime) - (k0.ru_utime + k0.ru_stime)
        runs[name] = (alloc, time.perf_counter() - t0, time.process_time() - c0 + children, groups)
        print(f"{name}: {groups} solver calls, {runs[name][1]:.3f} s wall, {runs[name][2]:.3f} s CPU "
              f"(workers included)", file=sys.stderr)
    cost = np.where(value > 0, np.rint(value * VALUE_SCALE), 0).astype(np.int64)
    objective = {n: int(np.dot(np.rint(r[0].flow_t / r[0].quantity_unit_t).astype(np.int64), cost))
                 for n, r in runs.items()}
    # Values are stepped by 1/VALUE_SCALE, so the optimum may be reached by several plans: the whole and
    # the parts must reach the same integer objective; the parts in 1 or 2 processes, the same plan.
    same = len(set(objective.values())) == 1
    same_plan = bool(np.array_equal(runs["parts"][0].flow_t, runs["parts_2w"][0].flow_t))
    return {"allocate_parts_arcs": int(arcs_from.size), "allocate_parts_calls": runs["parts"][3],
            "allocate_parts_whole_cpu_seconds": round(runs["whole"][2], 3),
            "allocate_parts_cpu_seconds": round(runs["parts"][2], 3),
            "allocate_parts_2w_cpu_seconds": round(runs["parts_2w"][2], 3),
            "allocate_parts_whole_seconds": round(runs["whole"][1], 3),
            "allocate_parts_seconds": round(runs["parts"][1], 3),
            "allocate_parts_2w_seconds": round(runs["parts_2w"][1], 3),
            "allocate_parts_same_objective": bool(same), "allocate_parts_same_plan_2w": same_plan}


def networkx_optimum(supply, demand, arcs_from, arcs_to, value) -> tuple[int, float]:
    """The same network as allocation.allocate, solved by networkx.network_simplex."""
    import networkx as nx

    u = np.floor(supply / UNIT_T + 1e-9).astype(np.int64)
    v = np.floor(demand / UNIT_T + 1e-9).astype(np.int64)
    cost = np.rint(value * VALUE_SCALE).astype(np.int64)
    keep = cost > 0
    g = nx.DiGraph()
    n_s, n_d = supply.size, demand.size
    sink = ("t",)
    g.add_node(sink, demand=int(u.sum()))
    for i in range(n_s):
        g.add_node(("s", i), demand=-int(u[i]))
        g.add_edge(("s", i), sink, weight=0, capacity=int(u[i]))
    for j in range(n_d):
        g.add_edge(("d", j), sink, weight=0, capacity=int(v[j]))
    for a, b, c in zip(arcs_from[keep].tolist(), arcs_to[keep].tolist(), cost[keep].tolist()):
        g.add_edge(("s", a), ("d", b), weight=-c, capacity=int(min(u[a], v[b])))
    t0, c0 = time.perf_counter(), time.process_time()
    flow_cost, _ = nx.network_simplex(g)
    return -int(flow_cost), time.perf_counter() - t0, time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arcs", type=int, default=100_000)
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    supply, demand, arcs_from, arcs_to, value = make_instance(args.arcs)
    print(f"{arcs_from.size:,} arcs, {supply.size:,} supplies, {demand.size:,} demands", file=sys.stderr)

    allocate(supply, demand, arcs_from, arcs_to, value)  # warm-up (imports, page faults)
    t0, c0 = time.perf_counter(), time.process_time()
    alloc = allocate(supply, demand, arcs_from, arcs_to, value, quantity_unit_t=UNIT_T, value_scale=VALUE_SCALE)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    objective = int(np.dot(np.rint(alloc.flow_t / alloc.quantity_unit_t).astype(np.int64), np.where(value > 0, np.rint(value * VALUE_SCALE), 0).astype(np.int64)))
    print(f"OR-Tools: {seconds:.3f} s wall, {cpu:.3f} s CPU, {alloc.total_value:,.1f} tCO2e, {alloc.used_arcs.size:,} arcs used", file=sys.stderr)
    values: dict = {"allocate_100k_seconds": round(seconds, 3), "allocate_100k_cpu_seconds": round(cpu, 3)}

    if args.skip_networkx:
        values["allocate_speedup_vs_networkx"] = None
        print("allocate_speedup_vs_networkx: null (skipped on request)", file=sys.stderr)
    else:
        try:
            nx_objective, nx_seconds, nx_cpu = networkx_optimum(supply, demand, arcs_from, arcs_to, value)
        except ImportError as exc:
            values["allocate_speedup_vs_networkx"] = None
            print(f"allocate_speedup_vs_networkx: null ({exc})", file=sys.stderr)
        else:
            print(f"networkx network_simplex: {nx_seconds:.1f} s wall, {nx_cpu:.1f} s CPU, objective {nx_objective} vs {objective}", file=sys.stderr)
            if nx_objective != objective:
                print("MISMATCH: the two solvers disagree on the optimum", file=sys.stderr)
                return 2
            values["allocate_speedup_vs_networkx"] = round(nx_seconds / seconds, 1)
            values["allocate_speedup_vs_networkx_cpu"] = round(nx_cpu / cpu, 1)
    values.update(parts_figures(args.arcs))
    if not (values["allocate_parts_same_objective"] and values["allocate_parts_same_plan_2w"]):
        print("MISMATCH: the network solved by parts differs from the whole", file=sys.stderr)
        return 2
    print(json.dumps(values))
    if not args.no_write:
        merge_results(values)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
