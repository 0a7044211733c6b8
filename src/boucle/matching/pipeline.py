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
import json
import itertools
import math
import operator
import re
from contextlib import contextmanager

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from . import engine as eng
from . import nearest
from .additionality import (burnable, estimate_basis, estimated_quantity, fuel_receivers, inferred_need_bound,
                           offer_terms, route_keys, rounded_array, rounded_list, unit_codes, value_fuel_pairs,
                           value_pairs)
from .knowledge.infer import (DEDUCED_CONFIDENCE, DEDUCED_MIN_SCORE, UNKNOWN_RULE_PREFIX, InferredNeed,
                              class_substitutes, deduce_codes, is_unknown_receiver,
                              deduced_needs, food_contact_plastics,
                              hazardous_classes_accepted,
                              hazardous_only, infer_needs, infer_outputs, is_disposal_receiver, is_waste_operator,
                              name_reading, need_temperature, own_class_needs, permit_excluded, permit_words,
                              site_codes,
                              water_cascades, declared_need_stand_ins)
from .scoring import LinearImpact, ScoreWeights, score_terms
# The default output (threshold on plausibility + at most a few receivers per offer) is decided
# in one place, selection.select_default.
from . import selection
from .selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, floor_of, select_default
from .spatial import chord_to_km

# A second-choice class of a label counts only in proportion to how close it is to the first.
ALTERNATIVE_SHARPNESS = 1.0
MAX_CLASSES_PER_FLOW = 3
MAX_COMPONENTS = 4  # materials read from a label that lists several (materials.classify.classify_components)
MIN_CLASS_CONFIDENCE = 0.3
# An EWC code is the declarant's own choice but coarse (one class per code): trusted fully when
# no label speaks, less than a confident label otherwise.
EWC_ALONE_CONFIDENCE = 0.9
EWC_WITH_LABEL_CONFIDENCE = 0.6
SUBSTITUTE_WEIGHT = 0.8
ENERGY_SUBSTITUTE_WEIGHT = 0.5

# Heat can go down the temperature ladder, never up (the engine also checks stated temperatures).
# Steam serves a hot-water use (baths, washing, space or greenhouse heating below 100 °C) only as an
# energy carrier spent below its grade, so at the weight of an energy substitute: a site that uses
# steam itself (paper drying, evaporation, distillation, reactors) is offered it first. EU BREF ENE
# 2009 (pinch methodology: heat is supplied at the lowest temperature that serves the use; steam
# systems); IEA "Renewable Energy for Industry" 2017 (process heat by temperature band). Likewise a
# use of medium-temperature heat (100-250 °C: drying kilns and board dryers, heat recovered into a
# district-heating network) takes steam as a carrier spent below its grade: a district-heating
# network carries hot water (Euroheat & Power; its steam rule, recipe:35.3:steam, is 0.5), so steam
# reached it at 0.85 x 0.9 through its medium-heat rule, ahead of the steam users.
HEAT_CLASSES = frozenset({"waste_heat_low", "waste_heat_medium", "waste_heat_high", "steam", "hot_water"})
HEAT_CASCADE = (
    ("waste_heat_high", "waste_heat_medium", 0.9), ("waste_heat_high", "waste_heat_low", 0.9),
    ("waste_heat_medium", "waste_heat_low", 0.9), ("steam", "waste_heat_medium", ENERGY_SUBSTITUTE_WEIGHT),
    ("steam", "hot_water", ENERGY_SUBSTITUTE_WEIGHT), ("hot_water", "waste_heat_low", 1.0), ("waste_heat_low", "hot_water", 1.0),
    ("waste_heat_medium", "hot_water", 0.9),
)
WATER_GRADE = {"water_potable": 5, "water_demineralised": 5, "water_process": 4, "water_rain": 3,
               "water_cooling": 3, "water_treated_wastewater": 2, "water_irrigation": 2, "wastewater_nutrient_rich": 1,
               "wastewater_industrial": 1}
# A gas with no network of its own moves only through a pipe built for it, to a user a few kilometres away: landfill
# gas and raw biogas (« biogaz brut ») are piped to a nearby boiler, kiln or a satellite CHP unit, at a pipeline cost
# of some USD 0.3-0.6 M per km (0.5-1 M per mile) that the gas must repay, so the user must be close (US EPA LMOP, LFG
# Energy Project Development Handbook, ch. 3, direct use of medium-Btu gas: the end user's proximity is critical; FNR,
# Leitfaden Biogas 2016, ch. 6: raw-gas pipelines to satellite CHP units over a few kilometres); works gases (coke
# oven, blast furnace, refinery off-gas) and syngas are burnt in the works or at an adjacent power plant (EU BREF IS
# 2012, 2.3 use of process gases; EU BREF REF 2015, fuel gas system). 10 km is the outer end of those pipes; gas
# upgraded to grid quality (biomethane) travels through the gas grid and keeps the search radius.
RAW_GAS_MAX_KM = 10.0
MAX_DISTANCE_KM = {"steam": 3.0, "cold": 3.0, "biogas": RAW_GAS_MAX_KM, "fuel_gas": RAW_GAS_MAX_KM,
                   "syngas": RAW_GAS_MAX_KM}


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


class NeedRows:
    """The need rows of a run: ``(flow_id | None, site position, class key, confidence, rule | None)``
    for row ``n``: the declared ones as a list, the inferred ones (a million in a dense region) as
    arrays, a tuple built only for the rows read."""

    def __init__(self, declared: list, site, cls, weight, rule, rules: list, keys):
        self.declared, self.site, self.cls, self.weight, self.rule = declared, site, cls, weight, rule
        self.rules, self.keys = rules, keys

    def __len__(self) -> int:
        return len(self.declared) + self.site.size

    def __getitem__(self, n: int) -> tuple:
        if n < len(self.declared):
            return self.declared[n]
        n -= len(self.declared)
        return None, int(self.site[n]), self.keys[self.cls[n]], float(self.weight[n]), self.rules[self.rule[n]]

    def receiver_activities(self, n: np.ndarray) -> list:
        """Per row of ``n``: the activity whose rule made the site a receiver (:func:`_receiver_activity`
        of the row's rule), None for a declared need; a column at a time (a region shows a quarter of a
        million pairs)."""
        per_rule = np.array([_receiver_activity(rule) for rule in self.rules] + [None], dtype=object)
        at = np.full(n.size, len(self.rules), dtype=np.int64)
        inferred = n >= len(self.declared)
        at[inferred] = self.rule[n[inferred] - len(self.declared)]
        return per_rule[at].tolist()


class ProposalTable:
    """The proposals of a run as columns, best first. A dense region holds hundreds of thousands:
    rows are built only when read, a chunk at a time (:meth:`iter_proposals`, :meth:`jsonl_chunks`),
    so the memory of a run grows with its flows, not with Python objects per proposal."""

    CHUNK = 10_000

    def __init__(self, sites, flows_by_id, o_rows, n_rows, chosen, terms, screening_co2, value, vterms, need_temp,
                 quantity=None, basis=None, fuel=None, uses=None):
        self.sites, self.flows_by_id, self.o_rows, self.n_rows = sites, flows_by_id, o_rows, n_rows
        self.chosen, self.terms, self.screening_co2, self.value, self.vterms = chosen, terms, screening_co2, value, vterms
        self.need_temp = need_temp  # the receiver's temperature the heat is valued at (NaN: none)
        # the quantity the figures are for (NaN: unknown) and what bounds it (additionality.BASIS_*)
        self.quantity = np.full(len(chosen), np.nan) if quantity is None else quantity
        self.basis = [None] * len(chosen) if basis is None else basis
        # the activity row of a receiver that burns the material as a fuel (None: it does not), whose figures are
        # those of the fuel it displaces (additionality.fuel_receivers)
        self.fuel = [None] * len(chosen) if fuel is None else fuel
        # (uses per offer row, uses made per need row) when some offer's label states a use (_stated_use_rows)
        self.uses = uses

    @classmethod
    def empty(cls) -> ProposalTable:
        return cls([], {}, [], [], eng.Candidates.empty(), {}, np.zeros(0), None, None, np.zeros(0))

    def __len__(self) -> int:
        return len(self.chosen)

    def proposals(self) -> list[Proposal]:
        return list(self.iter_proposals())

    def __iter__(self):
        return self.iter_proposals()

    def _columns(self, a: int, b: int) -> dict:
        """Rows a:b as Python lists, rounded as shown (None where a figure is unknown)."""
        t, c = self.terms, self.chosen
        cols = {"o": c.offer_idx[a:b].tolist(), "n": c.need_idx[a:b].tolist(),
                "km": rounded_list(c.distance_km[a:b], 3), "score": rounded_list(t["score"][a:b], 6),
                "plaus": rounded_list(t["plausibility"][a:b], 6), "cw": rounded_list(t["compat_weight"][a:b], 4),
                "inf": t["inferred_factor"][a:b].tolist(), "dec": rounded_list(t["decay"][a:b], 4),
                "mer": rounded_list(t["merit"][a:b], 4),
                "q": [None if x != x else x for x in self.quantity[a:b].tolist()], "basis": self.basis[a:b],
                "fuel": self.fuel[a:b], "use": self._use_column(a, b), "resale": [False] * (b - a),
                "disposal": [False] * (b - a)}
        co2 = self.screening_co2[a:b]
        v = self.value
        if v is None:
            cols["co2"], cols["known"] = rounded_list(co2, 3), [False] * (b - a)
            return cols
        known = v["known"][a:b]
        cols["known"] = known.tolist()
        if "resale" in v:  # received by a waste operator: no virgin purchase avoided in its euros
            cols["resale"] = v["resale"][a:b].tolist()
        if "disposal" in v:  # received by a hazardous-waste treater: its own fee replaces today's, no euros known
            cols["disposal"] = v["disposal"][a:b].tolist()
        # Valued against the offer's current route where the model knows the class; else the screening figure.
        cols["co2"] = rounded_list(np.where(known, v["co2e_avoided_t"][a:b], co2), 3)
        cols["lo"], cols["hi"] = rounded_list(v["co2e_low_t"][a:b], 3), rounded_list(v["co2e_high_t"][a:b], 3)
        cols["tonnes"], cols["eur"] = rounded_list(v["tonnes_diverted"][a:b], 6), rounded_list(v["eur_saved"][a:b], 2)
        oi = c.offer_idx[a:b]
        heat = self.vterms.heat[oi]
        cols["be"] = [x if h else None for x, h in zip(rounded_list(v["breakeven_km"][a:b], 2), heat.tolist())]
        routes = route_keys()
        cols["route"] = [routes.get(r) if r >= 0 else None for r in self.vterms.route_idx[oi].tolist()]
        cols["assumed"] = self.vterms.route_assumed[oi].tolist()
        cols["need_t"] = [None if x != x else x for x in self.need_temp[a:b].tolist()]
        return cols

    def _use_column(self, a: int, b: int) -> list:
        """Per row a:b: (uses the offer's label states, those of them the receiver makes) as bits of
        STATED_USES, None where the label states none or the need is declared (its site said what it takes)."""
        if self.uses is None:
            return [None] * (b - a)
        o_use, n_use = self.uses
        want = o_use[self.chosen.offer_idx[a:b]]
        made = n_use[self.chosen.need_idx[a:b]]
        return [None if w == 0 or m == -1 else (w, w & m) for w, m in zip(want.tolist(), made.tolist())]

    def iter_proposals(self):
        """The proposals, best first, built a chunk at a time."""
        sites, flows_by_id, o_rows, n_rows = self.sites, self.flows_by_id, self.o_rows, self.n_rows
        for a in range(0, len(self), self.CHUNK):
            cols = self._columns(a, min(a + self.CHUNK, len(self)))
            for i, (o, n) in enumerate(zip(cols["o"], cols["n"])):
                orow, nrow = o_rows[o], n_rows[n]
                offer_id, need_id = orow[0], nrow[0]
                of = flows_by_id[offer_id]
                explanation = _explanation(orow, nrow, cols, i, bool(of.hazardous))
                known = cols["known"][i]
                yield Proposal(
                    offer_site_id=of.site_id, need_site_id=sites[nrow[1]].site_id, offer_flow_id=offer_id,
                    offer_label=of.label, need_flow_id=need_id,
                    need_label=flows_by_id[need_id].label if need_id else None,
                    inferred=need_id is None, material_class=orow[2], distance_km=cols["km"][i],
                    quantity=cols["q"][i], unit=of.unit or _kind_unit(orow[2]),
                    co2e_avoided_t_per_year=cols["co2"][i], score=cols["score"][i], plausibility=cols["plaus"][i],
                    explanation=explanation,
                    tonnes_diverted=cols["tonnes"][i] if known else None,
                    eur_saved=cols["eur"][i] if known else None,
                    co2e_low_t=cols["lo"][i] if known else None, co2e_high_t=cols["hi"][i] if known else None)

    def jsonl_chunks(self):
        """The lines ``boucle match --format jsonl`` prints (``commands._row`` of each proposal, JSON
        encoded), a chunk of lines per string: written from the columns, without a Proposal or a
        dict per row. What belongs to an offer or to a receiver is encoded once (a dense region
        shows each a few times), the words once per combination of classes and rule
        (``wording.ExplanationWriter``), the figures once per distinct value, and a line is the
        join of its pieces, a column at a time (no Python statement per row)."""
        from .wording import ExplanationWriter

        writer = ExplanationWriter()
        sites, flows_by_id, o_rows, n_rows = self.sites, self.flows_by_id, self.o_rows, self.n_rows
        text = _Encoded()  # ids, labels, classes, units: strings (or None) only, never a figure
        rule_part: dict[tuple, tuple] = {}  # (id of the rule, declared) -> its fields encoded, what its words read
        # What the words of an offer (of a receiver) depend on, numbered: offer's << 32 + receiver's keys the words.
        offer_words: dict[tuple, int] = {}
        need_words: dict[tuple, int] = {}
        # what offers (receivers) of the same class, confidence, unit... share: encoded once for them all
        o_shared: dict[tuple, tuple] = {}
        n_shared: dict[tuple, tuple] = {}
        o_part = _Memo(lambda o: self._offer_part(o_rows[o], flows_by_id, offer_words, text, o_shared))
        n_part = _Memo(lambda n: self._need_part(n_rows[n], sites, flows_by_id, rule_part, need_words, text,
                                                 n_shared))

        def static(key: int) -> str | None:  # the worded parts, encoded without the closing quote
            offer = next(said for said, number in offer_words.items() if number == key & ~0xFFFFFFFF)
            need = next(said for said, number in need_words.items() if number == key & 0xFFFFFFFF)
            worded = writer.static(*offer, *need)
            return _encode_str(worded)[:-1] if worded else None

        words = _Memo(static)
        quantity_words = _Memo(lambda key: _continued(writer.quantity(*key)))  # (basis, quantity, unit)
        distance_words = _Memo(lambda km: _continued(writer.distance(km)))
        encoded = {name: _Encoded() for name in ("km", "co2", "q", "cw", "inf", "dec", "mer", "basis", "lo", "hi")}
        encoded["route"] = _Memo(lambda key: f', "current_route": {_j(key[0])}, '
                                             f'"current_route_assumed": {"true" if key[1] else "false"}')
        # the activity row of a receiver that burns the material as a fuel (None: it does not)
        encoded["fuel"] = _Memo(lambda row: f', "fuel_use": true, "fuel_receiver": {_j(row)}' if row else "")
        use_fields = _Memo(lambda use: "".join(f', "{k}": {_j(v)}' for k, v in stated_use_fields(use).items()))
        use_words = _Memo(lambda use: _continued(writer.stated_use(**stated_use_fields(use))))
        fixed = itertools.repeat
        for a in range(0, len(self), self.CHUNK):
            cols = self._columns(a, min(a + self.CHUNK, len(self)))
            ops = list(map(o_part.__getitem__, cols["o"]))
            nps = list(map(n_part.__getitem__, cols["n"]))
            # the parts as columns (_offer_part: 7 pieces, unit, words' number; _need_part: 4 pieces, words' number)
            o_, n_ = list(zip(*ops)), list(zip(*nps))
            said = list(map(words.__getitem__, map(operator.add, o_[8], n_[4])))
            qw = list(map(quantity_words.__getitem__, zip(cols["basis"], cols["q"], o_[7])))
            dw = list(map(distance_words.__getitem__, cols["km"]))
            uf = list(map(use_fields.__getitem__, cols["use"]))
            uw = list(map(use_words.__getitem__, cols["use"]))
            if None in said:  # no words but the stated use, quantity and distance: no separator before them
                for i in [i for i, s in enumerate(said) if s is None]:
                    said[i], uw[i], qw[i], dw[i] = '"' + (uw[i] + qw[i] + dw[i])[3:], "", "", ""
            km_j, co2_j, q_j, cw_j, inf_j, dec_j, mer_j, basis_j = (
                _jcol(cols[k], encoded[k]) for k in ("km", "co2", "q", "cw", "inf", "dec", "mer", "basis"))
            score_j = _jcol(cols["score"])  # nearly all distinct: not remembered
            yield "".join(map("".join, zip(
                o_[0], n_[0], o_[1], n_[1], o_[2], km_j, fixed(', "quantity": '), q_j, o_[3], co2_j,
                fixed(', "score": '), score_j, o_[4], n_[2], cw_j, fixed(', "inferred_factor": '), inf_j,
                fixed(', "distance_decay": '), dec_j, fixed(', "merit": '), mer_j, n_[3], o_[5], basis_j, o_[6], uf,
                self._extras(cols, encoded), fixed(', "text": '), said, uw, qw, dw, fixed('"}}\n'))))

    @staticmethod
    def _offer_part(orow, flows_by_id, offer_words: dict, text: _Encoded, shared: dict) -> tuple:
        """The encoded fields of one offer row as pieces of the line, the unit, the number of what its
        words depend on and that (``text``: the words already encoded; ``shared``: the pieces that
        do not name the offer, by what they read)."""
        of = flows_by_id[orow[0]]
        hazardous = bool(of.hazardous)
        key = (orow[2], _value_key(orow[3]), hazardous, orow[4], of.unit)
        common = shared.get(key)
        if common is None:
            unit = of.unit or _kind_unit(orow[2])
            cls_j = text[orow[2]]
            said = (orow[2], hazardous, orow[4])
            common = shared[key] = (
                f'"material_class": {cls_j}, "distance_km": ',
                f', "unit": {text[unit]}, "co2e_avoided_t_per_year": ',
                f', "explanation": {{"offer_class": {cls_j}, "offer_class_confidence": {_j(orow[3])}, ',
                f'"hazardous": {"true" if hazardous else "false"}, "estimate_basis": ',
                f', "offer_component": {_j(orow[4])}' if orow[4] else "",
                unit, offer_words.setdefault(said, len(offer_words) << 32), said)
        return (f'{{"offer_site_id": {text[of.site_id]}, "need_site_id": ',
                f', "offer_flow_id": {_j(orow[0])}, "offer_label": {text[of.label]}, ', *common)

    @staticmethod
    def _need_part(nrow, sites, flows_by_id, rule_part: dict, need_words: dict, text: _Encoded, shared: dict) -> tuple:
        """The encoded fields of one receiver row as pieces of the line, the number of what its words
        depend on and that (``shared``: the pieces that do not name the receiver, by what they read)."""
        need_id, rule = nrow[0], nrow[4]
        declared = need_id is not None
        skey = (nrow[2], _value_key(nrow[3]), id(rule), declared)
        common = shared.get(skey)
        if common is None:
            rkey = (id(rule), declared)
            known = rule_part.get(rkey)
            if known is None:
                known = rule_part[rkey] = (
                    f', "rule_id": {_j(rule.rule_id if rule else None)}, "source": {_j(rule.source if rule else None)}, '
                    f'"receiver_activity": {_j(_receiver_activity(rule))}, "declared_need": {_j(declared)}, '
                    f'"grade": {_j(_grade(rule))}, '
                    + "".join(f'"{k}": {_j(v)}, ' for k, v in {**_deduced_fields(rule), **_unknown_fields(rule)}.items()),
                    (rule.rule_id if rule else None, _receiver_activity(rule), rule.source if rule else None,
                     _grade(rule)),
                    (tuple(rule.deduced_from), rule.deduced_code) if rule and rule.deduced_from else ((), None))
            said = (nrow[2], declared, *known[1], None if declared else nrow[3], *known[2])
            common = shared[skey] = (
                f'"need_class": {text[nrow[2]]}, "need_confidence": {_j(nrow[3])}, "compatibility": ',
                known[0], said)
        if declared:
            need_label = flows_by_id[need_id].label if need_id else None
            label = text[need_label] if need_id else "null"
            ids = f'"need_flow_id": {_j(need_id)}, "need_label": {label}, "inferred": false, '
        else:
            need_label = None
            ids = '"need_flow_id": null, "need_label": null, "inferred": true, '
        # the words say a declared need in the receiver's own words (wording.explanation_parts)
        said = (*common[2], need_label)
        return (text[sites[nrow[1]].site_id], ids, common[0], common[1], need_words.setdefault(said, len(need_words)),
                said)

    @staticmethod
    def _extras(cols: dict, encoded: dict) -> list[str]:
        """The valuation's fields of the explanation (where the impact model knows the class), encoded
        a column at a time (``encoded``: the routes and figures already encoded)."""
        known = cols["known"]
        if not any(known):
            return [""] * len(known)
        fixed = itertools.repeat
        route = list(map(encoded["route"].__getitem__, zip(cols["route"], cols["assumed"])))
        fuel = list(map(encoded["fuel"].__getitem__, cols["fuel"])) if any(cols["fuel"]) else fixed("")
        resale = [', "waste_receiver": true' if r else "" for r in cols["resale"]] if any(cols["resale"]) else fixed("")
        disposal = ([', "disposal_receiver": true' if r else "" for r in cols["disposal"]] if any(cols["disposal"])
                    else fixed(""))
        need_t = [] if cols["need_t"].count(None) == len(known) else [
            "" if t is None else f', "need_temperature_c": {_j(float(t))}' for t in cols["need_t"]]
        be = [] if cols["be"].count(None) == len(known) else [
            "" if x is None else f', "heat_breakeven_km": {j}' for x, j in zip(cols["be"], _jcol(cols["be"]))]
        lo, hi = cols["lo"], cols["hi"]
        lo_j, hi_j = _jcol(lo, encoded["lo"]), _jcol(hi, encoded["hi"])
        if lo.count(None) or hi.count(None):
            low_high = ["" if a is None or b is None else f', "co2e_low_t": {aj}, "co2e_high_t": {bj}'
                        for a, b, aj, bj in zip(lo, hi, lo_j, hi_j)]
        else:
            low_high = map("".join, zip(fixed(', "co2e_low_t": '), lo_j, fixed(', "co2e_high_t": '), hi_j))
        out = list(map("".join, zip(route, fuel, resale, disposal, need_t or fixed(""), be or fixed(""), low_high)))
        return out if all(known) else [x if k else "" for x, k in zip(out, known)]


