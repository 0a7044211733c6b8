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
    route_diverts: np.ndarray | None = None  # [route] 1: the route is a disposal the exchange diverts from
    route_columns: dict | None = None        # route key (incl. aliases such as incineration_recovery) -> column
    is_heat: np.ndarray | None = None        # [material] heat classes (valued by heat physics)
    heat_supply_c: np.ndarray | None = None  # [material] representative supply temperature (NaN: none)
    gross_kg: np.ndarray | None = None       # [material, route] gain before processing is taken off (ranges)
    # [material, route] EUR per base unit, before transport, for a receiver that resells the material (a waste
    # operator, ``resale`` of score_exchanges): no virgin purchase avoided (engine.exchange_breakdown)
    eur_resale: np.ndarray | None = None

    def index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def route_column(self, route_key: str) -> int:
        return (self.route_columns or {r: i for i, r in enumerate(self.routes)})[route_key]


def _nan(x: float | None) -> float:
    return np.nan if x is None else float(x)


def compile_model(tables: Tables) -> ImpactModel:
    from . import heat as H
    from .routes import default_route as documented_default
    from .routes import routes as route_table

    keys = tuple(tables.materials)
    named = route_table()
    impact_routes = ({r for m in tables.materials.values() for r in m.disposal_factor_ids}
                     | {m.baseline_route for m in tables.materials.values() if m.baseline_route})
    # one column per impact route, plus one per route whose credit differs (recycled, treated water)
    routes = sorted(impact_routes | {k for k, r in named.items() if r.credit in ("none", "virgin_only")})
    columns = {r: i for i, r in enumerate(routes)}
    for k, r in named.items():
        if k not in columns and r.impact_route in columns:
            columns[k] = columns[r.impact_route]
    credit = [named[r].credit if r in named else "virgin_and_route" for r in routes]
    n, nr = len(keys), len(routes)
    gain = np.full((n, nr), np.nan)
    gross = np.full((n, nr), np.nan)
    eur = np.full((n, nr), np.nan)
    eur_resale = np.full((n, nr), np.nan)
    is_heat = np.zeros(n, dtype=bool)
    heat_supply = np.full(n, np.nan)
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
        is_heat[i] = info.flow_kind == "heat"
        heat_supply[i] = H.class_temperatures().get(key, (np.nan, ""))[0]
        if info.baseline_route:
            # the documented default of the material (without a waste code): recycled scrap is not credited
            default_route[i] = columns[documented_default(key, None, info.baseline_route).route.key]
        # already recovered (recycled, spread): no production, disposal or processing avoided, whether or
        # not the material has a substitution recipe -- only the transport counts, so moving it gains nothing
        if info.flow_kind == "material":
            for j in range(nr):
                if credit[j] == "none":
                    gain[i, j], gross[i, j], eur[i, j], eur_resale[i, j] = 0.0, 0.0, 0.0, 0.0
        recipe = tables.default_recipe(key)
        if recipe is None:
            if info.flow_kind == "material":  # a waste operator resells it: the avoided disposal fee only
                for j, route in enumerate(routes):
                    if credit[j] in ("none", "virgin_only"):
                        eur_resale[i, j] = 0.0
                    elif fee := tables.price("disposal_fee", f"{route}:{info.fee_class}"):
                        eur_resale[i, j] = fee.eur_default
            continue
        s = recipe.substitution_ratio
        v = per_base_kg(tables, recipe.virgin_factor_id, base)
        p = per_base_kg(tables, recipe.processing_factor_id, base)
        price = tables.price("virgin_price", recipe.replaces_key)
        proc = tables.price("processing_cost", processing_price_key(tables, recipe))
        for j, route in enumerate(routes):
            if credit[j] == "none":  # already recovered: no production, disposal or processing avoided
                gain[i, j], gross[i, j], eur[i, j], eur_resale[i, j] = 0.0, 0.0, 0.0, 0.0
                continue
            d = 0.0 if credit[j] == "virgin_only" else per_base_kg(tables, disposal_factor_id(info, recipe, route), base)
            if None not in (v, d, p):
                gain[i, j] = s * v + d - p
                gross[i, j] = s * v + d
            fee = (tables.price("disposal_fee", f"{route}:{info.fee_class}") if credit[j] != "virgin_only"
                   else None)
            fee_eur = 0.0 if credit[j] == "virgin_only" else (fee.eur_default if fee else None)
            if None not in (price, proc, fee_eur):
                eur[i, j] = fee_eur + s * price.eur_default - proc.eur_default
            if info.flow_kind != "material":
                eur_resale[i, j] = eur[i, j]  # only a material is resold by a waste operator
            elif fee_eur is not None:  # no purchase avoided; the preparation is paid by the resale
                eur_resale[i, j] = fee_eur
    t_kg = np.array([_nan(per_base_kg(tables, MODE_FACTOR_IDS[m], "t.km")) if MODE_FACTOR_IDS[m] in
                     tables.factors else np.nan for m in MODES])
    t_eur = np.array([_nan(p.eur_default) if (p := tables.price("transport_cost", m)) else np.nan
                      for m in MODES])
    diverts = np.array([0.0 if c == "none" else 1.0 for c in credit])
    return ImpactModel(keys, tuple(routes), MODES, gain, eur, default_route, default_mode,
                       mass, diverted, t_kg, t_eur, diverts, columns, is_heat, heat_supply, gross, eur_resale)


