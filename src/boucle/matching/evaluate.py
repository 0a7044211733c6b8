"""Measure the proposals against documented industrial-symbiosis exchanges (MAESTRI database).

The question asked is the one a facilitator asks: given the firms of a park, their activity and
what they give away, does Boucle propose the partners that really took it? Each MAESTRI case is a
park; within a case every site is a candidate receiver of every offer of the case.

How the case is rebuilt (the database has no coordinates, quantities nor declared needs):
- a *site* is a distinct (NACE code, activity text) of the case, told apart by the company name
  where the database gives one; a nameless mention is the named site with the same code and
  activity when there is exactly one; the company name is given to the engine as the site's
  name, as an import would (the engine reads a name only for sector words such as "refinery");
- an *offer* is one label of a provider, as the held-out protocol imports it (one flow per distinct
  label, compared lower-cased): « granulated blast furnace slag » and « steel slag » of one steelworks
  are two offers even under one EWC code, and two mentions of the same label are one offer. The label
  is the waste description; the EWC code of its first mention is passed on unless the database marks
  it approximate (``#`` or ``^``);
- all sites of a case stand at the same point, so distance decides nothing; each case is run
  on its own, so no offer can go to another park;
- truth = the (offer, receiving site) pairs of the database; pairs where a site gives to itself
  are dropped (the engine never proposes a site to itself), and counted;
- a row with a provider and neither receiver nor waste description is a site of the park with no
  documented exchange in that role (real parks have firms that receive nothing): it is a candidate
  receiver like any other, so proposing something to it counts as a false positive.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .pipeline import FlowIn, SiteIn, propose
from .selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, RELATIVE_CUT, class_cap, select_default

EVAL_DIR = Path(__file__).parent / "knowledge" / "eval"
MAESTRI_CSV = EVAL_DIR / "maestri_exchanges_dev.csv"
# Documented exchanges of other parks, from the literature, in the MAESTRI layout (see its .md).
LITERATURE_CSV = EVAL_DIR / "literature_check.csv"
# Heavy-industry and utility exchanges written from process knowledge (BREFs) and a few documented
# parks, before the process recipes were tuned (see process_check.md).
PROCESS_CSV = EVAL_DIR / "process_check.csv"
# Documented heavy-industry and utility exchanges of 21 parks outside the other sets, written before
# the rules of its round (see heavy_check.md).
HEAVY_CSV = EVAL_DIR / "heavy_check.csv"
# Documented exchanges of 21 other parks and cases (food, wood and paper, construction materials,
# metals, chemicals, utilities), each site with a NACE class and a few English words, written and
# measured before the rules of its round (see codes_check.md).
CODES_CSV = EVAL_DIR / "codes_check.csv"
# Documented exchanges of 20 further parks and cases on four continents (food, wood, construction
# materials, metals, chemicals, utilities, textiles, electronics, urban waste), sites described like
# codes_check, written and measured before any rule read it (see fresh_check.md).
FRESH_CSV = EVAL_DIR / "fresh_check.csv"
# A second blind set of 20 other parks and cases (refineries, petrochemicals, metals and their waste
# operators, heat and steam, water grades, CO2, food, wood and paper), written and measured in the
# same way before any rule read it (see fresh2_check.md).
FRESH2_CSV = EVAL_DIR / "fresh2_check.csv"
# A third blind set of 18 other parks and cases (steam and power from waste, CHP and geothermal plants,
# steelworks gases, recycled water grades, CO2, data-centre heat, farm and food by-products), written
# and measured in the same way before any rule of its round (see fresh3_check.md).
FRESH3_CSV = EVAL_DIR / "fresh3_check.csv"
# A fourth blind set of 13 other parks and cases, mostly larger (5 to 8 sites, with members that take
# none of the streams): sugar and agro-industrial clusters, biogas, chemical park utilities and waste,
# petrochemical hydrogen, smelter gases and acid, slag, urban heat, written and measured in the same
# way before any rule of its round (see fresh4_check.md).
FRESH4_CSV = EVAL_DIR / "fresh4_check.csv"
# A fifth blind set of 12 other parks and cases, mostly larger (up to 10 sites, with members that take
# none of the streams): petrochemical and chemical complexes with their utilities, gases and effluent
# plants, a copper smelter with its acid and fertiliser plants, phosphate fertilisers, steelworks gas,
# water and slag, palm oil, biogas, geothermal heat, written and measured in the same way before any rule
# of its round (see fresh5_check.md).
FRESH5_CSV = EVAL_DIR / "fresh5_check.csv"


@dataclass
class Case:
    case: str
    sites: list[SiteIn]
    offers: list[FlowIn]
    truth: set[tuple[str, str]]
    self_pairs: int = 0


@dataclass
class Metrics:
    """Pair metrics of a set of proposals: precision, recall, F1 of (offer, receiving site) pairs."""
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Metrics") -> None:
        for f in ("tp", "fp", "fn"):
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "truth_pairs": self.tp + self.fn,
                "proposed_pairs": self.tp + self.fp}


def _code(raw: str) -> str:
    return re.sub(r"[^0-9;]", "", raw or "")


def _ewc(raw: str) -> str | None:
    first = (raw or "").split(";")[0].strip()
    if not first or first[-1] in "#^":
        return None
    digits = re.sub(r"\D", "", first)
    return digits if len(digits) == 6 else None


# Columns of the original MAESTRI export, so that another extract of the database (other cases,
# other parks) can be evaluated as it is published.
ORIGINAL_COLUMNS = {
    "case": "Case Number", "index": "Index",
    "provider_nace": "NACE code - Providing industry",
    "provider_activity": "Providing industry (according to original database)",
    "provider_company": "Company name - Providing industry",
    "receiver_nace": "NACE code - Receiving industry",
    "receiver_activity": "Receiving industry (according to original database)",
    "receiver_company": "Company name - Receiving industry",
    "waste_description": "Waste description", "ewc_code": "EWC code",
}


def _hazardous(ewc: str) -> bool:
    """Hazard flag of the official List of Waste for any code of the cell."""
    from boucle.materials.taxonomy import ewc_table

    table = ewc_table()
    return any(table.get(re.sub(r"\D", "", c), ("", False, ""))[1] for c in (ewc or "").split(";"))


def read_rows(path: Path = MAESTRI_CSV) -> list[dict]:
    """Rows of the shipped copy, or of a MAESTRI export with its original column names."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if rows and "case" not in rows[0] and ORIGINAL_COLUMNS["case"] in rows[0]:
        rows = [{k: (r.get(src) or "").strip() for k, src in ORIGINAL_COLUMNS.items()} for r in rows]
    for r in rows:
        if "ewc_hazardous" not in r:
            r["ewc_hazardous"] = "true" if _hazardous(r["ewc_code"]) else "false"
    return rows