def stated_use_fields(use: tuple | None) -> dict:
    """The explanation's fields of a stated use (:meth:`ProposalTable._use_column`): ``stated_use``, the
    uses the offer's label states, and ``stated_use_made``, those the receiver makes (empty: none, its
    plausibility counts STATED_USE_OTHER); names of STATED_USES rows. Empty without a stated use."""
    if use is None:
        return {}
    want, made = use
    return {"stated_use": [u.name for i, u in enumerate(STATED_USES) if want >> i & 1],
            "stated_use_made": [u.name for i, u in enumerate(STATED_USES) if made >> i & 1]}


def _receiver_activity(rule) -> str | None:
    """Which activity's rule made the receiver a candidate (``in:<nace>:<class>``), for the wording."""
    return rule.rule_id.split(":")[1] if rule and rule.rule_id.count(":") >= 2 else None


def _deduced_fields(rule) -> dict:
    """When the receiver's activity was deduced from what it offers (``infer.deduce_codes``): the
    offered classes that betray it and the activity deduced; nothing otherwise."""
    if not rule or not getattr(rule, "deduced_from", ()):
        return {}
    return {"deduced_from": list(rule.deduced_from), "deduced_activity": rule.deduced_code}


def _unknown_fields(rule) -> dict:
    """When the receiver is a site of unknown activity, proposed as a last resort (``_with_unknown_receivers``):
    ``unknown_activity`` true, for the card to say so; nothing otherwise."""
    return {"unknown_activity": True} if rule and is_unknown_receiver(rule.rule_id) else {}


def _grade(rule) -> str | None:
    """What the receiver's activity does with the class (a process recipe's grade), None if unsaid."""
    return (getattr(rule, "grade", "") or None) if rule else None


def _explanation(orow, nrow, cols: dict, i: int, hazardous: bool) -> dict:
    need_id, rule = nrow[0], nrow[4]
    explanation = {
        "offer_class": orow[2], "offer_class_confidence": orow[3],
        "need_class": nrow[2], "need_confidence": nrow[3],
        "compatibility": cols["cw"][i],
        "inferred_factor": cols["inf"][i],
        "distance_decay": cols["dec"][i],
        "merit": cols["mer"][i],
        "rule_id": rule.rule_id if rule else None,
        "source": rule.source if rule else None,
        # What the wording needs (matching.wording): which activity's rule, declared or inferred, hazard.
        "receiver_activity": _receiver_activity(rule),
        "declared_need": need_id is not None,
        "grade": _grade(rule),
        **_deduced_fields(rule),
        **_unknown_fields(rule),
        "hazardous": hazardous,
        # what the figures are for: the declared need, the receiving site's declared scale, the whole
        # offer (an upper bound) or nothing yet (additionality.BASIS_*; worded by wording.quantity_words)
        "estimate_basis": cols["basis"][i],
    }
    if orow[4]:  # the part of a label listing several materials that this proposal is about
        explanation["offer_component"] = orow[4]
    # the use the offer's label states, and whether the receiver makes it (worded by wording.stated_use_parts)
    explanation.update(stated_use_fields(cols["use"][i]))
    if cols["known"][i]:  # valued against the offer's current route (boucle.matching.additionality)
        explanation["current_route"] = cols["route"][i]
        explanation["current_route_assumed"] = bool(cols["assumed"][i])
        if cols["fuel"][i]:  # burnt as a fuel: valued by the fuel it displaces (additionality.fuel_receivers)
            explanation["fuel_use"] = True
            explanation["fuel_receiver"] = cols["fuel"][i]
        if cols["resale"][i]:  # a waste operator resells it: no virgin purchase avoided (additionality.value_pairs)
            explanation["waste_receiver"] = True
        if cols["disposal"][i]:  # a hazardous-waste treater bills its own fee: no disposal fee avoided
            explanation["disposal_receiver"] = True
        if cols["need_t"][i] is not None:
            explanation["need_temperature_c"] = float(cols["need_t"][i])
        if cols["be"][i] is not None:
            explanation["heat_breakeven_km"] = cols["be"][i]
        if cols["lo"][i] is not None and cols["hi"][i] is not None:
            explanation["co2e_low_t"], explanation["co2e_high_t"] = cols["lo"][i], cols["hi"][i]
    return explanation


_encode_str = json.encoder.encode_basestring
_encode_default = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False).encode


class _Memo(dict):
    """key -> ``make(key)``, made when first asked for: ``map(memo.__getitem__, keys)`` runs in C but for
    the keys not seen yet."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


class _Encoded(dict):
    """Figure -> :func:`_j` of it, encoded when first seen (a column repeats a few thousand figures)."""

    def __missing__(self, value) -> str:
        text = self[value] = _j(value)
        return text


def _continued(words: str | None) -> str:
    """A part of the explanation's words after another, encoded (no quotes); empty if none."""
    return " · " + _encode_str(words)[1:-1] if words else ""


def _jcol(values: list, encoded: _Encoded | None = None) -> list[str]:
    """:func:`_j` of a column of figures (Python floats, None where unknown); ``encoded``: those
    already written of the column."""
    if encoded is not None:
        out = list(map(encoded.__getitem__, values))
        if 0.0 in encoded and values.count(0.0):  # 0.0 and -0.0: one key, two texts
            out = [_j(v) if v == 0 else text for v, text in zip(values, out)]
        return out
    try:
        out = list(map(float.__repr__, values))  # finite floats: what the encoder writes
    except TypeError:  # unknown figures (None) among them
        try:
            out = ["null" if v is None else float.__repr__(v) for v in values]
        except TypeError:
            return [_j(v) for v in values]
    if "inf" in out or "-inf" in out or "nan" in out:  # the encoder writes Infinity, NaN
        return [_j(v) for v in values]
    return out


def _value_key(value):
    """A key for a value that tells apart what encodes differently although equal (1, 1.0, True; 0.0, -0.0)."""
    return value if type(value) is float and value else (type(value), repr(value))


def _j(value) -> str:
    """One value as ``json.JSONEncoder(ensure_ascii=False, default=str)`` writes it."""
    if value is None:
        return "null"
    t = type(value)
    if t is str:
        return _encode_str(value)
    if t is float:
        return repr(value) if value == value and value not in (math.inf, -math.inf) else _encode_default(value)
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return int.__repr__(value)
    return _encode_default(value)


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


def reach_km(class_keys, radius_km: float) -> float:
    """How far the matching looks for a partner of a flow of these classes: the search radius, or the
    class's own limit when shorter (heat 5 km, steam and cold 3 km, raw gases 10 km, water 20 km: ``ClassInfo.max_distance_km``,
    which :func:`.engine.pair_radius_km` applies to every pair); the largest over the classes given, the
    radius when none is known."""
    keys = _classes()[0]
    limits = class_info().max_distance_km
    reach = [min(radius_km, float(limits[keys.index(k)])) if not math.isnan(limits[keys.index(k)]) else radius_km
             for k in dict.fromkeys(class_keys) if k in keys]
    return max(reach) if reach else radius_km


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
    from .knowledge.infer import accounting_recipes

    accounting = accounting_recipes()
    for a, b in recipes:
        if (a, b) in accounting:  # the credit of a use, not a substitution a receiver of ``b`` can make
            continue
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


@lru_cache(maxsize=1)
def _hazardous_stand_ins() -> dict[str, frozenset[str]]:
    """Need class -> the other classes that may be hazardous and can serve it (:func:`compatibility`):
    spent pickling acid for hydrochloric acid, waste oil for base oil. A site authorised for the class it
    needs receives such a stand-in only if authorised for it too (``engine.Needs.hazardous_same_class``)."""
    from boucle.materials.taxonomy import hazardous_classes

    keys, classes = _classes()
    comp, always = compatibility(), hazardous_classes()
    out: dict[str, set[str]] = {}
    for oc, nc in zip(comp.offer_cls.tolist(), comp.need_cls.tolist()):
        if oc != nc and (classes[oc].hazardous_possible or keys[oc] in always):
            out.setdefault(keys[nc], set()).add(keys[oc])
    return {k: frozenset(v) for k, v in out.items()}


def not_matchable(flow: FlowIn) -> str | None:
    """Why a flow cannot enter the matching at all, or None: a yearly total over several wastes
    (« Déchets dangereux (total déclaré) ») is information, not a material anyone can take."""
    from boucle.materials.classify import is_total_label

    if not flow.class_key and is_total_label(flow.label):
        return "total"
    return None


@lru_cache(maxsize=65536)
def component_of(label: str | None) -> dict[str, tuple[str, float]]:
    """For a label that lists several materials (« papier, carton et plastiques »): class -> (the
    part of the label that names it, confidence); empty for a label that names one material."""
    from boucle.materials.classify import classify_components

    return {m.key: (part, float(m.confidence)) for part, m in classify_components(label)}


# Below this classification confidence a label is a guess from letters ("Lot 42" read as biscuits),
# not a recognised material (materials/README: top-1 is right 85 % of the time from 0.5 up).
RECOGNISED_CONFIDENCE = 0.5


def why_no_proposal(flow: FlowIn, site: SiteIn, flows: list[FlowIn] = ()) -> list[str]:
    """Why the engine cannot propose this flow (or cannot infer the site's needs), as codes the
    flow's page words: ``total`` (a yearly total over several wastes), ``unknown_material``
    (neither label, code nor chosen class is a known material), ``unknown_activity`` (no NACE
    code, no known activity words, no sector word in the site's name, and none of its offers
    among ``flows`` betrays its trade: no need can be inferred for the site). Empty when nothing
    stands in the way."""
    reasons = []
    total = not_matchable(flow)
    if total:
        reasons.append(total)
    elif not [k for k, c in classify_flow(flow) if k in set(_classes()[0]) and c >= RECOGNISED_CONFIDENCE]:
        reasons.append("unknown_material")
    if not site_codes(site.naf_code, site.activity, site.name) and not deduced_from_flows(site, [flow, *flows]):
        reasons.append("unknown_activity")
    return reasons


def deduced_from_flows(site: SiteIn, flows: list[FlowIn]) -> tuple:
    """The activities deduced from what ``site`` offers among ``flows`` (``infer.deduce_codes``),
    for a site whose code, activity and name give none; empty otherwise."""
    if site_codes(site.naf_code, site.activity, site.name):
        return ()
    return _deduce_from_offers(reading for f in flows
                               if f.direction == "offer" and f.site_id == site.site_id and not not_matchable(f)
                               for reading in classify_flow(f))


def _deduce_from_offers(readings) -> tuple:
    """``infer.deduce_codes`` of a site's offered classes, ``(class key, confidence)`` readings, those
    recognised only (the one rule for the engine and the flow pages)."""
    offered = tuple((key, conf) for key, conf in readings if conf >= RECOGNISED_CONFIDENCE)
    return deduce_codes(offered) if offered else ()


def _proposes(table, flow_id: str) -> bool:
    """Whether a table holds a proposal of the offer ``flow_id``."""
    return any(table.o_rows[o][0] == flow_id for o in table.chosen.offer_idx.tolist())


