"""`boucle materials ...` handlers, driven through argparse as cli.py will drive them."""
import argparse
import csv
import io
import json

from boucle.materials import commands


def _run(argv, capsys, stdin=None, monkeypatch=None):
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    assert args.needs_db is False
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_json_is_machine_readable(capsys):
    code, out, _ = _run(["materials", "classify", "copeaux alu", "huiles de vidange", "--json"],
                        capsys)
    assert code == 0
    data = json.loads(out)
    assert [d["matches"][0]["key"] for d in data] == ["aluminium_scrap", "waste_oil"]
    assert set(data[0]["matches"][0]) == {"key", "confidence", "method"}


def test_classify_batch_from_stdin_as_csv_keeps_order(capsys, monkeypatch):
    code, out, err = _run(["materials", "classify", "--file", "-", "--format", "csv"], capsys,
                          stdin="fly ash\nzzqx\npneus usagés\n", monkeypatch=monkeypatch)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["key"] for r in rows] == ["fly_ash", "", "tyres"]
    assert "3 libellés" in err  # progress on stderr, data alone on stdout


def test_ewc_accepts_unquoted_spaced_codes_and_reports_errors(capsys):
    code, out, _ = _run(["materials", "ewc", "17", "04", "05*", "100102", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert [(d["code"], d["key"]) for d in data] == [("170405", "steel_scrap"),
                                                      ("100102", "fly_ash")]
    code, _, err = _run(["materials", "ewc", "999999"], capsys)
    assert code == 2 and "absent de la liste européenne des déchets" in err


def test_list_filters_by_group(capsys):
    code, out, _ = _run(["materials", "list", "--group", "metals", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data and all(d["group"] == "metals" for d in data)
    assert "steel_scrap" in {d["key"] for d in data}


def test_list_shows_words_for_groups_and_roles_and_keeps_keys_in_json(capsys, monkeypatch):
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    code, out, _ = _run(["materials", "list", "--critical"], capsys)
    line = next(row for row in out.splitlines() if row.startswith("copper_scrap "))
    assert code == 0 and "métaux" in line and "sous-produit" in line and "Cuivre*" in line
    assert "metals" not in line and "by_product" not in line
    monkeypatch.setenv("BOUCLE_LANG", "en")
    code, out, _ = _run(["materials", "list", "--critical"], capsys)
    line = next(row for row in out.splitlines() if row.startswith("copper_scrap "))
    assert "metals" in line and "by-product" in line and "Copper*" in line and "Cuivre" not in line
    code, out, _ = _run(["materials", "list", "--critical", "--json"], capsys)
    row = next(r for r in json.loads(out) if r["key"] == "copper_scrap")
    assert (row["group"], row["role"], row["critical_raw_materials"]) == ("metals", "by_product", ["copper"])


def test_every_group_and_role_of_the_taxonomy_has_words():
    from boucle.materials.labels import GROUP_LABELS, ROLE_LABELS
    from boucle.materials.taxonomy import load_classes

    classes = load_classes()
    assert {c.group for c in classes} <= set(GROUP_LABELS)
    assert {c.role for c in classes} <= set(ROLE_LABELS)
