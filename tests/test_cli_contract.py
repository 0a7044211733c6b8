"""The command-line contract, as a facilitator's script or an integrator's pipeline relies on it.

One demo territory is built once per run of the suite (``boucle demo --no-serve``: ``demo_data_dir``),
copied into a temporary directory, and every command runs against the copy as a subprocess, the way a
user runs it:

- with ``--json`` (or ``--format jsonl``) stdout holds only the data, logs go to stderr;
- bad input (unknown territory, unknown site, missing file, a CSV with a bad row, a negative number,
  an empty string) exits non-zero with a message naming what is accepted, never a traceback;
- messages are French by default and English with ``BOUCLE_LANG=en``.
"""

import csv
import json
import os
import shutil
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
def demo(tmp_path_factory, demo_data_dir):
    data_dir = tmp_path_factory.mktemp("cli-contract")
    shutil.copytree(demo_data_dir, data_dir, dirs_exist_ok=True)
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
    ("aids", "curate", "list", "--territory", "region:32", "--json"),
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
    ("aids", "curate", "hide", "--territory", "region:99", "1"),
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


# -- help: French first, English with BOUCLE_LANG=en, no help left out of the catalogue ------------

def _parsers(parser, path=("boucle",)):
    """(command path, parser) of the command line and of every subcommand, depth first."""
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_every_help_text_goes_through_the_catalogue_and_has_english(monkeypatch):
    """Each help of each subcommand and option is a French msgid with an English entry: a help written as a
    plain string, or a new one missing from django.po, fails here."""
    import argparse

    from django.utils.functional import Promise

    from boucle.cli import build_parser

    plain, untranslated, seen = [], [], 0
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            helps = ([(c.dest, c.help) for c in action._choices_actions]
                     if isinstance(action, argparse._SubParsersAction) else [(action.dest, action.help)])
            for dest, text in helps:
                if text is None or text is argparse.SUPPRESS:
                    continue
                seen += 1
                if not isinstance(text, Promise):
                    plain.append((" ".join(path), dest, text))
                    continue
                monkeypatch.setenv("BOUCLE_LANG", "fr")
                french = str(text)
                monkeypatch.setenv("BOUCLE_LANG", "en")
                if str(text) == french:
                    untranslated.append((" ".join(path), dest, french))
    assert seen > 150
    assert not plain, f"help without _(): {plain[:5]}"
    assert not untranslated, f"help without English in django.po: {untranslated[:5]}"


@pytest.mark.parametrize("args, french, english", [
    ((), ("utilisation : boucle", "importer des sites", "afficher cette aide et quitter"),
     ("usage: boucle", "import sites", "show this help message and exit")),
    (("import",), ("importer des sites", "écrire les lignes valides"), ("import sites", "write the valid rows")),
    (("passport", "verify"), ("détecter les événements modifiés", "--head FICHIER", "vérifier tous les passeports"),
     ("detect edited, reordered or deleted events", "--head FILE", "verify every passport")),
    (("materials", "list"), ("les classes de matières", "seulement ce groupe"),
     ("the material classes", "only this group")),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) and v and "boucle" not in v[0] else None)
def test_help_is_french_by_default_and_english_on_request(tmp_path, args, french, english):
    for lang, words, other in ((None, french, english), ("en", english, french)):
        shown = subprocess.run([sys.executable, "-m", "boucle", *args, "--help"], capture_output=True, text=True,
                               env=_env(tmp_path, lang), timeout=120)
        assert shown.returncode == 0, shown.stderr
        for word in words:
            assert word in shown.stdout, (lang, word, shown.stdout)
        for word in other:
            assert word not in shown.stdout, (lang, word)


def test_argparse_errors_are_french_by_default_and_english_on_request(tmp_path):
    wrong = subprocess.run([sys.executable, "-m", "boucle", "import", "nope", "x.csv"], capture_output=True,
                           text=True, env=_env(tmp_path), timeout=120)
    assert wrong.returncode == 2 and "erreur : argument what : choix invalide : 'nope'" in wrong.stderr
    missing = subprocess.run([sys.executable, "-m", "boucle", "import"], capture_output=True, text=True,
                             env=_env(tmp_path, "en"), timeout=120)
    assert missing.returncode == 2 and "the following arguments are required: what, file" in missing.stderr
    subcommand = subprocess.run([sys.executable, "-m", "boucle", "jobs", "submit"], capture_output=True, text=True,
                                env=_env(tmp_path), timeout=120)  # a required subcommand with a translated name
    assert subcommand.returncode == 2 and "Traceback" not in subcommand.stderr
    assert "arguments obligatoires manquants : TÂCHE" in subcommand.stderr


