"""Every operation the API gained to cover the pages, persona by persona (``web_personas``).

For each read: who gets 200, and that nobody receives a name, a site id, an exact quantity's flow
label or exact coordinates of a company he may not see. For each write (rolled back after each
persona): who changes data, and that every other persona is refused and changes nothing.
Then the behaviours a script relies on: errors naming the field in French and English, the
domain's rules answered as the pages answer them, and the allocation equal to ``boucle allocate``.
"""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from boucle.accounts.models import ApiToken
from boucle.flows.models import Correction, Flow, Site
from boucle.matching.models import VerifiedOutcome
from boucle.passports.models import Event, Passport
from boucle.passports.services import issue_passport
from boucle.projects.models import Answer, Assessment, Call
from boucle.sharing.models import Booking, Equipment
from boucle.testing import make_siret
from route_matrix import assert_no_leak
from test_access_projects import ami  # noqa: F401 - fixture
from test_access_sharing import day, shared  # noqa: F401 - fixture
from web_personas import EPCI_T, PERSONAS

LOGGED = set(PERSONAS) - {"anonymous"}
EDIT_A = {"member_a", "admin_a", "facilitator_t", "superuser"}  # may edit site A (can_edit_site)
STEER = {"facilitator_t", "superuser"}
OWNERS_A = {"member_a", "admin_a"}
T = f"epci:{EPCI_T}"
# The owner's members learn who asked to book their press (B introduced itself), as on the pages.
REVEALED = {"member_a": {"B"}, "admin_a": {"B"}}


@pytest.fixture
def everything(world, ami, shared):  # noqa: F811
    passport = issue_passport(world.sites["A"], {"name": "Bloc béton Alphaciment"})
    # a measured result is recorded for an exchange on trial or running (matching.lifecycle.MEASURABLE)
    type(world.synergies["ab"]).objects.filter(pk=world.synergies["ab"].pk).update(status="trial")
    return {"world": world, "ami": ami, "shared": shared, "passport": passport}


def snapshot():
    return (sorted(Site.objects.values_list("id", "name", "closed")),
            sorted(Flow.objects.values_list("id", "quantity", "label")), Correction.objects.count(),
            VerifiedOutcome.objects.count(), sorted(Call.objects.values_list("id", "status", "title")),
            sorted(Answer.objects.values_list("id", "status")), Assessment.objects.count(), sorted(Equipment.objects.values_list("id", "name")),
            sorted(Booking.objects.values_list("id", "status")), Passport.objects.count(), Event.objects.count())


def _reads(e):
    w, ami_, sh = e["world"], e["ami"], e["shared"]
    ab = w.synergies["ab"].pk
    return [
        (f"/api/synergies/{ab}/outcomes", LOGGED - {"facilitator_other"}),
        (f"/api/territories/{T}/pools?radius_km=20&min_sites=2", STEER),
        (f"/api/territories/{T}/allocation", STEER),
        (f"/api/territories/{T}/export/flows?format=csv", STEER),
        (f"/api/territories/{T}/export/synergies?format=geojson", STEER),
        (f"/api/territories/{T}/export/indicators?format=csv&public=true", STEER),
        ("/api/calls", LOGGED),
        (f"/api/calls/{ami_['call'].pk}", LOGGED),
        (f"/api/calls/{ami_['draft'].pk}", STEER),
        (f"/api/calls/{ami_['call'].pk}/answers", LOGGED),
        (f"/api/answers/{ami_['answer'].pk}", EDIT_A),
        ("/api/equipment", LOGGED),
        (f"/api/equipment/{sh['press'].pk}", LOGGED),
        ("/api/bookings", LOGGED),
        (f"/api/passports/{e['passport'].handle}", set(PERSONAS)),
        ("/api/impact?material=fly_ash&quantity=1000&unit=t&distance_km=20", LOGGED),
    ]


