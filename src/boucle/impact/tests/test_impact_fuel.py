"""A material burnt as a fuel is credited with the fossil fuel it displaces, net of what burning it emits.

Expected figures are recomputed here from the shipped data rows (DESNZ per-tonne and per-kWh factors), never
typed in: the test fails if the engine credits a virgin material, counts the biogenic CO2 of wood, forgets the
fossil carbon of waste oil, or invents a figure where the energy content or the displaced fuel is unknown.
"""

import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.impact.factors import DATA_DIR, default_tables, load_tables
from boucle.impact.fuel import score_fuel

# the shared/ reference folder next to the checkout (or to the folder of worktrees)
SHARED_FLAT = next((p / "shared" / "data" / "emission_factors" / "desnz_ghg_conversion_factors_2025_flat.csv"
                    for p in Path(__file__).resolve().parents[5:7]
                    if (p / "shared" / "data" / "emission_factors").is_dir()), Path("/nonexistent"))


def _factor(factor_id: str) -> float:
    return default_tables().factor(factor_id).kgco2e_per_unit


def _energy(key: str) -> dict:
    with (DATA_DIR / "fuel_energy.csv").open(encoding="utf-8") as fh:
        return next(r for r in csv.DictReader(fh) if r["material_key"] == key)


def _terms(b) -> dict:
    return {t.name: t for t in b.terms}


def test_sawdust_burnt_in_a_dairys_boiler_is_credited_with_the_natural_gas_it_displaces():
    """A dairy (NACE 10.51) burns sawdust in its boiler: it buys less natural gas, it does not avoid new timber."""
    fuel = exchange_breakdown("sawdust_shavings", 100, "t", 0.0, fuel_receiver="10.51")
    timber = exchange_breakdown("sawdust_shavings", 100, "t", 0.0)  # to a panel mill: virgin timber avoided
    terms = _terms(fuel)
    assert "virgin_avoided" not in terms and "virgin_avoided" in _terms(timber)
    assert terms["fuel_displaced"].factor_id == "1_100_1004_7_1"  # DESNZ natural gas, per kWh net CV
    e = _energy("sawdust_shavings")
    gas_kwh = 100 * float(e["kwh_net_per_t"]) * 0.86 / 0.92  # the same useful heat from a gas boiler
    displaced = gas_kwh * _factor("1_100_1004_7_1") / 1000
    burnt = 100 * _factor(e["per_t_factor_id"]) / 1000  # CH4 and N2O: DESNZ counts no biogenic CO2
    disposal = 100 * _factor("20_500_5257_15_1") / 1000  # the landfill it no longer goes to
    assert terms["fuel_displaced"].value == pytest.approx(displaced)
    assert terms["fuel_combustion"].value == pytest.approx(-burnt)
    assert -terms["fuel_combustion"].value < 0.05 * 100  # the 1.3 t of biogenic CO2 a tonne is not counted
    assert fuel.co2e_avoided_t == pytest.approx(displaced - burnt + disposal)
    assert fuel.co2e_avoided_t != pytest.approx(timber.co2e_avoided_t, rel=0.05)
    assert fuel.virgin_avoided_t == 0.0 and fuel.tonnes_diverted == 100


def test_energy_contents_are_the_ratio_of_desnz_rows_per_tonne_and_per_kwh():
    e = _energy("wood_untreated")
    ratio = _factor(e["per_t_factor_id"]) / 0.0115  # DESNZ 2_104_1044_5_1, kg CO2e per kWh of wood chips
    assert float(e["kwh_net_per_t"]) == pytest.approx(ratio, rel=1e-4)
    oil = _energy("waste_oil")
    assert float(oil["kwh_net_per_t"]) == pytest.approx(
        _factor(oil["per_t_factor_id"]) / _factor(oil["per_kwh_net_factor_id"]), rel=1e-4)


