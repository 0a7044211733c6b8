"""Build the demo territory (src/boucle/data/demo/sites.csv and flows.csv).

Called by build_data.py; can also run alone:

    .venv/bin/python scripts/build_data_demo.py [--shared /work/shared]

Inputs: the iREP hazardous-waste tonnages (templot, 2003-2017) and the geocoded iREP 2021
establishments (PureSphere, OSM Nominatim) from shared/data/facilities, the HdF/GE commune
polygons from shared/data/geo, and three hand-written tables kept in the demo folder itself:

* naf_rules.csv: ordered regular expressions on the establishment name -> NAF sous-classe;
* naf_manual.csv: NAF codes reviewed by hand for the largest producers (wins over the rules);
* illustrative_flows.csv: typical offers and needs per NAF prefix.

The outputs are written in Boucle's public import format so the demo goes through the same
importer as a user's files. Everything is deterministic (no random state: the jitter is a hash).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
import statistics
import unicodedata
from pathlib import Path

from shapely import STRtree
from shapely.geometry import Point, shape

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "boucle" / "data"
REGION = "32"  # Hauts-de-France
YEARS = range(2003, 2018)
# A geocoded point shared by this many establishments is a fallback (a département or commune
# centre returned by Nominatim when the address was not found), not the site's position.
PLACEHOLDER_SHARE = 3
# A point in the sea or just across the border still belongs to the nearest commune, but only
# if it is this close (degrees, about 3 km); farther away it is outside the territory.
NEAREST_MAX_DEG = 0.03
SIZE_MIN, SIZE_MAX = 0.25, 4.0
# iREP gave some establishments a new S3IC id (when their inspection moved from one office to
# another) or wrote their name another way: the same commune, activity and name once normalised, a few
# hundred metres apart at most, declaring in successive years. Two such records are one site; within this
# distance (km) and with at most this many years declared by both, the older record is dropped.
RENUMBERED_KM, RENUMBERED_OVERLAP_YEARS = 2.0, 1

SITE_COLUMNS = ["site_id", "name", "naf_code", "activity", "latitude", "longitude",
                "commune_insee", "country"]
FLOW_COLUMNS = ["site_id", "direction", "label", "kind", "ewc_code", "quantity", "unit",
                "period", "temperature_c", "hazardous", "confidential", "external_id",
                "illustrative"]


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"  {path.relative_to(ROOT)}: {len(rows)} rows, {path.stat().st_size} bytes")


def normalise(name: str) -> str:
    """Upper-case ASCII words separated by single spaces: what the name rules are written for."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    return " ".join(re.sub(r"[^A-Z0-9&]+", " ", text).split())