def _site_only(r: dict) -> bool:
    """A park member listed without an exchange (no receiver, no waste)."""
    return not any((r.get(k) or "").strip() for k in ("receiver_nace", "receiver_activity", "receiver_company",
                                                       "waste_description"))


def build_cases(rows: list[dict], activity_text_only: bool = False, name_only: bool = False) -> list[Case]:
    """``activity_text_only``: no NACE code; ``name_only``: neither code nor activity, only the
    company name (a park described "often only by a name")."""
    by_case: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_case[r["case"]].append(r)
    cases = []
    for case_id in sorted(by_case, key=lambda c: int(c) if c.isdigit() else 10**6):
        crows = by_case[case_id]
        mentions = [(_code(r[f"{side}_nace"]), r[f"{side}_activity"].strip(), r[f"{side}_company"].strip())
                    for r in crows for side in ("provider", "receiver")
                    if side == "provider" or not _site_only(r)]
        named: dict[tuple[str, str], set[str]] = defaultdict(set)
        for code, act, name in mentions:
            if name:
                named[(code, act.lower())].add(name)

        def site_key(code: str, act: str, name: str) -> tuple:
            if not name and len(named.get((code, act.lower()), ())) == 1:
                name = next(iter(named[(code, act.lower())]))
            return (code, act.lower(), name)

        site_ids: dict[tuple, str] = {}
        sites: list[SiteIn] = []
        for code, act, name in mentions:
            key = site_key(code, act, name)
            if key not in site_ids:
                site_ids[key] = f"c{case_id}-s{len(site_ids) + 1}"
                sites.append(SiteIn(site_ids[key], 0.0, 0.0,
                                    None if activity_text_only or name_only else (code or None),
                                    None if name_only else (act or None), name=key[2] or None))

        offer_of: dict[tuple[str, str], str] = {}  # (provider, label lower-cased) -> offer id
        truth: set[tuple[str, str]] = set()
        self_pairs = 0
        offers: list[FlowIn] = []
        for r in crows:
            if _site_only(r):
                continue
            prov = site_ids[site_key(_code(r["provider_nace"]), r["provider_activity"].strip(), r["provider_company"].strip())]
            recv = site_ids[site_key(_code(r["receiver_nace"]), r["receiver_activity"].strip(), r["receiver_company"].strip())]
            label = r["waste_description"].strip()
            okey = (prov, label.lower())
            flow_id = offer_of.get(okey)
            if flow_id is None:
                flow_id = offer_of[okey] = f"{prov}-o{sum(1 for p, _ in offer_of if p == prov) + 1}"
                offers.append(FlowIn(flow_id, prov, "offer", label=label, ewc_code=_ewc(r["ewc_code"]),
                                     hazardous=r.get("ewc_hazardous") == "true" and _ewc(r["ewc_code"]) is not None))
            if prov == recv:
                self_pairs += 1
            else:
                truth.add((flow_id, recv))
        cases.append(Case(case_id, sites, offers, truth, self_pairs))
    return cases


