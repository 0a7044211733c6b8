"""``boucle sourcing search (--naf CODE | --material KEY | --text "…") --near PLACE --radius-km R``.

With ``--json`` stdout holds one JSON array (nearest first, all within the radius); errors go
to stderr with what is accepted, exit code 2.
"""

import json
import sys


def register(subparsers):
    p = subparsers.add_parser("sourcing", help="local sourcing: establishments by activity near a place")
    sub = p.add_subparsers(dest="sourcing_command", metavar="SUBCOMMAND", required=True)
    s = sub.add_parser("search", help="establishments by NAF code, material class or product text within a radius")
    what = s.add_mutually_exclusive_group(required=True)
    what.add_argument("--naf", help="NAF rév. 2 / NACE code at any level: 38, 38.3, 38.32, 38.32Z")
    what.add_argument("--material", help="material class key (boucle materials list): its producers and users")
    what.add_argument("--text", help="product or activity words, matched against NAF labels (FR/EN)")
    s.add_argument("--near", required=True, help="commune:INSEE, site:SITE_ID or LAT,LON; also a commune name, 'Name (département)' when several share it, or a postcode")
    s.add_argument("--radius-km", required=True, help="radius in km (> 0)")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--include-closed", action="store_true", help="also list closed establishments")
    s.add_argument("--json", action="store_true", help="one JSON array on stdout")
    s.set_defaults(func=run_search, needs_db=True)
    t = sub.add_parser("substitutes", help="what can replace a material (sourced), and who nearby gives it off")
    t.add_argument("material", help="material class key (boucle materials list) or a label: « aimants NdFeB »")
    t.add_argument("--near", help="commune:INSEE, site:SITE_ID or LAT,LON: also list establishments nearby")
    t.add_argument("--radius-km", default="50", help="radius in km (> 0), with --near")
    t.add_argument("--limit", type=int, default=10, help="establishments per substitute")
    t.add_argument("--json", action="store_true", help="one JSON object on stdout")
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
        print(f"{r['distance_km']:8.1f} km  {r['site_id']}  {r['naf'] or '-':7s} {r['name']}{flags}")
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
        print("    " + _("source : %(source)s") % {"source": s["source"]})
        for r in s["nearby"] or []:
            print(f"    {r['distance_km']:7.1f} km  {r['name']} ({r['naf']})")
        if s["nearby"] == []:
            print("    " + _("aucun établissement proche n'en produit habituellement"))
    return 0
