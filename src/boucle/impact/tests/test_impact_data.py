"""Shipped factor data: coverage of the taxonomy and the pinned default method."""

import csv

from boucle.impact.factors import MATERIALS_CLASSES, MODE_FACTOR_IDS, NONE_ID, default_tables


def test_every_material_class_has_a_recipe_or_a_reason():
    tables = default_tables()
    with MATERIALS_CLASSES.open(encoding="utf-8") as fh:
        keys = [r["key"] for r in csv.DictReader(fh)]
    assert keys, "boucle.materials classes.csv is empty"
    uncovered = [k for k in keys if k not in tables.materials]
    assert not uncovered, f"classes without an impact mapping: {uncovered}"
    for k in keys:
        has_recipe = bool(tables.recipes.get(k))
        reason = tables.materials[k].no_recipe_reason.strip()
        assert has_recipe != bool(reason), f"{k}: needs exactly one of a recipe or a no_recipe_reason"


def test_recipe_factor_ids_exist_or_are_explicitly_missing():
    tables = default_tables()
    for key, recipes in tables.recipes.items():
        assert key in tables.materials, f"recipe for unknown class {key}"
        for r in recipes:
            assert r.substitution_ratio > 0
            for fid in (r.virgin_factor_id, r.processing_factor_id, r.disposal_factor_id):
                if fid:
                    assert fid in tables.factors, f"{key}: unknown factor id {fid}"
                else:
                    assert "not computable" in r.note, f"{key}: a blank factor id must be explained"
    for info in tables.materials.values():
        for route, fid in info.disposal_factor_ids.items():
            assert fid in tables.factors, f"{info.key}/{route}: unknown factor id {fid}"


def test_pinned_method_rows():
    """Virgin = DESNZ primary row, processing = closed-loop row, disposal = landfill by default."""
    tables = default_tables()
    for key, recipes in tables.recipes.items():
        r = recipes[0]
        v, p = tables.factor(r.virgin_factor_id), tables.factor(r.processing_factor_id)
        if v is not None and v.source.startswith("UK DESNZ") and v.category.startswith("material"):
            assert v.category == "material_primary", key
            # soil used as fill: quarried aggregate replaced, DESNZ 'Soils' closed-loop processing
            assert p is not None and (p.item == v.item or key == "soil_stones"), key
            # the one documented exception: DESNZ has no closed-loop row for wood
            assert p.category == ("material_reused" if v.item == "Wood" else "material_closed_loop"), key
        info = tables.materials[key]
        d = tables.factor(r.disposal_factor_id)
        if info.baseline_route == "landfill" and d is not None:
            assert d.variant == "landfill", key
    road = tables.factors[MODE_FACTOR_IDS["road"]]
    assert road.item == "HGV (all diesel) / All HGVs" and road.variant == "Average laden"
    assert road.unit == "t.km"


def test_factor_rows_carry_source_and_vintage():
    for f in default_tables().factors.values():
        if f.factor_id == NONE_ID:
            continue
        assert f.source and f.vintage and f.geography and f.unit, f.factor_id
