"""``boucle match`` and ``boucle allocate``."""

import csv
import json
import sys

from boucle.cli import gettext_lazy as _

FIELDS = ["offer_site_id", "need_site_id", "offer_flow_id", "offer_label", "need_flow_id", "need_label", "inferred",
          "material_class", "distance_km", "quantity", "unit", "co2e_avoided_t_per_year", "score", "explanation"]


def _n(value, digits: int = 0) -> str:
    """A figure for a reader of the terminal: the language's grouping and decimal mark ("2 659", "0,7")."""
    from django.utils.formats import number_format

    return number_format(round(float(value), digits), decimal_pos=digits, use_l10n=True, force_grouping=True)


def co2e_shown(value: float, explanation) -> str:
    """The CO2e as the synergy's card and list show it (``web.present.co2e_text``): to the digits its range
    allows. The table printed « 2 180 » or « 5 508 » where the pages said « 2 200 » and « 6 000 »."""
    from django.utils.translation import get_language

    from boucle.impact.ranges import format_range

    e = explanation if isinstance(explanation, dict) else {}
    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    return format_range(value, e.get("co2e_low_t"), e.get("co2e_high_t"), "", lang, with_range=False)


def _unit(unit: str) -> str:
    return {"m3": "m³"}.get(unit, unit)


def register(subparsers):
    m = subparsers.add_parser("match", help=_("proposer des synergies (offres × besoins déclarés et déduits)"))
    m.add_argument("--territory", metavar="REF",
                   help=_("region:32, departement:59, epci:200093201 ou commune:59350 (par défaut : "
                          "tous les sites)"))
    m.add_argument("--radius-km", type=float, default=None,
                   help=_("rayon de recherche en km (par défaut : celui de chaque matière)"))
    m.add_argument("--no-inferred", action="store_true", help=_("besoins déclarés seulement"))
    m.add_argument("--top", type=int, default=None, help=_("garder les N meilleures par offre"))
    m.add_argument("--per-need", type=int, default=None, metavar="K",
                   help=_("à la place : les K meilleures offres de chaque besoin (déclaré, ou besoin déduit d'un "
                          "site), groupées par besoin"))
    m.add_argument("--format", choices=["table", "jsonl", "csv"], default="table",
                   help=_("tableau lisible (par défaut), une ligne JSON par synergie, ou CSV"))
    m.add_argument("--output", help=_("écrire dans ce fichier plutôt que sur la sortie standard"))
    m.add_argument("--no-store", action="store_true", help=_("ne pas enregistrer les propositions comme synergies"))
    m.add_argument("--workers", type=int, default=None, metavar="N",
                   help=_("découper le territoire en tuiles traitées par N processus (mêmes propositions)"))
    m.set_defaults(func=run_match, needs_db=True)
    a = subparsers.add_parser("allocate", help=_("la répartition optimale des offres entre les besoins du territoire"))
    a.add_argument("--territory", metavar="REF", help=_("region:32, departement:59, epci:SIREN ou commune:INSEE"))
    a.add_argument("--objective", choices=["co2", "eur"], default="co2",
                   help=_("ce que la répartition optimise : CO2e évité (par défaut) ou euros"))
    a.add_argument("--exclude-site", action="append", default=[], metavar="SITE_ID",
                   help=_("laisser ce site de côté (répétable)"))
    a.add_argument("--radius-km", type=float, default=None,
                   help=_("garder les suggestions dans cette distance (avec --fresh : le rayon de recherche)"))
    a.add_argument("--fresh", action="store_true",
                   help=_("relancer la mise en relation sur les flux du territoire au lieu de prendre ses "
                          "suggestions ouvertes"))
    a.add_argument("--json", action="store_true", help=_("afficher un document JSON sur la sortie standard"))
    a.add_argument("--workers", type=int, default=None, metavar="N",
                   help=_("résoudre les parties indépendantes du réseau (et, avec --fresh, les tuiles de la mise en "
                          "relation) sur N processus (même plan)"))
    a.set_defaults(func=run_allocate, needs_db=True)
    pl = subparsers.add_parser("pools", help=_("groupes d'au moins 3 sites proches partageant un besoin ou un "
                                               "déchet (mutualisation)"))
    pl.add_argument("--territory", metavar="REF", help=_("region:32, departement:59, epci:SIREN ou commune:INSEE"))
    pl.add_argument("--radius-km", type=float, default=10.0, help=_("voisinage d'un groupe (10 km par défaut)"))
    pl.add_argument("--min-sites", type=int, default=3, help=_("au moins ce nombre de sites par groupe (3 par défaut)"))
    pl.add_argument("--json", action="store_true", help=_("afficher un tableau JSON sur la sortie standard"))
    pl.set_defaults(func=run_pools, needs_db=True)
    ck = subparsers.add_parser("synergies-check", help=_("synergies en essai ou en fonctionnement sans le oui des deux "
                                                         "entreprises (état antérieur à la règle)"))
    ck.add_argument("--fix", action="store_true",
                    help=_("les ramener à leur dernier statut qui n'exige pas le double oui, journalisé ; celles qui "
                           "ont un résultat mesuré restent signalées à l'animateur"))
    ck.add_argument("--json", action="store_true", help=_("afficher un document JSON sur la sortie standard"))
    ck.set_defaults(func=run_synergies_check, needs_db=True)


