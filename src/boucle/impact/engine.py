"""Scalar impact of one exchange, with every term traceable to a factor row.

Method (Eckelman & Chertow 2013, as used to report industrial-symbiosis programmes):

    dCO2e = Q.s.EF_virgin(m') + Q.EF_disposal(m, route) - Q.EF_processing(m->m') - Q.d.EF_transport(mode)

A figure that cannot be computed is ``None`` with an entry in ``reasons``: a zero
would read as "no impact" on a dashboard, which is a different claim.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .factors import MODE_FACTOR_IDS, NONE_ID, Factor, MaterialInfo, Recipe, Tables, default_tables
from .units import BASE_UNIT, to_base

METHOD = "Eckelman & Chertow (2013) avoided-burden balance; Boucle impact method v1"
BASES = ("estimated", "verified")
# kg CO2e per factor unit -> kg CO2e per base unit of the flow
_UNIT_SCALE = {("t", "t"): 1.0, ("t.km", "t.km"): 1.0, ("m3", "m3"): 1.0, ("kWh", "MWh"): 1000.0, ("MWh", "MWh"): 1.0}


@dataclass
class Term:
    name: str
    value: float | None
    value_unit: str
    factor: float | None = None
    unit: str = ""
    factor_id: str = ""
    source: str = ""
    vintage: str = ""
    geography: str = ""
    activity: float | None = None
    activity_unit: str = ""
    note: str = ""
    reason: str | None = None


@dataclass
class Breakdown:
    material: str
    material_label: str
    flow_kind: str
    replaces: str | None
    substitution_ratio: float | None
    quantity: float
    unit: str
    quantity_base: float | None
    base_unit: str
    distance_km: float
    mode: str
    baseline_route: str
    basis: str
    co2e_avoided_t: float | None
    tonnes_diverted: float | None
    virgin_avoided_t: float | None
    water_saved_m3: float | None
    energy_recovered_mwh: float | None
    eur_saved: float | None
    breakeven_distance_km: float | None
    terms: list[Term] = field(default_factory=list)
    cost_terms: list[Term] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    method: str = METHOD

    @property
    def computable(self) -> bool:
        return self.co2e_avoided_t is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _factor_per_base(f: Factor, base: str) -> float | None:
    scale = _UNIT_SCALE.get((f.unit, base))
    return None if scale is None else f.kgco2e_per_unit * scale


def _co2_term(name: str, sign: float, factor_id: str, activity: float | None, activity_unit: str,
              base: str, tables: Tables, missing: str, note: str = "") -> Term:
    """A term = sign x activity x factor; missing factor or activity -> value None."""
    if factor_id == NONE_ID:
        return Term(name, 0.0, "t CO2e", 0.0, "", NONE_ID, tables.factors[NONE_ID].source,
                    activity=activity, activity_unit=activity_unit, note=note)
    f = tables.factor(factor_id)
    if f is None:
        return Term(name, None, "t CO2e", factor_id=factor_id, activity=activity,
                    activity_unit=activity_unit, note=note, reason=missing)
    per = _factor_per_base(f, base)
    unit = f"kg CO2e/{f.unit}"
    term = Term(name, None, "t CO2e", f.kgco2e_per_unit, unit, f.factor_id, f.source, f.vintage,
                f.geography, activity, activity_unit, note)
    if per is None:
        term.reason = f"factor {f.factor_id} is per {f.unit}, the flow is counted in {base}"
    elif activity is None:
        term.reason = missing
    else:
        term.value = sign * activity * per / 1000.0
    return term


def per_base_kg(tables: Tables, factor_id: str, base: str) -> float | None:
    """kg CO2e per base unit for a factor id; None when missing or unit-incompatible."""
    if factor_id == NONE_ID:
        return 0.0
    f = tables.factor(factor_id)
    return None if f is None else _factor_per_base(f, base)


def _mass_t_per_base(info: MaterialInfo) -> float | None:
    if info.flow_kind == "material":
        return 1.0
    if info.flow_kind == "water":
        return info.density_t_per_m3 if info.density_t_per_m3 else 1.0
    return 0.0  # heat is not trucked


def _pick_recipe(tables: Tables, key: str, replaces: str | None) -> Recipe | None:
    for r in tables.recipes.get(key, []):
        if replaces is None or r.replaces_key == replaces:
            return r
    return None


def disposal_factor_id(info: MaterialInfo, recipe: Recipe | None, route: str) -> str:
    if recipe is not None and route == info.baseline_route and recipe.disposal_factor_id:
        return recipe.disposal_factor_id
    return info.disposal_factor_ids.get(route, "")


def processing_price_key(tables: Tables, recipe: Recipe) -> str:
    if tables.price("processing_cost", recipe.material_key) is not None:
        return recipe.material_key
    return recipe.replaces_key


def _cost_term(name: str, sign: float, tables: Tables, kind: str, key: str, activity: float | None,
               activity_unit: str) -> Term:
    p = tables.price(kind, key)
    if p is None:
        return Term(name, None, "EUR", activity=activity, activity_unit=activity_unit,
                    reason=f"no default {kind.replace('_', ' ')} for {key!r}")
    t = Term(name, None, "EUR", p.eur_default, f"EUR/{p.unit}", f"{kind}:{key}", p.source, p.vintage,
             p.territory, activity, activity_unit, f"range {p.eur_low}-{p.eur_high} EUR/{p.unit}")
    if activity is None:
        t.reason = "quantity not computable"
    else:
        t.value = sign * activity * p.eur_default
    return t


def _sum(terms: list[Term]) -> float | None:
    if any(t.value is None for t in terms):
        return None
    return sum(t.value for t in terms)


def _first_reason(terms: list[Term]) -> str:
    return "; ".join(f"{t.name}: {t.reason}" for t in terms if t.reason)


def exchange_breakdown(material_key: str, quantity: float, unit: str, distance_km: float,
                       mode: str | None = None, baseline_route: str | None = None,
                       replaces: str | None = None, basis: str = "estimated",
                       labels: dict[str, Any] | None = None, tables: Tables | None = None) -> Breakdown:
    """Full breakdown of one exchange, ready to display or serialise."""
    tables = tables or default_tables()
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}")
    info = tables.materials.get(material_key)
    if info is None:
        raise KeyError(f"unknown material class {material_key!r}")
    if info.flow_kind not in BASE_UNIT:
        raise ValueError(f"{material_key}: {info.no_recipe_reason or 'no impact method'}")
    mode = mode or ("road" if info.flow_kind == "material" else "pipe")
    if mode not in MODE_FACTOR_IDS:
        raise ValueError(f"unknown mode {mode!r}")
    base = BASE_UNIT[info.flow_kind]
    route = baseline_route or info.baseline_route
    reasons: dict[str, str] = {}
    q = to_base(quantity, unit, info.flow_kind, info.density_t_per_m3)
    Q = q.value
    recipe = _pick_recipe(tables, material_key, replaces)
    s = recipe.substitution_ratio if recipe else None
    mass = _mass_t_per_base(info)
    qty_missing = q.reason or "quantity not computable"

    terms: list[Term] = []
    if recipe is None:
        why = (f"no substitution recipe replacing {replaces!r}" if replaces and tables.recipes.get(material_key)
               else info.no_recipe_reason or "no substitution recipe for this material")
        reasons["co2e_avoided_t"] = why
    else:
        q_s = None if Q is None else Q * s
        terms.append(_co2_term("virgin_avoided", +1, recipe.virgin_factor_id, q_s, base, base, tables,
                               f"no factor for virgin {recipe.replaces_key}" if Q is not None else qty_missing,
                               recipe.note))
        d_id = disposal_factor_id(info, recipe, route)
        terms.append(_co2_term("disposal_avoided", +1, d_id, Q, base, base, tables,
                               f"no disposal factor for route {route!r}" if Q is not None else qty_missing))
        terms.append(_co2_term("processing", -1, recipe.processing_factor_id, Q, base, base, tables,
                               f"no processing factor for {material_key} -> {recipe.replaces_key}"
                               if Q is not None else qty_missing))
    t_km = None if Q is None else Q * mass * distance_km
    if info.flow_kind == "heat":
        transport = _co2_term("transport", -1, NONE_ID, t_km, "t.km", "t.km", tables, qty_missing,
                              "heat travels through a network, not by freight")
    else:
        transport = _co2_term("transport", -1, MODE_FACTOR_IDS[mode], t_km, "t.km", "t.km", tables,
                              qty_missing if Q is None else f"no freight factor for mode {mode!r}")
    terms.append(transport)

    co2 = _sum(terms) if recipe else None
    if recipe and co2 is None:
        reasons["co2e_avoided_t"] = q.reason or _first_reason(terms)

    # break-even: distance at which the transport term eats the whole gain
    breakeven = None
    if co2 is None:
        reasons["breakeven_distance_km"] = reasons.get("co2e_avoided_t", "CO2e not computable")
    else:
        d_id = disposal_factor_id(info, recipe, route)
        per_unit_gain = (s * per_base_kg(tables, recipe.virgin_factor_id, base)
                         + per_base_kg(tables, d_id, base)
                         - per_base_kg(tables, recipe.processing_factor_id, base))
        per_km = (mass or 0.0) * (transport.factor or 0.0)
        if per_km <= 0:
            reasons["breakeven_distance_km"] = "no freight term for this flow or mode"
        elif per_unit_gain <= 0:
            reasons["breakeven_distance_km"] = "no CO2 gain even at zero distance"
        else:
            breakeven = per_unit_gain / per_km

    def metric(name: str, applies: bool, value_if: float | None, why_missing: str) -> float | None:
        if not applies:
            return 0.0
        if value_if is None:
            reasons[name] = why_missing
        return value_if

    is_mat, is_water, is_heat = (info.flow_kind == k for k in ("material", "water", "heat"))
    tonnes_diverted = metric("tonnes_diverted", is_mat, Q, qty_missing)
    no_recipe = reasons.get("co2e_avoided_t", "no substitution recipe")
    virgin_t = metric("virgin_avoided_t", is_mat, None if Q is None or s is None else Q * s,
                      qty_missing if Q is None else no_recipe)
    water = metric("water_saved_m3", is_water, None if Q is None or s is None else Q * s,
                   qty_missing if Q is None else no_recipe)
    energy = metric("energy_recovered_mwh", is_heat, None if Q is None or s is None else Q * s,
                    qty_missing if Q is None else no_recipe)

    cost_terms: list[Term] = []
    fee_key = f"{route}:{info.fee_class}"
    cost_terms.append(_cost_term("avoided_disposal_fee", +1, tables, "disposal_fee", fee_key, Q, base))
    if recipe is not None:
        cost_terms.append(_cost_term("avoided_purchase", +1, tables, "virgin_price", recipe.replaces_key,
                                     None if Q is None else Q * s, base))
        cost_terms.append(_cost_term("processing_cost", -1, tables, "processing_cost",
                                     processing_price_key(tables, recipe), Q, base))
    cost_mode = "pipe" if is_heat else mode
    cost_terms.append(_cost_term("transport_cost", -1, tables, "transport_cost", cost_mode, t_km, "t.km"))
    eur = _sum(cost_terms) if recipe else None
    if recipe is None:
        reasons["eur_saved"] = no_recipe
    elif eur is None:
        reasons["eur_saved"] = q.reason or _first_reason(cost_terms)

    return Breakdown(
        material=material_key, material_label=info.label_en, flow_kind=info.flow_kind,
        replaces=recipe.replaces_key if recipe else None, substitution_ratio=s,
        quantity=quantity, unit=unit, quantity_base=Q, base_unit=base, distance_km=distance_km,
        mode=mode, baseline_route=route, basis=basis, co2e_avoided_t=co2,
        tonnes_diverted=tonnes_diverted, virgin_avoided_t=virgin_t, water_saved_m3=water,
        energy_recovered_mwh=energy, eur_saved=eur, breakeven_distance_km=breakeven,
        terms=terms, cost_terms=cost_terms, reasons=reasons, labels=dict(labels or {}))