@dataclass
class Scored:
    """Every candidate of a case with its plausibility and score, computed once so that
    thresholds can be tried without re-running the engine."""
    case: Case
    candidates: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    arrays: tuple | None = None  # the candidates as the selection's arrays, built once
    cache: dict = field(default_factory=dict)
    parts: dict = field(default_factory=dict)  # (offer, site) -> material of a listing label, 0 if none
    trades: dict = field(default_factory=dict)  # (offer, site) -> receiving activity of its pair, None if declared
    classes: dict = field(default_factory=dict)  # (offer, site) -> the offer class of its pair


def score_case(case: Case) -> Scored:
    out = Scored(case)
    parts: dict[tuple[str, str], int] = {}  # the material of a listing label (pipeline._part_numbers)
    for p in propose(case.sites, case.offers, threshold=0.0):
        key = (p.offer_flow_id, p.need_site_id)
        if (p.plausibility, p.score) > out.candidates.get(key, (0.0, 0.0)):
            out.candidates[key] = (p.plausibility, p.score)
            out.trades[key] = p.explanation.get("receiver_activity")
            out.classes[key] = p.material_class
            part = p.explanation.get("offer_component")
            if part and (p.offer_flow_id, part) not in parts:
                parts[(p.offer_flow_id, part)] = 1 + sum(1 for o, _ in parts if o == p.offer_flow_id)
            out.parts[key] = parts[(p.offer_flow_id, part)] if part else 0
    return out


def shown(s: Scored, threshold: float, max_per_offer: int | None = MAX_RECEIVERS_PER_OFFER,
          relative: float | None = None) -> set[tuple[str, str]]:
    """The pairs the default output shows (the same selection function as ``boucle match``)."""
    if not s.candidates:
        return set()
    if s.arrays is None:
        keys = list(s.candidates)
        offer_rank = {o: i for i, o in enumerate(sorted({k[0] for k in keys}))}
        site_rank = {k: i for i, k in enumerate(sorted({k[1] for k in keys}))}
        vals = np.array([s.candidates[k] for k in keys])
        trade_rank: dict = {}
        trade = [-1 if s.trades.get(k) is None else trade_rank.setdefault(s.trades[k], len(trade_rank)) for k in keys]
        s.arrays = (keys, np.array([offer_rank[k[0]] for k in keys]), vals[:, 0], vals[:, 1],
                    np.array([site_rank[k[1]] for k in keys]), np.array([s.parts.get(k, 0) for k in keys]),
                    np.array(trade, dtype=np.int64), np.array([class_cap(s.classes.get(k)) for k in keys]))
    keys, offer, plaus, score, tie, part, trade, limit = s.arrays
    pos = select_default(offer, plaus, score, threshold=threshold, max_per_offer=max_per_offer, tie=tie,
                         relative=relative, part=part, trade=trade, limit=limit)
    return {keys[i] for i in pos.tolist()}


def metrics_at(s: Scored, threshold: float, relative: float | None = None) -> Metrics:
    pred = shown(s, threshold, relative=relative)
    tp = len(pred & s.case.truth)
    return Metrics(tp=tp, fp=len(pred) - tp, fn=len(s.case.truth) - tp)


def everyone_to_everyone(case: Case) -> Metrics:
    """Baseline: every offer proposed to every other site of its case (park)."""
    site_of = {o.flow_id: o.site_id for o in case.offers}
    pred = {(o, s.site_id) for o in site_of for s in case.sites if s.site_id != site_of[o]}
    tp = len(pred & case.truth)
    return Metrics(tp=tp, fp=len(pred) - tp, fn=len(case.truth) - tp)


def pooled(scored: list[Scored], threshold: float, relative: float | None = None) -> Metrics:
    m = Metrics()
    for s in scored:
        m.add(metrics_at(s, threshold, relative))
    return m


