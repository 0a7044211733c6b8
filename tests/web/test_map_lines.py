"""The synergy lines of the map: a company never gets lines of synergies it is not party to, and the
sites of other companies are drawn, nameless, at the centre of the area their card tells
(``territories.secrecy``: the intercommunality where three establishments of their activity share it, else
the département or region), until the double opt-in; no line at all when no area may be told."""

import json
import re

import pytest
from django.urls import reverse

from boucle.matching import services
from web_personas import EPCI_OTHER, EPCI_T, add_comparables, area_centre


@pytest.fixture
def comparables(world):
    """Two more establishments of each company's division next to it: each may be placed in its intercommunality."""
    for site in world.sites.values():
        add_comparables(site)
    return world


def lines(client, **params):
    response = client.get(reverse("map-lines"), params)
    assert response.status_code == 200, response.content[:300]
    return {f["properties"]["id"]: f for f in response.json()["features"]}


def exact(site):
    return [round(site.lon, 6), round(site.lat, 6)]


def test_a_company_gets_only_the_lines_it_is_party_to(comparables, world, as_persona):
    ab, ca = world.synergies["ab"], world.synergies["ca"]
    assert set(lines(as_persona("member_b"))) == {ab.pk}  # B offers in ab, has nothing to do with ca
    assert set(lines(as_persona("member_a"))) == {ab.pk, ca.pk}  # A receives in both


def test_other_companies_sites_are_blurred_and_nameless(comparables, world, as_persona):
    a, b, c = world.sites["A"], world.sites["B"], world.sites["C"]
    got = lines(as_persona("member_a"))
    ab, ca = got[world.synergies["ab"].pk], got[world.synergies["ca"].pk]
    offer_end, need_end = ab["geometry"]["coordinates"]
    assert need_end == exact(a)  # its own site, exactly
    assert offer_end == area_centre("epci", EPCI_T)  # B's intercommunality's centre, as its card tells it
    assert ca["geometry"]["coordinates"][0] == area_centre("epci", EPCI_OTHER)
    body = as_persona("member_a").get(reverse("map-lines")).content.decode()
    for secret in world.secrets["B"] + world.secrets["C"]:
        assert secret not in body
    assert ab["properties"]["offer"] == "Entreprise anonyme" and ca["geometry"]["coordinates"][0] != exact(c)
    assert ab["properties"]["url"] == f"/synergies/{world.synergies['ab'].pk}/"


def test_a_site_of_which_no_area_may_be_told_draws_no_line(world, as_persona):
    """B is the only power station of the region (division 35): no area holds three of them, so no end is drawn;
    the payload counts the synergy its cards list."""
    payload = as_persona("member_a").get(reverse("map-lines")).json()
    assert payload["features"] == [] and payload["not_drawn"] == 2
    # the page says why lines are missing, in words the map script fills with the count
    page = as_persona("member_a").get(reverse("map")).content.decode()
    words = json.loads(re.search(r'<script id="map-words" type="application/json">(.*?)</script>', page, re.S)[1])
    assert words["not_drawn"] == "%(n)s sans ligne : entreprise trop reconnaissable pour être placée"
    add_comparables(world.sites["B"], 2, commune="59350")  # two more in the region, in Lille: the MEL holds three
    got = lines(as_persona("member_a"))
    assert got[world.synergies["ab"].pk]["geometry"]["coordinates"][0] == area_centre("epci", EPCI_T)


def test_the_other_side_is_exact_once_both_said_yes(world, as_persona):
    ab = world.synergies["ab"]
    services.express_interest(ab, world.users["member_a"], True)
    services.express_interest(ab, world.users["member_b"], True)
    line = lines(as_persona("member_a"))[ab.pk]
    assert line["geometry"]["coordinates"][0] == exact(world.sites["B"])
    assert line["properties"]["offer"] == "Centrale Bravotherm"


def test_facilitators_see_their_territory_exactly_and_beyond_it_blurred(comparables, world, as_persona):
    got = lines(as_persona("facilitator_t"))
    ab, ca = got[world.synergies["ab"].pk], got[world.synergies["ca"].pk]
    assert ab["geometry"]["coordinates"] == [exact(world.sites["B"]), exact(world.sites["A"])]
    assert ca["geometry"]["coordinates"][0] != exact(world.sites["C"])  # Metz is outside their EPCI
    assert ca["geometry"]["coordinates"][1] == exact(world.sites["A"])


def test_status_filter_and_refusals(comparables, world, as_persona, client):
    services.transition(world.synergies["ab"], "contacted", world.users["facilitator_t"])
    facilitator = as_persona("facilitator_t")
    assert set(lines(facilitator, statut="contacted")) == {world.synergies["ab"].pk}
    assert lines(facilitator, statut="contacted")[world.synergies["ab"].pk]["properties"]["status_label"] == "contact pris"
    assert facilitator.get(reverse("map-lines"), {"statut": "bogus"}).status_code == 400
    client.logout()
    assert client.get(reverse("map-lines")).status_code == 302
