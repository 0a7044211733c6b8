"""The database side of the observatory: plain scans in SQL, facts and sums in numpy.

Sites, flows and synergies are each read once, with no GROUP BY: (commune, company,
material) is nearly unique per flow, so grouping in SQL would not shrink what reaches
Python, and on SQLite a GROUP BY or a join over half a million flows costs several times
the scan. The rows become ``indicators.Facts`` per (commune, company, key), which
``indicators.rollup`` sums over any set of communes, so a region costs one read per
table, not one per commune. What remains expensive is turning rows into Python objects:
text columns are coded once, with lookups that run in C, and ids that only a few rows
need are not read for all of them.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import IntegerField, Q
from django.db.models.expressions import RawSQL

from boucle.flows.models import Flow, Site
from boucle.matching import lifecycle
from boucle.matching.models import Synergy, VerifiedOutcome
from boucle.territories.models import Commune

from . import indicators as ind
from . import totals

SCHEMA_VERSION = "4.1"  # 4.1: declared totals carry their `direction` (a need's total is never added to the offers'); 4.0: `declared_total_flows` counts without a unit, per kind; `declared_total_quantity` carries its kind; 3.1: columns `hazardous` and `source` on declared totals; 3.0: declared totals apart from offers, `m3` (a second name of water_m3) removed; 2.0: `potential` is the optimal allocation (was: each offer at its best suggestion); mwh, m3 added
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
    return _synergies(period).filter(_in(communes, side))


def _synergies(period: int | None = None):
    """Synergies counted for a period: those created by its end, except suggestions gone stale."""
    qs = Synergy.objects.exclude(stale=True, status=lifecycle.SUGGESTED)
    if period is not None:
        qs = qs.filter(created_at__date__lte=dt.date(period, 12, 31))
    return qs


from boucle.dbutils import fetch_rows as _fetch  # noqa: E402  (one implementation)


FULL_SCAN_SHARE = 0.2  # above this share of all sites, scanning every flow beats index lookups


def _period_q(period) -> Q:
    bounds = _year_bounds(period)
    if not bounds:
        return Q()
    return (Q(available_from__isnull=True) | Q(available_from__lte=bounds[1])) & (
        Q(available_to__isnull=True) | Q(available_to__gte=bounds[0]))


SITE_ROW = np.dtype([("id", np.int64), ("commune", object), ("company", np.int64), ("lat", object), ("lon", object)])
def _rows(qs, dtype: np.dtype) -> np.ndarray:
    """A query's rows as one structured array: numbers land in typed columns without a Python loop."""
    rows = _fetch(qs)
    return np.fromiter(rows, dtype=dtype, count=len(rows))


