"""`boucle evaluate maestri|literature|process`: precision, recall and F1 of the default output of
`boucle match` and ranking metrics (mean average precision, recall@3) against documented
exchanges, each next to its baselines computed in the same run (everyone-to-everyone within each
case, random ranking). Pure (no database): the same pipeline as `boucle match`, on records built
from the dataset. The headline is leave-one-case-out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .evaluate import LITERATURE_CSV, MAESTRI_CSV, PROCESS_CSV, RECALL_AT, evaluate_maestri

from boucle.cli import gettext_lazy as _


def register(subparsers) -> None:
    p = subparsers.add_parser("evaluate", help=_("mesurer les propositions face à des échanges de symbiose "
                                                 "documentés"))
    p.add_argument("dataset", choices=["maestri", "literature", "process"],
                   help=_("maestri : base d'échanges MAESTRI (cas de mise au point) ; literature : échanges "
                          "documentés de 18 autres parcs dans la même forme (knowledge/eval/literature_check.md) ; "
                          "process : échanges de l'industrie lourde et des utilités "
                          "(knowledge/eval/process_check.md)"))
    p.add_argument("--activity-text-only", action="store_true",
                   help=_("donner au moteur le texte d'activité de chaque site, sans code NAF"))
    p.add_argument("--name-only", action="store_true",
                   help=_("donner au moteur seulement la raison sociale de chaque site (ni code, ni activité) : les "
                          "mots du secteur seuls"))
    p.add_argument("--strict-vocabulary", action="store_true",
                   help=_("juger aussi chaque cas sans les synonymes égaux à ses propres libellés (plus lent : ~1 "
                          "min)"))
    p.add_argument("--path", type=Path, default=None, help=_("jeu de données CSV dans la forme MAESTRI (par défaut "
                                                             ": la copie fournie avec le paquet)"))
    p.add_argument("--threshold", type=float, default=None, help=_("seuil de plausibilité (par défaut : le seuil "
                                                                   "calibré)"))
    p.add_argument("--case", action="append", dest="cases", help=_("seulement ce cas (répétable)"))
    p.add_argument("--json", action="store_true", help=_("afficher le compte rendu en JSON sur la sortie standard"))
    p.set_defaults(func=handle, needs_db=False)


def _row(name: str, m: dict) -> str:
    return f"{name:>22}  {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f}  {m['tp']:4d} {m['fp']:5d} {m['fn']:4d}"


def handle(args) -> int:
    mode = ("company name only" if args.name_only else
            "activity text only" if args.activity_text_only else "NACE code + activity text")
    print(f"evaluating {args.dataset} ({mode})...",
          file=sys.stderr)
    path = args.path or {"literature": LITERATURE_CSV, "process": PROCESS_CSV}.get(args.dataset, MAESTRI_CSV)
    report = evaluate_maestri(path, args.activity_text_only, args.threshold, args.cases, name_only=args.name_only,
                              strict_vocabulary=args.strict_vocabulary)
    report["dataset"] = args.dataset
    if args.json:
        json.dump(report, sys.stdout, indent=2, sort_keys=True)
        print()
        return 0
    title = {"maestri": "MAESTRI", "literature": "Literature check set"}.get(args.dataset, "Process check set")
    print(f"{title}: default output of boucle match (plausibility >= {report['threshold']:.4f}, at most "
          f"{report['max_receivers_per_offer']} receivers per offer), offer -> receiving-site pairs"
          f" ({mode})")
    print(f"{'case':>22}  {'P':>6} {'R':>6} {'F1':>6}  {'tp':>4} {'fp':>5} {'fn':>4}   everyone-to-everyone F1")
    for case, m in report["cases"].items():
        print(_row(case, m) + f"   {m['everyone_to_everyone_f1']:.3f}")
    if "leave_one_case_out" in report:
        print(_row("leave-one-case-out", report["leave_one_case_out"]) + "   <- headline (threshold fitted on the other cases)")
    if "leave_one_case_out_strict_vocabulary" in report:
        print(_row("LOCO, vocabulary too", report["leave_one_case_out_strict_vocabulary"])
              + "   (each case without the synonyms equal to its labels)")
    print(_row("pooled (in sample)", report["pooled"]))
    print(_row("fitted on all cases", report["pooled_at_fitted_threshold"]) + f"   (threshold {report['fitted_threshold']:.4f})")
    print(_row("everyone-to-everyone", report["baselines"]["everyone_to_everyone"]) + "   <- baseline")
    r, rnd = report["ranking"], report["ranking"]["random"]
    k = f"recall_at_{RECALL_AT}"
    print(f"ranking: mean average precision {r['engine']['map']:.3f} (random order {rnd['map']:.3f}, "
          f"{r['offers_ranked']} offers); recall@{RECALL_AT} {r['engine'][k]:.3f} (random order {rnd[k]:.3f}, "
          f"{r[f'offers_with_more_than_{RECALL_AT}_candidates']} offers with more than {RECALL_AT} candidate receivers)")
    return 0
