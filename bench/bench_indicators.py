"""Benchmark: every indicator of a region with 50,000 sites and 500,000 flows.

Run: .venv/bin/python bench/bench_indicators.py
Builds a temporary SQLite database (migrated, reference data loaded, then bulk inserts
of synthetic companies, sites in the communes of Hauts-de-France, flows, synergies and
verified outcomes) and times ``territory_indicators`` on region 32 through the real
code path: scans of sites, flows and synergies, facts per (commune, company, key),
roll-up and disclosure in numpy.
The baseline, in the same run, is a naive loop of ORM aggregates per commune computing
only the declared quantities and synergy counts (a subset of the figures), so the
speed-up is a lower bound.
Merges ``indicators_seconds`` (facilitator view), ``indicators_public_seconds`` (with
the disclosure rule), their CPU times (``indicators_cpu_seconds``,
``indicators_public_cpu_seconds``: on a shared machine the wall clock also counts other
processes), ``indicators_naive_seconds`` and ``indicators_speedup_vs_naive`` into
bench/results.json. Goal: indicators_seconds <= 2.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results.json"
N_SITES, N_FLOWS, N_SYNERGIES, N_OUTCOMES = 50_000, 500_000, 20_000, 2_000
REGION = "32"


def build(rng):
    """Bulk inserts with executemany: the ORM's bulk_create of 500,000 objects takes minutes."""
    from django.db import connection, transaction
    from django.utils import timezone

    from boucle.matching.lifecycle import STATUSES
    from boucle.materials.taxonomy import load_classes
    from boucle.territories.models import Commune

    communes = list(Commune.objects.filter(departement__region_id=REGION).values_list("insee", "lat", "lon"))
    classes = [c for c in load_classes() if c.kind in ("material", "energy", "water")]
    unit_of = {"material": "t", "energy": "MWh", "water": "m3"}
    n_companies = N_SITES * 3 // 5
    where = rng.integers(0, len(communes), N_SITES)
    owner = rng.integers(1, n_companies + 1, N_SITES)
    owner[:n_companies] = np.arange(1, n_companies + 1)  # every company has at least one site
    dlat, dlon = rng.normal(0, 0.01, N_SITES), rng.normal(0, 0.01, N_SITES)
    flow_site = rng.integers(1, N_SITES + 1, N_FLOWS)
    flow_class = rng.integers(0, len(classes), N_FLOWS)
    direction = np.where(rng.random(N_FLOWS) < 0.5, "offer", "need")
    quantity = rng.lognormal(5, 2, N_FLOWS)
    now = timezone.now().isoformat()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany("INSERT INTO flows_company (id, external_key, name, published) VALUES (%s, %s, %s, %s)",
                        [(i, f"bench:{i}", f"Entreprise {i}", False) for i in range(1, n_companies + 1)])
        cur.executemany(
            "INSERT INTO flows_site (id, company_id, site_id, id_kind, name, activity, commune_id, lat, lon, country,"
            " closed, source, imported_values) VALUES (%s, %s, %s, 'external', %s, '', %s, %s, %s, 'FR', 0, '', '{}')",
            [(i + 1, int(owner[i]), f"bench-{i}", f"Site {i}", communes[w][0], communes[w][1] + dlat[i],
              communes[w][2] + dlon[i]) for i, w in enumerate(where)])
        cur.executemany(
            "INSERT INTO flows_flow (id, site_id, identity, direction, kind, label, material_class, quantity, unit,"
            " period, quantity_base, base_unit, physical_state, grade, current_route, confidential, illustrative,"
            " source, external_id, imported_values) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'year', %s, %s, '', '',"
            " '', 1, 0, '', '', '{}')",
            [(i + 1, int(flow_site[i]), f"bench-{i}", direction[i], classes[c].kind, classes[c].label_fr,
              classes[c].key, float(quantity[i]), unit_of[classes[c].kind], float(quantity[i]),
              unit_of[classes[c].kind]) for i, c in enumerate(flow_class)])
        offers = np.flatnonzero(direction == "offer")[:N_SYNERGIES] + 1
        needs = np.flatnonzero(direction == "need")[:N_SYNERGIES] + 1
        status = rng.choice(STATUSES, N_SYNERGIES)
        cur.executemany(
            "INSERT INTO matching_synergy (id, offer_id, need_id, need_site_id, inferred, material_class, distance_km,"
            " quantity_t, score, co2e_avoided_t, tonnes_diverted, eur_saved, explanation, status, stale, created_at,"
            " updated_at) VALUES (%s, %s, %s, %s, 0, 'slag', 50.0, 100.0, 0.5, 10.0, 100.0, 1000.0, '{}', %s, 0, %s,"
            " %s)",
            [(i + 1, int(o), int(n), int(flow_site[n - 1]), status[i], now, now)
             for i, (o, n) in enumerate(zip(offers, needs))])
        running = [i + 1 for i in range(N_SYNERGIES) if status[i] == "running"][:N_OUTCOMES]
        cur.executemany("INSERT INTO matching_verifiedoutcome (synergy_id, tonnes_per_year, co2e_avoided_t_per_year,"
                        " note, recorded_at) VALUES (%s, 80.0, 8.0, '', %s)", [(s, now) for s in running])
        cur.execute("ANALYZE")
    return [c[0] for c in communes]


