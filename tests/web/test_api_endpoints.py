"""The JSON API: OpenAPI document, token auth, validation errors naming the field, disclosure rule."""

from datetime import timedelta

from boucle.accounts.models import ApiToken
from boucle.flows.models import Flow
from web_personas import EPCI_T


def _bearer(user):
    _token, clear = ApiToken.issue(user, "test", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def test_openapi_and_docs_are_served(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/synergies/{synergy_id}/transition" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_create_flow_with_a_token(world, client):
    response = client.post("/api/flows", {"site": world.sites["A"].pk, "direction": "need", "label": "Gypse",
                                          "quantity": 12, "unit": "t", "period": "month"},
                           content_type="application/json", **_bearer(world.users["member_a"]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quantity_per_year_base"] == 144 and body["confidential"] is True
    assert Flow.objects.get(pk=body["id"]).source == "api"


def test_bad_input_gives_422_naming_the_field(world, client):
    auth = _bearer(world.users["member_a"])
    bad_type = client.post("/api/flows", {"site": world.sites["A"].pk, "direction": "sideways", "label": "x"},
                           content_type="application/json", **auth)
    assert bad_type.status_code == 422
    assert any(err["loc"][-1] == "direction" for err in bad_type.json()["detail"])
    negative = client.post("/api/flows", {"site": world.sites["A"].pk, "direction": "offer", "label": "x",
                                          "quantity": -2, "unit": "t"}, content_type="application/json", **auth)
    assert negative.status_code == 422 and negative.json()["detail"][0]["loc"][-1] == "quantity"
    unknown_code = client.post("/api/flows", {"site": world.sites["A"].pk, "direction": "offer", "label": "x",
                                              "ewc_code": "99 99 99"}, content_type="application/json", **auth)
    assert unknown_code.status_code == 422 and unknown_code.json()["detail"][0]["loc"][-1] == "ewc_code"
    wrong_unit = client.post("/api/flows", {"site": world.sites["A"].pk, "direction": "offer", "label": "x",
                                            "kind": "energy", "quantity": 3, "unit": "t"},
                             content_type="application/json", **auth)
    assert wrong_unit.status_code == 422 and wrong_unit.json()["detail"][0]["loc"][-1] == "unit"


def test_transition_conflict_and_interest_through_the_api(world, client):
    syn = world.synergies["ab"]
    fac = _bearer(world.users["facilitator_t"])
    jump = client.post(f"/api/synergies/{syn.pk}/transition", {"target": "running"},
                       content_type="application/json", **fac)
    assert jump.status_code == 409 and "allowed" in jump.json()["detail"]
    assert client.post(f"/api/synergies/{syn.pk}/transition", {"target": "contacted", "reason": "tel"},
                       content_type="application/json", **fac).json()["status"] == "contacted"
    client.post(f"/api/synergies/{syn.pk}/interest", {"interested": True}, content_type="application/json",
                **_bearer(world.users["member_a"]))
    card = client.post(f"/api/synergies/{syn.pk}/interest", {"interested": True}, content_type="application/json",
                       **_bearer(world.users["member_b"])).json()
    assert card["revealed"] and card["need"]["site"]["company"] == "Alphaciment SA"


def test_anonymised_card_in_the_api(world, client):
    cards = client.get("/api/synergies", **_bearer(world.users["member_b"])).json()
    assert len(cards) == 1
    need = cards[0]["need"]
    assert need["site"]["anonymous"] and need["site"]["company"] is None and need["label"] is None
    # A is the only cement works of its region: neither its intercommunality nor any area is told
    assert need["quantity_range"] == "10\xa0000 à 100\xa0000 t/an" and need["site"]["epci"] == ""
    assert need["site"]["area"] == ""
    from web_personas import add_comparables

    add_comparables(world.sites["A"])  # three in Lille: the intercommunality may be told
    need = client.get("/api/synergies", **_bearer(world.users["member_b"])).json()[0]["need"]
    assert need["site"]["epci"] == need["site"]["area"] == "Métropole Européenne de Lille"


def test_indicators_follow_the_disclosure_rule(world, client):
    public = client.get(f"/api/territories/epci:{EPCI_T}/indicators").json()
    assert public["companies"] is None and public["offers"] is None  # only 2 companies in T
    mine = client.get(f"/api/territories/epci:{EPCI_T}/indicators", **_bearer(world.users["facilitator_t"])).json()
    assert mine["companies"] == 2 and mine["offers"] == 1 and mine["disclosed_all"]
    other = client.get(f"/api/territories/epci:{EPCI_T}/indicators",
                       **_bearer(world.users["facilitator_other"])).json()
    assert other["companies"] is None
    assert client.get("/api/territories/epci:000000000/indicators").status_code == 404


def test_session_authenticated_api_writes_need_the_csrf_token(world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["member_a"])
    syn = world.synergies["ab"]
    forged = browser.post(f"/api/synergies/{syn.pk}/interest", {"interested": True}, content_type="application/json")
    assert forged.status_code == 403
    syn.refresh_from_db()
    assert syn.need_interest is None
    browser.get("/espace/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    ok = browser.post(f"/api/synergies/{syn.pk}/interest", {"interested": True}, content_type="application/json",
                      HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200


def test_token_and_session_see_exactly_the_same(world, as_persona):
    """Two ways in, one set of rules: every GET answers the same to a token and to a session."""
    urls = ["/api/sites", f"/api/sites/{world.sites['A'].pk}", "/api/flows", f"/api/flows/{world.flows['a_need_ash'].pk}",
            "/api/synergies", f"/api/synergies/{world.synergies['ab'].pk}", "/api/matching-runs"]
    from django.test import Client

    for persona in ("member_b", "facilitator_t"):
        auth = _bearer(world.users[persona])
        session, script = as_persona(persona), Client()
        for url in urls:
            by_session = session.get(url)
            by_token = script.get(url, **auth)
            assert (by_token.status_code, by_token.content) == (by_session.status_code, by_session.content), url


def test_observatory_endpoints_honour_tokens(world, client):
    from web_personas import EPCI_T

    url = f"/api/observatory/epci:{EPCI_T}/toile"
    assert client.get(url).status_code == 404
    assert client.get(url, **_bearer(world.users["member_a"])).status_code == 404
    assert client.get(url, **_bearer(world.users["facilitator_t"])).status_code == 200
    figures = client.get(f"/api/observatory/epci:{EPCI_T}/indicators", **_bearer(world.users["facilitator_t"]))
    assert figures.status_code == 200 and figures.json()["public"] is False
    assert client.get(f"/api/observatory/epci:{EPCI_T}/indicators").json()["public"] is True


def test_token_last_use_is_recorded_at_most_once_a_minute(world, client):
    """A script polling the API must not turn every read into a write; the date stays within a minute."""
    auth = _bearer(world.users["member_a"])
    token = ApiToken.objects.get(user=world.users["member_a"])
    client.get("/api/sites", **auth)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get("/api/sites", **auth)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/sites", **auth)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_current_route_through_the_api_uses_the_import_rule(world, client):
    auth = _bearer(world.users["member_a"])
    payload = {"site": world.sites["A"].pk, "direction": "offer", "label": "Chutes d'acier", "quantity": 40,
               "unit": "t"}
    bad = client.post("/api/flows", {**payload, "current_route": "R99"}, content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "current_route"
    assert "R1 à R13" in bad.json()["detail"][0]["msg"]
    good = client.post("/api/flows", {**payload, "current_route": "r 4", "temperature_c": 35},
                       content_type="application/json", **auth)
    assert good.status_code == 201, good.content
    assert good.json()["temperature_c"] == 35
    assert good.json()["current_route"] == "R4" and Flow.objects.get(pk=good.json()["id"]).current_route == "R4"