# Every operation this file's matrix exercises (``test_access_matrix`` checks the OpenAPI document against
# its own table and this one together, so an operation added to the API without persona tests fails there).
OPERATIONS = {
    ("get", "/api/synergies/{synergy_id}/outcomes"), ("post", "/api/synergies/{synergy_id}/outcomes"),
    ("get", "/api/territories/{ref}/pools"), ("get", "/api/territories/{ref}/allocation"),
    ("get", "/api/territories/{ref}/export/{what}"), ("get", "/api/impact"),
    ("post", "/api/sites"), ("patch", "/api/sites/{site_id}"), ("patch", "/api/flows/{flow_id}"),
    ("delete", "/api/flows/{flow_id}"),
    ("get", "/api/calls"), ("post", "/api/calls"), ("get", "/api/calls/{call_id}"),
    ("post", "/api/calls/{call_id}/transition"), ("get", "/api/calls/{call_id}/answers"),
    ("get", "/api/answers/{answer_id}"), ("put", "/api/calls/{call_id}/answer"), ("patch", "/api/calls/{call_id}"),
    ("post", "/api/answers/{answer_id}/assessment"),
    ("get", "/api/equipment"), ("post", "/api/equipment"), ("get", "/api/equipment/{equipment_id}"),
    ("patch", "/api/equipment/{equipment_id}"), ("post", "/api/equipment/{equipment_id}/bookings"),
    ("get", "/api/bookings"), ("post", "/api/bookings/{booking_id}/decision"),
    ("get", "/api/passports/{handle}"), ("post", "/api/passports"), ("post", "/api/passports/events"),
}


def _capture_body(passport):
    from boucle.passports.identifiers import epc

    return {"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2026-01-05T10:00:00Z",
            "eventTimeZoneOffset": "+01:00", "bizStep": "inspecting", "epcList": [epc(passport, "http://testserver")]}


def _writes(e):
    w, ami_, sh = e["world"], e["ami"], e["shared"]
    a = w.sites["A"]
    new_site = make_siret(siren=a.company.siren, nic=99)  # a new establishment of A's company
    return [
        ("post", "/api/sites", lambda: {"site_id": new_site, "name": "Dépôt Alphaciment",
                                        "commune_insee": "59350"}, OWNERS_A | STEER),
        ("patch", f"/api/sites/{a.pk}", lambda: {"name": "Usine Alphaciment (nord)"}, EDIT_A),
        ("patch", f"/api/flows/{w.flows['a_need_ash'].pk}", lambda: {"quantity": 41000}, EDIT_A),
        ("delete", f"/api/flows/{w.flows['a_need_ash'].pk}", None, EDIT_A),
        ("post", f"/api/synergies/{w.synergies['ab'].pk}/outcomes", lambda: {"tonnes_per_year": 3000}, STEER),
        ("post", "/api/calls", lambda: {"title": "Réemploi", "summary": "Appel", "territory": T,
                                        "opens_on": str(dt.date.today()), "closes_on": str(day(30)),
                                        "questions": ["Votre projet ?"]}, STEER),
        ("post", f"/api/calls/{ami_['draft'].pk}/transition", lambda: {"target": "published"}, STEER),
        ("patch", f"/api/calls/{ami_['draft'].pk}", lambda: {"title": "Appel réemploi 2027"}, STEER),
        ("post", f"/api/answers/{ami_['answer'].pk}/assessment",
         lambda: {"scores": {"strategic": 4, "jobs": 3}, "decision": "retained"}, STEER),
        ("put", f"/api/calls/{ami_['call'].pk}/answer",
         lambda: {"sections": [{"question": ami_["call"].questions[0], "text": "Nous proposons…"}]}, {"member_b"}),
        ("post", "/api/equipment", lambda: {"site": a.pk, "name": "Imprimante 3D métal", "category": "3d_printing",
                                            "windows": [[str(day(1)), str(day(60))]]}, OWNERS_A),
        ("patch", f"/api/equipment/{sh['press'].pk}", lambda: {"name": "Presse révisée"}, OWNERS_A),
        ("post", f"/api/equipment/{sh['press'].pk}/bookings",
         lambda: {"starts_on": str(day(20)), "ends_on": str(day(21))}, {"member_b"}),
        ("post", f"/api/bookings/{sh['booking'].pk}/decision", lambda: {"action": "accept"}, OWNERS_A),
        ("post", "/api/passports", lambda: {"site": a.site_id, "name": "Palette Alphaciment"}, EDIT_A),
        # producers, the territory's facilitators, legitimate-interest companies (none here: B and C are not circular)
        ("post", "/api/passports/events", lambda: _capture_body(e["passport"]), EDIT_A),
    ]