def _site_rows(site_ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row of each ``wanted`` id in the sorted ``site_ids``, and whether it is there at all.

    Site ids are dense in practice, so a lookup table indexed by id replaces a binary
    search per flow; sparse ids fall back to the search.
    """
    if not site_ids.size or not wanted.size:
        return np.zeros(wanted.size, dtype=np.int64), np.zeros(wanted.size, dtype=bool)
    top = int(max(site_ids[-1], wanted.max()))
    if int(wanted.min()) >= 0 and top < 8 * (site_ids.size + wanted.size):
        table = np.full(top + 1, -1, dtype=np.int64)
        table[site_ids] = np.arange(site_ids.size)
        row = table[wanted]
        return np.maximum(row, 0), row >= 0
    row = np.minimum(np.searchsorted(site_ids, wanted), site_ids.size - 1)
    return row, site_ids[row] == wanted


def _members(communes) -> set | None:
    return None if communes is None else set(communes.values_list("insee", flat=True))


def _inside(labels: list, members: set | None) -> np.ndarray:
    """For each commune label (None: a site without a commune), is it one of the territory's?"""
    return np.array([c is not None and (members is None or c in members) for c in labels] or [False], dtype=bool)


ENUM_COLUMNS = ("direction", "kind", "base_unit")


def _enum_labels() -> dict[str, list[str]]:
    """The values each short text column of a flow can take, as the models and importers write them."""
    from boucle.flows.units import BASE

    return {"direction": list(Flow.Direction.values), "kind": list(Flow.Kind.values),
            "base_unit": ["", *dict.fromkeys(unit for unit, _ in BASE.values())]}


def _fetch_flows(scope):
    """(site, quantity, packed enums, material) per flow, and the labels behind the packed integer.

    Direction, kind and base unit are packed into one integer by the database (a CASE per column):
    half a million rows then bring one small int instead of three strings to Python, which is a
    third of the cost of reading the flows. A value outside the known labels (data written by hand)
    is looked up and added to the labels, and the rows are read again.
    """
    labels = _enum_labels()
    quote = connection.ops.quote_name
    while True:
        # CASE column WHEN label THEN code ...: the simple form, with the packing factors as literals,
        # is what SQLite evaluates fastest (the ORM's Case/When costs more than it saves).
        parts, params, scale = [], [], 1
        for column in ENUM_COLUMNS:
            values = labels[column]
            whens = " ".join(f"WHEN %s THEN {i * scale}" for i in range(len(values)))
            parts.append(f"(CASE {quote(Flow._meta.db_table)}.{quote(column)} {whens} ELSE {len(values) * scale} END)")
            params += values
            scale *= len(values) + 1
        packed = RawSQL(" + ".join(parts), params, output_field=IntegerField())
        rows = _fetch(scope.annotate(enums=packed).values_list("site_id", "quantity_base", "enums", "material_class"))
        seen = np.unique(np.fromiter(map(itemgetter(2), rows), dtype=np.int64, count=len(rows)))
        unknown = []
        for column in ENUM_COLUMNS:
            size = len(labels[column]) + 1
            if (seen % size == size - 1).any():  # the CASE's default: a value no label names
                unknown.append(column)
            seen //= size
        if not unknown:
            return rows, labels
        for column in unknown:
            found = scope.exclude(**{f"{column}__in": labels[column]}).values_list(column, flat=True).distinct()
            labels[column] = labels[column] + sorted(set(found))


def _flow_keys(rows, labels) -> tuple[np.ndarray, list[tuple]]:
    """Each row's code of (direction, kind, material, unit), and those tuples in order of first appearance."""
    enums = np.fromiter(map(itemgetter(2), rows), dtype=np.int64, count=len(rows))
    m_code, m_labels = ind.codes(list(map(itemgetter(3), rows)))
    combined = enums * max(len(m_labels), 1) + m_code
    distinct, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    fine = []
    for value in distinct[order].tolist():
        packed, material = divmod(value, max(len(m_labels), 1))
        parts = {}
        for column in ENUM_COLUMNS:
            packed, i = divmod(packed, len(labels[column]) + 1)
            parts[column] = labels[column][i]
        fine.append((parts["direction"], parts["kind"], m_labels[material], parts["base_unit"]))
    return rank[inverse.reshape(-1)], fine


def _flow_facts(communes, members, period, radius_km) -> list[ind.Facts]:
    """Open sites and the companies that have one, declared flows, declaring companies, needs and
    locally sourceable needs.

    Plain scans of the sites and the flows, joined and summed in numpy: on SQLite a
    GROUP BY, or a join, over half a million flows costs several times the scan, and
    (commune, company, material) is nearly unique per flow, so grouping in SQL would
    not shrink what reaches Python anyway. Text columns become integer codes once, so
    everything after the fetch is vectorised.
    """
    site = _rows(Site.objects.filter(closed=False).order_by("id").values_list("id", "commune_id", "company_id",
                                                                                "lat", "lon"), SITE_ROW)
    if not site.size:
        return []
    s_commune, communes_list = ind.codes(site["commune"])
    inside = _inside(communes_list, members)[s_commune]
    n_in = int(inside.sum())
    site_parts = [ind.Facts(s_commune[inside], site["company"][inside], np.zeros(n_in, dtype=np.int64), np.ones(n_in),
                            communes_list, [key]) for key in (("sites",), ("companies", "with_sites"))]
    lat, lon = site["lat"].astype(float), site["lon"].astype(float)
    full_scan = inside.sum() > FULL_SCAN_SHARE * site.size
    base = Flow.objects.filter(_period_q(period), declared_total=False).order_by()
    scope = base if full_scan else base.filter(_in(communes, "site__commune"))
    # A yearly total over several wastes is information about its site, never an offer: counted apart
    # (its own figure), out of the offers, the flows by material and the sources of the needs.
    totals, t_declaring = _declared_total_facts(Flow.objects.declared_totals().filter(_period_q(period))
                                                .order_by(), communes, full_scan, site, s_commune, inside,
                                                communes_list)
    site_parts += totals
    flows, enums = _fetch_flows(scope)
    if not flows:
        if t_declaring.size:
            site_parts.append(ind.Facts(s_commune[t_declaring], site["company"][t_declaring],
                                        np.zeros(t_declaring.size, dtype=np.int64), np.ones(t_declaring.size),
                                        communes_list, [("companies", "declaring")]))
        return site_parts
    key, fine = _flow_keys(flows, enums)
    flow_site = np.fromiter(map(itemgetter(0), flows), dtype=np.int64, count=len(flows))
    quantity = np.array(list(map(itemgetter(1), flows)), dtype=float)  # NULL becomes NaN
    del flows
    row, known = _site_rows(site["id"], flow_site)  # flows of closed sites have no row
    m_labels = list(dict.fromkeys(m for _, _, m, _ in fine))
    m_index = {m: i for i, m in enumerate(m_labels)}
    m_code = np.array([m_index[m] for _, _, m, _ in fine], dtype=np.int64)[key]
    is_offer = np.array([d == Flow.Direction.OFFER for d, _, _, _ in fine])[key]
    is_need = np.array([d == Flow.Direction.NEED for d, _, _, _ in fine])[key]
    has_material = np.array([bool(m) for m in m_labels])[m_code]
    offer_rows = np.flatnonzero(known & is_offer & has_material)
    offer_pool = (m_code[offer_rows], lat[row[offer_rows]], lon[row[offer_rows]]) if full_scan else None
    keep = known & inside[row]
    if not keep.any():
        return site_parts
    row, q, key = row[keep], np.nan_to_num(quantity[keep]), key[keep]
    commune, company = s_commune[row], site["company"][row]
    parts = [*site_parts, ind.Facts(commune, company, key, q, communes_list, [("flow_q", *k) for k in fine]),
             ind.Facts(commune, company, key, np.ones(key.size), communes_list, [("flow_n", *k) for k in fine])]
    # Flows per direction, counted per (commune, company, direction) before the roll-up: a copy of every
    # flow row under a coarser key would double the rows the roll-up sorts.
    direction = np.where(is_offer[keep], 0, np.where(is_need[keep], 1, 2))
    low = int(company.min())
    packed = (commune.astype(np.int64) << 42) | ((company - low) << 2) | direction  # company ids span < 2**40
    group, count = np.unique(packed, return_counts=True)
    g_direction = group & 3
    ok = g_direction < 2
    parts.append(ind.Facts((group >> 42)[ok], ((group >> 2) & ((1 << 40) - 1))[ok] + low, g_direction[ok],
                           count[ok].astype(float), communes_list, [("direction_n", "offer"), ("direction_n", "need")]))
    declaring = np.zeros(site.size, dtype=bool)
    declaring[row] = True  # one fact per site with a flow: the roll-up counts each company once
    declaring[t_declaring] = True  # a site that declared only a total did declare
    n = int(declaring.sum())
    parts.append(ind.Facts(s_commune[declaring], site["company"][declaring], np.zeros(n, dtype=np.int64), np.ones(n),
                           communes_list, [("companies", "declaring")]))
    need = is_need[keep]
    if need.any():
        need_material = np.where(has_material[keep][need], m_code[keep][need], -2)
        if offer_pool is None:
            wanted = [m_labels[c] for c in np.unique(need_material[need_material >= 0]).tolist()]
            pool = _fetch(Flow.objects.offers().filter(_period_q(period), material_class__in=wanted).order_by()
                          .values_list("site_id", "material_class"))
            p_site = np.asarray([p[0] for p in pool], dtype=np.int64)
            p_row, ok = _site_rows(site["id"], p_site)
            ok = np.flatnonzero(ok)
            p_code = np.array([m_index.get(pool[i][1], -1) for i in ok], dtype=np.int64)
            offer_pool = (p_code, lat[p_row[ok]], lon[p_row[ok]])
        c, co = commune[need], company[need]
        local = _offer_nearby(radius_km, need_material, lat[row[need]], lon[row[need]], offer_pool,
                              site["id"][row[need]], m_labels)
        # A need with a synergy within the radius is locally sourced even without a candidate
        # offer around (the offer may be gone): those few are read apart, by their synergies,
        # so the half a million flows above need not carry their ids.
        matched = _fetch(base.filter(direction=Flow.Direction.NEED, id__in=_matched_needs(radius_km))
                         .values_list("site_id", "material_class"))
        if matched:
            x_site = np.fromiter(map(itemgetter(0), matched), dtype=np.int64, count=len(matched))
            x_row, ok = _site_rows(site["id"], x_site)
            ok &= inside[x_row]
            x_row = x_row[ok]
            x_material = np.array([m_index.get(m, -2) if m else -2 for _, m in matched], dtype=np.int64)[ok]
            extra = ~_offer_nearby(radius_km, x_material, lat[x_row], lon[x_row], offer_pool, site["id"][x_row],
                                   m_labels)
            c_local = np.concatenate([c[local], s_commune[x_row[extra]]])
            co_local = np.concatenate([co[local], site["company"][x_row[extra]]])
        else:
            c_local, co_local = c[local], co[local]
        parts.append(ind.Facts(c, co, np.zeros(c.size, dtype=np.int64), np.ones(c.size), communes_list,
                               [("needs", "total")]))
        parts.append(ind.Facts(c_local, co_local, np.zeros(c_local.size, dtype=np.int64), np.ones(c_local.size),
                               communes_list, [("needs", "local")]))
    return parts


def _declared_total_facts(qs, communes, full_scan, site, s_commune, inside, communes_list):
    """Declared totals (``Flow.declared_total``) as their own figures, per hazard, kind, unit, source (``totals``) and
    direction (a site's total of what it takes in is never added to totals of what it gives off):
    ``("declared_total_q", hazard, kind, unit, source, direction)`` quantity per year and ``("declared_total_n", …)`` flows; and
    the rows (in ``site``) of the territory's sites that declared one."""
    if not full_scan:
        qs = qs.filter(_in(communes, "site__commune"))
    rows = _fetch(qs.values_list("site_id", "quantity_base", "base_unit", "hazardous", "label", "kind", "direction"))
    if not rows:
        return [], np.zeros(0, dtype=np.int64)
    t_site = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=len(rows))
    row, known = _site_rows(site["id"], t_site)
    keep = known & inside[row]
    row = row[keep]
    q = np.nan_to_num(np.array([r[1] for r in rows], dtype=float)[keep])
    # a total without a quantity or unit is counted, never summed as « 0 » of no unit (``unit`` empty)
    group, groups = ind.codes([(totals.hazard_of(r[3], r[4]), r[5] or "material",
                                (r[2] or "") if r[1] is not None else "", totals.source_of(r[4]),
                                totals.side_of(r[6]))
                               for r, k in zip(rows, keep.tolist()) if k])
    commune, company = s_commune[row], site["company"][row]
    return ([ind.Facts(commune, company, group, q, communes_list, [("declared_total_q", *g) for g in groups]),
             ind.Facts(commune, company, group, np.ones(row.size), communes_list,
                       [("declared_total_n", *g) for g in groups])],
            np.unique(row))


