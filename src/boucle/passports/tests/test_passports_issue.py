"""Issuing passports: identifiers are checked once, so no label is ever printed for a key the
resolver would refuse; only the producing site's people may issue."""

import json

import pytest
from django.core.exceptions import ValidationError

from boucle.passports.models import Passport
from boucle.passports.services import issue_passport

from passports_world import GTIN, login

NEW = "/passeports/nouveau"


def post(client, body):
    return client.post(NEW, json.dumps(body), content_type="application/json")


def test_member_issues_a_serialised_passport_and_can_print_it(client, world):
    body = {"site": world.factory.site_id, "name": "Perceuse P-42", "gtin": GTIN, "serial": "1001",
            "composition": [{"material": "acier", "mass_kg": 0.8}], "tiers": {"composition": "legitimate"}}
    response = post(login(client, world.producer), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["scan_uri"] == f"http://testserver/01/{GTIN}/21/1001"
    passport = Passport.objects.get(handle=data["handle"])
    assert passport.level == "item" and passport.head.length == 0
    client.logout()
    assert client.get(f"/01/{GTIN}/21/1001").status_code == 307
    assert "composition" not in client.get(f"/passeports/{passport.handle}.json").json()


def test_issue_needs_the_right_on_the_site(client, world):
    body = {"site": world.factory.site_id, "name": "X", "gtin": GTIN, "serial": "7"}
    assert post(client, body).status_code == 401
    assert post(login(client, world.member), body).status_code == 403
    assert post(login(client, world.repairer), body).status_code == 403
    assert post(login(client, world.facilitator), body).status_code == 201  # facilitator of the Nord


@pytest.mark.parametrize("fields, problem", [
    ({"gtin": GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)}, "gtin"),
    ({"gtin": GTIN, "lot": "L2026A"}, "gtin"),  # already issued (the world's batch)
    ({"giai": "952012345ASSET1"}, "giai"),
    ({"lot": "L1"}, "lot"),
    ({"documents": [{"title": "R", "url": "https://example.org/r", "link_type": "gs1:recyclingInfo"}]}, "documents"),
    ({"tiers": {"composition": "secret"}}, "tiers"),
    ({"carbon_footprint_kg": 3.2}, "carbon_method"),
    ({"composition": [{"material": "acier", "percent": 140}]}, "composition"),
])
def test_invalid_passports_are_refused(world, fields, problem):
    with pytest.raises(ValidationError) as err:
        issue_passport(world.factory, {"name": "X", **fields})
    assert problem in err.value.message_dict


def test_platform_identifier_for_companies_without_a_gs1_prefix(client, world):
    response = post(login(client, world.producer), {"site": world.factory.site_id, "name": "Chaise"})
    assert response.status_code == 201
    assert response.json()["scan_uri"].startswith("http://testserver/p/")


def test_refusals_speak_the_readers_language_with_the_gs1_reason(world):
    from django.utils import translation

    fields = {"name": "X", "gtin": GTIN, "serial": "77", "carbon_footprint_kg": 3.2,
              "documents": [{"title": "R", "url": "https://example.org/r", "link_type": "gs1:recyclingInfo"}]}
    with translation.override("fr"), pytest.raises(ValidationError) as err:
        issue_passport(world.factory, fields)
    found = err.value.message_dict
    assert found["documents"][0].startswith("entrée 0 : le type de lien gs1:recyclingInfo a été retiré par GS1")
    assert found["carbon_method"] == ["une empreinte carbone demande sa méthode"]
    with translation.override("en"), pytest.raises(ValidationError) as err:
        issue_passport(world.factory, fields)
    found = err.value.message_dict
    assert found["documents"][0].startswith("entry 0: link type gs1:recyclingInfo was withdrawn by GS1")
    assert found["carbon_method"] == ["a carbon footprint needs its method"]
