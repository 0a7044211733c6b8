"""Exports of indicators (CSV, XLSX, GeoJSON) and, for facilitators, of flows and synergies.

Indicators go out in the long, versioned open-data layout of ``docs/open-data-schema.md``
(one row per figure), except GeoJSON, which carries one feature per mapping unit with
the headline figures as properties. A public export is built from the same indicator
documents as the public pages, so the disclosure rule cannot be skipped by exporting.
"""

from __future__ import annotations

import csv
import io
import json

from . import geo, queries
from . import indicators as ind

SCHEMA_VERSION = queries.SCHEMA_VERSION
INDICATOR_COLUMNS = ["schema_version", "territory_level", "territory_code", "territory_name", "period",
                     "indicator", "direction", "kind", "material_class", "status", "basis", "unit", "value"]
FLOW_COLUMNS = ["flow_id", "direction", "kind", "label", "material_class", "ewc", "quantity_per_year", "unit",
                "illustrative", "confidential", "site_id", "site_name", "company", "naf", "commune", "epci", "lat",
                "lon", "hazardous"]
SYNERGY_COLUMNS = ["synergy_id", "status", "material_class", "offer_site", "offer_company", "offer_commune",
                   "need_site", "need_company", "need_commune", "inferred", "distance_km", "quantity_t",
                   "estimated_tonnes_diverted", "estimated_co2e_avoided_t", "estimated_eur_saved", "score", "unit"]


class ExportRefused(ValueError):
    """An export that would reveal what its audience may not see."""


def indicator_rows(doc: dict, level: str, code: str, name: str) -> list[dict]:
    """One row per figure of an indicator document (``queries.territory_indicators``)."""
    base = {"schema_version": SCHEMA_VERSION, "territory_level": level, "territory_code": code,
            "territory_name": name, "period": doc.get("period") or ""}

    def row(indicator, value, **dims):
        return {**base, "indicator": indicator, **{c: dims.get(c, "") for c in INDICATOR_COLUMNS[6:12]},
                "value": "" if value is None else value}

    rows = []
    for f in doc["flows"]:
        rows.append(row("declared_quantity", f["quantity"], direction=f["direction"], kind=f["kind"],
                        material_class=f["material_class"], unit=f["unit"]))
        rows.append(row("declared_flows", f["flows"], direction=f["direction"], kind=f["kind"],
                        material_class=f["material_class"]))
    for f in doc["flows_by_kind"]:
        rows.append(row("declared_quantity", f["quantity"], direction=f["direction"], kind=f["kind"], unit=f["unit"]))
    for status, n in doc["synergies"]["by_status"].items():
        rows.append(row("synergies", n, status=status))
    for stage in doc["synergies"]["funnel"]:
        rows.append(row("synergies_reached", stage["reached"], status=stage["status"]))
    units = {"tonnes_diverted": "t", "co2e_avoided_t": "tCO2e", "eur_saved": "EUR", "water_m3": "m3", "mwh": "MWh",
             "m3": "m3"}
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


def write_table(rows: list[dict], columns: list[str], fmt: str, sheet: str = "data") -> bytes:
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = sheet
        ws.append(columns)
        for r in rows:
            ws.append([r.get(c, "") for c in columns])
        meta = wb.create_sheet("metadata")
        meta.append(["schema_version", SCHEMA_VERSION])
        meta.append(["schema", "https://github.com/boucle/boucle/blob/main/docs/open-data-schema.md"])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    raise ValueError(f"unknown table format {fmt!r}: csv or xlsx")


def feature_collection(features: list[dict], **meta) -> bytes:
    doc = {"type": "FeatureCollection", "schema_version": SCHEMA_VERSION, **meta, "features": features}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def export_indicators(ref, fmt: str, public: bool, period: int | None = None) -> bytes:
    rows, features = territory_rows(ref, public, period)
    if fmt == "geojson":
        return feature_collection(features, territory=str(ref), public=public)
    return write_table(rows, INDICATOR_COLUMNS, fmt, sheet="indicators")


def is_hazardous(declared: bool | None, ewc_hazardous: bool | None, material_class: str) -> bool:
    """Hazardous when the company declared it, its waste code carries the hazard marker (*), or its class
    is hazardous whatever the code (``materials.taxonomy.hazardous_classes``)."""
    from boucle.materials.taxonomy import hazardous_classes

    return bool(declared) or bool(ewc_hazardous) or material_class in hazardous_classes()


