"""Fit the default output's plausibility threshold and relative cut on the development cases.

The shipped values (``selection.DEFAULT_THRESHOLD``, ``selection.RELATIVE_CUT``) come from here:
one joint fit (``evaluate.calibrate``: best pooled F1 of offer -> receiving-site pairs) over the
MAESTRI development cases, the process check set and the literature check set *without its
blind cases* (case numbers that are multiples of 3, never used to fit), each case described both
ways held-out parks come: NACE code + activity text, and activity text only, and each offer as
the held-out protocol imports it (its label only: no EWC code, no hazard flag). Printed: the fit,
its leave-one-case-out figures per dataset and description (each case, in both descriptions,
judged with the values fitted on every other case), the blind literature cases judged with the
values fitted on all the development cases, and the everyone-to-everyone baseline of each.

    PYTHONPATH=src python scripts/fit_selection.py [--with-ewc] [--relatives 0,0.5,0.6,0.7] [--json]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from boucle.matching.evaluate import (  # noqa: E402
    LITERATURE_CSV, MAESTRI_CSV, PROCESS_CSV, RELATIVE_GRID, Metrics, build_cases, calibrate, everyone_to_everyone,
    metrics_at, read_rows, score_case)

DATASETS = (("maestri", MAESTRI_CSV), ("process", PROCESS_CSV), ("literature", LITERATURE_CSV))
MODES = ("codes", "words")


def blind(case: str) -> bool:
    return case.isdigit() and int(case) % 3 == 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--with-ewc", action="store_true",
                    help="offers with their EWC code and hazard flag (default: label only, as the held-out protocol "
                         "imports them)")
    ap.add_argument("--relatives", default=",".join(str(r) for r in RELATIVE_GRID),
                    help="relative cuts tried (comma-separated; 0 = none)")
    args = ap.parse_args()
    relatives = tuple(float(x) for x in args.relatives.split(","))
    dev, held = [], []  # ((dataset, case), mode, scored)
    for name, path in DATASETS:
        rows = read_rows(path)
        for mode in MODES:
            for case in build_cases(rows, activity_text_only=mode == "words"):
                if not args.with_ewc:
                    case.offers = [dataclasses.replace(o, ewc_code=None, hazardous=False) for o in case.offers]
                item = ((name, case.case), mode, score_case(case))
                (held if name == "literature" and blind(case.case) else dev).append(item)
    scored = [s for _, _, s in dev]
    t, rel = calibrate(scored, relatives)
    loco: dict[str, Metrics] = {}
    for key in dict.fromkeys(k for k, _, _ in dev):
        ti, reli = calibrate([s for k, _, s in dev if k != key], relatives)
        for k, mode, s in dev:
            if k == key:
                m = metrics_at(s, ti, reli)
                for group in (f"{key[0]} {mode}", f"all {mode}"):
                    loco.setdefault(group, Metrics()).add(m)
    everyone: dict[str, Metrics] = {}
    for (name, _), mode, s in dev:
        if mode == "codes":
            everyone.setdefault(name, Metrics()).add(everyone_to_everyone(s.case))
    out = {"fitted_threshold": round(t, 6), "fitted_relative_cut": rel, "relatives_tried": relatives,
           "development_cases": len(dev) // len(MODES),
           "leave_one_case_out": {k: v.as_dict() for k, v in sorted(loco.items())},
           "everyone_to_everyone": {k: v.as_dict() for k, v in everyone.items()}, "literature_blind": {}}
    for mode in MODES:
        b, b0, be = Metrics(), Metrics(), Metrics()
        for _, m, s in held:
            if m == mode:
                b.add(metrics_at(s, t, rel))
                b0.add(metrics_at(s, t, 0.0))
                be.add(everyone_to_everyone(s.case))
        out["literature_blind"][mode] = {"fitted": b.as_dict(), "without_relative_cut": b0.as_dict(),
                                         "everyone_to_everyone": be.as_dict(), "cases": len(held) // len(MODES)}
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"fit on {out['development_cases']} development cases x {len(MODES)} descriptions: "
          f"threshold {t:.4f}, relative cut {rel}")
    for k, v in out["leave_one_case_out"].items():
        base = out["everyone_to_everyone"].get(k.split()[0])
        print(f"  LOCO {k:>18}: P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.4f}"
              + (f"   everyone-to-everyone F1 {base['f1']:.4f}" if base else ""))
    for mode, lb in out["literature_blind"].items():
        print(f"  literature blind, {mode} ({lb['cases']} cases): F1 {lb['fitted']['f1']:.4f} "
              f"(no relative cut {lb['without_relative_cut']['f1']:.4f}, "
              f"everyone-to-everyone {lb['everyone_to_everyone']['f1']:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
