"""The territory's potential from the database: the one place pages, API, exports, report and CLI read it.

The candidates are the platform's open suggestions (suggested and not stale, contacted, in
discussion, on trial, running) whose offering site is in the territory and open; the
receiver may be anywhere, as the observatory counts a synergy where its offering site is.
``potential.solve`` allocates them. ``boucle allocate --fresh`` instead runs the matching
again on the territory's flows (a what-if, e.g. with a longer radius) and allocates those
proposals with the same function.

The result is kept per data version (the token the database moves at every committed write
to sites, flows and synergies), so the facilitator's page and the observatory do not solve
the allocation again until the data change.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import lifecycle
from .additionality import estimated_quantity, inferred_need_bound
from .potential import Candidates, Potential, solve

OPEN = (lifecycle.SUGGESTED, lifecycle.CONTACTED, lifecycle.IN_DISCUSSION, lifecycle.TRIAL, lifecycle.RUNNING)
COLUMNS = ("id", "offer_id", "need_id", "need_site_id", "material_class", "distance_km", "quantity_t",
           "co2e_avoided_t", "eur_saved", "inferred", "offer__kind", "offer__base_unit", "offer__quantity_base",
           "need__quantity_base", "need__base_unit", "offer__site__site_id", "need_site__site_id", "offer__label",
           "need__label", "offer__site__commune_id", "offer__site__company_id", "offer__illustrative",
           "need__illustrative")


def _float(x) -> float:
    return np.nan if x is None else float(x)


def _estimated_for(offer_q: float, need_q: float) -> float:
    """The quantity a suggestion's estimate is for (``additionality.estimated_quantity``, the one rule):
    the allocation's value per unit is the estimate divided by it."""
    return float(estimated_quantity(offer_q, need_q))


def site_scales(site_ids) -> dict:
    """{(site_id, base unit): the largest need per year the site declared in that unit}: the scale an inferred
    need of the site is bounded by in the potential (what it offers says nothing of what it can take: a site
    with excess steam does not take its neighbour's)."""
    from django.db.models import Max

    from boucle.flows.models import Flow

    rows = (Flow.objects.filter(site__site_id__in=list(set(site_ids)), direction=Flow.Direction.NEED,
                                quantity_base__gt=0)
            .exclude(base_unit="").values_list("site__site_id", "base_unit").annotate(Max("quantity_base")))
    return {(site, unit): float(q) for site, unit, q in rows}


def _inferred_need_quantity(scales: dict, need_site: str, unit: str, kind: str) -> float:
    """What an inferred need (an activity's typical input, no quantity) may take in the potential:
    ``additionality.inferred_need_bound`` of the largest need the receiving site declared in that unit."""
    return inferred_need_bound(scales.get((need_site, unit)), kind)


def open_suggestions(communes=None, period: int | None = None):
    """Open suggestions whose offering site (open) is in ``communes`` (a queryset; None: all)."""
    from django.db.models import Q

    from .models import Synergy

    qs = (Synergy.objects.filter(status__in=OPEN, offer__site__closed=False, need_site__closed=False)
          .exclude(Q(stale=True) & Q(status=lifecycle.SUGGESTED)))
    if communes is not None:
        qs = qs.filter(offer__site__commune__in=communes)
    if period is not None:
        qs = qs.filter(created_at__date__lte=dt.date(period, 12, 31))
    return qs


from boucle.dbutils import fetch_rows as _fetch  # noqa: E402  (one implementation)


def stored_candidates(communes=None, period: int | None = None, exclude_sites=(),
                      max_distance_km: float | None = None) -> Candidates:
    qs = open_suggestions(communes, period)
    if exclude_sites:
        qs = qs.exclude(offer__site__site_id__in=list(exclude_sites)).exclude(
            need_site__site_id__in=list(exclude_sites))
    if max_distance_km is not None:
        qs = qs.filter(distance_km__lte=max_distance_km)
    rows = _fetch(qs.order_by("id").values_list(*COLUMNS))
    scales = site_scales(r[16] for r in rows if not r[2])
    offer, need, unit, kind, info = [], [], [], [], []
    n = len(rows)
    offer_q, need_q, quantity, co2, eur = (np.full(n, np.nan) for _ in range(5))
    for i, (sid, offer_id, need_id, need_site, cls, km, q, c, e, inferred, o_kind, o_unit, o_q, n_q, n_unit,
            o_site, n_site, o_label, n_label, commune, company, o_ill, n_ill) in enumerate(rows):
        offer.append(offer_id)
        need.append(("flow", need_id) if need_id else ("site", need_site, cls))
        unit.append(o_unit or "")
        kind.append(o_kind or "")
        # The estimates are for the quantity stored at scoring (the offer's own when not kept), already
        # bounded for an inferred need (additionality.estimated_quantity); a declared need caps it here
        # too for suggestions stored before the quantity was.
        offer_q[i], quantity[i], co2[i], eur[i] = _float(o_q), _float(o_q if q is None else q), _float(c), _float(e)
        if need_id and n_unit == o_unit:
            need_q[i] = _float(n_q)
        quantity[i] = _estimated_for(quantity[i], need_q[i])
        if not need_id:
            need_q[i] = _inferred_need_quantity(scales, n_site, o_unit or "", o_kind or "")
        info.append({"synergy_id": sid, "offer_flow_id": offer_id, "need_flow_id": need_id,
                     "offer_site_id": o_site, "offer_label": o_label, "need_site_id": n_site, "need_label": n_label,
                     "material_class": cls, "distance_km": km, "inferred": inferred,
                     "offer_commune": commune, "offer_company": company, "illustrative": bool(o_ill or n_ill)})
    return Candidates(offer, need, offer_q, need_q, unit, kind, quantity, co2, eur, info)


