"""The database side of the observatory: GROUP BY commune and company in SQL, the rest in numpy.

Each query returns a few rows per (commune, company, key) instead of one per flow, and
``indicators.rollup`` sums them over any set of communes, so a region costs one query
per table, not one per commune.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, Sum

from boucle.flows.models import Flow
from boucle.matching import lifecycle
from boucle.matching.models import Synergy, VerifiedOutcome
from boucle.territories.models import Commune

from . import indicators as ind

SCHEMA_VERSION = "1.0"
OPEN = {lifecycle.SUGGESTED, lifecycle.CONTACTED, lifecycle.IN_DISCUSSION, lifecycle.TRIAL, lifecycle.RUNNING}
ENGAGED = lifecycle.ACTIVE | {lifecycle.STOPPED}


def _in(communes, path: str) -> Q:
    """Q restricting ``path`` (a commune foreign key) to ``communes`` (a queryset, or None for all)."""
    return Q(**{f"{path}__isnull": False}) if communes is None else Q(**{f"{path}__in": communes})


def _year_bounds(period: int | None):
    if period is None:
        return None
    return dt.date(period, 1, 1), dt.date(period, 12, 31)


def flow_queryset(communes=None, period: int | None = None):
    qs = Flow.objects.filter(_in(communes, "site__commune"), site__closed=False)
    bounds = _year_bounds(period)
    if bounds:
        qs = qs.filter(Q(available_from__isnull=True) | Q(available_from__lte=bounds[1]),
                       Q(available_to__isnull=True) | Q(available_to__gte=bounds[0]))
    return qs


def synergy_queryset(communes=None, period: int | None = None, side: str = "offer__site__commune"):
    """Synergies attributed to a commune by the offering site (so each counts once across levels)."""
    qs = Synergy.objects.filter(_in(communes, side)).exclude(stale=True, status=lifecycle.SUGGESTED)
    if period is not None:
        qs = qs.filter(created_at__date__lte=dt.date(period, 12, 31))
    return qs


def _flow_rows(communes, period):
    rows = (flow_queryset(communes, period).order_by()
            .values_list("site__commune_id", "site__company_id", "direction", "kind", "material_class", "base_unit")
            .annotate(q=Sum("quantity_base"), n=Count("id")))
    declaring = set()
    for commune, company, direction, kind, material, unit, q, n in rows:
        yield commune, company, ("flow_q", direction, kind, material, unit), q or 0.0
        yield commune, company, ("flow_n", direction, kind, material, unit), n
        declaring.add((commune, company))
    for commune, company in declaring:
        yield commune, company, ("companies", "declaring"), 1.0


def _synergy_rows(communes, period):
    rows = (synergy_queryset(communes, period).order_by()
            .values_list("offer__site__commune_id", "offer__site__company_id", "status")
            .annotate(n=Count("id"), t=Sum("tonnes_diverted"), co2=Sum("co2e_avoided_t"), eur=Sum("eur_saved"),
                      water=Sum("quantity_t", filter=Q(offer__kind=Flow.Kind.WATER))))
    for commune, company, status, n, t, co2, eur, water in rows:
        yield commune, company, ("status", status), n
        bases = (["estimated"] if status == lifecycle.RUNNING else []) + (["potential"] if status in OPEN else [])
        for basis in bases:
            for metric, value in zip(ind.IMPACT_METRICS, (t, co2, eur, water)):
                if value:
                    yield commune, company, ("impact", basis, metric), value
    for side in ("offer__site", "need_site"):
        engaged = (synergy_queryset(communes, period, side=f"{side}__commune").filter(status__in=ENGAGED)
                   .order_by().values_list(f"{side}__commune_id", f"{side}__company_id").distinct())
        for commune, company in engaged:
            yield commune, company, ("companies", "in_synergies"), 1.0


def _verified_rows(communes, period):
    outcomes = (VerifiedOutcome.objects.filter(_in(communes, "synergy__offer__site__commune"))
                .order_by("recorded_at", "id")
                .values_list("synergy_id", "synergy__offer__site__commune_id", "synergy__offer__site__company_id",
                             "start_date", "tonnes_per_year", "co2e_avoided_t_per_year", "eur_per_year",
                             "water_m3_per_year"))
    latest = {}
    for row in outcomes:
        if period is not None and row[3] is not None and row[3].year > period:
            continue
        latest[row[0]] = row  # the latest record of a synergy supersedes earlier ones
    for _, commune, company, _, *values in latest.values():
        for metric, value in zip(ind.IMPACT_METRICS, values):
            if value:
                yield commune, company, ("impact", "verified", metric), value


def _sourcing_rows(communes, period, radius_km):
    """Needs, and needs with a synergy or a same-material offer (anywhere) within the radius."""
    needs = list(flow_queryset(communes, period).filter(direction=Flow.Direction.NEED)
                 .values_list("id", "site__commune_id", "site__company_id", "material_class", "site__lat",
                              "site__lon"))
    if not needs:
        return
    matched = set(Synergy.objects.filter(_in(communes, "need__site__commune"), distance_km__lte=radius_km)
                  .exclude(status=lifecycle.DECLINED).exclude(stale=True, status=lifecycle.SUGGESTED)
                  .values_list("need_id", flat=True))
    offers = (flow_queryset(None, period).filter(direction=Flow.Direction.OFFER, site__lat__isnull=False)
              .exclude(material_class="").order_by().values_list("material_class", "site__lat", "site__lon").distinct())
    offers = list(offers)
    materials = {m: i for i, m in enumerate(sorted({o[0] for o in offers} | {n[3] for n in needs}))}
    located = [n for n in needs if n[4] is not None and n[3]]
    near = set()
    if located and offers:
        found = ind.within_radius(
            ind.unit_xyz(np.array([n[4] for n in located]), np.array([n[5] for n in located])),
            np.array([materials[n[3]] for n in located]),
            ind.unit_xyz(np.array([o[1] for o in offers]), np.array([o[2] for o in offers])),
            np.array([materials[o[0]] for o in offers]), radius_km)
        near = {n[0] for n, f in zip(located, found) if f}
    for flow_id, commune, company, *_ in needs:
        yield commune, company, ("needs", "total"), 1.0
        if flow_id in near or flow_id in matched:
            yield commune, company, ("needs", "local"), 1.0


def territory_facts(communes=None, period: int | None = None, radius_km: float | None = None) -> ind.Facts:
    """All additive facts of the communes (a queryset; None: every commune), ready to roll up."""
    radius = settings.BOUCLE_MATCH_RADIUS_KM if radius_km is None else radius_km
    facts = ind.Facts.from_rows(_chain(_flow_rows(communes, period), _synergy_rows(communes, period),
                                       _verified_rows(communes, period), _sourcing_rows(communes, period, radius)))
    return ind.derive(facts, ind.standard_derivations)


def _chain(*iterables: Iterable):
    for it in iterables:
        yield from it


def member_codes(ref) -> list[str]:
    return list(ref.communes().values_list("insee", flat=True))


def territory_figures(ref, period: int | None = None) -> dict:
    communes = ref.communes().values("insee")
    return ind.rollup(territory_facts(communes, period), member_codes(ref))


def territory_indicators(ref, public: bool, period: int | None = None) -> dict:
    """Every indicator of a territory; ``public`` applies the disclosure rule to each figure."""
    doc = ind.present(territory_figures(ref, period), public)
    return {"schema_version": SCHEMA_VERSION,
            "territory": {"level": ref.level, "code": ref.code, "name": ref.name},
            "period": period, "public": public,
            "disclosure": {"min_companies": 3, "max_share": 0.85} if public else None, **doc}


def subdivision_level(ref) -> str:
    """The unit a territory is mapped by: EPCIs for a region or département, communes below."""
    return "epci" if ref.level in ("region", "departement") else "commune"


def subdivisions(ref) -> list[tuple[str, str, list[str]]]:
    """(code, name, member communes inside ``ref``) for each mapping unit of the territory."""
    communes = ref.communes().values_list("insee", "name", "epci_id", "epci__name")
    if subdivision_level(ref) == "commune":
        return [(insee, name, [insee]) for insee, name, _, _ in communes]
    units: dict[str, tuple[str, list[str]]] = {}
    for insee, _, epci, epci_name in communes:
        if epci:
            units.setdefault(epci, (epci_name, []))[1].append(insee)
    return [(code, name, members) for code, (name, members) in sorted(units.items())]


def subdivision_figures(ref, period: int | None = None, key_filter=None):
    """Figures of each mapping unit of ``ref`` (restricted to the communes of ``ref``), in one pass."""
    units = subdivisions(ref)
    facts = territory_facts(ref.communes().values("insee"), period)
    unit_of = {c: i for i, (_, _, members) in enumerate(units) for c in members}
    group = np.fromiter((unit_of.get(c, -1) for c in facts.communes), dtype=np.int64, count=len(facts.communes))
    return units, ind.rollup_groups(facts, group, len(units), key_filter)


def epci_figures(period: int | None = None, key_filter=None):
    """Figures per EPCI over the whole platform: the public map."""
    facts = territory_facts(None, period)
    epci_of = dict(Commune.objects.filter(insee__in=facts.communes, epci__isnull=False)
                   .values_list("insee", "epci_id"))
    codes = sorted(set(epci_of.values()))
    index = {c: i for i, c in enumerate(codes)}
    group = np.fromiter((index.get(epci_of.get(c), -1) for c in facts.communes), dtype=np.int64,
                        count=len(facts.communes))
    return codes, ind.rollup_groups(facts, group, len(codes), key_filter)
