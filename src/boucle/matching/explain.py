"""Why a candidate was proposed, term by term, for the few pairs on screen.

Computed lazily: the ranking only needs one float per pair, a person reading a
suggestion needs the parts (and a facilitator checking a threshold needs to see
which term pulled a pair down). Values are plain numbers and codes so the UI
can translate them; nothing here is phrased for display.
"""

from __future__ import annotations

import math

import numpy as np

from .scoring import ScoreWeights, score_terms


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def explain(i: int, cands, offers, needs, classinfo=None, impact_fn=None, weights: ScoreWeights = ScoreWeights(), class_keys=None) -> dict:
    """Everything behind candidate ``i``'s score; ``class_keys`` (sequence of
    class keys by index) makes the classes readable."""
    oi, ni = cands.offer_idx[i : i + 1], cands.need_idx[i : i + 1]
    t = score_terms(oi, ni, cands.distance_km[i : i + 1], cands.compat_weight[i : i + 1], offers, needs, impact_fn, weights)
    o, n = int(oi[0]), int(ni[0])
    oc, nc = int(offers.cls[o]), int(needs.cls[n])

    def key(c):
        return class_keys[c] if class_keys is not None else c

    reasons = []
    if oc == nc:
        reasons.append({"code": "same_class", "class": key(oc)})
    else:
        reasons.append({"code": "substitution", "offer_class": key(oc), "need_class": key(nc), "weight": float(cands.compat_weight[i])})
    if needs.inferred[n]:
        reasons.append({"code": "inferred_need", "factor": weights.inferred_factor})
    if offers.hazardous[o]:
        reasons.append({"code": "hazardous_to_authorised_site"})
    if np.isnan(needs.quantity_t[n]):
        reasons.append({"code": "demand_unknown", "fit_assumed": weights.unknown_fit})
    if classinfo is not None:
        kind = str(classinfo.kind[oc])
        if kind == "heat":
            reasons.append({"code": "heat", "offer_c": _num(offers.temperature_c[o]), "need_c": _num(needs.temperature_c[n]), "max_km": _num(classinfo.max_distance_km[oc])})
        elif kind == "water":
            reasons.append({"code": "water_grade", "offer_grade": int(classinfo.water_grade[oc]), "need_grade": int(classinfo.water_grade[nc])})

    imp = t["impact"]
    return {
        "offer_idx": o,
        "need_idx": n,
        "offer_class": key(oc),
        "need_class": key(nc),
        "distance_km": float(cands.distance_km[i]),
        "supply_t": _num(offers.quantity_t[o]),
        "demand_t": _num(needs.quantity_t[n]),
        "exchanged_t": float(t["tonnes"][0]),
        "impact": {
            "co2e_avoided_t": _num(imp["co2e_avoided_t"][0]),
            "tonnes_diverted": _num(imp["tonnes_diverted"][0]),
            "eur_saved": _num(imp["eur_saved"][0]),
            "computable": bool(imp["computable"][0]),
        },
        "terms": {
            name: float(t[name][0])
            for name in ("impact_term", "fit", "merit", "confidence", "inferred_factor", "decay", "compat_weight")
        },
        "score": float(t["score"][0]),
        "reasons": reasons,
    }
