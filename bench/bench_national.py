"""National matching partitioned across workers: a simulated territory of metropolitan France.

What is timed: :func:`boucle.matching.partition.run_partitioned`, i.e. the array part of the
default output of ``boucle match`` (compiled search of the best receivers per offer, rescoring,
selection: plausibility threshold, at most 3 receivers per offer flow, best-first order) on
arrays already built — not the database read, label classification and need inference before
it, nor writing the proposals after it (those run once, in the parent process, and do not
depend on the number of workers).

- 1 worker: one worker process pinned to one core and one thread runs every tile;
- 2 workers: two worker processes, each pinned to its own core and one thread, share the tiles
  (largest first). Both use the same plan (one tile per million rows: 10 tiles, halo of the
  reach of the default output), so the speedup is the parallel one; results merged into the
  single run's order.
- and, on a separate 500,000-row territory, the tiles over 2 workers against the single-machine
  engine (``pipeline.select_arrays`` over the whole territory, untiled):
  ``national_match_same_as_single_500k``.
- the per-need mode (``boucle match --per-need 3``: the 3 best offers of each need, tiles owning
  needs and seeing offers within the search radius) on that 500,000-row territory, with 1 and 2
  workers and against the single-machine engine (``pipeline.select_need_arrays``, untiled):
  ``national_per_need_*`` (CPU seconds, halo ratio, ``national_per_need_same_as_single_500k``).

The territory (generated in memory, seeded): sites placed over metropolitan France's extent.
Hauts-de-France and Grand Est communes are the ones Boucle ships with their population
(``src/boucle/data/geo/communes.csv``): that share of the sites (their population over
metropolitan France's, about 66 million: a rounded figure, not a cited one) sits at those
communes, drawn in proportion to population, jittered by ~1.5 km. The package ships no
population nor coordinates for the other communes of France, so the other sites are spread
*uniformly* inside a coarse hand-drawn outline of the mainland (``MAINLAND``, ~20 points,
illustrative, Corsica left out): flat density outside HdF/GE is a simplification of this
benchmark. Flows: offer and need rows of a few dozen material classes (those of common labels as
companies write them, classified by Boucle), declared and inferred needs, quantities, hazard.

Keys: ``national_match_flows`` (offer + need rows), ``national_match_seconds_1w``,
``national_match_seconds_2w`` (wall, median of 3), ``national_match_speedup_2w``, the CPU seconds
of the workers, the halo figures, and the check: the 2-worker rows (pairs and exact scores, in
order) must equal the 1-worker rows (``national_match_same_answer``, a sha256 of the rows).

Usage: .venv/bin/python bench/bench_national.py [--flows 10000000] [--runs 3]
"""

from __future__ import annotations

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results.json"
COMMUNES = ROOT / "src/boucle/data/geo/communes.csv"
OFFER_SHARE = 0.12  # offer rows among all rows: most rows are needs inferred from every site's activity
METRO_POPULATION = 66.0e6  # rounded, for the share of sites placed on the shipped communes

# Coarse outline of mainland France (lat, lon), clockwise from Dunkirk; hand-drawn, illustrative.
MAINLAND = [
    (51.09, 2.54), (50.35, 4.20), (49.95, 4.85), (49.55, 5.80), (49.47, 6.37), (49.05, 8.20), (48.05, 7.60),
    (47.45, 7.45), (46.40, 6.10), (45.90, 7.00), (45.10, 6.70), (44.20, 7.60), (43.78, 7.50), (43.10, 6.10),
    (43.35, 4.60), (43.05, 3.05), (42.45, 3.15), (42.70, 1.50), (42.95, -0.50), (43.35, -1.75), (44.60, -1.25),
    (46.20, -1.20), (47.25, -2.30), (47.80, -4.30), (48.40, -4.80), (48.75, -3.00), (48.65, -1.60),
    (49.70, -1.90), (49.35, -0.20), (49.50, 0.15), (49.95, 1.20), (50.95, 1.60),
]

# Labels as companies write them (the mix of bench_match_e2e), classified by Boucle into classes.
OFFER_LABELS = ["ferraille", "carton", "palettes bois", "plastique", "sciure", "verre", "gravats",
                "boues de station", "cendres volantes", "laitier de haut fourneau", "huile usagée",
                "déchets alimentaires", "papier", "sable de fonderie", "drêches", "pulpes de betteraves",
                "films plastiques", "big bags", "boues de papeterie", "mâchefers", "emballages", "terres",
                "aluminium", "chaleur fatale", "eau de refroidissement", "solvants usagés", "pneus usagés",
                "déchets verts", "plâtre", "bois de démolition"]