def _matched_needs(radius_km):
    """Needs named by a live synergy within the radius: locally sourced whatever offers remain."""
    return (Synergy.objects.filter(distance_km__lte=radius_km, need__isnull=False)
            .exclude(status=lifecycle.DECLINED).exclude(stale=True, status=lifecycle.SUGGESTED).values("need_id"))


def _offer_nearby(radius_km, need_code, lat, lon, offers, need_site, m_labels) -> np.ndarray:
    """Needs with a source within the radius: a same-material offer anywhere on the platform, or a
    directory establishment that usually produces the material — the local-sourcing search's
    ``sourcing.services.needs_with_source`` (one implementation). ``need_code`` indexes
    ``m_labels``; a need without a material has a negative code."""
    from boucle.sourcing.services import needs_with_source

    return needs_with_source(radius_km, need_code, need_site, lat, lon, m_labels, offers)


SYNERGY_ROW = np.dtype([("id", np.int64), ("offer", np.int64), ("status", object), ("commune", object),
                        ("company", np.int64), ("need_commune", object), ("need_company", np.int64),
                        ("tonnes", object), ("co2", object), ("eur", object), ("quantity", object), ("kind", object)])
SYNERGY_COLUMNS = ("id", "offer_id", "status", "offer__site__commune_id", "offer__site__company_id",
                   "need_site__commune_id", "need_site__company_id", "tonnes_diverted", "co2e_avoided_t", "eur_saved",
                   "quantity_t", "offer__kind")


