"""The database side of the observatory: GROUP BY commune and company in SQL, the rest in numpy.

Each query returns a few rows per (commune, company, key) instead of one per flow, and
``indicators.rollup`` sums them over any set of communes, so a region costs one query
per table, not one per commune.
"""

from __future__ import annotations

import datetime as dt
import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum

from boucle.flows.models import Flow, Site
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
    return Flow.objects.filter(_in(communes, "site__commune"), _period_q(period), site__closed=False)


def synergy_queryset(communes=None, period: int | None = None, side: str = "offer__site__commune"):
    """Synergies attributed to a commune by the offering site (so each counts once across levels)."""
    qs = Synergy.objects.filter(_in(communes, side)).exclude(stale=True, status=lifecycle.SUGGESTED)
    if period is not None:
        qs = qs.filter(created_at__date__lte=dt.date(period, 12, 31))
    return qs


def _fetch(qs) -> list[tuple]:
    """Plain tuples straight from the cursor: the ORM's per-row machinery costs more than the SQL here."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


FULL_SCAN_SHARE = 0.2  # above this share of all sites, scanning every flow beats index lookups


def _period_q(period) -> Q:
    bounds = _year_bounds(period)
    if not bounds:
        return Q()
    return (Q(available_from__isnull=True) | Q(available_from__lte=bounds[1])) & (
        Q(available_to__isnull=True) | Q(available_to__gte=bounds[0]))


def _codes(values) -> tuple[np.ndarray, list]:
    """Small integer codes for a column of labels, and the labels in code order."""
    ix: dict = {}
    codes = np.fromiter((ix.setdefault(v, len(ix)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(ix)


def _floats(values) -> np.ndarray:
    return np.fromiter((np.nan if v is None else v for v in values), dtype=float, count=len(values))


def _flow_facts(communes, period, radius_km) -> ind.Facts:
    """Declared flows, declaring companies, needs and locally sourceable needs.

    Plain scans of the sites and the flows, joined and summed in numpy: on SQLite a
    GROUP BY, or a join, over half a million flows costs several times the scan.
    Text columns become integer codes once, so everything after the fetch is vectorised.
    """
    sites = _fetch(Site.objects.filter(closed=False).order_by("id").values_list("id", "commune_id", "company_id",
                                                                                "lat", "lon"))
    if not sites:
        return ind.Facts.empty()
    members = None if communes is None else set(communes.values_list("insee", flat=True))
    site_id, s_commune, s_company, s_lat, s_lon = zip(*sites)
    site_id = np.asarray(site_id, dtype=np.int64)
    inside = np.fromiter(((c is not None) and (members is None or c in members) for c in s_commune), dtype=bool,
                         count=len(site_id))
    full_scan = inside.sum() > FULL_SCAN_SHARE * len(site_id)
    columns = ("id", "site_id", "direction", "kind", "material_class", "base_unit", "quantity_base")
    base = Flow.objects.filter(_period_q(period)).order_by()
    flows = _fetch((base if full_scan else base.filter(_in(communes, "site__commune"))).values_list(*columns))
    if not flows:
        return ind.Facts.empty()
    flow_id, f_site, direction, kind, material, unit, quantity = zip(*flows)
    f_site = np.asarray(f_site, dtype=np.int64)
    row = np.minimum(np.searchsorted(site_id, f_site), site_id.size - 1)
    known = site_id[row] == f_site  # flows of closed sites have no row
    lat, lon = _floats(s_lat), _floats(s_lon)
    d_code, d_labels = _codes(direction)
    k_code, k_labels = _codes(kind)
    m_code, m_labels = _codes(material)
    u_code, u_labels = _codes(unit)
    is_offer = d_code == (d_labels.index(Flow.Direction.OFFER) if Flow.Direction.OFFER in d_labels else -1)
    is_need = d_code == (d_labels.index(Flow.Direction.NEED) if Flow.Direction.NEED in d_labels else -1)
    has_material = np.array([bool(m) for m in m_labels] or [False])[m_code]
    offer_rows = np.flatnonzero(known & is_offer & has_material)
    offer_pool = (m_code[offer_rows], lat[row[offer_rows]], lon[row[offer_rows]]) if full_scan else None
    keep = known & inside[row]
    if not keep.any():
        return ind.Facts.empty()
    row, q = row[keep], np.nan_to_num(_floats(quantity)[keep])
    combined = ((d_code[keep] * len(k_labels) + k_code[keep]) * len(m_labels) + m_code[keep]) * len(u_labels) + \
        u_code[keep]
    uniq, key = np.unique(combined, return_inverse=True)
    fine = []
    for c in uniq.tolist():
        c, u = divmod(c, len(u_labels))
        c, m = divmod(c, len(m_labels))
        d, k = divmod(c, len(k_labels))
        fine.append((d_labels[d], k_labels[k], m_labels[m], u_labels[u]))
    s_commune_code, communes_list = _codes(s_commune)
    commune, company = s_commune_code[row], np.asarray(s_company, dtype=np.int64)[row]
    parts = [ind.Facts(commune, company, key, q, communes_list, [("flow_q", *k) for k in fine]),
             ind.Facts(commune, company, key, np.ones(key.size), communes_list, [("flow_n", *k) for k in fine])]
    span = int(company.max()) + 1
    pairs = np.unique(commune * span + company)
    parts.append(ind.Facts(pairs // span, pairs % span, np.zeros(pairs.size, dtype=np.int64), np.ones(pairs.size),
                           communes_list, [("companies", "declaring")]))
    need = is_need[keep]
    if need.any():
        if offer_pool is None:
            pool = _fetch(Flow.objects.filter(_period_q(period), direction=Flow.Direction.OFFER).exclude(
                material_class="").order_by().values_list("site_id", "material_class"))
            p_site = np.asarray([p[0] for p in pool], dtype=np.int64)
            p_row = np.minimum(np.searchsorted(site_id, p_site), site_id.size - 1)
            ok = np.flatnonzero(site_id[p_row] == p_site)
            index = {m: i for i, m in enumerate(m_labels)}
            p_code = np.array([index.get(pool[i][1], -1) for i in ok], dtype=np.int64)
            offer_pool = (p_code, lat[p_row[ok]], lon[p_row[ok]])
        material_ok = has_material[keep][need]
        local = _locally_sourced(communes, radius_km, np.asarray(flow_id)[keep][need],
                                 np.where(material_ok, m_code[keep][need], -2), lat[row[need]], lon[row[need]],
                                 offer_pool)
        c, co = commune[need], company[need]
        parts.append(ind.Facts(c, co, np.zeros(c.size, dtype=np.int64), np.ones(c.size), communes_list,
                               [("needs", "total")]))
        parts.append(ind.Facts(c[local], co[local], np.zeros(int(local.sum()), dtype=np.int64),
                               np.ones(int(local.sum())), communes_list, [("needs", "local")]))
    return ind.concat(parts)


def _locally_sourced(communes, radius_km, need_id, need_code, lat, lon, offers) -> np.ndarray:
    """Needs with a synergy, or a same-material offer anywhere on the platform, within the radius.

    ``need_code`` and the offers' codes share one material coding; a need without a material
    has a code no offer has.
    """
    matched = np.array([x for (x,) in _fetch(
        Synergy.objects.filter(_in(communes, "need__site__commune"), distance_km__lte=radius_km)
        .exclude(status=lifecycle.DECLINED).exclude(stale=True, status=lifecycle.SUGGESTED).order_by()
        .values_list("need_id")) if x is not None], dtype=np.int64)
    local = np.isin(need_id, matched)
    o_code, o_lat, o_lon = offers
    located = ~np.isnan(lat) & (need_code >= 0)
    o_ok = ~np.isnan(o_lat) & (o_code >= 0)
    if o_ok.any() and located.any():
        rows = np.flatnonzero(located)
        local[rows] |= ind.within_radius(ind.unit_xyz(lat[rows], lon[rows]), need_code[rows],
                                         ind.unit_xyz(o_lat[o_ok], o_lon[o_ok]), o_code[o_ok], radius_km)
    return local


def _synergy_rows(communes, period):
    rows = (synergy_queryset(communes, period).order_by()
            .values_list("offer__site__commune_id", "offer__site__company_id", "status")
            .annotate(n=Count("id"), t=Sum("tonnes_diverted"), co2=Sum("co2e_avoided_t"), eur=Sum("eur_saved"),
                      water=Sum("quantity_t", filter=Q(offer__kind=Flow.Kind.WATER))))
    for commune, company, status, n, t, co2, eur, water in rows:
        yield commune, company, ("status", status), n
        if status == lifecycle.RUNNING:
            for metric, value in zip(ind.IMPACT_METRICS, (t, co2, eur, water)):
                if value:
                    yield commune, company, ("impact", "estimated", metric), value
    # Potential: the suggestions for one offer are alternatives (the same tonnes offered to several
    # receivers), so each offer counts once, at its best open synergy, never summed over all of them.
    best = {}
    for offer_id, commune, company, t, co2, eur, qty, kind in (
            synergy_queryset(communes, period).filter(status__in=OPEN).order_by("id")
            .values_list("offer_id", "offer__site__commune_id", "offer__site__company_id", "tonnes_diverted",
                         "co2e_avoided_t", "eur_saved", "quantity_t", "offer__kind")):
        rank = co2 if co2 is not None else float("-inf")
        if offer_id not in best or rank > best[offer_id][0]:
            best[offer_id] = (rank, commune, company, (t, co2, eur, qty if kind == Flow.Kind.WATER else None))
    for _rank, commune, company, values in best.values():
        for metric, value in zip(ind.IMPACT_METRICS, values):
            if value:
                yield commune, company, ("impact", "potential", metric), value
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


def territory_facts(communes=None, period: int | None = None, radius_km: float | None = None) -> ind.Facts:
    """All additive facts of the communes (a queryset; None: every commune), ready to roll up."""
    radius = settings.BOUCLE_MATCH_RADIUS_KM if radius_km is None else radius_km
    facts = ind.concat([_flow_facts(communes, period, radius),
                        ind.Facts.from_rows(_synergy_rows(communes, period)),
                        ind.Facts.from_rows(_verified_rows(communes, period))])
    return ind.derive(facts, ind.standard_derivations)


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
