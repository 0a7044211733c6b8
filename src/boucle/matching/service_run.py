"""Run the matching for a territory and store the proposals as Synergy rows.

The Django shell around the pure pipeline (``boucle.matching.pipeline``): it reads
sites and flows, calls ``propose``, and upserts one Synergy per (offer, need) — or
(offer, receiving site, material) for an inferred need. A re-run refreshes the
estimates but never touches a status a person has set; suggestions the engine no
longer makes are marked stale rather than deleted, so nothing a user saw vanishes.
"""

import sys

from django.db import transaction
from django.utils import timezone

from boucle.dbutils import fetch_rows, insert_rows, update_rows
from boucle.flows.models import Flow, Site
from boucle.territories.refs import resolve

from . import lifecycle
from .models import MatchingRun, Synergy


def territory_sites(territory: str | None):
    sites = Site.objects.filter(closed=False, lat__isnull=False)
    if territory:
        sites = sites.filter(commune__in=resolve(territory).communes())
    return sites


FULL_SCAN_SHARE = 0.2  # above this share of all sites, reading every flow beats index lookups
FULL_SCAN_MIN_SITES = 1000  # below, by the index whatever the share (no count of a directory of millions)


def pipeline_inputs(sites):
    """Sites and flows as the pipeline's records. A flow's stored class is passed as the person's
    choice (confidence 1) when a person made it: chosen in the form or named in an imported file's
    ``material_class`` column (stored as chosen, ``flows.importers.class_chosen``) or corrected by a
    facilitator (a Correction of ``material_class``); a class the classifier read, at import or in the
    form, even from a label that is exactly a synonym, is left for the pipeline to weigh again."""
    from boucle.flows.importers import class_chosen
    from boucle.flows.models import Correction

    from .pipeline import FlowIn, SiteIn

    # Plain tuples from the cursor, one query each: the ORM's per-row work costs more than the
    # queries for a region's 200,000 flows.
    site_rows = fetch_rows(sites.select_related(None).values_list("pk", "site_id", "lat", "lon", "naf_id", "activity",
                                                                   "name"))
    site_in = [SiteIn(site_id=sid, lat=lat, lon=lon, naf_code=naf, activity=activity, name=name)
               for _pk, sid, lat, lon, naf, activity, name in site_rows]
    # A flow's site identifier is looked up here from its key, not joined in SQL: the join (and the
    # index lookups of ``site__in``) made SQLite jump around the table for every flow. Most of the
    # platform's sites (a region's run on its own database, every site): every flow is read in the
    # table's order and those of other sites are left out here; a few sites (a company's page): their
    # flows by the index. In the order of their keys, not sorted by site name (the model's order):
    # the output does not depend on the input's order.
    site_id_of = {row[0]: row[1] for row in site_rows}
    flows = Flow.objects.order_by("pk")
    if len(site_rows) < FULL_SCAN_MIN_SITES or len(site_rows) <= FULL_SCAN_SHARE * Site.objects.count():
        flows = flows.filter(site__in=sites)
    flows = fetch_rows(flows.values_list(
        "pk", "site_id", "direction", "label", "ewc_id", "kind", "quantity_base", "base_unit",
        "temperature_c", "hazardous", "current_route", "material_class", "material_confidence"))
    corrected = set(Correction.objects.filter(flow__isnull=False, field="material_class").values_list("flow_id", flat=True))
    flow_in = [FlowIn(flow_id=str(pk), site_id=site_id_of[site], direction=direction, label=label, ewc_code=ewc,
                      kind=kind, quantity_t=qty if base in ("t", "MWh", "m3") else None,
                      unit=base if base in ("t", "MWh", "m3") else None, temperature_c=temp, hazardous=bool(haz),
                      current_route=route or None,
                      class_key=cls if cls and (pk in corrected or class_chosen(conf)) else None)
               for pk, site, direction, label, ewc, kind, qty, base, temp, haz, route, cls, conf in flows
               if site in site_id_of]
    return site_in, flow_in


def propose_for(territory=None, radius_km=200.0, inferred=True, top=None, exclude_sites=(), workers=None,
                reading=None):
    from .pipeline import bulk_allocation

    table = propose_table_for(territory, radius_km, inferred, top, exclude_sites, workers, reading=reading)
    with bulk_allocation():
        return table.proposals()


