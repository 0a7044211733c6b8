import argparse
import json

from boucle.gs1.commands import register


def run(argv, capsys):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    assert args.needs_db is False
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_json_gives_pairs_and_both_spellings(capsys):
    code, out, _ = run(["gs1", "parse", "--json", "]d2010952012345678810ABC1"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["pairs"] == [["01", "09520123456788"], ["10", "ABC1"]]
    assert doc["element_string"] == "(01)09520123456788(10)ABC1"
    assert doc["digital_link"] == "https://id.gs1.org/01/09520123456788/10/ABC1"


def test_parse_reads_compressed_links(capsys):
    code, out, _ = run(["gs1", "parse", "https://id.gs1.org/ARFKk4XB0CDKWcnpq"], capsys)
    assert code == 0 and "(10) LOT01" in out


def test_invalid_input_exits_1_with_reason_on_stderr(capsys, monkeypatch):
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    code, out, err = run(["gs1", "parse", "(01)09520123456789"], capsys)
    assert (code, out) == (1, "")
    assert "clé de contrôle" in err and "check digit" not in err


def test_the_engine_reason_is_french_then_english_with_boucle_lang(capsys, monkeypatch):
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    code, _out, err = run(["gs1", "parse", "(01)123"], capsys)
    assert code == 1 and err.strip() == "erreur : IA (01) : la valeur « 123 » est trop courte (14 caractères au moins)"
    code, _out, err = run(["gs1", "parse", "0112"], capsys)
    assert code == 1 and "doit commencer par « ( »" in err and "must start" not in err
    monkeypatch.setenv("BOUCLE_LANG", "en")
    code, _out, err = run(["gs1", "parse", "(01)123"], capsys)
    assert code == 1 and err.strip() == "error: AI (01): value '123' is too short (min 14)"
    # a linter's reason nested in the AI's message is translated too
    code, _out, err = run(["gs1", "parse", "(01)09520123456788(17)251340"], capsys)
    assert code == 1 and err.strip() == "error: AI (17): invalid month 13 in '251340'"


def test_link_and_qr(capsys, tmp_path):
    code, out, _ = run(["gs1", "link", "01=09520123456788", "(21)X1", "--stem", "https://example.org/p"], capsys)
    assert (code, out.strip()) == (0, "https://example.org/p/01/09520123456788/21/X1")
    target = tmp_path / "label.svg"
    code, out, err = run(["gs1", "qr", "(01)09520123456788", "-o", str(target)], capsys)
    assert code == 0 and out == "" and target.read_text().lstrip().startswith("<svg")


def test_parse_names_the_ais_in_the_readers_language(capsys, monkeypatch):
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    code, out, _ = run(["gs1", "parse", "(01)09520123456788(17)251231(3102)000123"], capsys)
    assert code == 0 and out.splitlines() == ["(01) 09520123456788\tcode produit (GTIN)",
                                              "(17) 251231\tdate limite d'utilisation", "(3102) 000123\tpoids net (kg)"]
    monkeypatch.setenv("BOUCLE_LANG", "en")
    _code, out, _ = run(["gs1", "parse", "(01)09520123456788(17)251231"], capsys)
    assert out.splitlines() == ["(01) 09520123456788\tproduct code (GTIN)", "(17) 251231\texpiration date"]
