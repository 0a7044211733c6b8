"""``boucle aids match (--synergy ID | --site SITE_ID) [--json]``, ``boucle aids list``,
``boucle aids import FILE`` (also reachable as ``boucle import aids FILE``) and
``boucle aids curate list|hide|show|pin|unpin|note … --territory REF [--json]``."""

import datetime as dt
import json
import sys

from boucle.cli import gettext_lazy as _
from boucle.flows.commands import add_import_parser

FIELDS = ("name", "url", "financers", "deadline", "recurrence", "status", "aid_types", "themes", "scope", "to_verify",
          "written_on", "why")


def _date(text: str | None):
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return False


def _match(args) -> int:
    from django.utils.translation import gettext as _

    from boucle.flows.models import Site
    from boucle.matching.models import Synergy

    from . import services

    if args.limit is not None and args.limit < 1:
        print(_("--limit : au moins 1"), file=sys.stderr)
        return 2
    today = _date(args.date)
    if today is False:
        print(_("--date : %(text)s n'est pas une date ISO (AAAA-MM-JJ)") % {"text": repr(args.date)}, file=sys.stderr)
        return 2
    if args.synergy is not None:
        synergy = Synergy.objects.select_related("offer", "need").filter(pk=args.synergy).first()
        if synergy is None:
            print(_("synergie %(id)s inconnue (son numéro figure sur sa page, /synergies/ID/)") % {"id": args.synergy},
                  file=sys.stderr)
            return 1
        rows = services.for_synergy(synergy, today=today, limit=args.limit)
    else:
        site = Site.objects.select_related("commune__departement").filter(site_id=args.site.strip()).first()
        if site is None:
            print(_("site %(id)s inconnu : donnez le site_id tel qu'importé (SIRET ou identifiant externe)")
                  % {"id": repr(args.site)}, file=sys.stderr)
            return 1
        rows = services.for_site(site, today=today, limit=args.limit)
    if args.json:
        print(json.dumps([{k: r[k] for k in FIELDS} for r in rows], ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print(_("aucune aide trouvée"), file=sys.stderr)
    for r in rows:
        services.labelled(r)
        flag = " — " + _("à vérifier") if r["to_verify"] else ""
        deadline = r["deadline"] or _("sans date limite")
        print(f"{r['name']} ({', '.join(r['financers'])}) — {deadline}{flag}")
        print(f"    {r['url']}")
        print(f"    {r['why']}")
    return 0


def run_import(args) -> int:
    from boucle.flows.commands import report_import

    from .services import import_aids

    return report_import(import_aids, args.file, args.partial, args.json)


def _list(args) -> int:
    from . import services

    today = _date(args.date) or None
    rows = [services.aid_dict(a, today or dt.date.today()) for a in
            services.search(theme=args.theme or "", include_closed=args.all, today=today)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        from django.utils.translation import gettext as _

        for r in rows:
            print(f"{r['id']:>4}  {r['name']} ({r['deadline'] or _('sans date limite')})  {r['url']}")
    return 0


def register(subparsers) -> None:
    from .engine import THEMES

    p = subparsers.add_parser("aids", help=_("aides publiques : celles qui conviennent à une synergie ou à un site, "
                                             "la liste, l'import"))
    sub = p.add_subparsers(dest="aids_command", required=True)
    m = sub.add_parser("match", help=_("les aides qui conviennent à une synergie ou à un site, les meilleures "
                                       "d'abord"))
    which = m.add_mutually_exclusive_group(required=True)
    which.add_argument("--synergy", type=int, metavar="ID",
                       help=_("le numéro de la synergie (sur sa page, /synergies/ID/)"))
    which.add_argument("--site", metavar="SITE_ID", help=_("le site_id tel qu'importé (SIRET ou identifiant externe)"))
    m.add_argument("--date", help=_("date de référence (AAAA-MM-JJ), aujourd'hui par défaut : les aides ponctuelles "
                                    "closes avant sont écartées"))
    m.add_argument("--limit", type=int, default=None, help=_("au plus ce nombre d'aides"))
    m.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    m.set_defaults(func=_match, needs_db=True)
    li = sub.add_parser("list", help=_("le catalogue (aides ouvertes, sauf avec --all)"))
    li.add_argument("--theme", choices=THEMES, help=_("seulement ce thème"))
    li.add_argument("--all", action="store_true", help=_("aussi les aides closes"))
    li.add_argument("--date", help=_("date de référence (AAAA-MM-JJ), aujourd'hui par défaut"))
    li.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    li.set_defaults(func=_list, needs_db=True)
    add_import_parser(sub, _("importer des aides depuis un CSV, XLSX ou JSON (tout ou rien, sauf avec "
                                        "--partial)"), run_import)
    register_curate(sub)


# --- boucle aids curate: a territory's layer over the catalogue, from the command line ---------------

CURATE_ACTIONS = ("list", "hide", "show", "pin", "unpin", "note")


def _curation_row(curation, aid=None, ref: str = "") -> dict:
    """One territory's decision on one aid, as ``--json`` prints it (all false/empty: no decision left)."""
    aid = aid or curation.aid
    return {"aid_id": aid.pk, "aid": aid.name, "territory": curation.ref if curation else ref,
            "hidden": bool(curation and curation.hidden), "pinned": bool(curation and curation.pinned),
            "note": curation.note if curation else "",
            "updated_at": curation.updated_at.isoformat() if curation else None}


def _curate(args) -> int:
    from django.utils.translation import gettext as _

    from boucle.territories.refs import TerritoryError, resolve

    from . import services
    from .models import Aid, AidCuration

    ref = (args.territory or "").strip()
    try:
        territory = resolve(ref)
    except TerritoryError as exc:  # the words of every command's --territory
        print("boucle aids curate: " + _("territoire inconnu (%(error)s) : region:32, departement:59, epci:SIREN ou "
                                         "commune:INSEE") % {"error": exc}, file=sys.stderr)
        return 2
    ref = f"{territory.level}:{territory.code}"
    if args.curate_action == "list":
        rows = [_curation_row(c) for c in AidCuration.objects.filter(
            territory_level=territory.level, territory_code=territory.code).select_related("aid").order_by("aid_id")]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
            return 0
        if not rows:
            print(_("%(territory)s : aucune décision, le catalogue national s'y applique tel quel")
                  % {"territory": territory.name}, file=sys.stderr)
        for r in rows:
            what = [_("masquée") if r["hidden"] else "", _("mise en avant") if r["pinned"] else ""]
            what = ", ".join(w for w in what if w) or _("note seule")
            print(f"{r['aid_id']:>4}  {r['aid']} — {what}" + (f"\n      {r['note']}" if r["note"] else ""))
        return 0

    aid_id = args.aid.strip()
    if not aid_id.isdigit() or int(aid_id) < 1:
        print("boucle aids curate: " + _("%(text)s n'est pas un numéro d'aide : un entier, celui que donne "
                                         "« boucle aids list »") % {"text": repr(args.aid)}, file=sys.stderr)
        return 2
    aid = Aid.objects.filter(pk=int(aid_id)).first()
    if aid is None:
        print("boucle aids curate: " + _("aide n° %(id)s inconnue : son numéro figure dans « boucle aids list »")
              % {"id": args.aid}, file=sys.stderr)
        return 2
    current = AidCuration.objects.filter(aid=aid, territory_level=territory.level,
                                         territory_code=territory.code).first()
    hidden, pinned = bool(current and current.hidden), bool(current and current.pinned)
    note = current.note if current else ""
    if args.curate_action == "hide":
        if pinned:
            print(_("« %(aid)s » n'est plus mise en avant : une aide masquée ne l'est pas") % {"aid": aid.name},
                  file=sys.stderr)
        hidden, pinned = True, False
    elif args.curate_action == "show":
        hidden = False
    elif args.curate_action == "pin":
        if hidden:
            print(_("« %(aid)s » n'est plus masquée : elle est mise en avant") % {"aid": aid.name}, file=sys.stderr)
        hidden, pinned = False, True
    elif args.curate_action == "unpin":
        pinned = False
    elif args.curate_action == "note":
        note = "" if args.clear else args.text
        if note is None:
            print("boucle aids curate: " + _("note : donnez le texte, ou --clear pour retirer la note"),
                  file=sys.stderr)
            return 2
        if not args.clear and not note.strip():
            print("boucle aids curate: " + _("note : texte vide ; pour retirer la note, --clear"), file=sys.stderr)
            return 2
    try:
        curation = services.curate(aid, None, ref, hidden=hidden, pinned=pinned, note=note, operator=True)
    except services.CurationError as exc:
        print("boucle aids curate: " + str(exc), file=sys.stderr)
        return 2
    row = _curation_row(curation, aid, ref)
    state = [_("masquée") if row["hidden"] else _("proposée"), _("mise en avant") if row["pinned"] else "",
             _("avec une note") if row["note"] else ""]
    print(_("« %(aid)s » pour %(territory)s : %(state)s") % {
        "aid": aid.name, "territory": territory.name, "state": ", ".join(s for s in state if s)}, file=sys.stderr)
    if args.json:
        print(json.dumps(row, ensure_ascii=False, indent=1))
    return 0


def register_curate(sub) -> None:
    c = sub.add_parser("curate", help=_("ce qu'un territoire fait du catalogue : masquer une aide, la remettre, la "
                                        "mettre en avant, l'annoter pour ses entreprises"))
    actions = c.add_subparsers(dest="curate_action", required=True)
    helps = {"list": _("les décisions du territoire (aides masquées, mises en avant, notes)"),
             "hide": _("masquer une aide dans le territoire (elle n'est plus proposée à ses entreprises)"),
             "show": _("proposer de nouveau une aide masquée dans le territoire"),
             "pin": _("mettre une aide en avant dans le territoire (proposée en premier)"),
             "unpin": _("ne plus mettre une aide en avant dans le territoire"),
             "note": _("annoter une aide pour les entreprises et l'animation du territoire")}
    for action in CURATE_ACTIONS:
        a = actions.add_parser(action, help=helps[action])
        if action != "list":
            a.add_argument("aid", metavar="AID", help=_("le numéro de l'aide (boucle aids list)"))
        if action == "note":
            text = a.add_mutually_exclusive_group(required=True)
            text.add_argument("text", nargs="?", metavar="TEXTE", help=_("la note, 2 000 caractères au plus"))
            text.add_argument("--clear", action="store_true", help=_("retirer la note"))
        a.add_argument("--territory", required=True, metavar="REF",
                       help=_("le territoire : region:32, departement:59, epci:SIREN ou commune:INSEE"))
        a.add_argument("--json", action="store_true", help=_("afficher le résultat en JSON (seul sur la sortie)"))
        a.set_defaults(func=_curate, needs_db=True)