def _client(client, world, persona):
    client.logout()
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client


def test_reads_persona_by_persona(everything, client):
    world = everything["world"]
    for url, allowed in _reads(everything):
        for persona in PERSONAS:
            response = _client(client, world, persona).get(url)
            if persona in allowed:
                assert response.status_code == 200, (persona, url, response.status_code, response.content[:300])
            else:
                assert response.status_code in ((401,) if persona == "anonymous" else (403, 404)), (
                    persona, url, response.status_code)
            assert_no_leak(world, persona, response, REVEALED.get(persona, ()))


def test_writes_persona_by_persona(everything, client):
    world = everything["world"]
    for method, url, body, allowed in _writes(everything):
        for persona in PERSONAS:
            c = _client(client, world, persona)
            with transaction.atomic():
                before = snapshot()
                kwargs = {"data": json.dumps(body()), "content_type": "application/json"} if body else {}
                response = getattr(c, method)(url, **kwargs)
                changed = snapshot() != before
                transaction.set_rollback(True)
            if persona in allowed:
                assert response.status_code < 300 and changed, (persona, method, url, response.status_code,
                                                                response.content[:500])
            else:
                assert not changed, f"{persona} changed data through {method.upper()} {url}"
                expected = (401,) if persona == "anonymous" else (403, 404, 409, 422)
                assert response.status_code in expected, (persona, method, url, response.status_code)
            assert_no_leak(world, persona, response, REVEALED.get(persona, ()))


def test_the_matrix_exercises_every_operation_it_claims(everything):
    import re

    urls = [("get", url) for url, _allowed in _reads(everything)] + [(m, url) for m, url, _b, _a in _writes(everything)]
    for method, template in OPERATIONS:
        pattern = re.compile("^" + re.sub(r"\\{\w+\\}", "[^/?]+", re.escape(template)) + r"(\?.*)?$")
        assert any(m == method and pattern.match(url) for m, url in urls), (method, template)


def test_every_write_operation_needs_credentials(db):
    """A write is never anonymous, so the token check (expiry, read-only scope) of ``BearerToken`` covers them all."""
    from boucle.api.api import api

    schema = api.get_openapi_schema()
    writes = [(m, p) for p, ops in schema["paths"].items() for m, op in ops.items() if m != "get"]
    assert len(writes) >= 18
    unguarded = [(m, p) for m, p in writes if not schema["paths"][p][m].get("security")]
    assert not unguarded


