"""Exports of indicators (CSV, XLSX, GeoJSON) and, for facilitators, of flows and synergies.

Indicators go out in the long, versioned open-data layout of ``docs/open-data-schema.md``
(one row per figure), except GeoJSON, which carries one feature per mapping unit with
the headline figures as properties. A public export is built from the same indicator
documents as the public pages, so the disclosure rule cannot be skipped by exporting.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boucle import figures, jsonout, spreadsheets
from boucle.impact.ranges import shown
from boucle.territories import coarse

from . import columns as columns_words
from . import geo, queries
from . import indicators as ind

SCHEMA_VERSION = queries.SCHEMA_VERSION
# ``hazardous`` and ``source`` (schema 3.1) come last so a reader of the 3.0 columns by position still works.
INDICATOR_COLUMNS = ["schema_version", "territory_level", "territory_code", "territory_name", "period",
                     "indicator", "direction", "kind", "material_class", "status", "basis", "unit", "value",
                     "hazardous", "source"]
_DIMENSIONS = [c for c in INDICATOR_COLUMNS[6:] if c != "value"]
_HAZARDOUS = {"hazardous": True, "non_hazardous": False, "": None}
FLOW_COLUMNS = ["flow_id", "direction", "kind", "label", "material_class", "ewc", "quantity_per_year", "unit",
                "illustrative", "confidential", "site_id", "site_name", "company", "naf", "commune", "epci", "lat",
                "lon", "hazardous", "declared_total"]
SYNERGY_COLUMNS = ["synergy_id", "status", "material_class", "offer_site", "offer_company", "offer_commune",
                   "need_site", "need_company", "need_commune", "inferred", "distance_km", "quantity_t",
                   "estimated_tonnes_diverted", "estimated_co2e_avoided_t", "estimated_eur_saved", "score", "unit",
                   "estimate_basis"]


#: Estimates a person's download rounds as the pages do (``impact.ranges.shown``): a synergy's columns, and
#: the indicator rows of these metrics on an estimated basis (a verified figure is measured, kept as recorded).
#: The open-data files (``readable=False``: CLI, scripts) keep the stored figures, to be summed without drift.
SHOWN_COLUMNS = {"estimated_co2e_avoided_t": "co2e", "estimated_eur_saved": "eur"}
SHOWN_INDICATORS = {"co2e_avoided_t": "co2e", "eur_saved": "eur"}


def _as_shown(rows: list[dict]) -> list[dict]:
    """Rows with their estimates rounded as the cards and totals show them."""
    out = []
    for r in rows:
        r = dict(r)
        for column, kind in SHOWN_COLUMNS.items():
            if r.get(column) is not None and r.get(column) != "":
                low, high = (r.get("_co2e_range") or (None, None)) if kind == "co2e" else (None, None)
                r[column] = shown(r[column], kind, low, high)
        kind = SHOWN_INDICATORS.get(r.get("indicator"))
        if kind and r.get("basis") in ("estimated", "potential") and isinstance(r.get("value"), (int, float)):
            r["value"] = shown(r["value"], kind)
        out.append(r)
    return out


def _co2e_range(explanation) -> tuple:
    e = explanation if isinstance(explanation, dict) else {}
    return e.get("co2e_low_t"), e.get("co2e_high_t")


class ExportRefused(ValueError):
    """An export that would reveal what its audience may not see."""


def indicator_rows(doc: dict, level: str, code: str, name: str) -> list[dict]:
    """One row per figure of an indicator document (``queries.territory_indicators``)."""
    base = {"schema_version": SCHEMA_VERSION, "territory_level": level, "territory_code": code,
            "territory_name": name, "period": doc.get("period") or ""}

    def row(indicator, value, **dims):
        return {**base, "indicator": indicator, **{c: dims.get(c, "") for c in _DIMENSIONS},
                "value": "" if value is None else value}

    rows = []
    for f in doc["flows"]:
        rows.append(row("declared_quantity", f["quantity"], direction=f["direction"], kind=f["kind"],
                        material_class=f["material_class"], unit=f["unit"]))
        rows.append(row("declared_flows", f["flows"], direction=f["direction"], kind=f["kind"],
                        material_class=f["material_class"]))
    for f in doc["flows_by_kind"]:
        rows.append(row("declared_quantity", f["quantity"], direction=f["direction"], kind=f["kind"], unit=f["unit"]))
    counts: dict[tuple, float | None] = {}
    for f in doc.get("declared_totals", []):
        # .get: a document cached by an earlier release (shared cache, one hour) lacks the newer keys
        kind = f.get("kind", "material")
        dims = {"kind": kind, "hazardous": _HAZARDOUS.get(f.get("hazard", "")), "source": f.get("source", ""),
                "direction": f.get("direction", "offer")}  # a need's total is never added to the offers
        if f["unit"]:  # a quantity in its own unit; declarations without one are only counted
            rows.append(row("declared_total_quantity", f["quantity"], unit=f["unit"], **dims))
        key = (f.get("hazard", ""), kind, dims["source"], dims["direction"])
        # a number of declarations has no unit: counted over the units of their quantities (a count withheld by
        # the disclosure rule withholds the sum)
        counts[key] = None if f["flows"] is None or (key in counts and counts[key] is None) else \
            counts.get(key, 0) + f["flows"]
    for (hazard, kind, source, direction), n in counts.items():
        rows.append(row("declared_total_flows", n, kind=kind, hazardous=_HAZARDOUS.get(hazard), source=source,
                        direction=direction))
    for status, n in doc["synergies"]["by_status"].items():
        rows.append(row("synergies", n, status=status))
    for stage in doc["synergies"]["funnel"]:
        rows.append(row("synergies_reached", stage["reached"], status=stage["status"]))
    units = {"tonnes_diverted": "t", "co2e_avoided_t": "tCO2e", "eur_saved": "EUR", "water_m3": "m3", "mwh": "MWh"}
    for basis, metrics in doc["impacts"].items():
        for metric, value in metrics.items():
            rows.append(row(metric, value, basis=basis, unit=units[metric]))
    src = doc["local_sourcing"]
    rows.append(row("needs", src["needs"]))
    rows.append(row("needs_with_local_source", src["needs_with_local_source"]))
    rows.append(row("local_sourcing_share", src["share"]))
    rows.append(row("companies_declaring", doc["companies"]["declaring"]))
    rows.append(row("companies_in_synergies", doc["companies"]["in_synergies"]))
    return rows


def territory_rows(ref, public: bool, period: int | None = None) -> tuple[list[dict], list[dict]]:
    """Rows for the territory and each of its mapping units, and the units' GeoJSON features."""
    rows = indicator_rows(queries.territory_indicators(ref, public, period), ref.level, ref.code, ref.name)
    level = queries.subdivision_level(ref)
    units, figures = queries.subdivision_figures(ref, period)
    props = []
    for (code, name, _), figs in zip(units, figures):
        doc = {**ind.present(figs, public), "period": period}
        if not (ref.level == level and code == ref.code):
            rows += indicator_rows(doc, level, code, name)
        props.append((code, name, {"schema_version": SCHEMA_VERSION, "period": period, "public": public,
                                   **ind.headline(doc)}))
    return rows, geo.features(level, props)


