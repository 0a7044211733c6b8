"""One score per candidate pair, in [0, 1], comparable across classes.

score = compat_weight x confidence_offer x confidence_need x inferred_factor
        x exp(-distance / decay_km)   (for a hazardous offer: distance beyond its nearest receiver)
        x (w_impact * impact + w_fit * fit + w_base) / (w_impact + w_fit + w_base)

Why this shape:
- the *multiplicative* factors are those that make a pair less likely to be
  real (uncertain classification, guessed need, substitution, distance); a
  guessed need gets ``inferred_factor`` < 1, so it ranks strictly below a
  declared need of equal merit;
- the *merit* is a bounded mix, so no single term can zero a useful pair and
  every term stays interpretable (see :mod:`.explain`);
- impact terms saturate (x / (1 + x) of a scale) so one huge quarry does not
  flatten the rest of the ranking; negative impacts (transport emits more than
  the exchange saves) count as zero merit;
- every factor is at most 1 and the impact term grows with tonnes and shrinks
  with distance, which gives the upper bound :mod:`.nearest` uses to prove a
  top-k exact without scoring every pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

ImpactFn = Callable[..., dict]


@dataclass(frozen=True)
class ScoreWeights:
    impact: float = 0.5
    fit: float = 0.3
    base: float = 0.2
    # Shares of the impact term; a term missing for a pair (not computable) counts 0.
    impact_co2e: float = 0.5
    impact_tonnes: float = 0.3
    impact_eur: float = 0.2
    # Values at which each saturating term reaches one half.
    co2e_scale_t: float = 10.0
    tonnes_scale_t: float = 100.0
    eur_scale: float = 10_000.0
    decay_km: float = 50.0
    unknown_fit: float = 0.5  # demand not stated: neither a perfect nor a bad fit
    inferred_factor: float = 0.8


def default_impact(material_idx, quantity_t, distance_km, **_) -> dict:
    """Stand-in until an impact model is injected: tonnes diverted only, no
    invented emission factors (co2e and euros are left unknown)."""
    q = np.fmax(np.asarray(quantity_t, dtype=np.float64), 0.0)  # nan -> 0
    nan = np.full(q.shape, np.nan)
    return {
        "co2e_avoided_t": nan,
        "tonnes_diverted": q,
        "eur_saved": nan.copy(),
        "computable": np.zeros(q.shape, dtype=bool),
    }


@dataclass(frozen=True, eq=False)
class LinearImpact:
    """An impact model linear in the exchanged quantity, one row per material
    index: a saving per unit minus a transport cost per unit.km, as in
    ``boucle.impact.vector`` (kg CO2e, euros; NaN = not computable).

    Callable like any impact function (same keys as ``default_impact``). Its
    reason to exist is that :mod:`.nearest` can read the coefficients and
    score a million pairs in compiled code instead of calling a function per
    batch; the figures are the same (a test checks it). ``eur_resale_per_unit``: the euros per unit
    when the receiver is a waste operator (``resale``: no virgin purchase avoided, nor its preparation;
    ``impact.vector.score_exchanges``' ``resale``); the plain euros when not given. ``co2e_disposal_kg_per_unit``
    and ``eur_disposal_per_unit``: those of a pair whose receiver treats and disposes of waste (``disposal``,
    ``Needs.disposal``; NaN for a material: its own gate fee, no recycling credit,
    ``impact.vector.score_exchanges``' ``disposal``); the plain ones when not given.
    """

    co2e_kg_per_unit: np.ndarray
    co2e_kg_per_unit_km: np.ndarray
    diverted_t_per_unit: np.ndarray
    eur_per_unit: np.ndarray
    eur_per_unit_km: np.ndarray
    eur_resale_per_unit: np.ndarray | None = None
    co2e_disposal_kg_per_unit: np.ndarray | None = None
    eur_disposal_per_unit: np.ndarray | None = None

    def __post_init__(self):
        for field, plain in (("eur_resale_per_unit", self.eur_per_unit),
                             ("co2e_disposal_kg_per_unit", self.co2e_kg_per_unit),
                             ("eur_disposal_per_unit", self.eur_per_unit)):
            if getattr(self, field) is None:
                object.__setattr__(self, field, plain)
        arrays = [np.ascontiguousarray(getattr(self, f), dtype=np.float64).reshape(-1) for f in self.__dataclass_fields__]
        if len({a.size for a in arrays}) != 1:
            raise ValueError("LinearImpact coefficients must all have one value per material")
        for f, a in zip(self.__dataclass_fields__, arrays):
            object.__setattr__(self, f, a)

    def __len__(self) -> int:
        return self.co2e_kg_per_unit.size

    @classmethod
    def tonnes_only(cls, n_materials: int) -> "LinearImpact":
        """The figures of :func:`default_impact`: tonnes diverted, nothing else known."""
        nan = np.full(n_materials, np.nan)
        return cls(nan, nan, np.ones(n_materials), nan, nan)

    def __call__(self, material_idx, quantity_t, distance_km, resale=None, disposal=None, **_) -> dict:
        mi = np.asarray(material_idx, dtype=np.int64)
        q = np.asarray(quantity_t, dtype=np.float64)
        d = np.asarray(distance_km, dtype=np.float64)
        # Same operations, in the same order, as boucle.impact.vector.score_exchanges.
        gain = self.co2e_kg_per_unit[mi]
        eur = self.eur_per_unit[mi]
        if resale is not None:
            eur = np.where(np.asarray(resale, dtype=bool), self.eur_resale_per_unit[mi], eur)
        if disposal is not None:  # a treatment and disposal operator: its own fee, no recycling credit
            gone = np.asarray(disposal, dtype=bool)
            gain = np.where(gone, self.co2e_disposal_kg_per_unit[mi], gain)
            eur = np.where(gone, self.eur_disposal_per_unit[mi], eur)
        co2 = q * (gain - d * self.co2e_kg_per_unit_km[mi]) / 1000.0
        return {
            "co2e_avoided_t": co2,
            "tonnes_diverted": q * self.diverted_t_per_unit[mi],
            "eur_saved": q * (eur - d * self.eur_per_unit_km[mi]),
            "computable": np.isfinite(co2),
        }


def _saturate(x: np.ndarray, scale: float) -> np.ndarray:
    y = np.fmax(np.asarray(x, dtype=np.float64), 0.0) / scale  # fmax: nan -> 0
    return y / (1.0 + y)


def impact_term(impact_fn, material_idx, tonnes, distance_km, weights: ScoreWeights, with_raw: bool = False,
                resale=None, disposal=None):
    """The impact part of the merit, in [0, 1): a weighted mix of saturated
    tCO2e avoided, tonnes diverted and euros saved (a missing figure counts 0). ``resale``: per pair, the
    receiver is a waste operator (``Needs.resale``), whose euros count no virgin purchase; ``disposal``: it treats
    and disposes of waste (``Needs.disposal``): a material's CO2e and euros unknown, as on the synergy page."""
    w = weights
    extra = {"resale": resale} if resale is not None and np.any(resale) else {}
    if disposal is not None and np.any(disposal):
        extra["disposal"] = disposal
    imp = (impact_fn or default_impact)(material_idx=material_idx, quantity_t=tonnes, distance_km=distance_km,
                                        **extra)
    term = (
        w.impact_co2e * _saturate(imp["co2e_avoided_t"], w.co2e_scale_t)
        + w.impact_tonnes * _saturate(imp["tonnes_diverted"], w.tonnes_scale_t)
        + w.impact_eur * _saturate(imp["eur_saved"], w.eur_scale)
    ) / (w.impact_co2e + w.impact_tonnes + w.impact_eur)
    return (term, imp) if with_raw else term


def exchanged_tonnes(supply_t: np.ndarray, demand_t: np.ndarray) -> np.ndarray:
    """What could actually move: the smaller side, or the whole offer when the
    demand is unknown."""
    supply = np.fmax(supply_t, 0.0)
    return np.where(np.isfinite(demand_t), np.minimum(supply, demand_t), supply)


def quantity_fit(supply_t: np.ndarray, demand_t: np.ndarray, unknown: float) -> np.ndarray:
    s = np.fmax(supply_t, 0.0)
    big = np.maximum(s, demand_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = np.where(big > 0, np.minimum(s, demand_t) / big, 0.0)
    return np.where(np.isfinite(demand_t) & (s > 0), fit, np.where(s > 0, unknown, 0.0))


def decay_distance(distance_km, nearest_km) -> np.ndarray:
    """The distance a pair's plausibility decays over: its distance, or for a hazardous offer
    (``Offers.nearest_km`` finite) the distance beyond the nearest installation that may receive it.
    Directive 2008/98/EC art. 16 (proximity principle): hazardous waste goes to « one of the nearest
    appropriate installations », which are few and far apart; the nearest one in the radius is not
    eliminated by distance alone, and the others rank by distance as any receiver does."""
    d = np.asarray(distance_km, dtype=np.float64)
    near = np.asarray(nearest_km, dtype=np.float64)
    if not np.isfinite(near).any():
        return d
    return np.where(np.isfinite(near), np.fmax(d - near, 0.0), d)


def score_terms(oi, ni, distance_km, compat_weight, offers, needs, impact_fn: ImpactFn | None = None, weights: ScoreWeights = ScoreWeights()) -> dict:
    """Every ingredient of the score, as arrays aligned with the pairs."""
    w = weights
    supply, demand = offers.quantity_t[oi], needs.quantity_t[ni]
    tonnes = exchanged_tonnes(supply, demand)
    impact, imp = impact_term(impact_fn, offers.cls[oi], tonnes, distance_km, w, with_raw=True,
                              resale=needs.resale[ni], disposal=needs.disposal[ni])
    fit = quantity_fit(supply, demand, w.unknown_fit)
    merit = (w.impact * impact + w.fit * fit + w.base) / (w.impact + w.fit + w.base)
    confidence = offers.confidence[oi] * needs.confidence[ni]
    inferred = np.where(needs.inferred[ni], w.inferred_factor, 1.0)
    decay = np.exp(-decay_distance(distance_km, offers.nearest_km[oi]) / w.decay_km)
    score = compat_weight * confidence * inferred * decay * merit
    return {
        "score": score,
        "tonnes": tonnes,
        "impact": imp,
        "impact_term": impact,
        "fit": fit,
        "merit": merit,
        "confidence": confidence,
        "inferred_factor": inferred,
        "decay": decay,
        "compat_weight": np.asarray(compat_weight, dtype=np.float64),
    }


def score_candidates(cands, offers, needs, impact_fn: ImpactFn | None = None, weights: ScoreWeights = ScoreWeights()) -> np.ndarray:
    """Score of each candidate pair (see module docstring); same order as ``cands``."""
    if len(cands) == 0:
        return np.zeros(0, dtype=np.float64)
    return score_terms(cands.offer_idx, cands.need_idx, cands.distance_km, cands.compat_weight, offers, needs, impact_fn, weights)["score"]