def test_a_command_without_database_does_not_set_django_up_for_its_help_texts(tmp_path):
    """Help texts are looked up when shown: `boucle gs1 parse` stays as quick as before they were translated."""
    code = ("from boucle.cli import main; main(['gs1', 'parse', '(01)09520123456788']); "
            "from django.apps import apps; print(apps.ready)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(tmp_path), timeout=120)
    # French AI names are the catalogue's msgids themselves: no catalogue to load for them either
    assert done.returncode == 0 and done.stdout.splitlines() == ["(01) 09520123456788\tcode produit (GTIN)", "False"], \
        done.stderr


# -- import: one message naming a missing file; countries and NAF codes as people write them -------

@pytest.mark.parametrize("what", ["sites", "flows", "sirene", "aids", "land"])
def test_a_missing_file_is_named_once_in_french(boucle, tmp_path, what):
    path = str(tmp_path / "absent.csv")
    result = boucle("import", what, path)
    _clean_failure(result, f"{path} : fichier introuvable")
    assert result.stderr.count(path) == 1 and "no such file" not in result.stderr.lower()
    english = boucle("import", what, path, lang="en")
    _clean_failure(english, f"{path}: file not found")


def _site_rows(db: Path, prefix: str) -> dict:
    import sqlite3

    with sqlite3.connect(db) as con:
        return {sid: (country, naf) for sid, country, naf in con.execute(
            "select site_id, country, naf_id from flows_site where site_id like ?", (prefix + "%",))}


def test_import_sites_accepts_country_names_and_alpha3_and_every_naf_form(boucle, demo, tmp_path):
    rows = [("dk", "Denmark", "20"), ("dk-upper", "DENMARK", "20.1"), ("de-fr", "Allemagne", "20.14"),
            ("de-de", "Deutschland", "2014"), ("us", "United States of America", "20.14Z"), ("uk", "UK", "2014Z"),
            ("be", "BEL", "20.14z"), ("nl", "Pays-Bas", " 20.14 "), ("fr", "", "20")]
    path = tmp_path / "sites.csv"
    path.write_text("site_id,name,naf_code,latitude,longitude,country\n" + "".join(
        f"country-{sid},Site {sid},{naf},50.5,4.5,{country}\n" for sid, country, naf in rows), encoding="utf-8")
    result = boucle("import", "sites", str(path), "--json")
    assert _json(result)["rejected"] == []
    assert _site_rows(demo / "boucle.sqlite3", "country-") == {
        "country-dk": ("DK", "20"), "country-dk-upper": ("DK", "20.1"), "country-de-fr": ("DE", "20.14"),
        "country-de-de": ("DE", "20.14"), "country-us": ("US", "20.14Z"), "country-uk": ("GB", "20.14Z"),
        "country-be": ("BE", "20.14Z"), "country-nl": ("NL", "20.14"), "country-fr": ("FR", "20")}


def test_an_unknown_country_names_its_line_and_field_and_writes_nothing(boucle, demo, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site_id,name,latitude,longitude,country\nnowhere-ok,A,50.5,4.5,Belgique\n"
                    "nowhere-bad,B,50.5,4.5,Atlantis\n", encoding="utf-8")
    result = boucle("import", "sites", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for words in ("ligne 3", "country", "« Atlantis »", "pays reconnu", "rien n'a été écrit"):
        assert words in result.stdout + result.stderr
    assert _site_rows(demo / "boucle.sqlite3", "nowhere-") == {}
    english = boucle("import", "sites", str(path), lang="en")
    assert "line 3" in english.stdout and "« Atlantis » is not a known country" in english.stdout


def test_the_demos_stored_run_covers_every_demo_flow(demo_data_dir, tmp_path):
    """The demo's passports declare offers on their recycler's site (a disassembly event): they are created
    before the stored matching run, so the proposals a facilitator's page counts are the ones ``boucle match``
    prints (it once read 2 857 on the page and 2 860 on the command line)."""
    import sqlite3

    with sqlite3.connect(demo_data_dir / "boucle.sqlite3") as con:
        started = con.execute("select max(started_at) from matching_matchingrun").fetchone()[0]
        late = con.execute("select count(*) from flows_flow where declared_at > ?", (started,)).fetchone()[0]
        stored = con.execute("select count(*) from matching_synergy where not stale").fetchone()[0]
    assert late == 0
    copy = tmp_path / "demo"
    shutil.copytree(demo_data_dir, copy)
    result = subprocess.run([sys.executable, "-m", "boucle", "match", "--format", "jsonl", "--no-store"],
                            capture_output=True, text=True, env=_env(copy), timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.stdout.splitlines()) == stored


def test_export_and_report_say_what_they_wrote_in_the_readers_language(boucle, tmp_path):
    """They printed « 603330 bytes (indicators, csv) » and « report of region:32 (html) » whatever the language."""
    out = tmp_path / "i.csv"
    export = boucle("export", "--territory", "region:32", "--what", "indicators", "--format", "csv", "--output", str(out))
    assert export.returncode == 0 and f"{out} : {out.stat().st_size} octets (indicators, csv)" in export.stderr
    report = boucle("report", "--territory", "region:32", "--format", "html", "--output", str(tmp_path / "r.html"))
    assert report.returncode == 0 and "rapport territorial, Hauts-de-France (html)" in report.stderr
    english = boucle("report", "--territory", "region:32", "--format", "html", "--output", str(tmp_path / "e.html"),
                     lang="en")
    assert "territorial report, Hauts-de-France (html)" in english.stderr and "region:32" not in english.stderr