def _synergy_facts(communes, members, period) -> ind.Facts:
    """Synergies by status, their estimated and potential impacts, and the companies engaged.

    A synergy counts where its offering site is, so it counts once across levels; the
    companies engaged are those of both sites. One read of the synergies touching the
    territory, sorted out in numpy: one query per figure made SQLite walk every flow of
    the territory each time.
    """
    qs = _synergies(period).filter(_in(communes, "offer__site__commune") | _in(communes, "need_site__commune"))
    syn = _rows(qs.order_by("id").values_list(*SYNERGY_COLUMNS), SYNERGY_ROW)
    n = syn.size
    if not n:
        return ind.Facts.empty()
    commune, labels = ind.codes(np.concatenate([syn["commune"], syn["need_commune"]]))
    inside = _inside(labels, members)[commune]
    commune, need_commune, inside, need_inside = commune[:n], commune[n:], inside[:n], inside[n:]
    company = syn["company"]
    status, statuses = ind.codes(syn["status"])
    running = np.isin(status, [i for i, s in enumerate(statuses) if s == lifecycle.RUNNING])
    is_open = np.isin(status, [i for i, s in enumerate(statuses) if s in OPEN])
    engaged = np.isin(status, [i for i, s in enumerate(statuses) if s in ENGAGED])
    water, energy = syn["kind"] == Flow.Kind.WATER, syn["kind"] == Flow.Kind.ENERGY
    material = ~(water | energy)
    # Quantities by kind: tonnes of material, MWh of energy, m3 of water, never in one column.
    values = np.column_stack([np.where(material, syn["tonnes"], None).astype(float), syn["co2"].astype(float),
                              syn["eur"].astype(float), np.where(water, syn["quantity"], None).astype(float),
                              np.where(energy, syn["quantity"], None).astype(float)])

    def facts(rows, keys, key=None, value=None, where=commune, who=company):
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        return ind.Facts(where[rows], who[rows], np.zeros(rows.size, dtype=np.int64) if key is None else key[rows],
                         np.ones(rows.size) if value is None else value, labels, keys)

    def impacts(rows, basis):
        """One fact per synergy of ``rows`` and metric the synergy has a (non-zero) value for."""
        out = []
        for j, metric in enumerate(ind.IMPACT_METRICS):
            has = rows[np.nan_to_num(values[rows, j]) != 0]
            out.append(facts(has, [("impact", basis, metric)], value=values[has, j]))
        return out

    parts = [facts(inside, [("status", s) for s in statuses], key=status)]
    parts += impacts(np.flatnonzero(inside & running), "estimated")
    # The potential is not read here: suggestions overlap (one offer, several receivers), so it is the
    # optimal allocation (``_potential_facts``), never a sum or a pick of suggestions.
    parts.append(facts(inside & engaged, [("companies", "in_synergies")]))
    parts.append(facts(need_inside & engaged, [("companies", "in_synergies")], where=need_commune,
                       who=syn["need_company"]))
    return ind.compact(ind.concat(parts))