def naive(ref, communes):
    """One set of ORM aggregates per commune, summed in Python: what a first version would do."""
    from django.db.models import Count, Sum

    from boucle.flows.models import Flow
    from boucle.matching.models import Synergy

    totals: dict = {}
    for insee in communes:
        for row in (Flow.objects.filter(site__commune_id=insee).order_by()
                    .values("direction", "kind", "material_class", "base_unit").annotate(q=Sum("quantity_base"))):
            key = (row["direction"], row["kind"], row["material_class"], row["base_unit"])
            totals[key] = totals.get(key, 0.0) + (row["q"] or 0.0)
        for row in (Synergy.objects.filter(offer__site__commune_id=insee).order_by()
                    .values("status").annotate(n=Count("id"), t=Sum("tonnes_diverted"))):
            totals[row["status"]] = totals.get(row["status"], 0) + row["n"]
    return totals


def main() -> int:
    # BOUCLE_BENCH_DB: a database built by an earlier run (its path is printed), to time again without rebuilding.
    reuse = os.environ.get("BOUCLE_BENCH_DB", "")
    tmp = str(Path(reuse).parent) if reuse and Path(reuse).exists() else tempfile.mkdtemp(prefix="boucle-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("BOUCLE_DATA_DIR", tmp)
    from boucle.bootstrap import ensure_database, setup_django

    setup_django()
    ensure_database()
    from boucle.flows.models import Flow
    from boucle.territories.models import Commune

    if Flow.objects.count() == N_FLOWS:
        communes = list(Commune.objects.filter(departement__region_id=REGION).values_list("insee", flat=True))
        print(f"reusing {tmp}/bench.sqlite3", file=sys.stderr)
    else:
        started = time.perf_counter()
        communes = build(np.random.default_rng(11))
        print(f"built {N_SITES} sites, {N_FLOWS} flows, {N_SYNERGIES} synergies in "
              f"{time.perf_counter() - started:.1f} s (temporary SQLite {tmp})", file=sys.stderr)

    from boucle.observatory.queries import territory_indicators
    from boucle.territories.refs import resolve

    ref = resolve(f"region:{REGION}")
    territory_indicators(ref, public=False)  # warm-up: imports, SQLite page cache
    timings, cpu = {}, {}
    for public in (False, True):
        runs, cpu_runs = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            doc = territory_indicators(ref, public=public)
            runs.append(time.perf_counter() - t)
            cpu_runs.append(time.process_time() - c)
        timings[public], cpu[public] = min(runs), min(cpu_runs)
    t = time.perf_counter()
    totals = naive(ref, communes)
    naive_s = time.perf_counter() - t
    check = sum(v for k, v in totals.items() if isinstance(k, tuple) and k[0] == "offer" and k[3] == "t")
    assert abs(check - doc["flows_by_unit"]["offer_t"]) < 1e-6 * check, "the two methods disagree"
    results = {"indicators_seconds": round(timings[False], 3), "indicators_public_seconds": round(timings[True], 3),
               "indicators_cpu_seconds": round(cpu[False], 3), "indicators_public_cpu_seconds": round(cpu[True], 3),
               "indicators_naive_seconds": round(naive_s, 2),
               "indicators_speedup_vs_naive": round(naive_s / timings[False], 1)}
    print(f"region {REGION}: {len(communes)} communes; indicators {timings[False]:.3f} s (facilitator), "
          f"{timings[True]:.3f} s (public); CPU {cpu[False]:.3f} s / {cpu[True]:.3f} s; "
          f"naive per-commune loop (subset of figures) {naive_s:.2f} s; "
          f"speed-up x{naive_s / timings[False]:.1f}; goal <= 2 s: {'met' if timings[False] <= 2 else 'NOT met'}")
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current.update(results)
    RESULTS.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