def _row(p) -> dict:
    from .wording import explanation_text

    fields = p.__dict__
    row = {name: fields[name] for name in FIELDS}
    row["distance_km"] = round(row["distance_km"], 3)
    # The reasons in words (French, English with BOUCLE_LANG=en) next to the engine's data.
    row["explanation"] = {**row["explanation"], "text": explanation_text(
        p.explanation, distance_km=row["distance_km"], quantity=p.quantity, unit=p.unit, need_label=p.need_label)}
    return row


def _resolve_or_exit(territory):
    from boucle.territories.refs import TerritoryError, resolve

    if not territory:
        return None
    try:
        return str(resolve(territory))
    except TerritoryError as exc:
        print(f"--territory: {exc}", file=sys.stderr)
        return False


def run_match(args) -> int:
    from django.conf import settings
    from django.utils.translation import gettext as _

    from .pipeline import bulk_allocation
    from .service_run import propose_table_for, run_matching

    territory = _resolve_or_exit(args.territory)
    if territory is False:
        return 2
    if args.workers is not None and args.workers < 1:
        print(_("--workers : un nombre de processus d'au moins 1 est attendu."), file=sys.stderr)
        return 2
    if args.per_need is not None and args.per_need < 1:
        print(_("--per-need : un nombre d'offres d'au moins 1 est attendu."), file=sys.stderr)
        return 2
    if args.per_need is not None and args.top is not None:
        print(_("--per-need et --top : choisissez l'un des deux (les meilleures offres par besoin, ou les "
                "meilleurs receveurs par offre)."), file=sys.stderr)
        return 2
    radius = args.radius_km or settings.BOUCLE_MATCH_RADIUS_KM
    print(_("Mise en relation (%(territory)s, rayon %(radius)s km)…")
          % {"territory": territory or _("tous les sites"), "radius": f"{radius:g}"}, file=sys.stderr)
    proposals = propose_table_for(territory, radius, not args.no_inferred, args.top, workers=args.workers,
                                  per_need=args.per_need, reading=rereading_on_stderr())
    if not args.no_store:
        with bulk_allocation():
            stored = proposals.proposals()
        run = run_matching(territory, radius, inferred=not args.no_inferred, proposals=stored)
        print(_("%(proposals)d propositions enregistrées (%(created)d nouvelles, %(updated)d mises à jour)")
              % {"proposals": run.proposals, "created": run.created, "updated": run.updated}, file=sys.stderr)
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        with bulk_allocation():
            _write(out, args.format, proposals)
    finally:
        if args.output:
            out.close()
    return 0


