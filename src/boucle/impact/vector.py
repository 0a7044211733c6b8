"""Vectorised scoring of candidate exchanges for the matching engine.

The matching engine scores about a million candidate pairs at once, so the
factor tables are compiled once into per-material and per-mode arrays and the
formula becomes a few gathers and multiply-adds. The figures are the same as
``exchange_breakdown`` for the default recipe (a test checks it); the vector
form drops the provenance, which the scalar form keeps for display.

Quantities are in the base unit of each material's flow kind (t, m3 or MWh):
the caller converts declared units once, when the offer is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .engine import _mass_t_per_base, disposal_factor_id, per_base_kg, processing_price_key
from .factors import MODE_FACTOR_IDS, MODES, Tables, default_tables
from .units import BASE_UNIT


@dataclass(frozen=True)
class ImpactModel:
    keys: tuple[str, ...]
    routes: tuple[str, ...]
    modes: tuple[str, ...]
    gain_kg: np.ndarray        # [material, route] kg CO2e per base unit, before transport
    eur_gain: np.ndarray       # [material, route] EUR per base unit, before transport
    default_route: np.ndarray  # [material] index into routes
    default_mode: np.ndarray   # [material] index into modes
    mass_t: np.ndarray         # [material] t moved per base unit (0 for heat)
    diverted_t: np.ndarray     # [material] t diverted per base unit (0 for water and heat)
    transport_kg: np.ndarray   # [mode] kg CO2e per t.km (NaN: no factor)
    transport_eur: np.ndarray  # [mode] EUR per t.km (NaN: no price)

    def index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}


def _nan(x: float | None) -> float:
    return np.nan if x is None else float(x)


def compile_model(tables: Tables) -> ImpactModel:
    keys = tuple(tables.materials)
    routes = sorted({r for m in tables.materials.values() for r in m.disposal_factor_ids}
                    | {m.baseline_route for m in tables.materials.values() if m.baseline_route})
    n, nr = len(keys), len(routes)
    gain = np.full((n, nr), np.nan)
    eur = np.full((n, nr), np.nan)
    default_route = np.zeros(n, dtype=np.int64)
    default_mode = np.zeros(n, dtype=np.int64)
    mass = np.full(n, np.nan)
    diverted = np.zeros(n)
    for i, key in enumerate(keys):
        info = tables.materials[key]
        if info.flow_kind not in BASE_UNIT:
            continue
        base = BASE_UNIT[info.flow_kind]
        mass[i] = _mass_t_per_base(info)
        diverted[i] = 1.0 if info.flow_kind == "material" else 0.0
        default_mode[i] = MODES.index("road" if info.flow_kind == "material" else "pipe")
        if info.baseline_route:
            default_route[i] = routes.index(info.baseline_route)
        recipe = tables.default_recipe(key)
        if recipe is None:
            continue
        s = recipe.substitution_ratio
        v = per_base_kg(tables, recipe.virgin_factor_id, base)
        p = per_base_kg(tables, recipe.processing_factor_id, base)
        price = tables.price("virgin_price", recipe.replaces_key)
        proc = tables.price("processing_cost", processing_price_key(tables, recipe))
        for j, route in enumerate(routes):
            d = per_base_kg(tables, disposal_factor_id(info, recipe, route), base)
            if None not in (v, d, p):
                gain[i, j] = s * v + d - p
            fee = tables.price("disposal_fee", f"{route}:{info.fee_class}")
            if None not in (price, proc, fee):
                eur[i, j] = fee.eur_default + s * price.eur_default - proc.eur_default
    t_kg = np.array([_nan(per_base_kg(tables, MODE_FACTOR_IDS[m], "t.km")) if MODE_FACTOR_IDS[m] in
                     tables.factors else np.nan for m in MODES])
    t_eur = np.array([_nan(p.eur_default) if (p := tables.price("transport_cost", m)) else np.nan
                      for m in MODES])
    return ImpactModel(keys, tuple(routes), MODES, gain, eur, default_route, default_mode,
                       mass, diverted, t_kg, t_eur)


@lru_cache(maxsize=1)
def default_model() -> ImpactModel:
    return compile_model(default_tables())


def material_index(model: ImpactModel | None = None) -> dict[str, int]:
    """Material key -> row index used by ``score_exchanges`` (order of classes.csv)."""
    return (model or default_model()).index()


def score_exchanges(material_idx: np.ndarray, quantity_t: np.ndarray, distance_km: np.ndarray,
                    mode_idx: np.ndarray | None = None, route_idx: np.ndarray | None = None,
                    model: ImpactModel | None = None) -> dict[str, np.ndarray]:
    """Score arrays of exchanges; NaN marks a figure that cannot be computed.

    ``quantity_t`` is in the material's base unit (t, m3 for water, MWh for heat).
    ``mode_idx``/``route_idx`` index ``model.modes``/``model.routes``; -1 or None
    means the material's default (road or pipe; its baseline route).
    """
    m = model or default_model()
    mi = np.asarray(material_idx, dtype=np.int64)
    q = np.asarray(quantity_t, dtype=np.float64)
    d = np.asarray(distance_km, dtype=np.float64)
    if mode_idx is None:
        mo = m.default_mode[mi]
    else:
        mo = np.asarray(mode_idx, dtype=np.int64)
        mo = np.where(mo < 0, m.default_mode[mi], mo)
    if route_idx is None:
        ro = m.default_route[mi]
    else:
        ro = np.asarray(route_idx, dtype=np.int64)
        ro = np.where(ro < 0, m.default_route[mi], ro)
    mass = m.mass_t[mi]
    moved = mass > 0
    # heat (mass 0) has no freight term whatever the mode, as in the scalar form
    t_kg = np.where(moved, m.transport_kg[mo] * mass, 0.0)
    t_eur = np.where(moved, m.transport_eur[mo] * mass, 0.0)
    gain = m.gain_kg[mi, ro]
    co2 = q * (gain - d * t_kg) / 1000.0
    eur = q * (m.eur_gain[mi, ro] - d * t_eur)
    with np.errstate(divide="ignore", invalid="ignore"):
        breakeven = np.where((t_kg > 0) & (gain > 0), gain / t_kg, np.nan)
    return {
        "co2e_avoided_t": co2,
        "tonnes_diverted": q * m.diverted_t[mi],
        "eur_saved": eur,
        "breakeven_km": breakeven,
        "computable": np.isfinite(co2),
    }


def linear_coefficients(material_idx: np.ndarray, model: ImpactModel | None = None) -> dict[str, np.ndarray]:
    """The coefficients of ``score_exchanges`` (default mode and route) per
    entry of ``material_idx``: the model is linear in the quantity, so

        co2e_avoided_t = q * (co2e_kg_per_unit - d * co2e_kg_per_unit_km) / 1000
        tonnes_diverted = q * diverted_t_per_unit
        eur_saved = q * (eur_per_unit - d * eur_per_unit_km)

    A caller scoring millions of pairs (the matching engine's compiled search)
    uses them instead of calling ``score_exchanges`` per batch. Computed with
    the same operations, so the figures are bit for bit those of
    ``score_exchanges``.
    """
    m = model or default_model()
    mi = np.asarray(material_idx, dtype=np.int64)
    mo, ro = m.default_mode[mi], m.default_route[mi]
    mass = m.mass_t[mi]
    moved = mass > 0
    return {
        "co2e_kg_per_unit": m.gain_kg[mi, ro],
        "co2e_kg_per_unit_km": np.where(moved, m.transport_kg[mo] * mass, 0.0),
        "diverted_t_per_unit": m.diverted_t[mi],
        "eur_per_unit": m.eur_gain[mi, ro],
        "eur_per_unit_km": np.where(moved, m.transport_eur[mo] * mass, 0.0),
    }
