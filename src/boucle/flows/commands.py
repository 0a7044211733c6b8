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
    if args.what == "land":
        from boucle.land.commands import run_import as run_land_import

        return run_land_import(args.file, args.partial, args.json)

    from .importers import import_flows, import_sites
    from .sirene import import_sirene

    importer = {"sites": import_sites, "flows": import_flows, "sirene": import_sirene}[args.what]
    return report_import(importer, args.file, args.partial, args.json)


def report_import(importer, path, partial: bool, as_json: bool) -> int:
    """Run ``importer(path, partial=…)`` and tell its report, the one way every ``import`` command does:
    the report as JSON on stdout with ``--json``, else in words; exit 1 when rows were refused (and
    nothing written) or the file is unreadable."""
    from boucle.cli import lang

    from .tabular import FileFormatError

    try:
        report = importer(path, partial=partial)
    except FileFormatError as exc:
        if as_json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(report.lines(lang())))
    return 0 if report.ok or (partial and report.written) else 1