def flow_rows(ref) -> list[dict]:
    qs = (queries.flow_queryset(ref.communes().values("insee"))
          .select_related("site", "site__company", "site__commune", "ewc").order_by("site__site_id", "id"))
    return [{"flow_id": f.pk, "direction": f.direction, "kind": f.kind, "label": f.label,
             "material_class": f.material_class, "ewc": f.ewc_id or "", "quantity_per_year": f.quantity_base,
             "unit": f.base_unit, "illustrative": f.illustrative, "confidential": f.confidential,
             "site_id": f.site.site_id, "site_name": f.site.name, "company": f.site.company.name,
             "naf": f.site.naf_id or "", "commune": f.site.commune_id or "",
             "epci": f.site.commune.epci_id if f.site.commune else "", "lat": f.site.lat, "lon": f.site.lon,
             "hazardous": is_hazardous(f.hazardous, f.ewc.hazardous if f.ewc else None, f.material_class)}
            for f in qs]


def synergy_rows(ref) -> list[dict]:
    qs = (queries.synergy_queryset(ref.communes().values("insee"))
          .select_related("offer__site__company", "need_site__company").order_by("id"))
    return [{"synergy_id": s.pk, "status": s.status, "material_class": s.material_class,
             "offer_site": s.offer.site.site_id, "offer_company": s.offer.site.company.name,
             "offer_commune": s.offer.site.commune_id or "", "need_site": s.need_site.site_id,
             "need_company": s.need_site.company.name, "need_commune": s.need_site.commune_id or "",
             "inferred": s.inferred, "distance_km": s.distance_km, "quantity_t": s.quantity_t,
             "estimated_tonnes_diverted": s.tonnes_diverted, "estimated_co2e_avoided_t": s.co2e_avoided_t,
             "estimated_eur_saved": s.eur_saved, "score": s.score,
             "unit": s.offer.base_unit} for s in qs]  # the unit of quantity_t: t, MWh or m3 by the offer's kind


def _point_features(rows, lat="lat", lon="lon", id_field="flow_id"):
    return [{"type": "Feature", "id": r[id_field],
             "geometry": {"type": "Point", "coordinates": [r[lon], r[lat]]} if r[lat] is not None else None,
             "properties": r} for r in rows]


def export_records(ref, what: str, fmt: str, public: bool) -> bytes:
    """Flows or synergies of a territory: the facilitator's view only."""
    if public:
        raise ExportRefused(f"{what}: record-level data is never public; export indicators instead")
    if what == "flows":
        rows = flow_rows(ref)
        if fmt == "geojson":
            return feature_collection(_point_features(rows), territory=str(ref), public=False)
        return write_table(rows, FLOW_COLUMNS, fmt, sheet="flows")
    rows = synergy_rows(ref)
    if fmt == "geojson":
        return feature_collection(synergy_lines(ref, rows), territory=str(ref), public=False)
    return write_table(rows, SYNERGY_COLUMNS, fmt, sheet="synergies")


def synergy_lines(ref, rows):
    from boucle.matching.models import Synergy

    coords = {s.pk: (s.offer.site, s.need_site) for s in Synergy.objects.filter(pk__in=[r["synergy_id"] for r in rows])
              .select_related("offer__site", "need_site")}
    out = []
    for r in rows:
        a, b = coords[r["synergy_id"]]
        geometry = None
        if None not in (a.lat, a.lon, b.lat, b.lon):
            # Two sites at one address make a degenerate (invalid) line: a point says the same.
            geometry = ({"type": "Point", "coordinates": [a.lon, a.lat]} if (a.lat, a.lon) == (b.lat, b.lon)
                        else {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]})
        out.append({"type": "Feature", "id": r["synergy_id"], "properties": r, "geometry": geometry})
    return out


def export(ref, what: str, fmt: str, public: bool, period: int | None = None) -> bytes:
    if fmt not in ("csv", "xlsx", "geojson"):
        raise ValueError(f"unknown format {fmt!r}: csv, xlsx or geojson")
    if what == "indicators":
        return export_indicators(ref, fmt, public, period)
    if what in ("flows", "synergies"):
        return export_records(ref, what, fmt, public)
    raise ValueError(f"unknown export {what!r}: indicators, flows or synergies")
