"""``boucle aids match (--synergy ID | --site SITE_ID) [--json]``, ``boucle aids list`` and
``boucle aids import FILE`` (also reachable as ``boucle import aids FILE``)."""

import datetime as dt
import json
import sys

from boucle.cli import gettext_lazy as _
from boucle.flows.commands import add_import_parser

FIELDS = ("name", "url", "financers", "deadline", "recurrence", "status", "aid_types", "themes", "to_verify",
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
