"""The figures of each proposal against what happens today, and the proposals with no net gain left out.

The engine ranks candidate pairs with the linear screening form of the impact model (each
material's documented default route, heat valued like a boiler's). Once the pairs a user
will see are chosen, each one is valued properly, in one vectorised call
(``boucle.impact.vector.score_exchanges``):

- against the offer's **current route** (declared, or the documented default for its
  material and waste code, flagged as an assumption): scrap already sold for recycling earns
  no virgin-avoidance credit;
- heat with the **heat balance**: the need's temperature (declared, or inferred from the
  receiver's activity), a heat pump when the supply is too cool, the pipe's losses and cost;
- with a **low-high range** of the CO2e;
- for the quantity exchanged: the offer's, capped by the declared need's when it has one.

A proposal whose known quantity gives no net gain (CO2e <= 0), or heat beyond its
break-even distance, is left out. An offer without quantity keeps its proposals, with
figures unknown. Pure Python + numpy: no Django.
"""

from __future__ import annotations

import math

import numpy as np

BASE_UNIT_OF_KIND = {"material": "t", "water": "m3", "heat": "MWh"}


def value_proposals(proposals: list, flows_by_id: dict, sites_by_id: dict) -> list:
    """Proposals revalued against each offer's current route, without those that gain nothing."""
    if not proposals:
        return proposals
    try:
        from boucle.impact.factors import default_tables
        from boucle.impact.vector import material_index, route_indices, score_exchanges
    except Exception:  # impact tables absent: the screening figures stay
        return proposals
    from .knowledge.infer import need_temperature

    tables = default_tables()
    index = material_index()
    n = len(proposals)
    keys = [p.material_class for p in proposals]
    known = np.array([k in index for k in keys])
    mi = np.array([index.get(k, 0) for k in keys], dtype=np.int64)
    qty = np.full(n, np.nan)
    supply = np.full(n, np.nan)
    need = np.full(n, np.nan)
    routes, ewcs = [], []
    for i, p in enumerate(proposals):
        f = flows_by_id[p.offer_flow_id]
        info = tables.materials.get(p.material_class)
        unit = getattr(f, "unit", None)
        base = BASE_UNIT_OF_KIND.get(info.flow_kind) if info else None
        # a quantity counted in another unit than the class's (cooling water re-classed as heat) is unknown here
        if f.quantity_t is not None and (not unit or unit == base):
            qty[i] = f.quantity_t
            if p.need_flow_id:  # the receiver takes at most what it declared needing
                nf = flows_by_id[p.need_flow_id]
                if nf.quantity_t is not None and (getattr(nf, "unit", None) or base) == (unit or base):
                    qty[i] = min(qty[i], nf.quantity_t)
        if f.temperature_c is not None:
            supply[i] = f.temperature_c
        if p.need_flow_id:
            t = flows_by_id[p.need_flow_id].temperature_c
        else:
            site = sites_by_id.get(p.need_site_id)
            need_class = (p.explanation or {}).get("need_class") or p.material_class
            t = need_temperature(site.naf_code if site else None, site.activity if site else None, need_class)
        if t is not None:
            need[i] = t
        routes.append(getattr(f, "current_route", None))
        ewcs.append(f.ewc_code)
    ro, assumed = route_indices(keys, routes, ewcs)
    out = score_exchanges(mi, qty, np.array([p.distance_km for p in proposals], dtype=float), route_idx=ro,
                          supply_temp_c=supply, need_temp_c=need, heat_physics=True, with_range=True)
    co2, lo, hi = out["co2e_avoided_t"], out["co2e_low_t"], out["co2e_high_t"]
    be = out["breakeven_km"]
    heat = np.array([(tables.materials.get(k).flow_kind == "heat") if k in tables.materials else False for k in keys])
    model_routes = _route_keys()
    # Per-proposal figures as Python lists once (a dense region values half a million proposals).
    quantity_known = np.isfinite(qty)
    drop = quantity_known & np.isfinite(co2) & (co2 <= 0)  # no net gain against what happens today
    # heat beyond its break-even distance: the pipe costs more than the heat is worth
    dist = np.array([p.distance_km for p in proposals], dtype=float)
    with np.errstate(invalid="ignore"):
        drop |= quantity_known & heat & np.isfinite(be) & (dist > be)
    co2_r, lo_r, hi_r = rounded_list(co2, 3), rounded_list(lo, 3), rounded_list(hi, 3)
    tonnes_r, eur_r = rounded_list(out["tonnes_diverted"], 6), rounded_list(out["eur_saved"], 2)
    be_r = rounded_list(be, 2)
    need_l, ro_l, assumed_l = need.tolist(), ro.tolist(), assumed.tolist()
    known_l, drop_l, heat_l = known.tolist(), drop.tolist(), heat.tolist()
    kept = []
    for i, p in enumerate(proposals):
        if not known_l[i]:
            kept.append(p)
            continue
        if drop_l[i]:
            continue
        explanation = dict(p.explanation or {})
        explanation["current_route"] = model_routes.get(int(ro_l[i])) if ro_l[i] >= 0 else None
        explanation["current_route_assumed"] = bool(assumed_l[i])
        if math.isfinite(need_l[i]):
            explanation["need_temperature_c"] = float(need_l[i])
        if heat_l[i] and be_r[i] is not None:
            explanation["heat_breakeven_km"] = be_r[i]
        if lo_r[i] is not None and hi_r[i] is not None:
            explanation["co2e_low_t"], explanation["co2e_high_t"] = lo_r[i], hi_r[i]
        # dataclasses.replace, without its per-call field checks
        kept.append(type(p)(**{**p.__dict__, "co2e_avoided_t_per_year": co2_r[i], "explanation": explanation,
                               "tonnes_diverted": tonnes_r[i], "eur_saved": eur_r[i], "co2e_low_t": lo_r[i],
                               "co2e_high_t": hi_r[i]}))
    return kept


def rounded_list(a: np.ndarray, digits: int) -> list:
    """``[round(x, digits) for x in a]`` with None where a figure is not finite, vectorised: numpy's
    rounding agrees with round() except near a half, where round() (correctly rounded) decides."""
    a = np.asarray(a, dtype=float)
    out = np.round(a, digits)
    with np.errstate(invalid="ignore"):
        near = np.flatnonzero(np.abs(np.abs(a * 10.0**digits) % 1.0 - 0.5) < 1e-6)
    values = out.tolist()
    for i, x in zip(near.tolist(), a[near].tolist()):
        values[i] = round(x, digits)
    for i in np.flatnonzero(~np.isfinite(a)).tolist():
        values[i] = None
    return values


def _route_keys() -> dict[int, str]:
    """Route column -> the route key a person would recognise (the column's own name)."""
    from boucle.impact.vector import default_model

    return dict(enumerate(default_model().routes))
