"""The knowledge base: every rule sourced and well-formed; activities resolve; inferences a
facilitator would expect; hazardous waste only to sites that may receive it."""

import csv
import re
from pathlib import Path

import pytest

from boucle.materials.taxonomy import class_index
from boucle.matching.knowledge.infer import (
    hazardous_rules, classes_of, infer_needs, infer_outputs, input_rules, may_receive_hazardous, output_rules, site_codes,
)
from boucle.matching.knowledge.naf import activity_to_naf, nace_titles, name_to_naf, normalise_naf

KNOW = Path(__file__).resolve().parents[1] / "knowledge"


def _keys(needs):
    return {n.class_key for n in needs}


@pytest.mark.parametrize("rules", [input_rules, output_rules])
def test_every_rule_cites_a_source_and_names_an_existing_class_and_nace_code(rules):
    classes, nace = class_index(), nace_titles()
    ids = [r.rule_id for r in rules()]
    assert len(ids) == len(set(ids)) and len(ids) > 50
    for r in rules():
        assert r.class_key in classes, r
        assert r.naf_prefix in nace, r
        assert 0 < r.weight <= 1, r
        assert len(r.source) > 10 and re.search(r"NACE|EWC|BREF|Regulation|Directive|\d{4}", r.source), r


def test_hazardous_receivers_are_sourced_and_valid():
    classes, nace = class_index(), nace_titles()
    for prefix, keys, source in hazardous_rules():
        assert prefix in nace and len(source) > 10
        assert keys is None or keys <= set(classes)


def test_input_rules_cover_the_consuming_divisions():
    divisions = {r.naf_prefix[:2] for r in input_rules()}
    for d in ("01", "10", "11", "16", "17", "19", "20", "22", "23", "24", "25", "35", "36", "37", "38", "41", "42"):
        assert d in divisions


@pytest.mark.parametrize("text, code", [
    ("brick works", "23.32"), ("briqueterie", "23.32"), ("dairy", "10.51"), ("laiterie", "10.51"),
    ("sawmill", "16.10"), ("scierie", "16.10"), ("glass container plant", "23.13"), ("cimenterie", "23.51"),
    ("Cement plant", "23.51"), ("centrale thermique", "35.11"), ("serre maraîchère", "01.13"),
    ("refinery", "19.20"), ("steelworks", "24.10"), ("a large brick works near Lille", "23.32"),
])
def test_activity_phrases_resolve(text, code):
    assert activity_to_naf(text)[0][0] == code


def test_unseen_phrases_fall_back_on_the_nace_notes_with_lower_confidence():
    code, conf = activity_to_naf("tomato growing")[0]
    assert code == "01.13" and conf <= 0.6
    assert activity_to_naf("manufacture of slag wool insulation")[0][0] == "23.99"
    assert activity_to_naf("") == [] and activity_to_naf(None) == []


@pytest.mark.parametrize("raw, code", [("23", "23"), ("23.5", "23.5"), ("23.51", "23.51"), ("23.51Z", "23.51"),
                                       ("2351", "23.51"), ("235", "23.5"), ("2351*", "23.51"), ("", None)])
def test_naf_codes_at_any_level(raw, code):
    assert normalise_naf(raw) == code


def test_cement_plant_takes_fly_ash_slag_gypsum_and_alternative_fuels():
    for needs in (infer_needs("23.51Z", None), infer_needs(None, "cimenterie"), infer_needs("2351", "")):
        keys = _keys(needs)
        assert {"fly_ash", "blast_furnace_slag", "fgd_gypsum", "refuse_derived_fuel", "tyres"} <= keys
    best = {n.class_key: n for n in infer_needs("23.51", None)}
    assert best["fly_ash"].weight >= 0.9 and "CLM" in best["fly_ash"].source


def test_other_expected_inferences():
    assert {"waste_heat_low", "co2_gas"} <= _keys(infer_needs(None, "greenhouse"))
    assert {"paper", "cardboard", "steam"} <= _keys(infer_needs("17.12", None))
    assert {"animal_feed", "brewers_spent_grain", "manure", "compost"} <= _keys(infer_needs("01", None))
    assert {"fgd_gypsum", "virgin_gypsum"} <= _keys(infer_needs(None, "plasterboard plant"))
    assert "co2_gas" not in _keys(infer_needs("23.51", None))


