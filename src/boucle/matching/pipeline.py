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

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import engine as eng
from .additionality import value_proposals
from .knowledge.infer import (class_substitutes, hazardous_classes_accepted, infer_needs, infer_outputs,
                              is_waste_operator, need_temperature, site_codes, water_cascades)
from .scoring import ScoreWeights, score_terms
# The default output (threshold on plausibility + at most a few receivers per offer) is decided
# in one place, selection.select_default.
from .selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, select_default

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


def _with_output_prior(classes: list[tuple[str, float]], site: SiteIn) -> list[tuple[str, float]]:
    if len(classes) < 2:
        return classes
    typical = {o.class_key: o.weight for o in infer_outputs(site.naf_code, site.activity, site.name)}
    if not typical:
        return classes
    out = [(k, round(min(1.0, c + OUTPUT_PRIOR * typical.get(k, 0.0)), 4)) for k, c in classes]
    return sorted(out, key=lambda t: (-t[1], t[0]))


def _impact_fn():
    """The impact colleague's vectorised model, re-indexed to our class order; None if absent."""
    try:
        from boucle.impact.vector import material_index, score_exchanges
    except Exception:
        return None
    keys, _ = _classes()
    imap = material_index()
    remap = np.array([imap.get(k, -1) for k in keys], dtype=np.int64)

    def fn(material_idx, quantity_t, distance_km, **_):
        mi = remap[np.asarray(material_idx, dtype=np.int64)]
        ok = mi >= 0
        out = {k: np.full(mi.shape, np.nan) for k in ("co2e_avoided_t", "tonnes_diverted", "eur_saved")}
        if ok.any():
            res = score_exchanges(mi[ok], np.asarray(quantity_t)[ok], np.asarray(distance_km)[ok])
            for k in out:
                out[k][ok] = res[k]
        out["tonnes_diverted"] = np.where(np.isnan(out["tonnes_diverted"]), np.nan_to_num(quantity_t), out["tonnes_diverted"])
        out["computable"] = np.isfinite(out["co2e_avoided_t"])
        return out

    return fn


# --------------------------------------------------------------------------- propose


def _kind_unit(class_key: str) -> str:
    """The unit a quantity of this class is counted in when the flow does not say: t, MWh or m3."""
    from boucle.flows.units import KIND_BASE_UNIT

    _, classes = _classes()
    kind = next((c.kind for c in classes if c.key == class_key), "material")
    return KIND_BASE_UNIT.get(kind, "unit")


def _nan(x) -> float:
    return np.nan if x is None else float(x)


