"""The one write path for land entries (import from CSV, XLSX or GeoJSON; a facilitator's link to
a synergy or an answer) and the search pages, API and command line share.

The import goes through the flows importers' validation path (``flows.tabular`` to read,
``flows.fields`` and ``flows.bounds`` to check a cell, ``flows.importers.Report`` to tell): every
row is checked first, with its line number (a GeoJSON feature's number), and nothing is written
unless all rows pass (or ``partial`` is asked). An entry needs a commune (its INSEE code); without
coordinates it is placed at the commune's centre and says so.
"""

import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from boucle.flows import bounds
from boucle.flows import fields as F
from boucle.flows.importers import Report, _check_header, identified_rows, write_identified
from boucle.flows.tabular import FileFormatError, Table, read_table, with_aliases
from boucle.territories.coarse import rounded_point

from . import engine
from .models import LandSite

COLUMNS = ["identifier", "name", "kind", "area_m2", "building_area_m2", "status", "commune_insee", "commune",
           "latitude", "longitude", "pollution_known", "pollution_refs", "ownership", "rail", "water", "power",
           "description", "source", "source_date", "illustrative"]
REQUIRED = ["identifier", "name", "kind", "area_m2", "commune_insee", "source"]
#: Column names of a Cartofriches-like export read as ours.
ALIASES = {"site_id": "identifier", "site_nom": "name", "site_type": "kind", "unite_fonciere_surface": "area_m2",
           "surface_m2": "area_m2", "bati_surface": "building_area_m2", "site_statut": "status",
           "comm_insee": "commune_insee", "comm_nom": "commune", "code_insee": "commune_insee", "lat": "latitude",
           "long": "longitude", "lon": "longitude", "sol_pollution_existe": "pollution_known",
           "proprio_type": "ownership", "desserte_fer": "rail", "desserte_eau": "water", "desserte_electricite": "power",
           "nom": "name", "type": "kind", "statut": "status", "surface": "area_m2"}
MAX_ROWS = 100_000
MAX_GEOJSON_BYTES = 50_000_000
MAX_VERTICES = 20_000
MAX_AREA_M2 = 1e9  # 1,000 km²: no single economic site is larger (the largest French ports' estates are ~100 km²)


class LandError(ValueError):
    """A search that cannot run (unknown territory, bad bound): the message says what is accepted."""


def _geojson_table(path: Path) -> Table:
    if path.stat().st_size > MAX_GEOJSON_BYTES:
        raise FileFormatError(_("fichier trop gros (plus de %(max)d Mo)") % {"max": MAX_GEOJSON_BYTES // 1_000_000})
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileFormatError(_("GeoJSON illisible : %(error)s") % {"error": exc}) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise FileFormatError(_("le GeoJSON doit être une FeatureCollection"))

    def text(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).strip()

    def rows():
        for n, feature in enumerate(data["features"], start=1):
            props = feature.get("properties") if isinstance(feature, dict) else None
            row = {str(k).strip().lower(): text(v) for k, v in (props or {}).items()}
            row["__geometry__"] = feature.get("geometry") if isinstance(feature, dict) else None
            yield n, row

    header = sorted({str(k).strip().lower() for f in data["features"] if isinstance(f, dict)
                     for k in (f.get("properties") or {})})
    if any(isinstance(f, dict) and f.get("geometry") for f in data["features"]):
        header = sorted(set(header) | {"latitude", "longitude"})
    return Table(header, rows())


def _geometry(geometry) -> tuple[dict | None, float | None, float | None, float | None]:
    """(geometry kept, lat, lon, area in m² when a polygon) from a GeoJSON geometry, or CellError."""
    if geometry is None:
        return None, None, None, None
    from pyproj import Geod
    from shapely.geometry import shape

    try:
        geom = shape(geometry)
    except Exception:  # shapely raises several kinds for a malformed geometry
        raise F.CellError(_("geometry : géométrie GeoJSON invalide")) from None
    if geom.is_empty or geom.geom_type not in ("Point", "Polygon", "MultiPolygon"):
        raise F.CellError(_("geometry : un point, un polygone ou un multipolygone"))
    vertices = len(geom.exterior.coords) if geom.geom_type == "Polygon" else (
        sum(len(p.exterior.coords) for p in geom.geoms) if geom.geom_type == "MultiPolygon" else 1)
    if vertices > MAX_VERTICES:
        raise F.CellError(_("geometry : plus de %(max)d sommets") % {"max": MAX_VERTICES})
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    lon, lat = point.x, point.y
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise F.CellError(_("geometry : coordonnées hors limites, attendues en degrés (WGS 84)"))
    area = None
    if geom.geom_type != "Point":
        area = abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0])
    return geometry, lat, lon, area