def _verified_rows(communes, period):
    outcomes = (VerifiedOutcome.objects.filter(_in(communes, "synergy__offer__site__commune"))
                .order_by("recorded_at", "id")
                .values_list("synergy_id", "synergy__offer__site__commune_id", "synergy__offer__site__company_id",
                             "start_date", "tonnes_per_year", "co2e_avoided_t_per_year", "eur_per_year",
                             "water_m3_per_year", "mwh_per_year"))
    latest = {}
    for row in outcomes:
        if period is not None and row[3] is not None and row[3].year > period:
            continue
        latest[row[0]] = row  # the latest record of a synergy supersedes earlier ones
    for _, commune, company, _, *values in latest.values():
        for metric, value in zip(ind.IMPACT_METRICS, values):
            if value:
                yield commune, company, ("impact", "verified", metric), value


def _potential_facts(ref, communes, period) -> ind.Facts:
    """The territory's potential (``boucle.matching.territory_potential``: the optimal allocation of its
    open suggestions), one fact per exchange and figure at the offering site's commune and company.

    Rolled up over the territory, the facts give the allocation's own totals; rolled up over one of its
    parts (an EPCI of the region's map), that part's share of the territory's allocation.
    """
    from boucle.matching.potential import METRICS, exchange_figures, solve
    from boucle.matching.territory_potential import potential_of, stored_candidates

    if ref is not None or communes is None:
        result = potential_of(ref, period=period)
    else:
        result = solve(stored_candidates(communes, period))
    rows = [e for e in result.exchanges if e["offer_commune"] is not None]
    if not rows:
        return ind.Facts.empty()
    commune, labels = ind.codes([e["offer_commune"] for e in rows])
    company = np.fromiter((e["offer_company"] for e in rows), dtype=np.int64, count=len(rows))
    metrics = [m for m in METRICS if m in ind.IMPACT_METRICS]  # the allocation's m3 is its water_m3
    values = np.array([[f[m] for m in metrics] for f in map(exchange_figures, rows)], dtype=float)
    keep = values != 0
    r, m = np.nonzero(keep)
    return ind.Facts(commune[r], company[r], m.astype(np.int64), values[keep], labels,
                     [("impact", "potential", metric) for metric in metrics])


