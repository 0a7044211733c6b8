"""``boucle import aids`` and ``boucle aids match`` as a user types them (fresh database)."""

import json
import os
import subprocess
import sys

from boucle.aids.demo import DEMO_FILE
from boucle.testing import make_siret


def boucle(*args, env):
    return subprocess.run([sys.executable, "-m", "boucle", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def test_import_then_match_a_site_as_json(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var"),
           "BOUCLE_LANG": "fr"}
    bad = tmp_path / "bad.csv"
    bad.write_text("identifier,name,url,financers,perimeter,beneficiaries,themes,source\n"
                   "x,Aide,https://example.org,ADEME,Atlantide,entreprise,déchets,essai\n", encoding="utf-8")
    result = boucle("import", "aids", str(bad), env=env)
    assert result.returncode == 1 and "ligne 2 : perimeter: 'Atlantide'" in result.stdout
    assert "rien n'a été écrit" in result.stdout
    result = boucle("import", "aids", str(DEMO_FILE), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] >= 20
    siret = make_siret()
    sites = tmp_path / "sites.csv"
    sites.write_text("site_id,name,naf_code,latitude,longitude,commune_insee\n"
                     f"{siret},Fonderie de Douai,24.51Z,50.37,3.08,59178\n", encoding="utf-8")
    assert boucle("import", "sites", str(sites), env=env).returncode == 0
    result = boucle("aids", "match", "--site", siret, "--json", env=env)
    assert result.returncode == 0, result.stderr
    aids = json.loads(result.stdout)  # stdout holds only the JSON array
    assert aids and all({"name", "url", "financers", "deadline", "why"} <= set(a) for a in aids)
    assert any("Hauts-de-France (région)" in a["why"] for a in aids)
    assert all(a["url"].startswith("https://") for a in aids)
    result = boucle("aids", "match", "--site", "inconnu-42", "--json", env=env)
    assert result.returncode == 1 and result.stdout == "" and "inconnu-42" in result.stderr
    result = boucle("aids", "match", "--synergy", "424242", env={**env, "BOUCLE_LANG": "en"})
    assert result.returncode == 1 and "unknown synergy 424242" in result.stderr
    english = json.loads(boucle("aids", "match", "--site", siret, "--json", env={**env, "BOUCLE_LANG": "en"}).stdout)
    assert any("Hauts-de-France (region)" in a["why"] for a in english)