def propose(sites: list[SiteIn], flows: list[FlowIn], radius_km: float = 200.0, inferred: bool = True,
            top: int | None = None, threshold: float | None = None,
            weights: ScoreWeights = ScoreWeights()) -> list[Proposal]:
    """Proposals, best first.

    With neither ``top`` nor ``threshold``: the default output, what the platform shows
    (``selection.select_default``: calibrated plausibility threshold, at most
    MAX_RECEIVERS_PER_OFFER receivers per offer). ``top`` keeps the N best per offer by score;
    with ``top`` and no explicit ``threshold`` nothing is cut by plausibility (ranking mode). An
    explicit ``threshold`` alone cuts by plausibility only (every candidate with 0)."""
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
    for f in flows:
        if f.site_id not in site_pos or not_matchable(f):
            continue
        classes = classify_flow(f)
        if f.direction == "offer" and not f.class_key and OUTPUT_PRIOR:
            classes = _with_output_prior(classes, sites_by_id[f.site_id])
        for key, conf in classes:
            if key not in cidx:
                continue
            (o_rows if f.direction == "offer" else n_rows).append((f.flow_id, site_pos[f.site_id], key, conf, None))
    declared = {(r[1], r[2]) for r in n_rows}
    if inferred:
        for s in sites:
            for need in infer_needs(s.naf_code, s.activity, s.name):
                if (site_pos[s.site_id], need.class_key) not in declared and need.class_key in cidx:
                    n_rows.append((None, site_pos[s.site_id], need.class_key, need.weight, need))
    if not o_rows or not n_rows:
        return []

    hazard_ok: dict[int, frozenset[str] | None] = {}
    for i, s in enumerate(sites):
        hazard_ok[i] = hazardous_classes_accepted(s.naf_code, s.activity, s.name)

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
        temperature_c=np.array([_nan(flows_by_id[r[0]].temperature_c) if r[0] else
                                _nan(need_temperature(sites[r[1]].naf_code, sites[r[1]].activity, r[2]))
                                for r in n_rows]),
        inferred=np.array([r[0] is None for r in n_rows]),
        confidence=np.array([r[3] for r in n_rows]),
        accepts_hazardous=np.array([accepts(r[1], r[2]) for r in n_rows]))
    cands = eng.find_candidates(sites_arr, offers, needs, class_info(), compatibility(), radius_km=radius_km)
    if len(cands) and inferred:
        # A sorted secondary material goes to a user of it, not from one recycler or waste
        # operator to the next (a declared need of a recycler still counts).
        waste_op = np.array([is_waste_operator(s.naf_code, s.activity, s.name) for s in sites], dtype=bool)
        resale = waste_op[offers.site[cands.offer_idx]] & waste_op[needs.site[cands.need_idx]] & needs.inferred[cands.need_idx]
        if resale.any():
            cands = cands.take(np.flatnonzero(~resale))
    if len(cands) == 0:
        return []
    terms = score_terms(cands.offer_idx, cands.need_idx, cands.distance_km, cands.compat_weight, offers, needs,
                        _impact_fn(), weights)
    plaus = terms["compat_weight"] * terms["confidence"] * terms["inferred_factor"] * terms["decay"]
    score = terms["score"]

    # One proposal per (offer flow, receiving site, need flow): several classes of the same offer
    # or several inferred needs of the same site are one suggestion to a user. Vectorised: a
    # territory yields hundreds of thousands of candidate pairs.
    flow_rank = {fid: i for i, fid in enumerate(sorted(flows_by_id))}
    site_rank = np.argsort(np.argsort(np.array([s.site_id for s in sites], dtype=object)))
    # Only pairs above the threshold can be shown: cut first, sort the (much smaller) rest.
    live = np.flatnonzero(plaus >= threshold)
    o_flow = np.full(len(cands), -1, dtype=np.int64)
    n_flow, n_site = o_flow.copy(), o_flow.copy()
    o_flow[live] = np.array([flow_rank[r[0]] for r in o_rows], dtype=np.int64)[cands.offer_idx[live]]
    n_flow[live] = np.array([flow_rank[r[0]] if r[0] else -1 for r in n_rows], dtype=np.int64)[cands.need_idx[live]]
    n_site[live] = site_rank[needs.site[cands.need_idx[live]]]
    order = live[np.lexsort((-score[live], -plaus[live], n_flow[live], n_site[live], o_flow[live]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (np.diff(o_flow[order]) != 0) | (np.diff(n_site[order]) != 0) | (np.diff(n_flow[order]) != 0)
    sel = order[first]
    declared = {(a, b) for a, b, c in zip(o_flow[sel].tolist(), n_site[sel].tolist(), n_flow[sel].tolist()) if c >= 0}
    if declared:  # a declared need of that site already carries the suggestion
        keep = [c >= 0 or (a, b) not in declared for a, b, c in zip(o_flow[sel].tolist(), n_site[sel].tolist(), n_flow[sel].tolist())]
        sel = sel[np.array(keep, dtype=bool)]
    sel = sel[np.lexsort((n_flow[sel], n_site[sel], o_flow[sel], -plaus[sel], -score[sel]))]
    if default_output:
        pos = select_default(o_flow[sel], plaus[sel], score[sel], threshold=threshold,
                             max_per_offer=MAX_RECEIVERS_PER_OFFER, tie=np.arange(sel.size))
        sel = sel[np.sort(pos)]  # restore the global best-first order
    elif top is not None:
        pos = eng.top_k_per(o_flow[sel], score[sel], top, tie=np.arange(sel.size))
        sel = sel[np.sort(pos)]  # top_k_per groups by offer; restore the global best-first order

    co2_all = terms["impact"]["co2e_avoided_t"]
    out: list[Proposal] = []
    for p in sel.tolist():
        o, n = int(cands.offer_idx[p]), int(cands.need_idx[p])
        offer_id, need_id, nrow = o_rows[o][0], n_rows[n][0], n_rows[n]
        of, rule, co2 = flows_by_id[offer_id], nrow[4], co2_all[p]
        out.append(Proposal(
            offer_site_id=of.site_id, need_site_id=sites[nrow[1]].site_id, offer_flow_id=offer_id,
            offer_label=of.label, need_flow_id=need_id, need_label=flows_by_id[need_id].label if need_id else None,
            inferred=need_id is None, material_class=o_rows[o][2],
            distance_km=round(float(cands.distance_km[p]), 3),
            quantity=of.quantity_t, unit=of.unit or _kind_unit(o_rows[o][2]),
            co2e_avoided_t_per_year=None if not np.isfinite(co2) else round(float(co2), 3),
            score=round(float(score[p]), 6), plausibility=round(float(plaus[p]), 6),
            explanation={
                "offer_class": o_rows[o][2], "offer_class_confidence": o_rows[o][3],
                "need_class": nrow[2], "need_confidence": nrow[3],
                "compatibility": round(float(terms["compat_weight"][p]), 4),
                "inferred_factor": float(terms["inferred_factor"][p]),
                "distance_decay": round(float(terms["decay"][p]), 4),
                "merit": round(float(terms["merit"][p]), 4),
                "rule_id": rule.rule_id if rule else None,
                "source": rule.source if rule else None,
                # What the wording needs (matching.wording): which activity's rule, declared or
                # inferred, hazard.
                "receiver_activity": rule.rule_id.split(":")[1] if rule and rule.rule_id.count(":") >= 2 else None,
                "declared_need": need_id is not None,
                "hazardous": bool(of.hazardous),
            }))
    return value_proposals(out, flows_by_id, sites_by_id)
