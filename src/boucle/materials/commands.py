"""``boucle materials``: classify labels and waste codes, list the taxonomy. No database.

    boucle materials classify "copeaux alu" "big bags de cendres" [--json]
    boucle materials classify --file labels.txt --format csv|jsonl   (one label per line; - = stdin)
    boucle materials ewc 17 04 05* [--json]
    boucle materials list [--group metals] [--critical] [--json]
    boucle materials crm [--json]   (EU critical raw materials and the classes that carry them)
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict

from boucle.cli import gettext_lazy as _


# How a waste code got its class (the ``method`` column of data/ewc_to_class.csv, before any ``:``).
EWC_METHODS = {"manual": _("classe choisie à la main"), "chapter": _("classe déduite du chapitre"),
               "section": _("classe déduite de la section"), "keyword": _("classe déduite des mots du libellé")}


def register(subparsers) -> None:
    p = subparsers.add_parser("materials", help=_("classes de matières : classer des libellés et des codes déchet"))
    sub = p.add_subparsers(dest="materials_command", metavar="ACTION", required=True)

    c = sub.add_parser("classify", help=_("classe de matière de libellés libres (FR/EN)"))
    c.add_argument("labels", nargs="*", help=_("libellés à classer"))
    c.add_argument("--file", help=_("un libellé par ligne ('-' pour l'entrée standard) : traitement par lot"))
    c.add_argument("--top", type=int, default=3, help=_("candidats par libellé (un seul libellé)"))
    c.add_argument("--format", choices=("text", "json", "jsonl", "csv"), default="text",
                   help=_("texte (par défaut), JSON, une ligne JSON par libellé, ou CSV"))
    c.add_argument("--json", action="store_const", const="json", dest="format", help=_("comme --format json"))
    c.set_defaults(func=handle_classify, needs_db=False)

    e = sub.add_parser("ewc", help=_("classe de matière de codes de la liste européenne des déchets"))
    e.add_argument("codes", nargs="+", help=_("170405, '17 04 05' ou '17 04 05*'"))
    e.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    e.set_defaults(func=handle_ewc, needs_db=False)

    ls = sub.add_parser("list", help=_("les classes de matières"))
    ls.add_argument("--group", help=_("seulement ce groupe (metals, organics, energy…)"))
    ls.add_argument("--critical", action="store_true",
                    help=_("seulement les classes qui contiennent une matière première critique de l'UE (règlement "
                           "(UE) 2024/1252)"))
    ls.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    ls.set_defaults(func=handle_list, needs_db=False)

    cr = sub.add_parser("crm", help=_("matières premières critiques et stratégiques de l'UE, et les classes qui les "
                                      "portent"))
    cr.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    cr.set_defaults(func=handle_crm, needs_db=False)


def _read_labels(path: str) -> list[str]:
    if path == "-":
        return [line.rstrip("\n") for line in sys.stdin]
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def handle_classify(args) -> int:
    from .classify import classify_label, classify_labels, load_classes

    from django.utils.translation import gettext, ngettext

    from boucle.cli import use_language

    use_language()
    if args.file:
        try:
            labels = _read_labels(args.file)
        except (OSError, UnicodeDecodeError) as exc:
            error = gettext("fichier introuvable") if isinstance(exc, FileNotFoundError) else exc
            print(gettext("%(path)s : %(error)s") % {"path": args.file, "error": error}, file=sys.stderr)
            return 2
        print(ngettext("classement de %(n)d libellé", "classement de %(n)d libellés", len(labels))
              % {"n": len(labels)}, file=sys.stderr)
        idx, conf = classify_labels(labels)
        keys = [c.key for c in load_classes()]
        rows = [{"label": lab, "key": keys[i] if i >= 0 else None,
                 "confidence": round(float(p), 4)} for lab, i, p in zip(labels, idx, conf)]
        _emit_rows(rows, args.format)
        return 0
    if not args.labels:
        print(gettext("donnez des libellés en arguments ou avec --file"), file=sys.stderr)
        return 2
    results = {lab: classify_label(lab, top=args.top) for lab in args.labels}
    if args.format in ("json", "jsonl"):
        out = [{"label": lab, "matches": [asdict(m) for m in ms]}
               for lab, ms in results.items()]
        if args.format == "json":
            json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            for row in out:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return 0
    if args.format == "csv":
        _emit_rows([{"label": lab, "key": ms[0].key if ms else None,
                     "confidence": ms[0].confidence if ms else 0.0}
                    for lab, ms in results.items()], "csv")
        return 0
    for lab, ms in results.items():
        found = ", ".join(f"{m.key} ({m.confidence:.2f}, {m.method})" for m in ms) or gettext("aucune classe")
        print(f"{lab}: {found}")
    return 0


def _emit_rows(rows: list[dict], fmt: str) -> None:
    if fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=["label", "key", "confidence"],
                           lineterminator="\n")
        from boucle.spreadsheets import safe_cell

        w.writeheader()
        w.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    elif fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:  # jsonl and text
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def handle_ewc(args) -> int:
    from .classify import ewc_digits, normalise_ewc
    from .taxonomy import ewc_table, get_class

    # "17 04 05*" typed without quotes arrives as three arguments.
    raw = " ".join(args.codes)
    parts = raw.replace(",", " ").split()
    codes, buf = [], ""
    for part in parts:
        buf += part
        if len(buf.rstrip("*").replace(".", "").replace("-", "")) >= 6:
            codes.append(buf)
            buf = ""
    if buf:
        codes.append(buf)
    from django.utils.translation import gettext

    from boucle.cli import lang, use_language

    use_language()
    out, status = [], 0
    for code in codes:
        try:
            code6 = normalise_ewc(code)
        except ValueError:
            print(gettext("code déchet « %(code)s » : six chiffres de la liste européenne des déchets attendus, "
                          "par exemple 170405, « 17 04 05 » ou « 17 04 05* »") % {"code": code}
                  if ewc_digits(code) is None else
                  gettext("code déchet « %(code)s » absent de la liste européenne des déchets") % {"code": code},
                  file=sys.stderr)
            status = 2
            continue
        key, hazardous, method = ewc_table()[code6]
        out.append({"code": code6, "hazardous": hazardous, "key": key, "method": method,
                    "label_fr": get_class(key).label_fr, "label_en": get_class(key).label_en})
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        label = "label_en" if lang() == "en" else "label_fr"
        for r in out:
            star = "*" if r["hazardous"] else ""
            how = EWC_METHODS.get(r["method"].split(":")[0])
            print(f"{r['code']}{star} : {r['key']} ({r[label]})" + (f" — {how}" if how else ""))
    return status


def handle_list(args) -> int:
    from .crm import crm_of_class
    from .taxonomy import load_classes

    classes = [c for c in load_classes() if (not args.group or c.group == args.group)
               and (not getattr(args, "critical", False) or crm_of_class(c.key))]
    if args.json:
        json.dump([{**{f: getattr(c, f) for f in c.__slots__},
                    "critical_raw_materials": [x.crm.key for x in crm_of_class(c.key)]} for c in classes],
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from boucle.cli import lang, use_language

        from .labels import group_label, role_label

        use_language()
        english = lang() == "en"
        for c in classes:
            crms = ", ".join((x.crm.name_en if english else x.crm.name_fr) + ("*" if x.crm.strategic else "")
                             for x in crm_of_class(c.key))
            label = c.label_en if english else c.label_fr
            print(f"{c.key:32} {group_label(c.group):26} {role_label(c.role):15} {label}"
                  + (f"  [{crms}]" if crms else ""))
    return 0


def handle_crm(args) -> int:
    """The critical raw materials of Regulation (EU) 2024/1252 (strategic ones marked), each with the
    material classes that contain it."""
    from .crm import classes_with_crm, critical_raw_materials

    carriers: dict[str, list[str]] = {}
    for key, crms in classes_with_crm().items():
        for c in crms:
            carriers.setdefault(c.crm.key, []).append(key)
    rows = [{"key": m.key, "name_fr": m.name_fr, "name_en": m.name_en, "strategic": m.strategic,
             "source": m.source, "classes": carriers.get(m.key, [])} for m in critical_raw_materials().values()]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    from boucle.cli import lang, use_language

    use_language()
    name = "name_en" if lang() == "en" else "name_fr"
    print(_("Règlement (UE) 2024/1252 sur les matières premières critiques, annexes I et II "
            "(* = stratégique)"), file=sys.stderr)
    for r in rows:
        print(f"{r['key'] + ('*' if r['strategic'] else ''):18} {r[name]:48} {' '.join(r['classes'])}")
    return 0
