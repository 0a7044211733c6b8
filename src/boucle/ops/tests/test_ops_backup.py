"""``boucle backup`` / ``boucle restore``: the demo from SQLite to PostgreSQL and back, every table row for row.

The commands run as a deployer runs them (subprocesses, each with its own DATABASE_URL), on
a copy of the real demo territory (``boucle demo --no-serve``, built once per run of the suite:
``demo_data_dir``). The PostgreSQL side is a database of its
own, made and dropped here, so the test runs once, from the SQLite suite.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

import boucle

SRC = Path(boucle.__file__).resolve().parents[1]
PG_SERVER = os.environ.get("BOUCLE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs SQLite → PostgreSQL → SQLite itself, from the SQLite run of the suite")]

# Every row of every table, read through the ORM, in a form equal across engines (JSON keys sorted:
# PostgreSQL's jsonb does not keep their order; datetimes in UTC).
DUMP = r"""
import datetime as dt, decimal, json, sys, uuid
import django; django.setup()
from django.apps import apps
def canon(v):
    if isinstance(v, dt.datetime): return v.astimezone(dt.timezone.utc).isoformat()
    if isinstance(v, (dt.date, dt.time, decimal.Decimal, uuid.UUID, dt.timedelta)): return str(v)
    if isinstance(v, (bytes, memoryview)): return bytes(v).hex()
    if isinstance(v, (dict, list)): return json.dumps(v, sort_keys=True)
    return v
out = {}
for m in apps.get_models(include_auto_created=True):
    if not m._meta.managed or m._meta.proxy: continue
    names = [f.attname for f in m._meta.concrete_fields]
    out[m._meta.label_lower] = [[canon(v) for v in row] for row in
                                m._base_manager.order_by("pk").values_list(*names).iterator(chunk_size=5000)]
json.dump(out, open(sys.argv[1], "w"))
"""


def _pg_admin():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(PG_SERVER.replace("postgres://", "postgresql://", 1), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"PostgreSQL unreachable at {PG_SERVER}: {exc}")


class Place:
    def __init__(self, tmp: Path, data: Path):
        self.tmp, self.data = tmp, data

    def env(self, url):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_URL", "PYTEST_", "DJANGO_"))}
        templates = {k: os.environ[k] for k in ("BOUCLE_SQLITE_TEMPLATES",) if k in os.environ}  # the run's own
        return {**env, "PYTHONPATH": str(SRC), "BOUCLE_DATA_DIR": str(self.data), "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "boucle.settings", "BOUCLE_LANG": "fr", **templates}

    def boucle(self, url, *args, timeout=600):
        return subprocess.run([sys.executable, "-m", "boucle", *args], env=self.env(url), capture_output=True,
                              text=True, timeout=timeout)

    def dump(self, url):
        out = self.tmp / f"dump-{uuid.uuid4().hex[:6]}.json"
        subprocess.run([sys.executable, "-c", DUMP, str(out)], env=self.env(url), check=True, timeout=300)
        return json.loads(out.read_text())


@pytest.fixture(scope="module")
def trip(tmp_path_factory, demo_data_dir):
    """SQLite demo → a.zip → fresh PostgreSQL → b.zip → fresh SQLite, with each side's rows."""
    tmp = tmp_path_factory.mktemp("backup")
    place = Place(tmp, tmp / "data")
    admin = _pg_admin()
    pg_name = f"boucle_restore_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{pg_name}"')
    pg_url = PG_SERVER.rsplit("/", 1)[0] + "/" + pg_name
    shutil.copytree(demo_data_dir, place.data)  # the demo's database, passport key and log of signed heads
    src, back = f"sqlite:///{place.data / 'boucle.sqlite3'}", f"sqlite:///{tmp / 'back.sqlite3'}"
    try:
        runs = {"backup_sqlite": place.boucle(src, "backup", str(tmp / "a.zip"), "--json"),
                "restore_pg": place.boucle(pg_url, "restore", str(tmp / "a.zip"), "--json")}
        runs["backup_pg"] = place.boucle(pg_url, "backup", str(tmp / "b.zip"), "--json")
        runs["restore_sqlite"] = place.boucle(back, "restore", str(tmp / "b.zip"), "--json")
        for name, run in runs.items():
            assert run.returncode == 0, (name, run.stderr[-3000:])
        yield {"place": place, "src": src, "pg": pg_url, "back": back, "runs": runs,
               "dumps": {"src": place.dump(src), "pg": place.dump(pg_url), "back": place.dump(back)}}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        admin.close()


