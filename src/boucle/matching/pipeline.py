"""From declared records to ranked proposals: the one path used by `boucle match` and the evaluation.

Records in (plain dataclasses, no Django), proposals out. Steps: classify each flow's label and
EWC code into material classes (boucle.materials), add the needs inferred from each site's
activity (knowledge.infer), translate to the engine's arrays, let the engine find and score the
candidate pairs, then keep what a user should see: the pairs whose *plausibility* clears the
calibrated threshold, best first.

Why the threshold is on plausibility and not on the full score: the score also carries the
merit of an exchange (tonnes, CO2e, euros), which ranks plausible pairs but says nothing about
whether the pair is real. Plausibility = class compatibility x classification confidence x need
confidence x inferred-need factor x distance decay; it is what documented exchanges can calibrate.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import engine as eng
from . import nearest
from .additionality import rounded_list, value_proposals
from .knowledge.infer import (class_substitutes, hazardous_classes_accepted, infer_needs, infer_outputs,
                              is_waste_operator, need_temperature, site_codes, water_cascades)
from .scoring import LinearImpact, ScoreWeights, score_terms
# The default output (threshold on plausibility + at most a few receivers per offer) is decided
# in one place, selection.select_default.
from .selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, select_default
from .spatial import chord_to_km

# A second-choice class of a label counts only in proportion to how close it is to the first.
ALTERNATIVE_SHARPNESS = 1.0
MAX_CLASSES_PER_FLOW = 3
MIN_CLASS_CONFIDENCE = 0.3
# An EWC code is the declarant's own choice but coarse (one class per code): trusted fully when
# no label speaks, less than a confident label otherwise.
EWC_ALONE_CONFIDENCE = 0.9
EWC_WITH_LABEL_CONFIDENCE = 0.6
SUBSTITUTE_WEIGHT = 0.8
ENERGY_SUBSTITUTE_WEIGHT = 0.5

# Heat can go down the temperature ladder, never up (the engine also checks stated temperatures).
HEAT_CLASSES = frozenset({"waste_heat_low", "waste_heat_medium", "waste_heat_high", "steam", "hot_water"})
HEAT_CASCADE = (
    ("waste_heat_high", "waste_heat_medium", 0.9), ("waste_heat_high", "waste_heat_low", 0.9),
    ("waste_heat_medium", "waste_heat_low", 0.9), ("steam", "waste_heat_medium", 0.9),
    ("steam", "hot_water", 0.8), ("hot_water", "waste_heat_low", 1.0), ("waste_heat_low", "hot_water", 1.0),
    ("waste_heat_medium", "hot_water", 0.9),
)
WATER_GRADE = {"water_potable": 5, "water_demineralised": 5, "water_process": 4, "water_rain": 3,
               "water_cooling": 3, "water_treated_wastewater": 2, "water_irrigation": 2, "wastewater_nutrient_rich": 1,
               "wastewater_industrial": 1, "landfill_leachate": 0}
MAX_DISTANCE_KM = {"steam": 3.0, "cold": 3.0}


@dataclass(frozen=True)
class SiteIn:
    site_id: str
    lat: float
    lon: float
    naf_code: str | None = None
    activity: str | None = None
    name: str | None = None  # read only for sector words (« Cimenterie … »), never as a company


@dataclass(frozen=True)
class FlowIn:
    flow_id: str
    site_id: str
    direction: str  # "offer" | "need"
    label: str | None = None
    ewc_code: str | None = None
    kind: str | None = None
    quantity_t: float | None = None
    temperature_c: float | None = None
    hazardous: bool = False
    class_key: str | None = None  # set when a person chose the class: confidence 1
    unit: str | None = None  # the unit of quantity_t (t, MWh, m3); None: the class kind's unit
    current_route: str | None = None  # what happens to the offer today (R/D code or route key); None: unknown


@dataclass(frozen=True)
class Proposal:
    offer_site_id: str
    need_site_id: str
    offer_flow_id: str
    offer_label: str | None
    need_flow_id: str | None
    need_label: str | None
    inferred: bool
    material_class: str
    distance_km: float
    quantity: float | None
    unit: str
    co2e_avoided_t_per_year: float | None
    score: float
    plausibility: float
    explanation: dict = field(default_factory=dict, compare=False)
    # valued against the offer's current route (boucle.matching.additionality); None: unknown
    tonnes_diverted: float | None = None
    eur_saved: float | None = None
    co2e_low_t: float | None = None
    co2e_high_t: float | None = None


# --------------------------------------------------------------------------- classes


@lru_cache(maxsize=1)
def _classes():
    from boucle.materials.taxonomy import load_classes

    classes = load_classes()
    return tuple(c.key for c in classes), tuple(classes)


def _engine_kind(c) -> str:
    if c.kind == "water":
        return "water"
    if c.kind in ("equipment", "service"):
        return c.kind
    if c.group == "energy":
        return "service" if c.key == "electricity" else "heat"
    if c.physical_state == "gas":
        return "gas"
    return "material"


@lru_cache(maxsize=1)
def class_info() -> eng.ClassInfo:
    keys, classes = _classes()
    return eng.ClassInfo(
        kind=np.array([_engine_kind(c) for c in classes]),
        water_grade=np.array([WATER_GRADE.get(k, 0) for k in keys]),
        max_distance_km=np.array([MAX_DISTANCE_KM.get(k, np.nan) for k in keys]),
    )


@lru_cache(maxsize=1)
def compatibility() -> eng.Compatibility:
    """Identity, the substitutions of the impact recipes (scrap for primary steel, FGD gypsum for
    natural gypsum...), the heat cascade and the knowledge base's near-equivalent classes
    (steel slag for blast-furnace slag as aggregate, paper for board...)."""
    keys, classes = _classes()
    idx = {k: i for i, k in enumerate(keys)}
    oc, nc, w = [], [], []
    try:
        from boucle.impact.factors import default_tables

        recipes = [(r.material_key, r.replaces_key) for rs in default_tables().recipes.values() for r in rs]
    except Exception:  # impact tables absent or unreadable: identity still matches like with like
        recipes = []
    for a, b in recipes:
        if a in HEAT_CLASSES and b not in HEAT_CLASSES:
            # Accounting, not matching: recovered heat is valued as the gas a boiler would have burnt,
            # but a site that takes in natural gas as a fuel or feedstock (a power station, a glass
            # furnace, an ammonia plant) cannot run on 80 °C water. Heat needs are matched through the
            # heat classes and the cascade below.
            continue
        if a in idx and b in idx and a != b:
            energy = classes[idx[a]].kind == "energy"
            oc.append(idx[a]), nc.append(idx[b]), w.append(ENERGY_SUBSTITUTE_WEIGHT if energy else SUBSTITUTE_WEIGHT)
    for a, b, weight in HEAT_CASCADE + class_substitutes() + water_cascades():
        if a in idx and b in idx:
            oc.append(idx[a]), nc.append(idx[b]), w.append(weight)
    return eng.Compatibility.identity(len(keys)).plus(np.array(oc, dtype=np.int64), np.array(nc, dtype=np.int64), np.array(w))


def not_matchable(flow: FlowIn) -> str | None:
    """Why a flow cannot enter the matching at all, or None: a yearly total over several wastes
    (« Déchets dangereux (total déclaré) ») is information, not a material anyone can take."""
    from boucle.materials.classify import is_total_label

    if not flow.class_key and is_total_label(flow.label):
        return "total"
    return None


# Below this classification confidence a label is a guess from letters ("Lot 42" read as biscuits),
# not a recognised material (materials/README: top-1 is right 85 % of the time from 0.5 up).
RECOGNISED_CONFIDENCE = 0.5


def why_no_proposal(flow: FlowIn, site: SiteIn) -> list[str]:
    """Why the engine cannot propose this flow (or cannot infer the site's needs), as codes the
    flow's page words: ``total`` (a yearly total over several wastes), ``unknown_material``
    (neither label, code nor chosen class is a known material), ``unknown_activity`` (no NACE
    code, no known activity words, no sector word in the site's name: no need can be inferred
    for the site). Empty when nothing stands in the way."""
    reasons = []
    total = not_matchable(flow)
    if total:
        reasons.append(total)
    elif not [k for k, c in classify_flow(flow) if k in set(_classes()[0]) and c >= RECOGNISED_CONFIDENCE]:
        reasons.append("unknown_material")
    if not site_codes(site.naf_code, site.activity, site.name):
        reasons.append("unknown_activity")
    return reasons


def classify_flow(flow: FlowIn) -> list[tuple[str, float]]:
    """Material classes of a flow with confidences, best first: the chosen class, else the label
    classifier's candidates merged with the EWC code's class, restricted to the declared kind
    (material, energy, water...) when one is given, heat graded by the stated temperature."""
    if flow.class_key:
        return [(flow.class_key, 1.0)]
    return list(_classify(flow.label or "", flow.ewc_code or "", flow.kind or "", flow.temperature_c))


# Cooling water is drawn at 10-25 °C (EU BREF Industrial Cooling Systems, 2001: make-up and
# once-through water at ambient temperature); water declared at 30 °C or more is a warm return.
WARM_WATER_C = 30.0
HEAT_GRADES = (("waste_heat_low", 100.0), ("waste_heat_medium", 250.0), ("waste_heat_high", float("inf")))


@lru_cache(maxsize=65536)
def _classify(label: str, ewc_code: str, kind: str, temperature_c: float | None) -> tuple[tuple[str, float], ...]:
    from boucle.materials.classify import class_for_ewc, classify_label

    found: dict[str, float] = {}
    if label:
        for m in classify_label(label, top=MAX_CLASSES_PER_FLOW + 2):
            found[m.key] = max(found.get(m.key, 0.0), float(m.confidence))
    ewc_key = None
    if ewc_code:
        try:
            ewc_key = class_for_ewc(ewc_code)
        except (ValueError, KeyError):
            ewc_key = None
    if ewc_key:
        conf = EWC_WITH_LABEL_CONFIDENCE if found and max(found.values()) >= 0.6 else EWC_ALONE_CONFIDENCE
        if ewc_key in found:  # label and code agree: both sources back the class
            conf = min(1.0, max(found[ewc_key], conf) + 0.1)
        found[ewc_key] = max(found.get(ewc_key, 0.0), conf)
    if kind:
        _, classes = _classes()
        kinds = {c.key: c.kind for c in classes}
        same = {k: v for k, v in found.items() if kinds.get(k) == kind}
        found = same or found
    if temperature_c is not None and temperature_c >= WARM_WATER_C and "water_cooling" in found:
        # water that comes back warm from cooling is a heat source, not cooling water
        found["waste_heat_low"] = max(found.get("waste_heat_low", 0.0), found.pop("water_cooling"))
    if temperature_c is not None and any(k.startswith("waste_heat_") for k in found):
        grade = next(k for k, limit in HEAT_GRADES if temperature_c < limit)
        heat = max(v for k, v in found.items() if k.startswith("waste_heat_"))
        found = {k: v for k, v in found.items() if not k.startswith("waste_heat_")}
        found[grade] = heat
    if not found:
        return ()
    top = max(found.values())
    ranked = sorted(((k, c * (c / top) ** ALTERNATIVE_SHARPNESS) for k, c in found.items()), key=lambda t: (-t[1], t[0]))
    return tuple((k, round(c, 4)) for k, c in ranked[:MAX_CLASSES_PER_FLOW]
                 if c >= MIN_CLASS_CONFIDENCE and c >= 0.5 * top)


# How much a class that the provider's activity typically gives off (EWC chapters) gains when the
# label hesitates: "black furnace slag" from a steelworks is more likely slag of either kind.
OUTPUT_PRIOR = 0.15


def _with_output_prior(classes: list[tuple[str, float]], site: SiteIn, memo: dict | None = None) -> list[tuple[str, float]]:
    if len(classes) < 2:
        return classes
    typical = {o.class_key: o.weight for o in _per_activity(memo, infer_outputs, site)}
    if not typical:
        return classes
    out = [(k, round(min(1.0, c + OUTPUT_PRIOR * typical.get(k, 0.0)), 4)) for k, c in classes]
    return sorted(out, key=lambda t: (-t[1], t[0]))


@lru_cache(maxsize=1)
def _linear_impact() -> LinearImpact | None:
    """The impact colleague's model (``boucle.impact.vector``) as per-class coefficients in our
    class order; a class it does not know counts its tonnes only (co2e and euros unknown). Same
    figures as calling ``score_exchanges``, and the compiled search can read them. None if absent."""
    try:
        from boucle.impact.vector import linear_coefficients, material_index
    except Exception:
        return None
    keys, _ = _classes()
    imap = material_index()
    mi = np.array([imap.get(k, -1) for k in keys], dtype=np.int64)
    known = mi >= 0
    coef = {name: np.where(known, values, np.nan)
            for name, values in linear_coefficients(np.where(known, mi, 0)).items()}
    # A tonnage the model cannot compute is still the tonnage moved.
    coef["diverted_t_per_unit"] = np.where(np.isnan(coef["diverted_t_per_unit"]), 1.0, coef["diverted_t_per_unit"])
    return LinearImpact(**coef)


# --------------------------------------------------------------------------- propose


def _per_activity(memo: dict | None, fn, site: SiteIn):
    """``fn(naf_code, activity, name)`` once per distinct site description of a run (a region has
    50,000 sites and far fewer descriptions)."""
    if memo is None:
        return fn(site.naf_code, site.activity, site.name)
    key = (fn, site.naf_code, site.activity, site.name)
    if key not in memo:
        memo[key] = fn(site.naf_code, site.activity, site.name)
    return memo[key]


@lru_cache(maxsize=None)
def _kind_unit(class_key: str) -> str:
    """The unit a quantity of this class is counted in when the flow does not say: t, MWh or m3."""
    from boucle.flows.units import KIND_BASE_UNIT

    _, classes = _classes()
    kind = next((c.kind for c in classes if c.key == class_key), "material")
    return KIND_BASE_UNIT.get(kind, "unit")


def _nan(x) -> float:
    return np.nan if x is None else float(x)


def _terms(cands: eng.Candidates, offers: eng.Offers, needs: eng.Needs, weights: ScoreWeights) -> dict:
    """Score terms of the candidate pairs, with the plausibility the threshold applies to."""
    terms = score_terms(cands.offer_idx, cands.need_idx, cands.distance_km, cands.compat_weight, offers, needs,
                        _linear_impact(), weights)
    terms["plausibility"] = terms["compat_weight"] * terms["confidence"] * terms["inferred_factor"] * terms["decay"]
    return terms


def select_pairs(o_flow: np.ndarray, n_site: np.ndarray, n_flow: np.ndarray, score: np.ndarray, plaus: np.ndarray,
                 threshold: float, per_offer: int | None = None, by_plausibility: bool = False) -> np.ndarray:
    """Positions of the candidate pairs a user sees, best first: plausibility at least
    ``threshold``; one proposal per (offer flow, receiving site, need flow) -- several classes of
    an offer or several inferred needs of a site are one suggestion -- its best pair; an inferred
    need dropped where a declared need of the same site takes the offer; then at most
    ``per_offer`` receivers per offer flow, best score first (``by_plausibility``: the default
    output's ``selection.select_default``, most plausible first). Ties never depend on input order:
    ``o_flow``, ``n_site`` and ``n_flow`` (-1: inferred) are ranks of the ids; among exact
    duplicates the first pair in ``(need, offer)`` order wins."""
    # Only pairs above the threshold can be shown: cut first, sort the (much smaller) rest.
    live = np.flatnonzero(plaus >= threshold)
    # (offer flow, receiving site, need flow) as one integer when it fits: fewer sort keys.
    n_sites, n_flows = int(n_site.max(initial=0)) + 1, int(max(o_flow.max(initial=0), n_flow.max(initial=0))) + 2
    if n_flows * n_sites * n_flows < 2**62:
        receiver = (o_flow[live] * n_sites + n_site[live]) * n_flows + (n_flow[live] + 1)
        order = live[np.lexsort((-score[live], -plaus[live], receiver))]
        receiver = (o_flow[order] * n_sites + n_site[order]) * n_flows + (n_flow[order] + 1)
        first = np.r_[True, receiver[1:] != receiver[:-1]] if order.size else np.zeros(0, dtype=bool)
    else:
        order = live[np.lexsort((-score[live], -plaus[live], n_flow[live], n_site[live], o_flow[live]))]
        first = np.ones(order.size, dtype=bool)
        first[1:] = (np.diff(o_flow[order]) != 0) | (np.diff(n_site[order]) != 0) | (np.diff(n_flow[order]) != 0)
    sel = order[first]
    site_key = o_flow[sel] * n_sites + n_site[sel]
    declared = n_flow[sel] >= 0
    if declared.any():  # a declared need of that site already carries the suggestion
        taken = np.sort(site_key[declared])
        at = np.minimum(np.searchsorted(taken, site_key), taken.size - 1)
        sel = sel[declared | (taken[at] != site_key)]
    if n_flows * n_sites * n_flows < 2**62:
        receiver = (o_flow[sel] * n_sites + n_site[sel]) * n_flows + (n_flow[sel] + 1)
        sel = sel[np.lexsort((receiver, -plaus[sel], -score[sel]))]
    else:
        sel = sel[np.lexsort((n_flow[sel], n_site[sel], o_flow[sel], -plaus[sel], -score[sel]))]
    if per_offer is not None and by_plausibility:
        pos = select_default(o_flow[sel], plaus[sel], score[sel], threshold=threshold, max_per_offer=per_offer,
                             tie=np.arange(sel.size))
        sel = sel[np.sort(pos)]  # restore the global best-first order
    elif per_offer is not None:
        pos = eng.top_k_per(o_flow[sel], score[sel], per_offer, tie=np.arange(sel.size))
        sel = sel[np.sort(pos)]  # top_k_per groups by offer; restore the global best-first order
    return sel


def _unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sort: numpy's hashing unique is slower on millions of int64)."""
    a = np.sort(a)
    return a[np.r_[True, a[1:] != a[:-1]]] if a.size else a


def _csr(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(group, kind="stable")
    ptr = np.zeros(n_groups + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(group, minlength=n_groups))
    return ptr, order


def _cross(ptr_a, idx_a, ga, ptr_b, idx_b, gb) -> tuple[np.ndarray, np.ndarray]:
    """Every (a, b) with a in group ``ga[u]`` and b in group ``gb[u]``, for each u."""
    na, nb = ptr_a[ga + 1] - ptr_a[ga], ptr_b[gb + 1] - ptr_b[gb]
    size = na * nb
    u = np.repeat(np.arange(ga.size), size)
    j = np.arange(u.size) - np.repeat(np.cumsum(size) - size, size)
    return idx_a[ptr_a[ga[u]] + j // nb[u]], idx_b[ptr_b[gb[u]] + j % nb[u]]


@lru_cache(maxsize=8)
def _class_pair_tables(radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Compat weight (0: not compatible or not allowed) and reach in km, per (offer class, need class)."""
    info, compat = class_info(), compatibility()
    n = len(info)
    weight, reach = np.zeros((n, n)), np.zeros((n, n))
    for oc, nc, w in zip(compat.offer_cls.tolist(), compat.need_cls.tolist(), compat.weight.tolist()):
        if eng.class_pair_allowed(info, oc, nc):
            weight[oc, nc], reach[oc, nc] = w, eng.pair_radius_km(info, oc, nc, radius_km)
    return weight, reach


def _pairs_to_candidates(sites_arr, offers, needs, oi, ni, radius_km) -> eng.Candidates:
    """Candidates for listed pairs, with the hard rules of :func:`engine.find_candidates` (compatible
    classes, reach, flow rules); km from the chord, sorted by (need, offer) like it."""
    weight, reach = _class_pair_tables(radius_km)
    oc, nc = offers.cls[oi], needs.cls[ni]
    xyz = sites_arr.xyz
    diff = xyz[offers.site[oi]] - xyz[needs.site[ni]]
    km = chord_to_km(np.sqrt((diff * diff).sum(axis=1)))
    ok = (weight[oc, nc] > 0) & (km <= reach[oc, nc] * (1 + 1e-12))
    ok &= eng.flow_rules_mask(offers, needs, class_info(), oi, ni)
    oi, ni, km = oi[ok], ni[ok], km[ok]
    order = np.lexsort((oi, ni))
    return eng.Candidates(oi[order], ni[order], km[order], weight[offers.cls[oi[order]], needs.cls[ni[order]]])


# Needs searched per offer row at first, as (a, b): a x cap + b. Several rows of a need (its classes)
# or inferred needs of one site count as one receiver, hence the margin; rows that need more are
# searched again (see _bounded_selection).
FIRST_GUESS = (1, 3)


def _bounded_selection(sites_arr, offers, needs, radius_km, weights, threshold, cap, o_flow_of, n_site_of, n_flow_of,
                       pair_filter, by_plausibility, threads: int = -1):
    """:func:`select_pairs` over every pair in reach, computed from a bounded set of them.

    The compiled search gives each offer row its ``m`` best needs above the threshold (and the
    rank below which it left some out); the pairs are rescored here exactly as the enumeration
    scores them, together with the declared needs of each receiving site (an inferred need is
    dropped where one of them qualifies), and selected. The selection is then the full one if
    every row that left needs out cut strictly below the last score kept for its offer flow;
    rows where that does not hold are searched again with ``m`` four times larger."""
    impact, info, compat = _linear_impact(), class_info(), compatibility()
    n_off = len(offers)
    m = max(1, FIRST_GUESS[0] * cap + FIRST_GUESS[1])
    found_o = np.zeros(0, dtype=np.int64)
    found_n = np.zeros(0, dtype=np.int64)
    cut = np.full(n_off, -np.inf)
    rows = np.arange(n_off)
    n_flows = int(max(o_flow_of.max(initial=-1), n_flow_of.max(initial=-1))) + 1
    n_sites = len(sites_arr)
    decl = np.flatnonzero(n_flow_of >= 0)
    site_ptr, site_idx = _csr(needs.site[decl], n_sites)
    site_idx = decl[site_idx]
    flow_ptr, flow_idx = _csr(o_flow_of, n_flows)
    kernel_threshold = threshold - 1e-9 * abs(threshold)  # the exact test is select_pairs'
    pending = np.ones(n_flows, dtype=bool)  # offer flows whose selection is not proven yet
    settled_o, settled_n = [], []  # the selected pairs of the flows proven
    rounds = 0
    while True:
        rounds += 1
        top = nearest.best_needs_per_offer(sites_arr, offers, needs, info, compat, radius_km, m, impact, weights,
                                           threads, threshold=kernel_threshold, rows=rows,
                                           by_plausibility=by_plausibility)
        again = np.zeros(n_off, dtype=bool)
        again[rows] = True
        keep = ~again[found_o]
        found_o = np.concatenate([found_o[keep], top.candidates.offer_idx])
        found_n = np.concatenate([found_n[keep], top.candidates.need_idx])
        cut[rows] = top.cut
        mine = pending[o_flow_of[found_o]]
        fo, fn = found_o[mine], found_n[mine]
        # Declared needs of the sites that receive an inferred need: one of them may take it over.
        inferred_at = n_flow_of[fn] < 0
        if inferred_at.any():
            key = _unique(o_flow_of[fo[inferred_at]] * n_sites + needs.site[fn[inferred_at]])
            extra_o, extra_n = _cross(flow_ptr, flow_idx, key // n_sites, site_ptr, site_idx, key % n_sites)
            fo, fn = np.concatenate([fo, extra_o]), np.concatenate([fn, extra_n])
        pair = _unique(fo * len(needs) + fn)
        cands = pair_filter(_pairs_to_candidates(sites_arr, offers, needs, pair // len(needs), pair % len(needs),
                                                 radius_km))
        terms = _terms(cands, offers, needs, weights)
        score = terms["plausibility"] if by_plausibility else terms["score"]  # what the search ranked by
        sel = select_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                           terms["score"], terms["plausibility"], threshold, cap, by_plausibility)
        # The last score kept per offer flow (-inf when fewer than ``cap`` receivers were found).
        flows_sel = o_flow_of[cands.offer_idx[sel]]
        full = np.bincount(flows_sel, minlength=n_flows) >= cap
        kept_min = np.full(n_flows, np.inf)
        np.minimum.at(kept_min, flows_sel, score[sel])
        bar = np.where(full, kept_min, -np.inf)[o_flow_of]
        # Strictly below, with room for the last bits of exp and asin in the compiled scores.
        short = pending[o_flow_of] & np.isfinite(cut) & (cut >= bar - 1e-9 * np.abs(bar))
        if rounds == 1 and not short.any():
            return cands, terms, sel
        still = np.zeros(n_flows, dtype=bool)
        still[o_flow_of[short]] = True
        done = ~still[flows_sel]
        settled_o.append(cands.offer_idx[sel[done]])
        settled_n.append(cands.need_idx[sel[done]])
        if not short.any():
            break
        pending = still
        rows = np.flatnonzero(short)
        cut[rows] = -np.inf
        m *= 4
    # The selection of selected pairs is themselves (one per receiver, at most ``cap`` per offer,
    # none an inferred need whose site's declared need qualifies): select once more for the order.
    oi, ni = np.concatenate(settled_o), np.concatenate(settled_n)
    cands = pair_filter(_pairs_to_candidates(sites_arr, offers, needs, oi, ni, radius_km))
    terms = _terms(cands, offers, needs, weights)
    sel = select_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                       terms["score"], terms["plausibility"], threshold, cap, by_plausibility)
    return cands, terms, sel


def resale_filter(offers: eng.Offers, needs: eng.Needs, waste_op: np.ndarray | None):
    """The candidate filter of the default output: a sorted secondary material goes to a user of it,
    not from one recycler or waste operator to the next (a declared need of a recycler still counts).
    ``waste_op``: per site, None when needs are not inferred."""
    def pair_filter(cands: eng.Candidates) -> eng.Candidates:
        if waste_op is None or len(cands) == 0:
            return cands
        resale = waste_op[offers.site[cands.offer_idx]] & waste_op[needs.site[cands.need_idx]] & needs.inferred[cands.need_idx]
        return cands.take(np.flatnonzero(~resale)) if resale.any() else cands
    return pair_filter


def select_arrays(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op, radius_km: float,
                  threshold: float, cap: int | None, by_plausibility: bool, weights: ScoreWeights = ScoreWeights(),
                  exhaustive: bool = False, threads: int = -1):
    """The array part of :func:`propose`: candidates, their terms and the positions shown, best first
    (compiled bounded search when a cap per offer is set, else every pair in reach). One function for
    the single run and for each tile of a partitioned run (:mod:`.partition`)."""
    pair_filter = resale_filter(offers, needs, waste_op)
    bounded = cap is not None and not exhaustive and nearest.compiled_search_usable(offers, needs, weights)
    if bounded:
        return _bounded_selection(sites_arr, offers, needs, radius_km, weights, threshold, cap,
                                  o_flow_of, n_site_of, n_flow_of, pair_filter, by_plausibility, threads)
    cands = pair_filter(eng.find_candidates(sites_arr, offers, needs, class_info(), compatibility(),
                                            radius_km=radius_km))
    terms = _terms(cands, offers, needs, weights)
    sel = select_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                       terms["score"], terms["plausibility"], threshold, cap, by_plausibility)
    return cands, terms, sel


@contextmanager
def bulk_allocation():
    """No cyclic garbage collection while a run allocates millions of small objects (rows,
    proposals, output lines, none of them in cycles): each collection would walk them all again,
    which costs a dense region a third of its time. Collection resumes (and runs) at the end."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def propose(sites: list[SiteIn], flows: list[FlowIn], radius_km: float = 200.0, inferred: bool = True,
            top: int | None = None, threshold: float | None = None,
            weights: ScoreWeights = ScoreWeights(), exhaustive: bool = False,
            workers: int | None = None) -> list[Proposal]:
    """Proposals, best first.

    With neither ``top`` nor ``threshold``: the default output, what the platform shows
    (``selection.select_default``: calibrated plausibility threshold, at most
    MAX_RECEIVERS_PER_OFFER receivers per offer). ``top`` keeps the N best per offer by score;
    with ``top`` and no explicit ``threshold`` nothing is cut by plausibility (ranking mode). An
    explicit ``threshold`` alone cuts by plausibility only (every candidate with 0).

    With a cap per offer (the default output or ``top``) the receivers come from the compiled
    best-first search of :mod:`.nearest` in memory bounded by the flows (never every pair in
    reach), then the same selection as the full enumeration keeps them: the result is the full
    enumeration's, exactly (``exhaustive=True`` runs that enumeration, for tests and checks).
    ``workers``: the same rows computed tile by tile over that many processes
    (:mod:`.partition`)."""
    default_output = top is None and threshold is None
    if threshold is None:
        threshold = 0.0 if top is not None else DEFAULT_THRESHOLD
    keys, _ = _classes()
    cidx = {k: i for i, k in enumerate(keys)}
    site_pos = {s.site_id: i for i, s in enumerate(sites)}
    sites_arr = eng.Sites(np.array([s.lat for s in sites], dtype=float), np.array([s.lon for s in sites], dtype=float))
    flows_by_id = {f.flow_id: f for f in flows}

    o_rows, n_rows = [], []  # (flow_id | None, site_pos, class_key, confidence, extra)
    sites_by_id = {s.site_id: s for s in sites}
    memo: dict = {}
    for f in flows:
        if f.site_id not in site_pos or not_matchable(f):
            continue
        classes = classify_flow(f)
        if f.direction == "offer" and not f.class_key and OUTPUT_PRIOR:
            classes = _with_output_prior(classes, sites_by_id[f.site_id], memo)
        for key, conf in classes:
            if key not in cidx:
                continue
            (o_rows if f.direction == "offer" else n_rows).append((f.flow_id, site_pos[f.site_id], key, conf, None))
    declared = {(r[1], r[2]) for r in n_rows}
    if inferred:
        for s in sites:
            for need in _per_activity(memo, infer_needs, s):
                if (site_pos[s.site_id], need.class_key) not in declared and need.class_key in cidx:
                    n_rows.append((None, site_pos[s.site_id], need.class_key, need.weight, need))
    if not o_rows or not n_rows:
        return []

    hazard_ok: dict[int, frozenset[str] | None] = {}
    for i, s in enumerate(sites):
        hazard_ok[i] = _per_activity(memo, hazardous_classes_accepted, s)

    def _inferred_temperature(site: SiteIn, key: str) -> float:
        memo_key = (need_temperature, site.naf_code, site.activity, key)
        if memo_key not in memo:
            memo[memo_key] = _nan(need_temperature(site.naf_code, site.activity, key))
        return memo[memo_key]

    def accepts(site: int, key: str) -> bool:
        acc = hazard_ok[site]
        return acc is None or key in acc

    offers = eng.Offers(
        site=np.array([r[1] for r in o_rows]), cls=np.array([cidx[r[2]] for r in o_rows]),
        quantity_t=np.array([_nan(flows_by_id[r[0]].quantity_t) for r in o_rows]),
        temperature_c=np.array([_nan(flows_by_id[r[0]].temperature_c) for r in o_rows]),
        hazardous=np.array([bool(flows_by_id[r[0]].hazardous) for r in o_rows]),
        confidence=np.array([r[3] for r in o_rows]))
    needs = eng.Needs(
        site=np.array([r[1] for r in n_rows]), cls=np.array([cidx[r[2]] for r in n_rows]),
        quantity_t=np.array([_nan(flows_by_id[r[0]].quantity_t) if r[0] else np.nan for r in n_rows]),
        temperature_c=np.array([_nan(flows_by_id[r[0]].temperature_c) if r[0] else _inferred_temperature(sites[r[1]], r[2])
                                for r in n_rows]),
        inferred=np.array([r[0] is None for r in n_rows]),
        confidence=np.array([r[3] for r in n_rows]),
        accepts_hazardous=np.array([accepts(r[1], r[2]) for r in n_rows]))
    # Ranks of flows and sites by their ids: ties are broken by them, so the output never depends on
    # the order of the input lists.
    flow_rank = {fid: i for i, fid in enumerate(sorted(flows_by_id))}
    site_rank = np.argsort(np.argsort(np.array([s.site_id for s in sites], dtype=object)))
    o_flow_of = np.array([flow_rank[r[0]] for r in o_rows], dtype=np.int64)
    n_flow_of = np.array([flow_rank[r[0]] if r[0] else -1 for r in n_rows], dtype=np.int64)
    n_site_of = site_rank[needs.site]
    # A sorted secondary material goes to a user of it, not from one recycler or waste operator to
    # the next (a declared need of a recycler still counts).
    waste_op = np.array([is_waste_operator(s.naf_code, s.activity, s.name) for s in sites], dtype=bool) \
        if inferred else None

    cap = MAX_RECEIVERS_PER_OFFER if default_output else top
    by_plausibility = default_output  # the default output ranks an offer's receivers by plausibility
    if workers is not None:  # tiles over worker processes, same rows (boucle.matching.partition)
        from .partition import Problem, run_partitioned

        problem = Problem(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op, radius_km, threshold,
                          cap, by_plausibility, weights, exhaustive)
        cands, _score, _plaus = run_partitioned(problem, workers=workers).candidates()
        terms = _terms(cands, offers, needs, weights)
        sel = np.arange(len(cands))
    else:
        cands, terms, sel = select_arrays(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op,
                                          radius_km, threshold, cap, by_plausibility, weights, exhaustive)
    if sel.size == 0:
        return []
    score, plaus = terms["score"], terms["plausibility"]

    # Python lists once (half a million proposals in a dense region: no numpy scalar per field).
    rounded = [rounded_list(a[sel], d) for a, d in (
        (cands.distance_km, 3), (terms["impact"]["co2e_avoided_t"], 3), (score, 6), (plaus, 6),
        (terms["compat_weight"], 4))]
    cols = [cands.offer_idx[sel].tolist(), cands.need_idx[sel].tolist(), *rounded,
            terms["inferred_factor"][sel].tolist(), rounded_list(terms["decay"][sel], 4), rounded_list(terms["merit"][sel], 4)]
    out: list[Proposal] = []
    for o, n, km, co2, sc, pl, cw, inf, dec, mer in zip(*cols):
        offer_id, need_id, nrow = o_rows[o][0], n_rows[n][0], n_rows[n]
        of, rule = flows_by_id[offer_id], nrow[4]
        out.append(Proposal(
            offer_site_id=of.site_id, need_site_id=sites[nrow[1]].site_id, offer_flow_id=offer_id,
            offer_label=of.label, need_flow_id=need_id, need_label=flows_by_id[need_id].label if need_id else None,
            inferred=need_id is None, material_class=o_rows[o][2],
            distance_km=km,
            quantity=of.quantity_t, unit=of.unit or _kind_unit(o_rows[o][2]),
            co2e_avoided_t_per_year=co2,
            score=sc, plausibility=pl,
            explanation={
                "offer_class": o_rows[o][2], "offer_class_confidence": o_rows[o][3],
                "need_class": nrow[2], "need_confidence": nrow[3],
                "compatibility": cw,
                "inferred_factor": inf,
                "distance_decay": dec,
                "merit": mer,
                "rule_id": rule.rule_id if rule else None,
                "source": rule.source if rule else None,
                # What the wording needs (matching.wording): which activity's rule, declared or
                # inferred, hazard.
                "receiver_activity": rule.rule_id.split(":")[1] if rule and rule.rule_id.count(":") >= 2 else None,
                "declared_need": need_id is not None,
                "hazardous": bool(of.hazardous),
            }))
    return value_proposals(out, flows_by_id, sites_by_id)
