#!/usr/bin/env python
"""Build the data Boucle ships (src/boucle/data) from the reference files in /work/shared/data.

Re-runnable and deterministic: the same inputs give byte-identical outputs, so a rebuild shows
in `git diff` only what the sources changed. Run from the repository root:

    .venv/bin/python scripts/build_data.py [--shared /work/shared] [reference geo demo]

The demo territory is built by `build_data_demo.py` next to this file (called from here), from the
iREP facilities plus the hand-curated rule tables kept in src/boucle/data/demo/.
Sources and licences of every output are described in src/boucle/data/SOURCES.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "boucle" / "data"
REGIONS = ("32", "44")  # Hauts-de-France, Grand Est


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"  {path.relative_to(ROOT)}: {len(rows)} rows, {path.stat().st_size} bytes")


def read_csv(path: Path, **kw) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, **kw))


def bool_text(value) -> str:
    """One spelling of booleans in every shipped CSV, so importers need a single parser."""
    return "true" if str(value).strip().lower() in ("true", "1", "yes") else "false"


# --------------------------------------------------------------------------- reference


def build_reference(src: Path) -> None:
    print("reference/")
    out = OUT / "reference"
    wc = src / "waste_codes"
    fr = read_csv(wc / "ewc_liste_dechets_fr.csv")
    en = {r["code"]: r for r in read_csv(wc / "ewc_list_of_waste_en.csv")}
    rows = []
    for r in fr:
        e = en[r["code6"]]
        # The FR legal text and the DEFRA list must agree on the hazardous flag: a mismatch
        # would mean one source is stale, which we want to see at build time, not in production.
        assert bool_text(r["dangereux"]) == bool_text(e["isHazardous"]), r["code6"]
        rows.append([r["code6"], r["code"], bool_text(r["dangereux"]), r["libelle"],
                     e["description"], r["chapitre_code"], r["section_code"]])
    assert len(rows) == 842 and len(en) == 842
    write_csv(out / "ewc.csv", ["code6", "code", "hazardous", "label_fr", "label_en", "chapter",
                                "section"], rows)

    chapters = read_csv(wc / "ewc_chapitres_sections_fr.csv")
    write_csv(out / "ewc_chapters.csv", ["code", "level", "label_fr", "parent"],
              [[r["code"], r["niveau"], r["libelle"], r["parent"]] for r in chapters])

    ops = []
    for r in read_csv(wc / "operations_traitement_R_D_fr.csv"):
        # "R 1" -> "R1", "D 9 F" -> "D9F": the compact form is what forms and registers print.
        code = r["code"].replace(" ", "")
        kind = {"Eliminiation": "Elimination"}.get(r["type"], r["type"])  # typo in the source
        ops.append([code, kind, r["description"]])
    write_csv(out / "operations.csv", ["code", "type", "label_fr"], ops)

    nn = src / "naf_nace"
    nace = {r["Code"]: r["Description"] for r in read_csv(nn / "nace_rev2_en.csv")}
    naf = read_csv(nn / "naf_rev2_fr.csv")
    rows = []
    for r in naf:
        code = r["id"]
        # NAF rév. 2 equals NACE Rev. 2 down to the class; the French sous-classe letter only
        # splits a class, so it inherits the class's English label.
        label_en = nace[code[:5]]
        if len(code) == 6:
            parent = code[:5]
        elif len(code) == 5:
            parent = code[:4]
        elif len(code) == 4:
            parent = code[:2]
        else:
            parent = ""
        rows.append([code, r["niveau"], r["label"], label_en, parent])
    assert len(rows) == 1707
    write_csv(out / "naf.csv", ["code", "level", "label_fr", "label_en", "parent"], rows)


# --------------------------------------------------------------------------- geography


def round_geom(geom, ndigits: int):
    """Simplified, rounded and still valid: a map layer that GEOS rejects breaks point-in-polygon."""
    geom = shapely.set_precision(geom, 10 ** -ndigits)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.unary_union(polys)
    assert geom.is_valid and not geom.is_empty
    return geom


def feature_collection(features: list[tuple[dict, object]], ndigits: int) -> str:
    feats = []
    for props, geom in features:
        g = mapping(geom)
        feats.append({"type": "Feature", "properties": props,
                      "geometry": json.loads(json.dumps(g), parse_float=lambda s: round(float(s), ndigits))})
    fc = {"type": "FeatureCollection", "features": feats}
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":"))


def write_geojson(path: Path, features, ndigits: int, gz: bool = False) -> None:
    text = feature_collection(features, ndigits)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        # mtime=0: the archive is byte-identical between runs.
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as fh:
            fh.write(text.encode("utf-8"))
        path.write_bytes(buf.getvalue())
    else:
        path.write_text(text, encoding="utf-8")
    print(f"  {path.relative_to(ROOT)}: {len(features)} features, {path.stat().st_size} bytes")


def simplify_features(geojson_path: Path, tolerance: float, ndigits: int, keep) -> list:
    data = json.loads(geojson_path.read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        props = keep(f["properties"])
        if props is None:
            continue
        geom = shape(f["geometry"])
        if tolerance:
            geom = geom.simplify(tolerance, preserve_topology=True)
        out.append((props, round_geom(geom, ndigits)))
    return out


def build_geo(src: Path) -> None:
    print("geo/")
    geo = src / "geo"
    out = OUT / "geo"
    et = geo / "etalab_decoupage_administratif"
    regions = json.loads((et / "regions.json").read_text(encoding="utf-8"))
    write_csv(out / "regions.csv", ["code", "nom"], [[r["code"], r["nom"]] for r in regions])
    deps = json.loads((et / "departements.json").read_text(encoding="utf-8"))
    write_csv(out / "departements.csv", ["code", "nom", "region"],
              [[d["code"], d["nom"], d["region"]] for d in deps])
    epcis = json.loads((et / "epci_hdf_ge.json").read_text(encoding="utf-8"))
    write_csv(out / "epci.csv", ["siren", "nom", "type", "population"],
              [[e["code"], e["nom"], e["type"], e["populationTotale"]]
               for e in sorted(epcis, key=lambda e: e["code"])])

    communes = read_csv(geo / "communes_hdf_ge_enrichies.csv")
    rows = [[c["code_insee"], c["nom"], c["departement"], c["region"], c["epci_siren"],
             c["population"], f"{float(c['lat_centre']):.5f}", f"{float(c['lon_centre']):.5f}",
             c["codes_postaux"]] for c in sorted(communes, key=lambda c: c["code_insee"])]
    write_csv(out / "communes.csv", ["code_insee", "nom", "departement", "region", "epci_siren",
                                     "population", "lat", "lon", "codes_postaux"], rows)

    write_geojson(out / "epci.geojson", simplify_features(
        geo / "epci_hdf_ge.geojson", 0.001, 4,
        lambda p: {"siren": p["epci_siren"], "nom": p["nom"]}), 4)
    gd = geo / "france_geojson_gregoiredavid"
    dep_feats = []
    for name in ("departements-hauts-de-france", "departements-grand-est"):
        dep_feats += simplify_features(gd / f"{name}.geojson", 0.001, 4,
                                       lambda p: {"code": p["code"], "nom": p["nom"]})
    write_geojson(out / "departements.geojson", sorted(dep_feats, key=lambda f: f[0]["code"]), 4)
    reg_feats = simplify_features(gd / "regions-version-simplifiee.geojson", 0.001, 4,
                                  lambda p: {"code": p["code"], "nom": p["nom"]}
                                  if p["code"] in REGIONS else None)
    write_geojson(out / "regions.geojson", sorted(reg_feats, key=lambda f: f[0]["code"]), 4)
    write_geojson(out / "communes.geojson.gz", simplify_features(
        geo / "communes_hdf_ge.geojson", 0.0005, 4,
        lambda p: {"code_insee": p["code_insee"]}), 4, gz=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="/work/shared", type=Path)
    parser.add_argument("steps", nargs="*", default=["reference", "geo", "demo"])
    args = parser.parse_args(argv)
    src = args.shared / "data"
    if "reference" in args.steps:
        build_reference(src)
    if "geo" in args.steps:
        build_geo(src)
    if "demo" in args.steps:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import build_data_demo

        build_data_demo.build(src, OUT / "demo")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
