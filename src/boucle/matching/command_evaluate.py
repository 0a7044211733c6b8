"""`boucle evaluate maestri`: precision, recall, F1 and recall@10 of Boucle's proposals against
documented exchanges. Pure (no database): the same pipeline as `boucle match`, on records built
from the dataset."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .evaluate import K, LITERATURE_CSV, MAESTRI_CSV, evaluate_maestri


def register(subparsers) -> None:
    p = subparsers.add_parser("evaluate", help="Measure proposals against documented symbiosis exchanges")
    p.add_argument("dataset", choices=["maestri", "literature"],
                   help="maestri: MAESTRI exchanges database (development cases); literature: documented exchanges "
                        "of 18 other parks in the same layout (knowledge/eval/literature_check.md)")
    p.add_argument("--activity-text-only", action="store_true",
                   help="give the engine the activity text of each site and no NACE code")
    p.add_argument("--path", type=Path, default=None, help="dataset CSV in the MAESTRI layout (default: the copy shipped in the package)")
    p.add_argument("--threshold", type=float, default=None, help="plausibility threshold (default: the calibrated one)")
    p.add_argument("--case", action="append", dest="cases", help="only this case (repeatable)")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(func=handle, needs_db=False)


def _row(name: str, m: dict) -> str:
    return (f"{name:>8}  {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m[f'recall_at_{K}']:8.3f}"
            f"  {m['tp']:4d} {m['fp']:4d} {m['fn']:4d}")


def handle(args) -> int:
    print(f"evaluating {args.dataset} ({'activity text only' if args.activity_text_only else 'NACE code + activity text'})...",
          file=sys.stderr)
    path = args.path or (LITERATURE_CSV if args.dataset == "literature" else MAESTRI_CSV)
    report = evaluate_maestri(path, args.activity_text_only, args.threshold, args.cases)
    report["dataset"] = args.dataset
    if args.json:
        json.dump(report, sys.stdout, indent=2, sort_keys=True)
        print()
        return 0
    print(f"{'MAESTRI' if args.dataset == 'maestri' else 'Literature check set'}, offer -> receiving-site pairs, threshold {report['threshold']:.4f}"
          f"{' (activity text only)' if args.activity_text_only else ''}")
    print(f"{'case':>8}  {'P':>6} {'R':>6} {'F1':>6} {f'R@{K}':>8}  {'tp':>4} {'fp':>4} {'fn':>4}")
    for case, m in report["cases"].items():
        print(_row(case, m))
    print(_row("pooled", report["pooled"]))
    print(f"threshold fitted on all cases: {report['fitted_threshold']:.4f}")
    print(_row("fitted", report["pooled_at_fitted_threshold"]))
    if "leave_one_case_out" in report:
        print(_row("LOCO", report["leave_one_case_out"]) + "   (threshold fitted on the other cases)")
    return 0
