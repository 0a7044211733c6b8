"""Local sourcing, the pure part: which activity codes answer a query, and distances. No Django here.

A query names activities in one of three ways, each turned into a set of NAF rév. 2 codes (any
level, as establishments carry them):

- a NAF/NACE code at any level (``38``, ``38.3``, ``38.32``, ``38.32Z`` or ``3832Z``): that code
  and every code under it;
- a material class: the NAF prefixes that produce it or use it, read from the matching
  knowledge (``activity_outputs.csv``/``activity_inputs.csv``, passed in, not copied here);
- product text: the codes whose French or English label holds every word of the text.

Distances are great-circle (haversine) on the WGS84 coordinates, in km.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0088
_NAF_RE = re.compile(r"^(\d{2})(?:\.?(\d)(?:(\d)([A-Z])?)?)?$")


class QueryError(ValueError):
    """A query the directory cannot answer; ``kind`` says which part, ``accepted`` what would do."""

    def __init__(self, kind: str, value: str, accepted: list[str] | None = None):
        super().__init__(f"{kind}: {value!r}")
        self.kind, self.value, self.accepted = kind, value, accepted or []


def normalise_code(text: str) -> str:
    """'38', '38.3', '38.32', '38.32z', '3832Z' → dotted upper-case form; QueryError otherwise."""
    compact = re.sub(r"[\s.]", "", str(text or "")).upper()
    m = _NAF_RE.match(compact)
    if not m:
        raise QueryError("naf", text)
    division, group, cls, sub = m.groups()
    code = division
    if group:
        code += "." + group
    if cls:
        code += cls
    if sub:
        code += sub
    return code


def codes_under(code: str, catalogue) -> list[str]:
    """Every catalogue code equal to or under ``code`` (a division covers its groups, classes, subclasses)."""
    found = sorted(c for c in catalogue if c.startswith(code))
    if not found:
        raise QueryError("naf", code)
    return found


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a code answers the query: ('naf', code) / ('produces'|'uses', class key, prefix, source) / ('label', words)."""

    kind: str
    detail: str
    prefix: str = ""
    source: str = ""


def material_codes(key: str, outputs, inputs, catalogue) -> dict[str, Reason]:
    """Codes of the activities that produce (``outputs``) or use (``inputs``) a material class.

    ``outputs``/``inputs`` are the matching knowledge's rules (objects with ``naf_prefix``,
    ``class_key``, ``source``). A producer reason wins over a user one for the same code.
    """
    out: dict[str, Reason] = {}
    for kind, rules in (("uses", inputs), ("produces", outputs)):
        for rule in rules:
            if rule.class_key != key:
                continue
            try:
                prefix = normalise_code(rule.naf_prefix)
                codes = codes_under(prefix, catalogue)
            except QueryError:
                continue
            for code in codes:
                out[code] = Reason(kind, key, prefix, rule.source)
    return out


def fold(text: str) -> list[str]:
    """Lower-case words without accents, three letters or more, crude plural removed."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    return [w[:-1] if len(w) > 4 and w.endswith(("s", "x")) else w for w in words if len(w) >= 3]


def text_codes(text: str, labels: dict[str, tuple[str, str]]) -> dict[str, Reason]:
    """Codes whose French or English label contains every word of ``text`` (word prefixes count)."""
    wanted = fold(text)
    if not wanted:
        raise QueryError("text", text)
    out = {}
    for code, pair in labels.items():
        for label in pair:
            words = fold(label)
            if all(any(w.startswith(q) for w in words) for q in wanted):
                out[code] = Reason("label", label)
                break
    # a code matched by its label brings the codes under it (the subclasses of a matched class)
    for code in sorted(out):
        for other in labels:
            if other not in out and other.startswith(code) and len(other) > len(code):
                out[other] = out[code]
    return out


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) holding every point within ``radius_km`` of (lat, lon)."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos = math.cos(math.radians(lat))
    dlon = 180.0 if cos < 1e-6 else min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def distances_km(lat: float, lon: float, lats, lons) -> np.ndarray:
    lat1, lon1 = math.radians(lat), math.radians(lon)
    lat2, lon2 = np.radians(np.asarray(lats, dtype=float)), np.radians(np.asarray(lons, dtype=float))
    a = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def within(lat: float, lon: float, radius_km: float, lats, lons, limit: int | None = None) -> list[tuple[int, float]]:
    """(index, distance km) of the points within the radius, nearest first (ties by index)."""
    if not len(lats):
        return []
    d = distances_km(lat, lon, lats, lons)
    idx = np.nonzero(d <= radius_km)[0]
    order = idx[np.lexsort((idx, d[idx]))]
    if limit is not None:
        order = order[:limit]
    return [(int(i), float(d[i])) for i in order]