def territory_facts(communes=None, period: int | None = None, radius_km: float | None = None, ref=None) -> ind.Facts:
    """All additive facts of the communes (a queryset; None: every commune), ready to roll up.

    ``ref``, the territory the communes make up, names the potential to use (kept per data version).
    """
    radius = settings.BOUCLE_MATCH_RADIUS_KM if radius_km is None else radius_km
    members = _members(communes)
    facts = ind.concat([*_flow_facts(communes, members, period, radius),
                        _synergy_facts(communes, members, period),
                        ind.Facts.from_rows(_verified_rows(communes, period)),
                        _potential_facts(ref, communes, period)])
    return ind.derive(facts, ind.standard_derivations)


def member_codes(ref) -> list[str]:
    return list(ref.communes().values_list("insee", flat=True))


def territory_figures(ref, period: int | None = None) -> dict:
    communes = ref.communes().values("insee")
    return ind.rollup(territory_facts(communes, period, ref=ref), member_codes(ref))


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
    facts = territory_facts(ref.communes().values("insee"), period, ref=ref)
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


def critical_materials(ref=None, public: bool = False, period: int | None = None, lang: str = "fr") -> list[dict]:
    """Tonnes per year of declared flows carrying each EU critical raw material, in ``ref`` (a
    territory, or None for the whole platform); ``public`` applies the disclosure rule. Strategic
    materials first, then by tonnage."""
    from boucle.materials.crm import classes_with_crm, critical_raw_materials

    from .critical import crm_figures

    crms_of_class = {k: [c.crm.key for c in v] for k, v in classes_with_crm().items()}
    qs = flow_queryset(ref.communes() if ref is not None else None, period).filter(
        material_class__in=list(crms_of_class), base_unit="t", quantity_base__isnull=False, declared_total=False)
    rows = qs.values_list("site__company_id", "direction", "material_class", "quantity_base")
    figures = crm_figures(rows, crms_of_class, public)
    catalogue = critical_raw_materials()
    out = [{"crm": key, "name": catalogue[key].name(lang), "strategic": catalogue[key].strategic, **fig}
           for key, fig in figures.items()]
    return sorted(out, key=lambda r: (not r["strategic"], -((r["offers_t"] or 0) + (r["needs_t"] or 0)), r["crm"]))