def write_table(rows: list[dict], columns: list[str], fmt: str, sheet: str = "data", readable: bool = False) -> bytes:
    """Rows as CSV or XLSX through the one spreadsheet writer (formula-like text neutralised).

    ``readable``: for a person downloading from a page, headers and coded values in their language
    (``columns``), a CSV that a French spreadsheet opens (semicolons, byte-order mark), and in XLSX a
    sheet pairing each header with its stable key of ``docs/open-data-schema.md``."""
    if readable:
        return _readable_table(_as_shown(rows), columns, fmt, sheet)
    if fmt == "csv":
        return spreadsheets.csv_text(spreadsheets.dict_rows(rows, columns), header=columns).encode("utf-8")
    if fmt == "xlsx":
        meta = [["schema_version", SCHEMA_VERSION],
                ["schema", "https://github.com/boucle/boucle/blob/main/docs/open-data-schema.md"]]
        return spreadsheets.xlsx_bytes([(sheet, [columns, *spreadsheets.dict_rows(rows, columns)]),
                                        ("metadata", meta)])
    raise ValueError(f"unknown table format {fmt!r}: csv or xlsx")


SHEETS = {"indicators": gettext_lazy("indicateurs"), "flows": gettext_lazy("flux"),
          "synergies": gettext_lazy("synergies"), "critical_raw_materials": gettext_lazy("matières critiques")}


