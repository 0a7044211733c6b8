"""The class table is the shared vocabulary of impact and matching: its shape must not drift."""
import csv
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"

ROLES = {"by_product", "virgin", "utility", "product", "equipment"}
KINDS = {"material", "energy", "water", "equipment", "service"}
STATES = {"solid", "liquid", "gas", "sludge", "energy", ""}


def _rows():
    with open(DATA / "classes.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_classes_have_unique_snake_case_keys_and_valid_enums():
    rows = _rows()
    assert 150 <= len(rows) <= 300
    keys = [r["key"] for r in rows]
    assert len(set(keys)) == len(keys)
    for r in rows:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", r["key"]), r["key"]
        assert r["role"] in ROLES, r
        assert r["kind"] in KINDS, r
        assert r["physical_state"] in STATES, r
        assert r["hazardous_possible"] in {"true", "false"}, r
        assert r["label_fr"] and r["label_en"], r
        if r["physical_state"] == "":
            assert r["kind"] == "service", r


def test_densities_are_plausible_and_sourced():
    for r in _rows():
        if r["density_t_per_m3"]:
            assert 0.005 < float(r["density_t_per_m3"]) < 8.0, r
            assert r["density_source"], r
        else:
            assert not r["density_source"], r


def test_keys_other_domains_rely_on_exist():
    keys = {r["key"] for r in _rows()}
    for k in ("fly_ash", "bottom_ash", "blast_furnace_slag", "steel_slag", "fgd_gypsum",
              "steel_scrap", "aluminium_scrap", "copper_scrap", "pet", "hdpe", "mixed_plastics",
              "cardboard", "paper", "wood_untreated", "wood_pallets", "glass_cullet", "food_waste",
              "brewers_spent_grain", "whey", "manure", "sewage_sludge", "paper_sludge",
              "spent_solvents", "waste_oil", "spent_pickling_acid", "spent_sulphuric_acid",
              "construction_demolition_mixed", "concrete_rubble", "soil_stones", "tyres",
              "textiles", "waste_heat_low", "waste_heat_medium", "steam", "water_process",
              "water_treated_wastewater", "water_cooling", "co2_gas", "hydrogen", "oxygen",
              "nitrogen", "fuel_gas", "biogas", "sulphuric_acid", "caustic_soda", "ammonia",
              "hydrochloric_acid", "lime", "limestone", "clinker", "cement", "sand",
              "natural_aggregates", "virgin_gypsum", "primary_steel", "biomass_wood_chips",
              "ethanol", "enzymes", "animal_feed", "compost", "digestate",
              "refuse_derived_fuel", "idle_machine"):
        assert k in keys, k


def test_labels_are_unique_per_language_so_a_picker_can_show_them():
    rows = _rows()
    for column in ("label_fr", "label_en"):
        labels = [r[column].lower() for r in rows]
        assert len(set(labels)) == len(labels), column
