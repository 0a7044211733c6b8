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

    f = subparsers.add_parser("flows", help=_("flux déclarés : relire leurs classes de matière"))
    sub = f.add_subparsers(dest="flows_command", metavar="ACTION", required=True)
    r = sub.add_parser("reclassify", help=_("relire avec les règles de lecture actuelles la classe de matière lue "
                                            "automatiquement des flux ; une classe choisie par une entreprise ou "
                                            "corrigée par un animateur n'est jamais changée"))
    r.add_argument("--dry-run", action="store_true", help=_("compter les changements sans les écrire"))
    r.add_argument("--json", action="store_true", help=_("afficher le compte rendu en JSON sur la sortie standard"))
    r.set_defaults(func=run_reclassify, needs_db=True)


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


def run_reclassify(args) -> int:
    """``boucle flows reclassify [--dry-run] [--json]``: the report on stdout (JSON with ``--json``), progress
    on stderr."""
    from django.utils.translation import gettext, ngettext

    from boucle.materials.taxonomy import load_classes

    from .reclassify import reclassify_flows

    def progress(done: int, total: int) -> None:
        print(gettext("%(done)s / %(total)s flux relus") % {"done": done, "total": total}, file=sys.stderr)

    report = reclassify_flows(apply=not args.dry_run, progress=progress)
    if not args.dry_run:  # a complete re-reading: the matching has nothing to read again
        from .readings import record

        record(report)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return 0
    from boucle.cli import lang

    english = lang() == "en"
    names = {c.key: (c.label_en if english else c.label_fr) for c in load_classes()}
    none = gettext("sans classe")
    changed = (ngettext("%(n)s flux changerait de classe", "%(n)s flux changeraient de classe", report.changed)
               if args.dry_run else
               ngettext("%(n)s flux a changé de classe", "%(n)s flux ont changé de classe", report.changed))
    print(gettext("%(n)s flux examinés") % {"n": report.examined})
    print(changed % {"n": report.changed})
    print(gettext("%(n)s flux inchangés") % {"n": report.unchanged})
    print(gettext("%(chosen)s classes choisies par une entreprise et %(corrected)s corrigées par un animateur : "
                  "gardées") % {"chosen": report.kept_chosen, "corrected": report.kept_corrected})
    for (old, new), n in sorted(report.transitions.items(), key=lambda t: (-t[1], t[0])):
        print(f"  {names.get(old, old) if old else none} → {names.get(new, new) if new else none} : {n}")
    return 0
