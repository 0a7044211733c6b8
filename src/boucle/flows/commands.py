"""``boucle import sites|flows|sirene|aids|land FILE``."""

import json
import sys


def register(subparsers):
    p = subparsers.add_parser("import", help="import sites, flows, a SIRENE extract, aid schemes or land entries "
                                             "(CSV, XLSX; JSON for aids, GeoJSON for land)")
    p.add_argument("what", choices=["sites", "flows", "sirene", "aids", "land"])
    p.add_argument("file")
    p.add_argument("--partial", action="store_true", help="write the valid rows even if some are rejected")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(func=run_import, needs_db=True)


def run_import(args) -> int:
    if args.what == "aids":  # the aids domain keeps its importer and its report
        from boucle.aids.commands import run_import as import_aids

        return import_aids(args)
    from boucle.cli import lang

    if args.what == "land":
        from boucle.land.commands import run_import as run_land_import

        return run_land_import(args.file, args.partial, args.json)

    from .importers import import_flows, import_sites
    from .sirene import import_sirene
    from .tabular import FileFormatError

    importer = {"sites": import_sites, "flows": import_flows, "sirene": import_sirene}[args.what]
    try:
        report = importer(args.file, partial=args.partial)
    except FileFormatError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(report.lines(lang())))
    return 0 if report.ok or (args.partial and report.written) else 1
