"""A worker killed (kill -9) in the middle of a matching job: the job is run again by the next
worker, to the same result as an uninterrupted run, with no synergy written twice or half.

Everything runs as a user would: the real ``boucle`` command line in subprocesses, a real Redis
broker (127.0.0.1:6379, database 5 or ``BOUCLE_TEST_REDIS_DB``, the test's own queue), a database of its
own (SQLite, or a fresh PostgreSQL database when the suite runs on PostgreSQL).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

# Workers on one broker all answer a health check as celery@<this machine>: the tests that start workers
# run one after the other on the same xdist process (`--dist loadgroup` in the Makefile).
pytestmark = pytest.mark.xdist_group("celery-workers")

REDIS = ("127.0.0.1", 6379, int(os.environ.get("BOUCLE_TEST_REDIS_DB", "5")))  # a database of the tests' own
TERRITORY = "epci:200093201"  # Métropole Européenne de Lille
WRITING = "Enregistrement des propositions"  # services.STEPS["match_writing"], as stored

SITES = """site_id,name,naf_code,latitude,longitude,commune_insee
T-1,Centrale,35.11Z,50.63,3.06,59350
T-2,Cimenterie,23.51Z,50.64,3.10,59350
T-3,Papeterie,17.12Z,50.62,3.03,59350
T-4,Fonderie,24.51Z,50.65,3.08,59350
"""
FLOWS = """site_id,direction,label,kind,ewc_code,quantity,unit
T-1,offer,Cendres volantes,material,100102,60000,t
T-2,need,Cendres pour le cru,material,100102,40000,t
T-3,offer,Boues de papeterie,material,030311,800,t
T-4,offer,Sables de fonderie,material,101008,5000,t
T-1,offer,Chaleur fatale 80 °C,energy,,20000,MWh
"""

READ_SYNERGIES = """
import json
from boucle.bootstrap import setup_django
setup_django()
from boucle.matching.models import MatchingRun, Synergy
rows = sorted([s.offer.site.site_id, s.offer.label, s.need.label if s.need_id else None, s.need_site.site_id,
               s.material_class, round(s.score, 9), s.stale] for s in Synergy.objects.all())
print(json.dumps({"synergies": rows, "runs": MatchingRun.objects.count()}))
"""


def _redis():
    import redis

    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS[2], socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers on {REDIS[0]}:{REDIS[1]} ({exc}); `.ci/run` starts one")
    return client


def _clean(client, queue):
    """The broker's keys of this test: its queue, its bindings, its unacknowledged messages (per queue), and the
    workers' remote-control mailbox binding."""
    keys = list(client.scan_iter(match=f"*{queue}*")) + [b"_kombu.binding.celery.pidbox", b"_kombu.binding_deadlines"]
    if keys:
        client.delete(*keys)


class Databases:
    """A fresh database per name: SQLite files, or PostgreSQL databases on the suite's server."""

    def __init__(self, tmp_path):
        self.tmp_path, self.created = tmp_path, []
        url = os.environ.get("DATABASE_URL", "")
        self.server = url.rsplit("/", 1)[0] if url.startswith(("postgres://", "postgresql://")) else None

    def _admin(self):
        import psycopg

        return psycopg.connect(self.server.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True)

    def url(self, name):
        if self.server is None:
            return f"sqlite:///{self.tmp_path / (name + '.sqlite3')}"
        return f"{self.server}/{name}"

    def new(self, name):
        """On PostgreSQL, a copy of the suite's migrated test database (migrating a new one takes a minute)."""
        if self.server is not None:
            from django.db import connection, connections

            template = connection.settings_dict["NAME"]
            connections.close_all()
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                try:
                    conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                except Exception:  # someone else is connected to it: start from an empty database
                    conn.execute(f'CREATE DATABASE "{name}"')
            self.created.append(name)
        return self.url(name)

    def copy(self, source, name):
        if self.server is None:
            shutil.copyfile(self.tmp_path / (source + ".sqlite3"), self.tmp_path / (name + ".sqlite3"))
        else:
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            self.created.append(name)
        return self.url(name)

    def drop_all(self):
        if self.server is not None:
            with self._admin() as conn:
                for name in self.created:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_BROKER", "BOUCLE_JOBS", "BOUCLE_WORKER"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # a node name of the test's own: a health check answers for this test's workers, never another's
    env["BOUCLE_WORKER_NAME"] = f"celery@boucle-test-{uuid.uuid4().hex[:10]}"
    env.update(extra)
    return env


def boucle(env, *args):
    result = subprocess.run([sys.executable, "-m", "boucle", *args], capture_output=True, text=True, env=env,
                            timeout=120)
    return result


