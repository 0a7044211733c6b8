"""Where a site is, per persona: no exact point and no exact distance to whoever may not see it.

The persona × route matrix (``test_access_matrix``) checks every page and API route for each
site's coordinates to 4 decimals; the passports have their own routes, checked here, and so are
the two ways a distance can locate a site: the passport page's "nearby" list, whose distances
were measured from a visitor-chosen position to the exact point (four requests trilaterated an
unpublished recycler to 40 m), and the distance a synergy shows to a party that may not see the
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


def _nearby(client, passport, lat, lon):
    html = client.get(reverse("passports:page", args=[passport.handle]), {"lat": lat, "lon": lon}).content.decode()
    where = html[html.index('id="where"'):html.index('id="history"')]
    return re.findall(r"<li>.*?</li>", where, re.S)


def test_nearby_distances_reveal_nothing_finer_than_the_commune(world, places, client):
    """Trilateration: the answers from four chosen positions must not change when the unpublished
    recycler moves within its commune (on the old code every distance moved with it)."""
    passport, recycler = places["passport"], places["recycler"]
    before = [_nearby(client, passport, lat, lon) for lat, lon in PROBES]
    assert any("Arras" in item for answer in before for item in answer)
    recycler.lat, recycler.lon = 50.288, 2.752  # ~1.8 km away, same commune
    recycler.save()
    cache.clear()
    after = [_nearby(client, passport, lat, lon) for lat, lon in PROBES]
    assert after == before


def test_position_searches_are_rate_limited(world, places, client):
    from boucle.passports.views import POSITION_LOOKUPS

    url = reverse("passports:page", args=[places["passport"].handle])
    for i in range(POSITION_LOOKUPS):
        html = client.get(url, {"lat": f"50.{2900 + i}", "lon": "2.7800"}).content.decode()
        assert "Près de vous" in html
    html = client.get(url, {"lat": "50.2800", "lon": "2.7800"}).content.decode()
    assert "Près de vous" not in html and "Trop de recherches" in html
    html = client.get(url, {"lat": "50.2800", "lon": "2.7800"}, HTTP_ACCEPT_LANGUAGE="en",
                      REMOTE_ADDR="127.0.0.2").content.decode()
    assert "Near you" in html  # another address is not blocked


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
    assert len(lines) == 1 and lines[0]["properties"]["need_company"] == ""
    assert lines[0]["properties"]["offer_company"] == "Charliepap SARL"
