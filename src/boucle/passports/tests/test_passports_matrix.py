"""Every passport route against every persona: reads are public (what is shown depends on the
tier, tested elsewhere), writes answer 401 to anonymous callers and 403 to outsiders.

The list of routes is read from ``passports.urls``: a new route without an entry here fails."""

import json

import pytest
from django.contrib.auth import get_user_model

from boucle.accounts.models import Facilitator
from boucle.epcis import object_event
from boucle.gs1 import compress_digital_link
from boucle.passports import urls

from passports_world import GTIN, login, user

PERSONAS = ["anonymous", "member", "producer", "repairer", "facilitator", "facilitator_other", "authority",
            "superuser"]
READ = {p: (200, 307) for p in PERSONAS}


def _compressed(path):
    return "/" + compress_digital_link("https://example.org" + path).rsplit("/", 1)[1]


def _capture_body(w, persona):
    return object_event([f"https://id.gs1.org/01/{GTIN}/21/42"], biz_step="inspecting",
                        event_time=f"2026-01-0{PERSONAS.index(persona) + 1}T00:00:00Z")


def _with_event(w):
    """The item's history holds one event (captured once; a second capture is a duplicate)."""
    from boucle.passports.events import capture

    capture(object_event([f"https://id.gs1.org/01/{GTIN}/21/42"], biz_step="commissioning",
                         event_time="2026-01-01T00:00:00Z"), None, visibility="public")
    return f"/.well-known/boucle-chain-head/{w.item.handle}"


# route name -> (method, path(world), body(world, persona) or None, persona -> allowed statuses)
ROUTES = {
    "resolve": ("get", lambda w: f"/01/{GTIN}/10/L2026A/21/42", None, READ),
    "resolve-compressed": ("get", lambda w: _compressed(f"/01/{GTIN}/10/L2026A/21/42"), None, READ),
    "resolver-description": ("get", lambda w: "/.well-known/gs1resolver", None, READ),
    "chain-head": ("get", _with_event, None, READ),
    "platform-id": ("get", lambda w: f"/p/{w.local.handle}", None, READ),
    "page": ("get", lambda w: f"/passeports/{w.item.handle}/", None, READ),
    "export": ("get", lambda w: f"/passeports/{w.item.handle}.json", None, READ),
    "qr": ("get", lambda w: f"/passeports/{w.item.handle}/qr.svg", None, READ),
    "labels": ("get", lambda w: f"/passeports/{w.batch.handle}/etiquettes/", None, READ),
    "epcis-events": ("get", lambda w: "/passeports/epcis/events", None, READ),
    "park": ("get", lambda w: "/passeports/parc-machines/", None,
             {"anonymous": (302,), "member": (403,), "producer": (403,), "repairer": (403,), "facilitator": (200,),
              "facilitator_other": (200,), "authority": (403,), "superuser": (200,)}),
    "epcis-capture": ("post", lambda w: "/passeports/epcis/capture", _capture_body,
                      {"anonymous": (401,), "member": (403,), "producer": (201,), "repairer": (201,),
                       "facilitator": (201,), "facilitator_other": (403,), "authority": (403,), "superuser": (201,)}),
    "create": ("post", lambda w: "/passeports/nouveau",
               lambda w, p: {"site": w.factory.site_id, "name": "X", "gtin": GTIN, "serial": f"m-{p}"},
               {"anonymous": (401,), "member": (403,), "producer": (201,), "repairer": (403,),
                "facilitator": (201,), "facilitator_other": (403,), "authority": (403,), "superuser": (201,)}),
    "grant": ("post", lambda w: "/passeports/interet-legitime", lambda w, p: {"company": w.other_site.company_id},
              {"anonymous": (401,), "member": (403,), "producer": (403,), "repairer": (403,),
               "facilitator": (201,), "facilitator_other": (403,), "authority": (403,), "superuser": (201,)}),
}


def test_every_route_is_in_the_matrix():
    assert {p.name for p in urls.urlpatterns} == set(ROUTES)


@pytest.fixture
def personas(world):
    other = user("facilitator_other")
    Facilitator.objects.create(user=other, level="departement", code="80")
    root = get_user_model().objects.create_superuser("superuser", "root@example.org", None)
    return {"anonymous": None, "member": world.member, "producer": world.producer, "repairer": world.repairer,
            "facilitator": world.facilitator, "facilitator_other": other, "authority": world.authority,
            "superuser": root}


@pytest.mark.parametrize("name", list(ROUTES))
def test_route_against_every_persona(client, world, personas, name):
    method, path, body, allowed = ROUTES[name]
    for persona in PERSONAS:
        client.logout()
        if personas[persona] is not None:
            login(client, personas[persona])
        if method == "get":
            response = client.get(path(world))
        else:
            response = client.post(path(world), json.dumps(body(world, persona)), content_type="application/json")
        assert response.status_code in allowed[persona], (name, persona, response.status_code, response.content[:200])
