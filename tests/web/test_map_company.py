"""The territory map for company users: their own sites exact, the rest coarse and nameless."""

import pytest
from django.contrib.auth import get_user_model

from web_personas import PASSWORD, forbidden_secrets

pytestmark = pytest.mark.django_db


def _body(response):
    return response.content.decode()


@pytest.mark.parametrize("persona,own,other", [("member_a", "A", "B"), ("member_b", "B", "A")])
def test_a_company_user_sees_own_sites_exact_and_no_other_company(world, as_persona, persona, own, other):
    client = as_persona(persona)
    page = client.get("/carte/")
    assert page.status_code == 200 and "votre entreprise" in _body(page)
    sites = client.get("/carte/sites.json", {"zoom": 13}).json()["sites"]
    mine = world.sites[own]
    assert [(s["name"], s["lat"], s["lon"]) for s in sites] == [(mine.name, mine.lat, mine.lon)]
    clusters = client.get("/carte/sites.json", {"zoom": 7}).json()["clusters"]
    assert sum(c["count"] for c in clusters) == 1
    for url in ("/carte/", "/carte/sites.json?zoom=13", "/carte/sites.json?zoom=7", "/carte/synergies.json",
                "/carte/sites.json?zoom=13&direction=offer"):
        body = _body(client.get(url))
        leaked = [s for s in forbidden_secrets(world, persona) if s in body]
        assert not leaked, (persona, url, leaked)


def test_the_other_end_of_a_synergy_is_coarse_until_both_agree(world, as_persona):
    from web_personas import add_comparables

    add_comparables(world.sites["B"])  # B may be placed in its intercommunality (``territories.secrecy``)
    lines = as_persona("member_a").get("/carte/synergies.json").json()["features"]
    ab = next(f for f in lines if f["properties"]["id"] == world.synergies["ab"].pk)
    (b_lon, b_lat), (a_lon, a_lat) = ab["geometry"]["coordinates"]
    a, b = world.sites["A"], world.sites["B"]
    assert (a_lat, a_lon) == (round(a.lat, 6), round(a.lon, 6)) and ab["properties"]["need"] == a.name
    assert ab["properties"]["exact"] == [False, True] and ab["properties"]["offer"] != b.name
    assert abs(b_lat - b.lat) > 1e-4 or abs(b_lon - b.lon) > 1e-4  # its area's centre, not the site


def test_who_may_open_the_map(world, as_persona, client):
    assert as_persona("anonymous").get("/carte/").status_code == 302
    for persona in ("facilitator_t", "member_a", "admin_a", "member_b", "superuser"):
        assert as_persona(persona).get("/carte/").status_code == 200, persona
    loner = get_user_model().objects.create_user("loner", "loner@example.org", PASSWORD)
    client.force_login(loner)  # neither a company member nor a facilitator: nothing to show
    for url in ("/carte/", "/carte/sites.json", "/carte/epci.geojson"):
        assert client.get(url).status_code == 403, url


def test_the_navigation_offers_the_map_and_the_supplier_search(world, as_persona):
    body = _body(as_persona("member_a").get("/fournisseurs/"))
    assert 'href="/carte/"' in body and 'href="/fournisseurs/"' in body
    body = _body(as_persona("facilitator_t").get("/fournisseurs/"))
    assert body.count('href="/carte/"') == 1 and 'href="/fournisseurs/"' in body
    assert 'href="/fournisseurs/"' not in _body(as_persona("anonymous").get("/"))
