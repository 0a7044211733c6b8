"""``boucle aids curate``: a territory's decisions on the catalogue from the command line, as the
operator types them: --json alone on stdout, messages on stderr (French, or English with BOUCLE_LANG=en),
refused input named, and the companies of that territory see the result (the web's one write path)."""

import json

import pytest

from boucle.cli import main

pytestmark = pytest.mark.django_db
MEL, ARRAS = "epci:200093201", "epci:200033579"


@pytest.fixture
def aid():
    from boucle.aids.models import Aid

    return Aid.objects.create(identifier="cli-1", name="Aide au réemploi", url="https://example.org/aide",
                              financers=["ADEME"], perimeter=["FR"], beneficiaries=["company"],
                              themes=["circular_economy"], aid_types=["grant"], origin="test")


def _run(capsys, *argv, lang="fr", monkeypatch=None):
    monkeypatch.setenv("BOUCLE_LANG", lang)
    code = main(["aids", "curate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_hide_note_pin_and_list_for_one_territory(aid, capsys, monkeypatch):
    from boucle.aids import services
    from boucle.aids.models import AidCuration

    code, out, err = _run(capsys, "hide", str(aid.pk), "--territory", MEL, "--json", monkeypatch=monkeypatch)
    assert code == 0 and json.loads(out) == {**json.loads(out), "aid_id": aid.pk, "territory": MEL, "hidden": True,
                                             "pinned": False, "note": ""}
    assert "Aide au réemploi" in err and "masquée" in err  # the log, not in the data
    assert services.curations_for({MEL}, [aid.pk])[aid.pk].hidden
    assert not services.curations_for({ARRAS}, [aid.pk]).get(aid.pk)  # another territory: the national catalogue

    assert _run(capsys, "note", str(aid.pk), "Voir la chargée de mission", "--territory", MEL,
                monkeypatch=monkeypatch)[0] == 0
    code, out, err = _run(capsys, "pin", str(aid.pk), "--territory", MEL, "--json", monkeypatch=monkeypatch)
    row = json.loads(out)
    assert (row["hidden"], row["pinned"], row["note"]) == (False, True, "Voir la chargée de mission")
    assert "n'est plus masquée" in err
    code, out, _err = _run(capsys, "list", "--territory", MEL, "--json", monkeypatch=monkeypatch)
    assert [(r["aid_id"], r["pinned"], r["note"]) for r in json.loads(out)] == [
        (aid.pk, True, "Voir la chargée de mission")]
    assert json.loads(_run(capsys, "list", "--territory", ARRAS, "--json", monkeypatch=monkeypatch)[1]) == []

    for argv in (("unpin", str(aid.pk)), ("note", str(aid.pk), "--clear")):
        assert _run(capsys, *argv, "--territory", MEL, monkeypatch=monkeypatch)[0] == 0
    assert not AidCuration.objects.exists()  # nothing left decided: the row goes, the catalogue applies again


@pytest.mark.parametrize("argv, lang, words", [
    (("hide", "{aid}", "--territory", "epci:1"), "fr", ["territoire inconnu", "'1'", "region:32, departement:59"]),
    (("hide", "{aid}", "--territory", "pays:FR"), "en", ["unknown territory", "'pays'", "region:32, departement:59"]),
    (("hide", "douze", "--territory", MEL), "fr", ["'douze'", "boucle aids list"]),
    (("show", "999999", "--territory", MEL), "en", ["999999", "boucle aids list"]),
    (("note", "{aid}", "   ", "--territory", MEL), "fr", ["--clear"]),
    (("note", "{aid}", "x" * 2001, "--territory", MEL), "en", ["2,000", "2001"]),
], ids=["territory", "territory-en", "aid-not-a-number", "aid-unknown-en", "empty-note", "long-note-en"])
def test_refused_input_is_named_and_nothing_is_written(aid, capsys, monkeypatch, argv, lang, words):
    from boucle.aids.models import AidCuration

    code, out, err = _run(capsys, *(a.replace("{aid}", str(aid.pk)) for a in argv), "--json", lang=lang,
                          monkeypatch=monkeypatch)
    assert code == 2 and out == "" and "Traceback" not in err
    for word in words:
        assert word in err, err
    assert not AidCuration.objects.exists()
