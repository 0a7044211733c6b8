"""The data shipped inside the package is complete and self-consistent.

These tests read only the files under src/boucle/data (never /work/shared), so a fresh clone
checks what a user would install.
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
from pathlib import Path

import pytest

import boucle

DATA = Path(boucle.__file__).resolve().parent / "data"
VENDOR = Path(boucle.__file__).resolve().parent / "web" / "static" / "vendor"


def rows(relpath: str) -> list[dict]:
    with (DATA / relpath).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def codes(relpath: str, key: str) -> set[str]:
    return {r[key] for r in rows(relpath)}


# --------------------------------------------------------------------------- reference


def test_ewc_list_is_complete_and_consistent():
    ewc = rows("reference/ewc.csv")
    assert len(ewc) == 842
    assert len({r["code6"] for r in ewc}) == 842
    chapters = codes("reference/ewc_chapters.csv", "code")
    for r in ewc:
        assert len(r["code6"]) == 6 and r["code6"].isdigit()
        assert r["code"].replace(" ", "").rstrip("*") == r["code6"]
        # The asterisk is the legal mark of a hazardous waste: flag and display form must agree.
        assert (r["hazardous"] == "true") == r["code"].endswith("*")
        assert r["label_fr"] and r["label_en"]
        assert r["chapter"] in chapters and r["section"] in chapters
    assert sum(r["hazardous"] == "true" for r in ewc) == 408


def test_ewc_chapters_tree():
    chapters = rows("reference/ewc_chapters.csv")
    assert len(chapters) == 131
    by_level = {lvl: [r for r in chapters if r["level"] == lvl] for lvl in ("1", "2")}
    assert len(by_level["1"]) == 20 and len(by_level["2"]) == 111
    top = {r["code"] for r in by_level["1"]}
    assert all(r["parent"] in top for r in by_level["2"])


def test_naf_hierarchy_and_english_labels():
    naf = rows("reference/naf.csv")
    assert len(naf) == 1707
    by_code = {r["code"]: r for r in naf}
    assert len(by_code) == 1707
    for r in naf:
        assert r["label_fr"] and r["label_en"]
        if r["level"] == "division":
            assert r["parent"] == ""
        else:
            assert r["parent"] in by_code, r["code"]
            assert r["code"].startswith(r["parent"])
    chain, code = [], "23.51Z"
    while code:
        chain.append(code)
        code = by_code[code]["parent"]
    assert chain == ["23.51Z", "23.51", "23.5", "23"]
    assert by_code["23.51Z"]["label_en"] == by_code["23.51"]["label_en"] == "Manufacture of cement"


def test_operations_cover_recovery_and_disposal_codes():
    ops = codes("reference/operations.csv", "code")
    assert {f"R{i}" for i in range(1, 14)} <= ops
    assert {"D1", "D5", "D9", "D10", "D13", "D14", "D15"} <= ops
    assert {r["type"] for r in rows("reference/operations.csv")} <= {
        "Valorisation", "Elimination", "Groupement"}


# --------------------------------------------------------------------------- geography


def test_regions_and_departements():
    regions = codes("geo/regions.csv", "code")
    assert {"32", "44"} <= regions
    deps = rows("geo/departements.csv")
    assert all(d["region"] in regions for d in deps)
    hdf = {d["code"] for d in deps if d["region"] == "32"}
    assert hdf == {"02", "59", "60", "62", "80"}


def test_communes_reference_existing_epci_and_departements():
    communes = rows("geo/communes.csv")
    assert len(communes) == 8897
    assert len({c["code_insee"] for c in communes}) == 8897
    epci = codes("geo/epci.csv", "siren")
    assert len(epci) == 242
    deps = {d["code"]: d["region"] for d in rows("geo/departements.csv")}
    for c in communes:
        assert c["epci_siren"] in epci, c["code_insee"]
        assert deps[c["departement"]] == c["region"] in ("32", "44")
        assert 47.4 < float(c["lat"]) < 51.2 and 1.3 < float(c["lon"]) < 8.3
        assert all(len(cp) == 5 and cp.isdigit() for cp in c["codes_postaux"].split("|"))
        assert int(c["population"]) >= 0


@functools.lru_cache(maxsize=None)
def _layer(relpath: str):
    """(properties, geometries) of a shipped GeoJSON layer, parsed once per test session."""
    shapely = pytest.importorskip("shapely")
    path = DATA / relpath
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    text = raw.decode("utf-8")
    props = [f["properties"] for f in json.loads(text)["features"]]
    collection = shapely.from_geojson(text)
    geoms = shapely.get_geometry(collection, range(shapely.get_num_geometries(collection)))
    assert len(geoms) == len(props)
    return props, geoms


@pytest.mark.parametrize("relpath,key,expected", [
    ("geo/regions.geojson", "code", "geo/regions.csv"),
    ("geo/departements.geojson", "code", "geo/departements.csv"),
    ("geo/epci.geojson", "siren", "geo/epci.csv"),
    ("geo/communes.geojson.gz", "code_insee", "geo/communes.csv"),
])
def test_geometries_are_valid_and_match_the_tables(relpath, key, expected):
    import shapely

    props, geoms = _layer(relpath)
    assert set(shapely.get_type_id(geoms)) <= {3, 6}  # Polygon, MultiPolygon
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    known = codes(expected, key)
    seen = [p[key] for p in props]
    assert len(set(seen)) == len(seen) and set(seen) <= known
    if relpath.endswith("regions.geojson"):
        assert set(seen) == {"32", "44"}
    elif "departements" in relpath:
        assert len(seen) == 15
    else:
        assert set(seen) == known


def test_commune_centres_fall_in_their_polygon_or_close():
    """The centre is what distance computations use; it must be inside its commune."""
    import shapely

    props, geoms = _layer("geo/communes.geojson.gz")
    centre = {c["code_insee"]: (float(c["lon"]), float(c["lat"])) for c in rows("geo/communes.csv")}
    points = shapely.points([centre[p["code_insee"]] for p in props])
    # 0.002 degrees (about 200 m) of slack: the shipped polygons are simplified.
    assert (shapely.distance(geoms, points) <= 0.002).all()


# --------------------------------------------------------------------------- size


def test_package_data_stays_small():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024, total


# --------------------------------------------------------------------------- vendored front end


VENDORED_FILES = [
    "leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/marker-icon.png",
    "leaflet.markercluster/leaflet.markercluster.js", "leaflet.markercluster/MarkerCluster.css",
    "leaflet.markercluster/MarkerCluster.Default.css", "echarts/echarts.min.js",
    "htmx/htmx.min.js", "axe-core/axe.min.js",
]


@pytest.mark.parametrize("relpath", VENDORED_FILES)
def test_vendored_file_ships_with_its_licence(relpath):
    path = VENDOR / relpath
    assert path.stat().st_size > 0
    folder = VENDOR / relpath.split("/")[0]
    assert (folder / "LICENSE").stat().st_size > 0
    assert f"`{relpath.split('/')[0]}/`" in (VENDOR / "VENDORED.md").read_text(encoding="utf-8")


def test_vendored_versions_are_the_ones_pages_expect():
    """Leaflet 1.9 and htmx 2 APIs are what the templates use; a silent major bump breaks them."""
    listing = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    assert "| leaflet | 1.9.4 |" in listing
    assert "| htmx.org | 2." in listing
    assert "| echarts | 5." in listing or "| echarts | 6." in listing
    assert "version:\"2." in (VENDOR / "htmx" / "htmx.min.js").read_text(encoding="utf-8").replace(
        " ", "")


# --------------------------------------------------------------------------- demo territory


def _km(a: dict, b: dict) -> float:
    import math

    la1, lo1, la2, lo2 = map(math.radians, (float(a["latitude"]), float(a["longitude"]),
                                            float(b["latitude"]), float(b["longitude"])))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def demo():
    sites = {s["site_id"]: s for s in rows("demo/sites.csv")}
    return sites, rows("demo/flows.csv")


def test_demo_sites_are_in_hauts_de_france_with_known_codes(demo):
    sites, _ = demo
    assert 300 <= len(sites) <= 1400
    communes = {c["code_insee"]: c for c in rows("geo/communes.csv")}
    naf = codes("reference/naf.csv", "code")
    for s in sites.values():
        assert s["site_id"].startswith("irep:") and s["site_id"][5:].isdigit()
        assert communes[s["commune_insee"]]["region"] == "32", s
        assert s["country"] == "FR" and s["name"].strip()
        assert 48.8 < float(s["latitude"]) < 51.2 and 1.3 < float(s["longitude"]) < 4.4
        assert s["naf_code"] == "" or s["naf_code"] in naf
        assert bool(s["naf_code"]) == bool(s["activity"])
        # iREP spells a few names « SITA Nord ( Centre de tri ) »: the dashboard showed them so
        assert "( " not in s["name"] and " )" not in s["name"], s["name"]
    # The demo is meant to show activities: most sites must have one.
    assert sum(bool(s["naf_code"]) for s in sites.values()) > 0.6 * len(sites)


def test_demo_flows_use_valid_codes_units_and_flags(demo):
    sites, flows = demo
    ewc = {r["code6"]: r for r in rows("reference/ewc.csv")}
    assert 1000 <= len(flows) <= 8000
    assert len({f["external_id"] for f in flows}) == len(flows)
    # Without an external id the importer identifies a flow by these fields: keep them unique
    # too, so the demo stays importable if a user strips the ids.
    identities = {(f["site_id"], f["direction"], f["kind"], f["label"], f["ewc_code"]) for f in flows}
    assert len(identities) == len(flows)
    units = {"material": {"t"}, "energy": {"MWh"}, "water": {"m3"}}
    for f in flows:
        assert f["site_id"] in sites
        assert f["direction"] in ("offer", "need")
        assert f["unit"] in units[f["kind"]], f
        assert f["period"] == "year"
        assert float(f["quantity"]) > 0
        assert f["label"].strip()
        assert f["illustrative"] in ("true", "false") and f["confidential"] in ("true", "false")
        if f["ewc_code"]:
            assert f["ewc_code"] in ewc, f
            assert f["hazardous"] == ewc[f["ewc_code"]]["hazardous"], f
        if f["temperature_c"]:
            assert f["kind"] == "energy"
            assert -200 < float(f["temperature_c"]) < 1000


def test_only_declared_irep_tonnages_are_not_illustrative(demo):
    sites, flows = demo
    real = [f for f in flows if f["illustrative"] == "false"]
    assert real and len(real) <= len(sites)
    for f in real:
        assert f["external_id"].startswith("irep-dd-")
        assert f["label"].startswith("Déchets dangereux (total déclaré iREP ")
        assert f["direction"] == "offer" and f["hazardous"] == "true" and f["unit"] == "t"
        year = int(f["external_id"].rsplit("-", 1)[1])
        assert 2003 <= year <= 2017 and str(year) in f["label"]
    illustrative = [f for f in flows if f["illustrative"] == "true"]
    assert all(not f["external_id"].startswith("irep-dd-") for f in illustrative)
    assert len(illustrative) > len(real)


def _pairs(demo, ewc_code=None, kind=None, need_naf=None, max_km=200.0):
    sites, flows = demo
    offers = [f for f in flows if f["direction"] == "offer"
              and (ewc_code is None or f["ewc_code"] == ewc_code)
              and (kind is None or f["kind"] == kind)]
    needs = [f for f in flows if f["direction"] == "need"
             and (ewc_code is None or f["ewc_code"] == ewc_code)
             and (kind is None or f["kind"] == kind)
             and (need_naf is None or sites[f["site_id"]]["naf_code"].startswith(need_naf))]
    return [(o, n) for o in offers for n in needs if o["site_id"] != n["site_id"]
            and _km(sites[o["site_id"]], sites[n["site_id"]]) <= max_km]


@pytest.mark.parametrize("case", [
    dict(ewc_code="100102", need_naf="23.51", max_km=200),   # fly ash -> cement plant
    dict(ewc_code="100202", need_naf="23.51", max_km=200),   # slag -> cement plant
    dict(ewc_code="100105", need_naf="23.62", max_km=200),   # FGD gypsum -> plasterboard
    dict(ewc_code="140603", need_naf="38.22", max_km=50),    # spent solvents -> regeneration
    dict(kind="energy", need_naf="35.30", max_km=5),         # waste heat -> district heating
    dict(ewc_code="100207", need_naf="24.43", max_km=100),   # EAF dust -> zinc recovery
])
def test_demo_contains_the_textbook_symbioses(demo, case):
    assert _pairs(demo, **case), case


def test_demo_rule_tables_are_consistent():
    import re

    naf = codes("reference/naf.csv", "code")
    ewc = {r["code6"]: r["hazardous"] for r in rows("reference/ewc.csv")}
    for r in rows("demo/naf_rules.csv"):
        re.compile(r["pattern"])
        assert r["naf_code"] in naf and r["reason"]
    manual = rows("demo/naf_manual.csv")
    assert len(manual) >= 30
    site_ids = codes("demo/sites.csv", "site_id")
    for r in manual:
        assert r["site_id"] in site_ids and r["reason"]
        assert r["naf_code"] == "" or r["naf_code"] in naf
    for r in rows("demo/illustrative_flows.csv"):
        assert r["direction"] in ("offer", "need") and float(r["quantity_per_size"]) > 0
        if r["ewc_code"]:
            code6 = r["ewc_code"].rstrip("*")
            assert (ewc[code6] == "true") == r["ewc_code"].endswith("*"), r
