"""Matching at scale: 1M flows (offers + needs), 300 classes, real commune coordinates.

The search `boucle match` runs (``nearest.best_needs_per_offer``, the compiled best-first
search), with its parameters: per offer, the most plausible needs within 200 km whose
plausibility reaches the default output's threshold, as many as its first guess for the default cap of receivers
per offer (index and score arrays; explanations, rescoring and text classification are not
included: bench_match_e2e.py times the whole command). The engine receives the platform's
impact model as its per-class coefficients (``boucle.impact.vector.linear_coefficients``); the
baseline calls ``score_exchanges`` itself, so the agreement check covers the coefficients too.
Baseline: for each offer, haversine to every need of its class, apply the rules and the
threshold, score, keep the best -- timed on a subset of offers in the same run and scaled
linearly to all offers.

Usage: .venv/bin/python bench/bench_match.py [--flows 1000000] [--classes 300]
Merges match_1m_seconds, match_1m_pairs, match_speedup_vs_baseline into bench/results.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from boucle.matching.engine import ClassInfo, Compatibility, Needs, Offers, Sites, flow_rules_mask, top_k_per  # noqa: E402
from boucle.matching.nearest import best_needs_per_offer  # noqa: E402
from boucle.matching.pipeline import FIRST_GUESS  # noqa: E402
from boucle.matching.selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER  # noqa: E402
from boucle.matching.scoring import LinearImpact, score_terms  # noqa: E402
from boucle.matching.spatial import haversine_km  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
RUNS = 3  # the figures are medians: the machine is shared
COMMUNES = [
    (ROOT / "src/boucle/data/geo/communes.csv", "lat", "lon"),
    (Path("/work/shared/data/geo/communes_hdf_ge_enrichies.csv"), "lat_centre", "lon_centre"),
]
RADIUS_KM = 200.0
K = FIRST_GUESS[0] * MAX_RECEIVERS_PER_OFFER + FIRST_GUESS[1]  # what boucle match asks the search first


def load_communes() -> tuple[np.ndarray, np.ndarray, str]:
    for path, lat_col, lon_col in COMMUNES:
        if path.exists():
            with path.open(newline="", encoding="utf-8") as f:
                rows = [(r[lat_col], r[lon_col]) for r in csv.DictReader(f) if r[lat_col] and r[lon_col]]
            arr = np.array(rows, dtype=np.float64)
            return arr[:, 0], arr[:, 1], str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    raise FileNotFoundError("no commune table found")


def make_territory(n_flows: int, n_classes: int, seed: int = 42):
    """Sites on commune centroids with ~1 km jitter (several companies per
    commune); half the flows are offers. Confidences, unknown demands and
    inferred needs in proportions seen in a classified import."""
    rng = np.random.default_rng(seed)
    c_lat, c_lon, source = load_communes()
    n_sites = max(n_flows // 5, 1)
    pick = rng.integers(0, c_lat.size, n_sites)
    sites = Sites(lat=c_lat[pick] + rng.normal(0, 0.01, n_sites), lon=c_lon[pick] + rng.normal(0, 0.014, n_sites))
    n_off = n_flows // 2
    n_need = n_flows - n_off
    # Zipf-like class popularity: a few common materials, a long tail.
    popularity = 1.0 / np.arange(1, n_classes + 1) ** 0.7
    popularity /= popularity.sum()
    offers = Offers(
        site=rng.integers(0, n_sites, n_off),
        cls=rng.choice(n_classes, n_off, p=popularity),
        quantity_t=rng.lognormal(3.0, 1.5, n_off),
        hazardous=rng.random(n_off) < 0.05,
        confidence=np.where(rng.random(n_off) < 0.5, 1.0, rng.uniform(0.5, 1.0, n_off)),
    )
    needs = Needs(
        site=rng.integers(0, n_sites, n_need),
        cls=rng.choice(n_classes, n_need, p=popularity),
        quantity_t=np.where(rng.random(n_need) < 0.3, np.nan, rng.lognormal(3.0, 1.5, n_need)),
        inferred=rng.random(n_need) < 0.3,
        confidence=np.where(rng.random(n_need) < 0.5, 1.0, rng.uniform(0.5, 1.0, n_need)),
        accepts_hazardous=rng.random(n_need) < 0.1,
    )
    return sites, offers, needs, ClassInfo.uniform(n_classes), Compatibility.identity(n_classes), source


def impact_model(n_classes: int):
    """The platform's impact model (boucle.impact) when present, classes mapped
    onto its materials; else the engine's tonnes-only stand-in.

    Returns the function the baseline calls (``score_exchanges`` itself) and
    the same model as the per-class coefficients the engine reads
    (``LinearImpact``): the agreement check below then also checks that the
    coefficients are the model."""
    try:
        from boucle.impact.vector import linear_coefficients, material_index, score_exchanges
    except ImportError:
        return None, None, "boucle.matching.scoring.default_impact"
    n_materials = len(material_index())

    def impact_fn(material_idx, quantity_t, distance_km, **_):
        return score_exchanges(np.asarray(material_idx) % n_materials, quantity_t, distance_km)

    linear = LinearImpact(**linear_coefficients(np.arange(n_classes) % n_materials))
    return impact_fn, linear, "boucle.impact.vector.score_exchanges"


def baseline(sites, offers, needs, classinfo, offer_rows: np.ndarray, impact_fn=None):
    """The straightforward way: per offer, haversine to all needs of its class."""
    by_cls: dict[int, np.ndarray] = {}
    out = []
    for o in offer_rows.tolist():
        c = int(offers.cls[o])
        if c not in by_cls:
            by_cls[c] = np.flatnonzero(needs.cls == c)
        ni = by_cls[c]
        s_o = offers.site[o]
        d = haversine_km(sites.lat[s_o], sites.lon[s_o], sites.lat[needs.site[ni]], sites.lon[needs.site[ni]])
        oi = np.full(ni.size, o)
        ok = (d <= RADIUS_KM) & flow_rules_mask(offers, needs, classinfo, oi, ni)
        terms = score_terms(oi[ok], ni[ok], d[ok], np.ones(ok.sum()), offers, needs, impact_fn)
        plaus = terms["compat_weight"] * terms["confidence"] * terms["inferred_factor"] * terms["decay"]
        live = plaus >= DEFAULT_THRESHOLD
        plaus, ni_ok = plaus[live], ni[ok][live]
        best = top_k_per(np.zeros(plaus.size, dtype=np.int64), plaus, K, tie=ni_ok)  # the default output's order
        out.append((ni_ok[best], plaus[best]))
    return out


def merge_results(values: dict) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flows", type=int, default=1_000_000)
    ap.add_argument("--classes", type=int, default=300)
    ap.add_argument("--baseline-offers", type=int, default=2000)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    keys = ("match_1m_seconds", "match_1m_pairs", "match_speedup_vs_baseline")
    try:
        sites, offers, needs, classinfo, compat, source = make_territory(args.flows, args.classes)
    except FileNotFoundError as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        if not args.no_write:
            merge_results({k: None for k in keys} | {"match_1m_note": str(exc)})
        return 1
    print(f"{args.flows} flows, {args.classes} classes, {len(sites)} sites on communes of {source}", file=sys.stderr)

    impact_fn, engine_impact, impact_name = impact_model(args.classes)
    print(f"impact model: {impact_name}", file=sys.stderr)
    # Warm-up on a small territory (imports, impact tables, thread pool, compiled code: numba's
    # functions are cached on disk, cache=True, so this loads them; the first run on a machine
    # compiles them here), not a second full run: run_all.py gives each benchmark a few minutes.
    # The timed runs hold no compilation.
    w_sites, w_offers, w_needs, *_ = make_territory(20_000, args.classes, seed=1)
    search = dict(radius_km=RADIUS_KM, k=K, impact_fn=engine_impact, threshold=DEFAULT_THRESHOLD, by_plausibility=True)
    best_needs_per_offer(w_sites, w_offers, w_needs, classinfo, compat, **search)
    runs = []
    for _ in range(RUNS):
        # Each run builds the trees of the needs, as each `boucle match` does (the search keeps them on
        # the needs for its later rounds).
        if hasattr(needs, "_need_forest"):
            object.__delattr__(needs, "_need_forest")
        t0, c0 = time.perf_counter(), time.process_time()
        top = best_needs_per_offer(sites, offers, needs, classinfo, compat, **search)
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
        print(f"engine: {runs[-1][0]:.2f} s wall, {runs[-1][1]:.2f} s CPU, {top.pairs_scored:,} pairs scored, "
              f"{len(top.value):,} results, {top.queries:,} tree nodes opened", file=sys.stderr)
    seconds, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(len(offers), min(args.baseline_offers, len(offers)), replace=False))
    t0, c0 = time.perf_counter(), time.process_time()
    ref = baseline(sites, offers, needs, classinfo, rows, impact_fn)
    base_seconds = (time.perf_counter() - t0) * len(offers) / rows.size
    base_cpu = (time.process_time() - c0) * len(offers) / rows.size
    print(f"baseline: {base_seconds:.1f} s wall, {base_cpu:.1f} s CPU extrapolated from {rows.size} offers", file=sys.stderr)

    # Same answers on the sampled offers.
    got = top.candidates
    for o, (ni, score) in zip(rows.tolist(), ref):
        m = got.offer_idx == o
        if not (np.array_equal(got.need_idx[m], ni) and np.allclose(top.value[m], score, rtol=1e-12)):
            print(f"MISMATCH on offer {o}", file=sys.stderr)
            return 2
    print("engine and baseline agree on every sampled offer", file=sys.stderr)

    values = {
        "match_1m_seconds": round(seconds, 3),
        "match_1m_pairs": int(top.pairs_scored),
        "match_speedup_vs_baseline": round(base_seconds / seconds, 1),
        "match_1m_cpu_seconds": round(cpu, 3),
        # Same ratio on CPU time: the wall-clock one swings with other load on the machine.
        "match_speedup_vs_baseline_cpu": round(base_cpu / cpu, 1),
        "match_1m_impact_model": impact_name,
        "match_1m_runs_seconds": [round(r[0], 3) for r in runs],
        "match_1m_search": f"most plausible needs per offer: {K} per offer, plausibility >= {DEFAULT_THRESHOLD}",
    }
    print(json.dumps(values))
    if not args.no_write:
        merge_results(values)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
