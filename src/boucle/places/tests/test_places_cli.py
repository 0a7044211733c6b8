"""``boucle places import`` and ``boucle places near`` as a user types them (fresh database)."""

import json
import os
import re
import subprocess
import sys

from boucle.places.demo import DEMO_FILE


def boucle(*args, env):
    return subprocess.run([sys.executable, "-m", "boucle", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def test_import_then_near_as_json(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var")}
    bad = tmp_path / "bad.csv"
    bad.write_text("identifier,name,commune,latitude,longitude,actions,source\nx,Sans point,Lille,,,repair,S\n",
                   encoding="utf-8")
    result = boucle("places", "import", str(bad), env=env)
    assert result.returncode == 1 and "ligne 2 : latitude, longitude" in result.stdout
    result = boucle("places", "import", str(DEMO_FILE), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] > 60
    result = boucle("places", "near", "50.63,3.06", "--action", "repair", "--object", "vélo", "--json", env=env)
    assert result.returncode == 0, result.stderr
    places = json.loads(result.stdout)  # stdout holds only the JSON array
    assert 0 < len(places) <= 20
    assert all({"name", "address", "actions", "distance_km", "source"} <= set(p) for p in places)
    assert all("repair" in p["actions"] for p in places)
    kms = [p["distance_km"] for p in places]
    assert kms == sorted(kms) and places[0]["address"].endswith("Lille")
    assert len(json.loads(boucle("places", "near", "49.89,2.30", "--json", env=env).stdout)) == 20
    result = boucle("places", "near", "50.63,3.06", "--action", "repair", "--object", "lave-linge", "--json", env=env)
    places = json.loads(result.stdout)
    assert all({"qualirepar", "bonus_reparation"} <= set(p) for p in places)
    labelled = [p for p in places if p["qualirepar"]]
    assert labelled and labelled[0]["bonus_reparation"]["amount_eur"] == 50
    assert labelled[0]["bonus_reparation"]["checked"] is False
    assert all(p["bonus_reparation"] is None for p in places if not p["qualirepar"])
    text = boucle("places", "near", "50.63,3.06", "--action", "repair", "--object", "lave-linge", env=env).stdout
    assert "bonus réparation possible : 50 € (à vérifier)" in text
    assert re.search(r"^ *\d+,\d km  ", text, re.M)  # a French decimal mark: "0,9 km", not "0.9 km"
    assert boucle("places", "near", "nowhere", env=env).returncode == 2
