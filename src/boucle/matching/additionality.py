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
- for the quantity exchanged (:func:`estimated_quantity`): the offer's, capped by the declared
  need's when it has one. An inferred need (no quantity of its own) is capped the same way by the
  largest need its site declared in the offer's unit; without one, heat and water (used where they
  are produced) have no quantity to value, so their figures are unknown, and a material's figures
  are for the whole offer, an upper bound. The territory potential bounds an inferred need by the
  same rule (:func:`inferred_need_bound`).

A pair whose known quantity gives no net gain (CO2e <= 0), or heat beyond its
break-even distance, is left out before the receivers of each offer are chosen, so an offer
shows up to the cap of receivers that do gain. An offer without quantity keeps its proposals, with
figures unknown. Pure Python + numpy: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

BASE_UNIT_OF_KIND = {"material": "t", "water": "m3", "heat": "MWh"}

#: Kinds of flow (``Flow.kind``) whose inferred need has no quantity unless the receiving site declared
#: one in that unit: heat, steam and water are used where they are produced (neither stored nor carried
#: far), so an activity's typical need says nothing of how much a site can take -- a pasta factory next
#: to a steelworks does not take 470 GWh of waste heat a year.
SCALE_REQUIRED_KINDS = ("energy", "water")

#: What a suggestion's figures are for (``explanation["estimate_basis"]``, put into words by
#: ``wording.estimate_words``): the declared need (the smaller of offer and need), the largest need the
#: receiving site declared in the unit (an inferred need), the whole offer (an inferred need of a
#: material, no declared scale: an upper bound), or nothing (heat or water to a site that declared no
#: need in the unit: the quantity is to be agreed with the receiver, the figures unknown).
BASIS_DECLARED, BASIS_SITE_SCALE, BASIS_WHOLE_OFFER, BASIS_TO_AGREE = (
    "declared_need", "site_scale", "whole_offer", "to_agree")


def inferred_need_bound(scale, kind):
    """What an inferred need of a site may take: ``scale``, the largest need the site declared in the
    offer's unit (None or NaN: none); without one, nothing (0) for heat and water (``kind``, the
    offer's, in ``SCALE_REQUIRED_KINDS``), unbounded (NaN) for a material. The territory potential
    allocates with it; a suggestion's estimate is for the smaller of the offer and it, and unknown
    where it is 0 (:func:`estimated_quantity`). Scalars or arrays."""
    scale = np.asarray(np.nan if scale is None else scale, dtype=float)
    required = np.isin(np.asarray(kind, dtype=object), np.array(SCALE_REQUIRED_KINDS, dtype=object))
    with np.errstate(invalid="ignore"):
        out = np.where(scale > 0, scale, np.where(required, 0.0, np.nan))
    return float(out) if out.ndim == 0 else out


def estimated_quantity(offer_q, bound, unknown=None) -> np.ndarray:
    """The quantity a suggestion's figures are for: the offer's, capped by ``bound`` (the declared
    need's quantity in the same unit, or :func:`inferred_need_bound`; NaN: no cap); NaN (unknown)
    where ``unknown`` (an inferred heat or water need whose site declared no need in the unit)."""
    offer_q = np.asarray(offer_q, dtype=float)
    bound = np.broadcast_to(np.asarray(bound, dtype=float), offer_q.shape)
    with np.errstate(invalid="ignore"):
        q = np.where(np.isfinite(bound) & np.isfinite(offer_q), np.minimum(offer_q, bound), offer_q)
    return q if unknown is None else np.where(unknown, np.nan, q)


def estimate_basis(declared, bound):
    """Which of the ``BASIS_*`` a suggestion's figures rest on (``bound``: see :func:`estimated_quantity`);
    scalars, or arrays (a list of them)."""
    declared, bound = np.asarray(declared, dtype=bool), np.asarray(bound, dtype=float)
    names = np.array([BASIS_DECLARED, BASIS_WHOLE_OFFER, BASIS_SITE_SCALE, BASIS_TO_AGREE], dtype=object)
    with np.errstate(invalid="ignore"):
        code = np.where(declared, 0, np.where(np.isnan(bound), 1, np.where(bound > 0, 2, 3)))
    out = names[code]
    return str(out) if out.ndim == 0 else out.tolist()


def burnable(class_key: str) -> bool:
    """Some receiver may burn the material as a fuel (``impact/data/fuel_use_receivers.csv``): a cheap filter
    before :func:`fuel_receivers`, which reads each receiver's activity."""
    from boucle.impact.factors import default_tables
    from boucle.impact.fuel import burnable as burns

    return burns(default_tables(), class_key)


