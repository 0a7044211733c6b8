"""``boucle impact``: JSON contract and waste-code input forms."""

import argparse
import json
import re

import pytest

from boucle.impact import command


def run(capsys, *argv):
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    args = parser.parse_args(["impact", *argv])
    assert args.needs_db is False
    rc = args.func(args)
    out, err = capsys.readouterr()
    return rc, out, err


def test_json_stdout_is_one_object_with_the_contract_keys(capsys):
    rc, out, _ = run(capsys, "--material", "steel_scrap", "--quantity", "1000", "--unit", "t",
                     "--distance-km", "50", "--route", "landfill", "--json")
    assert rc == 0
    d = json.loads(out)
    for k in ("co2e_avoided_t", "tonnes_diverted", "breakeven_distance_km", "material", "terms", "reasons"):
        assert k in d
    assert d["material"] == "steel_scrap"
    assert d["co2e_avoided_t"] == pytest.approx(1770.5975, rel=1e-6)
    for t in d["terms"]:
        assert {"name", "value", "factor", "unit", "factor_id"} <= set(t)


@pytest.mark.parametrize("code", ["170405", "17 04 05", "17 04 05*"])
def test_ewc_forms_resolve_to_the_same_class(capsys, code):
    rc, out, _ = run(capsys, "--ewc", code, "--quantity", "2", "--unit", "t", "--distance-km", "10", "--json")
    assert rc == 0
    d = json.loads(out)
    assert d["material"] == "steel_scrap" and d["ewc"] == "170405"


def test_not_computable_is_null_with_reason(capsys):
    rc, out, _ = run(capsys, "--material", "spent_solvents", "--quantity", "5", "--unit", "t",
                     "--distance-km", "10", "--json")
    d = json.loads(out)
    assert rc == 0
    assert d["co2e_avoided_t"] is None and d["breakeven_distance_km"] is None
    assert d["reasons"]["co2e_avoided_t"]
    assert d["tonnes_diverted"] == 5


def test_errors_go_to_stderr_with_nonzero_exit(capsys):
    rc, out, err = run(capsys, "--ewc", "99 99 99", "--quantity", "1", "--unit", "t", "--distance-km", "1", "--json")
    assert rc == 2 and out == "" and "99" in err
    rc, out, err = run(capsys, "--material", "steel_scrap", "--quantity", "1", "--unit", "MWh",
                       "--distance-km", "1", "--json")
    assert rc == 2 and out == "" and err


def test_text_output_lists_terms_with_their_rows(capsys):
    rc, out, _ = run(capsys, "--material", "glass_cullet", "--quantity", "10", "--unit", "t",
                     "--distance-km", "100", "--mode", "barge", "--route", "D1")
    assert rc == 0 and "GLEC3_IWW_BULK" in out and "19_501_5056_15_1" in out


ENGINE_ENGLISH = ("virgin_avoided", "disposal_avoided", "transport_cost", "avoided_purchase", "quantity not computable",
                  "current route assumed", "no substitution recipe", "need temperature", "supply temperature",
                  "unknown density", "landfill")


def test_the_report_is_french_through_and_through(capsys, monkeypatch):
    """Reasons, assumptions and term names come from the engine: French by default, none of its English."""
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    outs = []
    for argv in (["--material", "pet", "--quantity", "10", "--unit", "t", "--distance-km", "30"],
                 ["--material", "tyres", "--quantity", "10", "--unit", "t", "--distance-km", "30"],
                 ["--material", "copper_scrap", "--quantity", "3", "--unit", "m3", "--distance-km", "10"],
                 ["--material", "waste_heat_low", "--quantity", "100", "--unit", "MWh", "--distance-km", "2"]):
        rc, out, _ = run(capsys, *argv)
        assert rc == 0
        outs.append(out)
    report = "\n".join(outs)
    assert "production de matière vierge évitée" in report and "coût du transport" in report
    assert "hypothèse : filière actuelle supposée : Mise en décharge" in report
    assert "aucune recette de substitution pour cette matière" in report  # tyres
    assert "masse volumique inconnue : impossible de convertir m3 en t" in report  # copper in m3
    assert "température requise inconnue" in report  # heat without a need temperature
    words = re.sub(r"\[[^\]]*\]", "", report)  # the rows' ids ([transport_cost:road]) are data keys
    for english in ENGINE_ENGLISH:
        assert english not in words, english


