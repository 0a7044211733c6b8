"""Benchmark: SIRENE import of 1M establishments on PostgreSQL, then local-sourcing search over them.

Run: .venv/bin/python bench/bench_sourcing.py   (needs PostgreSQL; BOUCLE_BENCH_PG as in bench_web)
Generates a StockEtablissement CSV of N_ROWS rows in INSEE's format (valid SIRETs, Lambert-93
coordinates over metropolitan France, real commune codes and NAF rév. 2 subclasses, 10 % closed),
imports it with ``boucle import sirene`` in a child process (wall time and the child's peak
resident memory), imports it again (nothing may change), then times ``sourcing.services.search``
for random places, radius 50 km, a random NAF group, and checks each answer against a brute-force
numpy scan of all establishments.
Merges ``sirene_import_1m_seconds`` (goal <= 120), ``sirene_import_1m_peak_mb`` (goal <= 2048),
``sirene_reimport_1m_seconds``, ``sourcing_search_p95_ms`` (goal <= 100) and
``sourcing_search_median_ms`` (and the importer's own CPU time, ``sirene_import_1m_client_cpu_seconds``:
on a shared machine the wall clock also counts other processes) into bench/results.json; null with a reason when PostgreSQL is
unreachable.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results.json"
N_ROWS = int(os.environ.get("BOUCLE_BENCH_SIRENE_ROWS", "1000000"))
N_QUERIES = 200
PG_ADMIN_URL = os.environ.get("BOUCLE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BOUCLE_BENCH_SOURCING_DB", "boucle_bench_sourcing")  # one per session on a shared server
KEYS = ["sirene_import_1m_seconds", "sirene_import_1m_peak_mb", "sirene_reimport_1m_seconds",
        "sourcing_search_p95_ms", "sourcing_search_median_ms"]
HEADER = ["siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
          "etablissementSiege", "enseigne1Etablissement", "denominationUsuelleEtablissement",
          "codePostalEtablissement", "libelleCommuneEtablissement", "codeCommuneEtablissement",
          "etatAdministratifEtablissement", "activitePrincipaleEtablissement",
          "nomenclatureActivitePrincipaleEtablissement", "coordonneeLambertAbscisseEtablissement",
          "coordonneeLambertOrdonneeEtablissement"]


def merge(values):
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def luhn_digit(base: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(base)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def generate(path, communes, nafs, rng):
    """N_ROWS establishments, ~1.3 per legal unit, written with the csv module."""
    where = rng.integers(0, len(communes), N_ROWS)
    naf = rng.integers(0, len(nafs), N_ROWS)
    x = rng.uniform(100_000, 1_200_000, N_ROWS).round(1)
    y = rng.uniform(6_100_000, 7_100_000, N_ROWS).round(1)
    closed = rng.random(N_ROWS) < 0.1
    no_xy = rng.random(N_ROWS) < 0.05
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        siren = ""
        nic = 0
        for i in range(N_ROWS):
            if i == 0 or i % 4 != 1:  # a new legal unit for three rows in four
                base = f"{100_000_00 + i:08d}"
                siren = base + luhn_digit(base)
                nic = 1
            else:
                nic += 1
            head = f"{siren}{nic:04d}"
            siret = head + luhn_digit(head)
            insee = communes[where[i]]
            w.writerow([siren, siret[9:], siret, "O", "2001-01-01", "true" if nic == 1 else "false",
                        f"ETS {i}", "", "", "", insee, "F" if closed[i] else "A", nafs[naf[i]], "NAFRev2",
                        "" if no_xy[i] else x[i], "" if no_xy[i] else y[i]])
    return int(closed.sum())


def run_import(path, env):
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "boucle", "import", "sirene", str(path), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import failed: {out[:500]!r}")
    return seconds, usage.ru_maxrss / 1024, json.loads(out), usage.ru_utime + usage.ru_stime


def main() -> int:
    import psycopg

    admin = PG_ADMIN_URL.replace("postgres://", "postgresql://", 1)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    except psycopg.OperationalError as exc:
        merge({key: None for key in KEYS} | {"sourcing_null_reason": f"PostgreSQL unreachable: {exc}"})
        return 0
    db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    env = dict(os.environ, DATABASE_URL=db_url, PYTHONPATH=str(ROOT / "src"))
    os.environ.update(DATABASE_URL=db_url, DJANGO_SETTINGS_MODULE="boucle.settings")
    try:
        from boucle.bootstrap import ensure_database, setup_django

        setup_django()
        ensure_database()
        from boucle.flows.models import Site
        from boucle.reference.models import ActivityCode
        from boucle.sourcing.services import search
        from boucle.sourcing.engine import distances_km
        from boucle.territories.models import Commune

        rng = np.random.default_rng(15)
        communes = list(Commune.objects.values_list("insee", flat=True))
        nafs = list(ActivityCode.objects.filter(level="sous-classe").values_list("code", flat=True))
        if not nafs:
            nafs = [c for c in ActivityCode.objects.values_list("code", flat=True) if len(c) == 6]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "StockEtablissement.csv"
            t0 = time.perf_counter()
            n_closed = generate(path, communes, nafs, rng)
            print(f"generated {N_ROWS} rows in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            seconds, peak_mb, report, cpu = run_import(path, env)
            print(f"import: {seconds:.1f} s ({cpu:.1f} s CPU in the importer), peak {peak_mb:.0f} MB, {report['created']} created", file=sys.stderr)
            assert report["created"] == N_ROWS and report["written"], report
            assert Site.objects.count() == N_ROWS and Site.objects.filter(closed=True).count() == n_closed
            re_seconds, _peak, again, _cpu = run_import(path, env)
            print(f"re-import: {re_seconds:.1f} s", file=sys.stderr)
            assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, N_ROWS), again
        with psycopg.connect(db_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE flows_site")
        # brute-force reference over all open establishments
        rows = list(Site.objects.filter(closed=False).values_list("site_id", "lat", "lon", "naf_id"))
        lat = np.array([r[1] if r[1] is not None else np.nan for r in rows])
        lon = np.array([r[2] if r[2] is not None else np.nan for r in rows])
        naf = np.array([r[3] or "" for r in rows])
        groups = sorted({c[:4] for c in nafs})
        places = Commune.objects.values_list("lat", "lon")
        places = [places[int(i)] for i in rng.integers(0, len(communes), N_QUERIES)]
        times = []
        for q, (plat, plon) in enumerate(places):
            group = groups[int(rng.integers(0, len(groups)))]
            t0 = time.perf_counter()
            found = search(naf=group, near=f"{plat},{plon}", radius_km=50, limit=None)
            times.append((time.perf_counter() - t0) * 1000)
            if q < 20:  # check the answers
                d = distances_km(plat, plon, lat, lon)
                expected = {rows[i][0] for i in np.nonzero((d <= 50) & np.char.startswith(naf, group))[0]}
                assert {r["site_id"] for r in found} == expected, (group, plat, plon)
                assert [r["distance_km"] for r in found] == sorted(r["distance_km"] for r in found)
        p95, median = float(np.percentile(times, 95)), float(np.median(times))
        print(f"search: p95 {p95:.1f} ms, median {median:.1f} ms over {N_QUERIES} queries", file=sys.stderr)
        merge({"sirene_import_1m_seconds": round(seconds, 1), "sirene_import_1m_peak_mb": round(peak_mb),
               "sirene_import_1m_client_cpu_seconds": round(cpu, 1),
               "sirene_reimport_1m_seconds": round(re_seconds, 1), "sourcing_search_p95_ms": round(p95, 1),
               "sourcing_search_median_ms": round(median, 1), "sirene_bench_rows": N_ROWS})
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
