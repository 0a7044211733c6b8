"""Positions and distances that may be shown to someone who may not see a site.

A site's exact point names it (one factory per address), and so does a distance
precise enough to be measured from a few chosen places (trilateration: four
distances to 0.1 km located a site to 40 m). So a person who may not see a site
gets its commune's centre, or the centre of a grid cell when it has no commune,
never more than ``PUBLIC_DECIMALS`` decimals (≈ 100 m), and distances in bands.

The same holds for words: « a drill maker in <small commune> » names the one drill maker there. So the
place told of a site whose company is not named is the finest area (commune, intercommunality,
département, region) holding at least ``MIN_UNITS`` comparable establishments (:func:`area_level`),
and its quantities are rounded (:func:`rounded_quantity`).

Framework-free: plain floats in, plain values out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from boucle.observatory.disclosure import MIN_COMPANIES

#: Decimals of a degree any public page may carry (3 decimals ≈ 110 m of latitude).
PUBLIC_DECIMALS = 3
#: Decimals of a degree a payload carries for a site its reader may see exactly (6 decimals ≈ 0.1 m: finer than
#: any declared position, coarse enough to drop binary noise such as 2.3522000000000003).
EXACT_DECIMALS = 6
#: Grid step, in degrees, for a hidden site without a commune and for a visitor's own position
#: (0.05° ≈ 5.6 km north–south, 3.5 km east–west at 50° N).
GRID_DEG = 0.05
#: Upper bounds (km) of the distance bands shown to a party that may not see the other site.
DISTANCE_BANDS_KM = (5, 20, 50, 100, 200)


def rounded_point(lat: float | None, lon: float | None, decimals: int) -> tuple[float | None, float | None]:
    """The one rounding of a position a page, map payload, API answer or export carries: ``decimals`` of a degree
    at most, and the shortest decimal that reads back as that value (no ``2.3522000000000003`` in a JSON text)."""
    if lat is None or lon is None:
        return None, None
    return round(float(lat), decimals), round(float(lon), decimals)


def exact_point(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """A point as declared, to ``EXACT_DECIMALS`` (for a reader who may see the site in full)."""
    return rounded_point(lat, lon, EXACT_DECIMALS)


def public_point(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """A point rounded to ``PUBLIC_DECIMALS`` (for a site its reader may locate anyway)."""
    return rounded_point(lat, lon, PUBLIC_DECIMALS)


def grid_point(lat: float | None, lon: float | None, step: float = GRID_DEG) -> tuple[float | None, float | None]:
    """The centre of the ``step``-degree grid cell holding the point: every point of the cell
    gives the same answer, so nothing finer than the cell can be learnt from it."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None, None
    def snap(value):
        return (math.floor(float(value) / step) + 0.5) * step
    return public_point(snap(lat), snap(lon))


def hidden_point(lat, lon, commune_lat=None, commune_lon=None) -> tuple[float | None, float | None]:
    """Where a site the reader may not see is placed: its commune's centre, else its grid cell."""
    if commune_lat is not None and commune_lon is not None:
        return public_point(commune_lat, commune_lon)
    return grid_point(lat, lon)


def distance_band(km: float | None, cap_km: float | None = None, figure=None) -> str:
    """A distance as a band ("< 5 km", "5–20 km", …, "> 200 km"); "" when unknown.

    ``cap_km``: the radius of the search the distance answers (every result lies within it, as the reader knows):
    the band is cut there, « 20–30 km » in a 30 km search rather than « 20–50 km », which would read as beyond
    the radius asked for. It tells nothing the band and the radius did not already say. ``figure`` writes the
    cap (a localised number); by default a plain one (« 30 », « 12.5 »)."""
    if km is None or not math.isfinite(km):
        return ""
    bounds = list(DISTANCE_BANDS_KM)
    if cap_km is not None and math.isfinite(cap_km) and cap_km > 0:
        bounds = [b for b in bounds if b < cap_km] + [cap_km]
        km = min(km, cap_km)  # a point on the circle (or a rounding past it) is in the last band
    write = figure or (lambda value: f"{value:g}")
    low = 0
    for i, high in enumerate(bounds):
        last_of_search = cap_km is not None and i == len(bounds) - 1
        if km < high or last_of_search:
            top = write(high) if last_of_search else f"{high:g}"
            return f"< {top} km" if low == 0 else f"{low:g}–{top} km"
        low = high
    return f"> {DISTANCE_BANDS_KM[-1]} km"


def band_rank(km: float | None) -> int:
    """The band's position, for sorting cards without ranking them by the exact distance."""
    if km is None or not math.isfinite(km):
        return len(DISTANCE_BANDS_KM) + 1
    return sum(1 for high in DISTANCE_BANDS_KM if km >= high)


#: The areas a site may be placed in, finest first (each holds the previous one, an EPCI aside, which may straddle
#: a département: it is told only when it alone holds enough comparable establishments).
AREA_LEVELS = ("commune", "epci", "departement", "region")
#: Comparable establishments an area must hold before it is named next to an unnamed company's activity: INSEE's
#: « secret statistique » frequency rule (a cell is not published when fewer than 3 units contribute to it; its
#: dominance rule, one unit above 85 % of a figure, is ``observatory.disclosure.MAX_SHARE``, for totals), the rule
#: of the platform's published figures (``observatory.disclosure.MIN_COMPANIES``).
MIN_UNITS = MIN_COMPANIES


def area_level(counts: Mapping[str, int], minimum: int = MIN_UNITS) -> str | None:
    """The finest level of ``AREA_LEVELS`` whose count of comparable establishments (the site's own included)
    reaches ``minimum``; None when none does (say no place at all).

    >>> area_level({"commune": 1, "epci": 2, "departement": 40})
    'departement'
    """
    for level in AREA_LEVELS:
        if (counts.get(level) or 0) >= minimum:
            return level
    return None


def rounded_quantity(value: float | None, digits: int = 2) -> float | int | None:
    """A quantity to ``digits`` significant digits (2 300 for 2 345, 0.046 for 0.0456): the order of magnitude and
    the first figure, not the exact declaration that would let a reader match it with a known plant. A whole
    number when no decimal is left (« 840 », not « 840.0 », in an export)."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0
    ndigits = digits - 1 - math.floor(math.log10(abs(value)))
    return round(float(value), ndigits) if ndigits > 0 else int(round(float(value), ndigits))
