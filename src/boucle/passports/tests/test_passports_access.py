"""Access tiers per persona, enforced alike on the page, the JSON export and the linkset."""

import pytest

from boucle.gs1.linkset import linkset_errors
from boucle.passports.access import user_tier, visible_fields
from boucle.testing import make_site

from passports_world import GTIN, login

LINKSET = "application/linkset+json"

# persona -> (sees hazardous substances / disassembly / documents, sees carbon footprint (authority-tier here))
EXPECTED = {
    "anonymous": (False, False),
    "member": (False, False),
    "repairer": (True, False),
    "recycler": (True, False),
    "facilitator": (True, False),
    "authority": (True, True),
    "producer": (True, True),
}


def _client(client, world, persona):
    return client if persona == "anonymous" else login(client, getattr(world, persona))


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_page_shows_each_persona_its_tier(client, world, persona, django_user_model):
    legitimate, authority = EXPECTED[persona]
    html = _client(client, world, persona).get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Perceuse P-42" in html and "acier" in html  # public tier for everyone
    assert "Remplacer les charbons" in html
    assert ("Plomb" in html) is legitimate
    assert ("Torx T10" in html) is legitimate
    assert ("Certificat CE" in html) is legitimate
    assert ("ISO 14067" in html) is authority


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_json_export_filters_fields_by_tier(client, world, persona):
    legitimate, authority = EXPECTED[persona]
    data = _client(client, world, persona).get(f"/passeports/{world.item.handle}.json").json()
    assert data["composition"][0]["material"] == "acier"
    assert ("hazardous_substances" in data) is legitimate
    assert ("disassembly_instructions" in data) is legitimate
    assert ("documents" in data) is legitimate
    assert ("carbon_footprint" in data) is authority
    assert data["identifier"]["gtin"] == GTIN and data["identifier"]["serial"] == "42"


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_linkset_lists_only_links_the_reader_may_follow(client, world, persona):
    legitimate, _ = EXPECTED[persona]
    response = _client(client, world, persona).get(f"/01/{GTIN}/10/L2026A/21/42", HTTP_ACCEPT=LINKSET)
    assert response.status_code == 200 and response["Content-Type"].startswith(LINKSET)
    doc = response.json()
    assert linkset_errors(doc) == []
    hrefs = [link["href"] for ctx in doc["linkset"] for links in ctx.values() if isinstance(links, list) for link in links]
    assert any(h.endswith("#repair") for h in hrefs)
    assert any(h.endswith("#disassembly") for h in hrefs) is legitimate
    assert ("https://example.org/ce.pdf" in hrefs) is legitimate


def test_non_published_producer_name_is_hidden_from_the_public(client, world):
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Usine Producteur" not in html  # the producing company did not publish its profile
    # its activity at the division level only (« structures métalliques », its own class, would narrow it down)
    assert "Fabrication de produits métalliques" in html and "Fabrication de structures métalliques" not in html
    data = client.get(f"/passeports/{world.item.handle}.json").json()
    assert data["site"]["name"] is None and data["site"]["naf"] == "25"
    # two establishments of division 25 in the whole region: no place is told, no position
    assert data["site"]["area"] == "" and data["site"]["commune"] is None and data["site"]["lat"] is None
    make_site("Troisième Forge", naf="25.50A", commune="59350", lat=50.61, lon=3.08)
    data = client.get(f"/passeports/{world.item.handle}.json").json()
    assert data["site"]["area"] == "Lille (59)"  # three of them in Lille: the commune may be told
    assert (data["site"]["lat"], data["site"]["lon"]) == (50.632, 3.047)  # the commune's centre (3 decimals), not the site
    html = login(client, world.producer).get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Usine Producteur" in html


def test_tier_override_per_passport(world):
    from django.contrib.auth.models import AnonymousUser

    world.item.tiers = {"hazardous_substances": "public"}
    world.item.save()
    assert "hazardous_substances" in visible_fields(AnonymousUser(), world.item)
    assert user_tier(AnonymousUser(), world.item) == "public"


def test_facilitator_grant_opens_the_legitimate_tier(client, world):
    import json

    def grant(u, **body):
        login(client, u)
        return client.post("/passeports/interet-legitime", json.dumps({"company": world.other_site.company_id, **body}),
                           content_type="application/json")

    assert "hazardous_substances" not in login(client, world.member).get(f"/passeports/{world.item.handle}.json").json()
    assert grant(world.member).status_code == 403  # a company cannot vouch for itself
    assert grant(world.authority).status_code == 403
    assert grant(world.facilitator, reason="ressourcerie").status_code == 201  # facilitator of the Nord
    assert "hazardous_substances" in login(client, world.member).get(f"/passeports/{world.item.handle}.json").json()
    assert grant(world.facilitator, revoke=True).status_code == 200
    assert "hazardous_substances" not in login(client, world.member).get(f"/passeports/{world.item.handle}.json").json()
    client.logout()
    assert client.post("/passeports/interet-legitime", "{}", content_type="application/json").status_code == 401