def unit_hash(*parts: str) -> float:
    """A stable number in [0, 1) per key: the demo varies between sites yet never between builds."""
    digest = hashlib.sha256("|".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def two_significant(x: float) -> float:
    """Declared quantities are estimates; two significant digits keep them looking like one."""
    if x <= 0:
        return 0.0
    digits = 1 - int(math.floor(math.log10(x)))
    value = round(x, digits)
    return int(value) if value >= 10 else value


# --------------------------------------------------------------------------- sites


def load_facilities(src: Path) -> list[dict]:
    fac = src / "facilities"
    geocoded = read_csv(fac / "irep_etablissements_geocodes_2021_hdf_ge.csv")
    shared_points: dict[tuple[str, str], int] = {}
    for g in geocoded:
        key = (g["latitude"], g["longitude"])
        shared_points[key] = shared_points.get(key, 0) + 1
    by_id = {g["identifiant"]: g for g in geocoded}

    out = []
    for row in read_csv(fac / "irep_prod_dechets_dangereux_2003_2017_hdf_ge.csv"):
        if row["Regions"] != "Hauts-de-France":
            continue
        # templot parsed "0051.00164" as a float; the S3IC id is its digits (SOURCES.md §5).
        irep_id = str(int(round(float(row["Identifiant"]) * 1e5)))
        tonnages = {y: float(row[f"Quantite{y}"] or 0) for y in YEARS}
        years = [y for y in YEARS if tonnages[y] > 0]
        geo = by_id.get(irep_id)
        if geo and shared_points[(geo["latitude"], geo["longitude"])] < PLACEHOLDER_SHARE:
            lat, lon, coord_source = float(geo["latitude"]), float(geo["longitude"]), "osm"
        else:
            lat, lon, coord_source = float(row["LLY"]), float(row["LLX"]), "irep"
        out.append({
            "irep_id": irep_id,
            # one space between words, none inside brackets: « SITA Nord (Centre de tri) », not « ( Centre de tri ) »
            "name": re.sub(r"\(\s+|\s+\)", lambda m: m.group().strip(), " ".join(row["Nom_Etablissement_x"].split())),
            "lat": lat, "lon": lon, "coord_source": coord_source,
            "first_year": years[0] if years else None,
            "latest_year": years[-1] if years else None,
            "latest_t": tonnages[years[-1]] if years else 0.0,
            "mean_t": statistics.fmean(tonnages[y] for y in years) if years else 0.0,
        })
    return out


def locate(facilities: list[dict], src: Path) -> list[dict]:
    """Attach the commune containing each point; keep the ones in Hauts-de-France."""
    feats = json.loads((src / "geo" / "communes_hdf_ge.geojson").read_text(encoding="utf-8"))
    feats = feats["features"]
    geoms = [shape(f["geometry"]) for f in feats]
    tree = STRtree(geoms)
    kept = []
    for f in facilities:
        point = Point(f["lon"], f["lat"])
        hits = tree.query(point, predicate="intersects")
        if len(hits):
            idx = int(min(hits))
        else:
            idx = int(tree.nearest(point))
            if geoms[idx].distance(point) > NEAREST_MAX_DEG:
                continue
        props = feats[idx]["properties"]
        if props["region"] != REGION:
            continue
        kept.append({**f, "commune_insee": props["code_insee"], "commune_name": props.get("nom", "")})
    return kept


def km(a: dict, b: dict) -> float:
    """Great-circle distance between two sites (haversine, Earth radius 6371 km)."""
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


# Words that say what kind of record it is, not which establishment: legal forms, « usine », « site »,
# « France »… Two names that keep the same words without them, or one whose words all appear in the
# other (« NESTLE PURINA - Usine de MARCONNELLE » and « NESTLE PURINA PETCARE Usine de MARCONNELLE »), name
# one establishment when the rest agrees (``same_establishment``).
GENERIC_WORDS = frozenset("""
    S A SA SAS SASU SARL EURL SNC SCA SE SCI GIE ETS ETABLISSEMENT ETABLISSEMENTS STE SOCIETE CIE GROUPE
    FRANCE FRANCAISE USINE USINES SITE SITES UNITE PRODUCTION DE DU DES D LA LE LES L ET EN AU AUX SUR
    """.split())


def name_words(name: str, commune_name: str = "") -> frozenset[str]:
    """The words of an establishment's name that identify it: no legal form, generic word nor commune name."""
    town = set(normalise(commune_name).split())
    return frozenset(w for w in normalise(name).replace("&", " ").split() if w not in GENERIC_WORDS and w not in town)


def same_establishment(a: dict, b: dict) -> bool:
    """Two iREP records of one establishment: the same commune, the same NAF division, names that match once
    normalised (``name_words``: equal, or one's words all in the other's and at least half of them), and, for want of a SIRET in the iREP
    files, points at most RENUMBERED_KM apart (a record placed at a commune centre by the geocoder is farther)."""
    if a["commune_insee"] != b["commune_insee"] or a["naf_code"][:2] != b["naf_code"][:2]:
        return False
    small, large = sorted((a["words"], b["words"]), key=len)
    # one name's words all in the other's, and at least half of them: « CHRU de Lille » is not its
    # « BLANCHISSERIE CENTRALE du CHRU de Lille », though they share a point
    if not small or not small <= large or 2 * len(small) < len(large):
        return False
    return km(a, b) <= RENUMBERED_KM


def renumbered(sites: list[dict]) -> set[str]:
    """The ids of records that an establishment's later record replaces: two records of one establishment
    (``same_establishment``), where iREP gave it a new S3IC id or wrote its name another way. A record with no
    declaration is replaced by a record of the same establishment that has some; two records declaring side by
    side for years (more than RENUMBERED_OVERLAP_YEARS) are two installations and both stay."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for s in sites:
        groups.setdefault((s["commune_insee"], s["naf_code"][:2]), []).append(s)
    dropped = set()
    for group in groups.values():
        for old in group:
            for new in group:
                if new is old or new["latest_year"] is None or not same_establishment(old, new):
                    continue
                if old["latest_year"] is None:
                    replaced = True
                else:
                    overlap = min(old["latest_year"], new["latest_year"]) - max(old["first_year"], new["first_year"]) + 1
                    later = (new["latest_year"], new["irep_id"]) > (old["latest_year"], old["irep_id"])
                    replaced = later and overlap <= RENUMBERED_OVERLAP_YEARS
                if replaced:
                    dropped.add(old["irep_id"])
    return dropped


def assign_naf(sites: list[dict], demo: Path, naf: dict[str, dict]) -> None:
    rules = [(re.compile(rf"\b(?:{r['pattern']})\b"), r["naf_code"], r["reason"])
             for r in read_csv(demo / "naf_rules.csv")]
    manual = {r["site_id"]: r for r in read_csv(demo / "naf_manual.csv")}
    for r in list(manual.values()) + [{"naf_code": code} for _, code, _ in rules]:
        assert not r["naf_code"] or r["naf_code"] in naf, r
    for s in sites:
        s["naf_code"], s["naf_method"] = "", "none"
        if s["site_id"] in manual:
            s["naf_code"], s["naf_method"] = manual[s["site_id"]]["naf_code"], "manual"
            continue
        name = normalise(s["name"])
        for regex, code, _ in rules:
            if regex.search(name):
                s["naf_code"], s["naf_method"] = code, "rule"
                break


def activity_text(code: str, naf: dict[str, dict]) -> str:
    if not code:
        return ""
    label = re.sub(r"\s*\([^)]*\)", "", naf[code]["label_fr"]).strip()
    return label[:1].upper() + label[1:]


# --------------------------------------------------------------------------- flows


def real_flow(site: dict) -> dict | None:
    if site["latest_year"] is None:
        return None
    year = site["latest_year"]
    return {
        "site_id": site["site_id"], "direction": "offer",
        "label": f"Déchets dangereux (total déclaré iREP {year})", "kind": "material",
        "ewc_code": "", "quantity": two_significant(site["latest_t"]) if site["latest_t"] < 10
        else round(site["latest_t"], 1), "unit": "t", "period": "year", "temperature_c": "",
        "hazardous": "true", "confidential": "false",
        "external_id": f"irep-dd-{site['irep_id']}-{year}", "illustrative": "false",
    }


def slug(text: str) -> str:
    return "-".join(normalise(text).lower().split())[:40]


def illustrative_flows(site: dict, rules: list[dict], size: float) -> list[dict]:
    code = site["naf_code"]
    if not code:
        return []
    name = normalise(site["name"])
    matching = [r for r in rules if code.startswith(r["naf_prefix"])
                and (not r["name_pattern"] or re.search(rf"\b(?:{r['name_pattern']})\b", name))]
    if not matching:
        return []
    # The most specific prefix describes the activity; broader rows are only a fallback.
    best = max(len(r["naf_prefix"]) for r in matching)
    flows = []
    for r in matching:
        if len(r["naf_prefix"]) != best:
            continue
        jitter = 0.7 + 0.6 * unit_hash(site["site_id"], r["direction"], r["label"])
        qty = two_significant(float(r["quantity_per_size"]) * size * jitter)
        hazardous = r["ewc_code"].endswith("*")
        ewc = r["ewc_code"].rstrip("*")
        flows.append({
            "site_id": site["site_id"], "direction": r["direction"], "label": r["label"],
            "kind": r["kind"], "ewc_code": ewc, "quantity": qty, "unit": r["unit"],
            "period": "year", "temperature_c": r["temperature_c"],
            "hazardous": "true" if hazardous else "false", "confidential": "false",
            "external_id": f"demo-{site['irep_id']}-{r['direction']}-{slug(r['label'])}",
            "illustrative": "true",
        })
    return flows


def build(src: Path, demo: Path) -> None:
    print("demo/")
    naf = {r["code"]: r for r in read_csv(DATA / "reference" / "naf.csv")}
    ewc = {r["code6"]: r for r in read_csv(DATA / "reference" / "ewc.csv")}
    sites = locate(load_facilities(src), src)
    for s in sites:
        s["site_id"] = f"irep:{s['irep_id']}"
        s["words"] = name_words(s["name"], s["commune_name"])
    assert len({s["site_id"] for s in sites}) == len(sites)
    assign_naf(sites, demo, naf)  # before merging: two records of one establishment share a NAF division
    old_ids = renumbered(sites)
    merged = sorted((s for s in sites if s["irep_id"] in old_ids), key=lambda s: int(s["irep_id"]))
    sites = [s for s in sites if s["irep_id"] not in old_ids]

    rules = read_csv(demo / "illustrative_flows.csv")
    for r in rules:
        code6 = r["ewc_code"].rstrip("*")
        assert not code6 or (code6 in ewc and (ewc[code6]["hazardous"] == "true")
                             == r["ewc_code"].endswith("*")), r
    # Size proxy: hazardous-waste tonnage relative to the territory's median producer, damped
    # by a square root (tonnage spans five orders of magnitude, plant throughput far fewer).
    median = statistics.median(s["mean_t"] for s in sites if s["mean_t"] > 0)
    site_rows, flow_rows = [], []
    for s in sorted(sites, key=lambda s: int(s["irep_id"])):
        size = min(SIZE_MAX, max(SIZE_MIN, math.sqrt(s["mean_t"] / median))) if s["mean_t"] else SIZE_MIN
        site_rows.append({
            "site_id": s["site_id"], "name": s["name"], "naf_code": s["naf_code"],
            "activity": activity_text(s["naf_code"], naf), "latitude": f"{s['lat']:.5f}",
            "longitude": f"{s['lon']:.5f}", "commune_insee": s["commune_insee"], "country": "FR",
        })
        real = real_flow(s)
        if real:
            flow_rows.append(real)
        flow_rows.extend(illustrative_flows(s, rules, size))
    ids = [f["external_id"] for f in flow_rows]
    assert len(ids) == len(set(ids)), "external ids must be unique"
    write_csv(demo / "sites.csv", SITE_COLUMNS, site_rows)
    write_csv(demo / "flows.csv", FLOW_COLUMNS, flow_rows)
    methods = {m: sum(s["naf_method"] == m for s in sites) for m in ("manual", "rule", "none")}
    osm = sum(s["coord_source"] == "osm" for s in sites)
    print(f"  NAF: {methods}; coordinates: {osm} OSM-geocoded, {len(sites) - osm} iREP; "
          f"median hazardous waste {median:.1f} t/yr; {len(old_ids)} records of an establishment listed twice dropped")
    for s in merged:
        print(f"    merged: irep:{s['irep_id']} {s['name']} ({s['commune_insee']}, NAF {s['naf_code'] or '-'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="/work/shared", type=Path)
    args = parser.parse_args()
    build(args.shared / "data", DATA / "demo")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
