"""Fit the default output's plausibility threshold and relative cut on the development cases.

The shipped values (``selection.DEFAULT_THRESHOLD``, ``selection.RELATIVE_CUT``) come from here:
one joint fit over the MAESTRI development cases, the process check set and the literature
check set *without its blind cases* (case numbers that are multiples of 3, never used to fit).
Printed: the fit, its leave-one-case-out figures over the union and per dataset (each case
judged with the values fitted on every other case), the blind literature cases judged with the
values fitted on all the development cases, and the everyone-to-everyone baseline of each.

    PYTHONPATH=src python scripts/fit_selection.py [--json]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from boucle.matching.evaluate import (  # noqa: E402
    LITERATURE_CSV, MAESTRI_CSV, PROCESS_CSV, Metrics, build_cases, calibrate, everyone_to_everyone, metrics_at,
    read_rows, score_case)


# The relative cuts tried: a coarse grid (a finer one, up to 0.9, fits each fold's noise: its
# leave-one-case-out F1 is lower, see docs/materials.md).
FIT_GRID = (0.0, 0.5, 0.6, 0.7)


def blind(case: str) -> bool:
    return case.isdigit() and int(case) % 3 == 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--labels-only", action="store_true",
                    help="offers as the held-out protocol imports them: label only (no EWC code, no hazard flag)")
    ap.add_argument("--relatives", default=",".join(str(r) for r in FIT_GRID),
                    help="relative cuts tried (comma-separated; 0 = none)")
    args = ap.parse_args()
    relatives = tuple(float(x) for x in args.relatives.split(","))
    dev, held = [], []
    for name, path in (("maestri", MAESTRI_CSV), ("process", PROCESS_CSV), ("literature", LITERATURE_CSV)):
        for case in build_cases(read_rows(path)):
            if args.labels_only:
                case.offers = [dataclasses.replace(o, ewc_code=None, hazardous=False) for o in case.offers]
            (held if name == "literature" and blind(case.case) else dev).append((name, score_case(case)))
    scored = [s for _, s in dev]
    t, rel = calibrate(scored, relatives)
    out = {"fitted_threshold": round(t, 6), "fitted_relative_cut": rel, "leave_one_case_out": {}, "everyone_to_everyone": {}}
    loco: dict[str, Metrics] = {"all": Metrics()}
    for i, (name, s) in enumerate(dev):
        ti, reli = calibrate(scored[:i] + scored[i + 1:], relatives)
        m = metrics_at(s, ti, reli)
        loco["all"].add(m)
        loco.setdefault(name, Metrics()).add(m)
    out["leave_one_case_out"] = {k: v.as_dict() for k, v in loco.items()}
    for name in ("maestri", "process", "literature"):
        e = Metrics()
        for n, s in dev:
            if n == name:
                e.add(everyone_to_everyone(s.case))
        out["everyone_to_everyone"][name] = e.as_dict()
    b, be, b0 = Metrics(), Metrics(), Metrics()
    for _, s in held:
        b.add(metrics_at(s, t, rel))
        b0.add(metrics_at(s, t, 0.0))
        be.add(everyone_to_everyone(s.case))
    out["literature_blind"] = {"fitted": b.as_dict(), "without_relative_cut": b0.as_dict(),
                               "everyone_to_everyone": be.as_dict(), "cases": len(held)}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"fit on {len(dev)} development cases: threshold {t:.4f}, relative cut {rel}")
        for k, v in out["leave_one_case_out"].items():
            base = out["everyone_to_everyone"].get(k)
            print(f"  LOCO {k:>10}: P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.4f}"
                  + (f"   everyone-to-everyone F1 {base['f1']:.4f}" if base else ""))
        lb = out["literature_blind"]
        print(f"  literature blind ({lb['cases']} cases): F1 {lb['fitted']['f1']:.4f} "
              f"(no relative cut {lb['without_relative_cut']['f1']:.4f}, everyone-to-everyone {lb['everyone_to_everyone']['f1']:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
