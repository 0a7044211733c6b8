"""Heat physics: what a MWh of recovered heat displaces, what the pipe costs and loses.

Recovered heat is valued against what the receiver would otherwise burn:

- **direct use** when the supply is hot enough (supply >= need + approach): it displaces a
  natural-gas boiler at the need's temperature (hot water below 100 °C, steam above, each
  with its harmonised reference efficiency);
- **heat-pump lift** when it is not: the receiver's heat comes from a heat pump whose
  source is the recovered heat; a delivered MWh still displaces the boiler but costs
  1/COP MWh of electricity, with COP = eta x T_sink / (T_sink - T_source) (kelvin).
  Beyond the heat pump's maximum sink temperature the exchange is not feasible.

The offered quantity is counted as the heat delivered at most (the extra heat a heat pump
draws from a large source is not credited). Heat travels in a buried pipe pair: its losses
grow with the supply temperature and the length, its cost with the length; so heat has a
break-even distance, beyond which the annualised pipe cost and the value of the lost heat
exceed the value of the heat delivered. Parameters and sources: ``data/heat_physics.csv``.

Everything works on numpy arrays, so the matching engine's proposals are valued in one call.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
KELVIN = 273.15
HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Param:
    value: float
    low: float
    high: float
    source: str


@lru_cache(maxsize=1)
def params() -> dict[str, Param]:
    with (DATA_DIR / "heat_physics.csv").open(newline="", encoding="utf-8") as fh:
        return {r["parameter"]: Param(float(r["value"]), float(r["value_low"]), float(r["value_high"]), r["source"])
                for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def class_temperatures() -> dict[str, tuple[float, str]]:
    with (DATA_DIR / "heat_class_temperatures.csv").open(newline="", encoding="utf-8") as fh:
        return {r["material_key"]: (float(r["representative_temperature_c"]), r["source"]) for r in csv.DictReader(fh)}


def p(name: str, which: str = "value") -> float:
    return getattr(params()[name], which)


def annuity_factor(rate: float | None = None, years: float | None = None) -> float:
    """Capital recovery factor: the yearly share of an investment over its life."""
    r = p("network_discount_rate") if rate is None else rate
    n = p("network_lifetime_years") if years is None else years
    return r / (1.0 - (1.0 + r) ** -n)


def network_cost_eur_per_km_year(which: str = "value") -> float:
    return p("network_capex_eur_per_m", which) * 1000.0 * annuity_factor()


def loss_mwh_per_km_year(supply_c):
    """Heat lost by one km of buried pipe pair in a year, from the supply temperature.

    q (W/m) = [(T_supply - T_ground) + (T_return - T_ground)] / Rc, return = supply - delta,
    not below ground + 5 °C; x 8.76 gives MWh per km per year.
    """
    ts = np.asarray(supply_c, dtype=np.float64)
    tg = p("network_ground_temperature_c")
    tr = np.maximum(ts - p("network_return_delta_k"), tg + 5.0)
    w_per_m = (np.maximum(ts - tg, 0.0) + (tr - tg)) / p("network_loss_resistance_m_k_per_w")
    return w_per_m * HOURS_PER_YEAR / 1000.0


def boiler_efficiency(need_c):
    """Net-CV reference efficiency of the gas boiler the need would use (NaN need: hot water)."""
    tn = np.asarray(need_c, dtype=np.float64)
    steam = np.isfinite(tn) & (tn >= p("steam_need_threshold_c"))
    return np.where(steam, p("boiler_efficiency_steam_net_cv"), p("boiler_efficiency_hot_water_net_cv"))


def cop(supply_c, need_c, which: str = "value"):
    """Heat-pump COP lifting ``supply_c`` to ``need_c`` (approach on both sides); NaN when no lift
    is needed or a temperature is unknown, 0 when the lift is not feasible."""
    ts = np.asarray(supply_c, dtype=np.float64)
    tn = np.asarray(need_c, dtype=np.float64)
    a = p("heat_exchanger_approach_k")
    sink, source = tn + a + KELVIN, ts - a + KELVIN
    with np.errstate(divide="ignore", invalid="ignore"):
        carnot = sink / (sink - source)
        value = p("heat_pump_carnot_efficiency", which) * carnot
    lift = np.isfinite(ts) & np.isfinite(tn) & (ts < tn + a)
    feasible = (tn + a <= p("heat_pump_max_sink_c")) & (value > 1.0)
    return np.where(lift, np.where(feasible, value, 0.0), np.nan)


@dataclass(frozen=True)
class HeatPrices:
    """Per-MWh values the economic balance needs (EUR)."""

    heat_eur_per_mwh: float          # gas heat the receiver would buy (prices.csv natural_gas)
    electricity_eur_per_mwh: float   # heat-pump electricity (prices.csv energy_price electricity)


def evaluate(quantity_mwh, distance_km, supply_c, need_c, boiler_kg_per_mwh: float,
             electricity_kg_per_mwh: float, prices: HeatPrices, which: str = "value") -> dict[str, np.ndarray]:
    """Vectorised heat balance of exchanges.

    ``boiler_kg_per_mwh`` is the hot-water boiler factor (kg CO2e per MWh of heat); the
    steam boiler's follows from the two reference efficiencies. Returns arrays:
    ``delivered_mwh``, ``loss_mwh``, ``cop`` (NaN: direct use), ``kg_per_mwh`` (net value of
    a delivered MWh), ``co2e_avoided_t``, ``eur_saved``, ``breakeven_km`` (economic), and
    ``feasible``.
    """
    q = np.asarray(quantity_mwh, dtype=np.float64)
    d = np.asarray(distance_km, dtype=np.float64)
    ts = np.asarray(supply_c, dtype=np.float64)
    tn = np.asarray(need_c, dtype=np.float64)
    ef_boiler = boiler_kg_per_mwh * p("boiler_efficiency_hot_water_net_cv") / boiler_efficiency(tn)
    c = cop(ts, tn, which)
    hp = np.isfinite(c)
    feasible = ~hp | (c > 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_cop = np.where(hp & feasible, 1.0 / c, 0.0)
    kg = np.where(feasible, ef_boiler - electricity_kg_per_mwh * inv_cop, 0.0)
    loss_km = loss_mwh_per_km_year(ts)
    loss = np.minimum(loss_km * d, q)
    delivered = np.where(feasible, q - loss, 0.0)
    value = np.where(feasible, prices.heat_eur_per_mwh - prices.electricity_eur_per_mwh * inv_cop, 0.0)
    k = network_cost_eur_per_km_year(which)
    with np.errstate(divide="ignore", invalid="ignore"):
        breakeven = np.where(feasible & (value > 0), q * value / (loss_km * value + k), np.nan)
    return {
        "delivered_mwh": delivered,
        "loss_mwh": np.where(feasible, loss, 0.0),
        "cop": c,
        "kg_per_mwh": kg,
        "co2e_avoided_t": delivered * kg / 1000.0,
        "eur_saved": delivered * value - k * d,
        "breakeven_km": breakeven,
        "feasible": feasible,
    }
