"""Where a company that has not agreed to be named is said to be, per role and per route (page and JSON).

Rule (``territories.secrecy``, after INSEE's « secret statistique », frequency rule: no cell with fewer than
three units): the commune of an unnamed company's site is told only where at least three open establishments of
its NACE division share it; else its intercommunality, else its département, else its region, else nothing.

Here A (a cement works, division 23) is the only one of its division in Lille and in the Métropole Européenne de
Lille; two more cement works are in Dunkerque (another intercommunality of the Nord). So everyone who may not see
A in full reads « Nord (59) », never « Lille (59) »; its members and the facilitators of its territory read its
commune. Then a third cement works in Lille: the commune may be told.
"""

import pytest
from django.urls import reverse

from boucle.matching import services
from boucle.sharing.models import Equipment
from web_personas import add_comparables, area_centre

DUNKERQUE = "59183"
OUTSIDERS = ["anonymous", "member_b", "facilitator_other"]
INSIDERS = ["member_a", "facilitator_t"]
NEAR = "50.70,3.15"


@pytest.fixture
def told(world):
    """A's product passport, A's shared press, and two more cement works in Dunkerque."""
    from boucle.passports.services import issue_passport

    a = world.sites["A"]
    add_comparables(a, 2, commune=DUNKERQUE, naf="23.52Z")
    passport = issue_passport(a, {"name": "Sac de ciment"})
    press = Equipment.objects.create(company=a.company, site=a, name="Presse Alphaciment", category="press",
                                     conditions="Avec opérateur", capacity="200 t")
    return {"passport": passport, "press": press}


