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


SITES = """site_id,name,naf_code,latitude,longitude,commune_insee
T-1,Centrale,35.11Z,50.63,3.06,59350
T-2,Cimenterie,23.51Z,50.64,3.10,59350
"""


def test_an_import_job_from_the_command_line_reports_its_lines_in_the_reader_s_language(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var")}
    bad = tmp_path / "bad.csv"
    bad.write_text(SITES + "T-3,,23.51Z,50.64,3.10,59350\n", encoding="utf-8")
    result = boucle("jobs", "submit", "import", "--what", "sites", str(bad), "--json", env=env)
    assert result.returncode == 1  # run here (no broker) and refused: nothing written
    job_id = json.loads(result.stdout)["id"]
    assert "ligne 4 : name: valeur obligatoire" in result.stderr
    doc = json.loads(boucle("jobs", "status", job_id, "--json", env={**env, "BOUCLE_LANG": "en"}).stdout)
    assert doc["state"] == "failed" and doc["error"] == "file rejected, nothing was saved (lines in error: 1)"
    assert doc["result"]["rejected"] == [{"line": 4, "reason": "name: value required",
                                          "fields": [{"field": "name", "reason": "name: value required"}]}]
    text = boucle("jobs", "status", job_id, env={**env, "BOUCLE_LANG": "en"}).stdout
    assert "line 4: name: value required" in text and "created: 0, updated: 0" in text

    good = tmp_path / "good.csv"
    good.write_text(SITES, encoding="utf-8")
    result = boucle("jobs", "submit", "import", "--what", "sites", str(good), "--json", env=env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(boucle("jobs", "status", json.loads(result.stdout)["id"], "--json", env=env).stdout)
    assert doc["state"] == "done" and doc["result"]["created"] == 2 and doc["result"]["written"]
    assert list((tmp_path / "var" / "jobs" / "uploads").iterdir()) == []  # the copies are gone

    result = boucle("jobs", "submit", "import", "--what", "flows", str(tmp_path / "missing.csv"), env=env)
    assert result.returncode == 2 and "missing.csv" in result.stderr
    result = boucle("jobs", "submit", "import", "--what", "sites", str(good), "--territory", "epci:999999999",
                    env=env)
    assert result.returncode == 2 and "pas de epci de code '999999999'" in result.stderr


def test_an_import_job_whose_broker_is_down_keeps_no_copy(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var"),
           "BOUCLE_BROKER_URL": "redis://127.0.0.1:1/0"}
    good = tmp_path / "good.csv"
    good.write_text(SITES, encoding="utf-8")
    result = boucle("jobs", "submit", "import", "--what", "sites", str(good), "--json", env=env)
    assert result.returncode == 2 and result.stdout == "" and "BOUCLE_BROKER_URL" in result.stderr
    assert list((tmp_path / "var" / "jobs" / "uploads").iterdir()) == []


def test_health_checks_need_no_database(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var"),
           "BOUCLE_BROKER_URL": "redis://127.0.0.1:1/0"}
    result = boucle("beat", "--check", env=env)
    assert result.returncode == 1 and "n'a jamais tourné" in result.stderr
    result = boucle("worker", "--check", env={**env, "BOUCLE_LANG": "en"})
    assert result.returncode == 1 and "the queue does not answer" in result.stderr
    assert not (tmp_path / "new.sqlite3").exists()  # a probe every minute never migrates a database
