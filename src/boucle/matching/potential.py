"""A territory's potential: the best set of exchanges among the suggestions (pure, no Django).

Suggestions overlap: one offer is suggested to several receivers and one need to several
suppliers, so the sum of the suggestions counts the same tonnes many times (for
Hauts-de-France it once read 294 Mt a year, more than France's waste). The potential is
the optimal allocation (``allocation.allocate``): each offered quantity and each declared
need used at most once, maximising tCO2e avoided (or euros). A need inferred from an
activity has no quantity; it is bounded by the supplies that reach it.

Quantities are kept by kind: material in tonnes, energy in MWh, water in m3. An arc moves
the offer's unit; totals are reported per unit and never added across units. A suggestion
whose offer is declared in a unit that is not its kind's (a material in m3, water in
tonnes) or whose quantity is unknown moves nothing: it is counted apart.

The value of an arc per unit moved is the suggestion's own estimate divided by its
quantity: the figures come from the impact module's function (``impact.vector``, through
the matching pipeline), so the potential and the suggestion cards agree, and a change of
the impact method flows into both.

Every page, the API, the exports, the report and ``boucle allocate`` read the potential
from ``territory_potential.potential_of`` (the Django side), which calls ``solve`` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from boucle.flows.units import KIND_BASE_UNIT as KIND_UNIT

from .allocation import allocate

UNIT_TOTALS = {"t": "tonnes_exchanged", "MWh": "mwh_exchanged", "m3": "m3_exchanged"}
VALUE_SCALE = 1e6
OBJECTIVES = {"co2": ("co2e_avoided_t", "tCO2e/an"), "eur": ("eur_saved", "€/an")}


@dataclass
class Candidates:
    """One row per suggestion (an arc of the allocation). ``offer`` and ``need`` are keys:
    rows with the same key share one quantity. Per-suggestion estimates are totals for
    ``quantity`` (the offer's quantity when the suggestion was scored)."""

    offer: list
    need: list
    offer_quantity: np.ndarray  # current quantity per year, in ``unit``
    need_quantity: np.ndarray  # nan: unknown (inferred need, or declared in another unit)
    unit: list[str]  # the offer's base unit
    kind: list[str]  # the offer's kind
    quantity: np.ndarray  # the quantity the estimates below are for
    co2e_avoided_t: np.ndarray
    eur_saved: np.ndarray
    info: list[dict] = field(default_factory=list)  # what an exchange row shows (sites, labels, class, km, ids)

    def __len__(self) -> int:
        return len(self.offer)


@dataclass
class Potential:
    objective: str
    status: str
    total_value: float
    value_unit: str
    co2e_avoided_t: float
    eur_saved: float
    exchanged: dict[str, float]  # unit -> quantity moved by the allocation
    exchanges: list[dict]
    suggestions: int
    offers_quantity_unknown: int  # offers suggested without a usable quantity: they move nothing
    offers_other_unit: int  # offers declared in a unit that is not their kind's (a material in m3…)
    illustrative_co2e_avoided_t: float = 0.0  # from exchanges with an illustrative flow (typical, not declared)

    @property
    def illustrative_share(self) -> float | None:
        """The part of the tCO2e avoided that rests on illustrative flows; None when nothing is avoided."""
        return self.illustrative_co2e_avoided_t / self.co2e_avoided_t if self.co2e_avoided_t else None

    @property
    def tonnes_exchanged(self) -> float:
        return self.exchanged.get("t", 0.0)

    @property
    def mwh_exchanged(self) -> float:
        return self.exchanged.get("MWh", 0.0)

    @property
    def m3_exchanged(self) -> float:
        return self.exchanged.get("m3", 0.0)

    def summary(self) -> dict:
        """The figures, at full precision, under the names ``boucle allocate --json`` uses."""
        return {"objective": self.objective, "total_value": self.total_value, "unit": self.value_unit,
                "co2e_avoided_t": self.co2e_avoided_t, "eur_saved": self.eur_saved,
                "tonnes_exchanged": self.tonnes_exchanged, "mwh_exchanged": self.mwh_exchanged,
                "m3_exchanged": self.m3_exchanged, "exchanges_count": len(self.exchanges),
                "suggestions": self.suggestions, "offers_quantity_unknown": self.offers_quantity_unknown,
                "offers_other_unit": self.offers_other_unit,
                "illustrative_co2e_avoided_t": self.illustrative_co2e_avoided_t, "status": self.status}


METRICS = ("tonnes_diverted", "co2e_avoided_t", "eur_saved", "water_m3", "mwh", "m3")


def exchange_figures(e: dict) -> dict[str, float]:
    """The indicator figures of one exchange of the allocation: the quantity goes to the metric of its
    unit only (material tonnes, MWh of energy, m3), never to another."""
    q, unit = e["quantity"], e["unit"]
    return {"tonnes_diverted": q if unit == "t" else 0.0, "co2e_avoided_t": e["co2e_avoided_t"] or 0.0,
            "eur_saved": e["eur_saved"] or 0.0, "water_m3": q if unit == "m3" and e["kind"] == "water" else 0.0,
            "mwh": q if unit == "MWh" else 0.0, "m3": q if unit == "m3" else 0.0}


def figures(exchanges: list[dict]) -> dict[str, float]:
    """``exchange_figures`` summed over exchanges (all of an allocation, or one company's part of it)."""
    out = dict.fromkeys(METRICS, 0.0)
    for e in exchanges:
        for k, v in exchange_figures(e).items():
            out[k] += v
    return out


def _per_unit(total: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    total = np.asarray(total, dtype=np.float64)
    quantity = np.asarray(quantity, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = total / quantity
    return np.where(np.isfinite(out) & (quantity > 0), out, np.nan)


def solve(c: Candidates, objective: str = "co2", workers: int | None = None) -> Potential:
    """The optimal allocation of the candidates, with its figures per unit and its exchanges;
    ``workers``: the network's independent parts solved by that many processes (the same plan)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}: co2 or eur")
    _, value_unit = OBJECTIVES[objective]
    n = len(c)
    unit = np.asarray(c.unit, dtype=object) if n else np.zeros(0, dtype=object)
    kind = np.asarray(c.kind, dtype=object) if n else np.zeros(0, dtype=object)
    own_unit = np.fromiter((KIND_UNIT.get(k) == u for k, u in zip(kind, unit)), dtype=bool, count=n)
    supply_q = np.asarray(c.offer_quantity, dtype=np.float64)
    usable = own_unit & np.isfinite(supply_q) & (supply_q > 0)
    co2 = _per_unit(c.co2e_avoided_t, c.quantity)
    eur = _per_unit(c.eur_saved, c.quantity)
    value = np.where(usable, co2 if objective == "co2" else eur, np.nan)

    offers = list(dict.fromkeys(c.offer))
    o_index = {k: i for i, k in enumerate(offers)}
    needs = list(dict.fromkeys(c.need))
    n_index = {k: i for i, k in enumerate(needs)}
    frm = np.fromiter((o_index[k] for k in c.offer), dtype=np.int64, count=n)
    to = np.fromiter((n_index[k] for k in c.need), dtype=np.int64, count=n)
    supply = np.zeros(len(offers))
    demand = np.full(len(needs), np.nan)
    supply[frm[usable]] = supply_q[usable]
    need_q = np.asarray(c.need_quantity, dtype=np.float64)
    known_need = usable & np.isfinite(need_q)
    demand[to[known_need]] = np.maximum(need_q[known_need], 0.0)

    # Values per unit are stepped by 1e-6 (the allocation works in integers): a m3 of water avoids a few
    # 1e-4 tCO2e, which the allocation's default step (1e-3) would round to nothing.
    result = allocate(supply, demand, frm, to, np.nan_to_num(value, nan=0.0), value_scale=VALUE_SCALE,
                      workers=workers)
    flow = result.flow_t
    used = np.flatnonzero(flow > 0)
    exchanged = {u: float(flow[unit == u].sum()) for u in UNIT_TOTALS}
    exchanges = []
    for a in used.tolist():
        row = dict(c.info[a]) if c.info else {}
        row.update({"quantity": float(flow[a]), "unit": unit[a], "kind": kind[a],
                    "co2e_avoided_t": float(flow[a] * co2[a]) if np.isfinite(co2[a]) else None,
                    "eur_saved": float(flow[a] * eur[a]) if np.isfinite(eur[a]) else None,
                    "value": float(flow[a] * value[a])})
        exchanges.append(row)
    co2_total = float(np.nansum(flow[used] * co2[used])) if used.size else 0.0
    eur_total = float(np.nansum(flow[used] * eur[used])) if used.size else 0.0
    illustrative = sum(e["co2e_avoided_t"] or 0.0 for e in exchanges if e.get("illustrative"))
    unknown = {c.offer[i] for i in range(n) if own_unit[i] and not (np.isfinite(supply_q[i]) and supply_q[i] > 0)}
    other = {c.offer[i] for i in range(n) if not own_unit[i]}
    return Potential(objective=objective, status=result.status, total_value=float(result.total_value),
                     value_unit=value_unit, co2e_avoided_t=co2_total, eur_saved=eur_total, exchanged=exchanged,
                     exchanges=exchanges, suggestions=n, offers_quantity_unknown=len(unknown),
                     offers_other_unit=len(other), illustrative_co2e_avoided_t=illustrative)