def why_no_receiver(flow: FlowIn, site: SiteIn, around: list[SiteIn], needs: list[FlowIn] = (),
                    radius_km: float = 200.0) -> list[str]:
    """Why an offer the matching can read (:func:`why_no_proposal` says nothing against it) gets no
    receiver, from the sites ``around`` it (those farther than ``radius_km`` are left out) and the flows
    they declare (``needs``: their needs, and their offers, which may betray the trade of a site known
    by a name only), as codes the flow's page words, the first that holds:

    ``no_location`` (its site has no coordinates), ``no_site_around`` (no other site within
    ``radius_km``), ``not_run_yet`` (the engine proposes receivers for it now: the offer is newer than
    the last run), ``unknown_activity_around`` (no site around has a known activity, nor one its offers
    betray, nor declared a need: no need can be inferred; and the offer cannot go to those sites as receivers of
    last resort, ``_with_unknown_receivers``: a hazardous waste, sites too far, or more of them than the default
    output shows), ``hazardous_no_receiver`` (a hazardous waste,
    and no site around has an activity that may treat it), ``no_gain`` (receivers exist, but the exchange of its declared
    quantity avoids nothing against what becomes of it today), ``heat_too_far`` (heat lost today whose
    receivers are all beyond the distance at which the pipe pays for itself for its quantity),
    ``unlikely`` (a receiver exists, below the plausibility the default output shows), ``no_receiver``
    (no site around takes this material, by its activity or a declared need, within reach of it).
    Empty for a need."""
    from dataclasses import replace

    from .spatial import haversine_km

    if flow.direction != "offer":
        return []
    if site.lat is None or site.lon is None:
        return ["no_location"]
    others = [s for s in around if s.site_id != site.site_id and s.lat is not None and s.lon is not None
              and haversine_km(site.lat, site.lon, s.lat, s.lon) <= radius_km]
    if not others:
        return ["no_site_around"]
    ids = {s.site_id for s in others}
    # the offers of the sites around say the trade of those known by a name only (infer.deduce_codes)
    offered = [f for f in needs if f.direction == "offer" and f.site_id in ids and f.flow_id != flow.flow_id]
    needs = [f for f in needs if f.direction == "need" and f.site_id in ids]
    sites = [site, *others]
    if _proposes(propose_table(sites, [flow, *needs, *offered], radius_km=radius_km), flow.flow_id):
        return ["not_run_yet"]
    by_site: dict[str, list[FlowIn]] = {}
    for f in offered:
        by_site.setdefault(f.site_id, []).append(f)
    described = [s for s in others if site_codes(s.naf_code, s.activity, s.name)
                 or deduced_from_flows(s, by_site.get(s.site_id, []))]
    if not described and not needs:
        return ["unknown_activity_around"]
    if _hazard_said(flow).hazardous:
        classes = {k for k, _c in classify_flow(flow)}
        accepted = [hazardous_classes_accepted(s.naf_code, s.activity, s.name) for s in described]
        if not any(a is None or a & classes for a in accepted):
            return ["hazardous_no_receiver"]
    if flow.quantity_t is not None and _proposes(propose_table(
            sites, [replace(flow, quantity_t=None, unit=None), *needs, *offered], radius_km=radius_km), flow.flow_id):
        return ["heat_too_far" if _dissipated_heat(flow) else "no_gain"]
    if _proposes(propose_table(sites, [flow, *needs, *offered], radius_km=radius_km, top=1), flow.flow_id):
        return ["unlikely"]
    return ["no_receiver"]


def _dissipated_heat(flow: FlowIn) -> bool:
    """Whether an offer is heat lost today (no route said, or dissipated: the heat classes' default route in
    ``impact/data/material_factors.csv``): what its known quantity then fails against is the distance at which
    the pipe pays for itself (:func:`.additionality.value_pairs`), as displaced boiler heat always avoids CO2e."""
    from boucle.impact.factors import default_tables

    materials = default_tables().materials
    classes = [k for k, _c in classify_flow(flow)]
    return bool(classes) and flow.current_route in (None, "", "dissipation") \
        and all(k in materials and materials.get(k).flow_kind == "heat" for k in classes)


@lru_cache(maxsize=65536)
def _label_code_hazardous(label: str) -> bool:
    """Whether a label quotes a List-of-Waste code that is hazardous (« Eaux de lavage (07 06 01*) »)."""
    from boucle.materials.classify import ewc_in_label
    from boucle.materials.taxonomy import ewc_table

    code6 = ewc_in_label(label)
    return code6 is not None and ewc_table()[code6][1]


def _hazard_said(flow: FlowIn) -> FlowIn:
    """The flow, hazardous when its label quotes a hazardous List-of-Waste code and no code of its own
    says otherwise: hazard is a property of the code (Decision 2000/532/EC, the entries marked *), and
    the label's code already decides its class (materials.classify.classify_label)."""
    if flow.hazardous or flow.ewc_code or not flow.label or not _label_code_hazardous(flow.label):
        return flow
    return replace(flow, hazardous=True)


def classify_flow(flow: FlowIn) -> list[tuple[str, float]]:
    """Material classes of a flow with confidences, best first: the chosen class, else the label
    classifier's candidates merged with the EWC code's class, restricted to a declared energy or water
    kind when one is given, heat graded by the stated temperature."""
    if flow.class_key:
        return [(flow.class_key, 1.0)]
    return list(_classify(flow.label or "", flow.ewc_code or "", flow.kind or "", flow.temperature_c))


# Cooling water is drawn at 10-25 °C (EU BREF Industrial Cooling Systems, 2001: make-up and
# once-through water at ambient temperature); water declared at 30 °C or more is a warm return.
WARM_WATER_C = 30.0
HEAT_GRADES = (("waste_heat_low", 100.0), ("waste_heat_medium", 250.0), ("waste_heat_high", float("inf")))


@lru_cache(maxsize=1)
def _class_group() -> dict[str, str]:
    """Class key -> its family (``group`` of materials/data/classes.csv)."""
    _, classes = _classes()
    return {c.key: c.group for c in classes}


# roles of materials/data/classes.csv that a stream declared under a List-of-Waste code is not: a virgin material,
# a utility bought (a grade of water, energy)
NOT_WASTE_ROLES = frozenset({"virgin", "utility"})


# « X from Y » names a material X and the process or site Y it comes from, as the List of Waste
# words its entries (Decision 2000/532/EC, Annex: « 10 01 wastes from power stations and other
# combustion plants », « 10 02 wastes from the iron and steel industry »): "CO2 from ammonia
# production" offers carbon dioxide, not ammonia; "Steam from waste heat recovery" offers steam.
_ORIGIN = re.compile(r"\s(?:from|aus|issue?s? d[eu]s?|issue?s? de la|provenant d[eu]s?|provenant de la)\s", re.I)


@lru_cache(maxsize=65536)
def _head_and_origin(label: str) -> tuple[dict[str, float], frozenset[str]] | None:
    from boucle.materials.classify import classify_label

    parts = _ORIGIN.split(label, maxsplit=1)
    if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
        return None
    head = {m.key: float(m.confidence) for m in classify_label(parts[0], top=MAX_CLASSES_PER_FLOW + 2)}
    origin = frozenset(m.key for m in classify_label(parts[1], top=MAX_CLASSES_PER_FLOW + 2))
    return (head, origin) if head else None


def _without_origin(label: str, found: dict[str, float]) -> dict[str, float]:
    """``found`` without the classes read only from the origin of « X from Y »: a class the origin
    names and the head does not, unless the whole label reads it more surely than the head reads
    anything (« Gypsum from flue gas desulphurisation » is FGD gypsum, a name of its own)."""
    split = _head_and_origin(label)
    if split is None:
        return found
    head, origin = split
    best = max(head.values())
    return {k: v for k, v in found.items() if not (k in origin and k not in head and v < best)} or found


@lru_cache(maxsize=65536)
def _classify(label: str, ewc_code: str, kind: str, temperature_c: float | None) -> tuple[tuple[str, float], ...]:
    from boucle.materials.classify import KIND_BOUND, class_for_ewc, classify_label, is_warm_return, utility_head_confidence

    found: dict[str, float] = {}
    exact = False
    # A declared List-of-Waste code classes the stream as one waste (one code per consignment,
    # Decision 2000/532/EC): its label's list then describes its contents, not several offers.
    listed = component_of(label) if not ewc_code else {}
    if listed:  # each material a list names stands on its own, none an alternative of another
        found = {key: conf for key, (_part, conf) in listed.items()}
    elif label:
        matches = classify_label(label, top=MAX_CLASSES_PER_FLOW + 2)
        # A label that is, as a whole, a known name of a material (« cendres de bois », "wood ash",
        # "hydrogen peroxide") is that material: a class of another family that shares one of its
        # words (wood, hydrogen) is no reading of it. Near materials of its own family stay
        # alternatives (bottom ash / incinerator bottom ash, the grades of waste heat).
        exact = bool(matches) and matches[0].method == "exact_synonym" and matches[0].confidence >= 1.0
        if exact:
            group = _class_group()
            first = group.get(matches[0].key)
            matches = [m for m in matches if m.method == "exact_synonym" or group.get(m.key) == first]
        for m in matches:
            found[m.key] = max(found.get(m.key, 0.0), float(m.confidence))
        found = _without_origin(label, found)
    ewc_key = None
    if ewc_code:
        try:
            ewc_key = class_for_ewc(ewc_code)
        except (ValueError, KeyError):
            ewc_key = None
    if ewc_key:
        agree = bool(found) and max(found, key=found.get) == ewc_key  # the words' best reading is the code's
        conf = EWC_WITH_LABEL_CONFIDENCE if found and max(found.values()) >= 0.6 else EWC_ALONE_CONFIDENCE
        if ewc_key in found:  # label and code agree: both sources back the class
            conf = min(1.0, max(found[ewc_key], conf) + 0.1)
        found[ewc_key] = max(found.get(ewc_key, 0.0), conf)
        # When the words and the code agree, the code's sub-chapter says which of its entries the waste
        # is not (Decision 2000/532/EC: one code per waste): « Batteries au plomb usagées » declared
        # 16 06 01 is no reading of « other batteries » (16 06 05), whatever words the two share. When
        # they disagree (« Blast furnace slag » declared 10 02 02, the entry of both slags) nothing is
        # dropped: one class per code is our simplification, not the List's.
        if agree:
            siblings = _ewc_siblings(ewc_code, ewc_key)
            found = {k: v for k, v in found.items() if k not in siblings}
            if exact:
                # a label that is a known name of the class its code leads to (« Bois de déchèterie »,
                # 20 01 38: coated and panel wood, grade B) is that class; a near class of its family stays
                # a reading only if the class can stand in for it (incinerator bottom ash for bottom ash
                # as aggregate), not untreated grade-A wood, which a biomass boiler may burn and grade-B
                # wood is not (Directive 2010/75/EU art. 3(31)(b)(v))
                found = {k: v for k, v in found.items() if k == ewc_key or _substitutes(ewc_key, k)}
        # A stream declared under a List-of-Waste code is waste (Directive 2008/98/EC art. 3(1); Decision
        # 2000/532/EC), not the primary material its words also name: « Stériles sableux et argileux » declared
        # 01 04 09 (waste sand and clays) is no glass sand, « Fines de graviers et de roches » (01 04 08) no
        # graded aggregate, « Eaux de lavage et boues de production » (07 06 01*) no process water. It serves a
        # primary material's or a utility's use only through a known substitution of the code's class
        # (:func:`compatibility`), which stays; the label's readings as virgin materials or utilities go.
        role = _class_role()
        if role.get(ewc_key) not in NOT_WASTE_ROLES:
            found = {k: v for k, v in found.items() if k == ewc_key or role.get(k) not in NOT_WASTE_ROLES}
    # "material" is what the importer stores when the file gives no kind: only a declared energy or
    # water kind binds the class (as at import, flows.importers.classify_many); otherwise "Steelworks
    # process gases" lost its fuel-gas reading to "gases in containers".
    if kind in KIND_BOUND:
        _, classes = _classes()
        kinds = {c.key: c.kind for c in classes}
        # water declared warm from cooling is heat (materials.classify.is_warm_return), like water
        # declared at 30 °C or more below
        allowed = {kind, "energy"} if kind == "water" and is_warm_return(label) else {kind}
        same = {k: v for k, v in found.items() if kinds.get(k) in allowed}
        if same:  # « Chaleur de l'incinération »: as sure as « Chaleur » says heat (materials.classify)
            best = max(same, key=same.get)
            same[best] = utility_head_confidence(label, best, same[best])
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
    if listed:
        ranked = sorted(found.items(), key=lambda t: (-t[1], t[0]))
        return tuple((k, round(c, 4)) for k, c in ranked[:MAX_COMPONENTS] if c >= MIN_CLASS_CONFIDENCE)
    top = max(found.values())
    ranked = sorted(((k, c * (c / top) ** ALTERNATIVE_SHARPNESS) for k, c in found.items()), key=lambda t: (-t[1], t[0]))
    return tuple((k, round(c, 4)) for k, c in ranked[:MAX_CLASSES_PER_FLOW]
                 if c >= MIN_CLASS_CONFIDENCE and c >= 0.5 * top)


@lru_cache(maxsize=1)
def _substitute_pairs() -> frozenset[tuple[str, str]]:
    """(offer class, need class) pairs :func:`compatibility` lets one serve the other."""
    keys, _ = _classes()
    comp = compatibility()
    return frozenset((keys[o], keys[n]) for o, n in zip(comp.offer_cls.tolist(), comp.need_cls.tolist()))


def _substitutes(offer_key: str, need_key: str) -> bool:
    return (offer_key, need_key) in _substitute_pairs()


def _ewc_siblings(ewc_code: str, ewc_key: str) -> frozenset[str]:
    """Classes that only other entries of the declared code's sub-chapter (its first four digits) lead to."""
    from boucle.materials.classify import normalise_ewc

    try:
        code6 = normalise_ewc(ewc_code)
    except (ValueError, KeyError):
        return frozenset()
    return _sub_chapter_classes().get(code6[:4], {}).get(ewc_key, frozenset())


@lru_cache(maxsize=1)
def _sub_chapter_classes() -> dict[str, dict[str, frozenset[str]]]:
    """{sub-chapter: {class of one entry: the classes of the sub-chapter's other entries, that class excluded}}."""
    from boucle.materials.taxonomy import ewc_table

    by_sub: dict[str, set[str]] = {}
    for code6, (key, *_rest) in ewc_table().items():
        by_sub.setdefault(code6[:4], set()).add(key)
    return {sub: {key: frozenset(keys - {key}) for key in keys} for sub, keys in by_sub.items()}


# How much a class that the provider's activity typically gives off (EWC chapters) gains when the
# label hesitates: "black furnace slag" from a steelworks is more likely slag of either kind.
OUTPUT_PRIOR = 0.15


# A label that names its stream only as organic (« déchets organiques », "organic waste",
# "biodegradable residues", "dry organic pellets") says the family, not the material: the List of
# Waste says it by source (chapter 02: a fish processor's organic waste is fish offal and trimmings,
# 02 02 02; a brewery's is spent grain, 02 07 04; chapter 19 08: a sewage works' is sewage sludge,
# 19 08 05). Such a label is read as the organic by-products its provider's activity typically gives
# off (EWC chapters, data/activity_outputs.csv), at the label's confidence; its readings outside the
# organic families (plastic or wood pellets for "pellets") go. "Biodegradable" is the word of the
# Waste Framework Directive (2008/98/EC art. 3(4) bio-waste: biodegradable garden, park, food and
# kitchen waste) and of EWC 20 01 08 and 20 02 01.
ORGANIC_WORDS = frozenset("""organic organique organisch organische biodegradable biodegradabile biologisch biogenic
biogene biogen""".split())
# words of the form or state of a stream, not of its material
FORM_WORDS = frozenset("""waste dechet abfall abfalle residue residu reste material materiau matiere matter product produit
byproduct pellet granule granulate powder dust dusty poussiere dry dried sec seche wet moist humide mixed melange
stream fraction general generale various divers other autre""".split())
# organic by-products: the organics family and the sludges of biological treatment (EWC 19 08 05,
# 19 08 12, 20 03 04), not the mineral sludge of drinking-water treatment (19 09 02)
ORGANIC_SLUDGES = frozenset({"sewage_sludge", "industrial_wwtp_sludge", "septic_sludge"})
ORGANIC_OUTPUT_FLOOR = 0.3


@lru_cache(maxsize=65536)
def is_organic_only(label: str | None) -> bool:
    """Whether a label names its material only as organic or biodegradable (« déchets organiques »)."""
    from boucle.materials.text import tokens

    words = set(tokens(label or "")) - FORM_WORDS
    return bool(words) and words <= ORGANIC_WORDS


def _as_provider_gives(classes: list[tuple[str, float]], label: str | None, site: SiteIn,
                       memo: dict | None = None) -> list[tuple[str, float]]:
    if not is_organic_only(label):
        return classes
    groups = {c.key: c.group for c in _classes()[1]}
    organic = lambda k: groups.get(k) == "organics" or k in ORGANIC_SLUDGES  # noqa: E731
    # readings from the words of form ("pellets" as wood or plastic pellets) are not the material
    kept = {k: c for k, c in classes if organic(k)}
    level = max((c for _, c in classes), default=RECOGNISED_CONFIDENCE)
    for o in _per_activity(memo, infer_outputs, site):
        if organic(o.class_key) and o.weight >= ORGANIC_OUTPUT_FLOOR:
            kept[o.class_key] = max(kept.get(o.class_key, 0.0), round(min(level, o.weight), 4))
    if not kept:
        return classes
    ranked = sorted(kept.items(), key=lambda t: (-t[1], t[0]))
    return [(k, c) for k, c in ranked[:MAX_CLASSES_PER_FLOW] if c >= 0.5 * ranked[0][1]]


# The List of Waste codes an ash or a slag by the activity that gives it off (Decision 2000/532/EC,
# annex, point 3: find the source in chapters 01-12 or 17-20 first): "fly ash" from a municipal waste
# incinerator is flue-gas cleaning residue (19 01 13*, 19 01 14) and its "bottom ash" incinerator bottom
# ash (19 01 11*, 19 01 12), not the coal ashes of a power station (10 01 01, 10 01 02), which the words
# alone read first. When the label's
# best reading is an ash, slag or residue the provider does not give off and another reading of the same
# family is one of its typical outputs (weight >= SOURCE_WEIGHT), the provider's reading takes the best
# reading's confidence and place (the other one stays, as an alternative). Only for a label without a
# List-of-Waste code (a declared code already names the source), a reading the words support
# (>= SOURCE_READING), and the families whose List-of-Waste entries are told apart by their source.
SOURCE_WEIGHT = 0.5
SOURCE_READING = 0.5
SOURCE_GROUPS = frozenset({"ashes_slags"})


