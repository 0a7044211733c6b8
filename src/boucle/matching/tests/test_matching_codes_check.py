"""Coded-sites check set (knowledge/eval/codes_check.csv) and the process scopes written in its round
(knowledge/data/process_scopes.csv): a site whose words name its process inside a broad NACE class
takes what that process uses, and the receivers a user sees follow."""

import argparse
import csv
import json
import re
from functools import partial
from pathlib import Path

from boucle.matching import command_evaluate
from boucle.matching.evaluate import CODES_CSV, read_rows
from boucle.matching.knowledge.infer import infer_needs, process_scopes
from boucle.matching.knowledge.naf import nace_titles
from boucle.matching.tests.parks import receivers_by_label
from boucle.materials.taxonomy import class_index, load_classes

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "data"


def test_the_codes_check_set_loads_with_a_code_a_source_and_a_partner_in_its_park():
    rows = read_rows(CODES_CSV)
    cases = {r["case"] for r in rows}
    assert len(cases) >= 20
    exchanges = [r for r in rows if r["waste_description"].strip()]
    assert len(exchanges) >= 50
    with CODES_CSV.open(encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    assert all(r["reference"].strip() for r in raw)
    assert all(re.fullmatch(r"\d{4}", r["provider_nace"]) for r in raw)
    assert all(re.fullmatch(r"\d{4}", r["receiver_nace"]) for r in raw if r["waste_description"].strip())


def test_boucle_evaluate_codes_prints_metrics_with_their_baselines(capsys):
    ap = argparse.ArgumentParser()
    command_evaluate.register(ap.add_subparsers())
    args = ap.parse_args(["evaluate", "codes", "--case", "404", "--case", "408", "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"] == "codes" and set(out["cases"]) == {"404", "408"}
    assert {"f1", "precision", "recall"} <= set(out["pooled"])
    assert out["baselines"]["everyone_to_everyone"]["recall"] == 1.0
    assert set(out["baselines"]["random_ranking"]) == {"map", "recall_at_3"}
    assert "leave_one_case_out" in out


def test_every_process_scope_is_sourced_and_names_existing_classes_and_codes():
    classes, nace = class_index(), nace_titles()
    scopes = process_scopes()
    assert len(scopes) >= 10
    with (DATA / "process_scopes.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        assert r["naf_prefix"] in nace, r
        assert re.search(r"BREF|NACE", r["source"]), r
        groups = {c.group for c in load_classes()}
        states = {c.physical_state for c in load_classes()}
        for item in r["keeps"].split():
            item = item.lstrip("-")
            if item.startswith("group:"):
                assert item[6:] in groups, item
            elif item.startswith("state:"):
                assert item[6:] in states, item
            elif item == "*":  # every class: the row only raises the weight of what it takes
                assert r["takes"].strip(), r
            else:
                assert item in classes, item
        for item in r["takes"].split():
            key, weight = item.split(":")
            assert key in classes and 0 < float(weight) <= 1, item
    assert all(s.phrases and s.keeps for s in scopes)


def _needs(code, activity):
    return {n.class_key: n.weight for n in infer_needs(code, activity)}


def test_a_fermentation_ethanol_plant_takes_sugars_not_cracker_feedstocks():
    ethanol = _needs("20", "Bioethanol plant")
    assert ethanol["molasses"] >= 0.9 and ethanol["steam"] > 0.7
    assert not {"naphtha", "ethylene", "hydrogen", "chlorine", "syngas", "fuel_gas"} & set(ethanol)
    # an oxidation plant of the same class keeps them
    assert {"ethylene", "oxygen"} <= set(_needs("20", "Ethylene oxide plant"))


def test_a_fish_farm_takes_warm_water_but_no_co2_and_an_algae_pond_takes_co2():
    assert "co2_gas" not in _needs("03", "Salmon smolt hatchery")
    assert "waste_heat_low" in _needs("03", "Salmon smolt hatchery")
    assert "co2_gas" in _needs("03", "Algae ponds")


_receivers = partial(receivers_by_label, at=(40.0, -8.0, 0.003))


def test_in_a_chemical_complex_each_gas_goes_to_the_plant_whose_process_takes_it():
    # NACE divisions only, as held-out cases are described; the words name the processes.
    sites = [("gas", "20", "Industrial gases (hydrogen and carbon monoxide)", "Gases plant"),
             ("ani", "20", "Aniline production", "Aniline plant"),
             ("mdi", "20", "MDI (isocyanates) production", "Isocyanates plant"),
             ("pvc", "20", "PVC production", "PVC plant"),
             ("cl", "20", "Chlor-alkali electrolysis", "Chlorine plant")]
    got = _receivers(sites, [("gas", "Carbon monoxide"), ("gas", "Hydrogen"), ("cl", "Chlorine")])
    assert got["Carbon monoxide"] == ["mdi"]           # phosgene for the isocyanates plant
    assert got["Hydrogen"][0] == "ani" and "pvc" not in got["Hydrogen"]  # nitrobenzene hydrogenation
    assert got["Chlorine"][0] == "mdi"


def test_olefins_go_to_their_derivative_plants_and_not_back_to_a_cracker():
    sites = [("ref", "19", "Oil refinery", "Refinery"), ("crk", "20", "Naphtha cracker (olefins)", "Cracker"),
             ("eo", "20", "Ethylene oxide and glycols", "Glycols plant"),
             ("acn", "20", "Acrylonitrile production", "Acrylonitrile plant"),
             ("cap", "20", "Caprolactam production", "Caprolactam plant")]
    got = _receivers(sites, [("crk", "Ethylene"), ("crk", "Propylene"), ("ref", "Naphtha")])
    assert got["Ethylene"][0] == "eo" and "cap" not in got["Ethylene"]
    assert got["Propylene"][0] == "acn" and "cap" not in got["Propylene"]
    assert got["Naphtha"] == ["crk"]


def test_steelworks_gas_goes_to_the_power_station_not_to_the_ethanol_plant_or_the_other_steel_plant():
    sites = [("steel", "24", "Integrated steelworks", "Steelworks"),
             ("bof", "24", "Steel plant (basic oxygen steelmaking)", "Steel plant"),
             ("pow", "35", "Steel gas power plant", "Power plant"),
             ("eth", "20", "Bioethanol plant", "Ethanol plant"),
             ("sug", "10", "Sugar factory", "Sugar factory")]
    got = _receivers(sites, [("steel", "Blast furnace gas"), ("sug", "Molasses")])
    assert got["Blast furnace gas"] == ["pow"]
    assert got["Molasses"][0] == "eth"


def test_a_pulp_mill_s_pulp_goes_to_the_board_mill_and_the_cellulose_ethers_plant():
    sites = [("pulp", "17", "Kraft pulp mill", "Pulp mill"), ("board", "17", "Folding boxboard mill", "Board mill"),
             ("cmc", "20", "Carboxymethyl cellulose production", "CMC plant"),
             ("bio", "35", "Biogas plant", "Biogas plant")]
    got = _receivers(sites, [("pulp", "Pulp")])
    assert set(got["Pulp"][:2]) == {"board", "cmc"}


def test_the_held_out_protocol_runs_the_codes_set_at_group_level_park_by_park():
    import importlib.util

    root = Path(__file__).resolve().parents[4]
    spec = importlib.util.spec_from_file_location("heldout_protocol", root / "scripts" / "heldout_protocol.py")
    protocol = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(protocol)
    res, details = protocol.run_protocol("codes", describe="codes", level="group", cases=["404", "408"])
    assert res["cross_park_proposals"] == 0
    assert {s["naf_code"] for s in details["sites"]} <= {"24.1", "35.1", "35.3", "23.5", "20.1"}
    assert res["pooled"]["f1"] > res["baselines"]["everyone_to_everyone"]["f1"]
