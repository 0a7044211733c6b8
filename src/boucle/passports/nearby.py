"""Where to take a product: the nearest open sites on the platform that repair (NAF 33, 95)
or collect and recycle (NAF 38), from the scanner's position or else the producing site.

When the reader may see the composition, sites that declared a need for one of its materials
are added even when farther, and say which material they take.

Names are shown only for companies that chose to be published; otherwise a visitor sees the
activity and the commune, which is enough to find the place and reveals no one's trade.
"""

from django.db.models import Q

from boucle.matching.spatial import haversine_km

from boucle.accounts.access import member_company_ids

from .access import CIRCULAR_NAF_DIVISIONS, public_position, site_label

REPAIR_DIVISIONS = ("33", "95")


def material_classes(composition) -> dict[str, str]:
    """Material class -> the passport's own word for it (``copper_scrap`` -> ``cuivre``)."""
    from boucle.flows.importers import classify

    out = {}
    for entry in composition or []:
        label = entry.get("material") if isinstance(entry, dict) else None
        if label:
            material_class, _ = classify(label, None)
            if material_class:
                out.setdefault(material_class, label)
    return out


def nearest_circular_sites(lat: float, lon: float, *, limit: int = 6, user=None, materials=None,
                           takers: int = 3) -> list[dict]:
    """The ``limit`` nearest circular sites as public labels with their distance and role, plus
    up to ``takers`` farther ones that declared a need for one of ``materials`` (class -> word),
    each labelled with what it ``accepts``; nearest first."""
    from boucle.flows.models import Flow, Site

    q = Q()
    for division in CIRCULAR_NAF_DIVISIONS:
        q |= Q(naf__code__startswith=division)
    sites = list(Site.objects.filter(q, closed=False, lat__isnull=False, lon__isnull=False)
                 .select_related("company", "naf", "commune"))
    if not sites:
        return []
    # Distances run between public positions only: measured to the exact point, a few answers from
    # chosen places would locate an unpublished site (trilateration).
    mine = set(member_company_ids(user)) if user is not None else set()
    points = [public_position(s, member=s.company_id in mine) for s in sites]
    distances = haversine_km(lat, lon, [p[0] for p in points], [p[1] for p in points])
    ranked = sorted(zip(distances.tolist(), range(len(sites))))
    accepts: dict[int, list[str]] = {}
    if materials:
        needs = Flow.objects.filter(site__in=[s.pk for s in sites], direction=Flow.Direction.NEED,
                                    material_class__in=list(materials)).values_list("site_id", "material_class")
        for site_id, material_class in needs:
            words = accepts.setdefault(site_id, [])
            if materials[material_class] not in words:
                words.append(materials[material_class])
    chosen = ranked[:limit]
    chosen += [r for r in ranked[limit:] if sites[r[1]].pk in accepts][:takers]
    out = []
    for km, i in chosen:
        site = sites[i]
        label = site_label(site, user)
        label["km"] = round(km, 1)  # between public positions (see above)
        label["role"] = "repair" if site.naf_id[:2] in REPAIR_DIVISIONS else "recycling"
        label["accepts"] = accepts.get(site.pk, [])
        out.append(label)
    return out
