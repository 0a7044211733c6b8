"""Fresh check set (knowledge/eval/fresh_check.csv), written and measured before any rule read it,
and the general rules of its round: fermentable sugars go to fermentation plants, a precious-metals
refinery takes circuit boards and spent catalysts, a vacuum salt works takes steam."""

import argparse
import csv
import json
import re
from functools import partial

from boucle.matching import command_evaluate
from boucle.matching.evaluate import CODES_CSV, FRESH_CSV, HEAVY_CSV, LITERATURE_CSV, PROCESS_CSV, read_rows
from boucle.matching.knowledge import naf
from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.tests.parks import receivers_by_label
from boucle.materials.classify import classify_label


def test_the_fresh_check_set_loads_with_a_code_a_source_and_parks_outside_the_other_sets():
    rows = read_rows(FRESH_CSV)
    assert len({r["case"] for r in rows}) >= 18
    assert len([r for r in rows if r["waste_description"].strip()]) >= 50
    with FRESH_CSV.open(encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    assert all(r["reference"].strip() for r in raw)
    assert all(re.fullmatch(r"\d{4}", r["provider_nace"]) for r in raw)
    assert all(re.fullmatch(r"\d{4}", r["receiver_nace"]) for r in raw if r["waste_description"].strip())
    # no firm of this set is a firm of another check set
    firms = {r[c].strip() for r in rows for c in ("provider_company", "receiver_company") if r[c].strip()}
    others = {r[c].strip() for path in (LITERATURE_CSV, PROCESS_CSV, HEAVY_CSV, CODES_CSV) for r in read_rows(path)
              for c in ("provider_company", "receiver_company") if c in r and r[c].strip()}
    assert firms and not firms & others


def test_boucle_evaluate_fresh_prints_metrics_with_their_baselines(capsys):
    ap = argparse.ArgumentParser()
    command_evaluate.register(ap.add_subparsers())
    args = ap.parse_args(["evaluate", "fresh", "--case", "504", "--case", "519", "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"] == "fresh" and set(out["cases"]) == {"504", "519"}
    assert out["baselines"]["everyone_to_everyone"]["recall"] == 1.0
    assert "leave_one_case_out" in out


_receivers = partial(receivers_by_label, at=(47.0, 2.0, 0.003))


def test_glucose_of_a_starch_mill_is_read_as_a_fermentable_sugar():
    for label in ("Dextrose", "Glucose syrup"):
        assert classify_label(label)[0].key == "molasses", label


def test_a_starch_mill_s_dextrose_goes_to_the_fermentation_plants_not_to_the_cement_works():
    sites = [("mill", "10", "Maize starch and glucose plant", "Starch mill"),
             ("pla", "20", "Polylactic acid production", "Bioplastics plant"),
             ("aa", "20", "Amino acid fermentation", "Feed additives plant"),
             ("cem", "23", "Cement works", "Cement plant")]
    got = _receivers(sites, [("mill", "Dextrose")])
    assert set(got["Dextrose"]) == {"pla", "aa"}


def test_a_fermentation_plant_of_the_chemical_class_takes_sugars_and_no_plastic_waste():
    pla = {n.class_key: n.weight for n in infer_needs("20.16", "PLA bioplastics plant")}
    assert pla["molasses"] >= 0.8
    assert not [k for k in pla if k.startswith(("plastic", "pet_", "hdpe", "ldpe", "pp_"))]
    lysine = {n.class_key: n.weight for n in infer_needs("20.14", "Lysine production")}
    assert lysine["molasses"] >= 0.8 and "ammonia" in lysine


def test_circuit_boards_and_spent_catalysts_go_to_a_precious_metals_refinery():
    sites = [("weee", "38", "WEEE dismantling", "Electronics recycler"),
             ("cat", "46", "Spent catalyst collection", "Catalyst collector"),
             ("pm", "24", "Precious metals smelter and refinery", "Metals refinery"),
             ("gyp", "23", "Plasterboard manufacturing", "Plasterboard plant")]
    got = _receivers(sites, [("weee", "Printed circuit boards"), ("cat", "Spent car catalysts")])
    assert got["Printed circuit boards"] == ["pm"]
    assert got["Spent car catalysts"] == ["pm"]


def test_steam_of_a_waste_to_energy_plant_goes_to_a_vacuum_salt_works():
    sites = [("wte", "38", "Waste-to-energy plant", "Incinerator"),
             ("salt", "08", "Vacuum salt production", "Salt works"),
             ("wh", "52", "Warehouse", "Logistics hub")]
    got = _receivers(sites, [("wte", "Steam")])
    assert got["Steam"] == ["salt"]


def test_activity_words_of_the_round_name_their_nace_class():
    assert naf.activity_to_naf("Hydrogen liquefaction")[0][0] == "20.11"
    assert naf.activity_to_naf("Polylactic acid production")[0][0] == "20.16"
    assert "24.41" in [c for c, _ in naf.activity_to_naf("Precious metals refinery")]
    assert naf.activity_to_naf("Lysine plant")[0][0] == "20.14"
