"""Where to take a product: the nearest open sites on the platform that repair (NAF 33, 95)
or collect and recycle (NAF 38), from the scanner's position or else the producing site.

Names are shown only for companies that chose to be published; otherwise a visitor sees the
activity and the commune, which is enough to find the place and reveals no one's trade.
"""

from django.db.models import Q

from boucle.matching.spatial import haversine_km

from .access import CIRCULAR_NAF_DIVISIONS, site_label

REPAIR_DIVISIONS = ("33", "95")


def nearest_circular_sites(lat: float, lon: float, *, limit: int = 6, user=None) -> list[dict]:
    """The ``limit`` nearest circular sites as public labels with their distance and role."""
    from boucle.flows.models import Site

    q = Q()
    for division in CIRCULAR_NAF_DIVISIONS:
        q |= Q(naf__code__startswith=division)
    sites = list(Site.objects.filter(q, closed=False, lat__isnull=False, lon__isnull=False)
                 .select_related("company", "naf", "commune"))
    if not sites:
        return []
    distances = haversine_km(lat, lon, [s.lat for s in sites], [s.lon for s in sites])
    ranked = sorted(zip(distances.tolist(), range(len(sites))))[:limit]
    out = []
    for km, i in ranked:
        site = sites[i]
        label = site_label(site, user)
        label["km"] = round(km, 1)
        label["role"] = "repair" if site.naf_id[:2] in REPAIR_DIVISIONS else "recycling"
        out.append(label)
    return out
