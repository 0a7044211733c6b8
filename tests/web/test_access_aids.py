"""The aid catalogue: persona × route (pages and API), escaping, and the aids shown on a synergy's
page and on an answer to a call.

The catalogue is public: everyone reads it; only facilitators create, edit and archive entries.
A match for a synergy or a site follows the synergy's and the site's own visibility rules.
"""

import datetime as dt

import pytest
from django.urls import reverse

from boucle.aids.models import Aid
from boucle.projects import rules

from route_matrix import assert_no_leak, check_reads, check_writes
from test_access_projects import ami  # noqa: F401 - fixture
from web_personas import PERSONAS

EVERYONE = set(PERSONAS)
LOGGED = EVERYONE - {"anonymous"}
FACILITATORS = {"facilitator_t", "facilitator_other", "superuser"}
PARTIES_AB = {"member_a", "admin_a", "member_b", "facilitator_t", "superuser"}
SEE_A = {"member_a", "admin_a", "facilitator_t", "superuser"}
XSS = '<script>alert("aide")</script>'

# Every API operation of the aids router, tested below (``test_access_matrix`` checks the OpenAPI document).
OPERATIONS = {("get", "/api/aids"), ("get", "/api/aids/match"), ("get", "/api/aids/{aid_id}"),
              ("post", "/api/aids"), ("put", "/api/aids/{aid_id}"), ("post", "/api/aids/{aid_id}/archive")}


def _aid(identifier, name, **extra):
    values = {"url": f"https://example.org/{identifier}", "financers": ["ADEME"], "perimeter": ["region:32"],
              "beneficiaries": ["company"], "themes": ["circular_economy", "waste"], "aid_types": ["grant"],
              "origin": "test", "written_on": dt.date(2026, 12, 6)} | extra
    return Aid.objects.create(identifier=identifier, name=name, **values)


@pytest.fixture
def aids(world):
    return {"open": _aid("fonds", "Fonds économie circulaire (test)"),
            "xss": _aid("xss", XSS, description=XSS, financers=[XSS], note=XSS),
            "archived": _aid("old", "Ancien fonds archivé", archived=True),
            "closed": _aid("closed", "Appel clos", deadline=dt.date(2020, 1, 31), recurrence="one_off")}


def snapshot():
    return sorted(Aid.objects.values_list("id", "name", "archived", "themes"))


def form_data(name="Aide régionale au réemploi"):
    return {"name": name, "url": "https://example.org/reemploi", "financers": "Région Hauts-de-France\nADEME",
            "perimeter": "region:32", "beneficiaries": ["company"], "themes": ["circular_economy"],
            "aid_types": ["grant"], "recurrence": "permanent", "origin": "saisie de test", "to_verify": "on"}


def test_pages_per_persona(world, aids, as_persona):
    catalogue = reverse("aids:catalogue")
    for url in (catalogue, catalogue + "?theme=waste&type=grant&territoire=Lille&q=fonds",
                catalogue + "?territoire=Atlantide", reverse("aids:detail", args=[aids["open"].pk])):
        check_reads(world, as_persona, url, EVERYONE)
    check_reads(world, as_persona, reverse("aids:detail", args=[aids["archived"].pk]), FACILITATORS,
                anonymous=(404,))
    check_reads(world, as_persona, reverse("aids:create"), FACILITATORS)
    check_reads(world, as_persona, reverse("aids:edit", args=[aids["open"].pk]), FACILITATORS)
    check_writes(world, as_persona, reverse("aids:create"), FACILITATORS, form_data, snapshot)
    check_writes(world, as_persona, reverse("aids:edit", args=[aids["open"].pk]), FACILITATORS,
                 lambda: form_data("Fonds renommé"), snapshot)
    check_writes(world, as_persona, reverse("aids:archive", args=[aids["open"].pk]), FACILITATORS,
                 lambda: {"archive": "1"}, snapshot)


def test_the_catalogue_hides_closed_and_archived_aids_but_facilitators_may_ask(world, aids, as_persona):
    body = as_persona("member_a").get(reverse("aids:catalogue") + "?closes=1&archived=1").content.decode()
    assert "Fonds économie circulaire (test)" in body
    assert "Appel clos" not in body and "Ancien fonds archivé" not in body
    body = as_persona("facilitator_t").get(reverse("aids:catalogue") + "?closes=1&archived=1").content.decode()
    assert "Appel clos" in body and "Ancien fonds archivé" in body and "Clôturée" in body


def test_everything_an_aid_carries_is_escaped(world, aids, as_persona):
    for persona in ("anonymous", "facilitator_t"):
        client = as_persona(persona)
        for url in (reverse("aids:catalogue"), reverse("aids:detail", args=[aids["xss"].pk]),
                    reverse("aids:edit", args=[aids["xss"].pk])):
            body = client.get(url).content.decode()
            assert XSS not in body, (persona, url)
    body = as_persona("member_a").get(reverse("synergy-detail", args=[world.synergies["ab"].pk])).content.decode()
    assert XSS not in body and "&lt;script&gt;" in body


def test_a_facilitators_form_refuses_what_an_import_would(world, aids, as_persona):
    client = as_persona("facilitator_t")
    response = client.post(reverse("aids:create"), form_data() | {"perimeter": "region:99", "url": "javascript:x"})
    assert response.status_code == 400 and Aid.objects.count() == 4
    body = response.content.decode()
    assert "n&#x27;est pas une adresse http(s)" in body or "region:99" in body


