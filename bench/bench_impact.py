"""Benchmark: vectorised impact scoring of 1M candidate exchanges vs the scalar loop.

Run: .venv/bin/python bench/bench_impact.py
Merges ``impact_1m_seconds`` and ``impact_speedup_vs_scalar`` into bench/results.json.
The scalar loop is timed on a sample (a full 1M loop takes about a minute) and
scaled to 1M per exchange; both forms run in this process on the same inputs.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from boucle.impact.engine import exchange_breakdown  # noqa: E402
from boucle.impact.factors import default_tables  # noqa: E402
from boucle.impact.units import BASE_UNIT  # noqa: E402
from boucle.impact.vector import default_model, score_exchanges  # noqa: E402

N = 1_000_000
SCALAR_SAMPLE = 20_000
RESULTS = ROOT / "bench" / "results.json"


def main() -> int:
    model, tables = default_model(), default_tables()
    scorable = np.array([i for i, k in enumerate(model.keys) if tables.materials[k].flow_kind in BASE_UNIT])
    rng = np.random.default_rng(7)
    mi = rng.choice(scorable, N)
    q = rng.uniform(1, 5000, N)
    d = rng.uniform(0, 300, N)
    mode = rng.integers(0, 3, N)  # road, rail, barge

    # The full form: counterfactual routes (the documented default of each material) and the heat
    # balance (temperatures, heat pump, pipe), as the proposals' figures are computed.
    score_exchanges(mi[:1000], q[:1000], d[:1000], mode[:1000], heat_physics=True)  # warm-up
    runs, linear_runs = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        out = score_exchanges(mi, q, d, mode, heat_physics=True)
        runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        score_exchanges(mi, q, d, mode)
        linear_runs.append(time.perf_counter() - t0)
    vec_s = float(np.median(runs))

    units = [BASE_UNIT.get(tables.materials[k].flow_kind, "") for k in model.keys]
    t0 = time.perf_counter()
    scalar = np.empty(SCALAR_SAMPLE)
    for i in range(SCALAR_SAMPLE):
        key = model.keys[mi[i]]
        b = exchange_breakdown(key, float(q[i]), units[mi[i]], float(d[i]),
                               mode=model.modes[mode[i]], tables=tables)
        scalar[i] = np.nan if b.co2e_avoided_t is None else b.co2e_avoided_t
    scalar_per = (time.perf_counter() - t0) / SCALAR_SAMPLE
    np.testing.assert_allclose(out["co2e_avoided_t"][:SCALAR_SAMPLE], scalar, rtol=1e-9, equal_nan=True)
    scalar_1m = scalar_per * N
    speedup = scalar_1m / vec_s

    print(f"vectorised, {N:,} exchanges: {vec_s:.3f} s (median of {len(runs)}; "
          f"linear screening form without the heat balance: {float(np.median(linear_runs)):.3f} s)")
    print(f"scalar loop: {scalar_per * 1e6:.1f} us/exchange on {SCALAR_SAMPLE:,}, i.e. {scalar_1m:.1f} s for 1M")
    print(f"speed-up vectorised vs scalar: {speedup:.0f}x (goal >= 50x and <= 1 s)")
    print(f"computable share: {out['computable'].mean():.1%}")

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update({"impact_1m_seconds": round(vec_s, 4), "impact_speedup_vs_scalar": round(speedup, 1)})
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
