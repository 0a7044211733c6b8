"""The aid catalogue: persona × route (pages and API), escaping, and the aids shown on a synergy's
page and on an answer to a call.

The catalogue is public: everyone reads it. An entry is written (edited, archived) by the platform
administrator, and by facilitators when its whole perimeter lies in their territories; any other
aid a facilitator curates for their territory only (hide, pin, annotate), and a company reads the
curation of the territories its sites stand in. A match for a synergy or a site follows the
synergy's and the site's own visibility rules.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from boucle.aids.models import Aid, AidCuration
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
              ("post", "/api/aids"), ("put", "/api/aids/{aid_id}"), ("post", "/api/aids/{aid_id}/archive"),
              ("post", "/api/aids/{aid_id}/curation")}
EPCI_T_REF = "epci:200093201"
EPCI_OTHER_REF = "epci:200039865"


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
    return (sorted(Aid.objects.values_list("id", "name", "archived", "themes", "note", "updated_at")),
            sorted(AidCuration.objects.values_list("aid_id", "territory_level", "territory_code", "hidden", "pinned",
                                                   "note")))


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
    # A regional aid is every territory's: only the platform administrator edits or archives it ...
    check_reads(world, as_persona, reverse("aids:edit", args=[aids["open"].pk]), {"superuser"})
    check_writes(world, as_persona, reverse("aids:create"), {"superuser"}, form_data, snapshot)
    check_writes(world, as_persona, reverse("aids:edit", args=[aids["open"].pk]), {"superuser"},
                 lambda: form_data("Fonds renommé"), snapshot)
    check_writes(world, as_persona, reverse("aids:archive", args=[aids["open"].pk]), {"superuser"},
                 lambda: {"archive": "1"}, snapshot)
    # ... a scheme of territory T alone is also its facilitators'
    check_writes(world, as_persona, reverse("aids:create"), {"facilitator_t", "superuser"},
                 lambda: form_data() | {"perimeter": EPCI_T_REF}, snapshot)
    local = _aid("local", "Aide métropolitaine (test)", perimeter=[EPCI_T_REF])
    check_reads(world, as_persona, reverse("aids:edit", args=[local.pk]), {"facilitator_t", "superuser"})
    check_writes(world, as_persona, reverse("aids:archive", args=[local.pk]), {"facilitator_t", "superuser"},
                 lambda: {"archive": "1"}, snapshot)
    # ... and every facilitator curates any aid for a territory they facilitate, not another's
    curate = reverse("aids:curate", args=[aids["open"].pk])
    check_writes(world, as_persona, curate, {"facilitator_t", "superuser"},
                 lambda: {"territory": EPCI_T_REF, "display": "hidden", "note": "Fermé chez nous"}, snapshot)
    check_writes(world, as_persona, curate, {"facilitator_other", "superuser"},
                 lambda: {"territory": EPCI_OTHER_REF, "display": "pinned"}, snapshot)


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


def test_api_writes_are_for_who_keeps_the_entry(world, aids, as_persona):
    body = {"name": "Aide API", "url": "https://example.org/api", "financers": ["Région"], "perimeter": ["region:32"],
            "beneficiaries": ["company"], "themes": ["water"], "origin": "API"}
    local = _aid("local", "Aide métropolitaine (test)", perimeter=[EPCI_T_REF])
    for persona in PERSONAS:
        client = as_persona(persona)
        before = snapshot()
        created = client.post("/api/aids", body, content_type="application/json")
        updated = client.put(f"/api/aids/{aids['open'].pk}", body | {"name": "Fonds renommé"},
                             content_type="application/json")
        archived = client.post(f"/api/aids/{aids['xss'].pk}/archive", {"archived": True},
                               content_type="application/json")
        created_local = client.post("/api/aids", body | {"perimeter": [EPCI_T_REF], "name": "Aide locale API"},
                                    content_type="application/json")
        updated_local = client.put(f"/api/aids/{local.pk}", body | {"perimeter": [EPCI_T_REF], "name": "Renommée"},
                                   content_type="application/json")
        codes = (created.status_code, updated.status_code, archived.status_code)
        local_codes = (created_local.status_code, updated_local.status_code)
        if persona == "superuser":
            assert codes == (201, 200, 200) and local_codes == (201, 200)
            assert created.json()["to_verify"] is True and updated.json()["name"] == "Fonds renommé"
        elif persona in FACILITATORS:
            assert codes == (422, 403, 403), persona  # a regional aid: curated, not edited
            assert created.json()["detail"][0]["loc"][-1] == "perimeter"
            assert local_codes == ((201, 200) if persona == "facilitator_t" else (422, 403)), persona
        else:
            expected = 401 if persona == "anonymous" else 403
            assert codes + local_codes == (expected,) * 5
            assert snapshot() == before
        Aid.objects.filter(name__in=["Aide API", "Aide locale API"]).delete()
        Aid.objects.filter(pk=aids["open"].pk).update(name="Fonds économie circulaire (test)")
        Aid.objects.filter(pk=local.pk).update(name="Aide métropolitaine (test)", perimeter=[EPCI_T_REF])
        Aid.objects.filter(pk=aids["xss"].pk).update(archived=False)
    bad = as_persona("superuser").post("/api/aids", body | {"perimeter": ["region:99"]},
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


def test_the_flow_page_lists_the_five_best_aids_with_why_for_who_may_open_it(world, aids, as_persona):
    flow = world.flows["a_need_ash"]
    for n in range(6):  # more matching aids than the page shows
        _aid(f"extra-{n}", f"Aide supplémentaire {n}")
    url = reverse("flow-edit", args=[flow.pk])
    for persona in PERSONAS:
        response = as_persona(persona).get(url)
        if persona not in SEE_A:
            assert response.status_code in (302, 403, 404), persona
            continue
        body = response.content.decode()
        assert "Aides et dispositifs possibles" in body and "Pourquoi" in body, persona
        shown = re.findall(r'<li><a href="/aides/\d+/"', body)
        assert len(shown) == 5, (persona, shown)
        assert "Appel clos" not in body and "Ancien fonds" not in body
        assert XSS not in body
    listed = as_persona("member_a").get(f"/api/aids/match?flow={flow.pk}&limit=20").json()
    assert len(listed) == 8 and "Appel clos" not in {r["name"] for r in listed}


def test_the_api_matches_aids_to_a_flow_with_the_flow_pages_rule(world, aids, as_persona):
    flow = world.flows["a_need_ash"]
    for persona in PERSONAS:
        response = as_persona(persona).get(f"/api/aids/match?flow={flow.pk}")
        if persona == "anonymous":
            assert response.status_code == 401
            continue
        assert response.status_code == (200 if persona in SEE_A else 404), persona
        assert_no_leak(world, persona, response)
        if persona in SEE_A:
            rows = response.json()
            assert rows and all({"name", "url", "financers", "deadline", "why"} <= set(r) for r in rows)
    client = as_persona("member_a")
    assert client.get(f"/api/aids/match?flow={flow.pk}&site={world.sites['A'].site_id}").status_code == 422
    assert client.get("/api/aids/match?flow=99999999999999").status_code == 404


# --- a territory's curation: what one territory's facilitators decide, only that territory sees --------

def _names(client, query=""):
    return [a["name"] for a in client.get("/api/aids" + query).json()]


def test_a_territorys_curation_reaches_its_companies_and_no_other_territory(world, aids, as_persona):
    """Territory T (Lille: companies A and B) hides the regional fund and annotates it; the Metz EPCI pins
    it. A and B no longer get it (catalogue, API, synergy page), Metz's facilitator gets it first, an
    anonymous visitor reads the national catalogue as it is, and the aid's entry does not change."""
    fund, name = aids["open"], "Fonds économie circulaire (test)"
    t, other = (lambda: as_persona("facilitator_t")), (lambda: as_persona("facilitator_other"))
    entry = Aid.objects.filter(pk=fund.pk).values().get()
    response = t().post(reverse("aids:curate", args=[fund.pk]),
                      {"territory": EPCI_T_REF, "display": "hidden", "note": "Enveloppe épuisée pour la métropole"})
    assert response.status_code == 302
    assert other().post(f"/api/aids/{fund.pk}/curation", {"territory": EPCI_OTHER_REF, "pinned": True,
                                                        "note": "Priorité mosellane"},
                      content_type="application/json").status_code == 200
    assert Aid.objects.filter(pk=fund.pk).values().get() == entry  # the national catalogue is unchanged
    synergy_page = reverse("synergy-detail", args=[world.synergies["ab"].pk])
    for persona in ("member_a", "admin_a", "member_b", "facilitator_t"):
        client = as_persona(persona)
        assert name not in _names(client), persona
        assert name not in client.get(reverse("aids:catalogue")).content.decode(), persona
        assert name not in client.get(synergy_page).content.decode(), persona
        assert name not in {r["name"] for r in client.get(f"/api/aids/match?synergy={world.synergies['ab'].pk}").json()}
    for persona in ("anonymous", "superuser"):
        client = as_persona(persona)
        assert name in _names(client), persona
        body = client.get(reverse("aids:catalogue")).content.decode()
        assert name in body and "Enveloppe épuisée" not in body and "Priorité mosellane" not in body, persona
    listed = other().get("/api/aids").json()
    assert listed[0]["name"] == name and listed[0]["curation"]["pinned"]
    assert [n["note"] for n in listed[0]["curation"]["notes"]] == ["Priorité mosellane"]
    body = other().get(reverse("aids:catalogue")).content.decode()
    assert body.index(name) < body.index(XSS.replace("<", "&lt;").replace(">", "&gt;")[:10])
    assert "mise en avant" in body and "Enveloppe épuisée" not in body
    # The territory's facilitators find what they hid, with the reason, to bring it back.
    body = t().get(reverse("aids:catalogue") + "?hidden=1").content.decode()
    assert name in body and "masquée pour" in body and "Enveloppe épuisée pour la métropole" in body
    detail = as_persona("member_b").get(reverse("aids:detail", args=[fund.pk])).content.decode()
    assert "Enveloppe épuisée pour la métropole" in detail and "Priorité mosellane" not in detail
    assert 'name="display"' not in detail  # a company reads the curation, does not make it
    assert t().post(reverse("aids:curate", args=[fund.pk]), {"territory": EPCI_T_REF, "display": "normal",
                                                           "note": ""}).status_code == 302
    assert not AidCuration.objects.filter(territory_code="200093201").exists()
    assert name in _names(as_persona("member_a"))


