"""Every map and GeoJSON payload carries a position rounded once, as precisely as its reader may see it.

Positions came out as stored: a site imported from a Lambert-93 conversion, or a comparable establishment placed
0.01° from another, read ``3.1415920000000006`` in ``/carte/sites.json``, the synergy lines and the exports, and
the clusters and lines were each rounded their own way. Now ``territories.coarse.rounded_point`` rounds every
point once: to ``EXACT_DECIMALS`` (6) for a site the reader sees in full, to ``PUBLIC_DECIMALS`` (3) for a
company shown by name to others, and an unnamed company's end is its area's centre (3 decimals as well).

For each persona the walk reads every payload that carries coordinates and checks each pair: no float noise,
and more than 3 decimals only for a site that persona sees in full.
"""

import json

import pytest
from django.urls import reverse

from boucle.territories.coarse import EXACT_DECIMALS, PUBLIC_DECIMALS, exact_point, public_point
from web_personas import EPCI_OTHER, EPCI_T, add_comparables

pytestmark = pytest.mark.django_db

# Stored positions with binary noise, as a conversion or a sum leaves them.
NOISY = {"A": (50.63191700000001, 3.0572560000000002 + 1e-15), "B": (50.64012300000001, 3.1415920000000006),
         "C": (49.11987600000001, 6.175432000000001)}
NEAR = "50.70,3.15"


@pytest.fixture
def noisy(world):
    from boucle.passports.services import issue_passport
    from boucle.testing import make_flow

    for letter, (lat, lon) in NOISY.items():
        site = world.sites[letter]
        site.lat, site.lon = lat, lon
        site.save(update_fields=["lat", "lon"])
    a = world.sites["A"]
    a.company.published = True  # shown by name: 3 decimals to whoever does not see it in full
    a.company.save(update_fields=["published"])
    make_flow(a, "Offre Alphaciment", quantity=10, unit="t")
    for key in ("ab", "ca"):
        world.synergies[key].status = "running"
        world.synergies[key].save(update_fields=["status"])
    for letter in ("B", "C"):  # enough establishments of their activity for their ends to be drawn (area centre)
        add_comparables(world.sites[letter])
    return issue_passport(a, {"name": "Sac de ciment"})


def _decimals(value: float) -> int:
    text = repr(float(value))
    assert "e" not in text, text
    return len(text.split(".")[1]) if "." in text else 0


def _points(doc):
    """Every (lat, lon) of a JSON document: ``lat``/``lon`` keys, and Point and LineString coordinates."""
    if isinstance(doc, list):
        for item in doc:
            yield from _points(item)
    elif isinstance(doc, dict):
        if isinstance(doc.get("lat"), (int, float)) and isinstance(doc.get("lon"), (int, float)):
            yield doc["lat"], doc["lon"]
        geometry = doc.get("geometry") if doc.get("type") == "Feature" else None
        if geometry and geometry["type"] == "Point":
            yield geometry["coordinates"][1], geometry["coordinates"][0]
        elif geometry and geometry["type"] == "LineString":
            for lon, lat in geometry["coordinates"]:
                yield lat, lon
        for key, value in doc.items():
            if key != "geometry":
                yield from _points(value)


def _routes(world, persona, passport) -> list[str]:
    routes = [f"/passeports/{passport.handle}.json"]
    if persona == "anonymous":
        return routes
    routes += ["/carte/synergies.json", "/carte/sites.json?zoom=13", "/carte/sites.json?zoom=7",
               "/carte/sites.json?zoom=13&direction=offer", "/carte/sites.json?zoom=7&direction=offer",
               f"/api/sourcing/search?naf=23.51&near={NEAR}&radius_km=50",
               f"/api/sourcing/search?naf=35.11&near={NEAR}&radius_km=50"]
    if persona in ("facilitator_t", "facilitator_other"):
        code = EPCI_T if persona == "facilitator_t" else EPCI_OTHER
        routes += [reverse("observatory:territory-export", args=["epci", code, what, "geojson"])
                   for what in ("flows", "synergies")]
        routes += [reverse("observatory:territory-lines", args=["epci", code]),
                   f"/api/territories/epci:{code}/export/synergies?format=geojson"]
    return routes