def _by_source(classes: list[tuple[str, float]], label: str, typical: dict[str, float],
               memo: dict | None = None) -> list[tuple[str, float]]:
    from boucle.materials.classify import classify_label

    top_key, top_conf = classes[0]
    group = _class_group()
    if typical.get(top_key, 0.0) > 0.0 or group.get(top_key) not in SOURCE_GROUPS:
        return classes
    # the label's readings after its first, once per label in a run (``memo``: a region's offers share a few
    # dozen labels, each met again with every site description)
    key = ("alternatives", label)
    alternatives = memo.get(key) if memo is not None else None
    if alternatives is None:
        alternatives = classify_label(label, top=MAX_CLASSES_PER_FLOW + 2)[1:]
        if memo is not None:
            memo[key] = alternatives
    own = next(((m.key, float(m.confidence)) for m in alternatives
                if m.confidence >= SOURCE_READING and typical.get(m.key, 0.0) >= SOURCE_WEIGHT
                and group.get(m.key) == group.get(top_key)), None)
    if own is None:
        return classes
    had = dict(classes).get(own[0], own[1] * own[1] / top_conf)  # as _classify ranks an alternative
    rest = [(k, c) for k, c in classes[1:] if k != own[0]]
    return [(own[0], top_conf), (top_key, had)] + rest


def _with_output_prior(classes: list[tuple[str, float]], site: SiteIn, memo: dict | None = None,
                       label: str | None = None) -> list[tuple[str, float]]:
    """``label``: the offer's words when it has no List-of-Waste code (its family words and its source may
    then decide: ``_as_provider_gives``, and ``_by_source`` unless the label lists several materials)."""
    classes = _as_provider_gives(classes, label, site, memo)
    source_label = label if label and not component_of(label) else None
    if not classes or (len(classes) < 2 and not source_label):
        return classes
    typical = {o.class_key: o.weight for o in _per_activity(memo, infer_outputs, site)}
    if not typical:
        return classes
    if source_label:
        classes = _by_source(classes, source_label, typical, memo)
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
    50,000 sites and far fewer descriptions). The knowledge reads a site's name only for its
    sector words (``infer.name_codes``): sites whose code, activity and sector words agree share
    one answer, whatever the rest of their names."""
    if memo is None:
        return fn(site.naf_code, site.activity, site.name)
    key = (fn, _description(memo, site))
    if key not in memo:
        memo[key] = fn(site.naf_code, site.activity, site.name)
    return memo[key]


def _deduced_activities(sites: list[SiteIn], o_rows: list, memo: dict) -> dict[int, tuple]:
    """Site position -> the activities deduced from what it offers (``infer.deduce_codes``), for
    the sites whose code, activity and name give no activity at all (and whose offers are
    characteristic of one)."""
    offered: dict[int, list[tuple[str, float]]] = {}
    coded: dict[int, bool] = {}  # site position -> whether its code, activity or name give an activity
    for row in o_rows:
        pos = row[1]
        known = coded.get(pos)
        if known is None:
            known = coded[pos] = bool(_per_activity(memo, site_codes, sites[pos]))
        if not known:
            offered.setdefault(pos, []).append((row[2], row[3]))
    out = {}
    for pos, readings in offered.items():
        found = _deduce_from_offers(readings)
        if found:
            out[pos] = found
    return out


def _description(memo: dict, site: SiteIn) -> tuple:
    """What the knowledge reads of a site: its code, its activity, the sector words of its name (the codes they
    give and, for the activity readers, the words themselves) and the words of its activity or name that say it
    may burn waste (``infer.permit_words``)."""
    seen = memo.get(id(site))  # the same site asked again (its offers, its needs): by identity, fields unread
    if seen is not None and seen[0] is site:
        return seen[1]
    site_key = ("description", site.naf_code, site.activity, site.name)
    desc = memo.get(site_key)
    if desc is None:
        desc = memo[site_key] = (site.naf_code, site.activity, *name_reading(site.activity, site.name),
                                 permit_words(site.activity, site.name))
    memo[id(site)] = (site, desc)
    return desc


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
                 threshold: float, per_offer: int | None = None, by_plausibility: bool = False,
                 o_part: np.ndarray | None = None, n_trade: np.ndarray | None = None,
                 o_limit: np.ndarray | None = None) -> np.ndarray:
    """Positions of the candidate pairs a user sees, best first: plausibility at least
    ``threshold``; one proposal per (offer flow, receiving site, need flow) -- several classes of
    an offer or several inferred needs of a site are one suggestion -- its best pair; an inferred
    need dropped where a declared need of the same site takes the offer; then at most
    ``per_offer`` receivers per offer flow, best score first (``by_plausibility``: the default
    output's ``selection.select_default``, most plausible first). Ties never depend on input order:
    ``o_flow``, ``n_site`` and ``n_flow`` (-1: inferred) are ranks of the ids; among exact
    duplicates the first pair in ``(need, offer)`` order wins. ``n_trade``: the receiving activity
    of each pair (:func:`trade_numbers`) the default output reads past the second receiver;
    ``o_limit``: the cap of each pair's offer class (:func:`class_limits`) the default output reads."""
    return capped_pairs(best_per_receiver(o_flow, n_site, n_flow, score, plaus, threshold), o_flow, score, plaus,
                        threshold, per_offer, by_plausibility, o_part, n_trade, o_limit)


def best_per_receiver(o_flow: np.ndarray, n_site: np.ndarray, n_flow: np.ndarray, score: np.ndarray,
                      plaus: np.ndarray, threshold: float) -> np.ndarray:
    """:func:`select_pairs` before the cap per offer: the best pair of each (offer flow, receiving
    site, need flow) at or above ``threshold``, inferred needs a declared one takes over left out,
    best first."""
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
    return sel


def capped_pairs(sel: np.ndarray, o_flow: np.ndarray, score: np.ndarray, plaus: np.ndarray, threshold: float,
                 per_offer: int | None = None, by_plausibility: bool = False, o_part: np.ndarray | None = None,
                 n_trade: np.ndarray | None = None, o_limit: np.ndarray | None = None) -> np.ndarray:
    """:func:`select_pairs`' cap per offer applied to ``sel`` (:func:`best_per_receiver`)."""
    if per_offer is not None and by_plausibility:
        pos = select_default(o_flow[sel], plaus[sel], score[sel], threshold=threshold, max_per_offer=per_offer,
                             part=None if o_part is None else o_part[sel],  # ties: in the order of ``sel``
                             trade=None if n_trade is None else n_trade[sel],
                             limit=None if o_limit is None else o_limit[sel])
        sel = sel[np.sort(pos)]  # restore the global best-first order
    elif per_offer is not None:
        pos = eng.top_k_per(o_flow[sel], score[sel], per_offer, tie=np.arange(sel.size))
        sel = sel[np.sort(pos)]  # top_k_per groups by offer; restore the global best-first order
    return sel


def _member(values: np.ndarray, of: np.ndarray) -> np.ndarray:
    """``np.isin(values, of)`` for integers, ``of`` the short side: only it is sorted, ``values`` (a
    region's million inferred needs) looked up in it, rather than both sorted together."""
    if not of.size:
        return np.zeros(values.shape, dtype=bool)
    of = np.sort(of)
    return of[np.minimum(np.searchsorted(of, values), of.size - 1)] == values


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
    # Classes first: the declared needs listed with a site's inferred ones are mostly of other classes, and the
    # distances are worked out for the compatible pairs only.
    compatible = weight[offers.cls[oi], needs.cls[ni]] > 0
    oi, ni = oi[compatible], ni[compatible]
    oc, nc = offers.cls[oi], needs.cls[ni]
    xyz = sites_arr.xyz
    diff = xyz[offers.site[oi]] - xyz[needs.site[ni]]
    km = chord_to_km(np.sqrt((diff * diff).sum(axis=1)))
    ok = km <= reach[oc, nc] * (1 + 1e-12)
    ok &= eng.flow_rules_mask(offers, needs, class_info(), oi, ni)
    oi, ni, km = oi[ok], ni[ok], km[ok]
    key = ni * len(offers) + oi
    # Pairs often come sorted already (the per-need search lists them by need then offer).
    order = np.arange(key.size) if bool(np.all(key[1:] > key[:-1])) else np.lexsort((oi, ni))
    return eng.Candidates(oi[order], ni[order], km[order], weight[offers.cls[oi[order]], needs.cls[ni[order]]])


def _rescored(sites_arr, offers, needs, oi, ni, radius_km, pair_filter, weights):
    """The found pairs as the enumeration makes and scores them (hard rules, filters, terms)."""
    cands = pair_filter(_pairs_to_candidates(sites_arr, offers, needs, oi, ni, radius_km))
    return cands, _terms(cands, offers, needs, weights)


def _picked(terms, positions):
    """The score terms (:func:`_terms`: arrays over the pairs, a dict of them, or None) of the pairs at ``positions``."""
    if isinstance(terms, dict):
        return {name: _picked(value, positions) for name, value in terms.items()}
    return None if terms is None else terms[positions]


def _joined(parts: list):
    """The score terms of several sets of pairs (:func:`_picked`), one after the other."""
    if isinstance(parts[0], dict):
        return {name: _joined([part[name] for part in parts]) for name in parts[0]}
    return None if parts[0] is None else np.concatenate(parts)


def _unproven(group_of_row: np.ndarray, pending: np.ndarray, cut: np.ndarray, sel_group: np.ndarray,
              sel_score: np.ndarray, k: int, floor: np.ndarray | None = None) -> np.ndarray:
    """The searched rows whose selection is not proven: their search left pairs out (``cut``: the
    last rank value it kept, -inf when it kept all) at or above the last value kept for their group
    (its ``k``-th; when fewer were kept, ``floor``, the lowest value the group could still show,
    else -inf), so an unseen pair might still enter. Strictly below is proof, with room for the
    last bits of exp and asin in the compiled values."""
    n = pending.size
    full = np.bincount(sel_group, minlength=n) >= k
    kept_min = np.full(n, np.inf)
    np.minimum.at(kept_min, sel_group, sel_score)
    bar = np.where(full, kept_min, -np.inf if floor is None else floor)[group_of_row]
    return pending[group_of_row] & np.isfinite(cut) & (cut >= bar - 1e-9 * np.abs(bar))


# Needs searched per offer row at first, as (a, b): a x cap + b. Several rows of a need (its classes)
# or inferred needs of one site count as one receiver, hence the margin; rows that need more are
# searched again (see _bounded_selection).
FIRST_GUESS = (1, 3)


def _bounded_selection(sites_arr, offers, needs, radius_km, weights, threshold, cap, o_flow_of, n_site_of, n_flow_of,
                       pair_filter, by_plausibility, rows=None, threads: int = -1, o_part_of=None, apart=None,
                       n_trade_of=None, reach_km=None, o_limit_of=None):
    """:func:`select_pairs` over every pair in reach, computed from a bounded set of them.

    The compiled search gives each offer row its ``m`` best needs above the threshold (and the
    rank below which it left some out); the pairs are rescored here exactly as the enumeration
    scores them, together with the declared needs of each receiving site (an inferred need is
    dropped where one of them qualifies), and selected. The selection is then the full one if
    every row that left needs out cut strictly below the last score kept for its offer flow;
    rows where that does not hold are searched again with ``m`` four times larger. ``apart``: the
    pairs ``pair_filter`` drops for the resale rule (:func:`resale_flags`), left out by the search
    itself: an offer of a recycler would else fill its ``m`` with its neighbours' inferred needs,
    all dropped, and be searched again and again. ``reach_km``: per offer, the distance beyond which the
    gain filter drops all its pairs (:func:`gain_filter`'s ``reach_km``), left out by the search likewise."""
    impact, info, compat = _linear_impact(), class_info(), compatibility()
    pair_weight, _reach = _class_pair_tables(radius_km)
    n_off = len(offers)
    m = max(1, FIRST_GUESS[0] * cap + FIRST_GUESS[1])
    found_o = np.zeros(0, dtype=np.int64)
    found_n = np.zeros(0, dtype=np.int64)
    cut = np.full(n_off, -np.inf)
    rows = np.arange(n_off) if rows is None else rows  # the offer rows searched
    n_flows = int(max(o_flow_of.max(initial=-1), n_flow_of.max(initial=-1))) + 1
    n_sites = len(sites_arr)
    decl = np.flatnonzero(n_flow_of >= 0)
    site_ptr, site_idx = _csr(needs.site[decl], n_sites)
    site_idx = decl[site_idx]
    flow_ptr, flow_idx = _csr(o_flow_of, n_flows)
    kernel_threshold = threshold - 1e-9 * abs(threshold)  # the exact test is select_pairs'
    pending = np.ones(n_flows, dtype=bool)  # offer flows whose selection is not proven yet
    settled = []  # the selected pairs of the flows proven, with their terms
    rounds = 0
    while True:
        rounds += 1
        top = nearest.best_needs_per_offer(sites_arr, offers, needs, info, compat, radius_km, m, impact, weights,
                                           threads, threshold=kernel_threshold, rows=rows,
                                           by_plausibility=by_plausibility, apart=apart, reach_km=reach_km)
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
            # most of them are of other classes: left out here rather than after sorting them with the rest
            # (_pairs_to_candidates leaves them out first thing)
            compatible = pair_weight[offers.cls[extra_o], needs.cls[extra_n]] > 0
            fo, fn = np.concatenate([fo, extra_o[compatible]]), np.concatenate([fn, extra_n[compatible]])
        pair = _unique(fo * len(needs) + fn)
        cands, terms = _rescored(sites_arr, offers, needs, pair // len(needs), pair % len(needs), radius_km,
                                 pair_filter, weights)
        score = terms["plausibility"] if by_plausibility else terms["score"]  # what the search ranked by
        # select_pairs, its best pair per receiver worked out once for the two caps below
        c_flow = o_flow_of[cands.offer_idx]
        ranked = best_per_receiver(c_flow, n_site_of[cands.need_idx], n_flow_of[cands.need_idx], terms["score"],
                                   terms["plausibility"], threshold)
        args = (ranked, c_flow, terms["score"], terms["plausibility"], threshold, cap, by_plausibility,
                None if o_part_of is None else o_part_of[cands.offer_idx])
        sel = capped_pairs(*args, None if n_trade_of is None else n_trade_of[cands.need_idx],
                           None if o_limit_of is None else o_limit_of[cands.offer_idx])
        # What is shown of an offer is read from its best ``cap`` receivers (past the second, a
        # repeated activity ends the list: selection.SAME_TRADE_KEPT; the cap of its best row's
        # class: selection.CLASS_CAPS), so proving those proves it: the proof reads the selection
        # without those rules.
        top = sel if n_trade_of is None and o_limit_of is None else capped_pairs(*args)
        flows_top = c_flow[top]
        flows_sel = c_flow[sel]
        # An offer short of ``cap`` receivers because of the relative cut (selection.RELATIVE_CUT)
        # is proven too when what was left out lies below that cut.
        floor = None
        if by_plausibility and selection.RELATIVE_CUT > 0 and sel.size:
            floor = np.full(n_flows, -np.inf)
            np.maximum.at(floor, flows_top, score[top])
            floor = np.where(np.isfinite(floor), floor_of(floor, threshold), -np.inf)
        short = _unproven(o_flow_of, pending, cut, flows_top, score[top], cap, floor)
        if o_part_of is not None and np.any(o_part_of):
            # An offer listing materials cuts per material (selection.select_default): only a search
            # that left out nothing above the threshold proves its selection.
            listing = o_part_of > 0
            short |= listing & pending[o_flow_of] & np.isfinite(cut) & (cut >= kernel_threshold)
        if rounds == 1 and not short.any():
            return cands, terms, sel
        still = np.zeros(n_flows, dtype=bool)
        still[o_flow_of[short]] = True
        done = ~still[flows_sel]
        settled.append((cands.take(sel[done]), _picked(terms, sel[done])))
        if not short.any():
            break
        pending = still
        rows = np.flatnonzero(short)
        cut[rows] = -np.inf
        m *= 4
    # The selection of selected pairs is themselves (one per receiver, at most ``cap`` per offer,
    # none an inferred need whose site's declared need qualifies): select once more for the order.
    # A pair's terms are its own (no other pair enters them): kept from its round, not scored again.
    cands = eng.Candidates(*(np.concatenate([getattr(c, name) for c, _t in settled])
                             for name in ("offer_idx", "need_idx", "distance_km", "compat_weight")))
    order = np.lexsort((cands.offer_idx, cands.need_idx))  # by (need, offer), as candidates are
    cands, terms = cands.take(order), _picked(_joined([t for _c, t in settled]), order)
    sel = select_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                       terms["score"], terms["plausibility"], threshold, cap, by_plausibility,
                       None if o_part_of is None else o_part_of[cands.offer_idx],
                       None if n_trade_of is None else n_trade_of[cands.need_idx],
                       None if o_limit_of is None else o_limit_of[cands.offer_idx])
    return cands, terms, sel


def class_limits(offers) -> np.ndarray:
    """Per offer row, the cap of its class (:func:`selection.class_cap`), what the default output reads."""
    return _class_limit_table()[offers.cls]


