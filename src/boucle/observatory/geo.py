"""Outlines of EPCIs and communes from the GeoJSON shipped in ``boucle/data/geo``.

Read once per process: the commune layer is a few MB once unzipped and every map
and export needs the same features.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache

from boucle.paths import DATA_DIR

LAYERS = {"epci": ("epci.geojson", "siren"), "commune": ("communes.geojson.gz", "code_insee"),
          "departement": ("departements.geojson", "code"), "region": ("regions.geojson", "code")}


@lru_cache(maxsize=4)
def _geometries(level: str) -> dict[str, dict]:
    name, key = LAYERS[level]
    path = DATA_DIR / "geo" / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return {f["properties"][key]: f["geometry"] for f in data["features"]}


def features(level: str, units: list[tuple[str, str, dict]]) -> list[dict]:
    """GeoJSON features for (code, name, properties) of one level; units without an outline are left out."""
    geometries = _geometries(level)
    return [{"type": "Feature", "id": code, "geometry": geometries[code],
             "properties": {"level": level, "code": code, "name": name, **props}}
            for code, name, props in units if code in geometries]
