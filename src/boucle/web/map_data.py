"""The facilitator map's data: every site the user may see, as arrays, cut to a bounding box per request.

Aggregating a region's 50,000 sites per EPCI in SQL cost 20–50 ms for each pan or zoom;
the sites and their offer counts change far more rarely than a facilitator moves the
map. So each worker loads the visible sites once per data version and grant set
(``snapshots.remembered``) and answers each request with a few vectorised operations.
The answers are the same as the SQL ones: the same sites, counts, order and rounding.
"""

import numpy as np
from django.db.models import Count, Q

from boucle.accounts.access import sites_in_full_view
from boucle.flows.models import takeable_offer
from boucle.territories.coarse import exact_point

from . import snapshots

MAX_SITES = 2000  # the most markers one map request returns


class VisibleSites:
    """Located sites in full view, sorted as the map lists them: most offers first, then by id."""

    def __init__(self, rows):
        rows = sorted(rows, key=lambda r: (-r[5], r[0]))
        self.ids = [r[0] for r in rows]
        self.names = [r[1] for r in rows]
        self.naf = [r[4] for r in rows]
        self.n_offers = [r[5] for r in rows]
        self.n_needs = [r[8] for r in rows]
        self.lat = np.array([r[2] for r in rows], dtype=float)
        self.lon = np.array([r[3] for r in rows], dtype=float)
        # EPCIs in the order the clusters are listed (by code; sites without an EPCI last, as SQL sorts NULL).
        codes = sorted({r[6] for r in rows if r[6] is not None})
        names = {r[6]: r[7] for r in rows}
        self.epcis = [(code, names[code] or "") for code in codes] + [(None, "")]
        index = {code: i for i, (code, _name) in enumerate(self.epcis)}
        self.epci = np.array([index[r[6]] for r in rows], dtype=np.intp)

    def in_box(self, bbox):
        if bbox is None:
            return np.ones(len(self.ids), dtype=bool)
        west, south, east, north = bbox
        return (self.lon >= west) & (self.lon <= east) & (self.lat >= south) & (self.lat <= north)

    def aggregates(self, bbox) -> list[dict]:
        """One point per EPCI: how many of its sites lie in the box, and their mean position."""
        mask = self.in_box(bbox)
        groups, size = self.epci[mask], len(self.epcis)
        count = np.bincount(groups, minlength=size)
        lat = np.bincount(groups, weights=self.lat[mask], minlength=size)
        lon = np.bincount(groups, weights=self.lon[mask], minlength=size)
        return [cluster(code, name, int(count[i]), lat[i] / count[i], lon[i] / count[i])
                for i, (code, name) in enumerate(self.epcis) if count[i]]

    def sites(self, bbox, limit: int) -> list[dict]:
        """The first ``limit`` sites in the box, most offers first."""
        picked = np.flatnonzero(self.in_box(bbox))[:limit].tolist()
        return [site_marker(self.ids[i], self.names[i], self.lat[i], self.lon[i], self.naf[i], self.n_offers[i],
                            self.n_needs[i]) for i in picked]


def cluster(epci, name, count, lat, lon) -> dict:
    """One EPCI's point on the zoomed-out map: the mean position of its sites the reader sees in full."""
    lat, lon = exact_point(lat, lon)
    return {"epci": epci, "name": name or "", "count": count, "lat": lat, "lon": lon}


def site_marker(pk, name, lat, lon, naf, n_offers, n_needs) -> dict:
    """One site of the map (a site in full view: its exact point, ``coarse.exact_point``)."""
    lat, lon = exact_point(lat, lon)
    return {"id": pk, "name": name, "lat": lat, "lon": lon, "naf_id": naf, "n_offers": n_offers, "n_needs": n_needs}


def visible_sites(user) -> VisibleSites:
    def load():
        rows = (sites_in_full_view(user).filter(lat__isnull=False, lon__isnull=False)
                .annotate(n_offers=Count("flows", filter=takeable_offer("flows__")),
                          n_needs=Count("flows", filter=Q(flows__direction="need")))
                .values_list("id", "name", "lat", "lon", "naf_id", "n_offers", "commune__epci_id",
                             "commune__epci__name", "n_needs"))
        return VisibleSites(list(rows))

    return snapshots.remembered("map-sites", user, load)


MAX_LINES = 1500  # the most synergy lines one map request returns (best first)


def synergy_lines(user, statuses=None) -> dict:
    """The synergies the user may open, as GeoJSON lines from the offering to the receiving site.

    Only synergies of ``services.visible_synergies`` (a company sees those it is party to). An end is where
    ``accounts.access.point_shown`` places it: exact when the user may see that site in full (its own
    company's, a facilitator's territory, or after the double opt-in), to ≈ 100 m and named for a company
    that chose to be public; otherwise it is the centre of the area its card tells
    (``territories.secrecy.hidden_points``) and carries no name: a site of which no area may be told draws no line.
    """
    from django.utils.translation import gettext as _

    from boucle.accounts.access import point_shown
    from boucle.matching import lifecycle, services
    from boucle.territories.secrecy import hidden_points

    from .present import STATUS_LABELS, material_label

    qs = services.visible_synergies(user)
    if statuses:
        qs = qs.filter(status__in=statuses)
    else:
        qs = qs.exclude(status=lifecycle.DECLINED)
    qs = qs.select_related("offer__site__commune__epci", "offer__site__commune__departement__region",
                           "need_site__commune__epci", "need_site__commune__departement__region")
    # Synergies under way first (they are few and matter most), then the best suggestions.
    rows = list(qs.exclude(status=lifecycle.SUGGESTED).order_by("-score", "id")[:MAX_LINES + 1])
    rows += list(qs.filter(status=lifecycle.SUGGESTED).order_by("-score", "id")[:MAX_LINES + 1 - len(rows)])
    sides_cache = {}

    def end(site, synergy):
        """(point, name) of a site the reader may place, (None, site) of one it may not, (None, None) unplaced."""
        party = sides_cache.setdefault(synergy.pk, bool(synergy.revealed_at) and bool(services.sides_of(user, synergy)))
        if site.lat is None or site.lon is None:
            return None, None
        lat, lon = point_shown(user, site, revealed=party)  # exact, or ≈ 100 m for a published company
        return ([lon, lat], site.name) if lat is not None else (None, site)

    ends = [(synergy, end(synergy.offer.site, synergy), end(synergy.need_site, synergy)) for synergy in rows[:MAX_LINES]]
    centres = hidden_points({e[1].pk: e[1] for _s, *pair in ends for e in pair if e[0] is None and e[1]}.values())

    def placed(point, who):
        if point is not None:
            return point, who
        centre = centres.get(who.pk) if who is not None else None
        return ([centre[1], centre[0]] if centre else None), None

    features, not_drawn = [], 0
    for synergy, offer_end, need_end in ends:
        (a, a_name), (b, b_name) = placed(*offer_end), placed(*need_end)
        if a is None or b is None:
            not_drawn += 1
            continue
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [a, b]}, "properties": {
            "id": synergy.pk, "status": synergy.status, "status_label": str(STATUS_LABELS[synergy.status]),
            "material": material_label(synergy.material_class), "url": f"/synergies/{synergy.pk}/",
            "offer": a_name or str(_("Entreprise anonyme")), "need": b_name or str(_("Entreprise anonyme")),
            "exact": [a_name is not None, b_name is not None]}})
    # ``not_drawn``: synergies listed on their cards whose line is not drawn (an end unplaced, or told of nowhere)
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAX_LINES,
            "not_drawn": not_drawn}
