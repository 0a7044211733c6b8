"""What another company learns about a shared machine (pure: plain values in, plain values out).

Until the owner accepts one of its booking requests, a company sees an offer
anonymised: its category, the area told of its site (``territories.secrecy``: the commune only
where at least three establishments of the owner's activity share it, else its intercommunality,
département or region), the distance from its own nearest site as a band,
and the terms (conditions, price, capacity, availability). The owner's name, the
site, the machine's own name and free description stay hidden, because a named
machine on a named site identifies the company. The owner, the facilitators of the
site's territory and the platform administrator always see everything.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from boucle.matching.spatial import haversine_km
from boucle.territories.coarse import band_rank, distance_band

FULL, ANONYMISED = "full", "anonymised"
ANONYMOUS_FIELDS = ("pk", "direction", "direction_label", "category", "area", "conditions", "price", "price_unit",
                    "capacity", "windows")


def view_level(*, sees_site: bool, accepted_booking: bool) -> str:
    """``sees_site``: owner's member, facilitator of the site's territory or administrator."""
    return FULL if sees_site or accepted_booking else ANONYMISED


def present(card: dict, level: str) -> dict:
    """The card as this viewer may receive it; hidden keys are removed, not blanked, so no template can show them."""
    km = card.get("distance_km")
    if level == FULL:
        return dict(card, level=FULL, distance="" if km is None else f"{km:.0f} km", distance_rank=(band_rank(km), km or 0))
    # The distance from one's own sites, even to the km, draws circles through a hidden site: a band.
    return {k: card[k] for k in ANONYMOUS_FIELDS if k in card} | {
        "level": ANONYMISED, "distance_km": None, "distance": distance_band(km), "distance_rank": (band_rank(km), 0)}


def nearest_km(origins: Iterable[tuple[float, float]], target: tuple[float | None, float | None]) -> float | None:
    """Great-circle km from the closest origin to the target, rounded to the km (a finer figure would
    help locate the site); None when either side has no coordinates."""
    points = [(lat, lon) for lat, lon in origins if lat is not None and lon is not None]
    if not points or target[0] is None or target[1] is None:
        return None
    lats, lons = np.array(points, dtype=float).T
    km = haversine_km(lats, lons, np.full(len(points), target[0]), np.full(len(points), target[1]))
    return float(round(float(np.min(km))))
