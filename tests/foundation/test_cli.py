"""The command line on a brand-new database, as a user types it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def boucle(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "boucle", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)


@pytest.fixture
def fresh_db(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def test_import_on_a_database_that_does_not_exist_yet(tmp_path, fresh_db):
    sites = tmp_path / "sites.csv"
    sites.write_text("site_id,name,latitude,longitude\nEXT-1,Serre,50.6,3.0\n", encoding="utf-8")
    result = boucle("import", "sites", str(sites), "--json", env=fresh_db)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 1  # stdout holds only the JSON report
    flows = tmp_path / "flows.csv"
    flows.write_text("site_id,direction,label,quantity,unit\nEXT-1,need,chaleur basse température,5,MWh\n"
                     "EXT-1,offer,x,-1,t\n", encoding="utf-8")
    result = boucle("import", "flows", str(flows), env=fresh_db)
    assert result.returncode == 1
    assert "ligne 3 : quantity: -1 est négatif" in result.stdout


def test_english_report(tmp_path, fresh_db):
    sites = tmp_path / "sites.csv"
    sites.write_text("site_id,name,latitude,longitude\nEXT-1,Nowhere,,\n", encoding="utf-8")
    result = boucle("import", "sites", str(sites), env={**fresh_db, "BOUCLE_LANG": "en"})
    assert result.returncode == 1 and "line 2:" in result.stdout and "nothing was written" in result.stdout


def test_missing_file_is_a_clear_error(tmp_path, fresh_db):
    result = boucle("import", "sites", str(tmp_path / "absent.csv"), env=fresh_db)
    path = str(tmp_path / "absent.csv")
    assert result.returncode == 1 and f"{path} : fichier introuvable" in result.stderr
    assert result.stderr.count(path) == 1  # named once


def test_importing_boucle_does_not_load_django():
    code = "import sys, boucle, boucle.gs1, boucle.impact, boucle.matching.engine; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={
        k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"})
    assert result.stdout.strip() == "False", result.stderr


def test_building_the_command_line_leaves_the_heavy_engines_unloaded():
    """Every command (`boucle match` too) builds the whole parser: the parts of other commands that take
    a third of a second to load (JSON-LD processor, JSON schemas, the matching pipeline, KD-trees) wait
    until their own command runs."""
    heavy = ["pyld", "jsonschema", "scipy.spatial", "boucle.matching.pipeline", "boucle.epcis.validation"]
    code = (f"import sys; from boucle.cli import build_parser; build_parser(); "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