#: Quantities (t, MWh, m3, kg) a person reads as the pages show them (``figures.quantity``); distances to a
#: tenth of a km (``web.words.distance_figure``). Scores, coordinates and counts are left as they are.
READABLE_QUANTITIES = {"value", "quantity_per_year", "quantity_t", "estimated_tonnes_diverted",
                       "estimated_co2e_avoided_t", "offers_t", "needs_t"}


def _rounded_for_reading(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        r = dict(r)
        for column in READABLE_QUANTITIES.intersection(r):
            if isinstance(r[column], float) and (column != "value" or r.get("unit")):  # a share has no unit
                r[column] = figures.quantity(r[column])
        if isinstance(r.get("distance_km"), float):
            r["distance_km"] = round(r["distance_km"], 1)
        out.append(r)
    return out


def _readable_table(rows, columns, fmt, sheet):
    rows = _rounded_for_reading(rows)
    columns = [c for c in columns if c not in columns_words.KEYS_ONLY]
    headers = [columns_words.header(c) for c in columns]
    body = spreadsheets.dict_rows(columns_words.in_words(rows, columns), headers)
    if fmt == "csv":
        # a spreadsheet opens it in the reader's conventions: in French « ; » between cells and « , » before
        # decimals (1234,5), in English « , » and « . »; XLSX cells are numbers and need neither
        french = not (get_language() or "fr").startswith("en")
        body = [[columns_words.csv_number(v, french) for v in row] for row in body]
        text = spreadsheets.csv_text(body, header=headers, delimiter=";" if french else ",")
        return ("\ufeff" + text).encode("utf-8")
    if fmt == "xlsx":
        meta = [[_("version du schéma"), SCHEMA_VERSION],
                [_("schéma"), "https://github.com/boucle/boucle/blob/main/docs/open-data-schema.md"]]
        keys = [[_("colonne"), _("clé stable (schéma de données ouvertes)")], *zip(headers, columns)]
        return spreadsheets.xlsx_bytes([(str(SHEETS.get(sheet, sheet)), [headers, *body]),
                                        (_("colonnes"), keys), (_("métadonnées"), meta)])
    raise ValueError(f"unknown table format {fmt!r}: csv or xlsx")


def feature_collection(features: list[dict], **meta) -> bytes:
    doc = {"type": "FeatureCollection", "schema_version": SCHEMA_VERSION, **meta, "features": features}
    return jsonout.dumps(doc, ensure_ascii=False).encode("utf-8")


def export_indicators(ref, fmt: str, public: bool, period: int | None = None, readable: bool = False) -> bytes:
    rows, features = territory_rows(ref, public, period)
    if fmt == "geojson":
        return feature_collection(features, territory=str(ref), public=public)
    return write_table(rows, INDICATOR_COLUMNS, fmt, sheet="indicators", readable=readable)


def flow_rows(ref) -> list[dict]:
    from boucle.materials.hazard import of_flow

    qs = (queries.flow_queryset(ref.communes().values("insee"))
          .select_related("site", "site__company", "site__commune", "ewc").order_by("site__site_id", "id"))
    return [{"flow_id": f.pk, "direction": f.direction, "kind": f.kind, "label": f.label,
             "material_class": f.material_class, "ewc": f.ewc_id or "", "quantity_per_year": f.quantity_base,
             "unit": f.base_unit, "illustrative": f.illustrative, "confidential": f.confidential,
             "site_id": f.site.site_id, "site_name": f.site.name, "company": f.site.company.name,
             "naf": f.site.naf_id or "", "commune": f.site.commune_id or "",
             "epci": f.site.commune.epci_id if f.site.commune else "",
             **dict(zip(("lat", "lon"), coarse.exact_point(f.site.lat, f.site.lon))),
             "hazardous": of_flow(f) is not None,  # the reason the flow's page gives
             "declared_total": f.declared_total}
            for f in qs]


def _sees(user, site) -> bool:
    """The command line (no user) is the administrator; on the web, ``can_see_site`` decides (a
    facilitator sees the sites of his territory)."""
    from boucle.accounts.access import can_see_site

    return user is None or can_see_site(user, site)


def synergy_rows(ref, user=None, statuses=None) -> list[dict]:
    """Synergies attributed to ``ref`` (by the offering site). The other side may lie outside the
    territory: ``user`` then gets no name, id, commune nor exact distance for it."""
    qs = queries.synergy_queryset(ref.communes().values("insee"))
    if statuses is not None:
        qs = qs.filter(status__in=statuses)  # in SQL: a region holds tens of thousands of suggestions
    qs = (qs.select_related("offer__site__company", "offer__site__commune", "need_site__company", "need_site__commune",
                          "offer")
          .order_by("id"))
    rows = []
    for s in qs:
        offer, need = s.offer.site, s.need_site
        sees_offer, sees_need = _sees(user, offer), _sees(user, need)
        both = sees_offer and sees_need
        # a hidden side's quantity is not named: the exchange (the smaller of the two) and its estimates to two
        # significant digits (``coarse.rounded_quantity``); the score, which gives the distance back, not at all
        shown = (lambda v: v) if both else coarse.rounded_quantity
        rows.append({
            "synergy_id": s.pk, "status": s.status, "material_class": s.material_class,
            "offer_site": offer.site_id if sees_offer else "", "offer_company": offer.company.name if sees_offer else "",
            "offer_commune": (offer.commune_id or "") if sees_offer else "",
            "need_site": need.site_id if sees_need else "", "need_company": need.company.name if sees_need else "",
            "need_commune": (need.commune_id or "") if sees_need else "",
            "inferred": s.inferred, "distance_km": s.distance_km if both else None,
            "quantity_t": shown(s.quantity_t), "estimated_tonnes_diverted": shown(s.tonnes_diverted),
            "estimated_co2e_avoided_t": shown(s.co2e_avoided_t), "estimated_eur_saved": shown(s.eur_saved),
            "score": s.score if both else None,
            # not a column: its range, for a person's download to round the CO2e as the synergy's card does
            "_co2e_range": _co2e_range(s.explanation),
            "unit": s.offer.base_unit,  # the unit of quantity_t: t, MWh or m3 by the offer's kind
            # what the figures are for (matching.additionality.BASIS_*): quantity_t and the estimates are
            # empty for « to_agree », an upper bound for « whole_offer »
            "estimate_basis": (s.explanation.get("estimate_basis") if isinstance(s.explanation, dict) else None) or ""})
    return rows


def _point_features(rows, lat="lat", lon="lon", id_field="flow_id"):
    return [{"type": "Feature", "id": r[id_field],
             "geometry": {"type": "Point", "coordinates": [r[lon], r[lat]]} if r[lat] is not None else None,
             "properties": r} for r in rows]


def export_records(ref, what: str, fmt: str, public: bool, user=None, readable: bool = False) -> bytes:
    """Flows or synergies of a territory: the facilitator's view only."""
    if public:
        raise ExportRefused(_("%(what)s : les données par enregistrement ne sont jamais publiques ; "
                              "exportez les indicateurs") % {"what": what})
    if what == "flows":
        rows = flow_rows(ref)
        if fmt == "geojson":
            return feature_collection(_point_features(rows), territory=str(ref), public=False)
        return write_table(rows, FLOW_COLUMNS, fmt, sheet="flows", readable=readable)
    rows = synergy_rows(ref, user)
    if fmt == "geojson":
        return feature_collection(synergy_lines(ref, rows, user), territory=str(ref), public=False)
    return write_table(rows, SYNERGY_COLUMNS, fmt, sheet="synergies", readable=readable)


def _end(user, site) -> tuple[float | None, float | None]:
    """Where a line ends: ``accounts.access.point_shown`` (exact for a site the reader sees in full, ≈ 100 m for
    a company that chose to be public), else the centre of the area the synergy's card tells of it
    (``territories.secrecy.hidden_points``: its intercommunality at most, where three establishments of its
    activity share it); nowhere when no area may be told."""
    from boucle.accounts.access import point_shown
    from boucle.territories.secrecy import hidden_points

    if user is None:
        return coarse.exact_point(site.lat, site.lon)
    lat, lon = point_shown(user, site)
    if lat is not None:
        return lat, lon
    return hidden_points([site]).get(site.pk) or (None, None)


def synergy_lines(ref, rows, user=None):
    from boucle.matching.models import Synergy

    coords = {s.pk: (s.offer.site, s.need_site) for s in Synergy.objects.filter(pk__in=[r["synergy_id"] for r in rows])
              .select_related("offer__site__commune__epci", "offer__site__company", "need_site__commune__epci",
                                     "need_site__company")}
    out = []
    for r in rows:
        ends = [_end(user, site) for site in coords[r["synergy_id"]]]
        (a_lat, a_lon), (b_lat, b_lon) = ends
        geometry = None
        if None not in (a_lat, a_lon, b_lat, b_lon):
            # Two sites at one address make a degenerate (invalid) line: a point says the same.
            geometry = ({"type": "Point", "coordinates": [a_lon, a_lat]} if (a_lat, a_lon) == (b_lat, b_lon)
                        else {"type": "LineString", "coordinates": [[a_lon, a_lat], [b_lon, b_lat]]})
        properties = {k: v for k, v in r.items() if not k.startswith("_")}  # columns only
        out.append({"type": "Feature", "id": r["synergy_id"], "properties": properties, "geometry": geometry})
    return out


def export(ref, what: str, fmt: str, public: bool, period: int | None = None, user=None,
           readable: bool = False) -> bytes:
    """``user``: the web reader (facilitator), whose view of sites outside his territory is limited;
    None on the command line. ``readable``: headers and values in words (``write_table``); the command
    line and the API keep the schema's keys."""
    if fmt not in ("csv", "xlsx", "geojson"):
        raise ValueError(f"unknown format {fmt!r}: csv, xlsx or geojson")
    if what == "indicators":
        return export_indicators(ref, fmt, public, period, readable)
    if what in ("flows", "synergies"):
        return export_records(ref, what, fmt, public, user, readable)
    if what == "critical":
        if fmt == "geojson":
            raise ExportRefused(_("critical : un tableau, exportez-le en csv ou xlsx"))
        from .queries import critical_materials

        lang = "en" if readable and (get_language() or "fr").startswith("en") else "fr"
        rows = [{**r, "classes": " ".join(r["classes"])}
                for r in critical_materials(ref, public=public, period=period, lang=lang)]
        return write_table(rows, CRITICAL_COLUMNS, fmt, sheet="critical_raw_materials", readable=readable)
    raise ValueError(f"unknown export {what!r}: indicators, flows, synergies or critical")


#: Tonnes per year of declared flows whose material class carries each critical raw material
#: (Regulation (EU) 2024/1252); public exports leave a figure blank when the disclosure rule holds it back.
CRITICAL_COLUMNS = ["crm", "name", "strategic", "offers_t", "needs_t", "companies", "classes"]
