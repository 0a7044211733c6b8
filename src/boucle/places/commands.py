"""``boucle places import FILE`` and ``boucle places near LAT,LON``."""

import json
import sys

from boucle.cli import gettext_lazy as _
from boucle.cli import number
from boucle.flows.commands import add_import_parser


def _position(text: str):
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _near(args) -> int:
    from django.utils.translation import gettext as _

    from .services import near

    position = _position(args.position)
    if position is None:
        print(_("%(text)s : attendu LAT,LON en degrés (ex. 50.63,3.06)") % {"text": repr(args.position)}, file=sys.stderr)
        return 2
    if args.limit < 1:
        print(_("--limit : au moins 1"), file=sys.stderr)
        return 2
    found = near(*position, object_text=args.object or "", action=args.action, limit=args.limit)
    if args.json:
        print(json.dumps([{k: p[k] for k in ("name", "address", "actions", "distance_km", "source", "illustrative",
                                              "lat", "lon", "opening_hours", "website", "qualirepar",
                                              "bonus_reparation")} for p in found],
                         ensure_ascii=False, indent=1))
        return 0
    from .models import ACTION_LABELS

    if not found:
        print(_("aucun lieu trouvé"), file=sys.stderr)
    for p in found:
        flag = " — " + _("exemple illustratif") if p["illustrative"] else ""
        if p["bonus_reparation"]:
            amount = p["bonus_reparation"]["amount_eur"]
            flag += " — " + (_("bonus réparation possible : %(amount)s € (à vérifier)") % {"amount": f"{amount:g}"}
                             if amount is not None else _("bonus réparation possible (montant à vérifier)"))
        actions = ", ".join(str(ACTION_LABELS[a]) for a in p["actions"])
        print(f"{number(p['distance_km'], 1):>6} km  {p['name']} — {p['address']} ({actions}){flag}")
    return 0


def _import(args) -> int:
    from boucle.flows.commands import report_import

    from .services import import_places

    return report_import(import_places, args.file, args.partial, args.json)


def register(subparsers) -> None:
    p = subparsers.add_parser("places", help=_("lieux où réparer, donner, vendre, louer, déposer ou recycler un "
                                               "objet"))
    sub = p.add_subparsers(dest="places_command", required=True)
    add_import_parser(sub, _("importer des lieux depuis un CSV, XLSX ou JSON (tout ou rien, sauf avec "
                                        "--partial)"), _import)
    n = sub.add_parser("near", help=_("les lieux les plus proches d'une position"))
    n.add_argument("position", metavar="LAT,LON", help=_("la position, par exemple 50.63,3.06"))
    n.add_argument("--object", help=_("l'objet, en mots (par exemple « perceuse », « lave-linge »)"))
    n.add_argument("--action", choices=["repair", "give", "sell", "rent", "drop_off", "recycle"],
                   help=_("seulement les lieux où l'on peut : réparer, donner, vendre, louer, déposer, recycler"))
    n.add_argument("--limit", type=int, default=20, help=_("au plus ce nombre de lieux (20 par défaut)"))
    n.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    n.set_defaults(func=_near, needs_db=True)
