"""The command-line contract, as a facilitator's script or an integrator's pipeline relies on it.

One demo territory is built once (``boucle demo --no-serve`` into a temporary directory) and every
command runs against it as a subprocess, the way a user runs it:

- with ``--json`` (or ``--format jsonl``) stdout holds only the data, logs go to stderr;
- bad input (unknown territory, unknown site, missing file, a CSV with a bad row, a negative number,
  an empty string) exits non-zero with a message naming what is accepted, never a traceback;
- messages are French by default and English with ``BOUCLE_LANG=en``.
"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
FORMS = "region:32, departement:59"  # the accepted territory forms every territory error names


def _env(data_dir: Path, lang: str | None = None) -> dict:
    env = {**os.environ, "BOUCLE_DATA_DIR": str(data_dir),
           "DATABASE_URL": f"sqlite:///{data_dir / 'boucle.sqlite3'}",
           "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for key in ("DJANGO_SETTINGS_MODULE", "BOUCLE_LANG", "BOUCLE_CACHE_URL"):
        env.pop(key, None)
    if lang:
        env["BOUCLE_LANG"] = lang
    return env


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli-contract")
    done = subprocess.run([sys.executable, "-m", "boucle", "demo", "--no-serve"], capture_output=True, text=True,
                          env=_env(data_dir), timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return data_dir


@pytest.fixture(scope="session")
def boucle(demo):
    def run(*args, lang=None):
        return subprocess.run([sys.executable, "-m", "boucle", *args], capture_output=True, text=True,
                              env=_env(demo, lang), timeout=300)
    return run


def _clean_failure(result, *words):
    """Non-zero exit, no traceback, nothing on stdout, and a message with each of ``words``."""
    assert result.returncode != 0, result.stdout[:500]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip() == ""
    for word in words:
        assert word in result.stderr, result.stderr


def _json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # the whole of stdout: data only


# -- good input: stdout holds only the data ------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("land", "search", "--territory", "region:32", "--json"),
    ("skills", "match", "--territory", "region:32", "--json"),
    ("passport", "alerts", "--json"),
    ("passport", "park", "--territory", "region:32", "--json"),
    ("materials", "crm", "--json"),
    ("sourcing", "substitutes", "copper_scrap", "--json"),
    ("sourcing", "search", "--naf", "38", "--near", "commune:59350", "--radius-km", "10", "--json"),
    ("places", "near", "50.63,3.06", "--object", "perceuse", "--json"),
], ids=lambda a: " ".join(a[:2]))
def test_json_output_is_only_json(boucle, args):
    assert isinstance(_json(boucle(*args)), (list, dict))


def test_match_jsonl_lines_then_aids_for_a_matched_site(boucle):
    found = boucle("match", "--format", "jsonl", "--no-store")
    assert found.returncode == 0, found.stderr
    lines = [json.loads(line) for line in found.stdout.splitlines() if line.strip()]  # every line is JSON
    assert lines, "the demo territory has synergies"
    site_id = lines[0]["offer_site_id"]
    aids = _json(boucle("aids", "match", "--site", site_id, "--json"))
    assert isinstance(aids, list) and aids


def test_human_outputs_use_words(boucle):
    listed = boucle("aids", "list")
    assert listed.returncode == 0 and "sans date limite" in listed.stdout
    passports = boucle("passport", "list")
    assert passports.returncode == 0 and "\tmodèle\t" in passports.stdout and "\tmodel\t" not in passports.stdout
    crm = boucle("materials", "crm")
    assert "Antimoine" in crm.stdout and "stratégique" in crm.stderr
    assert boucle("materials", "list", "--critical").returncode == 0
    export = boucle("export", "--territory", "region:32", "--what", "critical", "--output", "-")
    assert export.returncode == 0 and export.stdout.splitlines()[0].startswith("crm,")


# -- bad input: a clear French message, a non-zero exit, no traceback ---------------------------

@pytest.mark.parametrize("args", [
    ("land", "search", "--territory", "region:99"),
    ("land", "search", "--territory", ""),
    ("skills", "match", "--territory", "region:99"),
    ("passport", "park", "--territory", "region:99"),
    ("export", "--territory", "region:99", "--what", "critical", "--output", "-"),
], ids=lambda a: " ".join(a[:2]) + " " + a[3])
def test_unknown_territory_names_the_accepted_forms(boucle, args):
    _clean_failure(boucle(*args), "territoire inconnu", FORMS)


def test_unknown_site_and_synergy(boucle):
    _clean_failure(boucle("aids", "match", "--site", "nope", "--json"), "site 'nope' inconnu", "site_id")
    _clean_failure(boucle("aids", "match", "--synergy", "999999"), "synergie 999999 inconnue")
    _clean_failure(boucle("passport", "show", "nope"), "aucun passeport", "boucle passport list")


def test_negative_and_empty_values_are_refused(boucle):
    _clean_failure(boucle("land", "search", "--territory", "region:32", "--min-area-m2", "-5"), "min_area_m2")
    _clean_failure(boucle("aids", "match", "--synergy", "1", "--limit", "-3"), "--limit : au moins 1")
    _clean_failure(boucle("places", "near", "abc"), "attendu LAT,LON", "50.63,3.06")
    _clean_failure(boucle("sourcing", "search", "--naf", "38", "--near", "commune:59350", "--radius-km", "-1"),
                   "strictement positif")
    _clean_failure(boucle("sourcing", "substitutes", "", "--json"), "boucle materials list")
    _clean_failure(boucle("sourcing", "substitutes", "copper_scrap", "--near", "region:99"),
                   "Formes acceptées", "commune:INSEE")
    _clean_failure(boucle("export", "--territory", "region:32", "--what", "critical", "--format", "geojson",
                          "--output", "-"), "csv ou xlsx")


@pytest.mark.parametrize("args", [("import", "aids"), ("import", "land"), ("skills", "import", "needs"),
                                  ("skills", "import", "training")], ids=" ".join)
def test_missing_file(boucle, args, tmp_path):
    _clean_failure(boucle(*args, str(tmp_path / "absent.csv")), "fichier introuvable")


def _with_bad_row(source: Path, target: Path, field: str, bad: str) -> Path:
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow({**rows[0], "identifier": "contract-ok"})
        writer.writerow({**rows[1], "identifier": "contract-bad", field: bad})
    return target


@pytest.mark.parametrize("args, source, field, bad, words", [
    (("import", "land"), "land/data/demo_land.csv", "area_m2", "-5", ("ligne 3", "area_m2")),
    (("import", "aids"), "aids/data/aids_demo.csv", "url", "pas une url", ("ligne 3", "url")),
    (("skills", "import", "training"), "skills/data/demo_training.csv", "identifier", "", ("ligne 3", "identifier")),
], ids=lambda v: v if isinstance(v, str) and "/" in v else "")
def test_a_bad_row_names_its_line_and_writes_nothing(boucle, tmp_path, args, source, field, bad, words):
    path = _with_bad_row(SRC / "boucle" / source, tmp_path / "bad.csv", field, bad)
    result = boucle(*args, str(path))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    for word in (*words, "rien n'a été écrit"):
        assert word in result.stdout + result.stderr


# -- English with BOUCLE_LANG=en ------------------------------------------------------------------

def test_english_messages(boucle):
    _clean_failure(boucle("land", "search", "--territory", "region:99", lang="en"),
                   "unknown territory", "no region with code '99'", "commune:INSEE")
    _clean_failure(boucle("aids", "match", "--site", "nope", lang="en"), "unknown site 'nope'")
    _clean_failure(boucle("passport", "show", "nope", lang="en"), "no passport 'nope'")
    _clean_failure(boucle("places", "near", "abc", lang="en"), "expected LAT,LON")
    _clean_failure(boucle("sourcing", "substitutes", "cobalt", lang="en"), "not recognised")
    crm = boucle("materials", "crm", lang="en")
    assert "Antimony" in crm.stdout and "strategic" in crm.stderr