@lru_cache(maxsize=1)
def _class_limit_table() -> np.ndarray:
    return np.array([selection.class_cap(k) for k in _classes()[0]], dtype=np.int64)


def trade_numbers(n_rows: NeedRows) -> np.ndarray:
    """Per need row, its receiving activity as a number (:meth:`NeedRows.receiver_activities`: the
    activity whose rule makes the site a receiver), -1 for a declared need (its own use, never the
    same as another's): what ``selection.select_default`` reads past an offer's second receiver."""
    per_rule = [_receiver_activity(rule) for rule in n_rows.rules]
    number = {a: i for i, a in enumerate(sorted({a for a in per_rule if a is not None}))}
    code = np.array([number.get(a, -1) for a in per_rule] + [-1], dtype=np.int64)
    return np.r_[np.full(len(n_rows.declared), -1, dtype=np.int64), code[n_rows.rule]]


def _part_numbers(o_rows: list) -> np.ndarray | None:
    """Per offer row, which material of a listing label it is for (1, 2, ... in the label's order),
    0 for an offer of one material; None when no offer lists several."""
    if not any(r[4] for r in o_rows):
        return None
    number: dict[tuple, int] = {}
    per_flow: dict = {}
    out = np.zeros(len(o_rows), dtype=np.int64)
    for i, r in enumerate(o_rows):
        if r[4]:
            if (r[0], r[4]) not in number:
                per_flow[r[0]] = number[(r[0], r[4])] = per_flow.get(r[0], 0) + 1
            out[i] = number[(r[0], r[4])]
    return out


# The use a label states (« … used as fertiliser », "… as aggregate", "Lignin pellets (solid biofuel)",
# "Ash for landfill construction") says which receivers it is meant for: a receiver whose activity
# makes that use is the reading the label gives; another one that could take the material is a weaker
# reading of it, its plausibility multiplied by STATED_USE_OTHER. The material is read from the words
# before the use (classify.material_words); the use from the words after "as", "for", "used" or an
# opening bracket. Each use: its words, the NACE prefixes of the activities making it, the need
# classes that are it, whether a receiver burning the material makes it, and the source.
@dataclass(frozen=True)
class StatedUse:
    name: str
    phrases: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    classes: frozenset = frozenset()
    fuel: bool = False
    source: str = ""
    # names of a form made for this use only, read anywhere in the label (granulated blast-furnace slag is
    # quenched to glass to be a cement constituent; the lump slag cooled in air is the aggregate)
    forms: tuple[str, ...] = ()
    # the share of its plausibility a receiver that does not make the use keeps (STATED_USE_OTHER unless said)
    other: float | None = None


# A label that states a use on land (spreading as fertiliser or soil improver, remediation of a soil) names
# the recovery operation its holder offers: R10, land treatment resulting in benefit to agriculture or
# ecological improvement (Directive 2008/98/EC, Annex II), under the rules of Directive 86/278/EEC for
# sewage sludge and Regulation (EU) 2019/1009 for fertilising products. Burning it in a kiln or a boiler
# (R1) or using it as a raw material (R5) is another operation than the one offered, not a weaker
# reading of the same one: a receiver that does not make a land use keeps a quarter of its plausibility.
STATED_LAND_USE_OTHER = 0.25


STATED_USES = (
    StatedUse("land", ("fertiliser", "fertilizer", "fertilisers", "fertilizers", "fertilising", "fertilizing",
                       "soil conditioner", "soil amendment", "soil improver", "soil improvement", "land spreading",
                       "landspreading", "spreading on land", "agricultural use", "engrais", "amendement", "epandage",
                       "valorisation agricole", "dunger", "dungemittel", "bodenverbesserung", "bodenverbesserer"),
              ("01", "02", "20.15", "39"), frozenset({"fertiliser_mineral"}), other=STATED_LAND_USE_OTHER,
              source="Regulation (EU) 2019/1009, Annex I: PFC 1 fertiliser and PFC 3 soil improver, applied to "
                     "soil or plants; Directive 86/278/EEC (sewage sludge used in agriculture); NACE 20.15 "
                     "(manufacture of fertilisers)"),
    StatedUse("feed", ("feed", "animal feed", "pig feed", "cattle feed", "fodder", "feedstuff", "feedstuffs",
                       "alimentation animale", "aliment du betail", "futter", "futtermittel"),
              ("01.4", "01.5", "03", "10.91", "10.92"), frozenset({"animal_feed"}),
              source="Regulation (EC) No 767/2009 (placing on the market and use of feed); NACE 01.4 animal "
                     "production, 03.2 aquaculture, 10.91 and 10.92 manufacture of prepared animal feeds"),
    StatedUse("fuel", ("fuel", "fuels", "biofuel", "solid biofuel", "solid fuel", "fuel gas", "energy recovery",
                       "combustible", "combustibles", "valorisation energetique", "brennstoff",
                       "ersatzbrennstoff", "energetische verwertung"),
              ("35",), fuel=True,
              source="Directive 2008/98/EC, Annex II, R1 (use principally as a fuel or other means to generate "
                     "energy); EN ISO 17225-1 (solid biofuels); NACE 35.1 and 35.3 (electricity, steam)"),
    # "for cooling", not « chaleur fatale (fumées et refroidissement) », which names where heat comes from
    StatedUse("cooling", ("cooling water", "for cooling", "used for cooling", "eau de refroidissement",
                          "pour refroidissement", "pour le refroidissement", "kuhlwasser", "zur kuhlung"),
              (), frozenset({"water_cooling"}),
              source="EU BREF ICS 2001 (Industrial Cooling Systems: once-through and recirculating cooling "
                     "water systems)"),
    StatedUse("aggregate", ("aggregate", "aggregates", "road base", "sub base", "subbase", "backfill", "embankment",
                            "granulat", "granulats", "gesteinskornung", "gesteinskornungen"),
              ("42", "43", "23.6"),
              source="EN 13242 (aggregates for unbound and hydraulically bound materials for civil engineering "
                     "work and road construction); EN 12620 (aggregates for concrete); NACE 42.11, 43.12, 23.6"),
    StatedUse("landfill", ("landfill construction", "landfill cover", "landfill capping", "daily cover",
                           "couverture de decharge", "deponiebau"),
              ("38.21",),
              source="Directive 1999/31/EC, Annex I (landfill lining, drainage and cover layers); NACE 38.21 "
                     "(operation of landfills for non-hazardous waste)"),
    StatedUse("remediation", ("bioremediation", "remediation", "soil remediation", "depollution", "sanierung"),
              ("39",), other=STATED_LAND_USE_OTHER,
              source="NACE 39.00 (remediation activities and other waste management services: "
                     "decontamination of soils)"),
    # « CO2 for residue carbonation », "… for neutralisation": a pH use, made by the activities that neutralise an
    # alkaline residue or a hazardous waste, or carbonate a drink or a milk of lime (not the remineralisation of
    # drinking water, a use of its own that a label seldom states)
    StatedUse("neutralisation", ("neutralisation", "neutralization", "neutralising", "neutralizing", "carbonation",
                                 "recarbonation", "residue carbonation", "mineral carbonation", "ph control",
                                 "ph adjustment", "ph correction", "carbonatation", "correction du ph",
                                 "ajustement du ph", "neutralisierung", "karbonatisierung"),
              ("24.42", "38.22", "11.05", "11.07", "20.13"),
              source="EU BREF NFM 2017 "
                     "(bauxite residue neutralised by seawater or CO2 before storage); EU BREF WT 2018 "
                     "(physico-chemical treatment: neutralisation); EU BREF FDM 2019 (carbonation of beer and soft "
                     "drinks with CO2); EU BREF LVIC-S 2007 (precipitated calcium carbonate: carbonation of milk of "
                     "lime)"),
    StatedUse("binder", ("cement constituent", "cement addition", "concrete addition", "constituant du ciment",
                         "addition pour beton", "zementbestandteil", "betonzusatzstoff"),
              ("23.51", "23.6", "23.1"),
              forms=("granulated blast furnace slag", "ground granulated", "granulated slag", "ggbs", "ggbfs", "gbfs",
                     "slag sand", "huttensand", "huttensandmehl", "laitier granule", "laitier moulu",
                     "laitier de haut fourneau granule", "laitier de haut fourneau moulu"),
              source="EN 197-1 (granulated blast furnace slag, main constituent S of cement); EN 15167-1 (ground "
                     "granulated blast furnace slag for use in concrete); Euroslag 2022 statistics (blast furnace "
                     "slag: 82.5 % to cement and concrete, the granulated slag; air-cooled slag to road building); "
                     "EU BREF GLS 2012 (granulated slag as a glass batch material); NACE 23.51, 23.6, 23.1"),
    # « Warm cooling water », "warm seawater", « eau de refroidissement tiède »: water that leaves a once-through or
    # recirculating cooling system a few kelvin above the water drawn (EU BREF ICS 2001, 1.4 and 3.2: discharge
    # temperatures of 25-35 °C, reuse in aquaculture). Its uses are those of water at that temperature: warm-water
    # fish farming (03.2) and the vaporisation of LNG at a regasification terminal (52.21, which uses seawater as its
    # heat source); a district-heating network (supply 70-120 °C, need_temperatures.csv 35.3; 50-60 °C in a fourth
    # generation network, Lund et al. 2014, Energy 68:1-11), greenhouse heating pipes (40-60 °C) or process hot
    # water take it only through a heat pump (EU BREF ENE 2009, 3.3.2), an investment the label does not offer.
    # « Poussières d'aciérie électrique », "EAF dust", "zinc-rich dust": the filter dust of an electric arc furnace
    # holds 20-40 % zinc from galvanised scrap; it goes to a Waelz kiln or another zinc-recovery process (EU BREF NFM
    # 2017, ch. 6; EWC 10 02 07*), or to a hazardous-waste treater, not to another steelworks, whose sinter plant and
    # blast furnace limit the zinc they take in (EU BREF IS 2012, ch. 3 and 4: zinc-rich dusts are kept out of the
    # sinter). The label names a form made for zinc recovery wherever it stands.
    StatedUse("zinc_recovery", (), ("24.4", "38.2", "38.3"),
              forms=("poussieres d acierie electrique", "poussiere d acierie electrique",
                     "poussieres d acieries electriques", "poussieres de four a arc", "poussieres de four electrique",
                     "poussieres riches en zinc", "poussiere riche en zinc", "poussieres zinciferes",
                     "eaf dust", "eaf dusts", "eaf filter dust", "electric arc furnace dust", "electric arc furnace dusts",
                     "arc furnace dust", "zinc rich dust", "zinc rich dusts", "zinc bearing dust", "zinc bearing dusts",
                     "elektroofenstaub", "elektroofenstaube", "lichtbogenofenstaub", "lichtbogenofenstaube",
                     "zinkhaltiger staub", "zinkhaltige staube", "zinkreicher staub"),
              source="EU BREF NFM 2017, ch. 6 (zinc recovery from EAF dust in Waelz kilns); EU BREF IS 2012, ch. 3 "
                     "and 4 (zinc limits of the sinter plant and blast furnace); EWC 10 02 07* (solid wastes from gas "
                     "treatment containing hazardous substances); NACE 24.43, 24.4, 38.2, 38.3"),
    StatedUse("warm_return", (), ("03", "52.21"),
              source="EU BREF ICS 2001 (Industrial Cooling Systems: discharge of cooling water at 25-35 °C, reuse "
                     "of its heat in aquaculture); EU BREF ENE 2009, 3.3.2 (heat pumps lift low-grade heat to a "
                     "network's temperature); NACE 03.2 (aquaculture), 52.21 (LNG regasification)"),
)
STATED_USE_OTHER = 0.5
# the uses a form of the material may state on its own (``StatedUse.forms``), as bits of STATED_USES
_FORM_USES = sum(1 << i for i, use in enumerate(STATED_USES) if use.forms)
# the highest temperature a warm return offered for its warm-water uses is read at (EU BREF ICS 2001)
WARM_RETURN_MAX_C = 40.0
_COOLING_WATER_WORDS = ("cooling water", "seawater", "sea water", "eau de refroidissement", "eaux de refroidissement",
                        "eau de mer", "kuhlwasser", "meerwasser", "acqua di raffreddamento", "agua de refrigeracion")
_USE_MARKER = re.compile(r"\b(?:used|use|as|for|pour|comme|als|fur|zur|zum)\b|\(")


_WARM_RETURN_BIT = 1 << next(i for i, u in enumerate(STATED_USES) if u.name == "warm_return")


def _warm_cooling_water(label: str, whole: str) -> bool:
    """Whether a label offers cooling water said warm, at no stated temperature above WARM_RETURN_MAX_C."""
    from boucle.materials.classify import is_warm_return
    from boucle.materials.text import parse_temperature

    if not any(f" {w} " in whole for w in _COOLING_WATER_WORDS) or not is_warm_return(label):
        return False
    t = parse_temperature(label)
    return t is None or t <= WARM_RETURN_MAX_C


@lru_cache(maxsize=65536)
def stated_uses(label: str | None) -> int:
    """The uses a label states after its material, or by naming a form made for one use (a bit per row of
    STATED_USES; 0: none)."""
    from .knowledge.naf import normalise

    raw = (label or "").lower().replace("ü", "u")
    whole = " " + normalise(raw) + " "
    bits = _WARM_RETURN_BIT if _warm_cooling_water(label or "", whole) else 0
    for i, use in enumerate(STATED_USES):  # a form made for one use states it wherever it stands
        if any(f" {p} " in whole for p in use.forms):
            bits |= 1 << i
    m = _USE_MARKER.search(raw)
    if not m:
        return bits
    # "boiler feed water" is a grade of water, not animal feed
    tail = (" " + normalise(raw[m.start():]) + " ").replace(" feed water ", " ").replace(" feedwater ", " ")
    for i, use in enumerate(STATED_USES):
        if any(f" {p} " in tail for p in use.phrases):
            bits |= 1 << i
    return bits


@lru_cache(maxsize=65536)  # a region's rules share a few thousand (activity, class) pairs
def _uses_made(prefix: str | None, class_key: str) -> int:
    """The stated uses (bits of STATED_USES) that an activity's need rule makes."""
    bits = 0
    for i, use in enumerate(STATED_USES):
        if (class_key in use.classes or (prefix and any(prefix == p or prefix.startswith(p + ".")
                                                        or (len(p) == 4 and prefix.startswith(p))
                                                        for p in use.prefixes))
                or (use.fuel and prefix and fuel_receivers([prefix], [class_key])[0])):
            bits |= 1 << i
    return bits


def _other_share(want: np.ndarray) -> np.ndarray:
    """Per pair, the share of its plausibility a receiver that makes none of the stated uses ``want``
    (bits of STATED_USES) keeps: the largest of the stated uses' (``StatedUse.other``, STATED_USE_OTHER
    when not said), so a label stating a land use and a fuel use keeps STATED_USE_OTHER."""
    share = np.zeros(want.shape, dtype=float)
    for i, use in enumerate(STATED_USES):
        share = np.where((want >> i) & 1, np.maximum(share, STATED_USE_OTHER if use.other is None else use.other), share)
    return share


def use_filter(o_use: np.ndarray, n_use: np.ndarray):
    """The pair step of a stated use: a receiver that does not make the use its offer's label states
    (``o_use``: bits per offer row; ``n_use``: bits per need row, all set for a declared need)
    counts STATED_USE_OTHER of its plausibility (a land use: STATED_LAND_USE_OTHER, :func:`_other_share`)."""
    def pair_filter(cands: eng.Candidates) -> eng.Candidates:
        if len(cands) == 0:
            return cands
        want = o_use[cands.offer_idx]
        other = (want != 0) & ((want & n_use[cands.need_idx]) == 0)
        if not other.any():
            return cands
        return eng.Candidates(cands.offer_idx, cands.need_idx, cands.distance_km,
                              np.where(other, cands.compat_weight * _other_share(want), cands.compat_weight))
    return pair_filter


# The ashes and slags a waste operator gives off are residues of its own process, not a sorted
# material resold: an incinerator's bottom ash goes to a bottom-ash treatment plant and its flue-gas
# cleaning residues (19 01 07*, 19 01 13*) to a hazardous-waste treatment or landfill (EU BREF WI 2019,
# 2.6 and 2.7: bottom ash treatment, APC residue treatment), both waste operators.
RESIDUE_GROUPS = frozenset({"ashes_slags"})


@lru_cache(maxsize=1)
def _residue_classes() -> np.ndarray:
    return np.array([c.group in RESIDUE_GROUPS for c in _classes()[1]], dtype=bool)


def resale_flags(offers: eng.Offers, needs: eng.Needs, waste_op: np.ndarray | None):
    """What the resale rule reads (:func:`resale_filter`): per offer row, a sorted secondary material
    of a recycler or waste operator (not a residue of its own process, ``RESIDUE_GROUPS``); per need
    row, an inferred need of one. A pair of both is a resale. None when needs are not inferred."""
    if waste_op is None:
        return None
    return waste_op[offers.site] & ~_residue_classes()[offers.cls], waste_op[needs.site] & needs.inferred


