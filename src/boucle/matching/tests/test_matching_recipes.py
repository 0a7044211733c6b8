"""Process recipes of heavy industry and utilities (knowledge/data/process_recipes.csv): every row
sourced and well-formed; a recipe says more than its division's rule; a park of heavy-industry
sites described only by the sector words of their names gets the receivers an industrial
ecologist would name, for utilities, gases, commodity chemicals and mineral by-products."""

import csv
import re
from pathlib import Path

import pytest

from boucle.materials.taxonomy import class_index
from boucle.matching.knowledge.infer import infer_needs, input_rules, need_temperature
from boucle.matching.knowledge.naf import activity_to_naf, nace_titles, name_to_naf
from boucle.matching.pipeline import FlowIn, SiteIn, propose

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "data"


def _needs(code=None, activity=None, name=None):
    return {n.class_key: n.weight for n in infer_needs(code, activity, name)}


def test_every_recipe_row_is_sourced_and_names_an_existing_class_and_code():
    with (DATA / "process_recipes.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 300
    classes, nace = class_index(), nace_titles()
    assert len({r["rule_id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["direction"] in ("in", "out"), r
        assert r["class_key"] in classes and r["naf_prefix"] in nace, r
        assert 0 < float(r["weight"]) <= 1, r
        assert re.search(r"BREF|NACE|Regulation|Directive|EN |Chertow|Mortensen", r["source"]), r


def test_a_recipe_overrides_the_broader_rule_of_its_division():
    # Division 20 says "steam is the main energy carrier"; an air-separation plant runs on power.
    gases, cracker = _needs("20.11"), _needs("20.14")
    assert gases.get("steam", 0) < 0.4 < cracker["steam"]
    assert gases["co2_gas"] > 0.8 and gases["electricity"] > 0.7
    assert gases.get("hydrochloric_acid", 0) < 0.2
    # A rule of the recipe table is the one shown to the user as the reason.
    rule = next(n for n in infer_needs("20.14", None) if n.class_key == "steam")
    assert rule.rule_id.startswith("recipe:20.1") and "BREF" in rule.source


@pytest.mark.parametrize("code, classes", [
    ("19.20", {"hydrogen", "steam", "water_demineralised", "nitrogen", "caustic_soda", "sulphuric_acid"}),
    ("20.15", {"ammonia", "sulphuric_acid", "co2_gas", "steam", "natural_gas"}),
    ("23.51", {"fly_ash", "blast_furnace_slag", "fgd_gypsum", "petroleum_coke", "sewage_sludge", "mill_scale"}),
    ("23.62", {"fgd_gypsum", "phosphogypsum", "fuel_gas"}),
    ("24.10", {"oxygen", "nitrogen", "argon", "lime", "steel_scrap"}),
    ("35.11", {"coal", "biomass_wood_chips", "water_cooling", "limestone", "ammonia"}),
    # solid recovered fuel only where the words say the plant burns waste (permit_inputs.csv)
    ("35.11 waste-to-energy", {"coal", "biomass_wood_chips", "refuse_derived_fuel", "water_cooling"}),
    ("35.30", {"steam", "waste_heat_medium", "hot_water", "biomass_wood_chips"}),
    ("37.00", {"wastewater_industrial", "iron_chloride", "methanol"}),
    ("01.13", {"co2_gas", "waste_heat_low", "hot_water"}),
    ("03.21", {"waste_heat_low", "water_cooling", "oxygen"}),
])
def test_heavy_industry_and_utilities_receive_what_their_process_consumes(code, classes):
    code, _, activity = code.partition(" ")
    needs = _needs(code, activity or None)
    assert {k for k in classes if needs.get(k, 0) >= 0.45} == classes


def test_steam_is_served_at_the_pressure_of_the_activity():
    assert need_temperature("19.20", None, "steam") > need_temperature("10.81", None, "steam")
    assert need_temperature("35.30", None, "waste_heat_medium") == 110


@pytest.mark.parametrize("name, code", [
    ("Kwarta Refining", "19.20"), ("Norland Power", "35.11"), ("Estuary Gases", "20.11"),
    ("Les Serres du Nord", "01.13"), ("Westland Greenhouses", "01.13"), ("UIOM de la Vallée", "38.21"),
    ("Harbour Polymers", "20.16"), ("Port Chlor-Alkali", "20.13"), ("Bay Alumina", "24.42"),
    ("Riverside Water", "36.00"), ("Riverside Utilities", "35.30"), ("Valley Brewing", "11.05"),
])
def test_sector_words_of_a_name_give_the_activity(name, code):
    assert name_to_naf(name)[0][0] == code


def test_a_plural_in_e_is_the_same_word():
    assert activity_to_naf("tomato greenhouses")[0] == activity_to_naf("tomato greenhouse")[0]
    assert name_to_naf("Serres de Provence")[0][0] == "01.13"


def _park():
    names = {"ref": "Raffinerie du Port", "pow": "Centrale du Port", "cem": "Cimenterie du Port",
             "steel": "Port Steel Works", "gas": "Port Industrial Gases", "fert": "Port Fertilizers",
             "dh": "Port District Heating", "gh": "Port Greenhouses", "plaster": "Port Plasterboard",
             "wwtp": "Port Wastewater Treatment", "fish": "Port Fish Farm", "office": "Port Business Centre"}
    # sites about 300 m apart, described by their names only (no code, no activity)
    return [SiteIn(sid, 50.0 + i * 0.003, 2.0, None, None, name=n) for i, (sid, n) in enumerate(names.items())]


def test_a_heavy_industry_park_known_by_names_gets_plausible_receivers_at_most_three_each():
    offers = {"pow": ["Steam", "Fly ash", "Gypsum", "Heat", "Warm cooling water"], "ref": ["Hydrogen", "Refinery gas"],
              "fert": ["CO2"], "gas": ["Oxygen"], "steel": ["Blast furnace slag"], "wwtp": ["Treated wastewater"]}
    flows = [FlowIn(f"{s}-{i}", s, "offer", label=label) for s, labels in offers.items() for i, label in enumerate(labels)]
    got: dict[str, set] = {}
    for p in propose(_park(), flows):
        got.setdefault(p.offer_flow_id, set()).add(p.need_site_id)
    assert all(len(v) <= 3 for v in got.values())
    assert "ref" in got["pow-0"]                       # steam to the refinery
    assert "cem" in got["pow-1"]                       # fly ash to the cement works
    assert {"cem", "plaster"} <= got["pow-2"]          # gypsum to the cement works and the plasterboard plant
    assert {"dh", "gh"} & got["pow-3"]                 # heat to district heating or the greenhouses
    assert "fish" in got["pow-4"]                      # warm cooling water to the fish farm
    assert "gh" in got["fert-0"] and "gas" in got["fert-0"]  # CO2 to greenhouses and to the CO2 liquefier
    assert "steel" in got["gas-0"]                     # oxygen to the steelworks
    assert "cem" in got["steel-0"]                     # slag to cement
    assert "pow" in got["ref-1"]                       # refinery gas to the power station
    assert "pow" in got["wwtp-0"]                      # treated wastewater as cooling make-up
    assert not any("office" in v for v in got.values())  # a business centre takes none of this


@pytest.mark.parametrize("name, code", [
    ("Refinería de Huelva", "19.20"), ("Raffineria di Sarroch", "19.20"), ("Raffinaderij Botlek", "19.20"),
    ("Cementeria di Colleferro", "23.51"), ("Kokerei Prosper", "19.10"), ("Kupferhütte Nord", "24.44"),
    ("Soudière de la Meurthe", "20.13"), ("Vapocraqueur du Sud", "20.14"), ("STEU de la Vallée", "37.00"),
    ("Salins de l'Étang", "08.93"), ("Wasserwerk Ost", "36.00"), ("Hochofen 5", "24.10"),
])
def test_sector_words_of_other_languages_give_the_activity(name, code):
    assert name_to_naf(name)[0][0] == code


@pytest.mark.parametrize("activity, code", [
    ("Acrylonitrile production", "20.14"), ("Phenol and cumene production", "20.14"),
    ("Cobalt refining", "24.45"), ("Carbon fibre production", "23.99"), ("Potassium sulphate production", "20.15"),
    ("Hydrogen production (steam methane reforming)", "20.11"), ("Slag grinding plant", "23.51"),
    ("Tall oil refinery", "20.14"), ("Precipitated calcium carbonate plant", "20.13"),
])
def test_heavy_industry_activity_words_are_not_read_as_another_trade(activity, code):
    assert activity_to_naf(activity)[0][0] == code


def test_naphtha_aromatics_bittern_and_fluorine_by_products_reach_their_users():
    sites = [SiteIn("ref", 43.4, 5.0, None, "Oil refinery", "Raffinerie du Golfe"),
             SiteIn("crk", 43.403, 5.0, None, "Steam cracker", "Golfe olefins"),
             SiteIn("phe", 43.406, 5.0, None, "Phenol production", "Golfe phenol"),
             SiteIn("fer", 43.409, 5.0, None, "Phosphate fertiliser plant", "Engrais du Golfe"),
             SiteIn("alf", 43.412, 5.0, None, "Aluminium fluoride and inorganic chemicals", "Golfe fluorides"),
             SiteIn("salt", 43.415, 5.0, None, "Salt works", "Salins du Golfe"),
             SiteIn("bro", 43.418, 5.0, None, "Bromine production", "Golfe bromine"),
             SiteIn("office", 43.421, 5.0, None, "Business centre", "Golfe business centre")]
    offers = {"ref": ["Naphtha", "Benzene"], "fer": ["Fluorosilicic acid"], "salt": ["Bittern"]}
    flows = [FlowIn(f"{s}-{i}", s, "offer", label=label) for s, labels in offers.items() for i, label in enumerate(labels)]
    got: dict[str, set] = {}
    for p in propose(sites, flows):
        got.setdefault(p.offer_flow_id, set()).add(p.need_site_id)
    assert "crk" in got["ref-0"] and "phe" in got["ref-1"]
    assert "alf" in got["fer-0"] and "bro" in got["salt-0"]
    assert not any("office" in v for v in got.values())
