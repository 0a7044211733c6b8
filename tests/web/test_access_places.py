"""Places (where to repair, give or drop off an object): public pages and API, per persona.

Places are public records of their own; the map and its API must answer every persona the
same, show no company site (name, activity or point) and no coordinate finer than 3 decimals.
"""

import re

import pytest
from django.urls import reverse

from boucle.places.models import Place

from route_matrix import check_reads
from web_personas import PERSONAS

EVERYONE = set(PERSONAS)


@pytest.fixture
def shops(world):
    Place.objects.create(identifier="p1", name="Repair café (exemple)", commune="Lille", lat=50.632, lon=3.047,
                         actions=["repair"], object_categories=["tools"], source="Exemple", illustrative=True)
    Place.objects.create(identifier="p2", name="Atelier Vélo Arras", address="1 place X", postcode="62000",
                         commune="Arras", lat=50.29118, lon=2.77731, actions=["repair", "sell"],
                         object_categories=["bike"], source="Que faire de mes objets (test)",
                         website="https://example.org/velo")


def _urls():
    page = reverse("places:map")
    return [page, page + "?lat=50.6312&lon=3.0611", page + "?commune=Arras&objet=v%C3%A9lo&action=repair",
            page + "?commune=Nulle-Part", "/api/places", "/api/places?lat=50.63&lon=3.06&object=perceuse",
            "/api/places?commune=Arras&action=repair"]


def test_every_persona_reads_the_same_public_places_and_no_company(world, shops, as_persona):
    for url in _urls():
        check_reads(world, as_persona, url, EVERYONE)
    bodies = {persona: as_persona(persona).get(_urls()[1]).content for persona in PERSONAS}
    assert len({b.replace(b'csrfmiddlewaretoken', b'') for b in bodies.values()}) <= len(PERSONAS)  # no crash


def test_anonymous_pages_show_no_coordinate_beyond_3_decimals(world, shops, client):
    for url in _urls():
        # The language switch echoes the page's own URL (the visitor's own position back to them).
        body = re.sub(r'<input name="next"[^>]*>', "", client.get(url).content.decode())
        assert not re.findall(r"\b\d{1,3}\.\d{4,}\b", body), url
        for site in world.sites.values():
            assert site.company.name not in body and site.name not in body


def test_map_lists_nearest_places_for_an_object_and_an_action(world, shops, client):
    html = client.get(reverse("places:map"), {"lat": "50.63", "lon": "3.06", "objet": "perceuse"}).content.decode()
    assert "Repair café (exemple)" in html and "exemple illustratif" in html
    assert "Atelier Vélo Arras" not in html  # takes bikes, not drills
    html = client.get(reverse("places:map"), {"commune": "Arras", "action": "repair"}).content.decode()
    assert html.index("Atelier Vélo Arras") < html.index("Repair café (exemple)")
    assert "https://example.org/velo" in html and "Que faire de mes objets (test)" in html
    assert "1 place X, 62000 Arras" in html


def test_api_orders_by_distance_and_validates(world, shops, client):
    data = client.get("/api/places", {"lat": 50.29, "lon": 2.78}).json()
    assert [p["name"] for p in data] == ["Atelier Vélo Arras", "Repair café (exemple)"]
    assert data[0]["distance_km"] < data[1]["distance_km"]
    assert client.get("/api/places", {"action": "jeter"}).status_code == 400
    assert client.get("/api/places", {"lat": 50.29}).status_code == 400
    assert client.get("/api/places", {"commune": "Nulle-Part"}).status_code == 404


def test_map_in_english(world, shops, client):
    html = client.get(reverse("places:map"), {"commune": "Lille"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Where to repair, give or drop off an object?" in html and "illustrative example" in html
    assert "Near Lille:" in html and "repair" in html
