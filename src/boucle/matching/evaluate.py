"""Measure the proposals against documented industrial-symbiosis exchanges (MAESTRI database).

The question asked is the one a facilitator asks: given the firms of a park, their activity and
what they give away, does Boucle propose the partners that really took it? Each MAESTRI case is a
park; within a case every site is a candidate receiver of every offer of the case.

How the case is rebuilt (the database has no coordinates, quantities nor declared needs):
- a *site* is a distinct (NACE code, activity text) of the case, told apart by the company name
  where the database gives one; a nameless mention is the named site with the same code and
  activity when there is exactly one (the company name is used only to tell sites apart: it is
  never given to the engine);
- an *offer* is what a provider gives under one EWC code; mentions with that code whose labels
  share a word ("black furnace slag", "basic oxygen furnace slag as aggregate") are one offer,
  others ("ethylene", "propylene") stay apart. The label is the waste description; the EWC code
  is passed on unless the database marks it approximate (``#`` or ``^``);
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

from .knowledge.naf import normalise
from .pipeline import DEFAULT_THRESHOLD, FlowIn, SiteIn, propose

EVAL_DIR = Path(__file__).parent / "knowledge" / "eval"
MAESTRI_CSV = EVAL_DIR / "maestri_exchanges_dev.csv"
# Documented exchanges of other parks, from the literature, in the MAESTRI layout (see its .md).
LITERATURE_CSV = EVAL_DIR / "literature_check.csv"
GENERIC_WORDS = {"waste", "wastes", "by", "products", "product", "and", "of", "the", "as", "from", "with"}
K = 10


@dataclass
class Case:
    case: str
    sites: list[SiteIn]
    offers: list[FlowIn]
    truth: set[tuple[str, str]]
    self_pairs: int = 0


@dataclass
class Metrics:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    hits_at_k: int = 0
    n_truth: int = 0

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

    @property
    def recall_at_k(self) -> float:
        return self.hits_at_k / self.n_truth if self.n_truth else 0.0

    def add(self, other: "Metrics") -> None:
        for f in ("tp", "fp", "fn", "hits_at_k", "n_truth"):
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                f"recall_at_{K}": round(self.recall_at_k, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "truth_pairs": self.n_truth}


def _code(raw: str) -> str:
    return re.sub(r"[^0-9;]", "", raw or "")


def _ewc(raw: str) -> str | None:
    first = (raw or "").split(";")[0].strip()
    if not first or first[-1] in "#^":
        return None
    digits = re.sub(r"\D", "", first)
    return digits if len(digits) == 6 else None


def _words(label: str) -> set[str]:
    return {w for w in normalise(label).split() if w not in GENERIC_WORDS and len(w) > 2}


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


def build_cases(rows: list[dict], activity_text_only: bool = False) -> list[Case]:
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
                sites.append(SiteIn(site_ids[key], 0.0, 0.0, None if activity_text_only else (code or None), act or None))

        groups: dict[tuple, list[dict]] = defaultdict(list)  # (provider, ewc) -> clusters
        truth: set[tuple[str, str]] = set()
        self_pairs = 0
        offers: list[FlowIn] = []
        for r in crows:
            if _site_only(r):
                continue
            prov = site_ids[site_key(_code(r["provider_nace"]), r["provider_activity"].strip(), r["provider_company"].strip())]
            recv = site_ids[site_key(_code(r["receiver_nace"]), r["receiver_activity"].strip(), r["receiver_company"].strip())]
            label = r["waste_description"].strip()
            gkey = (prov, _code(r["ewc_code"]) or label.lower())
            cluster = next((c for c in groups[gkey] if c["words"] & _words(label) or c["label"].lower() == label.lower()), None)
            if cluster is None:
                flow_id = f"{prov}-o{sum(len(v) for k, v in groups.items() if k[0] == prov) + 1}"
                cluster = {"id": flow_id, "label": label, "words": _words(label)}
                groups[gkey].append(cluster)
                offers.append(FlowIn(flow_id, prov, "offer", label=label, ewc_code=_ewc(r["ewc_code"]),
                                     hazardous=r.get("ewc_hazardous") == "true" and _ewc(r["ewc_code"]) is not None))
            else:
                cluster["words"] |= _words(label)
            if prov == recv:
                self_pairs += 1
            else:
                truth.add((cluster["id"], recv))
        cases.append(Case(case_id, sites, offers, truth, self_pairs))
    return cases


@dataclass
class Scored:
    """Every candidate of a case with its plausibility, and the top-k ranking, computed once so
    that thresholds can be tried without re-running the engine."""
    case: Case
    candidates: dict[tuple[str, str], float] = field(default_factory=dict)
    top_k: set[tuple[str, str]] = field(default_factory=set)


def score_case(case: Case) -> Scored:
    out = Scored(case)
    for p in propose(case.sites, case.offers, threshold=0.0):
        key = (p.offer_flow_id, p.need_site_id)
        out.candidates[key] = max(out.candidates.get(key, 0.0), p.plausibility)
    out.top_k = {(p.offer_flow_id, p.need_site_id) for p in propose(case.sites, case.offers, top=K)}
    return out


def metrics_at(s: Scored, threshold: float) -> Metrics:
    pred = {k for k, v in s.candidates.items() if v >= threshold}
    tp = len(pred & s.case.truth)
    return Metrics(tp=tp, fp=len(pred) - tp, fn=len(s.case.truth) - tp,
                   hits_at_k=len(s.top_k & s.case.truth), n_truth=len(s.case.truth))


def pooled(scored: list[Scored], threshold: float) -> Metrics:
    m = Metrics()
    for s in scored:
        m.add(metrics_at(s, threshold))
    return m


def calibrate_threshold(scored: list[Scored]) -> float:
    """The plausibility cut that maximises pooled F1 (ties: the higher, i.e. fewer proposals)."""
    values = sorted({v for s in scored for v in s.candidates.values()} | {DEFAULT_THRESHOLD})
    best_t, best_f = DEFAULT_THRESHOLD, -1.0
    for t in values:
        f = pooled(scored, t).f1
        if f >= best_f - 1e-12:
            best_t, best_f = (t, f) if f > best_f + 1e-12 or t > best_t else (best_t, best_f)
    return best_t


def leave_one_case_out(scored: list[Scored]) -> Metrics:
    """Each case judged with the threshold fitted on all the other cases."""
    m = Metrics()
    for i, s in enumerate(scored):
        t = calibrate_threshold(scored[:i] + scored[i + 1:])
        m.add(metrics_at(s, t))
    return m


def evaluate_maestri(path: Path = MAESTRI_CSV, activity_text_only: bool = False, threshold: float | None = None,
                     cases: list[str] | None = None, loco: bool = True) -> dict:
    built = build_cases(read_rows(path), activity_text_only)
    if cases:
        built = [c for c in built if c.case in set(cases)]
    scored = [score_case(c) for c in built]
    t = DEFAULT_THRESHOLD if threshold is None else threshold
    report = {
        "dataset": "maestri", "activity_text_only": activity_text_only, "threshold": t,
        "cases": {s.case.case: {**metrics_at(s, t).as_dict(), "sites": len(s.case.sites),
                                "offers": len(s.case.offers), "self_pairs_dropped": s.case.self_pairs}
                  for s in scored},
        "pooled": pooled(scored, t).as_dict(),
        "fitted_threshold": round(calibrate_threshold(scored), 6),
    }
    report["pooled_at_fitted_threshold"] = pooled(scored, report["fitted_threshold"]).as_dict()
    if loco and len(scored) > 1:
        report["leave_one_case_out"] = leave_one_case_out(scored).as_dict()
    return report