@pytest.mark.skipif(not SHARED_FLAT.exists(), reason="the DESNZ flat file is not in this checkout")
def test_the_shipped_energy_contents_are_what_the_build_script_derives():
    spec = importlib.util.spec_from_file_location("build", Path(__file__).resolve().parents[4] / "scripts" /
                                                  "build_impact_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    with SHARED_FLAT.open(encoding="utf-8") as fh:
        derived = build.fuel_energy_rows(list(csv.DictReader(fh)))
    with (DATA_DIR / "fuel_energy.csv").open(encoding="utf-8") as fh:
        assert list(csv.DictReader(fh)) == derived


def test_waste_oil_in_a_cement_kiln_nets_out_its_fossil_carbon():
    """Waste oil replaces coal in the kiln energy for energy, but it is fossil too: only the difference counts."""
    b = exchange_breakdown("waste_oil", 100, "t", 0.0, fuel_receiver="23.51")
    terms = _terms(b)
    e = _energy("waste_oil")
    coal = 100 * float(e["kwh_net_per_t"]) * _factor("1_102_1025_7_1") / 1000
    oil = 100 * _factor("1_101_1022_15_1") / 1000
    assert terms["fuel_displaced"].value == pytest.approx(coal)
    assert terms["fuel_combustion"].value == pytest.approx(-oil)
    assert b.co2e_avoided_t == pytest.approx(coal - oil + terms["disposal_avoided"].value)
    assert 0 < b.co2e_avoided_t < 0.25 * coal
    assert b.co2e_low_t < 0 < b.co2e_high_t  # a small net of two large terms: its range is wide


def test_plastics_in_a_cement_kiln_net_out_their_fossil_carbon_once_a_territory_supplies_their_energy(tmp_path):
    """No energy content of plastics is published in the shipped data: the figure stays unknown, with why.
    A territory that adds its own cited row gets displaced coal minus the plastics' fossil carbon."""
    shipped = exchange_breakdown("mixed_plastics", 100, "t", 0.0, fuel_receiver="23.51")
    assert shipped.co2e_avoided_t is None and shipped.eur_saved is None
    assert "virgin_avoided" not in _terms(shipped)
    assert _terms(shipped)["fuel_displaced"].reason.code == "impact.fuel-no-energy"
    columns = "material_key,desnz_item,kwh_net_per_t,per_t_factor_id,per_kwh_net_factor_id,combustion_kgco2e_per_t," \
              "biogenic_co2_kg_per_t_not_counted,biogenic_co2_factor_id,boiler_efficiency_net_cv," \
              "boiler_efficiency_source,note,source,licence"
    # a territory's own figures (test values): 10,000 kWh and 2,700 kg of fossil CO2e a tonne
    (tmp_path / "fuel_energy.csv").write_text(
        f"{columns}\nmixed_plastics,,10000,LOCAL_PLASTICS,,2700,,,,,test,test,test\n", encoding="utf-8")
    tables = load_tables((tmp_path,))
    b = exchange_breakdown("mixed_plastics", 100, "t", 0.0, fuel_receiver="23.51", tables=tables)
    recycled = exchange_breakdown("mixed_plastics", 100, "t", 0.0, tables=tables)
    coal = 100 * 10000 * _factor("1_102_1025_7_1") / 1000
    assert _terms(b)["fuel_combustion"].value == pytest.approx(-270.0)
    assert b.co2e_avoided_t == pytest.approx(coal - 270.0 + _terms(b)["disposal_avoided"].value)
    assert b.co2e_avoided_t < 0.25 * _terms(b)["fuel_displaced"].value  # the coal saved, less the plastics burnt
    assert b.co2e_avoided_t < 0.25 * _terms(recycled)["virgin_avoided"].value  # far from 3.2 t of virgin plastic


@pytest.mark.parametrize("receiver, material, code", [
    ("23.52", "waste_oil", "impact.fuel-no-displaced"),  # lime kilns fire gas, coal, coke or oil: not one fuel
    ("35.11", "wood_untreated", "impact.fuel-no-displaced"),  # a power plant displaces grid electricity
    ("38.21", "wood_pallets", "impact.fuel-no-displaced"),  # an incinerator burns it instead of other waste
    ("24.10", "mixed_plastics", "impact.fuel-no-energy"),
    ("35.30", "crop_residues", "impact.fuel-no-efficiency"),  # no boiler efficiency shipped for straw
])
def test_an_unknown_energy_content_or_displaced_fuel_stays_unknown(receiver, material, code):
    b = exchange_breakdown(material, 100, "t", 10.0, fuel_receiver=receiver)
    assert b.co2e_avoided_t is None and b.co2e_low_t is None
    assert "virgin_avoided" not in _terms(b)  # not the recycling credit either
    assert _terms(b)["fuel_displaced"].reason.code == code


def test_the_matchings_figures_are_the_calculations():
    keys = ["sawdust_shavings", "waste_oil", "wood_pallets", "mixed_plastics", "biomass_wood_chips"]
    receivers = ["10", "23.51", "35.30", "23.51", "35.30"]
    routes = ["landfill", "incineration", "landfill", "landfill", "landfill"]
    q, d = np.array([120.0, 40.0, 800.0, 600.0, 5.0]), np.array([3.2, 41.0, 12.5, 7.0, 0.4])
    v = score_fuel(keys, receivers, routes, q, d)
    for i, key in enumerate(keys):
        b = exchange_breakdown(key, q[i], "t", d[i], baseline_route=routes[i], fuel_receiver=receivers[i])
        for name, value in (("co2e_avoided_t", b.co2e_avoided_t), ("co2e_low_t", b.co2e_low_t),
                            ("co2e_high_t", b.co2e_high_t), ("eur_saved", b.eur_saved)):
            if value is None:
                assert math.isnan(v[name][i]), (key, name)
            else:
                assert v[name][i] == pytest.approx(value, rel=1e-9), (key, name)
    assert math.isnan(v["co2e_avoided_t"][3]) and np.isfinite(v["co2e_avoided_t"][[0, 1, 2, 4]]).all()
