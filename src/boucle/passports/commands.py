"""``boucle passport verify ID``, ``boucle passport head ID``, ``boucle passport demo`` and
``boucle passport list`` and ``boucle passport show ID`` (with the item's remaining life).

``verify`` checks a passport's two event chains (over the events as stored, and as published):
event hashes and visibilities, the query columns, the status, the signed heads, the heads last
logged outside the database, and with ``--head FILE`` a head someone kept (a signed head, or a
passport record downloaded earlier). ``public-chain`` builds the public chain of histories
captured before it existed (idempotent).

ID is the passport's handle, its Digital Link / platform URI, or ``--all``. Every problem
(edited, reordered, deleted event, deleted last event, rewound head) is printed; the exit code
is 1 when any is found, 2 for an unknown passport or an unreadable head, 0 when every chain is
intact. ``head`` prints the signed head of a passport as JSON (to keep it, or publish it; ``--public``:
the public chain's head, the one anyone reads).
"""

import sys

from boucle.cli import gettext_lazy as _


# The passport's level in words (the model's choices carry the French alone).
LEVEL_WORDS = {"model": _("modèle"), "batch": _("lot"), "item": _("exemplaire")}


def _find(identifier):
    from .identifiers import passports_for_uri
    from .models import Passport

    if identifier.startswith(("http://", "https://", "urn:")):
        return passports_for_uri(identifier)
    return list(Passport.objects.filter(handle=identifier))


def _verify(args) -> int:
    from django.utils.translation import gettext as _

    from boucle.cli import read_error

    from .anchor import logged_heads, read_held_head
    from .events import verify
    from .models import Passport

    if args.all == bool(args.id):
        print(_("donnez l'identifiant ou l'URI d'un passeport, ou --all"), file=sys.stderr)
        return 2
    held = []  # (path, what it is called in messages, signed head)
    for path in args.head or []:
        try:
            held.append((path, _("la tête conservée dans %(path)s") % {"path": path}, read_held_head(path)))
        except (OSError, ValueError) as err:
            print(_("%(path)s : pas une tête de chaîne lisible (%(error)s)") % {"path": path, "error": read_error(err)},
                  file=sys.stderr)
            return 2
    passports = list(Passport.objects.order_by("pk")) if args.all else _find(args.id)
    if not passports:
        print(_("aucun passeport pour l'instant") if args.all else _("aucun passeport %(id)r") % {"id": args.id},
              file=sys.stderr)
        return 0 if args.all else 2
    handles = {p.handle for p in passports}
    stray = [path for path, _source, doc in held if not isinstance(doc, dict) or doc.get("passport") not in handles]
    for path in stray:
        print(_("%(path)s : ce n'est pas la tête signée de %(what)s") % {
            "path": path, "what": args.id or _("aucun passeport")}, file=sys.stderr)
    broken = 1 if stray else 0
    logged, logged_public = logged_heads(), logged_heads(public=True)
    for passport in passports:
        mine = [(source, doc) for _path, source, doc in held
                if isinstance(doc, dict) and doc.get("passport") == passport.handle]
        problems = verify(passport, mine, logged=logged, logged_public=logged_public)
        if problems:
            broken += 1
            for problem in problems:
                print(_("%(what)s : %(why)s") % {"what": passport.handle, "why": problem})
        else:
            n = passport.chain.count()
            print(ngettext_chain(n) % {"handle": passport.handle, "n": n}, file=sys.stderr)
    return 1 if broken else 0


