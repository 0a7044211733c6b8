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


def register(subparsers) -> None:
    p = subparsers.add_parser("materials", help="material classes: classify labels and EWC codes")
    sub = p.add_subparsers(dest="materials_command", metavar="ACTION", required=True)

    c = sub.add_parser("classify", help="material class of free-text labels (FR/EN)")
    c.add_argument("labels", nargs="*", help="labels to classify")
    c.add_argument("--file", help="one label per line ('-' for stdin): batch mode")
    c.add_argument("--top", type=int, default=3, help="candidates per label (single mode)")
    c.add_argument("--format", choices=("text", "json", "jsonl", "csv"), default="text")
    c.add_argument("--json", action="store_const", const="json", dest="format")
    c.set_defaults(func=handle_classify, needs_db=False)

    e = sub.add_parser("ewc", help="material class of European List of Waste codes")
    e.add_argument("codes", nargs="+", help="170405, '17 04 05' or '17 04 05*'")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=handle_ewc, needs_db=False)

    ls = sub.add_parser("list", help="the material classes")
    ls.add_argument("--group", help="only this group (metals, organics, energy, ...)")
    ls.add_argument("--critical", action="store_true",
                    help="only classes that contain an EU critical raw material (Regulation (EU) 2024/1252)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=handle_list, needs_db=False)

    cr = sub.add_parser("crm", help="EU critical and strategic raw materials, and the classes that carry them")
    cr.add_argument("--json", action="store_true")
    cr.set_defaults(func=handle_crm, needs_db=False)


def _read_labels(path: str) -> list[str]:
    if path == "-":
        return [line.rstrip("\n") for line in sys.stdin]
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def handle_classify(args) -> int:
    from .classify import classify_label, classify_labels, load_classes

    if args.file:
        labels = _read_labels(args.file)
        print(f"classifying {len(labels)} labels", file=sys.stderr)
        idx, conf = classify_labels(labels)
        keys = [c.key for c in load_classes()]
        rows = [{"label": lab, "key": keys[i] if i >= 0 else None,
                 "confidence": round(float(p), 4)} for lab, i, p in zip(labels, idx, conf)]
        _emit_rows(rows, args.format)
        return 0
    if not args.labels:
        print("give labels as arguments or --file", file=sys.stderr)
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
        found = ", ".join(f"{m.key} ({m.confidence:.2f}, {m.method})" for m in ms) or "no match"
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
    from .classify import normalise_ewc
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
    out, status = [], 0
    for code in codes:
        try:
            code6 = normalise_ewc(code)
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            status = 2
            continue
        key, hazardous, method = ewc_table()[code6]
        out.append({"code": code6, "hazardous": hazardous, "key": key, "method": method,
                    "label_fr": get_class(key).label_fr, "label_en": get_class(key).label_en})
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for r in out:
            star = "*" if r["hazardous"] else ""
            print(f"{r['code']}{star}: {r['key']} ({r['label_fr']}) [{r['method']}]")
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
        for c in classes:
            crms = ", ".join(x.crm.key + ("*" if x.crm.strategic else "") for x in crm_of_class(c.key))
            print(f"{c.key:32} {c.group:12} {c.role:10} {c.label_fr}" + (f"  [{crms}]" if crms else ""))
    return 0


def handle_crm(args) -> int:
    """The critical raw materials of Regulation (EU) 2024/1252 (strategic ones marked), each with the
    material classes that contain it."""
    from .crm import REGULATION, classes_with_crm, critical_raw_materials

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
    from boucle.cli import lang  # no database here, so no Django catalogue: the two languages inline

    english = lang() == "en"
    name = "name_en" if english else "name_fr"
    print(f"{REGULATION} " + ("(* = strategic)" if english else "(* = stratégique)"), file=sys.stderr)
    for r in rows:
        print(f"{r['key'] + ('*' if r['strategic'] else ''):18} {r[name]:48} {' '.join(r['classes'])}")
    return 0
