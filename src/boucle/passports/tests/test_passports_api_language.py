"""The passports API answers its refusals in the reader's language, French first, the field named."""

import json

import pytest

from boucle.epcis import object_event

from passports_world import GTIN, login

CAPTURE = "/passeports/epcis/capture"
QUERY = "/passeports/epcis/events"
ITEM = f"https://id.gs1.org/01/{GTIN}/21/42"


def errors(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    return " | ".join(body.get("errors") or [body.get("error", "")])


@pytest.mark.parametrize("lang, words", [
    ("fr", ["EQ_bizStp : paramètre de requête inconnu", "GE_eventTime : une date et une heure ISO 8601",
            "EQ_bizStep : étape métier inconnue", "Authorization : authentification requise",
            "corps de la requête : JSON illisible à la ligne 1, colonne 2", "site : obligatoire",
            "site : aucun site connu", "company : obligatoire", "méthode PUT non autorisée"]),
    ("en", ["EQ_bizStp: unknown query parameter", "GE_eventTime: an ISO 8601 date and time",
            "EQ_bizStep: unknown business step", "Authorization: authentication required",
            "request body: unreadable JSON at line 1, column 2", "site: required",
            "site: no site known to Boucle", "company: required", "method PUT not allowed"]),
])
def test_refusals_speak_the_readers_language(client, world, lang, words):
    headers = {"HTTP_ACCEPT_LANGUAGE": lang}
    said = [errors(client.get(QUERY, {"EQ_bizStp": "x"}, **headers), 400),
            errors(client.get(QUERY, {"GE_eventTime": "bientôt"}, **headers), 400),
            errors(client.get(QUERY, {"EQ_bizStep": "dancing"}, **headers), 400),
            errors(client.post(CAPTURE, json.dumps(object_event([ITEM])), content_type="application/json",
                               **headers), 401)]
    login(client, world.producer)
    said += [errors(client.post(CAPTURE, "{x", content_type="application/json", **headers), 400),
             errors(client.post("/passeports/nouveau", "{}", content_type="application/json", **headers), 400),
             errors(client.post("/passeports/nouveau", json.dumps({"site": "00000000000000"}),
                                content_type="application/json", **headers), 400),
             errors(client.post("/passeports/interet-legitime", "[]", content_type="application/json", **headers), 400),
             errors(client.put(f"/01/{GTIN}", **headers), 405)]
    missing = [w for w, text in zip(words, said) if w not in text]
    assert not missing, said
    other = ["paramètre", "requise", "obligatoire"] if lang == "en" else ["unknown query", "required", "not allowed"]
    assert not [w for w in other if w in " ".join(said)]


def test_a_refused_passport_is_named_in_the_singular(client, world):
    login(client, world.member)
    text = errors(client.post(CAPTURE, json.dumps(object_event([ITEM], biz_step="repairing")),
                              content_type="application/json"), 403)
    assert f"au passeport {world.item.handle}" in text and "(s)" not in text
