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


def unit_xyz(lat, lon) -> np.ndarray:
    la, lo = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def any_within(need_lat, need_lon, need_key, src_lat, src_lon, src_key, radius_km: float,
               need_site=None, src_site=None) -> np.ndarray:
    """For each need, is there a source of the same key (a material code) within ``radius_km``?

    The batch form of ``within`` for many needs at once (the observatory's local-sourcing share):
    great-circle distances as chords of the unit sphere, one KD-tree per key. With ``need_site`` and
    ``src_site`` (site ids), a source on the need's own site does not count.
    """
    from scipy.spatial import cKDTree

    need_key, src_key = np.asarray(need_key), np.asarray(src_key)
    found = np.zeros(len(need_key), dtype=bool)
    if len(need_key) == 0 or len(src_key) == 0:
        return found
    chord = 2.0 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2.0) * (1 + 1e-9)
    need_xyz, src_xyz = unit_xyz(need_lat, need_lon), unit_xyz(src_lat, src_lon)
    # Rows sorted by key once, so each key's needs and sources are slices, not masks.
    n_order, s_order = _grouping_order(need_key), _grouping_order(src_key)
    n_sorted, s_sorted = need_key[n_order], src_key[s_order]
    n_xyz, s_xyz = need_xyz[n_order], src_xyz[s_order]
    exclude = need_site is not None and src_site is not None
    if exclude:
        n_site, s_site = np.asarray(need_site)[n_order], np.asarray(src_site)[s_order]
    keys = np.intersect1d(n_sorted, s_sorted)
    n_lo, n_hi = np.searchsorted(n_sorted, keys, "left"), np.searchsorted(n_sorted, keys, "right")
    s_lo, s_hi = np.searchsorted(s_sorted, keys, "left"), np.searchsorted(s_sorted, keys, "right")

    def one(i):
        # Sliding-midpoint trees with bigger leaves build faster; the answer does not depend on the shape.
        tree = cKDTree(s_xyz[s_lo[i]:s_hi[i]], leafsize=32, balanced_tree=False)
        if not exclude:
            dist, _ = tree.query(n_xyz[n_lo[i]:n_hi[i]], k=1, distance_upper_bound=chord)
            found[n_order[n_lo[i]:n_hi[i]]] = np.isfinite(dist)
            return
        # the nearest source may be the need's own site: look at the two nearest (a site is once per key)
        k = min(2, s_hi[i] - s_lo[i])
        dist, idx = tree.query(n_xyz[n_lo[i]:n_hi[i]], k=k, distance_upper_bound=chord)
        dist, idx = dist.reshape(len(dist), k), idx.reshape(len(idx), k)
        sites = np.append(s_site[s_lo[i]:s_hi[i]], -1)[np.minimum(idx, s_hi[i] - s_lo[i])]
        other = np.isfinite(dist) & (sites != n_site[n_lo[i]:n_hi[i], None])
        found[n_order[n_lo[i]:n_hi[i]]] = other.any(axis=1)

    # Two threads: tree building and queries run in C without the GIL, and each key writes its own rows.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, range(keys.size)))
    return found


def _grouping_order(key: np.ndarray) -> np.ndarray:
    """A stable order that groups equal keys; small codes take numpy's radix sort."""
    key = np.asarray(key)
    low = int(key.min())
    if int(key.max()) - low < 1 << 16:
        return np.argsort((key - low).astype(np.uint16), kind="stable")
    return np.argsort(key, kind="stable")