def parse_row(row: dict, communes: dict) -> dict:
    """One land entry's values from one row, or ``CellError`` naming the column."""
    name = bounds.label("name", row.get("name", "").strip(), 200)
    if not name:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "name"})
    kind = engine.word(engine.KIND_WORDS, row.get("kind", ""))
    if kind is None:
        raise F.CellError(_("kind : %(value)s inconnu (terrain, bâtiment vacant, friche — plot, building, brownfield)")
                          % {"value": repr(row.get("kind", ""))})
    status = engine.word(engine.STATUS_WORDS, row.get("status", "") or "available")
    if status is None:
        raise F.CellError(_("status : %(value)s inconnu (disponible, à l'étude, reconverti — available, under_study, "
                            "reconverted)") % {"value": repr(row.get("status", ""))})
    ownership = engine.word(engine.OWNERSHIP_WORDS, row.get("ownership", ""))
    if ownership is None:
        raise F.CellError(_("ownership : %(value)s inconnu (public, privé, mixte, inconnu)")
                          % {"value": repr(row.get("ownership", ""))})
    geometry, g_lat, g_lon, g_area = _geometry(row.get("__geometry__"))
    area = F.number("area_m2", row.get("area_m2", ""), minimum=0)
    area = area if area is not None else g_area
    if area is None or area <= 0:
        raise F.CellError(_("area_m2 : surface en m², obligatoire et positive (ou un polygone)"))
    if area > MAX_AREA_M2:
        raise F.CellError(_("area_m2 : %(value)s m² dépasse le plausible (1 000 km²)") % {"value": f"{area:.0f}"})
    building = F.number("building_area_m2", row.get("building_area_m2", ""), minimum=0)
    if building is not None and building > MAX_AREA_M2:
        raise F.CellError(_("building_area_m2 : valeur hors limites"))
    insee = row.get("commune_insee", "").strip()
    if not insee:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "commune_insee"})
    commune = communes.get(insee)
    if commune is None:
        raise F.CellError(_("commune_insee: %(code)s inconnue") % {"code": insee})
    lat = F.number("latitude", row.get("latitude", "")) if row.get("latitude", "").strip() else g_lat
    lon = F.number("longitude", row.get("longitude", "")) if row.get("longitude", "").strip() else g_lon
    if (lat is None) != (lon is None):
        raise F.CellError(_("latitude, longitude : les deux ou aucune"))
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise F.CellError(_("coordonnées hors limites (%(lat)s, %(lon)s)") % {"lat": lat, "lon": lon})
    at_centre = lat is None
    if at_centre:
        lat, lon = commune[1], commune[2]
    pollution = row.get("pollution_known", "").strip()
    pollution_known = None if engine.fold(pollution) in ("", "inconnu", "unknown", "ne sait pas") else \
        F.boolean("pollution_known", pollution)
    source = bounds.label("source", row.get("source", "").strip(), 200)
    if not source:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "source"})
    return {"name": name, "kind": kind, "area_m2": float(area), "building_area_m2": building, "status": status,
            "pollution_known": pollution_known,
            "pollution_refs": bounds.label("pollution_refs", row.get("pollution_refs", "").strip(), 200),
            "ownership": ownership, "rail": F.boolean("rail", row.get("rail", ""), default=False),
            "water": F.boolean("water", row.get("water", ""), default=False),
            "power": F.boolean("power", row.get("power", ""), default=False), "commune_id": insee,
            "lat": lat, "lon": lon, "position_is_commune_centre": at_centre, "geometry": geometry,
            "description": bounds.text("description", row.get("description", "").strip(), max_chars=5000),
            "source": source, "source_date": F.date("source_date", row.get("source_date", "")),
            "illustrative": F.boolean("illustrative", row.get("illustrative", ""), default=False)}


def import_land(path, *, partial: bool = False) -> Report:
    """Import land entries from a CSV, XLSX or GeoJSON file; all or nothing unless ``partial``."""
    from boucle.territories.models import Commune

    path = Path(path)
    report = Report()
    geojson = path.suffix.lower() in (".geojson", ".json") and path.exists()
    table = with_aliases(_geojson_table(path) if geojson else read_table(path), ALIASES)
    # A GeoJSON polygon gives its own area: the column is required in tables only.
    _check_header(table.header, COLUMNS, [c for c in REQUIRED if not (geojson and c == "area_m2")], report)
    communes = {insee: (name, lat, lon) for insee, name, lat, lon
                in Commune.objects.values_list("insee", "name", "lat", "lon")}
    parsed = identified_rows(table, report, lambda row: parse_row(row, communes), max_rows=MAX_ROWS)
    if report.rejected and not partial:
        return report
    write_identified(LandSite, parsed, report)
    return report


