"""``boucle import sites|flows|sirene|aids|land FILE``."""

import json
import sys

from boucle.cli import gettext_lazy as _


def register(subparsers):
    p = subparsers.add_parser("import", help=_("importer des sites, des flux, un extrait SIRENE, des aides ou du "
                                               "foncier (CSV, XLSX ; JSON pour les aides, GeoJSON pour le foncier)"))
    p.add_argument("what", choices=["sites", "flows", "sirene", "aids", "land"], help=_("ce que contient le fichier"))
    p.add_argument("file", help=_("le fichier à importer"))
    p.add_argument("--partial", action="store_true", help=_("écrire les lignes valides même si d'autres sont "
                                                            "refusées"))
    p.add_argument("--json", action="store_true", help=_("afficher le compte rendu en JSON sur la sortie standard"))
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


def add_import_parser(sub, help_text, func):
    """The ``import FILE [--partial] [--json]`` subcommand of a domain whose records are read from a file
    (aids, land, places): the same arguments and the same report everywhere."""
    i = sub.add_parser("import", help=help_text)
    i.add_argument("file", help=_("le fichier à importer"))
    i.add_argument("--partial", action="store_true", help=_("importer les lignes valides même si d'autres sont "
                                                            "refusées"))
    i.add_argument("--json", action="store_true", help=_("afficher le compte rendu en JSON"))
    i.set_defaults(func=func, needs_db=True)
    return i


def report_import(importer, path, partial: bool, as_json: bool) -> int:
    """Run ``importer(path, partial=…)`` and tell its report, the one way every ``import`` command does:
    the report as JSON on stdout with ``--json``, else in words; exit 1 when rows were refused (and
    nothing written) or the file is unreadable."""
    from django.utils.translation import gettext

    from boucle.cli import lang

    from .tabular import FileFormatError

    try:
        report = importer(path, partial=partial)
    except FileFormatError as exc:
        if as_json:
            print(json.dumps({"error": str(exc), "file": str(path)}, ensure_ascii=False))
        print(gettext("%(path)s : %(error)s") % {"path": path, "error": exc}, file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print("\n".join(report.lines(lang())))
    return 0 if report.ok or (partial and report.written) else 1