def test_the_synergy_page_lists_its_aids_with_why_and_never_a_closed_one(world, aids, as_persona):
    url = reverse("synergy-detail", args=[world.synergies["ab"].pk])
    for persona in PARTIES_AB:
        body = as_persona(persona).get(url).content.decode()
        assert "Aides et dispositifs possibles" in body and "Fonds économie circulaire (test)" in body
        assert "Hauts-de-France (région)" in body and "Appel clos" not in body and "Ancien fonds" not in body
    assert as_persona("facilitator_other").get(url).status_code == 404


def test_the_answer_page_lists_aids_and_a_redirected_answer_points_to_a_catalogue_entry(world, aids, ami,  # noqa: F811
                                                                                         as_persona):
    answer = ami["answer"]
    client = as_persona("facilitator_t")
    url = reverse("projects:answer-detail", args=[answer.pk])
    body = client.get(url).content.decode()
    assert "Aides et dispositifs possibles" in body and "Fonds économie circulaire (test)" in body
    response = client.post(reverse("projects:assess", args=[answer.pk]),
                           {"decision": rules.REDIRECTED, "aid": aids["open"].pk, "funding_scheme": ""})
    assert response.status_code == 302, response.content[:500]
    answer.refresh_from_db()
    assert answer.status == rules.REDIRECTED and answer.aid == aids["open"]
    assert answer.funding_scheme == "Fonds économie circulaire (test)"
    decided = f'(<a href="{reverse("aids:detail", args=[aids["open"].pk])}">'
    assert decided in client.get(url).content.decode()
    # the company learns the decision (and its scheme) only once the results are published
    assert decided not in as_persona("member_a").get(url).content.decode()
    # an archived aid cannot be chosen for a new decision
    response = as_persona("facilitator_t").post(reverse("projects:assess", args=[answer.pk]),
                           {"decision": rules.REDIRECTED, "aid": aids["archived"].pk, "funding_scheme": ""})
    assert response.status_code == 400


def test_the_api_per_persona(world, aids, as_persona):
    ab, site_a = world.synergies["ab"].pk, world.sites["A"].site_id
    for persona in PERSONAS:
        client = as_persona(persona)
        listing = client.get("/api/aids?theme=waste&territory=epci:200093201")
        assert listing.status_code == 200
        assert {a["name"] for a in listing.json()} == {"Fonds économie circulaire (test)", XSS}
        assert client.get(f"/api/aids/{aids['open'].pk}").status_code == 200
        assert client.get(f"/api/aids/{aids['archived'].pk}").status_code == (200 if persona in FACILITATORS else 404)
        by_synergy = client.get(f"/api/aids/match?synergy={ab}")
        by_site = client.get(f"/api/aids/match?site={site_a}")
        if persona == "anonymous":
            assert by_synergy.status_code == by_site.status_code == 401
        else:
            assert by_synergy.status_code == (200 if persona in PARTIES_AB else 404), persona
            assert by_site.status_code == (200 if persona in SEE_A else 404), persona
        for response in (listing, by_synergy, by_site):
            assert_no_leak(world, persona, response)
        if persona in PARTIES_AB:
            rows = by_synergy.json()
            assert rows and all({"name", "url", "financers", "deadline", "why"} <= set(r) for r in rows)
            assert "Appel clos" not in {r["name"] for r in rows}
    assert as_persona("member_a").get("/api/aids/match").status_code == 422
    assert as_persona("member_a").get(f"/api/aids/match?synergy={ab}&site={site_a}").status_code == 422


def test_api_writes_are_for_facilitators(world, aids, as_persona):
    body = {"name": "Aide API", "url": "https://example.org/api", "financers": ["Région"], "perimeter": ["region:32"],
            "beneficiaries": ["company"], "themes": ["water"], "origin": "API"}
    for persona in PERSONAS:
        client = as_persona(persona)
        before = snapshot()
        created = client.post("/api/aids", body, content_type="application/json")
        updated = client.put(f"/api/aids/{aids['open'].pk}", body | {"name": "Fonds renommé"},
                             content_type="application/json")
        archived = client.post(f"/api/aids/{aids['xss'].pk}/archive", {"archived": True},
                               content_type="application/json")
        if persona in FACILITATORS:
            assert (created.status_code, updated.status_code, archived.status_code) == (201, 200, 200)
            assert created.json()["to_verify"] is True and updated.json()["name"] == "Fonds renommé"
            Aid.objects.filter(name="Aide API").delete()
            Aid.objects.filter(pk=aids["open"].pk).update(name="Fonds économie circulaire (test)")
            Aid.objects.filter(pk=aids["xss"].pk).update(archived=False)
        else:
            expected = 401 if persona == "anonymous" else 403
            assert (created.status_code, updated.status_code, archived.status_code) == (expected,) * 3
            assert snapshot() == before
    bad = as_persona("facilitator_t").post("/api/aids", body | {"perimeter": ["region:99"]},
                                           content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "perimeter"
    bad = as_persona("facilitator_t").post("/api/aids", body | {"themes": ["astrology"]},
                                           content_type="application/json")
    assert bad.status_code == 422


def test_the_catalogue_understands_a_region_or_departement_typed_by_its_name(world, aids, client):
    """A company manager types « Hauts-de-France » or « Moselle », not region:32."""
    _aid("moselle", "Aide mosellane (test)", perimeter=["departement:57"])
    catalogue = reverse("aids:catalogue")
    body = client.get(catalogue + "?territoire=hauts-de-france").content.decode()
    assert "introuvable" not in body
    assert "Fonds économie circulaire (test)" in body and "Aide mosellane (test)" not in body
    body = client.get(catalogue + "?territoire=Moselle").content.decode()
    assert "introuvable" not in body and "Aide mosellane (test)" in body
    assert "introuvable" in client.get(catalogue + "?territoire=Atlantide").content.decode()
