"""Scalar breakdown: explicit gaps, provenance on every term, routes and overrides."""

import json

import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.impact.factors import load_tables


def test_missing_factor_gives_explicit_not_computable():
    b = exchange_breakdown("copper_scrap", 10, "t", 20, baseline_route="landfill")
    assert b.co2e_avoided_t is None
    # the missing factor is named in words, never by its key
    assert "cuivre" in str(b.reasons["co2e_avoided_t"]).lower() and "primary_copper" not in str(b.reasons["co2e_avoided_t"])
    assert "copper" in b.reasons["co2e_avoided_t"].render(language="en").lower()
    assert b.breakeven_distance_km is None and b.reasons["breakeven_distance_km"]
    virgin = next(t for t in b.terms if t.name == "virgin_avoided")
    assert virgin.value is None and virgin.reason
    # what is known is still given
    assert b.tonnes_diverted == 10


def test_class_without_recipe_reports_its_reason():
    b = exchange_breakdown("tyres", 10, "t", 20)
    assert b.co2e_avoided_t is None
    reason = b.reasons["co2e_avoided_t"]
    assert reason.code == "impact.no-recipe" and str(reason).startswith("aucune recette de substitution")
    assert "closed-loop" in reason.params["detail"]  # the table's cited explanation, kept as a detail
    assert "closed-loop" in b.to_dict()["reason_details"]["co2e_avoided_t"]
    assert b.virgin_avoided_t is None


def test_every_term_carries_its_source_row():
    b = exchange_breakdown("pet", 12, "t", 30)
    for t in b.terms:
        assert t.factor_id and t.source and t.unit and t.vintage
    d = b.to_dict()
    json.dumps(d)
    assert d["terms"][0]["factor_id"] == "19_505_5140_15_1"


def test_baseline_route_changes_disposal_term():
    landfill = exchange_breakdown("cardboard", 100, "t", 10, baseline_route="landfill")
    incineration = exchange_breakdown("cardboard", 100, "t", 10, baseline_route="incineration")
    assert landfill.co2e_avoided_t > incineration.co2e_avoided_t
    unknown = exchange_breakdown("cardboard", 100, "t", 10, baseline_route="anaerobic_digestion")
    why = str(unknown.reasons["co2e_avoided_t"])
    assert unknown.co2e_avoided_t is None and "méthanisation" in why.lower() and "anaerobic_digestion" not in why


def test_transport_reduces_gain_and_breakeven_is_where_it_vanishes():
    b = exchange_breakdown("glass_cullet", 50, "t", 10, baseline_route="landfill")
    at_breakeven = exchange_breakdown("glass_cullet", 50, "t", b.breakeven_distance_km, baseline_route="landfill")
    assert at_breakeven.co2e_avoided_t == pytest.approx(0, abs=1e-9)
    beyond = exchange_breakdown("glass_cullet", 50, "t", b.breakeven_distance_km * 1.1, baseline_route="landfill")
    assert beyond.co2e_avoided_t < 0


def test_rail_beats_road():
    road = exchange_breakdown("steel_scrap", 100, "t", 300, mode="road", baseline_route="D1")
    rail = exchange_breakdown("steel_scrap", 100, "t", 300, mode="rail", baseline_route="D1")
    assert rail.co2e_avoided_t > road.co2e_avoided_t
    assert rail.breakeven_distance_km > road.breakeven_distance_km


def test_cost_saving_terms():
    b = exchange_breakdown("steel_scrap", 10, "t", 100, baseline_route="landfill")
    names = {t.name: t for t in b.cost_terms}
    assert set(names) == {"avoided_disposal_fee", "avoided_purchase", "processing_cost", "transport_cost"}
    assert b.eur_saved == pytest.approx(sum(t.value for t in b.cost_terms))
    assert names["transport_cost"].value < 0 < names["avoided_purchase"].value


def test_verified_basis_is_kept():
    b = exchange_breakdown("pet", 1, "t", 1, basis="verified")
    assert b.basis == "verified"
    with pytest.raises(ValueError):
        exchange_breakdown("pet", 1, "t", 1, basis="guessed")


def test_drop_in_factor_folder_overrides_shipped_values(tmp_path):
    """A territory can load ADEME-style rows with the same columns and re-run."""
    (tmp_path / "factors_ademe.csv").write_text(
        "factor_id,category,item,variant,unit,kgco2e_per_unit,source,vintage,geography,licence\n"
        "ADEME_PET_VIRGIN,material_primary,PET,,t,2000,ADEME Base Empreinte (test value),2024,FR,\n",
        encoding="utf-8")
    (tmp_path / "recipes.csv").write_text(
        "material_key,replaces_key,substitution_ratio,processing_factor_id,virgin_factor_id,"
        "disposal_factor_id,source,note\n"
        "pet,virgin_plastics,1.0,19_505_5143_15_1,ADEME_PET_VIRGIN,20_505_5418_15_1,ADEME,\n",
        encoding="utf-8")
    tables = load_tables(extra_dirs=(tmp_path,))
    b = exchange_breakdown("pet", 1, "t", 0, tables=tables)
    virgin = b.terms[0]
    assert virgin.factor_id == "ADEME_PET_VIRGIN" and virgin.geography == "FR"
    assert b.co2e_avoided_t == pytest.approx((2000 + 8.98311 - 2213.90131) / 1000)
