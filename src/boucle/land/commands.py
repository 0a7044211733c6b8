"""``boucle land search --territory REF`` and ``boucle land import FILE`` (also ``boucle import land FILE``)."""

import json
import sys

from boucle.cli import gettext_lazy as _
from boucle.flows.commands import add_import_parser

FIELDS = ("id", "name", "kind", "area_m2", "status", "commune", "commune_insee", "building_area_m2", "servicing",
          "pollution_known", "pollution_refs", "ownership", "lat", "lon", "source", "illustrative")


def _search(args) -> int:
    from django.utils.translation import gettext as _

    from .services import LandError, land_dict, search
    from .views import servicing_labels

    labels = servicing_labels()

    if not args.territory.strip():
        print("boucle land search: " + _("territoire inconnu (%(error)s) : region:32, departement:59, epci:SIREN ou "
                                         "commune:INSEE") % {"error": _("aucun territoire de code %(code)s") % {"code": "''"}},
              file=sys.stderr)
        return 2
    try:
        found = search(territory=args.territory, min_area_m2=args.min_area_m2, max_area_m2=args.max_area_m2,
                       kinds=args.kind or (), statuses=args.status or (),
                       servicing=[s for s in (args.servicing or "").split(",") if s])
    except LandError as exc:
        print(f"boucle land search: {exc}", file=sys.stderr)
        return 2
    rows = [land_dict(site) for site in found]
    if args.json:
        print(json.dumps([{k: r[k] for k in FIELDS} for r in rows], ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print(_("aucun terrain ne correspond"), file=sys.stderr)
    for r in rows:
        flag = " — " + _("exemple illustratif") if r["illustrative"] else ""
        servicing = ", ".join(str(labels[s]) for s in r["servicing"]) or _("aucune desserte connue")
        area = f"{r['area_m2']:,}".replace(",", "\u202f")
        print(f"{area:>11} m²  {r['name']} ({r['commune']}) · {r['kind_label']} · {r['status_label']} · "
              f"{servicing}{flag}")
    return 0


def run_import(path: str, partial: bool, as_json: bool) -> int:
    from boucle.flows.commands import report_import

    from .services import import_land

    return report_import(import_land, path, partial, as_json)


def register(subparsers) -> None:
    from . import engine

    p = subparsers.add_parser("land", help=_("foncier économique, bâtiments vacants et friches"))
    sub = p.add_subparsers(dest="land_command", required=True)
    s = sub.add_parser("search", help=_("le foncier d'un territoire, disponible et plus grand d'abord"))
    s.add_argument("--territory", required=True, metavar="REF", help=_("region:32, departement:59, epci:SIREN ou "
                                                                       "commune:INSEE"))
    s.add_argument("--min-area-m2", type=float, help=_("surface minimale en m²"))
    s.add_argument("--max-area-m2", type=float, help=_("surface maximale en m²"))
    s.add_argument("--kind", action="append", choices=engine.KINDS,
                   help=_("seulement ce type : parcelle, bâtiment ou friche (répétable)"))
    s.add_argument("--status", action="append", choices=engine.STATUSES,
                   help=_("seulement ce statut : disponible, à l'étude ou reconverti (répétable)"))
    s.add_argument("--servicing", help=_("séparées par des virgules : rail,water,power (toutes exigées)"))
    s.add_argument("--json", action="store_true", help=_("afficher un tableau JSON sur la sortie standard"))
    s.set_defaults(func=_search, needs_db=True)
    add_import_parser(sub, _("importer du foncier depuis un CSV, XLSX ou GeoJSON (tout ou rien, sauf "
                                        "avec --partial)"), lambda a: run_import(a.file, a.partial, a.json))
