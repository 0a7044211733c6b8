"""``boucle jobs`` and ``boucle worker`` as a user types them, on a fresh database."""

import json
import os
import subprocess
import sys


def boucle(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_BROKER", "BOUCLE_JOBS"))}
    return subprocess.run([sys.executable, "-m", "boucle", *args], capture_output=True, text=True,
                          env={**clean, **env}, timeout=300)


def test_submit_and_status_without_a_broker(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var")}
    result = boucle("jobs", "submit", "match", "--territory", "epci:999999999", "--json", env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert "--territory: pas de epci de code '999999999'" in result.stderr  # the message of `boucle match`

    result = boucle("jobs", "submit", "export", "--territory", "epci:200093201", "--what", "flows", "--json", env=env)
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["id"]  # stdout holds only {"id": …}
    result = boucle("jobs", "status", job_id, "--json", env=env)
    doc = json.loads(result.stdout)
    assert doc["state"] == "done" and doc["progress"] == 100 and doc["attempts"] == 1
    assert doc["result"]["filename"] == "epci-200093201-flows.csv"
    assert (tmp_path / "var" / "jobs" / job_id).read_bytes().startswith(b"flow_id")

    result = boucle("jobs", "status", "not-a-job", env=env)
    assert result.returncode == 1 and "aucune tâche not-a-job" in result.stderr
    result = boucle("jobs", "list", "--json", env={**env, "BOUCLE_LANG": "en"})
    assert [row["id"] for row in json.loads(result.stdout)] == [job_id]


def test_a_bad_territory_fails_at_submission_even_with_a_broker(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var"),
           "BOUCLE_BROKER_URL": "redis://127.0.0.1:1/0"}  # nothing listens there: nothing may be sent
    result = boucle("jobs", "submit", "match", "--territory", "epci:999999999", "--json", env=env)
    assert result.returncode == 2 and "--territory: pas de epci de code '999999999'" in result.stderr
    result = boucle("jobs", "list", "--json", env=env)
    assert json.loads(result.stdout) == []


def test_the_worker_needs_a_broker(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var")}
    result = boucle("worker", env={**env, "BOUCLE_LANG": "en"})
    assert result.returncode == 2 and "BOUCLE_BROKER_URL" in result.stderr