def ngettext_chain(n: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(handle)s : chaîne intacte (%(n)s événement)", "%(handle)s : chaîne intacte (%(n)s événements)", n)


def _head(args) -> int:
    import json

    from .models import ChainHead

    from django.utils.translation import gettext as _

    passports = _find(args.id)
    if not passports:
        print(_("aucun passeport %(id)r") % {"id": args.id}, file=sys.stderr)
        return 2
    found = ChainHead.objects.filter(passport__in=passports)
    heads = [h.public_signed for h in found.exclude(public_signed={})] if args.public else [
        h.signed for h in found.exclude(signed={})]
    if not heads:
        print(_("le passeport %(id)r n'a encore aucun événement : rien n'est signé") % {"id": args.id},
              file=sys.stderr)
        return 1
    for head in heads:
        print(json.dumps(head, ensure_ascii=False, sort_keys=True))
    return 0


def _public_chain(args) -> int:
    from django.utils.translation import gettext as _

    from .events import build_public_chain
    from .models import ChainHead

    if args.all == bool(args.id):
        print(_("donnez l'identifiant ou l'URI d'un passeport, ou --all"), file=sys.stderr)
        return 2
    heads = ChainHead.objects.select_related("passport").order_by("pk")
    if not args.all:
        heads = heads.filter(passport__in=_find(args.id))
        if not heads:
            print(_("aucun passeport %(id)r") % {"id": args.id}, file=sys.stderr)
            return 2
    outcomes = {}
    for head in heads:
        outcome = build_public_chain(head)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "broken":
            print(_("%(handle)s : historique altéré, chaîne publique non construite (boucle passport verify "
                    "%(handle)s)") % {"handle": head.passport.handle})
    print(_("chaînes publiques : %(built)s construites, %(present)s déjà là, %(broken)s refusées (historique "
            "altéré)") % {"built": outcomes.get("built", 0), "present": outcomes.get("present", 0),
                          "broken": outcomes.get("broken", 0)}, file=sys.stderr)
    return 1 if outcomes.get("broken") else 0


def _demo(args) -> int:
    from .demo import seed_all
    from .identifiers import scan_uri

    try:
        passports = seed_all(args.root.rstrip("/"))
    except LookupError:  # no site to make the passports at
        from django.utils.translation import gettext

        print(gettext("aucun site avec des coordonnées : chargez d'abord le territoire de démonstration "
                      "(boucle demo)"), file=sys.stderr)
        return 1
    for passport in passports:
        print(f"{passport.handle}\t{LEVEL_WORDS[passport.level]}\t{scan_uri(passport, args.root.rstrip('/'))}")
    return 0


def _list(args) -> int:
    import json

    from .identifiers import scan_uri
    from .models import Passport

    root = args.root.rstrip("/")
    rows = [{"handle": p.handle, "level": p.level, "name": p.name, "resolver_url": scan_uri(p, root)}
            for p in Passport.objects.order_by("pk")]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            print(f"{row['handle']}\t{LEVEL_WORDS[row['level']]}\t{row['name']}\t{row['resolver_url']}")
    return 0


def _show(args) -> int:
    import json

    from django.contrib.auth.models import AnonymousUser

    from .ageing import remaining_life_of
    from .views import passport_json

    passports = _find(args.id)
    if not passports:
        from django.utils.translation import gettext as _

        print(_("aucun passeport %(id)s : donnez son identifiant (boucle passport list) ou son lien "
                "(https://…/01/GTIN…)") % {"id": repr(args.id)}, file=sys.stderr)
        return 2
    passport = passports[0]
    record = passport_json(passport, AnonymousUser(), args.root.rstrip("/"))  # what anyone may read
    estimate, reason = remaining_life_of(passport)
    record["remaining_life"] = estimate
    if estimate is None:
        record["remaining_life_reason"] = reason
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=1, default=str))
        return 0
    from django.utils.translation import gettext as _

    from .life import ENDED, NO_USAGE, NOT_AN_ITEM

    print(f"{passport.handle}\t{LEVEL_WORDS[passport.level]}\t{passport.name}\t{record['identifier']['scan_uri']}")
    if estimate:
        print(_("durée de vie restante : %(estimate)s h médiane (%(low)s à %(high)s h entre les 10e et 90e centiles ; "
                "loi de Weibull ajustée sur %(n)s objets de la classe, dont %(failures)s pannes)") % estimate)
    else:
        why = {NO_USAGE: _("aucun relevé d'usage pour cet objet"),
               ENDED: _("cet objet est tombé en panne ou a été remplacé"),
               NOT_AN_ITEM: _("estimée seulement pour les exemplaires sérialisés d'un GTIN")}.get(
            reason, _("trop peu d'objets de la classe avec des relevés d'usage ou des pannes"))
        print(_("durée de vie restante : inconnue (%(why)s)") % {"why": why})
    return 0


def _alerts(args) -> int:
    import json

    from django.utils.translation import gettext as _

    from boucle.sourcing.services import SourcingError, search

    from .ageing import end_of_life_alerts

    if args.within_hours is not None and not 0 < args.within_hours <= 100_000:
        print(_("--within-hours : entre 1 et 100 000 heures"), file=sys.stderr)
        return 2
    found = end_of_life_alerts(args.within_hours)
    rows = []
    for passport, remaining in found:
        site = passport.site
        nearby = {}
        # Industrial repairers (NAF 33.1: repair of machinery and equipment) and second-hand dealers
        # (NAF 46.6: wholesale of machinery) within 50 km, from the sourcing directory.
        for action, naf in (("repair", "33.1"), ("resell", "46.6")):
            try:
                found = search(naf=naf, near=f"site:{site.site_id}", radius_km=50, limit=3)
            except SourcingError:
                found = []
            nearby[action] = [{"name": r["name"], "naf": r["naf"], "distance_km": r["distance_km"]}
                              for r in found if r.get("site_id") != site.site_id]
        rows.append({"handle": passport.handle, "name": passport.name, "site_id": site.site_id,
                     "remaining_life": remaining, "nearby": nearby})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print(_("aucune alerte : aucun article n'a 10 % de risque de panne dans l'horizon"), file=sys.stderr)
    for row in rows:
        r = row["remaining_life"]
        print(_("%(handle)s — %(name)s (%(site)s) : 10 %% de risque de panne dans %(low)s h, durée restante médiane %(estimate)s h")
              % {"handle": row["handle"], "name": row["name"], "site": row["site_id"], "low": r["low"], "estimate": r["estimate"]})
        for action, label in (("repair", _("réparateurs industriels à moins de 50 km")),
                              ("resell", _("négociants en machines d'occasion à moins de 50 km"))):
            names = ", ".join(f"{p['name']} ({p['distance_km']:.0f} km)" for p in row["nearby"][action]) or _("aucun dans l'annuaire")
            print("    " + _("%(what)s : %(why)s") % {"what": label, "why": names})
    return 0