def fuel_receivers(receiver_codes, class_keys) -> list:
    """Per pair: the activity row (its NACE prefix, « 23.51 ») of a receiver that burns the offer's material as a
    fuel (recovery operation R1 of Directive 2008/98/EC, annex II), else None. Such a pair does not avoid
    producing the virgin material of the recycling credit: it is valued by the fuel the material displaces
    (``boucle.impact.fuel``; unknown where the energy content or the displaced fuel is). The receiver's code
    (any form) is read with the knowledge's ``normalise_naf``."""
    from boucle.impact.factors import default_tables
    from boucle.impact.fuel import receiver_of

    from .knowledge.naf import normalise_naf

    tables = default_tables()
    seen: dict = {}  # (code, class) -> row: a dense region's pairs hold a few hundred of them
    out = []
    for pair in zip(receiver_codes, class_keys):
        if pair not in seen:
            row = receiver_of(tables, normalise_naf(pair[0]) or None, pair[1])
            seen[pair] = row.naf_prefix if row else None
        out.append(seen[pair])
    return out


def value_fuel_pairs(value: dict, idx: np.ndarray, fuel: list, class_keys: list, route_idx: np.ndarray,
                     material_idx: np.ndarray, distance_km: np.ndarray) -> dict:
    """``value`` (of :func:`value_pairs`) with pairs ``idx`` -- of materials some receiver may burn; ``fuel``,
    ``class_keys``, ``route_idx``, ``material_idx`` and ``distance_km`` are theirs -- valued by the fuel they
    displace where their receiver burns them (``fuel``: its activity row, None: it does not), and their ``drop``
    decided on those figures."""
    from boucle.impact.fuel import score_fuel
    from boucle.impact.vector import default_model

    burnt = np.array([f is not None for f in fuel], dtype=bool)
    if not burnt.any():
        return value
    idx = np.asarray(idx)[burnt]
    pick = np.flatnonzero(burnt).tolist()
    model = default_model()
    ro = np.where(route_idx[burnt] >= 0, route_idx[burnt], model.default_route[material_idx[burnt]])
    routes = route_keys()
    qty = value["quantity"][idx]
    figures = score_fuel([class_keys[i] for i in pick], [fuel[i] for i in pick], [routes.get(r) for r in ro.tolist()],
                         qty, distance_km[burnt])
    out = {**value, **{k: np.array(value[k], copy=True) for k in (*figures, "drop", "resale") if k in value}}
    if "resale" in out:  # burnt: valued by the fuel it displaces, not by a resale
        out["resale"][idx] = False
    for k, v in figures.items():
        if k in out:
            out[k][idx] = v
    co2 = figures["co2e_avoided_t"]
    with np.errstate(invalid="ignore"):
        out["drop"][idx] = value["known"][idx] & np.isfinite(qty) & np.isfinite(co2) & (co2 <= 0)
    return out


@dataclass(frozen=True, eq=False)
class OfferTerms:
    """What the valuation reads of each offer row (one per offer flow and material class), as arrays."""

    known: np.ndarray  # the impact model knows the class: the figures are revalued, a no-gain pair dropped
    material_idx: np.ndarray
    quantity: np.ndarray  # in the class's base unit; NaN: unknown, or counted in another unit
    unit_code: np.ndarray  # the unit the quantities of a declared need are compared in (offer's unit, else the class's)
    supply_temp_c: np.ndarray
    route_idx: np.ndarray
    route_assumed: np.ndarray
    heat: np.ndarray
    base_code: np.ndarray  # code of the class's base unit (-1: none)


UNIT_CODES: dict = {}


def unit_code(unit) -> int:
    return -1 if not unit else UNIT_CODES.setdefault(unit, len(UNIT_CODES))


def unit_codes(units: list) -> np.ndarray:
    """:func:`unit_code` of each unit (new units numbered in order of first appearance, as one call
    per unit would), with one call per distinct unit: a region has hundreds of thousands of rows."""
    code = {u: unit_code(u) for u in dict.fromkeys(units)}
    return np.fromiter(map(code.__getitem__, units), dtype=np.int64, count=len(units))


def offer_terms(class_keys: list[str], quantity: list, unit: list, temperature_c: list, routes: list,
                ewc_codes: list) -> OfferTerms | None:
    """Per offer row (material class, the flow's quantity, unit, temperature, current route, EWC code):
    the figures of :func:`value_pairs`. None when the impact tables are absent (the screening
    figures stay)."""
    try:
        from boucle.impact.factors import default_tables
        from boucle.impact.vector import material_index, route_indices
    except Exception:
        return None
    tables = default_tables()
    index = material_index()
    base_of: dict = {}
    for k in set(class_keys):
        info = tables.materials.get(k)
        base_of[k] = BASE_UNIT_OF_KIND.get(info.flow_kind) if info else None
    base = [base_of[k] for k in class_keys]
    q = np.array([np.nan if x is None else x for x in quantity], dtype=float)
    # a quantity counted in another unit than the class's (cooling water re-classed as heat) is unknown here
    usable = np.array([not u or u == b for u, b in zip(unit, base)], dtype=bool)
    ro, assumed = route_indices(class_keys, routes, ewc_codes)
    heat_of = {k: (tables.materials.get(k).flow_kind == "heat") if k in tables.materials else False for k in base_of}
    return OfferTerms(
        known=np.array([k in index for k in class_keys], dtype=bool),
        material_idx=np.array([index.get(k, 0) for k in class_keys], dtype=np.int64),
        quantity=np.where(usable, q, np.nan),
        unit_code=unit_codes([u or b for u, b in zip(unit, base)]),
        supply_temp_c=np.array([np.nan if t is None else t for t in temperature_c], dtype=float),
        route_idx=ro, route_assumed=assumed,
        heat=np.array([heat_of[k] for k in class_keys], dtype=bool),
        base_code=unit_codes(base))


