"""Every EWC code must land on a class, and the classes must make sense to a waste expert."""
import pytest

from boucle.materials.classify import class_for_ewc, normalise_ewc
from boucle.materials.taxonomy import ewc_table, get_class, load_classes


def test_all_842_codes_map_to_existing_classes():
    table = ewc_table()
    keys = {c.key for c in load_classes()}
    assert len(table) == 842
    assert sum(1 for _, haz, _ in table.values() if haz) == 408
    assert {key for key, _, _ in table.values()} <= keys


def test_hazardous_codes_map_to_classes_that_can_be_hazardous():
    bad = [(code, key) for code, (key, haz, _) in ewc_table().items()
           if haz and not get_class(key).hazardous_possible]
    assert not bad


def test_every_mapping_says_how_it_was_decided():
    methods = {m.split(":")[0] for _, _, m in ewc_table().values()}
    assert methods <= {"manual", "keyword", "section", "chapter"}


@pytest.mark.parametrize("code,key", [
    ("100101", "bottom_ash"),
    ("100102", "fly_ash"),
    ("100105", "fgd_gypsum"),
    ("100107", "fgd_gypsum"),
    ("100202", "steel_slag"),
    ("100210", "mill_scale"),
    ("170405", "steel_scrap"),
    ("170402", "aluminium_scrap"),
    ("170401", "copper_scrap"),
    ("170101", "concrete_rubble"),
    ("170504", "soil_stones"),
    ("170904", "construction_demolition_mixed"),
    ("150101", "cardboard"),
    ("150103", "wood_pallets"),
    ("191204", "mixed_plastics"),
    ("200108", "food_waste"),
    ("200201", "green_waste"),
    ("130205", "waste_oil"),
    ("110105", "spent_pickling_acid"),
    ("070104", "spent_solvents"),
    ("070103", "spent_solvents_halogenated"),
    ("060101", "spent_sulphuric_acid"),
    ("190805", "sewage_sludge"),
    ("030305", "paper_sludge"),
    ("190112", "incineration_bottom_ash"),
    ("190113", "incineration_fly_ash"),
    ("160103", "tyres"),
    ("120101", "steel_scrap"),
    ("020401", "sugar_beet_soil"),
    ("170605", "asbestos_waste"),
    ("200125", "used_cooking_oil"),
    ("191210", "refuse_derived_fuel"),
    ("160601", "batteries_lead_acid"),
])
def test_expert_spot_checks(code, key):
    assert class_for_ewc(code) == key


@pytest.mark.parametrize("raw", ["170405", "17 04 05", "17 04 05*", " 17.04.05 ", "17-04-05"])
def test_normalise_ewc_accepts_common_spellings(raw):
    assert normalise_ewc(raw) == "170405"


@pytest.mark.parametrize("raw", ["1704", "17 04 5", "abcdef", "17 04 05 01", "", "999999"])
def test_normalise_ewc_rejects_malformed_or_unknown_codes(raw):
    with pytest.raises(ValueError, match="EWC"):
        normalise_ewc(raw)


def test_normalise_ewc_rejects_non_strings():
    with pytest.raises(ValueError):
        normalise_ewc(170405)


def test_shipped_mapping_is_what_the_documented_rules_produce():
    """Re-run the rule set of scripts/build_materials_data.py on the shipped descriptions."""
    import importlib.util
    from pathlib import Path

    from boucle.materials.taxonomy import ewc_descriptions

    script = Path(__file__).resolve().parents[4] / "scripts" / "build_materials_data.py"
    if not script.exists():
        pytest.skip("build script not in this checkout")
    spec = importlib.util.spec_from_file_location("build_materials_data", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for code6, (en, fr) in ewc_descriptions().items():
        key, _, method = ewc_table()[code6]
        assert build.classify_code(code6, build._fold(f"{en} || {fr}")) == (key, method), code6