def _summary(run):
    return json.loads(run.stdout)  # --json: stdout holds the summary alone


def test_the_demo_comes_back_identical_from_postgresql_and_back_to_sqlite(trip):
    dumps = trip["dumps"]
    src = dumps["src"]
    assert sum(len(rows) for rows in src.values()) > 10_000 and len(src["flows.flow"]) > 4000
    assert src["matching.synergy"] and src["passports.passport"] and src["auth.user"]
    for side in ("pg", "back"):
        assert dumps[side].keys() == src.keys()
        for table, rows in src.items():
            assert dumps[side][table] == rows, f"{table} differs on {side}"
    backed_up = _summary(trip["runs"]["backup_sqlite"])
    restored = _summary(trip["runs"]["restore_pg"])
    assert backed_up["rows"] == restored["rows"] == sum(len(r) for r in src.values())
    assert restored["database"] == "postgresql" and restored["archive_database"] == "sqlite"
    assert "checksums" in trip["runs"]["restore_pg"].stderr  # progress on stderr


def test_the_restored_postgresql_hands_out_new_ids_after_the_restored_ones(trip):
    code = ("import django; django.setup(); from django.contrib.auth.models import User; "
            "from boucle.flows.models import Company; "
            "u = User.objects.create_user('after-restore'); c = Company.objects.create(name='Après restauration', external_key='after-restore'); "
            "print(u.pk, c.pk)")
    run = subprocess.run([sys.executable, "-c", code], env=trip["place"].env(trip["pg"]), capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    user_id, company_id = map(int, run.stdout.split())
    assert user_id > max(r[0] for r in trip["dumps"]["src"]["auth.user"])
    assert company_id > max(r[0] for r in trip["dumps"]["src"]["flows.company"])


def test_a_database_holding_data_is_not_overwritten_without_force(trip):
    place, archive = trip["place"], str(place_path(trip, "a.zip"))
    refused = place.boucle(trip["back"], "restore", archive)
    assert refused.returncode == 2 and "--force" in refused.stderr and "n'est pas vide" in refused.stderr
    assert place.dump(trip["back"]) == trip["dumps"]["src"]  # untouched
    english = subprocess.run([sys.executable, "-m", "boucle", "restore", archive], capture_output=True, text=True,
                             env={**place.env(trip["back"]), "BOUCLE_LANG": "en"}, timeout=300)
    assert english.returncode == 2 and "is not empty" in english.stderr
    forced = place.boucle(trip["back"], "restore", archive, "--force", "--json")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert place.dump(trip["back"]) == trip["dumps"]["src"]


def place_path(trip, name):
    return trip["place"].tmp / name


def test_an_altered_archive_is_refused_before_anything_is_written(trip):
    place = trip["place"]
    good, bad = place_path(trip, "a.zip"), place_path(trip, "altered.zip")
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "tables/flows.flow.jsonl":
                first, rest = data.split(b"\n", 1)
                row = json.loads(first)
                row[[i for i, v in enumerate(row) if isinstance(v, float)][0]] *= 10  # a quantity made 10× larger
                data = json.dumps(row).encode() + b"\n" + rest
            zout.writestr(item, data)
    target = place.tmp / "target.sqlite3"
    run = place.boucle(f"sqlite:///{target}", "restore", str(bad))
    assert run.returncode == 1 and "flows.flow" in run.stderr and "somme de contrôle" in run.stderr
    assert not target.exists() or target.stat().st_size == 0  # refused before the database was even created
