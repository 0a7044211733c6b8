"""``boucle sourcing search (--naf CODE | --material KEY | --text "…") --near PLACE --radius-km R``.

With ``--json`` stdout holds one JSON array (nearest first, all within the radius); errors go
to stderr with what is accepted, exit code 2.
"""

import json
import sys

from boucle.cli import gettext_lazy as _
from boucle.cli import number


def register(subparsers):
    p = subparsers.add_parser("sourcing", help=_("approvisionnement local : établissements par activité autour d'un "
                                                 "lieu"))
    sub = p.add_subparsers(dest="sourcing_command", metavar=_("SOUS-COMMANDE"), required=True)
    s = sub.add_parser("search", help=_("établissements par code NAF, classe de matière ou texte de produit dans un "
                                        "rayon"))
    what = s.add_mutually_exclusive_group(required=True)
    what.add_argument("--naf", help=_("code NAF rév. 2 / NACE à tout niveau : 38, 38.3, 38.32, 38.32Z"))
    what.add_argument("--material", help=_("clé de classe de matière (boucle materials list) : ses producteurs et "
                                           "ses utilisateurs"))
    what.add_argument("--text", help=_("mots de produit ou d'activité, cherchés dans les libellés NAF (FR/EN)"))
    s.add_argument("--near", required=True, help=_("commune:INSEE, site:SITE_ID ou LAT,LON ; aussi un nom de "
                                                   "commune, « Nom (département) » quand plusieurs le partagent, ou "
                                                   "un code postal"))
    s.add_argument("--radius-km", required=True, help=_("rayon en km (> 0)"))
    s.add_argument("--limit", type=int, default=50, help=_("au plus ce nombre d'établissements (50 par défaut)"))
    s.add_argument("--include-closed", action="store_true", help=_("lister aussi les établissements fermés"))
    s.add_argument("--json", action="store_true", help=_("un tableau JSON sur la sortie standard"))
    s.set_defaults(func=run_search, needs_db=True)
    t = sub.add_parser("substitutes", help=_("ce qui peut remplacer une matière (avec sources), et qui la rejette à "
                                             "proximité"))
    t.add_argument("material", help=_("clé de classe de matière (boucle materials list) ou un libellé : « aimants "
                                      "NdFeB »"))
    t.add_argument("--near", help=_("commune:INSEE, site:SITE_ID ou LAT,LON : lister aussi les établissements "
                                    "proches"))
    t.add_argument("--radius-km", default="50", help=_("rayon en km (> 0), avec --near"))
    t.add_argument("--limit", type=int, default=10, help=_("établissements par substitut"))
    t.add_argument("--json", action="store_true", help=_("un objet JSON sur la sortie standard"))
    t.set_defaults(func=run_substitutes, needs_db=True)


def run_search(args) -> int:
    from django.utils.translation import gettext as _

    from .services import SourcingError, search

    try:
        rows = search(naf=args.naf, material=args.material, text=args.text, near=args.near,
                      radius_km=args.radius_km, limit=max(args.limit, 0), include_closed=args.include_closed)
    except SourcingError as exc:
        print(f"boucle sourcing search: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print(_("aucun établissement dans ce rayon"))
    for r in rows:
        flags = (" [" + _("fermé") + "]" if r["closed"] else "") + (" [" + _("sur la plateforme") + "]" if r["on_platform"] else "")
        print(f"{number(r['distance_km'], 1):>8} km  {r['site_id']}  {r['naf'] or '-':7s} {r['name']}{flags}")
        print(f"             {r['why']}")
    return 0


def run_substitutes(args) -> int:
    from django.utils.translation import gettext as _

    from .services import SourcingError, substitutes

    try:
        out = substitutes(args.material, near=args.near, radius_km=args.radius_km, limit=max(args.limit, 0))
    except SourcingError as exc:
        print(f"boucle sourcing substitutes: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    crms = ", ".join(c["name"] + (" (" + _("stratégique") + ")" if c["strategic"] else "") for c in out["critical_raw_materials"])
    print(f"{out['label']} [{out['material']}]")
    if crms:
        print("  " + _("matières premières critiques : %(list)s") % {"list": crms})
    if not out["substitutes"]:
        print("  " + _("aucune substitution documentée pour cette matière"))
    for s in out["substitutes"]:
        print(f"- {s['label']}: {s['use']}")
        if s["avoids"]:
            print("    " + _("évite : %(list)s") % {"list": ", ".join(a["name"] for a in s["avoids"])})
        print("    " + _("source : %(source)s") % {"source": s["source_label"]})
        for r in s["nearby"] or []:
            print(f"    {number(r['distance_km'], 1):>7} km  {r['name']} ({r['naf']})")
        if s["nearby"] == []:
            print("    " + _("aucun établissement proche n'en produit habituellement"))
    return 0
