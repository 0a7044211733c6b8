"""Personas and a small territory for the web and API tests.

Territory T is the Métropole Européenne de Lille (EPCI 200093201) with two
companies, A (a cement plant, Lille) and B (a coal power station,
Villeneuve-d'Ascq); company C (a paper mill) is in Metz, another EPCI. Every
identifying string of a company is listed in ``World.secrets``
(names, SIRET, SIREN, coordinates, flow labels, the e-mails of its members) so tests can assert that
none of them reaches someone who may not see it. The fixtures
that build it are in ``conftest.py``.
"""

from dataclasses import dataclass


EPCI_T, EPCI_OTHER = "200093201", "200039865"
PASSWORD = "correct horse battery staple 42"
PERSONAS = ["anonymous", "member_a", "admin_a", "member_b", "facilitator_t", "facilitator_other", "superuser"]
# Which companies each persona sees in full (name, SIRET, exact place, flow labels).
SEES = {"anonymous": set(), "member_a": {"A"}, "admin_a": {"A"}, "member_b": {"B"}, "facilitator_t": {"A", "B"},
        "facilitator_other": {"C"}, "superuser": {"A", "B", "C"}}


@dataclass
class World:
    sites: dict
    flows: dict
    synergies: dict
    users: dict
    secrets: dict  # company letter → identifying strings



def coordinate_secrets(site) -> list[str]:
    """A site's latitude and longitude to 4 decimals (≈ 10 m), rounded and truncated: a page or
    payload carrying either to someone who may not see the site leaks where it is."""
    out = []
    for value in (site.lat, site.lon):
        out += [f"{value:.4f}", f"{value:.6f}"[:-2]]
    return sorted(set(out))


def forbidden_secrets(world, persona, revealed=(), coordinates=True):
    """The identifying strings this persona must never receive (``coordinates=False`` for a payload
    of reference outlines, whose thousands of vertices match any 4-decimal figure by chance)."""
    allowed = SEES[persona] | set(revealed)
    return [s for letter, items in world.secrets.items() if letter not in allowed for s in items
            if coordinates or s not in coordinate_secrets(world.sites[letter])]


def add_comparables(site, n: int = 2, commune: str | None = None, naf: str | None = None) -> list:
    """``n`` other open establishments of ``site``'s NACE division (``naf``: another code of it) in its commune (or
    ``commune``), unnamed companies: enough, with ``site``, for ``territories.secrecy`` to tell that area of it."""
    from boucle.testing import make_site

    return [make_site(f"Établissement comparable {i}", naf=naf or site.naf_id, commune=commune or site.commune_id,
                      lat=site.lat + 0.01 * (i + 1), lon=site.lon - 0.01 * (i + 1)) for i in range(n)]


def area_centre(level: str, code: str) -> list[float]:
    """[lon, lat] of an area's centre as maps draw it: the mean of its communes' centres, to 3 decimals."""
    from django.db.models import Avg

    from boucle.territories.models import Commune

    field = {"epci": "epci_id", "departement": "departement_id", "region": "departement__region_id"}[level]
    mean = Commune.objects.filter(**{field: code}).aggregate(lat=Avg("lat"), lon=Avg("lon"))
    return [round(mean["lon"], 3), round(mean["lat"], 3)]
