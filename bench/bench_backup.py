"""Benchmark: ``boucle backup`` of a 1M-row SQLite database, ``boucle restore`` into an empty PostgreSQL.

Run: .venv/bin/python bench/bench_backup.py   (needs PostgreSQL; BOUCLE_BENCH_PG as in bench_sourcing)
Builds a fresh SQLite database (migrations and the shipped reference tables), then bulk-inserts
synthetic companies, sites and flows (``executemany`` in one transaction, real commune, NAF and
waste codes) until the database holds N_ROWS rows in all. Times the two commands as a deployer
runs them (child processes, wall time, each with its own DATABASE_URL) into a PostgreSQL database
made for the purpose, then checks the answer: every table's rows, read through the ORM in key
order on both sides, hashed row by row, must be identical (counts and SHA-256 per table).

Merges ``backup_restore_1m_rows_seconds`` (backup + restore, goal: within the 6-minute bench budget
with generation and check), ``backup_1m_rows_seconds``, ``restore_1m_rows_seconds``,
``backup_1m_rows_archive_mb``, ``backup_restore_rows`` and ``backup_restore_generate_seconds``.
One run, not a median: a second one would not fit the budget (the figures vary by a few per cent
between runs on a quiet machine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results.json"
N_ROWS = int(os.environ.get("BOUCLE_BENCH_BACKUP_ROWS", "1000000"))
PG_ADMIN_URL = os.environ.get("BOUCLE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
KEYS = ["backup_restore_1m_rows_seconds", "backup_1m_rows_seconds", "restore_1m_rows_seconds",
        "backup_1m_rows_archive_mb", "backup_restore_rows", "backup_restore_generate_seconds"]


def merge(values):
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


# Kept between runs: the bootstrap's pre-migrated SQLite template lives there (boucle.bootstrap), so a
# second run starts from a file copy instead of running every migration.
DATA_DIR = ROOT / "var" / "bench-backup"


def env_for(data_dir: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_URL", "DJANGO_"))}
    return {**env, "PYTHONPATH": str(ROOT / "src"), "BOUCLE_DATA_DIR": str(data_dir), "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "boucle.settings"}


# Runs in a child process on the source database: bootstrap, then bulk rows up to N_ROWS in all.
GENERATE = r"""
import random, sys, time
from boucle.bootstrap import ensure_database, setup_django
setup_django(); ensure_database()
from django.apps import apps
from django.db import connection, transaction
from boucle.flows.models import Company, Flow, Site
from boucle.reference.models import ActivityCode, WasteCode
from boucle.territories.models import Commune

target = int(sys.argv[1])
rng = random.Random(17)
existing = sum(m._base_manager.count() for m in apps.get_models(include_auto_created=True) if m._meta.managed)
n_companies, n_sites = 20_000, 100_000
n_flows = target - existing - n_companies - n_sites
communes = list(Commune.objects.values_list("insee", "lat", "lon"))
nafs = list(ActivityCode.objects.filter(level="subclass").values_list("pk", flat=True)) or \
    list(ActivityCode.objects.values_list("pk", flat=True))
ewcs = list(WasteCode.objects.values_list("pk", flat=True))
classes = ["wood", "cardboard", "glass", "ferrous_metals", "plastics", "heat", "water", "biowaste"]


def insert(model, columns, rows, chunk=50_000):
    q = connection.ops.quote_name
    sql = (f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == chunk:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


# Generation only: the data-version triggers (matching migration 0003) would run once per inserted row on
# SQLite; they are set aside while the rows go in and put back, unchanged, afterwards.
from importlib import import_module
version = import_module("boucle.matching.migrations.0003_data_version")
triggers = [sql for sql in version.SQLITE_FORWARD if sql.startswith("CREATE TRIGGER")] \
    if connection.vendor == "sqlite" else []
stamp = "2026-11-30 08:00:00"
with transaction.atomic():
    with connection.cursor() as cursor:
        for sql in triggers:
            cursor.execute("DROP TRIGGER IF EXISTS " + sql.split()[2])
    insert(Company, ["id", "siren", "vat_number", "external_key", "name", "published"],
           ((i, None, None, f"bench-{i}", f"Entreprise {i}", i % 7 == 0) for i in range(1, n_companies + 1)))
    def sites():
        for i in range(1, n_sites + 1):
            insee, lat, lon = communes[rng.randrange(len(communes))]
            yield (i, 1 + i % n_companies, f"bench-site-{i}", "external", f"Établissement n°{i}",
                   nafs[rng.randrange(len(nafs))], "", lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.02, 0.02),
                   insee, "FR", i % 50 == 0, "bench", stamp, '{"line": %d}' % i)
    insert(Site, ["id", "company_id", "site_id", "id_kind", "name", "naf_id", "activity", "lat", "lon", "commune_id",
                  "country", "closed", "source", "imported_at", "imported_values"], sites())
    def flows():
        for i in range(1, n_flows + 1):
            direction = "offer" if i % 3 else "need"
            quantity = round(rng.lognormvariate(3, 1.5), 3)
            yield (i, 1 + i % n_sites, f"bench-{i}", direction, "material", f"Matière n°{i % 997} « é »",
                   ewcs[rng.randrange(len(ewcs))], classes[i % len(classes)], 0.9, quantity, "t", "year", quantity,
                   "t", None, i % 11 == 0, "", "", "", None, None, i % 4 != 0, False, "bench", f"ext-{i}", stamp,
                   "{}", stamp)
    insert(Flow, ["id", "site_id", "identity", "direction", "kind", "label", "ewc_id", "material_class",
                  "material_confidence", "quantity", "unit", "period", "quantity_base", "base_unit", "temperature_c",
                  "hazardous", "physical_state", "grade", "current_route", "available_from", "available_to",
                  "confidential", "illustrative", "source", "external_id", "imported_at", "imported_values",
                  "declared_at"], flows())
    with connection.cursor() as cursor:
        for sql in triggers:
            cursor.execute(sql)
