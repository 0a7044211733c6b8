"""``boucle land search --territory REF`` and ``boucle land import FILE`` (also ``boucle import land FILE``)."""

import json
import sys

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

    p = subparsers.add_parser("land", help="economic land, vacant buildings and brownfields")
    sub = p.add_subparsers(dest="land_command", required=True)
    s = sub.add_parser("search", help="land entries in a territory, available and largest first")
    s.add_argument("--territory", required=True, metavar="REF", help="region:32, departement:59, epci:SIREN, commune:INSEE")
    s.add_argument("--min-area-m2", type=float)
    s.add_argument("--max-area-m2", type=float)
    s.add_argument("--kind", action="append", choices=engine.KINDS)
    s.add_argument("--status", action="append", choices=engine.STATUSES)
    s.add_argument("--servicing", help="comma-separated: rail,water,power (all required)")
    s.add_argument("--json", action="store_true", help="print a JSON array on stdout")
    s.set_defaults(func=_search, needs_db=True)
    i = sub.add_parser("import", help="import land entries from CSV, XLSX or GeoJSON (all or nothing unless --partial)")
    i.add_argument("file")
    i.add_argument("--partial", action="store_true", help="import the valid rows even if some are rejected")
    i.add_argument("--json", action="store_true", help="print the report as JSON")
    i.set_defaults(func=lambda a: run_import(a.file, a.partial, a.json), needs_db=True)