# --- search ------------------------------------------------------------------------------------

def _bound(name: str, value) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LandError(_("%(name)s : un nombre de m² (par exemple 5000)") % {"name": name}) from None
    if not (0 <= number <= MAX_AREA_M2):
        raise LandError(_("%(name)s : entre 0 et 1 000 000 000 m²") % {"name": name})
    return number


def search(*, territory: str = "", min_area_m2=None, max_area_m2=None, kinds=(), statuses=(), servicing=()) -> list[LandSite]:
    """The land entries that answer, ranked (``engine.search``); LandError for a bad criterion."""
    from boucle.territories.refs import TerritoryError, resolve

    communes = None
    if territory:
        try:
            ref = resolve(territory)
        except TerritoryError as exc:
            raise LandError(_("territoire inconnu (%(error)s) : region:32, departement:59, epci:SIREN ou "
                              "commune:INSEE") % {"error": exc}) from None
        communes = set(ref.communes().values_list("insee", flat=True))
    for value, allowed, name in ((kinds, engine.KINDS, "kind"), (statuses, engine.STATUSES, "status"),
                                 (servicing, engine.SERVICING, "servicing")):
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise LandError(_("%(name)s : %(value)s inconnu (%(allowed)s)")
                            % {"name": name, "value": ", ".join(unknown), "allowed": ", ".join(allowed)})
    low, high = _bound("min_area_m2", min_area_m2), _bound("max_area_m2", max_area_m2)
    rows = {s.pk: s for s in LandSite.objects.select_related("commune")}
    points = [engine.LandPoint(s.pk, s.identifier, s.commune_id, s.kind, s.status, s.area_m2, tuple(s.servicing()))
              for s in rows.values()]
    found = engine.search(points, communes=communes, min_area_m2=low, max_area_m2=high, kinds=set(kinds),
                          statuses=set(statuses), servicing=servicing)
    return [rows[p.key] for p in found]


def land_dict(site: LandSite, user=None) -> dict:
    """What a signed-in user reads of a land entry: public inventories' data, and the synergy or
    answer it is linked to only to who may open them (their number would tell a party exists)."""
    return {"id": site.identifier, "name": site.name, "kind": site.kind, "kind_label": str(site.get_kind_display()),
            "area_m2": round(site.area_m2), "building_area_m2": round(site.building_area_m2) if site.building_area_m2 else None,
            "status": site.status, "status_label": str(site.get_status_display()),
            "commune": site.commune.name, "commune_insee": site.commune_id,
            "pollution_known": site.pollution_known, "pollution_refs": site.pollution_refs,
            "ownership": site.ownership, "servicing": site.servicing(),
            **dict(zip(("lat", "lon"), rounded_point(site.lat, site.lon, 5))),  # a public inventory's point
            "position_is_commune_centre": site.position_is_commune_centre, "source": site.source,
            "source_date": site.source_date.isoformat() if site.source_date else None,
            "illustrative": site.illustrative,
            "synergy_id": site.synergy_id if linked_synergy_visible(user, site) else None,
            "answer_id": site.answer_id if linked_answer_readable(user, site) else None}


def linked_synergy_visible(user, site: LandSite) -> bool:
    from boucle.matching.services import visible_synergies

    return (user is not None and site.synergy_id is not None
            and visible_synergies(user).filter(pk=site.synergy_id).exists())


def linked_answer_readable(user, site: LandSite) -> bool:
    from boucle.projects.access import can_read_answer

    return user is not None and site.answer_id is not None and can_read_answer(user, site.answer)


@transaction.atomic
def follow_up(site: LandSite, *, status: str, synergy=None, answer=None, user=None) -> LandSite:
    """A facilitator's follow-up: the status, and the link to a synergy or an answer (None unlinks).

    The caller (``forms.LandFollowUpForm``) has checked that the user may see what is linked."""
    if status not in engine.STATUSES:
        raise LandError(_("status : %(value)s inconnu") % {"value": status})
    site.status, site.synergy, site.answer = status, synergy, answer
    site.save(update_fields=["status", "synergy", "answer"])
    return site