def proposal_candidates(proposals) -> Candidates:
    """Candidates from fresh proposals (``service_run.propose_for``), scored like stored suggestions."""
    from boucle.flows.models import Flow

    from .service_run import _impact_columns

    ids = {int(p.offer_flow_id) for p in proposals} | {int(p.need_flow_id) for p in proposals if p.need_flow_id}
    flows = {pk: row for pk, *row in Flow.objects.filter(pk__in=ids).values_list(
        "pk", "kind", "base_unit", "quantity_base", "site__commune_id", "site__company_id", "illustrative")}
    _, eur_list = _impact_columns(proposals)
    scales = site_scales(p.need_site_id for p in proposals if not p.need_flow_id)
    n = len(proposals)
    offer, need, unit, kind, info = [], [], [], [], []
    offer_q, need_q, quantity, co2, eur = (np.full(n, np.nan) for _ in range(5))
    for i, p in enumerate(proposals):
        o_kind, o_unit, o_q, commune, company, illustrative = flows[int(p.offer_flow_id)]
        offer.append(int(p.offer_flow_id))
        need.append(("flow", int(p.need_flow_id)) if p.need_flow_id else ("site", p.need_site_id, p.material_class))
        unit.append(o_unit or "")
        kind.append(o_kind or "")
        offer_q[i], quantity[i] = _float(o_q), _float(p.quantity)
        co2[i], eur[i] = _float(p.co2e_avoided_t_per_year), _float(eur_list[i])
        if p.need_flow_id:
            _, n_unit, n_q, _, _, n_illustrative = flows[int(p.need_flow_id)]
            illustrative = illustrative or n_illustrative
            if n_unit == o_unit:
                need_q[i] = _float(n_q)
        quantity[i] = _estimated_for(quantity[i], need_q[i])
        if not p.need_flow_id:  # after the estimate's quantity: an inferred need's estimate is for the whole offer
            need_q[i] = _inferred_need_quantity(scales, p.need_site_id, o_unit or "", o_kind or "")
        info.append({"synergy_id": None, "offer_flow_id": int(p.offer_flow_id),
                     "need_flow_id": int(p.need_flow_id) if p.need_flow_id else None,
                     "offer_site_id": p.offer_site_id, "offer_label": p.offer_label, "need_site_id": p.need_site_id,
                     "need_label": p.need_label, "material_class": p.material_class, "distance_km": p.distance_km,
                     "inferred": p.inferred, "offer_commune": commune, "offer_company": company,
                     "illustrative": bool(illustrative)})
    return Candidates(offer, need, offer_q, need_q, unit, kind, quantity, co2, eur, info)


def potential_of(ref=None, objective: str = "co2", period: int | None = None, exclude_sites=(),
                 max_distance_km: float | None = None, workers: int | None = None) -> Potential:
    """The potential of a territory (a ``TerritoryRef``, or None for the whole platform).

    Kept per data version (``web.snapshots``): equal arguments give the very same object until the
    data change. The figures are the same for everyone; pages apply the disclosure rule to them.
    """
    from boucle.web.snapshots import remembered_for_all

    def compute():
        communes = ref.communes().values("insee") if ref is not None else None
        return solve(stored_candidates(communes, period, exclude_sites, max_distance_km), objective, workers)

    # ``workers`` changes how the plan is computed, never the plan: not part of the key.
    return remembered_for_all("potential", compute, str(ref) if ref is not None else "", objective, period,
                              tuple(sorted(exclude_sites)), max_distance_km)


def fresh_potential(territory: str | None, radius_km: float, objective: str = "co2", exclude_sites=(),
                    workers: int | None = None) -> Potential:
    """The matching run again on the territory's flows, its proposals allocated (``boucle allocate --fresh``);
    ``workers``: the matching's tiles and the allocation's independent parts over that many processes."""
    from .service_run import propose_for

    proposals = propose_for(territory, radius_km, True, None, exclude_sites=exclude_sites, workers=workers)
    return solve(proposal_candidates(proposals), objective, workers)