def resale_filter(offers: eng.Offers, needs: eng.Needs, waste_op: np.ndarray | None):
    """The candidate filter of the default output: a sorted secondary material goes to a user of it,
    not from one recycler or waste operator to the next (a declared need of a recycler still counts);
    the ashes and slags of a waste operator's own process (``RESIDUE_GROUPS``) go to the next one.
    ``waste_op``: per site, None when needs are not inferred."""
    flags = resale_flags(offers, needs, waste_op)

    def pair_filter(cands: eng.Candidates) -> eng.Candidates:
        if flags is None or len(cands) == 0:
            return cands
        resale = flags[0][cands.offer_idx] & flags[1][cands.need_idx]
        return cands.take(np.flatnonzero(~resale)) if resale.any() else cands
    return pair_filter


# Margin of the search's reach over a break-even distance (relative, km): the gain filter reads the distance
# rounded to the metre, the search measures it along the chord.
REACH_SLACK = (1e-6, 0.01)


def gain_filter(vterms, needs: eng.Needs, n_unit: np.ndarray, o_map=None, n_map=None):
    """The candidate filter of the valuation against today's route (:mod:`.additionality`): a pair
    whose known quantity gains nothing (CO2e <= 0) or heat beyond its break-even distance is not a
    candidate, so the cap of receivers per offer is filled with pairs that gain. ``o_map``/``n_map``
    turn a tile's local rows into the run's rows (:mod:`.partition`)."""
    def valuation(cands: eng.Candidates) -> dict:
        oi = cands.offer_idx if o_map is None else o_map[cands.offer_idx]
        ni = cands.need_idx if n_map is None else n_map[cands.need_idx]
        return value_pairs(vterms, oi, needs.quantity_t[ni], n_unit[ni], ~needs.inferred[ni],
                           needs.temperature_c[ni], rounded_array(cands.distance_km, 3))

    def keep(cands: eng.Candidates) -> eng.Candidates:
        if len(cands) == 0:
            return cands
        drop = valuation(cands)["drop"]
        return cands.take(np.flatnonzero(~drop)) if drop.any() else cands

    def reach_km(n_offers: int) -> np.ndarray:
        """Per offer row, a distance beyond which ``keep`` drops every pair of it (inf: none), for the
        search to leave them out. Of a known positive quantity: a material (not heat) gains
        ``q x (gain - km x freight)``, nothing from its break-even distance on; heat is dropped beyond
        its break-even ``q x value / (loss x value + pipe cost)``, which grows with ``q`` and with the
        value of a delivered MWh, largest for a receiver that needs no heat pump (the one valued here)
        -- where no receiver's temperature makes a heat pump feasible but worth nothing (no
        break-even: it would be kept until the pipe loses all the heat). A receiver takes at most the
        offer, unless some declared need is negative (its sign would turn the gain's): then none.
        With a margin (``REACH_SLACK``) over the distance as the filter reads it (rounded to the metre)."""
        out = np.full(n_offers, np.inf)
        if n_offers == 0 or np.any(needs.quantity_t[~needs.inferred] < 0):
            return out
        oi = np.arange(n_offers) if o_map is None else o_map[np.arange(n_offers)]

        def alone(rows, need_temp_c):
            none = np.full(rows.size, np.nan)
            return value_pairs(vterms, rows, none, np.full(rows.size, -1, dtype=np.int64),
                               np.zeros(rows.size, dtype=bool), np.full(rows.size, need_temp_c), np.zeros(rows.size))
        be = alone(oi, np.nan)["breakeven_km"]
        q = vterms.quantity[oi]
        with np.errstate(invalid="ignore"):
            ok = vterms.known[oi] & np.isfinite(q) & (q > 0) & np.isfinite(be) & (be > 0)
        heat = np.flatnonzero(ok & vterms.heat[oi])
        if heat.size:
            temps = np.unique(needs.temperature_c[np.isfinite(needs.temperature_c)])
            for t in temps.tolist():
                v = alone(oi[heat], t)
                worthless = v.get("heat_feasible", np.ones(heat.size, dtype=bool)) & ~np.isfinite(v["breakeven_km"])
                ok[heat[worthless]] = False
                heat = heat[~worthless]
        out[ok] = be[ok] * (1.0 + REACH_SLACK[0]) + REACH_SLACK[1]
        return out
    keep.valuation = valuation
    keep.reach_km = reach_km
    keep.n_needs = len(needs)
    return keep


def searchable_rows(vterms, n_offers: int, gain) -> np.ndarray:
    """Offer rows worth searching: one whose every pair would be dropped (a known quantity that gains
    nothing even next door: the CO2e of a material, not heat, only falls with distance) is not."""
    rows = np.arange(n_offers)
    # no need row at all (a park of sites known by company names only): nothing to value a pair against yet; the
    # receivers of last resort are valued when searched
    if vterms is None or gain is None or n_offers == 0 or gain.n_needs == 0:
        return rows
    alone = gain.valuation(eng.Candidates(rows, np.zeros(n_offers, dtype=np.int64), np.zeros(n_offers),
                                          np.ones(n_offers)))
    doomed = alone["drop"] & ~vterms.heat & (vterms.quantity >= 0)
    return rows[~doomed]


def default_pair_filter(offers: eng.Offers, needs: eng.Needs, waste_op, gain=None, uses=None):
    """The pair step of the default output, for every engine path: the resale rule (:func:`resale_filter`),
    then the stated uses (``uses``, :func:`use_filter`), then ``gain`` (:func:`gain_filter`)."""
    resale = resale_filter(offers, needs, waste_op)
    stated = use_filter(*uses) if uses is not None else None

    def pair_filter(cands: eng.Candidates) -> eng.Candidates:
        cands = resale(cands)
        if stated is not None:
            cands = stated(cands)
        return gain(cands) if gain is not None and len(cands) else cands
    return pair_filter


def nearest_receivers(sites_arr, offers: eng.Offers, needs: eng.Needs, o_flow_of: np.ndarray, radius_km: float,
                      pair_filter) -> eng.Offers:
    """``offers`` with ``nearest_km`` set for each hazardous offer: the distance from its flow to the nearest site
    in the radius that may receive it (authorised for it, a compatible need, kept by ``pair_filter``). Its pairs'
    distance decay counts from there (``scoring.decay_distance``; Directive 2008/98/EC art. 16, proximity
    principle): authorised installations are few, often 60-150 km away, and the nearest one is no longer
    eliminated by distance alone. One distance per flow, so its receivers keep their order by plain distance."""
    haz = np.flatnonzero(offers.hazardous)
    if haz.size == 0:
        return offers
    c = eng.find_candidates(sites_arr, eng.take_rows(offers, haz), needs, class_info(), compatibility(),
                            radius_km=radius_km)
    c = pair_filter(eng.Candidates(haz[c.offer_idx], c.need_idx, c.distance_km, c.compat_weight))
    n_flows = int(o_flow_of.max(initial=-1)) + 1
    near = np.full(n_flows, np.inf)
    np.minimum.at(near, o_flow_of[c.offer_idx], c.distance_km)
    row = np.full(len(offers), np.nan)
    row[haz] = near[o_flow_of[haz]]
    row[~np.isfinite(row)] = np.nan
    return replace(offers, nearest_km=row)


def select_arrays(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op, radius_km: float,
                  threshold: float, cap: int | None, by_plausibility: bool, weights: ScoreWeights = ScoreWeights(),
                  exhaustive: bool = False, threads: int = -1, gain=None, search_rows=None, o_part_of=None,
                  uses=None, n_trade_of=None, class_caps: bool = True):
    """The array part of :func:`propose_table`: candidates, their terms and the positions shown, best
    first (compiled bounded search over ``search_rows`` when a cap per offer is set, else every pair
    in reach), after the resale filter, ``gain`` (:func:`gain_filter`) and the stated uses (``uses``:
    per offer row and per need row, :func:`use_filter`). One function for the single run and for
    each tile of a partitioned run (:mod:`.partition`). ``class_caps``: the default output's cap per
    offer class (:func:`class_limits`), read when ranking by plausibility."""
    pair_filter = default_pair_filter(offers, needs, waste_op, gain, uses)
    o_limit_of = class_limits(offers) if class_caps and by_plausibility else None

    bounded = cap is not None and not exhaustive and nearest.compiled_search_usable(offers, needs, weights)
    if bounded:
        return _bounded_selection(sites_arr, offers, needs, radius_km, weights, threshold, cap,
                                  o_flow_of, n_site_of, n_flow_of, pair_filter, by_plausibility, search_rows, threads,
                                  o_part_of, resale_flags(offers, needs, waste_op), n_trade_of,
                                  None if gain is None else gain.reach_km(len(offers)), o_limit_of)
    cands = pair_filter(eng.find_candidates(sites_arr, offers, needs, class_info(), compatibility(),
                                            radius_km=radius_km))
    terms = _terms(cands, offers, needs, weights)
    sel = select_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                       terms["score"], terms["plausibility"], threshold, cap, by_plausibility,
                       None if o_part_of is None else o_part_of[cands.offer_idx],
                       None if n_trade_of is None else n_trade_of[cands.need_idx],
                       None if o_limit_of is None else o_limit_of[cands.offer_idx])
    return cands, terms, sel


# Offers searched per need row at first, as (a, b): a x per_need + b (several class rows of an
# offer flow count as one offer; rows that need more are searched again, see _per_need_selection).
FIRST_GUESS_PER_NEED = (2, 2)


def need_keys(n_site: np.ndarray, n_flow: np.ndarray) -> np.ndarray:
    """One integer per need of the per-need mode: a declared need flow, or a site's inferred needs
    taken together (``n_flow`` -1), as in the per-offer mode's receivers; ordered by receiving
    site rank, then need flow rank (inferred first)."""
    n_flows = int(n_flow.max(initial=-1)) + 2
    return n_site.astype(np.int64) * n_flows + (n_flow + 1)


def select_need_pairs(o_flow: np.ndarray, n_site: np.ndarray, n_flow: np.ndarray, score: np.ndarray,
                      per_need: int) -> np.ndarray:
    """Positions of the pairs of the per-need mode: for each need (:func:`need_keys`), its best pair
    with each offer flow (several classes of an offer are one suggestion), then its ``per_need``
    best offer flows by score, ties by offer flow rank; ordered by need, then rank. Among exact
    duplicates the first pair in candidate order (need, offer) wins."""
    if o_flow.size == 0 or per_need <= 0:
        return np.zeros(0, dtype=np.int64)
    _, need = np.unique(need_keys(n_site, n_flow), return_inverse=True)  # dense, in the keys' order
    n_oflows = int(o_flow.max()) + 1
    if (int(need.max()) + 1) * n_oflows < 2**62:  # (need, offer flow) as one integer: one sort key
        pair = need * n_oflows + o_flow
        by_pair = np.argsort(pair, kind="stable")  # ties keep the candidate order
        p = pair[by_pair]
        start = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
        s = score[by_pair]
        s = np.where(np.isnan(s), -np.inf, s)  # a NaN score ranks last, as in the sorts
        best = np.repeat(np.maximum.reduceat(s, start), np.diff(np.r_[start, p.size]))
        # the first pair of each group that reaches its best score
        top = np.flatnonzero(s == best)
        top = top[np.r_[True, p[top[1:]] != p[top[:-1]]]]
        order, first = by_pair[top], np.ones(top.size, dtype=bool)
    else:
        order = np.lexsort((-score, o_flow, need))
        a, b = need[order], o_flow[order]
        first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    sel = order[first]  # by need, then offer flow: a stable sort on (need, score) keeps the offer flows' order
    sel = sel[np.lexsort((-score[sel], need[sel]))]
    g = need[sel]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    rank = np.arange(g.size) - np.repeat(starts, np.diff(np.append(starts, g.size)))
    return sel[rank < per_need]


def _per_need_selection(sites_arr, offers, needs, radius_km, weights, per_need, o_flow_of, n_site_of, n_flow_of,
                        pair_filter, offer_rows=None, threads: int = -1):
    """:func:`select_need_pairs` over every pair in reach, computed from a bounded set of them.

    The per-need search (:func:`.nearest.best_offers_per_need`) gives each need row its ``m``
    best offer rows by score; the pairs are rescored here as the enumeration scores them, filtered
    and selected. A need is proven when each of its rows either found fewer than ``m`` offers
    (all of them) or found ``m`` whose last scores strictly below the last offer kept for the
    need (nothing unseen can enter); the rows of the needs not proven are searched again with
    ``m`` four times larger."""
    impact, info, compat = _linear_impact(), class_info(), compatibility()
    offer_rows = np.arange(len(offers)) if offer_rows is None else np.asarray(offer_rows, dtype=np.int64)
    search_offers = eng.take_rows(offers, offer_rows)
    key = need_keys(n_site_of, n_flow_of)
    keys, key_of = np.unique(key, return_inverse=True)
    n_keys = keys.size
    m = max(1, FIRST_GUESS_PER_NEED[0] * per_need + FIRST_GUESS_PER_NEED[1])
    rows = np.arange(len(needs))
    pending = np.ones(n_keys, dtype=bool)  # needs whose selection is not proven yet
    settled = []  # the selected pairs of the needs proven
    cut = np.full(len(needs), -np.inf)
    while True:
        if offer_rows.size and rows.size:
            top = nearest.best_offers_per_need(sites_arr, search_offers, eng.take_rows(needs, rows), info, compat,
                                               radius_km, m, impact_fn=impact, weights=weights, workers=threads)
            oi, ni = offer_rows[top.candidates.offer_idx], rows[top.candidates.need_idx]
            count = np.bincount(top.candidates.need_idx, minlength=rows.size)
            last = np.full(rows.size, np.inf)
            np.minimum.at(last, top.candidates.need_idx, top.score)
            cut[rows] = np.where(count >= m, last, -np.inf)
        else:
            oi = ni = np.zeros(0, dtype=np.int64)
            cut[rows] = -np.inf
        pair = _unique(ni * len(offers) + oi)  # rows of the needs pending only, by need then offer
        cands, terms = _rescored(sites_arr, offers, needs, pair % len(offers), pair // len(offers), radius_km,
                                 pair_filter, weights)
        score = terms["score"]
        sel = select_need_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                                score, per_need)
        k_sel = key_of[cands.need_idx[sel]]
        short = _unproven(key_of, pending, cut, k_sel, score[sel], per_need)
        if not settled and not short.any():
            return cands, terms, sel
        still = np.zeros(n_keys, dtype=bool)
        still[key_of[short]] = True
        done = ~still[k_sel]
        settled.append((cands.offer_idx[sel[done]], cands.need_idx[sel[done]]))
        if not short.any():
            break
        pending = still
        rows = np.flatnonzero(still[key_of])  # every row of a need not proven: its selection is redone
        m *= 4
    # The selected pairs are their own selection (one per need and offer flow, at most
    # ``per_need`` per need): select once more for the order.
    oi = np.concatenate([s[0] for s in settled])
    ni = np.concatenate([s[1] for s in settled])
    cands, terms = _rescored(sites_arr, offers, needs, oi, ni, radius_km, pair_filter, weights)
    sel = select_need_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                            terms["score"], per_need)
    return cands, terms, sel


def select_need_arrays(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op, radius_km: float,
                       per_need: int, weights: ScoreWeights = ScoreWeights(), exhaustive: bool = False,
                       threads: int = -1, gain=None, offer_rows=None, uses=None):
    """The array part of the per-need mode (``propose_table(per_need=K)``): candidates, their terms
    and the positions shown, by need then rank (:func:`select_need_pairs`), after the resale filter,
    ``gain`` and the stated uses (``uses``, :func:`use_filter`); ``offer_rows``: the offer rows worth
    searching (:func:`searchable_rows`). One function for the single run and for each tile of a
    partitioned run (:mod:`.partition`)."""
    pair_filter = default_pair_filter(offers, needs, waste_op, gain, uses)

    if not exhaustive:
        return _per_need_selection(sites_arr, offers, needs, radius_km, weights, per_need, o_flow_of, n_site_of,
                                   n_flow_of, pair_filter, offer_rows, threads)
    cands = pair_filter(eng.find_candidates(sites_arr, offers, needs, class_info(), compatibility(),
                                            radius_km=radius_km))
    terms = _terms(cands, offers, needs, weights)
    sel = select_need_pairs(o_flow_of[cands.offer_idx], n_site_of[cands.need_idx], n_flow_of[cands.need_idx],
                            terms["score"], per_need)
    return cands, terms, sel


