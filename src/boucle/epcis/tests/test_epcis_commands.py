"""``boucle epcis`` subcommands, driven through argparse as cli.py will."""

import argparse
import json
from pathlib import Path

import pytest

from boucle.epcis.commands import register

VECTORS = Path(__file__).parent / "vectors"
SINGLE = VECTORS / "event-hash" / "examples" / "epcisDocWithSingleEvent"


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="boucle")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    assert args.needs_db is False
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_hash_prints_the_reference_hash_on_stdout_only(capsys):
    code, out, err = run(["epcis", "hash", f"{SINGLE}.jsonld"], capsys)
    assert code == 0
    assert out.split() == (Path(f"{SINGLE}.hashes").read_text().split())
    assert err == ""


def test_hash_json_lines_carry_the_prehash(capsys):
    code, out, _ = run(["epcis", "hash", "--json", "--prehash", f"{SINGLE}.jsonld"], capsys)
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["prehash"] == Path(f"{SINGLE}.prehashes").read_text().strip()


def test_validate_reports_invalid_file_with_exit_code(tmp_path, capsys):
    good = VECTORS / "epcis-examples" / "Example_9.6.1-ObjectEvent.jsonld"
    doc = json.loads(good.read_text())
    doc["epcisBody"]["eventList"][0]["action"] = "EXPLODE"
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps(doc))
    code, out, _ = run(["epcis", "validate", "--json", str(good), str(bad)], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [r["valid"] for r in rows] == [True, False]
    assert rows[1]["errors"][0].startswith("$.epcisBody.eventList[0].action")


def test_expand_refuses_unknown_context_with_a_message(tmp_path, capsys):
    path = tmp_path / "doc.jsonld"
    path.write_text(json.dumps({"@context": "https://attacker.example/c.jsonld", "a": 1}))
    code, out, err = run(["epcis", "expand", str(path)], capsys)
    assert code == 1 and out == ""
    assert "attacker.example" in err


@pytest.mark.parametrize("action", ["validate", "hash", "expand"])
def test_missing_file_is_an_error_not_a_traceback(action, capsys):
    code, out, err = run(["epcis", action, "/nonexistent/file.jsonld"], capsys)
    assert code == 1 and "fichier introuvable" in err and "Errno" not in err


def test_validate_speaks_french_then_english_with_boucle_lang(tmp_path, capsys, monkeypatch):
    doc = json.loads((VECTORS / "epcis-examples" / "Example_9.6.1-ObjectEvent.jsonld").read_text())
    doc["epcisBody"]["eventList"][0]["eventTime"] = "yesterday"
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps(doc))
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    code, _out, err = run(["epcis", "validate", str(bad)], capsys)
    assert code == 1 and "eventTime : « yesterday » n'est pas au format date-time" in err and "is not" not in err
    monkeypatch.setenv("BOUCLE_LANG", "en")
    code, _out, err = run(["epcis", "validate", str(bad)], capsys)
    assert code == 1 and "eventTime: 'yesterday' is not in the date-time format" in err
