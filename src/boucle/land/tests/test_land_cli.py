"""``boucle import land`` and ``boucle land search`` as a user types them (fresh database)."""

import json
import os
import subprocess
import sys

from boucle.land.demo import DEMO_FILE


def boucle(*args, env):
    return subprocess.run([sys.executable, "-m", "boucle", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def test_import_then_search_as_json(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var")}
    bad = tmp_path / "bad.csv"
    bad.write_text("identifier,name,kind,area_m2,commune_insee,source\nx,Sans surface,friche,,59350,S\n", encoding="utf-8")
    result = boucle("import", "land", str(bad), env=env)
    assert result.returncode == 1 and "ligne 2 : area_m2" in result.stdout
    result = boucle("import", "land", str(DEMO_FILE), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] >= 10
    result = boucle("land", "search", "--territory", "region:32", "--min-area-m2", "40000", "--json", env=env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)  # stdout holds only the JSON array
    assert found and all({"id", "name", "kind", "area_m2", "status", "commune"} <= set(r) for r in found)
    assert all(r["area_m2"] >= 40_000 for r in found)
    result = boucle("land", "search", "--territory", "epci:000000000", env=env)
    assert result.returncode == 2 and "territoire inconnu" in result.stderr and not result.stdout
