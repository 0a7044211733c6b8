"""Precision on larger parks: the held-out protocol run on synthetic "merged parks".

Held-out parks are often larger than the cases of our check sets (proposing every offer to every
site of its park scores 0.10-0.20 there, 0.22-0.62 on ours), so each false receiver costs more and
a right receiver can be pushed out of an offer's list by a wrong one. This script builds, per
dataset, parks made of the sites of ``--merge`` consecutive cases (default 3) placed side by side
in one park (~1 km across), imports them exactly as ``scripts/heldout_protocol.py`` does (sites
with name, words and maybe a NACE division; offers by label only, no need declared), runs
``boucle match --format jsonl`` and scores each line as (offer site, offer label, need site).

What is assumed, and said in the output:
- the documented pairs are those of the original cases; a proposal between two sites that came
  from different cases is counted as a false positive (``cross_case``). Some of them may be
  plausible exchanges nobody documented, so ``pooled`` is a pessimistic precision; ``within_case``
  scores only the proposals between sites of the same original case (what the protocol scores
  on separate parks), and the gap between both says how much the larger park dilutes the output;
- recall is the same truth as the protocol's: a documented pair lost in the merged park was pushed
  out of its offer's list by receivers of other cases (cap, relative cut, same-activity stop).
- the blind literature cases (case numbers multiples of 3) are left out of the merged parks
  (nobody writing rules reads or tunes on them); nothing but pooled figures is printed, and
  ``--misses`` prints the pairs of non-blind cases only.

    python scripts/merged_park.py literature --describe codes [--merge 3] [--json] [--misses]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from heldout_protocol import blind, build, import_and_match, is_literature, prf, read_dataset  # noqa: E402


def merged_sites(sites: list[dict], case_of: dict[str, str], merge: int) -> dict[str, str]:
    """Place the sites of ``merge`` consecutive cases in one park; returns each site's park."""
    order = sorted({case_of[s["site_id"]] for s in sites}, key=lambda c: int(c) if c.isdigit() else 10**6)
    park_of_case = {c: i // merge for i, c in enumerate(order)}
    slots: dict[int, int] = defaultdict(int)
    park_of = {}
    for s in sites:
        park = park_of_case[case_of[s["site_id"]]]
        park_of[s["site_id"]] = str(park)
        i = slots[park]
        slots[park] += 1
        # parks far apart (a grid over the world, > 1,000 km from the next); sites on a grid of ~300 m,
        # six a row: a park of 30 sites is 1.8 km x 1.5 km
        lat0, lon0 = -45 + (park * 17) % 100, -170 + (park * 47) % 340
        s["latitude"] = f"{lat0 + 0.003 * (i % 6):.5f}"
        s["longitude"] = f"{lon0 + 0.003 * (i // 6) / max(0.2, math.cos(math.radians(lat0))):.5f}"
    return park_of


def run_merged(dataset: str, describe: str = "codes", merge: int = 3, level: str = "division",
               keep: str | None = None) -> tuple[dict, dict]:
    """Import the dataset's cases merged into parks, run ``boucle match`` and score it: (report, details)."""
    rows, countries = read_dataset(dataset)
    if is_literature(dataset):
        rows = [r for r in rows if not blind(r["case"])]
    sites, flows, truth, case_of = build(rows, describe, level, countries)
    park_of = merged_sites(sites, case_of, merge)

    pred = import_and_match(sites, flows, keep, prefix="merged-")
    within = {p for p in pred if case_of.get(p[0]) == case_of.get(p[2])}
    tp = len(pred & truth)
    sites_of_park = defaultdict(list)
    for s in sites:
        sites_of_park[park_of[s["site_id"]]].append(s["site_id"])
    everyone = {(f["site_id"], f["label"].lower(), s) for f in flows for s in sites_of_park[park_of[f["site_id"]]]
                if s != f["site_id"]}
    etp = len(everyone & truth)
    offers = {(p[0], p[1]) for p in pred}
    res = {
        "dataset": dataset, "describe": describe, "merge": merge,
        "parks": len(set(park_of.values())), "sites": len(sites),
        "sites_per_park": round(len(sites) / max(1, len(set(park_of.values()))), 1),
        "offers": len(flows), "truth_pairs": len(truth), "proposed": len(pred),
        "per_offer": round(len(pred) / max(1, len(offers)), 2),
        "pooled": prf(tp, len(pred) - tp, len(truth) - tp),
        "cross_case": len(pred) - len(within),
        "within_case": prf(tp, len(within) - tp, len(truth) - tp),
        "baselines": {"everyone_to_everyone": prf(etp, len(everyone) - etp, len(truth) - etp)},
        "assumption": "a proposal between sites of different original cases is counted as a false positive "
                      "(pooled); within_case scores only the proposals inside an original case",
    }
    return res, {"sites": sites, "truth": truth, "pred": pred, "case_of": case_of}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset")
    ap.add_argument("--describe", choices=["words", "codes", "name"], default="codes")
    ap.add_argument("--merge", type=int, default=3, help="cases per merged park")
    ap.add_argument("--keep")
    ap.add_argument("--misses", action="store_true", help="print the false positives between cases")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res, d = run_merged(args.dataset, args.describe, args.merge, keep=args.keep)
    if args.json:
        print(json.dumps(res, indent=1))
    else:
        print(f"{args.dataset} ({args.describe}, {args.merge} cases a park): {res['parks']} parks of "
              f"{res['sites_per_park']} sites, {res['offers']} offers, {res['truth_pairs']} documented pairs, "
              f"{res['proposed']} proposed ({res['per_offer']} per offer), {res['cross_case']} between cases")
        print(f"  pooled (cross-case = false): {res['pooled']}")
        print(f"  within cases only:           {res['within_case']}")
        print(f"  everyone-to-everyone:        {res['baselines']['everyone_to_everyone']}")
    if args.misses:
        name = {s["site_id"]: f"{s['name']} [{s['activity']}|{s['naf_code']}]" for s in d["sites"]}
        for x in sorted(d["pred"] - d["truth"]):
            if d["case_of"][x[0]] != d["case_of"][x[2]]:
                print(f"XFP {x[0]} {name[x[0]]} --{x[1]}--> {name[x[2]]}", file=sys.stderr)
        for x in sorted(d["truth"] - d["pred"]):
            print(f"MISS {x[0]} {name[x[0]]} --{x[1]}--> {name[x[2]]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