def value_pairs(terms: OfferTerms, oi: np.ndarray, need_quantity: np.ndarray, need_unit_code: np.ndarray,
                need_declared: np.ndarray, need_temp_c: np.ndarray, distance_km: np.ndarray,
                unknown: np.ndarray | None = None, resale: np.ndarray | None = None,
                disposal: np.ndarray | None = None) -> dict:
    """The figures of offer rows ``oi`` exchanged with needs (their declared quantity, unit code
    (-1: the class's), whether declared, temperature) at ``distance_km`` (as shown, rounded), in
    one vectorised call, and ``drop``: the pairs whose known quantity gives no net gain (CO2e <= 0)
    or heat beyond its break-even distance. ``unknown``: pairs whose quantity is not known (an
    inferred heat or water need without a declared scale, :func:`estimated_quantity`). ``resale``: pairs whose
    receiver is a waste operator (``knowledge.infer.is_waste_operator``): it prepares the material and sells it
    on, so no purchase of virgin material is avoided in its euros (the CO2e keeps the chain's recycling credit);
    ``resale`` in the result: those of them of a material whose euros lost that term. ``disposal``: pairs whose
    receiver treats and disposes of waste (``knowledge.infer.is_disposal_receiver``, NACE 38.21, 38.22): it bills its
    own gate fee in place of today's disposal fee and does not recycle the material, so a material's euros and CO2e
    are not known (``exchange_breakdown``'s ``disposal_receiver``, ``score_exchanges``' ``disposal``, the ranking's
    ``scoring.LinearImpact``); ``disposal`` in the result: those pairs of a material. Element-wise: a pair's figures never depend
    on the others."""
    from boucle.impact.vector import score_exchanges

    qty = terms.quantity[oi]
    base = terms.base_code[oi]
    # the receiver takes at most what it declared needing, counted in the same unit
    same_unit = np.where(need_unit_code >= 0, need_unit_code, base) == terms.unit_code[oi]
    qty = estimated_quantity(qty, np.where(need_declared & same_unit, need_quantity, np.nan), unknown)
    known = terms.known[oi]
    out = score_exchanges(terms.material_idx[oi], qty, distance_km, route_idx=terms.route_idx[oi],
                          supply_temp_c=terms.supply_temp_c[oi], need_temp_c=need_temp_c, heat_physics=True,
                          with_range=True, resale=resale, disposal=disposal)
    co2, be = out["co2e_avoided_t"], out["breakeven_km"]
    quantity_known = known & np.isfinite(qty)
    drop = quantity_known & np.isfinite(co2) & (co2 <= 0)  # no net gain against what happens today
    with np.errstate(invalid="ignore"):
        # heat beyond its break-even distance: the pipe costs more than the heat is worth
        drop |= quantity_known & terms.heat[oi] & np.isfinite(be) & (distance_km > be)
    material = known & ~terms.heat[oi] & (terms.base_code[oi] == unit_code("t"))
    resale = material & (np.zeros(len(oi), dtype=bool) if resale is None else np.asarray(resale, dtype=bool))
    disposal = material & (np.zeros(len(oi), dtype=bool) if disposal is None else np.asarray(disposal, dtype=bool))
    return {**out, "drop": drop, "known": known, "quantity": qty, "resale": resale, "disposal": disposal}


def rounded_array(a: np.ndarray, digits: int) -> np.ndarray:
    """``round(x, digits)`` of each figure, vectorised (non-finite figures stay): numpy's rounding
    agrees with round() except near a half, where round() (correctly rounded) decides."""
    a = np.asarray(a, dtype=float)
    out = np.round(a, digits)
    with np.errstate(invalid="ignore"):
        near = np.flatnonzero(np.abs(np.abs(a * 10.0**digits) % 1.0 - 0.5) < 1e-6)
    for i, x in zip(near.tolist(), a[near].tolist()):
        out[i] = round(x, digits)
    return out


def rounded_list(a: np.ndarray, digits: int) -> list:
    """``[round(x, digits) for x in a]`` with None where a figure is not finite."""
    a = np.asarray(a, dtype=float)
    values = rounded_array(a, digits).tolist()
    for i in np.flatnonzero(~np.isfinite(a)).tolist():
        values[i] = None
    return values


@lru_cache(maxsize=1)
def route_keys() -> dict[int, str]:
    """Route column -> the route key a person would recognise (the column's own name)."""
    from boucle.impact.vector import default_model

    return dict(enumerate(default_model().routes))