# Relative cuts tried with the threshold (selection.RELATIVE_CUT): none, or a receiver at least
# this share of the offer's best receiver's plausibility. A coarse grid: a finer one (up to 0.9)
# fits each fold's noise (leave-one-case-out F1 over the development cases 0.555, against 0.590).
RELATIVE_GRID = (0.0, 0.5, 0.6, 0.7)


def _shown_at_zero(s: Scored, relative: float) -> tuple[np.ndarray, np.ndarray]:
    """(plausibility, documented?) of the pairs shown with no threshold. A threshold ``t`` shows
    exactly those with plausibility ≥ t: the pairs it removes rank below every pair it keeps, and
    the offer's best receiver, which the relative cut reads, is kept whenever anything is."""
    key = ("zero", relative)
    if key not in s.cache:
        pairs = sorted(shown(s, 0.0, relative=relative))
        s.cache[key] = (np.array([s.candidates[k][0] for k in pairs], dtype=float),
                        np.array([k in s.case.truth for k in pairs], dtype=bool))
    return s.cache[key]


def calibrate(scored: list[Scored], relatives: tuple[float, ...] = RELATIVE_GRID) -> tuple[float, float]:
    """The plausibility cut and the relative cut that maximise pooled F1 of the default output
    (ties: the higher cuts, i.e. fewer proposals)."""
    values = np.array(sorted({v[0] for s in scored for v in s.candidates.values()} | {DEFAULT_THRESHOLD}))
    truth = sum(len(s.case.truth) for s in scored)
    best, best_f = (DEFAULT_THRESHOLD, RELATIVE_CUT), -1.0
    for rel in relatives:
        parts = [_shown_at_zero(s, rel) for s in scored]
        plaus = np.concatenate([p for p, _ in parts] + [np.zeros(0)])
        hit = np.concatenate([h for _, h in parts] + [np.zeros(0, dtype=bool)])
        order = np.argsort(plaus, kind="stable")
        plaus, hit = plaus[order], hit[order]
        # pairs at or above each candidate threshold, and the documented ones among them
        at = np.searchsorted(plaus, values, side="left")
        n_shown = plaus.size - at
        tp = np.r_[np.cumsum(hit[::-1])[::-1], 0][at]
        f1 = np.where(n_shown + truth > 0, 2 * tp / np.maximum(n_shown + truth, 1), 0.0)
        for t, f in zip(values.tolist(), f1.tolist()):
            if f > best_f + 1e-12 or (abs(f - best_f) <= 1e-12 and (rel, t) > (best[1], best[0])):
                best, best_f = (t, rel), f
    return best


def calibrate_threshold(scored: list[Scored]) -> float:
    """The plausibility cut that maximises pooled F1 of the default output, relative cut as set."""
    return calibrate(scored, (RELATIVE_CUT,))[0]


def leave_one_case_out(scored: list[Scored], relatives: tuple[float, ...] = RELATIVE_GRID) -> Metrics:
    """Each case judged with the threshold and relative cut fitted on all the other cases."""
    m = Metrics()
    for i, s in enumerate(scored):
        t, rel = calibrate(scored[:i] + scored[i + 1:], relatives)
        m.add(metrics_at(s, t, rel))
    return m


# ----------------------------------------------------------------------------- ranking metrics
# A park has few sites: any order of 3 candidates puts the right one in the top 10. The ranking
# metrics below are those a random order does not max out, each next to its expected value under
# a random order of the same candidates (computed exactly, not sampled).
RECALL_AT = 3
TIE_DRAWS = 64  # ties in the engine's order are broken at random, the metric averaged over draws


def random_average_precision(n: int, r: int) -> float:
    """Expected average precision of a uniformly random order of n candidates, r relevant:
    a relevant item at rank k has precision (1 + (r-1)(k-1)/(n-1)) / k in expectation."""
    if r == 0 or n == 0:
        return 0.0
    if n == 1:
        return 1.0
    return sum((1 + (r - 1) * (k - 1) / (n - 1)) / k for k in range(1, n + 1)) / n


def _average_precision(relevant: list[bool]) -> float:
    hits, total = 0, 0.0
    for k, rel in enumerate(relevant, 1):
        if rel:
            hits += 1
            total += hits / k
    return total / hits if hits else 0.0


