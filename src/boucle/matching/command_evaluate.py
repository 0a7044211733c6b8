"""`boucle evaluate maestri|literature|process`: precision, recall and F1 of the default output of
`boucle match` and ranking metrics (mean average precision, recall@3) against documented
exchanges, each next to its baselines computed in the same run (everyone-to-everyone within each
case, random ranking). Pure (no database): the same pipeline as `boucle match`, on records built
from the dataset. The headline is leave-one-case-out. The pipeline is imported by the handler:
every ``boucle`` command builds this parser."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from boucle.cli import gettext_lazy as _


def register(subparsers) -> None:
    p = subparsers.add_parser("evaluate", help=_("mesurer les propositions face à des échanges de symbiose "
                                                 "documentés"))
    p.add_argument("dataset", choices=["maestri", "literature", "process", "heavy", "codes", "fresh", "fresh2",
                                        "fresh3", "fresh4", "fresh5"],
                   help=_("maestri : base d'échanges MAESTRI (cas de mise au point) ; literature : échanges "
                          "documentés de 18 autres parcs dans la même forme (knowledge/eval/literature_check.md) ; "
                          "process : échanges de l'industrie lourde et des utilités "
                          "(knowledge/eval/process_check.md) ; heavy : jeu de contrôle de l'industrie lourde "
                          "(knowledge/eval/heavy_check.md) ; codes : jeu de contrôle des sites décrits par un code NAF "
                          "(knowledge/eval/codes_check.md) ; fresh : jeu de contrôle de 20 autres parcs, écrit avant toute "
                          "règle (knowledge/eval/fresh_check.md) ; fresh2 : second jeu de contrôle de 20 autres parcs, "
                          "écrit de même (knowledge/eval/fresh2_check.md) ; fresh3 : troisième jeu de contrôle "
                          "de 18 autres parcs, écrit de même (knowledge/eval/fresh3_check.md) ; fresh4 : quatrième "
                          "jeu de contrôle de 13 autres parcs, plus grands, écrit de même "
                          "(knowledge/eval/fresh4_check.md) ; fresh5 : cinquième jeu de contrôle de 12 autres parcs, "
                          "plus grands, écrit de même (knowledge/eval/fresh5_check.md)"))
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
    from django.utils.translation import gettext

    from boucle.cli import use_language

    # the engine (scipy and the knowledge tables) only when evaluating: every other command starts without it
    from .evaluate import (CODES_CSV, FRESH2_CSV, FRESH3_CSV, FRESH4_CSV, FRESH5_CSV, FRESH_CSV, HEAVY_CSV,
                           LITERATURE_CSV, MAESTRI_CSV, PROCESS_CSV, RECALL_AT, evaluate_maestri)

    use_language()
    mode = (gettext("raison sociale seule") if args.name_only else
            gettext("texte d'activité seul") if args.activity_text_only else gettext("code NAF + texte d'activité"))
    print(gettext("évaluation sur %(dataset)s (%(mode)s)…") % {"dataset": args.dataset, "mode": mode},
          file=sys.stderr)
    path = args.path or {"literature": LITERATURE_CSV, "process": PROCESS_CSV,
                         "heavy": HEAVY_CSV, "codes": CODES_CSV, "fresh": FRESH_CSV,
                         "fresh2": FRESH2_CSV, "fresh3": FRESH3_CSV,
                         "fresh4": FRESH4_CSV, "fresh5": FRESH5_CSV}.get(args.dataset, MAESTRI_CSV)
    report = evaluate_maestri(path, args.activity_text_only, args.threshold, args.cases, name_only=args.name_only,
                              strict_vocabulary=args.strict_vocabulary)
    report["dataset"] = args.dataset
    if args.json:
        json.dump(report, sys.stdout, indent=2, sort_keys=True)
        print()
        return 0
    title = {"maestri": "MAESTRI", "literature": gettext("Jeu de contrôle de la littérature"),
             "heavy": gettext("Jeu de contrôle de l'industrie lourde"),
             "codes": gettext("Jeu de contrôle des sites décrits par un code NAF"),
             "fresh": gettext("Jeu de contrôle frais (parcs jamais lus)"),
             "fresh2": gettext("Second jeu de contrôle frais (parcs jamais lus)"),
             "fresh3": gettext("Troisième jeu de contrôle frais (parcs jamais lus)"),
             "fresh4": gettext("Quatrième jeu de contrôle frais (parcs jamais lus)"),
             "fresh5": gettext("Cinquième jeu de contrôle frais (parcs jamais lus)")}.get(
        args.dataset, gettext("Jeu de contrôle des procédés"))
    print(gettext("%(title)s : sortie par défaut de boucle match (plausibilité ≥ %(threshold)s et ≥ %(cut)s × la "
                  "meilleure de l'offre, au plus %(receivers)s receveurs par offre), paires offre → site receveur "
                  "(%(mode)s)")
          % {"title": title, "threshold": f"{report['threshold']:.4f}", "cut": report["relative_cut"],
             "receivers": report["max_receivers_per_offer"], "mode": mode})
    print(f"{gettext('cas'):>22}  {'P':>6} {'R':>6} {'F1':>6}  {'tp':>4} {'fp':>5} {'fn':>4}   "
          + gettext("F1 de tous-avec-tous"))
    for case, m in report["cases"].items():
        print(_row(case, m) + f"   {m['everyone_to_everyone_f1']:.3f}")
    if "leave_one_case_out" in report:
        print(_row(gettext("un cas laissé de côté"), report["leave_one_case_out"]) + "   "
              + gettext("<- résultat principal (seuil et coupe relative ajustés sur les autres cas)"))
    if "leave_one_case_out_strict_vocabulary" in report:
        print(_row(gettext("idem, vocabulaire aussi"), report["leave_one_case_out_strict_vocabulary"]) + "   "
              + gettext("(chaque cas sans les synonymes égaux à ses libellés)"))
    print(_row(gettext("tous cas réunis"), report["pooled"]))
    print(_row(gettext("seuil ajusté sur tout"), report["pooled_at_fitted_threshold"]) + "   "
          + gettext("(seuil %(threshold)s, coupe relative %(cut)s)")
          % {"threshold": f"{report['fitted_threshold']:.4f}", "cut": report["fitted_relative_cut"]})
    print(_row(gettext("tous-avec-tous"), report["baselines"]["everyone_to_everyone"]) + "   "
          + gettext("<- référence"))
    r, rnd = report["ranking"], report["ranking"]["random"]
    k = f"recall_at_{RECALL_AT}"
    print(gettext("classement : précision moyenne %(map)s (ordre aléatoire %(random_map)s, %(offers)s offres) ; "
                  "rappel@%(k)s %(recall)s (ordre aléatoire %(random_recall)s, %(wide)s offres avec plus de %(k)s "
                  "receveurs candidats)")
          % {"map": f"{r['engine']['map']:.3f}", "random_map": f"{rnd['map']:.3f}", "offers": r["offers_ranked"],
             "k": RECALL_AT, "recall": f"{r['engine'][k]:.3f}", "random_recall": f"{rnd[k]:.3f}",
             "wide": r[f"offers_with_more_than_{RECALL_AT}_candidates"]})
    return 0