def test_a_division_code_alone_gives_its_typical_needs_weighted_by_how_many_classes_take_them():
    division = {n.class_key: n.weight for n in infer_needs("23", None)}
    classes = classes_of("23")
    assert len(classes) > 20 and all(c.startswith("23.") and len(c) == 5 for c in classes)
    per_class = [{n.class_key: n.weight for n in infer_needs(c, None)} for c in classes]
    for key in ("fly_ash", "clay", "natural_gas"):
        assert division[key] == pytest.approx(sum(d.get(key, 0.0) for d in per_class) / len(classes), abs=1e-3)
    # what one class of the division takes counts for its share, not for half its weight
    assert 0 < division["clay"] < 0.5 * max(d.get("clay", 0.0) for d in per_class)
    group = {n.class_key: n.weight for n in infer_needs("23.3", None)}
    assert group["clay"] > division["clay"]  # every class of group 23.3 (clay products) takes clay


@pytest.mark.parametrize("code", ["23", "23.3", "23.32", "2332Z"])
def test_a_partial_code_confirms_the_class_the_words_name(code):
    """A brick works declared in division 23 (or group 23.3) is a brick works: its needs are those
    of class 23.32 read from the words, not the average of every mineral-products class."""
    words_only = {n.class_key: n.weight for n in infer_needs(None, "Production of bricks")}
    both = {n.class_key: n.weight for n in infer_needs(code, "Production of bricks")}
    assert both["clay"] >= words_only["clay"] > 0.8
    # the brick works' needs, each at least as sure; none of the cement works' (limestone)
    assert set(both) == set(words_only) and all(both[k] >= words_only[k] for k in both)
    assert "limestone" not in both
    assert dict(site_codes(code, "Production of bricks"))["23.32"] >= 0.9


def test_words_outside_the_declared_division_give_way_to_those_inside():
    codes = dict(site_codes("23", "brick works and sawmill"))
    assert "23.32" in codes and "16.10" not in codes
    # words that the code contradicts entirely stay, discounted
    codes = dict(site_codes("10.51", "brewery"))
    assert codes["10.51"] == 1.0 and 0 < codes["11.05"] < 1.0


def test_declared_code_outweighs_words_and_both_count():
    codes = dict(site_codes("10.51", "brewery"))
    assert codes["10.51"] == 1.0 and 0 < codes["11.05"] < 1.0


def test_outputs_from_ewc_chapters():
    assert {"fly_ash", "bottom_ash", "fgd_gypsum"} <= _keys(infer_outputs("35.11", None))
    assert "blast_furnace_slag" in _keys(infer_outputs(None, "steelworks"))


def test_hazardous_waste_only_to_sites_that_may_receive_it():
    assert may_receive_hazardous("38.22Z", None)
    assert may_receive_hazardous(None, "cement plant")
    assert not may_receive_hazardous("10.51", None)
    assert not may_receive_hazardous(None, "greenhouse")
    assert not may_receive_hazardous(None, None)
    assert may_receive_hazardous("25.61", None, "hydrochloric_acid")
    assert not may_receive_hazardous("25.61", None, "spent_solvents_halogenated")