def _json(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- the citizen's door: a product passport (page, JSON export, API) ------------------------------------------

@pytest.mark.parametrize("persona", OUTSIDERS)
def test_a_passport_tells_outsiders_the_departement_and_the_division(world, as_persona, told, persona):
    client, handle = as_persona(persona), told["passport"].handle
    for url in (f"/passeports/{handle}.json", f"/api/passports/{handle}"):
        site = _json(client, url)["site"]
        assert site["name"] is None and site["area"] == "Nord (59)" and site["commune"] is None, (url, site)
        assert site["naf"] == "23"  # the division: « 23.51Z » would narrow the comparables to one
        assert [site["lon"], site["lat"]] == area_centre("departement", "59")
    html = _html(client, f"/passeports/{handle}/")
    assert "— Nord (59)" in html and "Lille" not in html and "Usine Alphaciment" not in html
    assert "autres produits minéraux non métalliques" in html  # division 23, not « ciment »
    assert "au moins trois entreprises du même secteur" in html


@pytest.mark.parametrize("persona", INSIDERS)
def test_a_passport_tells_its_people_and_facilitators_the_commune(world, as_persona, told, persona):
    client, handle = as_persona(persona), told["passport"].handle
    site = _json(client, f"/passeports/{handle}.json")["site"]
    assert site["name"] == "Alphaciment SA" and site["commune"] == "Lille" and site["area"] == "Lille (59)"
    html = _html(client, f"/passeports/{handle}/")
    assert "Alphaciment SA" in html and "au moins trois entreprises du même secteur" not in html


def test_a_third_establishment_of_the_division_in_the_commune_lets_it_be_told(world, as_persona, told):
    add_comparables(world.sites["A"], 2)  # now three cement works in Lille
    site = _json(as_persona("anonymous"), f"/passeports/{told['passport'].handle}.json")["site"]
    assert site["area"] == "Lille (59)" and site["name"] is None


def test_a_site_alone_in_its_region_is_placed_nowhere(world, as_persona, told):
    """B is the only power station of the region: its passport tells no place and no position."""
    from boucle.passports.services import issue_passport

    handle = issue_passport(world.sites["B"], {"name": "Vapeur"}).handle
    site = _json(as_persona("anonymous"), f"/passeports/{handle}.json")["site"]
    assert site["area"] == "" and site["lat"] is None and site["lon"] is None
    html = _html(as_persona("anonymous"), f"/passeports/{handle}/")
    assert "Villeneuve" not in html and "Métropole" not in html
    assert "du même secteur sont installées dans sa région pour dire où elle se trouve" in html


# --- another company's door: synergy card (page, API), shared equipment (page, API), sourcing, map -----------

def test_the_other_party_of_a_synergy_reads_the_area_not_the_intercommunality(world, as_persona, told):
    ab = world.synergies["ab"]
    client = as_persona("member_b")  # B offers its ash to A, who has not said yes
    need = _json(client, f"/api/synergies/{ab.pk}")["need"]["site"]
    assert need["anonymous"] and need["area"] == "Nord (59)" and need["epci"] == "", need
    html = _html(client, f"/synergies/{ab.pk}/")
    assert "Entreprise anonyme</span>, Nord (59) — " in html
    services.express_interest(ab, world.users["member_a"], True)
    services.express_interest(ab, world.users["member_b"], True)
    need = _json(client, f"/api/synergies/{ab.pk}")["need"]["site"]
    assert not need["anonymous"] and need["commune"].startswith("Lille")  # both said yes: named and placed


def test_a_facilitator_of_another_territory_reads_the_area_of_a_site_outside_it(world, as_persona, told):
    ca = world.synergies["ca"]
    card = _json(as_persona("facilitator_other"), f"/api/synergies/{ca.pk}")
    assert card["offer"]["site"]["label"] == "Papeterie Charliepap"  # its own territory's company, named
    assert card["need"]["site"]["area"] == "Nord (59)" and card["need"]["site"]["epci"] == ""
    inside = _json(as_persona("facilitator_t"), f"/api/synergies/{ca.pk}")["need"]["site"]
    assert not inside["anonymous"] and inside["commune"].startswith("Lille")


def test_shared_equipment_is_placed_by_the_same_rule(world, as_persona, told):
    pk = told["press"].pk
    for persona, area in (("member_b", "Nord (59)"), ("facilitator_other", "Nord (59)")):
        client = as_persona(persona)
        card = _json(client, f"/api/equipment/{pk}")
        assert card["level"] == "anonymised" and card["area"] == area, (persona, card)
        assert card.get("commune") is None and card.get("epci") is None
        html = _html(client, reverse("sharing:detail", args=[pk]))
        assert "Nord (59)" in html and "Lille" not in html.split("<main", 1)[-1].split("</main>")[0]
        listing = _html(client, reverse("sharing:list"))
        assert "Presse Alphaciment" not in listing and "Nord (59)" in listing
    for persona in INSIDERS:
        card = _json(as_persona(persona), f"/api/equipment/{pk}")
        assert card["level"] == "full" and card["commune"] == "Lille" and card["area"] == "Lille (59)"


def test_an_anonymous_supplier_is_listed_with_its_area(world, as_persona, told):
    client = as_persona("member_b")
    rows = _json(client, f"/api/sourcing/search?naf=23.51&near={NEAR}&radius_km=50")
    hidden = [r for r in rows if r["shown"] == "anonymous"]
    assert hidden and all(r["area"] == "Nord (59)" and r["epci"] == "" for r in hidden), rows  # A and its peers
    html = _html(client, f"/fournisseurs/?mode=naf&q=23.51&near={NEAR}&radius_km=50")
    assert "Nord (59)" in html and "Usine Alphaciment" not in html
    rows = _json(as_persona("facilitator_t"), f"/api/sourcing/search?naf=23.51&near={NEAR}&radius_km=50")
    assert any(r["name"] == "Usine Alphaciment" for r in rows)


def test_the_map_draws_an_unnamed_end_at_the_centre_of_the_area_told(world, as_persona, told):
    add_comparables(world.sites["B"])  # lets A's line be drawn from B's side
    features = _json(as_persona("member_b"), reverse("map-lines"))["features"]
    [line] = [f for f in features if f["properties"]["id"] == world.synergies["ab"].pk]
    assert line["geometry"]["coordinates"][1] == area_centre("departement", "59")
    assert line["properties"]["need"] == "Entreprise anonyme"


def test_a_territory_export_rounds_the_figures_of_a_side_it_may_not_see(world, as_persona, told):
    """C (Metz) offers to A (Lille): the Metz facilitator's export holds the exchange (the smaller of the two
    quantities, so possibly A's need) to two significant digits, and no score (it gives the distance back)."""
    import csv
    import io

    from web_personas import EPCI_OTHER

    ca = world.synergies["ca"]
    ca.quantity_t, ca.tonnes_diverted, ca.co2e_avoided_t, ca.score = 837.25, 837.25, 61.7, 0.4137
    ca.save()
    for persona, quantity, score in (("facilitator_other", "840", ""), ("superuser", "837.25", "0.4137")):
        response = as_persona(persona).get(f"/api/territories/epci:{EPCI_OTHER}/export/synergies?format=csv")
        assert response.status_code == 200, response.content[:300]
        [row] = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert (row["quantity_t"], row["score"]) == (quantity, score), (persona, row)
        if persona == "facilitator_other":
            assert row["estimated_co2e_avoided_t"] == "62" and row["need_company"] == "" and row["distance_km"] == ""
