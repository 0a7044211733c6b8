"""Imports, e-mails and health checks with a real Redis broker and real ``boucle worker`` processes.

The helpers (a database of the test's own, the broker, workers started and killed as process
groups) are those of ``test_worker_killed``: Redis on 127.0.0.1:6379, database 5 or
``BOUCLE_TEST_REDIS_DB``, a queue of the test's own, cleaned afterwards.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from .test_worker_killed import (REDIS, SITES, Databases, _clean, _env, _redis, boucle, restore_reference,  # noqa: F401
                                 start_worker, status, stop, wait_for)

# Workers on one broker all answer a health check as celery@<this machine>: the tests that start workers
# run one after the other on the same xdist process (`--dist loadgroup` in the Makefile).
pytestmark = pytest.mark.xdist_group("celery-workers")

# services.STEPS["import_writing"]: every line checked, the job's one transaction open
WRITING = "Enregistrement des lignes vérifiées (tout ou rien)"


def count_sites(env) -> int:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url[len("sqlite:///"):], timeout=20) as conn:
            return conn.execute("SELECT count(*) FROM flows_site").fetchone()[0]
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute("SELECT count(*) FROM flows_site").fetchone()[0]


def python(env, code: str) -> str:
    prelude = "from boucle.bootstrap import ensure_database, setup_django\nsetup_django()\nensure_database()\n"
    result = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def broker(tmp_path, restore_reference):  # noqa: F811
    client = _redis()
    queue = f"boucle-test-{uuid.uuid4().hex[:10]}"
    _clean(client, queue)
    databases = Databases(tmp_path)
    log = open(tmp_path / "workers.log", "w+")
    workers = []
    name = f"boucle_jobs_broker_{uuid.uuid4().hex[:8]}"
    env = _env(DATABASE_URL=databases.new(name), BOUCLE_DATA_DIR=str(tmp_path / "var"),
               BOUCLE_BROKER_URL="redis://%s:%d/%d" % REDIS, BOUCLE_JOBS_QUEUE=queue,
               BOUCLE_JOBS_VISIBILITY_TIMEOUT="4")
    try:
        yield env, log, workers
    finally:
        for worker in workers:
            stop(worker, signal.SIGKILL)
        log.close()
        _clean(client, queue)
        databases.drop_all()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_job_survives_its_worker_killed_mid_write(tmp_path, broker):
    env, log, workers = broker
    original = tmp_path / "sites.csv"
    original.write_text(SITES, encoding="utf-8")
    submitted = boucle(env, "jobs", "submit", "import", "--what", "sites", str(original), "--json")
    assert submitted.returncode == 0, submitted.stderr
    job_id = json.loads(submitted.stdout)["id"]
    original.unlink()  # the worker reads the job's own copy
    assert status(env, job_id)["state"] == "queued" and count_sites(env) == 0

    workers.append(start_worker({**env, "BOUCLE_JOBS_TEST_PAUSE_SECONDS": "60"}, log))
    wait_for(env, job_id, lambda d: d["state"] == "running" and d["message"] == WRITING, 120, log)
    time.sleep(3)  # the sites are written, the job's transaction still open
    stop(workers[0], signal.SIGKILL)
    assert count_sites(env) == 0  # nothing of the interrupted import remains

    workers.append(start_worker(env, log))
    final = wait_for(env, job_id, lambda d: d["state"] in ("done", "failed"), 120, log)
    assert final["state"] == "done" and final["attempts"] == 2, final
    assert final["result"]["created"] == 4 and final["result"]["rejected"] == []
    assert count_sites(env) == 4  # each site once
    assert list((tmp_path / "var" / "jobs" / "uploads").iterdir()) == []


NOTIFY = """
from django.contrib.auth import get_user_model
from boucle.jobs.models import Job
from boucle.notifications.services import notify
ana = get_user_model().objects.create_user("ana", "ana@example.org", "x")
notify([ana], "Essai de courriel", "Une synergie vous attend.")
print(Job.objects.get(kind="email").pk)
"""

DELIVER_AGAIN = """
from boucle.celery import configured
configured()
from boucle.jobs.tasks import run_job
run_job.apply_async(args=["{job_id}"])
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_e_mail_job_runs_on_a_worker_and_a_second_delivery_sends_nothing(tmp_path, broker):
    env, log, workers = broker
    job_id = python(env, NOTIFY)
    assert status(env, job_id)["state"] == "queued"  # the notification is saved; its e-mail waits for a worker
    workers.append(start_worker(env, log))
    final = wait_for(env, job_id, lambda d: d["state"] in ("done", "failed"), 120, log)
    assert final["state"] == "done" and final["result"]["sent"] == 1, final

    python(env, DELIVER_AGAIN.format(job_id=job_id))  # the broker hands the same job over again
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and open(log.name).read().count(f"boucle.jobs.run[") < 2:
        time.sleep(0.5)
    text = open(log.name).read()
    assert text.count("Subject: Boucle : Essai de courriel") == 1, text[-3000:]
    assert status(env, job_id)["attempts"] == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_health_checks_of_compose_answer_for_live_processes_only(tmp_path, broker):
    env, log, workers = broker
    assert boucle(env, "worker", "--check").returncode == 1  # no worker yet
    workers.append(start_worker(env, log))
    deadline = time.monotonic() + 60
    while boucle(env, "worker", "--check").returncode != 0:
        assert time.monotonic() < deadline, open(log.name).read()[-3000:]
    beat = subprocess.Popen([sys.executable, "-m", "boucle", "beat"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    workers.append(beat)
    heartbeat = tmp_path / "var" / "celerybeat-heartbeat"
    deadline = time.monotonic() + 60
    while not heartbeat.exists():
        assert time.monotonic() < deadline and beat.poll() is None, open(log.name).read()[-3000:]
        time.sleep(0.5)
    assert boucle(env, "beat", "--check").returncode == 0
    stop(beat, signal.SIGKILL)
    os.utime(heartbeat, (time.time() - 600, time.time() - 600))  # ten minutes without a tick
    assert boucle(env, "beat", "--check").returncode == 1
    stop(workers[0])
    # A worker in its warm shutdown (or the prefork child it waits for) may still answer one last ping: the check
    # must say "no worker" within a compose probe's retry window, never keep saying "alive".
    deadline = time.monotonic() + 30
    while boucle(env, "worker", "--check").returncode != 1:
        assert time.monotonic() < deadline, "a stopped worker still answers the health check after 30 s"
