"""The place told of a site whose company is not named: one rule for every page, API answer, map and export.

« An unnamed metalworking firm in <commune> » names the firm when it is the commune's only one. The
platform follows INSEE's *secret statistique* (frequency rule, « règle des 3 unités »: a cell is not
published when fewer than three units stand behind it): a site whose company has not agreed to be named is
placed in the finest area — its commune, else its intercommunality, else its département, else its region —
that holds at least ``coarse.MIN_UNITS`` open establishments of the platform (its own included) of the same
NACE division as itself, the level at which such a reader is told its activity (``division_label``). A site
without an activity code is compared with every establishment of the area. SIRENE directory entries are
establishments of the platform like the others: the counts are those of the directory the platform holds.

``coarse.area_level`` decides (pure); this module counts, once per batch of sites, in a few grouped queries.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Avg, Count
from django.db.models.functions import Substr
from django.utils.translation import get_language

from . import coarse


@dataclass(frozen=True)
class Area:
    """Where an unnamed site is said to be: ``words`` (« Lille (59) », « Métropole Européenne de Lille »,
    « Nord (59) », « Hauts-de-France ») and the area's centre to ``coarse.PUBLIC_DECIMALS`` (a commune's
    centre; the mean of its communes' centres for a wider area)."""

    level: str
    code: str
    words: str
    lat: float | None
    lon: float | None


def _codes(site) -> dict:
    commune = site.commune
    return {"commune": commune.insee, "epci": commune.epci_id, "departement": commune.departement_id,
            "region": commune.departement.region_id}


def _filter(level: str) -> str:
    return {"commune": "commune_id", "epci": "commune__epci_id", "departement": "commune__departement_id",
            "region": "commune__departement__region_id"}[level]


#: Counts per (level, area code), for one committed data version (``web.snapshots.data_version``): a département
#: holds tens of thousands of establishments, and a list of cards asks for the same few areas again and again.
_KEPT: dict = {"version": None, "counts": {}, "places": {}}
_KEPT_LOCK = threading.Lock()
_KEPT_MAX = 20_000
#: The count key of every establishment of an area, whatever its division (a site without a code compares to all).
ALL = "*"


def _counts(level: str, codes: set, version) -> dict:
    """{(area code, division): open establishments}; (code, ALL) holds every division, sites without a code
    included (those alone are under « »). ``version``: ``web.snapshots.data_version()``, None inside a
    transaction (a test, a request writing): count afresh."""
    from boucle.flows.models import Site

    with _KEPT_LOCK:
        if version is None or version != _KEPT["version"] or len(_KEPT["counts"]) > _KEPT_MAX:
            _KEPT.update(version=version, counts={}, places={})
        kept = {code: _KEPT["counts"][(level, code)] for code in codes if (level, code) in _KEPT["counts"]}
    missing = [code for code in codes if code not in kept]
    if missing:
        field = _filter(level)
        rows = (Site.objects.filter(**{f"{field}__in": missing}, closed=False).order_by()
                .annotate(division=Substr("naf_id", 1, 2)).values_list(field, "division").annotate(n=Count("pk")))
        found: dict = {code: {} for code in missing}
        for code, division, n in rows:
            division = division or ""
            found[code][division] = found[code].get(division, 0) + n
            found[code][ALL] = found[code].get(ALL, 0) + n
        kept.update(found)
        if version is not None:
            with _KEPT_LOCK:
                if _KEPT["version"] == version:
                    _KEPT["counts"].update({(level, code): by for code, by in found.items()})
    return {(code, division): n for code, by in kept.items() for division, n in by.items()}


def _words(level: str, code: str, site) -> str:
    commune = site.commune
    if level == "commune":
        return f"{commune.name} ({commune.departement_id})"
    if level == "epci":
        return commune.epci.name
    if level == "departement":
        return str(commune.departement)
    return commune.departement.region.name


def _centre(level: str, code: str, site) -> tuple[float | None, float | None]:
    if level == "commune":
        return coarse.public_point(site.commune.lat, site.commune.lon)
    from .models import Commune

    field = {"epci": "epci_id", "departement": "departement_id", "region": "departement__region_id"}[level]
    mean = Commune.objects.filter(**{field: code}).aggregate(lat=Avg("lat"), lon=Avg("lon"))
    return coarse.public_point(mean["lat"], mean["lon"])


def _place(level: str, code: str, site, version, places: dict) -> tuple:
    """(words, lat, lon) of an area: read once per data version (a list of cards names the same few areas again
    and again), else once per call (``places``)."""
    key = (level, code)
    with _KEPT_LOCK:
        kept = _KEPT["places"].get(key) if version is not None and _KEPT["version"] == version else None
    if kept is None:
        kept = places.get(key)
    if kept is None:
        kept = places[key] = (_words(level, code, site), *_centre(level, code, site))
        if version is not None:
            with _KEPT_LOCK:
                if _KEPT["version"] == version:
                    _KEPT["places"][key] = kept
    return kept


def areas_told(sites, finest: str = "commune") -> dict:
    """{site.pk: ``Area`` or None} for ``sites`` (loaded with their commune): None when the site has no commune
    or no area holds enough comparable establishments (then no place is told). ``finest``: the finest level the
    page ever tells (a synergy card tells the intercommunality at most, as it always did)."""
    from boucle.web.snapshots import data_version

    sites = [s for s in sites if s is not None]
    out = {s.pk: None for s in sites}
    pending = [s for s in sites if s.commune_id]
    if not pending:
        return out
    codes = {s.pk: _codes(s) for s in pending}
    version = data_version()
    places: dict = {}
    for level in coarse.AREA_LEVELS[coarse.AREA_LEVELS.index(finest):]:
        if not pending:
            break
        wanted = {codes[s.pk][level] for s in pending if codes[s.pk][level]}
        counts = _counts(level, wanted, version) if wanted else {}
        left = []
        for site in pending:
            code = codes[site.pk][level]
            division = site.naf_id[:2] if site.naf_id else ALL
            found = counts.get((code, division), 0) if code else 0
            if code and coarse.area_level({level: found}) == level:  # enough establishments like it here
                words, lat, lon = _place(level, code, site, version, places)
                out[site.pk] = Area(level, code, words, lat, lon)
            else:
                left.append(site)
        pending = left
    return out


def area_told(site, finest: str = "commune") -> Area | None:
    """The place told of one unnamed site (``areas_told``)."""
    return areas_told([site], finest).get(site.pk) if site is not None else None


def area_words(site, finest: str = "commune") -> str:
    """The area's words, or « » when none may be told."""
    area = area_told(site, finest)
    return area.words if area else ""


def division_label(site) -> str:
    """The site's activity at the NACE division level, as told with its area (its exact code would narrow the
    comparable establishments down to one); « » when it has no code (its free words may name it)."""
    if not site.naf_id:
        return ""
    from boucle.reference.models import ActivityCode

    row = ActivityCode.objects.filter(code=site.naf_id[:2]).values_list("label_fr", "label_en").first()
    if row is None:
        return ""
    english = (get_language() or "").startswith("en")
    return (row[1] or row[0]) if english else row[0]


def hidden_points(sites, finest: str = "epci") -> dict:
    """{site.pk: (lat, lon) or None}: where a map or an export draws a site its reader may not see — the centre of
    the area told of it (a synergy card tells the intercommunality at most, so does its line), so that the map says
    no more than the card; None when no area may be told (the card still lists it; no line is drawn)."""
    told = areas_told(sites, finest)
    return {pk: ((area.lat, area.lon) if area and area.lat is not None else None) for pk, area in told.items()}