@contextmanager
def bulk_allocation():
    """No cyclic garbage collection while a run allocates millions of small objects (rows,
    proposals, output lines, none of them in cycles): each collection would walk them all again,
    which costs a dense region a third of its time. Collection resumes at the end, with what the run
    made moved to the oldest generation unexamined (``gc.freeze`` then ``gc.unfreeze``): the next
    young collection would else walk all of it at once; a full collection still looks at it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def propose(sites: list[SiteIn], flows: list[FlowIn], radius_km: float = 200.0, inferred: bool = True,
            top: int | None = None, threshold: float | None = None,
            weights: ScoreWeights = ScoreWeights(), exhaustive: bool = False,
            workers: int | None = None, per_need: int | None = None) -> list[Proposal]:
    """Proposals, best first (:func:`propose_table`, every row built)."""
    return propose_table(sites, flows, radius_km, inferred, top, threshold, weights, exhaustive, workers,
                         per_need).proposals()


def propose_table(sites: list[SiteIn], flows: list[FlowIn], radius_km: float = 200.0, inferred: bool = True,
                  top: int | None = None, threshold: float | None = None,
                  weights: ScoreWeights = ScoreWeights(), exhaustive: bool = False,
                  workers: int | None = None, per_need: int | None = None) -> ProposalTable:
    """Proposals, best first, as columns (rows built when read: :class:`ProposalTable`).

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
    (:mod:`.partition`).

    ``per_need`` (instead of ``top``): the ``per_need`` best offers of each need by score (a
    declared need flow, or a site's inferred needs together), ordered by need then rank
    (:func:`select_need_pairs`), no cut by plausibility: what a buyer asks (« who can supply
    me? »), from the exact per-need search of :mod:`.nearest`."""
    if per_need is not None and top is not None:
        raise ValueError("top (per offer) and per_need are two modes: give one")
    default_output = top is None and threshold is None and per_need is None
    if threshold is None:
        threshold = 0.0 if top is not None or per_need is not None else DEFAULT_THRESHOLD
    keys, _ = _classes()
    cidx = {k: i for i, k in enumerate(keys)}
    flows = [_hazard_said(f) for f in flows]
    site_pos = {s.site_id: i for i, s in enumerate(sites)}
    sites_arr = eng.Sites(np.array([s.lat for s in sites], dtype=float), np.array([s.lon for s in sites], dtype=float))
    flows_by_id = {f.flow_id: f for f in flows}

    o_rows, n_rows = [], []  # (flow_id | None, site_pos, class_key, confidence, extra)
    memo: dict = {}
    # Flows declared alike (a region's 200,000 flows share a few dozen labels) are read once: the
    # classes of what they declare, and, for an offer whose label hesitates, with its site's
    # typical outputs (once per site description).
    read: dict = {}
    for f in flows:
        pos = site_pos.get(f.site_id)
        if pos is None:
            continue
        what = (f.direction, f.class_key, f.label, f.ewc_code, f.kind, f.temperature_c)
        rows = read.get(what)
        if rows is None:
            rows = read[what] = _flow_reading(f, cidx)
        if rows and rows[0] is _PRIOR:
            site = sites[pos]
            at = (what, _description(memo, site))
            if at not in read:
                # a declared List-of-Waste code says the material: the label is then no family word to read
                read[at] = _offer_rows(f, _with_output_prior(rows[1], site, memo, None if f.ewc_code else f.label),
                                       cidx)
            rows = read[at]
        out = o_rows if f.direction == "offer" else n_rows
        if len(rows) == 1:  # most flows: one class
            out.append((f.flow_id, pos, *rows[0]))
        else:
            out.extend([(f.flow_id, pos, key, conf, part) for key, conf, part in rows])
    n_rows = _food_contact_rows(n_rows, sites, flows_by_id, cidx)
    if not o_rows:
        return ProposalTable.empty()
    n_cls = len(keys)
    deduced = _deduced_activities(sites, o_rows, memo) if inferred else {}
    # Sites sharing a description (code, activity, sector words of the name, or the activity deduced
    # from their offers) share their inferred needs and hazardous-waste authorisations: worked out
    # once per description, then laid out for every site as arrays (a region has 50,000 sites and a
    # million inferred needs).
    desc_id: dict = {}
    site_desc = np.empty(len(sites), dtype=np.int64)
    first_site: list[SiteIn] = []
    first_deduced: list[tuple] = []
    for i, s in enumerate(sites):
        found = deduced.get(i, ())
        d = desc_id.setdefault((_description(memo, s), found), len(desc_id))
        if d == len(first_site):
            first_site.append(s)
            first_deduced.append(found)
        site_desc[i] = d
    hazard_ok = [_per_activity(memo, hazardous_classes_accepted, s) for s in first_site]
    # Sites whose activity nothing says (no code, no activity words, no sector word in the name, no
    # characteristic offer) and that declare no need: receivers of last resort (_with_unknown_receivers).
    unknown_sites = np.zeros(0, dtype=np.int64)
    if inferred:
        unknown = np.array([not first_deduced[d] and not _per_activity(memo, site_codes, s)
                            for d, s in enumerate(first_site)], dtype=bool)
        if unknown.any():
            declaring = np.zeros(len(sites), dtype=bool)
            declaring[[r[1] for r in n_rows]] = True
            unknown_sites = np.flatnonzero(unknown[site_desc] & ~declaring)

    def accepts(desc: int, key: str) -> bool:
        acc = hazard_ok[desc]
        return acc is None or key in acc

    stand_ins = _hazardous_stand_ins()
    # description x class: the needs each kind of site meets only with their own class (own_class_needs.csv)
    own_class = np.zeros((len(first_site), len(keys)), dtype=bool)
    for d, s in enumerate(first_site):
        for key in _per_activity(memo, own_class_needs, s):
            if key in cidx:
                own_class[d, cidx[key]] = True

    def same_class_only(desc: int, key: str) -> bool:
        # the site may receive the class it needs, not every hazardous class that may stand in for it; nor one
        # that only a plant saying so may take (permit_inputs.csv: waste oil for base oil at a crude-oil refinery)
        acc = hazard_ok[desc]
        if acc is None or key not in acc:
            return False
        return not stand_ins.get(key, frozenset()) <= acc - _per_activity(memo, permit_excluded, first_site[desc])

    n_decl = len(n_rows)
    decl_site = np.array([r[1] for r in n_rows], dtype=np.int64)
    decl_cls = np.array([cidx[r[2]] for r in n_rows], dtype=np.int64)
    rules: list = []
    inf_site = inf_cls = inf_rule = np.zeros(0, dtype=np.int64)
    inf_w = inf_temp = np.zeros(0)
    inf_acc = inf_same = np.zeros(0, dtype=bool)
    if inferred:
        t_cls, t_rule, t_temp, t_acc, t_same, count = [], [], [], [], [], []
        for d, s in enumerate(first_site):
            found = first_deduced[d]
            kept = [need for need in (deduced_needs(found) if found else _per_activity(memo, infer_needs, s))
                    if need.class_key in cidx]
            count.append(len(kept))
            for need in kept:
                t_cls.append(cidx[need.class_key])
                t_rule.append(len(rules))
                rules.append(need)
                t_temp.append(_nan(need_temperature(need.deduced_code, None, need.class_key) if found else
                                   need_temperature(s.naf_code, s.activity, need.class_key)))
                t_acc.append(accepts(d, need.class_key))
                t_same.append(same_class_only(d, need.class_key))
        count = np.array(count, dtype=np.int64)
        ptr = np.r_[0, np.cumsum(count)]
        per_site = count[site_desc]
        inf_site = np.repeat(np.arange(len(sites), dtype=np.int64), per_site)
        slot = ptr[site_desc][inf_site] + np.arange(inf_site.size) - np.repeat(np.cumsum(per_site) - per_site, per_site)
        inf_cls = np.array(t_cls, dtype=np.int64)[slot]
        # a declared need of the site for the class stands in for the inferred one
        fresh = ~_member(inf_site * n_cls + inf_cls, decl_site * n_cls + decl_cls)
        slot, inf_site, inf_cls = slot[fresh], inf_site[fresh], inf_cls[fresh]
        inf_rule = np.array(t_rule, dtype=np.int64)[slot]
        inf_w = np.array([r.weight for r in rules], dtype=float)[inf_rule]
        inf_temp = np.array(t_temp, dtype=float)[slot]
        inf_acc = np.array(t_acc, dtype=bool)[slot]
        inf_same = np.array(t_same, dtype=bool)[slot]
    if n_decl + inf_site.size == 0 and not unknown_sites.size:
        return ProposalTable.empty()
    n_rows = NeedRows(n_rows, inf_site, inf_cls, inf_w, inf_rule, rules, keys)

    o_flows = [flows_by_id[r[0]] for r in o_rows]
    # what is read of the offer rows' flows, as columns: one pass over a quarter of a million rows
    o_class = [r[2] for r in o_rows]
    o_q, o_temp, o_haz, o_unit, o_kind, o_route, o_ewc = (list(c) for c in zip(*[
        (f.quantity_t, f.temperature_c, f.hazardous, f.unit, f.kind, f.current_route, f.ewc_code) for f in o_flows]))
    offers = eng.Offers(
        site=np.array([r[1] for r in o_rows]), cls=np.array([cidx[k] for k in o_class]),
        quantity_t=np.array(o_q, dtype=float),  # None: NaN
        temperature_c=np.array(o_temp, dtype=float),
        hazardous=np.array(o_haz, dtype=bool),
        confidence=np.array([r[3] for r in o_rows]))
    declared_flows = [flows_by_id[r[0]] for r in n_rows.declared]
    d_q, d_temp, d_unit = ((list(c) for c in zip(*[(f.quantity_t, f.temperature_c, f.unit) for f in declared_flows]))
                           if declared_flows else ([], [], []))
    # A waste operator (recycler, waste trader) prepares the material and sells it on: it never buys the virgin
    # material, whose purchase is avoided downstream by its buyer -- its pairs save the avoided disposal, not the
    # virgin price, in the ranking's euros as in the figures shown (additionality.value_pairs).
    site_waste = np.array([_per_activity(memo, is_waste_operator, s) for s in first_site], dtype=bool)[site_desc]
    # A treatment and disposal operator (NACE 38.21, 38.22) bills its own gate fee in place of today's disposal fee
    # and does not recycle what it takes: a material's euros and CO2e are not known at its pairs -- one rule for
    # the ranking (Needs.disposal, LinearImpact) and the figures shown (additionality.value_pairs).
    site_disposal = np.array([_per_activity(memo, is_disposal_receiver, s) for s in first_site], dtype=bool)[site_desc]
    needs = eng.Needs(
        site=np.concatenate([decl_site, inf_site]), cls=np.concatenate([decl_cls, inf_cls]),
        quantity_t=np.concatenate([np.array(d_q, dtype=float), np.full(inf_site.size, np.nan)]),
        temperature_c=np.concatenate([np.array(d_temp, dtype=float), inf_temp]),
        inferred=np.r_[np.zeros(n_decl, dtype=bool), np.ones(inf_site.size, dtype=bool)],
        confidence=np.concatenate([np.array([r[3] for r in n_rows.declared], dtype=float), inf_w]),
        accepts_hazardous=np.concatenate([np.array([accepts(site_desc[r[1]], r[2]) for r in n_rows.declared], dtype=bool),
                                          inf_acc]),
        resale=site_waste[np.concatenate([decl_site, inf_site])],
        disposal=site_disposal[np.concatenate([decl_site, inf_site])],
        # an inferred need only a hazardous offer meets (knowledge/data/hazardous_intake.csv)
        hazardous_only=np.r_[np.zeros(n_decl, dtype=bool),
                             np.array([hazardous_only(r.rule_id) for r in rules], dtype=bool)[inf_rule]],
        hazardous_same_class=np.r_[np.array([same_class_only(site_desc[r[1]], r[2]) for r in n_rows.declared],
                                            dtype=bool), inf_same],
        # a need the receiver's activity meets only with its own class (knowledge/data/own_class_needs.csv)
        same_class_only=own_class[site_desc[np.concatenate([decl_site, inf_site])],
                                  np.concatenate([decl_cls, inf_cls])])
    # Ranks of flows and sites by their ids: ties are broken by them, so the output never depends on
    # the order of the input lists.
    flow_rank = {fid: i for i, fid in enumerate(sorted(flows_by_id))}
    site_rank = np.argsort(np.argsort(np.array([s.site_id for s in sites], dtype=object)))
    o_flow_of = np.array([flow_rank[r[0]] for r in o_rows], dtype=np.int64)
    n_flow_of = np.concatenate([np.array([flow_rank[r[0]] for r in n_rows.declared], dtype=np.int64),
                                np.full(inf_site.size, -1, dtype=np.int64)])
    n_site_of = site_rank[needs.site]
    # The material of a listing offer each row is for (1, 2, ...; 0: an offer of one material).
    o_part_of = _part_numbers(o_rows)
    n_trade_of = trade_numbers(n_rows)
    # A sorted secondary material goes to a user of it, not from one recycler or waste operator to
    # the next (a declared need of a recycler still counts).
    waste_op = site_waste if inferred else None
    # What the valuation against today's route reads (boucle.matching.additionality), per row.
    vterms = offer_terms(o_class, o_q, o_unit, o_temp, o_route, o_ewc)
    n_unit = np.concatenate([unit_codes(d_unit), np.full(inf_site.size, -1, dtype=np.int64)])

    gain = gain_filter(vterms, needs, n_unit) if vterms is not None else None
    uses = _stated_use_rows(o_rows, flows_by_id, n_rows) if inferred else None
    cap = MAX_RECEIVERS_PER_OFFER if default_output else top
    by_plausibility = default_output  # the default output ranks an offer's receivers by plausibility
    searchable = searchable_rows(vterms, len(offers), gain) if cap is not None and not exhaustive else None
    if per_need is not None:
        cap, by_plausibility = None, False
        searchable = searchable_rows(vterms, len(offers), gain) if not exhaustive else None
    if per_need is None:  # a hazardous offer's decay counts from its nearest receiver (scoring.decay_distance)
        offers = nearest_receivers(sites_arr, offers, needs, o_flow_of, radius_km,
                                   default_pair_filter(offers, needs, waste_op, gain, uses))
    if workers is not None:  # tiles over worker processes, same rows (boucle.matching.partition)
        from .partition import Problem, run_partitioned

        problem = Problem(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op, radius_km, threshold,
                          cap, by_plausibility, weights, exhaustive, vterms=vterms, n_unit=n_unit, searchable=searchable,
                          per_need=per_need, o_part_of=o_part_of, uses=uses, n_trade_of=n_trade_of)
        cands, _score, _plaus = run_partitioned(problem, workers=workers).candidates()
        terms = _terms(cands, offers, needs, weights)
        sel = np.arange(len(cands))
    elif per_need is not None:
        cands, terms, sel = select_need_arrays(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op,
                                               radius_km, per_need, weights, exhaustive, gain=gain,
                                               offer_rows=searchable, uses=uses)
    else:
        cands, terms, sel = select_arrays(sites_arr, offers, needs, o_flow_of, n_site_of, n_flow_of, waste_op,
                                          radius_km, threshold, cap, by_plausibility, weights, exhaustive,
                                          gain=gain, search_rows=searchable, o_part_of=o_part_of, uses=uses,
                                          n_trade_of=n_trade_of)
    if inferred and per_need is None and unknown_sites.size:
        # an offer no site of known activity takes: the sites around whose activity nothing says
        cands, terms, sel, needs, n_rows, uses = _with_unknown_receivers(
            unknown_sites, sites_arr, offers, needs, n_rows, cands, terms, sel, o_flow_of, site_rank, waste_op,
            radius_km, threshold, cap, by_plausibility, weights, exhaustive, vterms, searchable, o_part_of, uses)
    # The figures of the pairs shown, for the quantity the receiver can take (additionality.estimated_quantity).
    # After the selection: which pairs are shown, and in which order, does not depend on it -- except that a
    # pair whose figures, once capped by what its receiver can take (an inferred need bounded by the largest
    # need its site declared), gain nothing is not shown: a pasta factory that declared 2,000 MWh of heat,
    # 2 km from a steelworks, is beyond the break-even distance of such a small pipe.
    bounds = _estimate_bounds(o_class, o_unit, o_kind, d_unit, flows, site_pos, needs)
    fuel = None
    offer_burnable = site_naf = None
    while True:
        chosen = cands.take(sel)
        bound, unknown, basis = bounds(chosen)
        quantity = estimated_quantity(offers.quantity_t[chosen.offer_idx], bound, unknown)
        value = None
        if vterms is None:
            break
        oi = chosen.offer_idx
        # ``bound`` is counted in the offer's unit already
        distance = rounded_array(chosen.distance_km, 3)
        # a waste operator's pair saves the avoided disposal, not the virgin price; the CO2e keeps the chain's
        # recycling credit (additionality.value_pairs); a treatment and disposal operator bills its own gate fee in
        # place of today's disposal fee and does not recycle: a material's euros and CO2e not known
        disposal = needs.disposal[chosen.need_idx]
        value = value_pairs(vterms, oi, bound, vterms.unit_code[oi], np.isfinite(bound),
                            needs.temperature_c[chosen.need_idx], distance, unknown,
                            resale=site_waste[needs.site[chosen.need_idx]], disposal=disposal)
        # A receiver that burns the material as a fuel does not avoid the virgin material the recycling credit is
        # for: the pair is valued by the fuel the material displaces there, or not at all where that is unknown
        # (additionality.fuel_receivers), and dropped, like any pair, when it gains nothing.
        fuel = [None] * len(chosen)
        if offer_burnable is None:
            by_class = {k: burnable(k) for k in {r[2] for r in o_rows}}
            offer_burnable = np.array([by_class[r[2]] for r in o_rows], dtype=bool)
        # a treatment and disposal operator's pair is valued by that rule, not as a fuel (an incinerator burns the
        # material in place of other waste, fuel_use_receivers.csv)
        idx = (np.flatnonzero(offer_burnable[oi] & ~(disposal & value["disposal"])) if len(chosen)
               else np.zeros(0, dtype=np.int64))
        if idx.size:  # only the pairs of such materials: a dense region shows hundreds of thousands of pairs
            ni = chosen.need_idx[idx]
            if site_naf is None:
                site_naf = np.array([s.naf_code for s in sites], dtype=object)
            codes = [activity or naf for activity, naf in zip(n_rows.receiver_activities(ni),
                                                              site_naf[needs.site[ni]].tolist())]
            keys = [o_rows[o][2] for o in oi[idx].tolist()]
            rows = fuel_receivers(codes, keys)
            for i, f in zip(idx.tolist(), rows):
                fuel[i] = f
            value = value_fuel_pairs(value, idx, rows, keys, vterms.route_idx[oi[idx]], vterms.material_idx[oi[idx]],
                                     distance[idx])
        if not value["drop"].any():
            break
        sel = sel[~value["drop"]]
    return ProposalTable(sites, flows_by_id, o_rows, n_rows, chosen, {name: terms[name][sel] for name in (
        "score", "plausibility", "compat_weight", "inferred_factor", "decay", "merit")},
        terms["impact"]["co2e_avoided_t"][sel], value, vterms, needs.temperature_c[chosen.need_idx], quantity, basis,
        fuel, uses)


# A site whose activity is unknown -- no NACE code, no activity words, no sector word in its name (a company name
# says nothing: « Borealis », "Norske Skog Tasman"), and none of its offers betrays its trade -- has no inferred need,
# and so received nothing: in a park described by names only, an offer no site of known activity takes was proposed
# to nobody, though most of its documented receivers are such sites. A facilitator who reads that the activity of
# a neighbour is unknown can ask it. So an offer that gets no receiver from the sites of known activity is proposed
# to the sites around whose activity is unknown, as receivers of last resort: never a hazardous offer (no such site
# is authorised: Directive 2008/98/EC art. 23), never a label read from letters only (below
# RECOGNISED_CONFIDENCE), never beyond the distance at which a receiver of known activity would be shown, each card
# saying its activity is unknown and must be checked (wording: « activité inconnue : à vérifier »). Held below every reading of an activity: the weakest activity
# deduced from offers (infer.DEDUCED_CONFIDENCE x DEDUCED_MIN_SCORE), and the threshold scaled by it, so that such a
# site is shown where a site certain to need the material would be. Only when they are few: where more sites of
# unknown activity than the default output shows stand within reach, choosing some of them would be a draw (in a
# park their distances say nothing of their trades), and none is shown -- the flow's page says that the activity
# of the sites around is unknown. Nothing fitted: the cap is the default output's.
UNKNOWN_PRIOR = round(DEDUCED_CONFIDENCE * DEDUCED_MIN_SCORE, 4)
# An offer whose label states its use (« … as soil amendment », "CO2 … for residue carbonation", "… used as fertiliser":
# STATED_USES) names the operation its holder offers (Directive 2008/98/EC, Annex II: R10 land treatment is another
# operation than R1 or R5) and so the activities it is meant for; a site of unknown activity is not known to make
# that use, and choosing it as a last resort would go against what the label says: such an offer is not proposed
# to sites of unknown activity (its flow page then says why no receiver, as for any offer without one). A use
# only implied by the material's form (granulated blast-furnace slag, made to be a cement constituent:
# ``StatedUse.forms``) is what the material is, not the holder's choice, and does not count.
UNKNOWN_AT_MOST = MAX_RECEIVERS_PER_OFFER


@lru_cache(maxsize=None)
def _unknown_rule(class_key: str) -> InferredNeed:
    return InferredNeed(class_key, UNKNOWN_PRIOR, UNKNOWN_RULE_PREFIX + class_key, "")


def _concat_needs(a: eng.Needs, b: eng.Needs) -> eng.Needs:
    from dataclasses import fields

    return eng.Needs(**{f.name: np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in fields(eng.Needs)})


def _with_unknown_receivers(unknown_sites, sites_arr, offers, needs, n_rows, cands, terms, sel, o_flow_of, site_rank,
                            waste_op, radius_km, threshold, cap, by_plausibility, weights, exhaustive, vterms,
                            searchable, o_part_of, uses):
    """The selection (``cands``, ``terms``, ``sel``) with, for each offer flow that has no pair in it, the sites
    ``unknown_sites`` (positions) as receivers of last resort (see UNKNOWN_PRIOR), and the need rows, the need
    table and the stated uses extended with their rows (appended after the others: the indices of the pairs
    already chosen do not move). Unchanged when every offer has a receiver."""
    shown = np.zeros(int(o_flow_of.max(initial=-1)) + 1, dtype=bool)
    shown[o_flow_of[cands.offer_idx[sel]]] = True
    rows = np.flatnonzero(~shown[o_flow_of] & ~offers.hazardous & (offers.confidence >= RECOGNISED_CONFIDENCE))
    if uses is not None:  # a label stating its use in words: not to a site of unknown activity (see UNKNOWN_PRIOR)
        rows = rows[(uses[0][rows] & ~_FORM_USES) == 0]
    if searchable is not None:
        rows = np.intersect1d(rows, searchable)
    if rows.size == 0:
        return cands, terms, sel, needs, n_rows, uses
    keys = n_rows.keys
    classes = np.unique(offers.cls[rows])
    u_site = np.repeat(unknown_sites, classes.size)
    u_cls = np.tile(classes, unknown_sites.size)
    # a site that offers a class has more of it than it uses: of unknown activity, nothing says it lacks any
    mine = ~np.isin(u_site * len(keys) + u_cls, offers.site * len(keys) + offers.cls)
    u_site, u_cls = u_site[mine], u_cls[mine]
    temps = np.array([_nan(need_temperature(None, None, keys[c])) for c in classes.tolist()], dtype=float)
    n = u_site.size
    if n == 0:
        return cands, terms, sel, needs, n_rows, uses
    extra = eng.Needs(site=u_site, cls=u_cls, quantity_t=np.full(n, np.nan),
                      temperature_c=np.tile(temps, unknown_sites.size)[mine],
                      inferred=np.ones(n, dtype=bool), confidence=np.full(n, UNKNOWN_PRIOR),
                      accepts_hazardous=np.zeros(n, dtype=bool),
                      resale=np.zeros(n, dtype=bool) if waste_op is None else waste_op[u_site],
                      disposal=np.zeros(n, dtype=bool), hazardous_only=np.zeros(n, dtype=bool),
                      hazardous_same_class=np.zeros(n, dtype=bool))
    gain = gain_filter(vterms, extra, np.full(n, -1, dtype=np.int64)) if vterms is not None else None
    # one more than the sites shown is searched, to tell an offer with more of them around
    c2, t2, s2 = select_arrays(sites_arr, offers, extra, o_flow_of, site_rank[u_site], np.full(n, -1, dtype=np.int64),
                               waste_op, radius_km, threshold * UNKNOWN_PRIOR, UNKNOWN_AT_MOST + 1, by_plausibility,
                               weights, exhaustive, gain=gain, search_rows=rows, o_part_of=o_part_of,
                               class_caps=False)  # its own cap (UNKNOWN_AT_MOST)
    s2 = s2[np.isin(c2.offer_idx[s2], rows)]
    flow = o_flow_of[c2.offer_idx[s2]]
    seen = np.bincount(flow, minlength=shown.size)
    rank = np.zeros(s2.size, dtype=np.int64)
    count: dict[int, int] = {}
    for i, f in enumerate(flow.tolist()):  # s2 lists each offer's pairs best first
        rank[i] = count[f] = count.get(f, -1) + 1
    s2 = s2[(seen[flow] <= UNKNOWN_AT_MOST) & (rank < (UNKNOWN_AT_MOST if cap is None else min(cap, UNKNOWN_AT_MOST)))]
    if s2.size == 0:
        return cands, terms, sel, needs, n_rows, uses
    base = len(needs)
    c2 = eng.Candidates(c2.offer_idx, c2.need_idx + base, c2.distance_km, c2.compat_weight)
    joined = eng.Candidates(*(np.concatenate([getattr(cands, f), getattr(c2, f)])
                              for f in ("offer_idx", "need_idx", "distance_km", "compat_weight")))
    rules = list(n_rows.rules)
    first = len(rules)
    rules += [_unknown_rule(keys[c]) for c in classes.tolist()]
    u_rule = np.tile(np.arange(first, first + classes.size, dtype=np.int64), unknown_sites.size)[mine]
    rows_out = NeedRows(n_rows.declared, np.concatenate([n_rows.site, u_site]), np.concatenate([n_rows.cls, u_cls]),
                        np.concatenate([n_rows.weight, extra.confidence]), np.concatenate([n_rows.rule, u_rule]),
                        rules, keys)
    if uses is not None:  # a site of unknown activity makes no use a label may state, nor is known not to
        uses = (uses[0], np.concatenate([uses[1], np.full(n, -1, dtype=uses[1].dtype)]))
    return (joined, _joined([terms, t2]), np.concatenate([sel, len(cands) + s2]), _concat_needs(needs, extra),
            rows_out, uses)


def _stated_use_rows(o_rows: list, flows_by_id: dict, n_rows) -> tuple[np.ndarray, np.ndarray] | None:
    """(uses per offer row, uses made per need row) when some offer's label states a use, else None
    (a declared need makes every use: its site said what it takes)."""
    by_flow: dict = {}  # the rows of a flow (its classes) share its label
    for r in o_rows:
        if r[0] not in by_flow:
            by_flow[r[0]] = stated_uses(flows_by_id[r[0]].label)
    o_use = np.fromiter((by_flow[r[0]] for r in o_rows), dtype=np.int64, count=len(o_rows))
    if not o_use.any():
        return None
    rule_use = np.array([_uses_made(_receiver_activity(rule), rule.class_key) for rule in n_rows.rules],
                        dtype=np.int64)
    n_use = np.concatenate([np.full(len(n_rows.declared), -1, dtype=np.int64),
                            rule_use[n_rows.rule] if rule_use.size else np.zeros(0, dtype=np.int64)])
    return o_use, n_use


def _food_contact_rows(n_rows: list, sites: list[SiteIn], flows_by_id: dict, cidx: dict) -> list:
    """Declared need rows of a maker of food-contact packaging (or whose label says food contact) read as a
    plastic it may not put in contact with food: read as food-grade PET instead (``infer.food_contact_plastics``;
    Regulation (EU) 2022/1616 Annex I), once per need flow. Other rows unchanged."""
    if not n_rows:
        return n_rows
    plastics = {k for k, g in _class_group().items() if g == "plastics"}
    if not any(r[2] in plastics for r in n_rows):
        return n_rows
    seen: dict = {}
    out, kept = [], set()
    for row in n_rows:
        if row[2] in plastics:
            f = flows_by_id[row[0]]
            s = sites[row[1]]
            what = (s.naf_code, s.activity, s.name, f.label)
            rule = seen.get(what)
            if rule is None:
                rule = seen[what] = food_contact_plastics(*what)
            banned, instead = rule
            if row[2] in banned:
                if instead not in cidx or (row[0], instead) in kept:
                    continue
                row = (row[0], row[1], instead, *row[3:])
        kept.add((row[0], row[2]))
        out.append(row)
    return out


_PRIOR = object()  # marks a reading that waits for the site's typical outputs


def _flow_reading(f: FlowIn, cidx: dict) -> tuple:
    """The rows a flow gives, ``(class key, confidence, extra)``, before its site is known: none for
    a flow that cannot be matched, ``(_PRIOR, classes)`` for an offer whose classes the site's
    typical outputs may change (:func:`_with_output_prior`)."""
    if not_matchable(f):
        return ()
    classes = classify_flow(f)
    if f.direction == "need" and not f.class_key:
        classes = _need_reading(classes)
    if f.direction == "offer":
        if not f.class_key and OUTPUT_PRIOR:
            return (_PRIOR, classes)
        return _offer_rows(f, classes, cidx)
    rows = [(key, conf, None) for key, conf in classes if key in cidx]
    said = {key for key, _, _ in rows}
    # what the use of a declared grade of water also tolerates (cooling make-up: treated wastewater), its rule saying why
    rows += [(rule.class_key, round(conf * rule.weight, 4), rule) for key, conf, _ in list(rows)
             for rule in declared_need_stand_ins().get(key, ()) if rule.class_key in cidx and rule.class_key not in said]
    return tuple(rows)


@lru_cache(maxsize=1)
def _class_role() -> dict[str, str]:
    """Class key -> its role (``role`` of materials/data/classes.csv: by_product, utility, virgin, product...)."""
    _, classes = _classes()
    return {c.key: c.role for c in classes}


def _need_reading(classes: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A need's readings: what its label names, not the wastes a similar offer label could be. The label
    classifier reads offers and needs alike, and « Eau de lavage » (process water, a laundry's need) also
    reads as « effluents riches en nutriments » (« eaux de lavage de légumes »): a site whose need label is,
    as a whole, a known name (an exact reading) of a grade of water, a virgin material or a product it buys
    (not a by-product) does not need a waste; the by-products that can serve it are the offers' side
    (:func:`compatibility`: a cleaner water for a less demanding use, scrap for primary metal). A label read
    only from some of its words keeps its readings: « Coproduits alimentaires pour l'alimentation animale »
    is feed and the co-products it is made of."""
    if not classes:
        return classes
    if any(k == POTABLE_WATER for k, _ in classes):
        # A need that says its water must be potable (« Eau potable de process ») is for drinking-water quality
        # whatever use it also names: water used in a food business must be potable (Regulation (EC) No 852/2004,
        # annex II chapter VII; Directive (EU) 2020/2184 art. 2(1)(b)). Its other readings as a grade of water
        # (process water) go, so that no condensate, cooling or demineralised water is offered as process water.
        kinds = _class_kinds()
        classes = [(k, c) for k, c in classes if k == POTABLE_WATER or kinds.get(k) != "water"]
    role = _class_role()
    if classes[0][1] < 1.0 or role.get(classes[0][0]) == "by_product":
        return classes
    return [(k, c) for k, c in classes if role.get(k) != "by_product"]


POTABLE_WATER = "water_potable"


@lru_cache(maxsize=1)
def _class_kinds() -> dict[str, str]:
    """Class key -> its kind (``kind`` of materials/data/classes.csv: material, energy, water...)."""
    _, classes = _classes()
    return {c.key: c.kind for c in classes}


def _offer_rows(f: FlowIn, classes, cidx: dict) -> tuple:
    # extra: the part of a listing label that names the class
    return tuple((key, conf, None if f.class_key or f.ewc_code else component_of(f.label).get(key, (None,))[0])
                 for key, conf in classes if key in cidx)


def _flow_unit(f: FlowIn, class_key: str | None = None) -> str | None:
    """The unit a flow's quantity is counted in: its own, else its kind's, else its class's."""
    from boucle.flows.units import KIND_BASE_UNIT

    return f.unit or KIND_BASE_UNIT.get(f.kind or "") or (_kind_unit(class_key) if class_key else None)


def _estimate_bounds(o_class, o_unit, o_kind, d_unit, flows, site_pos, needs):
    """Per pair shown: the quantity the receiver can take (the declared need's, counted in the offer's
    unit; for an inferred need ``additionality.inferred_need_bound`` of the largest need its site
    declared in that unit, as the territory potential reads it; NaN: none), whether the quantity is
    unknown, and the basis of the figures (``additionality.BASIS_*``). Arrays over the pairs: a dense
    region shows hundreds of thousands. Returns the reading of the chosen pairs (``bounds(chosen)``),
    what it reads of the flows worked out once (``o_class``, ``o_unit``, ``o_kind``: per offer row, its class and
    its flow's unit and kind; ``d_unit``: the units of the declared needs, the first needs)."""
    units: dict = {}

    def code(unit) -> int:
        return units.setdefault(unit, len(units)) if unit else -1

    _, classes = _classes()
    class_kind = {c.key: c.kind for c in classes}
    # per offer row, what its unit and kind read (its flow's unit and kind, its class), worked out once for
    # the rows that read alike (a region's offers share a few dozen)
    read = list(zip(o_unit, o_kind, o_class))
    alike = {key: (code(key[0] or _kind_unit(key[2])), key[1] or class_kind.get(key[2])) for key in dict.fromkeys(read)}
    o_unit = np.array([alike[key][0] for key in read], dtype=np.int64)
    o_kind = np.array([alike[key][1] for key in read], dtype=object)
    # the declared needs (``d_unit``: their units) come first among the needs
    n_decl = len(d_unit)
    d_q = np.append(needs.quantity_t[:n_decl], np.nan)
    d_unit = np.array([code(u) for u in d_unit] + [-1], dtype=np.int64)  # -1: the offer's
    scales: dict = {}  # (site position, unit code) -> the largest need the site declared in that unit
    unit_of: dict = {}  # (unit, kind) -> code of the flow's unit (_flow_unit)
    for f in flows:
        if f.direction == "need" and f.quantity_t is not None and f.quantity_t > 0:
            pos = site_pos.get(f.site_id)
            if pos is None:
                continue
            uk = (f.unit, f.kind)
            unit = unit_of.get(uk)
            if unit is None:
                unit = unit_of[uk] = code(_flow_unit(f))
            if unit >= 0:
                key = (pos, unit)
                q = float(f.quantity_t)
                if q > scales.get(key, 0.0):
                    scales[key] = q
    # the same as a table per site and unit (the last column, NaN, for a pair of no unit)
    scale_of = np.full((len(site_pos), len(units) + 1), np.nan)
    if scales:
        at = np.array(list(scales), dtype=np.int64)
        scale_of[at[:, 0], at[:, 1]] = list(scales.values())

    def bounds(chosen):
        oi, ni = chosen.offer_idx, chosen.need_idx
        declared = ni < n_decl
        ou, dn = o_unit[oi], np.where(declared, ni, n_decl)
        same_unit = (d_unit[dn] < 0) | (d_unit[dn] == ou)
        scale = scale_of[needs.site[ni], ou]
        bound = np.where(declared, np.where(same_unit, d_q[dn], np.nan),
                         inferred_need_bound(scale, o_kind[oi]) if oi.size else scale)
        unknown = ~declared & (bound == 0)
        return bound, unknown, estimate_basis(declared, bound) if oi.size else []
    return bounds