def test_no_company_name_of_the_development_or_check_sets_appears_in_the_knowledge_base():
    with (KNOW / "eval" / "maestri_exchanges_dev.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = {r[c].strip() for r in rows for c in ("provider_company", "receiver_company")} - {""}
    assert len(names) > 20
    with (KNOW / "eval" / "literature_check.csv").open(encoding="utf-8") as fh:
        check = list(csv.DictReader(fh))
    check_names = {r[c].strip() for r in check
                   for c in ("Company name - Providing industry", "Company name - Receiving industry")} - {""}
    assert len(check_names) > 40
    names |= check_names
    for short in ("process_check.csv", "heavy_check.csv", "codes_check.csv"):
        with (KNOW / "eval" / short).open(encoding="utf-8") as fh:
            names |= {r[c].strip() for r in csv.DictReader(fh) for c in ("provider_company", "receiver_company")} - {""}
    text = "\n".join(p.read_text(encoding="utf-8").lower() for p in sorted((KNOW / "data").glob("*.csv"))
                     if p.name != "nace_rev2_notes.csv")
    text += "\n".join(p.read_text(encoding="utf-8").lower() for p in sorted(KNOW.glob("*.py")))
    found = [n for n in names if re.search(rf"\b{re.escape(n.lower())}\b", text)]
    assert found == []


def test_class_substitutes_are_sourced_weaker_than_identity_and_valid():
    from boucle.matching.knowledge.infer import class_substitutes

    classes = class_index()
    subs = class_substitutes()
    assert len(subs) > 30
    for offer, need, weight in subs:
        assert offer in classes and need in classes and offer != need
        assert 0 < weight <= 1


def test_a_plasterboard_plant_takes_gypsum_but_not_the_concrete_inputs_of_its_group():
    plaster = _keys(infer_needs("23.62", None))
    concrete = _keys(infer_needs("23.61", None))
    assert {"fgd_gypsum", "gypsum_waste"} <= plaster
    assert not {"fly_ash", "natural_aggregates", "concrete_rubble", "foundry_sand"} & plaster
    assert {"fly_ash", "natural_aggregates", "concrete_rubble"} <= concrete


def test_exclusions_are_sourced_and_name_existing_classes_and_codes():
    from boucle.matching.knowledge.infer import input_exclusions

    classes, nace = class_index(), nace_titles()
    assert input_exclusions()
    for prefix, keys in input_exclusions().items():
        assert prefix in nace and keys <= set(classes)
    with (KNOW / "data" / "activity_exclusions.csv").open(encoding="utf-8") as fh:
        assert all(re.search(r"NACE|EN \d", r["source"]) for r in csv.DictReader(fh))


@pytest.mark.parametrize("text, code", [
    ("Sulphuric acid production", "20.13"), ("Titanium dioxide pigment plant", "20.12"),
    ("Nylon and synthetic fibre plant", "20.60"), ("CO2 recovery plant", "20.11"), ("Gypsum board producer", "23.62"),
    ("Desalination plant", "36.00"), ("Maltings", "11.06"), ("Metal finishing", "25.61"), ("Coking plant", "19.10"),
    ("Plastering contractor", "43.31"), ("Fire protection", "84.25"),
])
def test_trade_phrases_of_other_parks_resolve(text, code):
    assert activity_to_naf(text)[0][0] == code


def test_utilities_and_water_reach_the_heavy_industries_that_take_them():
    assert "water_treated_wastewater" in _keys(infer_needs("19.20", None))
    assert "water_cooling" in _keys(infer_needs("35.11", None))
    assert "electricity" in _keys(infer_needs(None, "chlor-alkali plant"))
    assert "fertiliser_mineral" in _keys(infer_needs("01.50", None))


def test_a_recycler_that_names_its_material_takes_that_family_only():
    plastics = _keys(infer_needs("38.32", "Plastics recycler"))
    assert {"mixed_plastics", "pet", "ldpe_film"} <= plastics
    assert not {"glass_cullet", "steel_scrap", "textiles", "concrete_rubble"} & plastics
    assert {"concrete_rubble", "construction_demolition_mixed"} <= _keys(infer_needs("38.32", "Aggregates recycling"))
    # An unspecified recycler still takes any recyclable.
    assert {"glass_cullet", "steel_scrap", "mixed_plastics"} <= _keys(infer_needs("38.32", "Recycling company"))


def test_fish_waste_reaches_fishmeal_and_straight_fertilisers_reach_fertiliser_blenders():
    assert "fish_waste" in _keys(infer_needs(None, "Fishmeal plant"))
    assert "fertiliser_mineral" in _keys(infer_needs("20.15", None))
    assert "tyres" in _keys(infer_needs(None, "artificial turf and sports surfaces"))


def test_salt_works_take_brine_and_bus_fleets_biomethane():
    assert "salt_brine" in _keys(infer_needs(None, "Salt works (salt pans)"))
    assert "biomethane" in _keys(infer_needs(None, "Public bus transport"))
    assert activity_to_naf("Biodiesel producer")[0][0] == "20.59"
    # A wholesaler of spirits is not a distillery.
    assert "11.01" not in dict(activity_to_naf("Alcohol distributor"))


@pytest.mark.parametrize("name,activity,expected", [
    # a sector word inside a place name names a town, not the site's trade
    ("Raffinerie ExxonMobil Port-Jérôme", "19.20", "52.22"),
    ("Port Talbot Steelworks", "24.10", "52.22"),
    ("PORT TALBOT STEELWORKS", "24.10", "52.22"),
    ("Fonderie de Forges-les-Eaux", "24.5", "25.50"),
    ("Cimenterie de Port-la-Nouvelle", "23.51", "52.22"),
])
def test_a_sector_word_inside_a_place_name_is_not_read_as_the_activity(name, activity, expected):
    codes = [code for code, _ in name_to_naf(name)]
    assert codes and codes[0].startswith(activity)
    assert not any(code.startswith(expected) for code in codes)


@pytest.mark.parametrize("name", ["Port of Antwerp", "Port autonome de Rouen", "Grand Port Maritime de Marseille",
                                  "Port Authority of New York"])
def test_a_port_that_is_the_activity_is_still_read_as_a_port(name):
    assert "52.22" in [code for code, _ in name_to_naf(name)]


def test_lower_case_compounds_are_words_not_places():
    assert name_to_naf("Coal-fired power station")[0][0] == "35.11"
    assert name_to_naf("Chlor-alkali plant")[0][0] == "20.13"


def test_a_power_station_that_names_its_process_takes_only_what_that_process_burns():
    nuclear = _keys(infer_needs("35", "Nuclear power station"))
    assert "water_cooling" in nuclear
    assert not {"coal", "natural_gas", "fuel_gas", "biomass_wood_chips", "refuse_derived_fuel"} & nuclear
    ccgt = _keys(infer_needs("35", "Gas-fired combined-cycle power plant"))
    assert {"natural_gas", "fuel_gas", "water_cooling"} <= ccgt
    assert not {"coal", "biomass_wood_chips", "refuse_derived_fuel", "petroleum_coke"} & ccgt
    # a coal or unspecified station co-fires biomass and fuel gas: every fuel stays
    assert {"coal", "biomass_wood_chips", "fuel_gas"} <= _keys(infer_needs("35", "Coal-fired power station"))
    assert {"coal", "natural_gas"} <= _keys(infer_needs("35.11", "Power plant"))


@pytest.mark.parametrize("activity", ["Cattle feed production", "Poultry feed production", "Fish feed producer"])
def test_a_feed_named_by_its_animal_is_a_feed_maker_not_a_farm(activity):
    # NACE 10.91 (prepared feeds for farm animals): such a site takes feed materials; sawdust only as a
    # boiler fuel of any food plant, not as the bedding of a farm
    codes = dict(site_codes(None, activity))
    assert codes.get("10.91", 0) >= 0.8 and not any(c.startswith(("01.4", "03.2", "10.20")) for c in codes)
    needs = {n.class_key: n.weight for n in infer_needs(None, activity)}
    assert needs.get("molasses", 0) >= 0.5 and needs.get("sawdust_shavings", 0) <= 0.3
    assert any(c.startswith(("01.4", "03.2")) for c, _ in site_codes(None, activity.split()[0] + " farm"))


def test_every_knowledge_table_row_has_its_header_s_columns():
    """A comma left unquoted in a source (« coal, petcoke, fuel oil ») shifts a row's columns: the reader then
    drops the end of the source, or worse, reads a source word as a weight. Every row of every knowledge and
    materials table has exactly the columns of its header."""
    import csv
    from pathlib import Path

    import boucle

    root = Path(boucle.__file__).parent
    tables = sorted((root / "matching" / "knowledge" / "data").glob("*.csv")) + sorted(
        (root / "materials" / "data").glob("*.csv"))
    assert len(tables) > 10
    wrong = []
    for path in tables:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
        width = len(rows[0])
        wrong += [(path.name, i + 2, len(row)) for i, row in enumerate(rows[1:]) if len(row) != width]
    assert not wrong, wrong[:10]