NEED_LABELS = ["ferraille", "carton", "palettes bois", "plastique", "sciure", "calcin", "gravats",
               "cendres volantes", "laitier de haut fourneau", "papier", "sable de fonderie", "drêches",
               "pulpes de betteraves", "gypse", "terres", "aluminium", "vapeur", "eau de process", "big bags",
               "emballages", "combustible solide de récupération", "compost", "granulats", "bois"]


def place_sites(n: int, rng) -> tuple[np.ndarray, np.ndarray, float]:
    """Latitudes, longitudes and the share placed on the shipped communes."""
    import shapely

    with COMMUNES.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["lat"] and r["lon"] and r["population"]]
    pop = np.array([float(r["population"]) for r in rows])
    share = min(1.0, pop.sum() / METRO_POPULATION)
    n_known = int(round(n * share))
    pick = rng.choice(len(rows), n_known, p=pop / pop.sum())
    c_lat = np.array([float(r["lat"]) for r in rows])[pick]
    c_lon = np.array([float(r["lon"]) for r in rows])[pick]
    lat_k = c_lat + rng.normal(0, 1.5 / 111.0, n_known)
    lon_k = c_lon + rng.normal(0, 1.5 / 73.0, n_known)
    outline = shapely.Polygon([(lon, lat) for lat, lon in MAINLAND])
    lo_lon, lo_lat, hi_lon, hi_lat = outline.bounds
    lat_u, lon_u, need = [], [], n - n_known
    while need > 0:  # uniform on the sphere's patch (area-true in latitude), inside the outline
        m = int(need * 1.6) + 1000
        s_lat = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(lo_lat)), np.sin(np.radians(hi_lat)), m)))
        s_lon = rng.uniform(lo_lon, hi_lon, m)
        inside = shapely.contains_xy(outline, s_lon, s_lat)
        lat_u.append(s_lat[inside][:need])
        lon_u.append(s_lon[inside][:need])
        need -= int(min(inside.sum(), need))
    lat, lon = np.concatenate([lat_k, *lat_u]), np.concatenate([lon_k, *lon_u])
    order = rng.permutation(n)
    return lat[order], lon[order], share


def label_classes(labels, cidx) -> list[list[tuple[int, float]]]:
    from boucle.matching.pipeline import FlowIn, classify_flow

    out = []
    for label in labels:
        classes = [(cidx[k], c) for k, c in classify_flow(FlowIn("x", "s", "offer", label)) if k in cidx]
        out.append(classes)
    return out


