"""Skills pages and API per persona: a company's needs are confidential like its flows.

A member sees its own company's needs and, without any name, that other companies nearby share
one; a facilitator sees the needs of the territories they facilitate; training offers are read
by every signed-in user; only a company's members declare for its sites.
"""

import json

import pytest
from django.urls import reverse

from boucle.skills.models import SkillDeclaration, TrainingOffer

from route_matrix import check_reads, check_writes
from web_personas import EPCI_OTHER, EPCI_T, PERSONAS

SIGNED_IN = set(PERSONAS) - {"anonymous"}


@pytest.fixture
def skills(world):
    for letter, rome in (("A", "H2913"), ("B", "H2913"), ("C", "K2304")):
        SkillDeclaration.objects.create(site=world.sites[letter], rome_code=rome, label=f"Métier {rome}", headcount=2)
    TrainingOffer.objects.create(identifier="t1", organisation="Centre <i>X</i>", title="Soudage", rome_codes=["H2913"],
                                 commune_id="59350", lat=50.6205, lon=3.0421, source="Test")


def test_pages_per_persona_and_no_leak(world, skills, as_persona):
    for url in (reverse("skills:home"), reverse("skills:home") + f"?territory=epci:{EPCI_T}",
                reverse("skills:home") + f"?territory=epci:{EPCI_OTHER}", reverse("skills:trainings")):
        check_reads(world, as_persona, url, SIGNED_IN)


def test_member_sees_own_need_trainings_and_an_anonymous_pool(world, skills, as_persona):
    html = as_persona("member_a").get(reverse("skills:home")).content.decode()
    assert "Métier H2913" in html and "Soudage" in html and "Centre &lt;i&gt;X&lt;/i&gt;" in html
    assert "1 autre entreprise proche a le même besoin" in html
    assert "Bravotherm" not in html and "Métier K2304" not in html


def test_facilitator_sees_their_territory_only(world, skills, as_persona):
    html = as_persona("facilitator_t").get(reverse("skills:home")).content.decode()
    assert "Usine Alphaciment" in html and "Centrale Bravotherm" in html and "Charliepap" not in html
    assert "2 entreprises, 4 personnes en tout" in html
    html = as_persona("facilitator_t").get(reverse("skills:home"), {"territory": f"epci:{EPCI_OTHER}"}).content.decode()
    assert "hors de vos territoires" in html and "Charliepap" not in html


def test_api_rights(world, skills, as_persona):
    url = f"/api/skills/match?territory=epci:{EPCI_T}"
    for persona in PERSONAS:
        status = as_persona(persona).get(url).status_code
        expected = 200 if persona in ("facilitator_t", "superuser") else (401 if persona == "anonymous" else 403)
        assert status == expected, (persona, status)
    assert as_persona("facilitator_t").get("/api/skills/match?territory=nowhere").status_code == 400
    check_reads(world, as_persona, "/api/skills/declarations", SIGNED_IN, anonymous=(401,))
    check_reads(world, as_persona, "/api/skills/trainings", SIGNED_IN, anonymous=(401,))
    mine = as_persona("member_b").get("/api/skills/declarations").json()
    assert [d["site_id"] for d in mine] == [world.sites["B"].site_id]


def test_only_members_declare_for_their_sites(world, skills, as_persona):
    site_a = world.sites["A"].site_id
    check_writes(world, as_persona, reverse("skills:declare"), {"member_a", "admin_a"},
                 lambda: {"site_id": site_a, "direction": "need", "label": "Cariste", "headcount": "1"},
                 lambda: SkillDeclaration.objects.count())
    client = as_persona("member_a")
    body = {"site_id": site_a, "rome_code": "N1101", "headcount": 3}
    response = client.post("/api/skills/declarations", json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["label"] == "Conduite d'engins de déplacement des charges"
    response = client.post("/api/skills/declarations", json.dumps({**body, "rome_code": "XX"}), content_type="application/json")
    assert response.status_code == 422 and "ROME" in response.json()["detail"][0]["msg"]
    response = as_persona("member_b").post("/api/skills/declarations", json.dumps(body), content_type="application/json")
    assert response.status_code == 404


def test_the_match_names_no_site_outside_the_facilitators_territories(world, skills, as_persona):
    """A need in T is matched with offers up to 40 km away, across the territory's edge: a company of
    the Douaisis offering the skill is counted with its distance to the kilometre, never named to T's
    facilitator, who does not facilitate it."""
    from boucle.testing import make_site

    douai = make_site("Fonderie Deltafonte", lat=50.370123, lon=3.080456, commune="59178")
    SkillDeclaration.objects.create(site=douai, direction="offer", rome_code="H2913", label="Soudeurs Deltafonte",
                                    headcount=1)
    response = as_persona("facilitator_t").get(f"/api/skills/match?territory=epci:{EPCI_T}")
    needs = response.json()["needs"]
    offers = [o for n in needs for o in n["offers"]]
    assert offers, needs  # the offer is matched
    body = response.content.decode()
    assert "Deltafonte" not in body and douai.site_id not in body
    assert all(o["distance_km"] == round(o["distance_km"]) for o in offers if o["site_id"] is None)
    assert any(o["site_id"] is None for o in offers)
    superuser = as_persona("superuser").get(f"/api/skills/match?territory=epci:{EPCI_T}").content.decode()
    assert "Deltafonte" in superuser  # who sees the site in full keeps its name