def test_the_report_and_json_reasons_are_english_with_boucle_lang(capsys, monkeypatch):
    monkeypatch.setenv("BOUCLE_LANG", "en")
    rc, out, _ = run(capsys, "--material", "copper_scrap", "--quantity", "3", "--unit", "m3", "--distance-km", "10")
    assert rc == 0 and "unknown density: cannot convert m3 to t" in out and "masse volumique" not in out
    assert "current route assumed: Landfill" in out or "current route assumed:" in out
    rc, out, _ = run(capsys, "--material", "copper_scrap", "--quantity", "3", "--unit", "m3", "--distance-km", "10",
                     "--json")
    d = json.loads(out)
    assert d["reasons"]["tonnes_diverted"] == "unknown density: cannot convert m3 to t"
    assert d["reason_codes"]["tonnes_diverted"] == "impact.density"
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    d = json.loads(run(capsys, "--material", "copper_scrap", "--quantity", "3", "--unit", "m3", "--distance-km", "10",
                       "--json")[1])
    assert d["reasons"]["tonnes_diverted"] == "masse volumique inconnue : impossible de convertir m3 en t"


def test_the_text_report_reads_french_numbers_and_euro_signs(capsys):
    from django.utils import translation

    with translation.override("fr"):
        rc, out, _ = run(capsys, "--material", "wood_untreated", "--quantity", "12.5", "--unit", "t",
                         "--distance-km", "96")
    out = out.replace("\u202f", " ").replace("\xa0", " ")
    assert rc == 0 and "12,5 t = 12,5 t, 96 km" in out
    assert "1 200 t.km" in out and "1,200" not in out  # the reader's grouping, not Python's
    assert "0,1 €/t.km" in out and "EUR" not in out and ".000" not in out


def test_a_receiver_that_burns_the_material_values_the_fuel_it_displaces(capsys):
    """The same sawdust, to a panel mill (virgin timber avoided) and to a dairy's boiler (natural gas displaced)."""
    argv = ("--material", "sawdust_shavings", "--quantity", "100", "--unit", "t", "--distance-km", "5", "--json")
    _, panels, _ = run(capsys, *argv, "--receiver-naf", "16.21Z")
    _, dairy, _ = run(capsys, *argv, "--receiver-naf", "1051A")
    panels, dairy = json.loads(panels), json.loads(dairy)
    assert "virgin_avoided" in {t["name"] for t in panels["terms"]}
    terms = {t["name"]: t for t in dairy["terms"]}
    assert "virgin_avoided" not in terms and terms["fuel_displaced"]["factor_id"] == "1_100_1004_7_1"
    assert dairy["co2e_avoided_t"] == pytest.approx(sum(t["value"] for t in dairy["terms"]))
    _, kiln, _ = run(capsys, "--material", "mixed_plastics", "--quantity", "100", "--unit", "t", "--distance-km", "5",
                     "--receiver-naf", "23.51Z", "--json")
    kiln = json.loads(kiln)
    assert kiln["co2e_avoided_t"] is None and "pouvoir calorifique" in kiln["reasons"]["co2e_avoided_t"]


def test_a_waste_operator_receiver_saves_no_virgin_purchase(capsys):
    """The same landfilled steel scrap, to a steelworks and to a metal recycler that sells it on."""
    argv = ("--material", "steel_scrap", "--quantity", "100", "--unit", "t", "--distance-km", "10", "--route", "D1",
            "--json")
    mill, recycler = (json.loads(run(capsys, *argv, "--receiver-naf", naf)[1]) for naf in ("24.10Z", "3832Z"))
    def term(d, name):
        return next(t["value"] for t in d["cost_terms"] if t["name"] == name)

    assert term(mill, "avoided_purchase") > 0 and term(recycler, "avoided_purchase") == 0
    # the recycler's preparation is paid by its resale: neither is counted at this pair
    assert term(mill, "processing_cost") < 0 and term(recycler, "processing_cost") == 0
    assert mill["eur_saved"] - recycler["eur_saved"] == pytest.approx(
        term(mill, "avoided_purchase") + term(mill, "processing_cost"))
    assert mill["co2e_avoided_t"] == recycler["co2e_avoided_t"]