def _park(args) -> int:
    import json

    from django.utils.translation import gettext as _

    from django.utils.translation import ngettext

    from boucle.territories.refs import TerritoryError

    from .ageing import machine_park

    try:
        doc = machine_park(args.territory)
    except TerritoryError as exc:
        print(_("territoire inconnu (%(error)s) : region:32, departement:59, epci:SIREN ou commune:INSEE") % {"error": exc},
              file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return 0
    for row in doc["epcis"]:
        print(ngettext("%(name)s : %(n)d machine, âge médian %(median)s ans, %(old)d de %(years)d ans ou plus (à rétrofiter ?)",
                       "%(name)s : %(n)d machines, âge médian %(median)s ans, %(old)d de %(years)d ans ou plus (à rétrofiter ?)",
                       row["machines"])
              % {"name": row["name"] or "—", "n": row["machines"], "median": row["median_age_years"] if row["median_age_years"] is not None else "?",
                 "old": len(row["retrofit_candidates"]), "years": doc["retrofit_years"]})
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("passport", help=_("passeports produit"))
    sub = p.add_subparsers(dest="passport_command", required=True)
    v = sub.add_parser("verify", help=_("détecter les événements modifiés, réordonnés ou supprimés dans "
                                        "l'historique d'un passeport"))
    v.add_argument("id", nargs="?", help=_("identifiant court du passeport ou URI Digital Link"))
    v.add_argument("--all", action="store_true", help=_("vérifier tous les passeports"))
    v.add_argument("--head", action="append", metavar=_("FICHIER"),
                   help=_("une tête de chaîne signée gardée plus tôt (ou une fiche de passeport téléchargée) : "
                          "l'historique doit encore la contenir"))
    v.set_defaults(func=_verify, needs_db=True)
    h = sub.add_parser("head", help=_("afficher la tête de chaîne signée d'un passeport (JSON), à garder ou publier"))
    h.add_argument("id", help=_("identifiant court du passeport ou URI Digital Link"))
    h.add_argument("--public", action="store_true", help=_("la tête de la chaîne publique (celle des événements "
                                                           "tels que chacun les lit)"))
    h.set_defaults(func=_head, needs_db=True)
    pc = sub.add_parser("public-chain", help=_("construire la chaîne publique des historiques saisis avant elle "
                                               "(sans effet si elle existe)"))
    pc.add_argument("id", nargs="?", help=_("identifiant court du passeport ou URI Digital Link"))
    pc.add_argument("--all", action="store_true", help=_("tous les passeports"))
    pc.set_defaults(func=_public_chain, needs_db=True)
    d = sub.add_parser("demo", help=_("émettre des passeports de démonstration (préfixe GS1 952) sur le territoire "
                                      "de démonstration"))
    d.add_argument("--root", default="http://localhost:8000", help=_("racine du résolveur écrite dans les URI"))
    d.set_defaults(func=_demo, needs_db=True)
    ls = sub.add_parser("list", help=_("tous les passeports : identifiant court, niveau, nom et l'URL à scanner"))
    ls.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    ls.add_argument("--root", default="http://localhost:8000", help=_("racine du résolveur des URL"))
    ls.set_defaults(func=_list, needs_db=True)
    sh = sub.add_parser("show", help=_("un passeport tel que chacun peut le lire, avec son estimation de durée de "
                                       "vie restante"))
    sh.add_argument("id", help=_("identifiant court du passeport ou URI Digital Link"))
    sh.add_argument("--json", action="store_true", help=_("afficher la fiche en JSON"))
    sh.add_argument("--root", default="http://localhost:8000", help=_("racine du résolveur des URL"))
    sh.set_defaults(func=_show, needs_db=True)
    al = sub.add_parser("alerts", help=_("les objets dont le risque de panne dans l'horizon atteint 10 %% ou plus, "
                                         "et où les réparer ou les revendre"))
    al.add_argument("--within-hours", type=float, help=_("horizon en heures de fonctionnement (2000 par défaut)"))
    al.add_argument("--json", action="store_true", help=_("afficher un tableau JSON"))
    al.set_defaults(func=_alerts, needs_db=True)
    pk = sub.add_parser("park", help=_("machines de production par EPCI : âge médian et candidates au rétrofit (15 "
                                       "ans ou plus)"))
    pk.add_argument("--territory", required=True, metavar="REF", help=_("region:32, departement:59, epci:SIREN ou "
                                                                        "commune:INSEE"))
    pk.add_argument("--json", action="store_true", help=_("afficher un document JSON"))
    pk.set_defaults(func=_park, needs_db=True)