def generate(n_flows: int, seed: int = 11):
    """A national Problem with ``n_flows`` offer + need rows (the default output's options)."""
    from boucle.matching import engine as eng
    from boucle.matching.partition import Problem
    from boucle.matching.pipeline import _classes
    from boucle.matching.scoring import ScoreWeights
    from boucle.matching.selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER

    rng = np.random.default_rng(seed)
    keys, _ = _classes()
    cidx = {k: i for i, k in enumerate(keys)}
    o_lab = [c for c in label_classes(OFFER_LABELS, cidx) if c]
    n_lab = [c for c in label_classes(NEED_LABELS, cidx) if c]
    n_sites = n_flows // 4
    lat, lon, share = place_sites(n_sites, rng)
    sites = eng.Sites(lat, lon)

    zipf = lambda n: (p := 1.0 / np.arange(1, n + 1) ** 0.6) / p.sum()  # noqa: E731

    def rows(n_rows, labels):
        """Flows drawn from labels; a flow with two classes gives two rows (its second class at the
        classifier's lower confidence), as the pipeline does."""
        lab = rng.choice(len(labels), n_rows, p=zipf(len(labels)))
        second = np.array([len(c) > 1 for c in labels])[lab] & (rng.random(n_rows) < 0.5)
        flow = np.concatenate([np.arange(n_rows), np.flatnonzero(second)])
        first_cls = np.array([c[0][0] for c in labels])[lab]
        first_conf = np.array([c[0][1] for c in labels])[lab]
        sec_cls = np.array([c[1][0] if len(c) > 1 else c[0][0] for c in labels])[lab][second]
        sec_conf = np.array([c[1][1] if len(c) > 1 else 0.0 for c in labels])[lab][second]
        cls = np.concatenate([first_cls, sec_cls])
        conf = np.concatenate([first_conf, sec_conf])
        order = np.argsort(flow, kind="stable")
        return flow[order], cls[order], conf[order]

    n_offer_flows = int(n_flows * OFFER_SHARE / 1.2)  # ~1.2 class rows per offer flow
    o_flow, o_cls, o_conf = rows(n_offer_flows, o_lab)
    n_need_rows = n_flows - o_flow.size
    declared = rng.random(n_need_rows) < 0.3
    n_lab_i = rng.choice(len(n_lab), n_need_rows, p=zipf(len(n_lab)))
    n_cls = np.array([c[0][0] for c in n_lab])[n_lab_i]
    n_conf = np.array([c[0][1] for c in n_lab])[n_lab_i]
    # inferred needs: one row per (site, class) with the activity rule's weight
    n_conf = np.where(declared, n_conf, rng.choice([0.9, 0.8, 0.7, 0.6, 0.5], n_need_rows))
    o_site = rng.integers(0, n_sites, n_offer_flows)[o_flow]
    n_site = rng.integers(0, n_sites, n_need_rows)
    qty_o = np.where(rng.random(n_offer_flows) < 0.3, np.nan, rng.lognormal(3.0, 1.5, n_offer_flows))[o_flow]
    qty_n = np.where(declared & (rng.random(n_need_rows) < 0.8), rng.lognormal(3.0, 1.5, n_need_rows), np.nan)
    offers = eng.Offers(site=o_site, cls=o_cls, quantity_t=qty_o,
                        hazardous=(rng.random(n_offer_flows) < 0.03)[o_flow], confidence=o_conf)
    needs = eng.Needs(site=n_site, cls=n_cls, quantity_t=qty_n, inferred=~declared, confidence=n_conf,
                      accepts_hazardous=rng.random(n_need_rows) < 0.2)
    # Ranks of the ids (flow ids, site ids as strings sort in no geographic order).
    n_declared = int(declared.sum())
    flow_rank = rng.permutation(n_offer_flows + n_declared)
    o_flow_of = flow_rank[o_flow]
    n_flow_of = np.full(n_need_rows, -1, dtype=np.int64)
    n_flow_of[declared] = flow_rank[n_offer_flows:]
    site_rank = rng.permutation(n_sites)
    waste_op = rng.random(n_sites) < 0.08
    problem = Problem(sites, offers, needs, o_flow_of.astype(np.int64), site_rank[n_site].astype(np.int64),
                      n_flow_of, waste_op, 200.0, DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, True, ScoreWeights())
    return problem, {"sites": n_sites, "offer_rows": len(offers), "need_rows": len(needs),
                     "classes": int(np.unique(np.concatenate([o_cls, n_cls])).size), "known_share": share}


def warm() -> None:
    """Load the compiled kernels (numba's disk cache) in the parent, before any fork."""
    from boucle.matching.partition import run_partitioned

    small, _ = generate(20_000, seed=1)
    run_partitioned(small, workers=0, tiles=1)


def single_rows(p):
    """The single-machine engine: the whole territory in one call, one thread."""
    from boucle.matching.pipeline import select_arrays

    cands, terms, sel = select_arrays(p.sites, p.offers, p.needs, p.o_flow_of, p.n_site_of, p.n_flow_of, p.waste_op,
                                      p.radius_km, p.threshold, p.cap, p.by_plausibility, p.weights, threads=1)
    return (cands.offer_idx[sel], cands.need_idx[sel], cands.distance_km[sel], cands.compat_weight[sel],
            terms["score"][sel], terms["plausibility"][sel])


def per_need_figures(small) -> dict:
    """The per-need mode on ``small``: 1 and 2 workers (same plan), and the untiled engine."""
    import dataclasses

    from boucle.matching.partition import TILES_PER_WORKER, run_partitioned
    from boucle.matching.pipeline import select_need_arrays

    p = dataclasses.replace(small, threshold=0.0, cap=None, by_plausibility=False, per_need=3)
    c0 = time.process_time()
    cands, terms, sel = select_need_arrays(p.sites, p.offers, p.needs, p.o_flow_of, p.n_site_of, p.n_flow_of,
                                           p.waste_op, p.radius_km, 3, p.weights, threads=1)
    single_cpu = time.process_time() - c0
    whole = (cands.offer_idx[sel], cands.need_idx[sel], cands.distance_km[sel], cands.compat_weight[sel],
             terms["score"][sel], terms["plausibility"][sel])
    tiles = 2 * TILES_PER_WORKER  # the 2 workers' plan, for 1 worker too: the same work
    res = {w: run_partitioned(p, workers=w, tiles=tiles) for w in (1, 2)}
    same = all(np.array_equal(a, b) for r in res.values() for a, b in zip(whole, (
        r.offer_idx, r.need_idx, r.distance_km, r.compat_weight, r.score, r.plausibility)))
    cpu = {w: sum(t.cpu_seconds for t in r.tiles) for w, r in res.items()}
    crit = _critical(res[2])
    return {
        "national_per_need_flows": len(p.offers) + len(p.needs),
        "national_per_need_rows": len(res[2]),
        "national_per_need_tiles": len(res[2].tiles),
        "national_per_need_halo_km": round(res[2].halo_km, 1),
        "national_per_need_offers_seen_ratio": round(sum(t.offers_seen for t in res[2].tiles) / len(p.offers), 3),
        "national_per_need_cpu_seconds_single": round(single_cpu, 2),
        "national_per_need_cpu_seconds_1w": round(cpu[1], 2),
        "national_per_need_cpu_seconds_2w": round(cpu[2], 2),
        "national_per_need_cpu_critical_seconds_2w": round(crit, 2),
        "national_per_need_cpu_speedup_2w": round(cpu[1] / crit, 3),
        "national_per_need_seconds_1w": round(res[1].seconds, 2),
        "national_per_need_seconds_2w": round(res[2].seconds, 2),
        "national_per_need_same_as_single_500k": bool(same),
    }