total = sum(m._base_manager.count() for m in apps.get_models(include_auto_created=True) if m._meta.managed)
print(total)
"""

# Runs in a child process on either database: per table, row count and SHA-256 of the rows in key order.
DIGEST = r"""
import datetime as dt, decimal, hashlib, json, sys, uuid
import django; django.setup()
from django.apps import apps
def canon(v):
    if isinstance(v, dt.datetime): return v.astimezone(dt.timezone.utc).isoformat()
    if isinstance(v, (dt.date, dt.time, decimal.Decimal, uuid.UUID, dt.timedelta)): return str(v)
    if isinstance(v, (bytes, memoryview)): return bytes(v).hex()
    return v
out = {}
for m in apps.get_models(include_auto_created=True):
    if not m._meta.managed or m._meta.proxy: continue
    names = [f.attname for f in m._meta.concrete_fields]
    digest, n = hashlib.sha256(), 0
    for row in m._base_manager.order_by("pk").values_list(*names).iterator(chunk_size=10000):
        digest.update(json.dumps([canon(v) for v in row], sort_keys=True).encode() + b"\n")
        n += 1
    out[m._meta.label_lower] = [n, digest.hexdigest()]
print(json.dumps(out))
"""


def run(args, env, timeout=360):
    started = time.monotonic()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args[:4]))} failed: {proc.stderr[-2000:]}")
    return proc.stdout, time.monotonic() - started


def main() -> int:
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1), autocommit=True,
                                connect_timeout=3)
    except Exception as exc:
        merge({k: None for k in KEYS} | {"backup_restore_failed": f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}"})
        return 0
    name = f"boucle_bench_backup_{uuid.uuid4().hex[:6]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    pg_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        with tempfile.TemporaryDirectory(prefix="boucle-bench-backup-") as tmp:
            tmp = Path(tmp)
            src = f"sqlite:///{tmp / 'source.sqlite3'}"
            archive = tmp / "boucle.zip"
            started = time.monotonic()
            out, _ = run([sys.executable, "-c", GENERATE, str(N_ROWS)], env_for(DATA_DIR, src))
            rows = int(out.strip().splitlines()[-1])
            generate_s = time.monotonic() - started
            print(f"generated {rows} rows in {generate_s:.1f} s", flush=True)
            out, backup_s = run([sys.executable, "-m", "boucle", "backup", str(archive), "--json"],
                                env_for(DATA_DIR, src))
            summary = json.loads(out)
            print(f"backup: {summary['rows']} rows, {summary['bytes'] / 1e6:.1f} MB in {backup_s:.1f} s", flush=True)
            out, restore_s = run([sys.executable, "-m", "boucle", "restore", str(archive), "--json"],
                                 env_for(DATA_DIR, pg_url))
            restored = json.loads(out)
            print(f"restore into PostgreSQL: {restored['rows']} rows in {restore_s:.1f} s", flush=True)
            # Both sides read at once (one process each): the check costs one table scan of wall time, not two.
            sides = [subprocess.Popen([sys.executable, "-c", DIGEST], env=env_for(DATA_DIR, url),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for url in (src, pg_url)]
            outputs = [side.communicate(timeout=300) for side in sides]
            if any(side.returncode for side in sides):
                raise RuntimeError(f"digest failed: {[err[-1000:] for _out, err in outputs]}")
            left, right = (json.loads(out) for out, _err in outputs)
            differ = sorted(t for t in left if left[t] != right.get(t))
            if differ or summary["rows"] != rows or restored["rows"] != rows or rows < N_ROWS:
                raise RuntimeError(f"restored database differs: tables {differ}, rows {rows} / {summary['rows']} / "
                                   f"{restored['rows']}")
            print(f"checked: {len(left)} tables identical row for row ({rows} rows); "
                  f"{time.monotonic() - started:.1f} s in all", flush=True)
            merge({"backup_restore_1m_rows_seconds": round(backup_s + restore_s, 1),
                   "backup_1m_rows_seconds": round(backup_s, 1), "restore_1m_rows_seconds": round(restore_s, 1),
                   "backup_1m_rows_archive_mb": round(summary["bytes"] / 1e6, 1), "backup_restore_rows": rows,
                   "backup_restore_generate_seconds": round(generate_s, 1)})
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