def test_a_site_error_names_the_field_in_french_and_in_english(world, client):
    client.force_login(world.users["facilitator_t"])
    body = {"site_id": "12345678901234", "name": "Dépôt", "commune_insee": "59350"}
    fr = client.post("/api/sites", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    en = client.post("/api/sites", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert fr.status_code == en.status_code == 422
    assert fr.json()["detail"][0]["loc"] == en.json()["detail"][0]["loc"] == ["body", "payload", "site_id"]
    assert "invalide" in fr.json()["detail"][0]["msg"]
    assert "invalid" in en.json()["detail"][0]["msg"] and "invalide" not in en.json()["detail"][0]["msg"]
    unknown = client.post("/api/sites", {"site_id": "EXT-1", "name": "Dépôt", "commune_insee": "99999"},
                          content_type="application/json")
    assert unknown.json()["detail"][0]["loc"][-1] == "commune_insee"
    both = client.post("/api/sites", {**body, "commune_insee": "99999"}, content_type="application/json")
    assert [d["loc"][-1] for d in both.json()["detail"]] == ["site_id", "commune_insee"]  # every field, not the first


def test_a_site_changed_through_the_api_is_a_correction_the_next_import_keeps(world, client):
    site = world.sites["A"]
    Site.objects.filter(pk=site.pk).update(imported_at=timezone.now())
    client.force_login(world.users["facilitator_t"])
    response = client.patch(f"/api/sites/{site.pk}", {"name": "Usine Alphaciment (nord)", "naf_code": "2351Z"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "Usine Alphaciment (nord)"
    assert set(Correction.objects.filter(site=site).values_list("field", flat=True)) == {"name"}
    bad = client.patch(f"/api/sites/{site.pk}", {"naf_code": "99.99Z"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "naf_code"


def test_a_facilitator_cannot_move_a_site_out_of_his_territory(world, client):
    client.force_login(world.users["facilitator_t"])
    response = client.patch(f"/api/sites/{world.sites['A'].pk}", {"commune_insee": "57463", "latitude": None,
                                                                  "longitude": None},
                            content_type="application/json")
    assert response.status_code == 403
    assert Site.objects.get(pk=world.sites["A"].pk).commune_id == "59350"


def test_flow_update_goes_through_the_flow_form(world, client):
    client.force_login(world.users["member_a"])
    flow = world.flows["a_need_ash"]
    bad = client.patch(f"/api/flows/{flow.pk}", {"unit": "MWh"}, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "unit"
    assert "unit" in bad.json()["detail"][0]["msg"].lower()
    ok = client.patch(f"/api/flows/{flow.pk}", {"quantity": 12, "unit": "kt"[1:], "current_route": "D1"},
                      content_type="application/json")
    assert ok.status_code == 200, ok.content
    # a need has no current fate (an offer's field): sent with one, the need keeps none, the rest is saved
    assert ok.json()["quantity"] == 12 and ok.json()["current_route"] == "" and ok.json()["label"] == flow.label


def test_booking_refusals_are_field_errors_and_a_second_acceptance_is_a_conflict(everything, client):
    world, sh = everything["world"], everything["shared"]
    client.force_login(world.users["member_b"])
    past = client.post(f"/api/equipment/{sh['press'].pk}/bookings",
                       {"starts_on": str(day(-3)), "ends_on": str(day(-1))}, content_type="application/json")
    assert past.status_code == 422 and past.json()["detail"][0]["loc"][-1] == "starts_on"
    client.force_login(world.users["member_a"])
    url = f"/api/bookings/{sh['booking'].pk}/decision"
    assert client.post(url, {"action": "accept"}, content_type="application/json").status_code == 200
    again = client.post(url, {"action": "decline"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"]


def test_b_sees_the_press_anonymised_until_a_accepts(everything, client):
    world, sh = everything["world"], everything["shared"]
    client.force_login(world.users["member_b"])
    before = client.get(f"/api/equipment/{sh['press'].pk}").json()
    assert before["level"] == "anonymised" and before["name"] is None and before["company"] is None
    client.force_login(world.users["member_a"])
    client.post(f"/api/bookings/{sh['booking'].pk}/decision", {"action": "accept"}, content_type="application/json")
    client.force_login(world.users["member_b"])
    after = client.get(f"/api/equipment/{sh['press'].pk}").json()
    assert after["level"] == "full" and after["company"] == world.sites["A"].company.name


def test_answering_a_call_then_publishing_results_follows_the_pages_rules(everything, client):
    world, ami_ = everything["world"], everything["ami"]
    client.force_login(world.users["facilitator_t"])
    early = client.post(f"/api/calls/{ami_['call'].pk}/transition", {"target": "decided"},
                        content_type="application/json")
    assert early.status_code == 409 and "clôture" in early.json()["detail"]
    client.force_login(world.users["member_b"])
    empty = client.put(f"/api/calls/{ami_['call'].pk}/answer", {"submit": True}, content_type="application/json")
    assert empty.status_code == 409
    unknown = client.put(f"/api/calls/{ami_['call'].pk}/answer",
                         {"sections": [{"question": "Pas une question de l'appel", "text": "x"}]},
                         content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "sections"
    done = client.put(f"/api/calls/{ami_['call'].pk}/answer",
                      {"sections": [{"question": ami_["call"].questions[0], "text": "Projet B"}], "submit": True},
                      content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"


def test_the_allocation_is_the_one_boucle_allocate_prints(world, client, capsys):
    from boucle.cli import main

    client.force_login(world.users["facilitator_t"])
    api = client.get(f"/api/territories/{T}/allocation").json()
    assert main(["allocate", "--territory", T, "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    keys = ("objective", "total_value", "tonnes_exchanged", "mwh_exchanged", "m3_exchanged", "status")
    assert {k: api[k] for k in keys} == {k: cli[k] for k in keys}
    assert len(api["exchanges"]) == len(cli["exchanges"])


def test_a_read_only_use_of_the_impact_endpoint_names_bad_fields(world, client):
    client.force_login(world.users["member_a"])
    ok = client.get("/api/impact?ewc=100102&quantity=1000&unit=t&distance_km=20")
    assert ok.status_code == 200 and ok.json()["co2e_avoided_t"] is not None
    both = client.get("/api/impact?material=fly_ash&ewc=100102&quantity=1&unit=t&distance_km=1")
    assert both.status_code == 422 and both.json()["detail"][0]["loc"] == ["query", "material"]
    route = client.get("/api/impact?material=fly_ash&quantity=1&unit=t&distance_km=1&route=nowhere")
    assert route.status_code == 422 and route.json()["detail"][0]["loc"] == ["query", "route"]


def test_passport_events_are_captured_for_those_the_pages_allow(everything, client):
    """The producer's members add an inspection to the history; a company with no legitimate interest may not."""
    world, passport = everything["world"], everything["passport"]
    epc = client.get(f"/api/passports/{passport.handle}").json()["identifier"]["epc"]
    event = {"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2026-01-05T10:00:00Z",
             "eventTimeZoneOffset": "+01:00", "bizStep": "inspecting", "epcList": [epc]}
    _, token = ApiToken.issue(world.users["member_b"], "script", scope="write")
    refused = client.post("/api/passports/events", event, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 403, refused.content
    client.force_login(world.users["member_a"])
    response = client.post("/api/passports/events", event, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["passports"] == [passport.handle]
    history = client.get(f"/api/passports/{passport.handle}").json()["events"]
    assert [e["bizStep"] for e in history][-1].endswith("inspecting")


def test_a_read_only_token_reads_the_new_operations_but_writes_none(everything, client):
    """The scope check of ``BearerToken`` covers every router the API mounts, not only its first endpoints."""
    world = everything["world"]
    _, reader = ApiToken.issue(world.users["member_a"], "tableau de bord", scope="read")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {reader}"}
    assert client.get("/api/equipment", **auth).status_code == 200
    flow = world.flows["a_need_ash"]
    before = snapshot()
    assert client.patch(f"/api/flows/{flow.pk}", {"quantity": 1}, content_type="application/json", **auth).status_code == 403
    assert client.delete(f"/api/flows/{flow.pk}", **auth).status_code == 403
    assert client.post("/api/equipment", {"site": world.sites["A"].pk, "name": "Four", "category": "oven"},
                       content_type="application/json", **auth).status_code == 403
    assert snapshot() == before


def test_an_assessment_names_the_score_at_fault_and_a_redirection_needs_its_scheme(everything, client):
    world, ami_ = everything["world"], everything["ami"]
    client.force_login(world.users["facilitator_t"])
    url = f"/api/answers/{ami_['answer'].pk}/assessment"
    high = client.post(url, {"scores": {"jobs": 9}}, content_type="application/json")
    assert high.status_code == 422 and high.json()["detail"][0]["loc"][-1] == "scores"
    scheme = client.post(url, {"decision": "redirected"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert scheme.status_code == 422 and scheme.json()["detail"][0]["loc"][-1] == "funding_scheme"
    assert "scheme" in scheme.json()["detail"][0]["msg"]  # in English, as asked
    ok = client.post(url, {"decision": "redirected", "funding_scheme": "FRATRI"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "redirected"
