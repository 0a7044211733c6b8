"""Units: declared units reach the same figures; missing density is explicit."""

import csv

import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.impact.factors import MATERIALS_CLASSES, load_tables
from boucle.impact.units import to_base


@pytest.fixture()
def tables(tmp_path):
    """Shipped tables with densities set here, so the test does not depend on the taxonomy's values."""
    with MATERIALS_CLASSES.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["density_t_per_m3"] = {"steel_scrap": "0.5", "copper_scrap": ""}.get(r["key"], r["density_t_per_m3"])
    path = tmp_path / "classes.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return load_tables(classes_csv=path)


def test_kg_and_t_give_the_same_breakdown(tables):
    a = exchange_breakdown("steel_scrap", 2.5, "t", 40, tables=tables, baseline_route="landfill")
    b = exchange_breakdown("steel_scrap", 2500, "kg", 40, tables=tables, baseline_route="landfill")
    assert a.co2e_avoided_t == pytest.approx(b.co2e_avoided_t)
    assert b.tonnes_diverted == pytest.approx(2.5)


def test_volume_goes_through_density(tables):
    a = exchange_breakdown("steel_scrap", 10, "m3", 40, tables=tables)
    b = exchange_breakdown("steel_scrap", 5, "t", 40, tables=tables)
    c = exchange_breakdown("steel_scrap", 10000, "L", 40, tables=tables)
    assert a.quantity_base == pytest.approx(5)
    assert a.co2e_avoided_t == pytest.approx(b.co2e_avoided_t)
    assert c.co2e_avoided_t == pytest.approx(b.co2e_avoided_t)


def test_unknown_density_is_not_computable_with_reason(tables):
    b = exchange_breakdown("copper_scrap", 3, "m3", 10, tables=tables)
    for field in ("co2e_avoided_t", "tonnes_diverted", "eur_saved", "breakeven_distance_km"):
        assert getattr(b, field) is None
        assert "masse volumique" in str(b.reasons[field]) or field == "breakeven_distance_km"
    assert "masse volumique" in str(b.reasons["tonnes_diverted"])


def test_energy_units():
    assert to_base(5, "MWh", "heat", None).value == pytest.approx(5)
    assert to_base(18, "GJ", "heat", None).value == pytest.approx(5)
    assert to_base(5000, "kWh", "heat", None).value == pytest.approx(5)
    gj = exchange_breakdown("waste_heat_high", 36, "GJ", 0)
    mwh = exchange_breakdown("waste_heat_high", 10, "MWh", 0)
    assert gj.co2e_avoided_t == pytest.approx(mwh.co2e_avoided_t)
    assert mwh.energy_recovered_mwh == pytest.approx(10)


def test_impossible_units_are_refused():
    with pytest.raises(ValueError):
        exchange_breakdown("steel_scrap", 1, "MWh", 10)
    with pytest.raises(ValueError):
        exchange_breakdown("waste_heat_low", 1, "t", 10)
    with pytest.raises(ValueError):
        to_base(1, "furlong", "material", None)


def test_the_accepted_units_dimensions_are_pint_s():
    """The table read without building pint's registry says what pint says, for every accepted unit."""
    from boucle.impact import units

    assert set(units.DIMENSIONS) == set(units.ACCEPTED_UNITS)
    for unit in units.ACCEPTED_UNITS:
        assert units.DIMENSIONS[unit] == units._pint_dimension(unit), unit