def ranking_metrics(scored: list[Scored]) -> dict:
    """Mean average precision over offers with a documented receiver, and recall@3 over offers
    with more than 3 candidate receivers (every other site of the case), with their random
    expectations. The engine's order: plausibility, then score; sites it never proposes last."""
    rng = np.random.default_rng(0)
    ap, ap_rand, hits3, hits3_rand, truth3, offers3 = [], [], 0.0, 0.0, 0, 0
    for s in scored:
        case = s.case
        for offer in case.offers:
            cands = [x.site_id for x in case.sites if x.site_id != offer.site_id]
            rel = {x for x in cands if (offer.flow_id, x) in case.truth}
            if not rel or not cands:
                continue
            vals = {x: s.candidates.get((offer.flow_id, x), (0.0, 0.0)) for x in cands}
            tied = len(set(vals.values())) < len(vals)
            draws = TIE_DRAWS if tied else 1
            ap_sum = hit_sum = 0.0
            for _ in range(draws):
                noise = rng.random(len(cands)) if tied else np.zeros(len(cands))
                order = sorted(range(len(cands)), key=lambda i: (-vals[cands[i]][0], -vals[cands[i]][1], noise[i], cands[i]))
                flags = [cands[i] in rel for i in order]
                ap_sum += _average_precision(flags)
                hit_sum += sum(flags[:RECALL_AT])
            ap.append(ap_sum / draws)
            ap_rand.append(random_average_precision(len(cands), len(rel)))
            if len(cands) > RECALL_AT:
                offers3 += 1
                truth3 += len(rel)
                hits3 += hit_sum / draws
                hits3_rand += RECALL_AT * len(rel) / len(cands)
    return {
        "engine": {"map": round(float(np.mean(ap)), 4) if ap else 0.0,
                   f"recall_at_{RECALL_AT}": round(hits3 / truth3, 4) if truth3 else 0.0},
        "random": {"map": round(float(np.mean(ap_rand)), 4) if ap_rand else 0.0,
                   f"recall_at_{RECALL_AT}": round(hits3_rand / truth3, 4) if truth3 else 0.0},
        "offers_ranked": len(ap), f"offers_with_more_than_{RECALL_AT}_candidates": offers3,
    }


def strict_leave_one_case_out(built: list[Case], scored: list[Scored]) -> Metrics:
    """Leave-one-case-out for the vocabulary too: each case scored with every synonym equal to
    one of its own labels left out of the classifier, and judged with the threshold fitted on
    the other cases (scored with the full vocabulary)."""
    from boucle.materials.index import synonyms_left_out

    from . import pipeline

    m = Metrics()
    for i, case in enumerate(built):
        with synonyms_left_out([o.label for o in case.offers]):
            pipeline._classify.cache_clear()
            held_out = score_case(case)
        pipeline._classify.cache_clear()
        m.add(metrics_at(held_out, *calibrate(scored[:i] + scored[i + 1:])))
    return m


def evaluate_maestri(path: Path = MAESTRI_CSV, activity_text_only: bool = False, threshold: float | None = None,
                     cases: list[str] | None = None, loco: bool = True, name_only: bool = False,
                     strict_vocabulary: bool = False) -> dict:
    """Figures of the default output and of the ranking, each next to its baselines computed in
    the same run. The headline is ``leave_one_case_out``: every fitted value (the threshold)
    chosen without the case being judged."""
    built = build_cases(read_rows(path), activity_text_only, name_only)
    if cases:
        built = [c for c in built if c.case in set(cases)]
    scored = [score_case(c) for c in built]
    t = DEFAULT_THRESHOLD if threshold is None else threshold
    everyone = Metrics()
    for c in built:
        everyone.add(everyone_to_everyone(c))
    report = {
        "dataset": "maestri", "activity_text_only": activity_text_only, "name_only": name_only, "threshold": t,
        "max_receivers_per_offer": MAX_RECEIVERS_PER_OFFER,
        "cases": {s.case.case: {**metrics_at(s, t).as_dict(), "sites": len(s.case.sites),
                                "offers": len(s.case.offers), "self_pairs_dropped": s.case.self_pairs,
                                "everyone_to_everyone_f1": round(everyone_to_everyone(s.case).f1, 4)}
                  for s in scored},
        "pooled": pooled(scored, t).as_dict(),
        "relative_cut": RELATIVE_CUT,
        "ranking": ranking_metrics(scored),
        "baselines": {"everyone_to_everyone": everyone.as_dict()},
    }
    report["baselines"]["random_ranking"] = report["ranking"]["random"]
    fitted_t, fitted_rel = calibrate(scored)
    report["fitted_threshold"], report["fitted_relative_cut"] = round(fitted_t, 6), fitted_rel
    report["pooled_at_fitted_threshold"] = pooled(scored, fitted_t, fitted_rel).as_dict()
    if loco and len(scored) > 1:
        report["leave_one_case_out"] = leave_one_case_out(scored).as_dict()
        if strict_vocabulary:
            report["leave_one_case_out_strict_vocabulary"] = strict_leave_one_case_out(built, scored).as_dict()
    return report