def propose_table_for(territory=None, radius_km=200.0, inferred=True, top=None, exclude_sites=(), workers=None,
                      per_need=None, reading=None):
    """The territory's proposals as a :class:`pipeline.ProposalTable` (rows built when read); ``per_need``:
    the best offers of each need instead (:func:`pipeline.propose_table`).

    The one way every matching reads the flows (``boucle match``, the facilitator's run, the background job,
    the territory's potential): when the reading rules changed since the flows' classes were read, every
    automatic class is read again first (``flows.readings.ensure_current``; one query when nothing changed).
    ``reading``: the ``announce`` and ``progress`` callbacks of that re-reading, as a dict."""
    from boucle.flows.readings import ensure_current

    from .pipeline import bulk_allocation, propose_table

    ensure_current(**(reading or {}))
    sites = territory_sites(territory)
    if exclude_sites:
        sites = sites.exclude(site_id__in=list(exclude_sites))
    with bulk_allocation():
        site_in, flow_in = pipeline_inputs(sites)
        return propose_table(site_in, flow_in, radius_km=radius_km, inferred=inferred, top=top, workers=workers,
                             per_need=per_need)


def run_matching(territory: str | None = None, radius_km: float | None = None, user=None, *, inferred=True,
                 progress=False, proposals=None) -> MatchingRun:
    from django.conf import settings

    radius_km = radius_km or settings.BOUCLE_MATCH_RADIUS_KM
    if proposals is None:
        if progress:
            from django.utils.translation import gettext

            print(gettext("Mise en relation…"), file=sys.stderr)
        proposals = propose_for(territory, radius_km, inferred)
    run = MatchingRun.objects.create(territory=territory or "", radius_km=radius_km, inferred=inferred,
                                     started_by=user if user and user.is_authenticated else None)
    store(run, proposals, territory)
    return run


@transaction.atomic
def store(run, proposals, territory):
    """Upsert proposals in bulk: one query to read what exists, then bulk create and update."""
    site_pk = dict(Site.objects.values_list("site_id", "pk"))
    existing = {}
    offer_ids = {int(p.offer_flow_id) for p in proposals}
    for syn in Synergy.objects.filter(offer_id__in=offer_ids):
        existing[_key(syn.offer_id, syn.need_id, syn.need_site_id, syn.material_class)] = syn
    tonnes, eur = _impact_columns(proposals)
    creates, updates, seen, kept = [], [], set(), set()
    fields = ["need_site_id", "inferred", "material_class", "distance_km", "quantity_t", "score", "co2e_avoided_t",
              "tonnes_diverted", "eur_saved", "explanation", "stale", "run"]
    for i, p in enumerate(proposals):
        offer_id = int(p.offer_flow_id)
        need_id = int(p.need_flow_id) if p.need_flow_id else None
        need_site = site_pk[p.need_site_id]
        key = _key(offer_id, need_id, need_site, p.material_class)
        if key in seen:
            continue
        seen.add(key)
        values = {"need_site_id": need_site, "inferred": p.inferred, "material_class": p.material_class,
                  "distance_km": p.distance_km, "quantity_t": p.quantity, "score": p.score,
                  "co2e_avoided_t": p.co2e_avoided_t_per_year, "tonnes_diverted": tonnes[i], "eur_saved": eur[i],
                  "explanation": _jsonable(p.explanation), "stale": False, "run": run}
        synergy = existing.get(key)
        if synergy is None:
            creates.append(Synergy(offer_id=offer_id, need_id=need_id, **values))
            continue
        kept.add(synergy.pk)
        changed = [name for name in _COMPARED if getattr(synergy, name) != values[name]]
        if changed:
            for name, value in values.items():
                setattr(synergy, name, value)
            updates.append(synergy)
    insert_rows(Synergy, creates, ["offer", "need", *fields, "status", "created_at", "updated_at"])
    update_rows(Synergy, updates, fields)
    run.created, run.updated = len(creates), len(updates)
    # Suggestions the engine no longer makes become stale; statuses a person set are never touched.
    scope = Synergy.objects.filter(status=lifecycle.SUGGESTED, stale=False)
    if territory:
        scope = scope.filter(offer__site__in=territory_sites(territory))
    stale = [pk for pk in scope.exclude(run=run).values_list("pk", flat=True) if pk not in kept]
    for start in range(0, len(stale), 500):
        Synergy.objects.filter(pk__in=stale[start:start + 500]).update(stale=True)
    run.proposals = len(seen)
    run.finished_at = timezone.now()
    run.save()


_COMPARED = ["need_site_id", "inferred", "material_class", "distance_km", "quantity_t", "score", "co2e_avoided_t",
             "tonnes_diverted", "eur_saved", "explanation", "stale"]


def _impact_columns(proposals) -> tuple[list, list]:
    """Tonnes diverted and € saved per proposal, as the pipeline valued them against each offer's
    current route (``boucle.matching.additionality``). A figure that cannot be computed stays
    None (never a silent zero)."""
    return ([getattr(p, "tonnes_diverted", None) for p in proposals],
            [getattr(p, "eur_saved", None) for p in proposals])


def _key(offer_id, need_id, need_site_id, material_class):
    return (offer_id, need_id) if need_id else (offer_id, None, need_site_id, material_class)


def _jsonable(value):
    import json

    return json.loads(json.dumps(value, default=str)) if not isinstance(value, str) else {"text": value}