@lru_cache(maxsize=1)
def default_model() -> ImpactModel:
    return compile_model(default_tables())


def material_index(model: ImpactModel | None = None) -> dict[str, int]:
    """Material key -> row index used by ``score_exchanges`` (order of classes.csv)."""
    return (model or default_model()).index()


def score_exchanges(material_idx: np.ndarray, quantity_t: np.ndarray, distance_km: np.ndarray,
                    mode_idx: np.ndarray | None = None, route_idx: np.ndarray | None = None,
                    model: ImpactModel | None = None, *, supply_temp_c: np.ndarray | None = None,
                    need_temp_c: np.ndarray | None = None, heat_physics: bool = False,
                    with_range: bool = False, resale: np.ndarray | None = None,
                    disposal: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Score arrays of exchanges; NaN marks a figure that cannot be computed.

    ``quantity_t`` is in the material's base unit (t, m3 for water, MWh for heat).
    ``mode_idx``/``route_idx`` index ``model.modes``/``model.routes`` (``route_indices``
    turns declared routes into columns); -1 or None means the material's default (road
    or pipe; the documented default route of the material).

    The default form is linear in the quantity (the matching engine ranks with it). With
    ``heat_physics`` (or temperatures), heat rows are valued by ``boucle.impact.heat``:
    boiler at the need's temperature or heat-pump lift, pipe losses and pipe cost, and an
    economic break-even distance. ``with_range`` adds ``co2e_low_t`` / ``co2e_high_t``.
    ``resale``: per exchange, whether the receiver is a waste operator that prepares the material and sells it
    on (``exchange_breakdown``'s ``waste_receiver``): no avoided purchase of virgin material in its euros, the
    CO2e unchanged. ``disposal``: per exchange, whether the receiver treats and disposes of waste (NACE 38.21,
    38.22; ``exchange_breakdown``'s ``disposal_receiver``): for a material, it bills its own gate fee in place of
    today's (euros not computable) and does not recycle it (no recycling credit: CO2e not computable either).
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
    eur_gain = m.eur_gain[mi, ro]
    if resale is not None and m.eur_resale is not None:
        eur_gain = np.where(np.asarray(resale, dtype=bool), m.eur_resale[mi, ro], eur_gain)
    if disposal is not None:
        gone = np.asarray(disposal, dtype=bool) & _disposed(m, mi)
        gain = np.where(gone, np.nan, gain)
        co2 = np.where(gone, np.nan, co2)
        eur_gain = np.where(gone, np.nan, eur_gain)
    eur = q * (eur_gain - d * t_eur)
    diverted = m.diverted_t[mi] if m.route_diverts is None else m.diverted_t[mi] * m.route_diverts[ro]
    with np.errstate(divide="ignore", invalid="ignore"):
        breakeven = np.where((t_kg > 0) & (gain > 0), gain / t_kg, np.nan)
    out = {
        "co2e_avoided_t": co2,
        "tonnes_diverted": q * diverted,
        "eur_saved": eur,
        "breakeven_km": breakeven,
        "computable": np.isfinite(co2),
    }
    if (heat_physics or supply_temp_c is not None or need_temp_c is not None) and m.is_heat is not None:
        _heat_rows(m, mi, q, d, gain, supply_temp_c, need_temp_c, out)
    if with_range:
        from .ranges import co2e_range

        gross = m.gross_kg[mi, ro] if m.gross_kg is not None else gain
        heat = m.is_heat[mi] if m.is_heat is not None else np.zeros(mi.shape, dtype=bool)
        gross_t = np.where(heat, out["co2e_avoided_t"], q * gross / 1000.0)
        low, high = co2e_range(out["co2e_avoided_t"], gross_t, np.where(heat, 0.0, q * d * t_kg / 1000.0))
        out["co2e_low_t"], out["co2e_high_t"] = low, high
    return out


def _disposed(m: ImpactModel, mi: np.ndarray) -> np.ndarray:
    """Per entry: a material (diverted tonnes), whose figures a disposal receiver leaves unknown (one rule for
    ``score_exchanges``' ``disposal`` and ``linear_coefficients``' disposal coefficients)."""
    return m.diverted_t[mi] > 0


def _heat_rows(m: ImpactModel, mi, q, d, gain, supply_temp_c, need_temp_c, out) -> None:
    """Replace the linear screening figures of heat rows by the heat balance (in place)."""
    from . import heat as H

    rows = np.flatnonzero(m.is_heat[mi] & np.isfinite(m.gain_kg[mi, m.default_route[mi]]))
    if rows.size == 0:
        return
    ts = m.heat_supply_c[mi[rows]]
    if supply_temp_c is not None:
        given = np.asarray(supply_temp_c, dtype=np.float64)[rows]
        ts = np.where(np.isfinite(given), given, ts)
    tn = (np.asarray(need_temp_c, dtype=np.float64)[rows] if need_temp_c is not None
          else np.full(rows.size, np.nan))
    hp = _heat_prices()
    boiler = m.gain_kg[mi[rows], m.default_route[mi[rows]]]  # heat: the boiler displaced, whatever the route
    r = H.evaluate(q[rows], d[rows], ts, tn, boiler, _electricity_kg(), hp)
    out["co2e_avoided_t"][rows] = r["co2e_avoided_t"]
    out["eur_saved"][rows] = r["eur_saved"]
    out["breakeven_km"][rows] = r["breakeven_km"]
    out["computable"][rows] = np.isfinite(r["co2e_avoided_t"])
    out.setdefault("heat_feasible", np.ones(mi.shape, dtype=bool))[rows] = r["feasible"]
    out.setdefault("heat_delivered_mwh", np.full(mi.shape, np.nan))[rows] = r["delivered_mwh"]


@lru_cache(maxsize=1)
def _heat_prices():
    from .heat import HeatPrices

    t = default_tables()
    heat = t.price("virgin_price", "natural_gas")
    elec = t.price("energy_price", "electricity")
    return HeatPrices(_nan(heat.eur_default if heat else None), _nan(elec.eur_default if elec else None))


@lru_cache(maxsize=1)
def _electricity_kg() -> float:
    return _nan(per_base_kg(default_tables(), "FR_ELEC_MIX_2022", "MWh"))


def route_indices(material_keys, declared_routes, ewc_codes=None, model: ImpactModel | None = None):
    """Route columns for flows: their declared current route, else the documented default for
    their material and waste code. Returns (route_idx, assumed) arrays; -1 for an unknown
    material (score_exchanges then uses the material's default)."""
    from .routes import resolve_route

    m = model or default_model()
    tables = default_tables()
    n = len(material_keys)
    ewc_codes = ewc_codes if ewc_codes is not None else [None] * n
    idx = np.full(n, -1, dtype=np.int64)
    assumed = np.ones(n, dtype=bool)
    memo: dict[tuple, tuple[int, bool]] = {}
    for i, (key, declared, ewc) in enumerate(zip(material_keys, declared_routes, ewc_codes)):
        k = (key, declared or None, ewc or None)
        if k not in memo:
            info = tables.materials.get(key)
            if info is None or not info.baseline_route:
                memo[k] = (-1, True)
            else:
                try:
                    c = resolve_route(key, declared or None, ewc or None, info.baseline_route)
                    memo[k] = (m.route_column(c.route.key), c.assumed)
                except (ValueError, KeyError):
                    memo[k] = (-1, True)
        idx[i], assumed[i] = memo[k]
    return idx, assumed


def linear_coefficients(material_idx: np.ndarray, model: ImpactModel | None = None,
                        route_idx: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The coefficients of ``score_exchanges`` (default mode and route) per
    entry of ``material_idx``: the model is linear in the quantity, so

        co2e_avoided_t = q * (co2e_kg_per_unit - d * co2e_kg_per_unit_km) / 1000
        tonnes_diverted = q * diverted_t_per_unit
        eur_saved = q * (eur_per_unit - d * eur_per_unit_km)

    A caller scoring millions of pairs (the matching engine's compiled search)
    uses them instead of calling ``score_exchanges`` per batch. Computed with
    the same operations, so the figures are bit for bit those of
    ``score_exchanges`` (its linear form: heat without the pipe's losses and cost).
    ``route_idx`` gives each entry's current route (``route_indices``); without
    it, each material's documented default route.
    """
    m = model or default_model()
    mi = np.asarray(material_idx, dtype=np.int64)
    mo, ro = m.default_mode[mi], m.default_route[mi]
    if route_idx is not None:  # each flow's current route (route_indices), -1: the material's default
        given = np.asarray(route_idx, dtype=np.int64)
        ro = np.where(given < 0, ro, given)
    mass = m.mass_t[mi]
    moved = mass > 0
    return {
        "co2e_kg_per_unit": m.gain_kg[mi, ro],
        "co2e_kg_per_unit_km": np.where(moved, m.transport_kg[mo] * mass, 0.0),
        "diverted_t_per_unit": (m.diverted_t[mi] if m.route_diverts is None
                                else m.diverted_t[mi] * m.route_diverts[ro]),
        "eur_per_unit": m.eur_gain[mi, ro],
        "eur_per_unit_km": np.where(moved, m.transport_eur[mo] * mass, 0.0),
        # received by a waste operator (``score_exchanges``' ``resale``): no virgin purchase, nor its preparation
        "eur_resale_per_unit": m.eur_resale[mi, ro] if m.eur_resale is not None else m.eur_gain[mi, ro],
        # received by a treatment and disposal operator (``score_exchanges``' ``disposal``): a material's CO2e and
        # euros are not computable (its own gate fee, no recycling credit)
        "co2e_disposal_kg_per_unit": np.where(_disposed(m, mi), np.nan, m.gain_kg[mi, ro]),
        "eur_disposal_per_unit": np.where(_disposed(m, mi), np.nan, m.eur_gain[mi, ro]),
    }