def _critical(res) -> float:
    """The 2-worker makespan in CPU seconds: the busiest worker's tiles (what the run would take
    with both cores to itself), so a speedup can be read on a machine shared with other work."""
    per: dict[int, float] = {}
    for t in res.tiles:
        per[t.pid] = per.get(t.pid, 0.0) + t.cpu_seconds
    return max(per.values())


def merge_results(values: dict) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    from boucle.matching.partition import run_partitioned

    t0 = time.perf_counter()
    warm()
    problem, info = generate(args.flows)
    gen_s = time.perf_counter() - t0
    print(f"generated {info} in {gen_s:.1f} s", file=sys.stderr, flush=True)
    runs: dict[int, list] = {1: [], 2: []}
    for r in range(args.runs):
        for w in (1, 2):  # interleaved, so a burst of load elsewhere hits both
            res = run_partitioned(problem, workers=w)
            runs[w].append(res)
            print(f"run {r} workers {w}: {res.seconds:.1f} s wall, tiles cpu "
                  f"{sum(t.cpu_seconds for t in res.tiles):.1f} s, merge {res.merge_seconds:.2f} s, "
                  f"rows {len(res)}", file=sys.stderr, flush=True)
    sums = {w: {res.checksum() for res in runs[w]} for w in runs}
    same = len(sums[1]) == 1 and sums[1] == sums[2]
    med = {w: statistics.median(res.seconds for res in runs[w]) for w in runs}
    cpu = {w: statistics.median(sum(t.cpu_seconds for t in res.tiles) for res in runs[w]) for w in runs}
    two = runs[2][0]
    small, _ = generate(500_000, seed=5)
    whole = single_rows(small)
    tiled = run_partitioned(small, workers=2)
    same_single = all(np.array_equal(a, b) for a, b in zip(whole, (
        tiled.offer_idx, tiled.need_idx, tiled.distance_km, tiled.compat_weight, tiled.score, tiled.plausibility)))
    crit = statistics.median(_critical(res) for res in runs[2])
    per_need = per_need_figures(small)
    seen = sum(t.needs_seen for t in two.tiles)
    values = {
        "national_match_flows": info["offer_rows"] + info["need_rows"],
        "national_match_sites": info["sites"],
        "national_match_classes": info["classes"],
        "national_match_proposals": len(two),
        "national_match_seconds_1w": round(med[1], 2),
        "national_match_seconds_2w": round(med[2], 2),
        "national_match_speedup_2w": round(med[1] / med[2], 3),
        "national_match_cpu_seconds_1w": round(cpu[1], 2),
        "national_match_cpu_seconds_2w": round(cpu[2], 2),
        "national_match_cpu_critical_seconds_2w": round(crit, 2),
        "national_match_cpu_speedup_2w": round(cpu[1] / crit, 3),
        "national_match_tiles_2w": len(two.tiles),
        "national_match_halo_km": round(two.halo_km, 1),
        "national_match_needs_seen_ratio_2w": round(seen / info["need_rows"], 3),
        "national_match_merge_seconds_2w": round(statistics.median(res.merge_seconds for res in runs[2]), 2),
        "national_match_worker_peak_mb_2w": round(max(t.peak_rss_mb for t in two.tiles), 0),
        "national_match_same_answer": bool(same),
        "national_match_same_as_single_500k": bool(same_single),
        "national_match_checksum": sorted(sums[1])[0][:16],
        "national_match_generate_seconds": round(gen_s, 1),
        "national_match_load_1m": round(os.getloadavg()[0], 2),
        **per_need,
    }
    print(json.dumps(values, indent=2))
    if not args.no_save:
        merge_results(values)
    if not (same and same_single and per_need["national_per_need_same_as_single_500k"]):
        print("the 2-worker rows differ from the 1-worker rows or from the single run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