def test_a_facilitator_curates_only_their_territory_and_refused_values_name_the_field(world, aids, as_persona):
    fund = aids["open"]
    t = lambda: as_persona("facilitator_t")  # noqa: E731
    before = snapshot()
    foreign = t().post(f"/api/aids/{fund.pk}/curation", {"territory": EPCI_OTHER_REF, "hidden": True},
                     content_type="application/json")
    assert foreign.status_code == 403
    assert t().post(reverse("aids:curate", args=[fund.pk]), {"territory": EPCI_OTHER_REF,
                                                           "display": "hidden"}).status_code == 403
    both = t().post(f"/api/aids/{fund.pk}/curation", {"territory": EPCI_T_REF, "hidden": True, "pinned": True},
                  content_type="application/json")
    assert both.status_code == 422 and both.json()["detail"][0]["loc"][-1] == "pinned"
    unknown = t().post(f"/api/aids/{fund.pk}/curation", {"territory": "epci:000000000", "hidden": True},
                     content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "territory"
    page = t().post(reverse("aids:curate", args=[fund.pk]), {"territory": EPCI_T_REF, "display": "hidden",
                                                           "note": "x\x00y"})
    assert page.status_code == 400 and "Note :" in page.content.decode()
    page = t().post(reverse("aids:curate", args=[fund.pk]), {"territory": EPCI_T_REF, "display": "upside-down"})
    assert page.status_code == 400 and "Présentation" in page.content.decode()
    assert snapshot() == before
    # A région's facilitators curate for an EPCI in it, like they steer its calls for projects.
    from boucle.accounts.models import Facilitator

    Facilitator.objects.create(user=world.users["facilitator_other"], level="region", code="32")
    assert as_persona("facilitator_other").post(f"/api/aids/{fund.pk}/curation",
                                                {"territory": EPCI_T_REF, "pinned": True},
                                                content_type="application/json").status_code == 200
    assert AidCuration.objects.get(aid=fund, territory_code="200093201").pinned
