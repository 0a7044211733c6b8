"""The synergy lines of the map: a company never gets lines of synergies it is not party to, and the
sites of other companies are drawn on a coarse grid, nameless, until the double opt-in."""

from django.urls import reverse

from boucle.matching import services


def lines(client, **params):
    response = client.get(reverse("map-lines"), params)
    assert response.status_code == 200, response.content[:300]
    return {f["properties"]["id"]: f for f in response.json()["features"]}


def exact(site):
    return [round(site.lon, 6), round(site.lat, 6)]


def test_a_company_gets_only_the_lines_it_is_party_to(world, as_persona):
    ab, ca = world.synergies["ab"], world.synergies["ca"]
    assert set(lines(as_persona("member_b"))) == {ab.pk}  # B offers in ab, has nothing to do with ca
    assert set(lines(as_persona("member_a"))) == {ab.pk, ca.pk}  # A receives in both


def test_other_companies_sites_are_blurred_and_nameless(world, as_persona):
    a, b, c = world.sites["A"], world.sites["B"], world.sites["C"]
    got = lines(as_persona("member_a"))
    ab, ca = got[world.synergies["ab"].pk], got[world.synergies["ca"].pk]
    offer_end, need_end = ab["geometry"]["coordinates"]
    assert need_end == exact(a)  # its own site, exactly
    assert offer_end != exact(b) and abs(offer_end[0] - b.lon) < 0.1 and abs(offer_end[1] - b.lat) < 0.1
    assert all(round(v * 20) == v * 20 for v in offer_end)  # a cell centre of the 0.1° grid, not the site
    body = as_persona("member_a").get(reverse("map-lines")).content.decode()
    for secret in world.secrets["B"] + world.secrets["C"]:
        assert secret not in body
    assert ab["properties"]["offer"] == "Entreprise anonyme" and ca["geometry"]["coordinates"][0] != exact(c)
    assert ab["properties"]["url"] == f"/synergies/{world.synergies['ab'].pk}/"


def test_the_other_side_is_exact_once_both_said_yes(world, as_persona):
    ab = world.synergies["ab"]
    services.express_interest(ab, world.users["member_a"], True)
    services.express_interest(ab, world.users["member_b"], True)
    line = lines(as_persona("member_a"))[ab.pk]
    assert line["geometry"]["coordinates"][0] == exact(world.sites["B"])
    assert line["properties"]["offer"] == "Centrale Bravotherm"


def test_facilitators_see_their_territory_exactly_and_beyond_it_blurred(world, as_persona):
    got = lines(as_persona("facilitator_t"))
    ab, ca = got[world.synergies["ab"].pk], got[world.synergies["ca"].pk]
    assert ab["geometry"]["coordinates"] == [exact(world.sites["B"]), exact(world.sites["A"])]
    assert ca["geometry"]["coordinates"][0] != exact(world.sites["C"])  # Metz is outside their EPCI
    assert ca["geometry"]["coordinates"][1] == exact(world.sites["A"])


def test_status_filter_and_refusals(world, as_persona, client):
    services.transition(world.synergies["ab"], "contacted", world.users["facilitator_t"])
    facilitator = as_persona("facilitator_t")
    assert set(lines(facilitator, statut="contacted")) == {world.synergies["ab"].pk}
    assert lines(facilitator, statut="contacted")[world.synergies["ab"].pk]["properties"]["status_label"] == "contact pris"
    assert facilitator.get(reverse("map-lines"), {"statut": "bogus"}).status_code == 400
    client.logout()
    assert client.get(reverse("map-lines")).status_code == 302
