"""Small parks for the matching tests, built as a held-out park is imported: sites a few hundred metres apart,
each ``(site_id, NACE code or None, activity words[, name])``, offers by their label only.

A test file fixes where its park stands once (``_park = partial(park, lat=45.0, lon=5.0)``); the place only
matters through the distance between sites, which stays a few hundred metres.
"""

from boucle.matching.pipeline import FlowIn, SiteIn, propose


def park(sites, *, lat: float = 50.0, lon: float = 3.0, step: float = 0.001) -> list[SiteIn]:
    """Sites ``step`` degrees of latitude apart (0.001° ≈ 110 m)."""
    return [SiteIn(sid, lat + i * step, lon, code, activity, *rest)
            for i, (sid, code, activity, *rest) in enumerate(sites)]


def receivers(sites, site_id, label, needs=(), *, at=(50.0, 3.0, 0.001), **flow) -> set[str]:
    """The sites the default output offers ``label`` to, from ``site_id``; ``needs`` are declared needs
    ``(site_id, label)``; ``flow`` the offer's other fields (ewc_code, hazardous, …)."""
    lat, lon, step = at
    flows = [FlowIn("o1", site_id, "offer", label=label, **flow)]
    flows += [FlowIn(f"n{i}", sid, "need", label=need) for i, (sid, need) in enumerate(needs)]
    return {p.need_site_id for p in propose(park(sites, lat=lat, lon=lon, step=step), flows)}


def receivers_by_label(sites, offers, *, at=(50.0, 3.0, 0.003)) -> dict[str, list[str]]:
    """Offer label → receiving sites, most plausible first, for ``offers`` = ``[(site_id, label), …]``."""
    lat, lon, step = at
    flows = [FlowIn(f"{s}-{i}", s, "offer", label=label) for i, (s, label) in enumerate(offers)]
    got: dict[str, list[str]] = {}
    for p in propose(park(sites, lat=lat, lon=lon, step=step), flows):
        got.setdefault(p.offer_label, []).append(p.need_site_id)
    return got