def rereading_on_stderr() -> dict:
    """The callbacks of a re-reading of the flows before the matching (``flows.readings.ensure_current``):
    what happens and how far it is, on stderr (stdout stays the proposals)."""
    from django.utils.translation import gettext as _

    def announce() -> None:
        print(_("Règles de lecture des libellés mises à jour : relecture des classes de matière lues "
                "automatiquement…"), file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if done >= total or done % 20_000 < 2_000:
            print(_("%(done)s / %(total)s flux relus") % {"done": done, "total": total}, file=sys.stderr)

    return {"announce": announce, "progress": progress}


def _write(out, fmt: str, proposals) -> None:
    """The proposals (a ``pipeline.ProposalTable``) as jsonl, csv or a table, streamed."""
    from django.utils.translation import gettext as _

    if fmt == "jsonl":
        # Written from the table's columns a chunk at a time (a dense region prints a quarter of a
        # million lines): the same lines as encoding ``_row`` of each proposal.
        for chunk in proposals.jsonl_chunks():
            out.write(chunk)
    elif fmt == "csv":
        from boucle.spreadsheets import safe_cell

        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for p in proposals:
            row = _row(p)
            row["explanation"] = json.dumps(row["explanation"], ensure_ascii=False, default=str)
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
    else:
        from boucle.web.words import distance_figure  # « < 0,1 » for two sites at one place, as on the pages

        from .wording import explanation_text, material_label

        co2_unit, pair_title, merit = _("t CO2e/an"), _("offre → receveur"), _("pertinence")
        out.write(f"{merit:>10}  {'km':>6}  {co2_unit:>10}  {pair_title}\n")
        for p in proposals:
            co2 = p.co2e_avoided_t_per_year
            co2 = "—" if co2 is None else co2e_shown(co2, p.explanation)
            need = p.need_label or _("(besoin déduit : %(material_class)s)") % {"material_class": material_label(p.material_class)}
            pair = _("%(offer_site)s « %(offer_label)s » → %(need_site)s %(need)s") % {
                "offer_site": p.offer_site_id, "offer_label": p.offer_label, "need_site": p.need_site_id,
                "need": need}
            out.write(f"{_n(p.score * 100):>8} %  {distance_figure(p.distance_km):>6}  {co2:>10}  {pair}\n")
            out.write(f"{'':32}{explanation_text(p.explanation, quantity=p.quantity, unit=p.unit, need_label=p.need_label)}\n")


def allocation_summary(territory: str | None, objective: str = "co2", radius_km: float | None = None,
                       exclude_sites=(), fresh: bool = False, note=None, workers: int | None = None) -> dict:
    """The territory's potential (``territory_potential``): the optimal allocation of its open suggestions,
    or with ``fresh`` of the proposals of a new matching run on its flows; what ``boucle allocate --json``
    prints and the API answers (``territory``: a resolved reference such as ``epci:200093201``, None for all).
    ``note(text)`` is told when, nothing being matched yet, the matching runs first."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    from boucle.territories.refs import resolve

    from .territory_potential import fresh_potential, potential_of

    exclude_sites = list(exclude_sites)
    if fresh:
        radius = radius_km or settings.BOUCLE_MATCH_RADIUS_KM
        result = fresh_potential(territory, radius, objective, exclude_sites=exclude_sites, workers=workers)
    else:
        radius = radius_km
        result = potential_of(resolve(territory) if territory else None, objective,
                              exclude_sites=exclude_sites, max_distance_km=radius_km, workers=workers)
        if result.suggestions == 0:  # nothing matched yet: run the matching rather than answer nothing
            if note is not None:
                note(_("aucune suggestion enregistrée pour ce territoire : rapprochement des flux déclarés…"))
            fresh, radius = True, radius_km or settings.BOUCLE_MATCH_RADIUS_KM
            result = fresh_potential(territory, radius, objective, exclude_sites=exclude_sites, workers=workers)
    exchanges = [{"offer_site_id": e["offer_site_id"], "offer_label": e["offer_label"],
                  "need_site_id": e["need_site_id"], "need_label": e["need_label"],
                  "material_class": e["material_class"], "kind": e["kind"], "synergy_id": e["synergy_id"],
                  "distance_km": round(e["distance_km"], 3), "quantity": round(e["quantity"], 3), "unit": e["unit"],
                  "value": round(e["value"], 3)} for e in result.exchanges]
    return {**result.summary(), "exchanges": exchanges, "excluded_sites": exclude_sites,
            "territory": territory, "radius_km": radius, "source": "matching" if fresh else "suggestions",
            "_result": result}


def run_allocate(args) -> int:
    from django.utils.translation import gettext as _

    territory = _resolve_or_exit(args.territory)
    if territory is False:
        return 2
    if args.workers is not None and args.workers < 1:
        print(_("--workers : un nombre de processus d'au moins 1 est attendu."), file=sys.stderr)
        return 2
    summary = allocation_summary(territory, args.objective, args.radius_km, args.exclude_site, fresh=args.fresh,
                                 note=lambda text: print(text, file=sys.stderr), workers=args.workers)
    result = summary.pop("_result")
    exchanges = summary["exchanges"]
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    from .wording import material_label

    shown_unit = _("t CO2e/an") if args.objective == "co2" else _("€/an")
    objective = _("CO2e évité") if args.objective == "co2" else _("euros")
    print(_("Allocation optimale (%(objective)s) : %(total)s %(unit)s, %(n)d échanges")
          % {"objective": objective, "total": _n(summary["total_value"]), "unit": shown_unit,
             "n": len(exchanges)})
    print("  " + _("échangé : %(t)s t de matières, %(mwh)s MWh d'énergie, %(m3)s m³ d'eau (jamais additionnés)")
          % {"t": _n(result.tonnes_exchanged), "mwh": _n(result.mwh_exchanged), "m3": _n(result.m3_exchanged)})
    for e in exchanges:
        quantity = _n(e["quantity"], 0 if e["quantity"] >= 10 else 1)
        print(f"  {quantity:>12} {_unit(e['unit']):<4} " + _(
            "%(offer_site)s « %(offer_label)s » → %(need_site)s (%(material_class)s, %(distance_km)s km) : "
            "%(value)s %(unit)s")
              % {"offer_site": e["offer_site_id"], "offer_label": e["offer_label"], "need_site": e["need_site_id"],
                 "material_class": material_label(e["material_class"]), "distance_km": _n(e["distance_km"], 1),
                 "value": _n(e["value"], 0 if abs(e["value"]) >= 10 else 1), "unit": shown_unit})
    return 0


def pools_summary(territory: str | None, radius_km: float = 10.0, min_sites: int = 3) -> dict:
    """Shared collection rounds for wastes (depots: the territory's waste-treatment sites, NAF 38)
    and pooled purchasing for needs, with the truck-km a round saves over separate trips:
    what ``boucle pools --json`` prints and the API answers."""
    import numpy as np

    from boucle.flows.models import Flow

    from .engine import Sites
    from .pooling import Flows, find_pools
    from .service_run import territory_sites

    sites = list(territory_sites(territory).values_list("pk", "site_id", "lat", "lon", "naf_id"))
    index = {pk: i for i, (pk, *_rest) in enumerate(sites)}
    # Trucks carry materials: heat, steam and water are piped, a machine or a service is not collected in
    # rounds, so none of them is pooled (a « pooled purchase of waste heat » saving truck-km means nothing).
    flows = list(Flow.objects.filter(site_id__in=index, kind=Flow.Kind.MATERIAL).exclude(material_class="")
                 .values_list("site_id", "material_class", "quantity_base", "base_unit", "direction", "label"))
    classes = sorted({f[1] for f in flows})
    cls_index = {c: i for i, c in enumerate(classes)}
    table = Flows(site=[index[f[0]] for f in flows], cls=[cls_index[f[1]] for f in flows],
                  quantity_t=[f[2] if f[3] == "t" and f[2] is not None else np.nan for f in flows],
                  direction=[f[4] for f in flows])
    depots = [(lat, lon) for _pk, _sid, lat, lon, naf in sites if (naf or "").startswith("38")]
    pools = find_pools(Sites(lat=[s[2] for s in sites], lon=[s[3] for s in sites]), table, radius_km=radius_km,
                       min_sites=min_sites, depots_lat=[d[0] for d in depots] or None,
                       depots_lon=[d[1] for d in depots] or None)
    rows = [{"material_class": classes[p.cls], "direction": p.direction,
             "kind": "collecte mutualisée" if p.direction == "offer" else "achat groupé",
             "site_ids": [sites[int(i)][1] for i in p.sites], "total_t": round(p.total_t, 3),
             "truck_km_separate": round(p.truck_km_separate, 1), "truck_km_pooled": round(p.truck_km_pooled, 1),
             "truck_km_saved": round(p.truck_km_saved, 1)} for p in pools]
    return {"territory": territory, "radius_km": radius_km, "pools": rows}


def run_pools(args) -> int:
    from django.utils.translation import gettext as _

    territory = _resolve_or_exit(args.territory)
    if territory is False:
        return 2
    summary = pools_summary(territory, args.radius_km, args.min_sites)
    rows = summary["pools"]
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    from .wording import material_label

    print(_("%(n)d mutualisations possibles (rayon %(radius)s km, au moins %(min_sites)d sites)")
          % {"n": len(rows), "radius": f"{args.radius_km:g}", "min_sites": args.min_sites})
    for r in rows:
        kind = _("collecte mutualisée") if r["direction"] == "offer" else _("achat groupé")
        print("  " + _("%(kind)s — %(material_class)s : %(n)d sites, %(total)s t/an, %(saved)s km de camion "
                       "économisés par tournée (%(separate)s → %(pooled)s)")
              % {"kind": kind, "material_class": material_label(r["material_class"]), "n": len(r["site_ids"]),
                 "total": _n(r["total_t"]), "saved": _n(r["truck_km_saved"], 1),
                 "separate": _n(r["truck_km_separate"], 1), "pooled": _n(r["truck_km_pooled"], 1)})
    return 0


def run_synergies_check(args) -> int:
    """List (and with ``--fix`` move back) the synergies on trial or running without both yes; exit 1 while
    any is left, so a deployment script can tell."""
    from django.utils.translation import gettext as _

    from . import services
    from .models import VerifiedOutcome
    from .wording import material_label

    found = list(services.unagreed_exchanges().select_related("offer__site", "need_site").order_by("id"))
    moved, left = [], []
    for synergy in found:
        change = services.step_back_unagreed(synergy) if args.fix else None
        (moved if change else left).append((synergy, change))
    measured = set(VerifiedOutcome.objects.filter(synergy__in=[s for s, _c in left]).values_list("synergy_id", flat=True))
    if args.json:
        print(json.dumps({
            "found": len(found),
            "moved_back": [{"id": s.pk, "from": c.from_status, "to": c.to_status} for s, c in moved],
            "left": [{"id": s.pk, "status": s.status, "measured": s.pk in measured} for s, _c in left]},
            ensure_ascii=False))
        return 1 if left else 0
    from boucle.web.words import status_label as status  # the pages' words for a status

    if not found:
        print(_("Aucune synergie en essai ou en fonctionnement sans le oui des deux entreprises."))
        return 0
    for synergy, change in moved:
        print(_("n° %(id)s (%(material)s) : ramenée de « %(old)s » à « %(new)s », journalisé")
              % {"id": synergy.pk, "material": material_label(synergy.material_class), "old": status(change.from_status),
                 "new": status(change.to_status)})
    for synergy, _c in left:
        why = (_("un résultat mesuré est enregistré : à l'animateur de décider") if synergy.pk in measured
               else _("relancez avec --fix pour la ramener à son dernier statut cohérent"))
        print(_("n° %(id)s (%(material)s) : « %(status)s » sans le oui des deux entreprises — %(why)s")
              % {"id": synergy.pk, "material": material_label(synergy.material_class), "status": status(synergy.status),
                 "why": why})
    return 1 if left else 0
