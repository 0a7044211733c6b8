"""Where a site is, per persona: no exact point and no exact distance to whoever may not see it.

The persona × route matrix (``test_access_matrix``) checks every page and API route for each
site's coordinates to 4 decimals; the passports have their own routes, checked here, and so are
the two ways a distance could locate a site: the passport page's "nearby" list (now places only,
never company sites), and the distance a synergy shows to a party that may not see the
other side.
"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from boucle.passports.models import Passport
from boucle.testing import make_site
from web_personas import PERSONAS, SEES, coordinate_secrets, forbidden_secrets

#: Visitor positions around Arras, the way the page's script sends them (4 decimals).
PROBES = [("50.2900", "2.7800"), ("50.3100", "2.7500"), ("50.2800", "2.7400"), ("50.3000", "2.8100")]


@pytest.fixture
def places(world):
    """A passport of A (unpublished), an unpublished recycler off its commune's centre (Arras), a
    published repair shop: the circular sites the passport page lists."""
    cache.clear()
    recycler = make_site("Recyclage Discret", naf="38.32Z", lat=50.301234, lon=2.771234, commune="62041")
    repairer = make_site("Atelier Public", naf="95.22Z", lat=50.641234, lon=3.141234, commune="59009",
                         published=True)
    passport = Passport.objects.create(level="item", site=world.sites["A"], name="Perceuse P-42",
                                       composition=[{"material": "acier", "mass_kg": 1.0}])
    return {"recycler": recycler, "repairer": repairer, "passport": passport}


def _passport_urls(passport):
    page = reverse("passports:page", args=[passport.handle])
    return [page, page + "?lat=50.2900&lon=2.7800", reverse("passports:export", args=[passport.handle]),
            reverse("passports:labels", args=[passport.handle]), reverse("passports:epcis-events")]


def test_passport_routes_carry_no_coordinates_a_persona_may_not_see(world, places, as_persona):
    recycler, repairer = places["recycler"], places["repairer"]
    for persona in PERSONAS:
        client = as_persona(persona)
        for url in _passport_urls(places["passport"]):
            response = client.get(url)
            assert response.status_code == 200, (persona, url, response.status_code)
            body = response.content.decode()
            # A's point only to A's members and the others who see A; no one here is the recycler's member;
            # the published repairer's point to 3 decimals (its profile is public, its exact point is not).
            forbidden = forbidden_secrets(world, persona) + coordinate_secrets(recycler) + coordinate_secrets(repairer)
            if "A" in SEES[persona] and persona not in ("member_a", "admin_a"):
                forbidden = [s for s in forbidden if s not in coordinate_secrets(world.sites["A"])]
            leaked = [s for s in forbidden if s in body]
            assert not leaked, f"{persona} received {leaked} from {url}"


def test_no_anonymous_passport_page_has_a_coordinate_to_more_than_3_decimals(world, places, client):
    for url in _passport_urls(places["passport"]):
        body = client.get(url).content.decode()
        fine = [m for m in re.findall(r"\b\d{1,3}\.\d{4,}\b", body)
                if any(abs(float(m) - v) < 0.001 for s in (*world.sites.values(), places["recycler"], places["repairer"])
                       for v in (s.lat, s.lon))]
        assert not fine, f"{url}: {fine}"


def _where(client, passport, **params):
    html = client.get(reverse("passports:page", args=[passport.handle]), params).content.decode()
    return html[html.index('id="where"'):html.index('id="history"')]


def test_the_passport_page_lists_places_never_company_sites(world, places, client):
    """The "where to repair or recycle" list holds places (records of their own), so no chosen
    position can measure a distance to a company site (four answers trilaterated an unpublished
    recycler to 40 m when the list held sites)."""
    from boucle.places.models import Place

    Place.objects.create(identifier="t-arras", name="Repair café (exemple)", commune="Arras", lat=50.291, lon=2.777,
                         actions=["repair"], source="test", illustrative=True)
    passport = places["passport"]
    for lat, lon in PROBES:
        where = _where(client, passport, lat=lat, lon=lon)
        assert "Repair café (exemple)" in where
        assert "Recyclage Discret" not in where and "Atelier Public" not in where
        assert "Récupération de déchets triés" not in where and "Réparation d'équipements" not in where
    where = _where(client, passport, commune="Arras")
    assert "Repair café (exemple)" in where and "Recyclage Discret" not in where


def test_an_anonymous_party_of_a_synergy_sees_a_distance_band(world, as_persona):
    synergy = world.synergies["ab"]  # 6.3 km; A and B are unpublished: each is anonymous to the other
    for persona in ("member_a", "member_b"):
        client = as_persona(persona)
        for url in (reverse("synergy-detail", args=[synergy.pk]), reverse("company-synergies")):
            page = client.get(url).content.decode()
            assert "5–20 km" in page and "6,3" not in page and "6.3" not in page, (persona, url)
            # Nor the score: the product of the shown terms and exp(-d / decay) would give d back.
            assert "0.92" not in page and "0,92" not in page, (persona, url)
        data = client.get(f"/api/synergies/{synergy.pk}").json()
        assert data["distance_km"] is None and data["distance"] == "5–20 km" and data["score"] is None
        assert "6.3" not in client.get("/api/synergies").content.decode()
    page = as_persona("facilitator_t").get(reverse("synergy-detail", args=[synergy.pk])).content.decode()
    assert "6,3 km" in page  # sees both sites: the exact figure
    assert as_persona("facilitator_t").get(f"/api/synergies/{synergy.pk}").json()["distance_km"] == 6.3


def test_a_facilitator_gets_nothing_identifying_of_the_far_side_of_a_synergy(world, as_persona):
    """Synergy C (Metz) → A (Lille) belongs to Metz's observatory: Metz's facilitator sees its lines and
    exports, but A — outside his territory — neither named nor placed (it was, with 6-decimal points)."""
    from boucle.matching import lifecycle
    from web_personas import EPCI_OTHER

    synergy = world.synergies["ca"]
    synergy.status = lifecycle.RUNNING
    synergy.save()
    client = as_persona("facilitator_other")
    args = ["epci", EPCI_OTHER]
    urls = [reverse("observatory:territory-lines", args=args)] + [
        reverse("observatory:territory-export", args=[*args, "synergies", fmt]) for fmt in ("csv", "geojson")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        leaked = [s for s in forbidden_secrets(world, "facilitator_other") if s in body]
        assert not leaked, f"{url}: {leaked}"
    lines = client.get(urls[0]).json()["features"]
    assert lines == []  # A is the only cement works of its region: no area may be told, no line drawn
    from web_personas import add_comparables

    add_comparables(world.sites["A"])  # three in Lille: A's end is drawn at its intercommunality's centre
    lines = client.get(urls[0]).json()["features"]
    assert len(lines) == 1 and lines[0]["properties"]["need_company"] == ""
    assert lines[0]["properties"]["offer_company"] == "Charliepap SARL"
    body = client.get(urls[0]).content.decode()
    assert not [s for s in forbidden_secrets(world, "facilitator_other") if s in body]


def test_the_engine_s_sentence_gives_no_exact_distance_to_an_anonymous_party(world, as_persona):
    """``boucle match`` writes « … · Quantité : non déclarée · Distance : 6,3 km » into the explanation; the
    card showed that sentence as is (no tonnage in it) next to the « 5–20 km » band."""
    from boucle.matching.wording import ExplanationWriter

    synergy = world.synergies["ab"]
    text = ExplanationWriter()("fly_ash", "fly_ash", True, "", "", "", distance_km=6.3, unit="t")
    assert "6,3 km" in text
    synergy.explanation = {"text": text}
    synergy.save()
    for persona in ("member_a", "member_b"):
        client = as_persona(persona)
        page = client.get(reverse("synergy-detail", args=[synergy.pk])).content.decode()
        assert "5–20 km" in page and "6,3" not in page, persona
        assert "6,3" not in client.get(f"/api/synergies/{synergy.pk}").content.decode(), persona
    assert "6,3 km" in as_persona("facilitator_t").get(reverse("synergy-detail", args=[synergy.pk])).content.decode()
