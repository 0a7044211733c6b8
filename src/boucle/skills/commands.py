"""``boucle skills match --territory REF`` and ``boucle skills import needs|training FILE``."""

import json
import sys

from boucle.cli import gettext_lazy as _


def _match(args) -> int:
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from .services import SkillsError, match_territory

    try:
        doc = match_territory(args.territory, radius_km=args.radius_km, pool_km=args.pool_km)
    except SkillsError as exc:
        print(f"boucle skills match: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return 0
    needs = doc["needs"]
    print(_("%(territory)s : %(needs)d besoins de compétences, %(met)d avec une formation ou une offre à moins de "
            "%(km)s km, %(pools)d mutualisations possibles")
          % {"territory": doc["territory_name"], "needs": len(needs), "met": sum(1 for n in needs if n["trainings"] or n["offers"]),
             "km": f"{doc['radius_km']:g}", "pools": len(doc["pools"])})
    for pool in doc["pools"]:
        print("  " + _("mutualisation : %(label)s — %(companies)d entreprises, %(headcount)d personnes")
              % {"label": pool["label"], "companies": pool["companies"], "headcount": pool["headcount"]})
    for row in doc["unmet_by_epci"]:
        if row["unmet_needs"]:
            print("  " + ngettext("%(name)s : %(n)d besoin sans formation proche (%(headcount)d pers.)",
                                  "%(name)s : %(n)d besoins sans formation proche (%(headcount)d pers.)",
                                  row["unmet_needs"])
                  % {"name": row["name"], "n": row["unmet_needs"], "headcount": row["unmet_headcount"]})
    return 0


def run_import(what: str, path: str, partial: bool, as_json: bool) -> int:
    from boucle.flows.commands import report_import

    from .services import import_declarations, import_trainings

    return report_import({"needs": import_declarations, "training": import_trainings}[what], path, partial, as_json)


def register(subparsers) -> None:
    p = subparsers.add_parser("skills", help=_("besoins en compétences, offres de formation et recrutements "
                                               "mutualisés"))
    sub = p.add_subparsers(dest="skills_command", required=True)
    m = sub.add_parser("match", help=_("les besoins en compétences d'un territoire avec les formations à distance "
                                       "de trajet, et les groupements"))
    m.add_argument("--territory", required=True, metavar="REF", help=_("region:32, departement:59, epci:SIREN ou "
                                                                       "commune:INSEE"))
    m.add_argument("--radius-km", type=float, help=_("distance de trajet domicile-travail en km (40 par défaut)"))
    m.add_argument("--pool-km", type=float, help=_("distance en km entre sites partageant un besoin (30 par défaut)"))
    m.add_argument("--json", action="store_true", help=_("afficher un document JSON sur la sortie standard"))
    m.set_defaults(func=_match, needs_db=True)
    i = sub.add_parser("import", help=_("importer les besoins/offres de compétences des sites, ou des offres de "
                                        "formation (CSV ou XLSX)"))
    i.add_argument("what", choices=["needs", "training"],
                   help=_("besoins/offres de compétences des sites, ou offres de formation"))
    i.add_argument("file", help=_("le fichier à importer"))
    i.add_argument("--partial", action="store_true", help=_("importer les lignes valides même si d'autres sont "
                                                            "refusées"))
    i.add_argument("--json", action="store_true", help=_("afficher le compte rendu en JSON"))
    i.set_defaults(func=lambda a: run_import(a.what, a.file, a.partial, a.json), needs_db=True)