def _seen_in_full(world, persona) -> set:
    from boucle.accounts.access import can_see_site
    from boucle.flows.models import Site

    if persona == "anonymous":
        return set()
    user = world.users[persona]
    return {exact_point(s.lat, s.lon) for s in Site.objects.all() if can_see_site(user, s)}


@pytest.mark.parametrize("persona", ["anonymous", "member_a", "member_b", "facilitator_t", "facilitator_other"])
def test_no_payload_carries_float_noise_nor_more_precision_than_the_reader_may_see(world, as_persona, noisy,
                                                                                   persona):
    client = as_persona(persona)
    exact = _seen_in_full(world, persona)
    for url in _routes(world, persona, noisy):
        response = client.get(url)
        assert response.status_code == 200, (persona, url, response.status_code)
        body = response.content.decode()
        doc = json.loads(body)
        points = list(_points(doc))
        for lat, lon in points:
            finest = max(_decimals(lat), _decimals(lon))
            assert finest <= EXACT_DECIMALS, (persona, url, lat, lon)  # no 3.1415920000000006
            if finest > PUBLIC_DECIMALS:
                # finer than 100 m: a site this persona sees in full, or the mean of such sites (zoomed-out map)
                clustered = isinstance(doc, dict) and doc.get("mode") == "aggregates"
                assert clustered or (lat, lon) in exact, (persona, url, lat, lon)
        for letter, (lat, lon) in NOISY.items():  # the stored noise itself never goes out
            assert repr(lat) not in body and repr(lon) not in body, (persona, url, letter)


def test_each_reader_gets_each_site_at_the_one_precision_of_its_rule(world, as_persona, noisy):
    """Positive controls: the payloads do place the sites, exactly (6 decimals) or publicly (3)."""
    a, b = world.sites["A"], world.sites["B"]
    lines = as_persona("member_a").get("/carte/synergies.json").json()["features"]
    ab = next(f for f in lines if f["properties"]["id"] == world.synergies["ab"].pk)
    a_lat, a_lon = exact_point(a.lat, a.lon)
    assert ab["geometry"]["coordinates"][1] == [a_lon, a_lat] and ab["properties"]["need"] == a.name
    sites = as_persona("facilitator_t").get("/carte/sites.json", {"zoom": 13}).json()["sites"]
    assert {(s["lat"], s["lon"]) for s in sites} >= {exact_point(a.lat, a.lon), exact_point(b.lat, b.lon)}
    assert (b.lat, b.lon) != exact_point(b.lat, b.lon)  # the stored value had noise; the payload has not
    rows = as_persona("member_b").get(f"/api/sourcing/search?naf=23.51&near={NEAR}&radius_km=50").json()
    [row] = [r for r in rows if r["name"] == a.name]
    assert (row["lat"], row["lon"]) == public_point(a.lat, a.lon)
    flows = json.loads(as_persona("facilitator_t").get(
        reverse("observatory:territory-export", args=["epci", EPCI_T, "flows", "geojson"])).content)
    assert [lon for f in flows["features"] if f["properties"]["site_name"] == b.name
            for lon, _lat in [f["geometry"]["coordinates"]]] == [3.141592]


def test_one_rounding_helper():
    from boucle.territories.coarse import grid_point, hidden_point, rounded_point

    assert rounded_point(50.63191700000001, 3.1415920000000006, 6) == (50.631917, 3.141592)
    assert exact_point(None, 3.0) == (None, None)
    assert public_point(50.6319, 3.1416) == (50.632, 3.142)
    assert all(_decimals(v) <= PUBLIC_DECIMALS for v in grid_point(50.6319, 3.1416) + hidden_point(1, 1, 0.1 + 0.2, 3))
