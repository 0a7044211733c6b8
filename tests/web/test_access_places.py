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


XSS = '<script>alert("qr")</script>'


@pytest.fixture
def labelled(world):
    Place.objects.create(identifier="qr1", name="Réparateur QualiRépar (exemple)", commune="Lille", lat=50.633,
                         lon=3.048, actions=["repair"], object_categories=["large_appliance", "small_appliance"],
                         source="Exemple", illustrative=True, qualirepar=True)
    Place.objects.create(identifier="qr2", name=XSS, commune="Lille", lat=50.634, lon=3.049, actions=["repair"],
                         object_categories=["large_appliance"], source=XSS, qualirepar=True)
    Place.objects.create(identifier="qr3", name="Réparateur sans label", commune="Lille", lat=50.632, lon=3.047,
                         actions=["repair"], object_categories=["large_appliance"], source="Exemple")


def test_the_map_says_bonus_possible_for_a_labelled_repairer_per_persona(world, labelled, as_persona):
    url = reverse("places:map") + "?commune=Lille&objet=lave-linge&action=repair"
    check_reads(world, as_persona, url, EVERYONE)
    for persona in PERSONAS:
        html = as_persona(persona).get(url).content.decode()
        item = html[html.index("<strong>Réparateur QualiRépar (exemple)"):]
        item = item[:item.index("</li>")]
        assert "Labellisé QualiRépar" in item and "Bonus réparation possible : 50\u00a0€ déduits de la facture" in item
        assert "à vérifier" in item
        plain = html[html.index("<strong>Réparateur sans label"):]
        assert "Bonus réparation" not in plain[:plain.index("</li>")]
        assert XSS not in html and "&lt;script&gt;" in html
    html = as_persona("anonymous").get(reverse("places:map") + "?commune=Lille&objet=grille-pain").content.decode()
    assert "Bonus réparation possible" in html and "montant selon l&#x27;appareil" in html
    html = as_persona("anonymous").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Repair bonus possible: €50 off the bill" in html and "to be checked" in html
    api = as_persona("anonymous").get("/api/places?commune=Lille&object=lave-linge").json()
    assert {p["name"]: p["qualirepar"] for p in api}["Réparateur QualiRépar (exemple)"] is True


def test_the_passport_page_says_whether_its_category_is_eligible(world, labelled, as_persona):
    from boucle.passports.models import Passport

    washer = Passport.objects.create(level="item", site=world.sites["A"], name="Lave-linge LL-8",
                                     composition=[{"material": "acier", "mass_kg": 30.0}])
    motor = Passport.objects.create(level="item", site=world.sites["A"], name="Moteur à aimants permanents",
                                    composition=[{"material": "cuivre", "mass_kg": 3.0}])
    for persona in PERSONAS:
        client = as_persona(persona)
        html = client.get(reverse("passports:page", args=[washer.handle]), {"commune": "Lille"}).content.decode()
        repair = html[html.index('id="repair"'):html.index('id="where"')]
        assert "Éligible au bonus réparation : 50\u00a0€ déduits de la facture" in repair, persona
        assert 'href="#where"' in repair and "à vérifier" in repair and "ecosystem, Ecologic" in repair
        where = html[html.index('id="where"'):html.index('id="history"')]
        assert "Bonus réparation possible : 50\u00a0€" in where and XSS not in html
        html = client.get(reverse("passports:page", args=[motor.handle])).content.decode()
        assert "Éligible au bonus réparation" not in html
        assert "pas dans la liste du bonus réparation" in html
    html = as_persona("anonymous").get(reverse("passports:page", args=[washer.handle]),
                                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Eligible for the repair bonus: €50 off the bill" in html


def test_a_place_at_the_searched_point_reads_less_than_a_tenth_of_a_km(world, shops, client):
    """A passport searched « Près de Lille » listed the Lille repair café at « (0,0 km) »: a distance too small
    to show reads « < 0,1 km », as on the synergy pages (``words.distance_figure``)."""
    html = client.get(reverse("places:map"), {"lat": "50.632", "lon": "3.047"},
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    row = html.split("Repair café (exemple)", 1)[1].split("</li>", 1)[0]
    assert "(&lt; 0,1 km)" in row and "0,0 km" not in row, row