def status(env, job_id):
    result = boucle(env, "jobs", "status", job_id, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def stored(env):
    result = subprocess.run([sys.executable, "-c", READ_SYNERGIES], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def start_worker(env, log):
    return subprocess.Popen([sys.executable, "-m", "boucle", "worker", "--concurrency", "1"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(worker, sig=signal.SIGTERM):
    """Stop a worker's whole process group (the worker and its pool's children) and wait until none is left."""
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    deadline = time.monotonic() + 10
    while True:
        try:
            os.killpg(worker.pid, signal.SIGKILL if time.monotonic() > deadline else 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def peek(env, job_id):
    """The job's row read straight from the database: a cheap look while waiting (``status`` starts Django)."""
    url = env["DATABASE_URL"]
    query = "SELECT state, message, attempts FROM jobs_job WHERE id = {}"
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url[len("sqlite:///"):], timeout=20) as conn:
            row = conn.execute(query.format("?"), [uuid.UUID(job_id).hex]).fetchone()
    else:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            row = conn.execute(query.format("%s"), [uuid.UUID(job_id)]).fetchone()
    return dict(zip(("state", "message", "attempts"), row))


def wait_for(env, job_id, done, timeout_s, log):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        doc = peek(env, job_id)
        if done(doc):
            return status(env, job_id)
        time.sleep(0.3)
    log.flush()
    raise AssertionError(f"job {job_id} stuck at {doc}; worker log:\n{open(log.name).read()[-3000:]}")


@pytest.fixture(scope="module")
def restore_reference(django_db_blocker):
    """The test database is set up (PostgreSQL runs copy it) and flushed afterwards: put the reference data back."""
    yield
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_survives_its_worker_killed_mid_write(tmp_path, restore_reference):
    client = _redis()
    queue = f"boucle-test-{uuid.uuid4().hex[:10]}"
    _clean(client, queue)
    databases = Databases(tmp_path)
    workers = []
    log = open(tmp_path / "workers.log", "w+")
    try:
        (tmp_path / "sites.csv").write_text(SITES, encoding="utf-8")
        (tmp_path / "flows.csv").write_text(FLOWS, encoding="utf-8")
        name = f"boucle_jobs_kill_{uuid.uuid4().hex[:8]}"
        plain = _env(DATABASE_URL=databases.new(name), BOUCLE_DATA_DIR=str(tmp_path / "var"))
        for kind in ("sites", "flows"):
            result = boucle(plain, "import", kind, str(tmp_path / f"{kind}.csv"), "--json")
            assert result.returncode == 0 and json.loads(result.stdout)["written"], result.stdout + result.stderr

        before = stored(plain)

        # The reference: the same job, uninterrupted, on a copy of the database (no broker: run at once).
        reference_env = {**plain, "DATABASE_URL": databases.copy(name, name + "_ref")}
        submitted = boucle(reference_env, "jobs", "submit", "match", "--territory", TERRITORY, "--json")
        assert submitted.returncode == 0, submitted.stderr
        reference = status(reference_env, json.loads(submitted.stdout)["id"])
        assert reference["state"] == "done" and reference["result"]["proposals"] > 0, reference
        expected = stored(reference_env)

        # The same job through the broker; the first worker holds its transaction open after writing.
        broker = {**plain, "BOUCLE_BROKER_URL": "redis://%s:%d/%d" % REDIS, "BOUCLE_JOBS_QUEUE": queue,
                  "BOUCLE_JOBS_VISIBILITY_TIMEOUT": "4"}
        submitted = boucle(broker, "jobs", "submit", "match", "--territory", TERRITORY, "--json")
        assert submitted.returncode == 0, submitted.stderr
        assert submitted.stdout.strip().startswith('{"id": ')  # stdout holds only the JSON
        job_id = json.loads(submitted.stdout)["id"]
        assert status(broker, job_id)["state"] == "queued"  # answered from the database, no worker yet

        workers.append(start_worker({**broker, "BOUCLE_JOBS_TEST_PAUSE_SECONDS": "60"}, log))
        wait_for(broker, job_id, lambda d: d["state"] == "running" and d["message"] == WRITING, 120, log)
        time.sleep(1.5)  # the synergies are written, the transaction still open
        stop(workers[0], signal.SIGKILL)  # the whole worker, its pool process included

        interrupted = status(broker, job_id)
        assert interrupted["state"] == "running" and interrupted["attempts"] == 1
        assert stored(broker) == before  # nothing of the interrupted write remains

        workers.append(start_worker(broker, log))
        final = wait_for(broker, job_id, lambda d: d["state"] in ("done", "failed"), 120, log)
        assert final["state"] == "done", final
        assert final["attempts"] == 2  # retried once, by the second worker
        drop_id = lambda result: {k: v for k, v in result.items() if k != "matching_run"}  # noqa: E731
        assert drop_id(final["result"]) == drop_id(reference["result"])
        after = stored(broker)
        assert after == expected  # the same synergies, each once, and one matching run
        keys = [tuple(row[:5]) for row in after["synergies"]]
        assert len(keys) == len(set(keys))
    finally:
        for worker in workers:
            stop(worker, signal.SIGKILL)
        log.close()
        _clean(client, queue)
        databases.drop_all()
