"""A request too big to read gets the platform's own page in the reader's language, never a raw page or a 500.

An address past ``limits.MAX_URL_CHARS``: 414. Too many parameters or form fields
(``DATA_UPLOAD_MAX_NUMBER_FIELDS``): 400. What gunicorn itself refuses is in
``tests/foundation/test_serve_defaults.py``.
"""

import pytest
from django.conf import settings

from boucle.ops.gunicorn_worker import refusal
from boucle.ops.limits import MAX_URL_CHARS

pytestmark = pytest.mark.django_db


def _looks_like_the_platform(body: str) -> bool:
    return "web/boucle.css" in body and 'class="brand"' in body and "Traceback" not in body


def test_an_address_just_under_the_limit_is_served(client):
    response = client.get("/?q=" + "x" * (MAX_URL_CHARS - 10))
    assert response.status_code == 200


@pytest.mark.parametrize("language, title, lang", [("fr", "Adresse trop longue", 'lang="fr"'),
                                                    ("en", "Address too long", 'lang="en"')])
def test_a_too_long_address_is_a_414_page_in_the_reader_s_language(client, language, title, lang):
    response = client.get("/observatoire/?" + "site=12345678901234&" * 500, HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 414
    assert title in body and lang in body and _looks_like_the_platform(body)


@pytest.mark.parametrize("language, title", [("fr", "Demande refusée"), ("en", "Request refused")])
def test_too_many_parameters_is_a_400_page_not_a_500(client, language, title):
    query = "&".join(["s=1"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))  # well under the length limit
    assert len(query) < MAX_URL_CHARS
    response = client.get("/connexion/?" + query, HTTP_ACCEPT_LANGUAGE=language)  # the login view reads ?next=
    body = response.content.decode()
    assert response.status_code == 400 and title in body and _looks_like_the_platform(body)


def test_a_form_with_too_many_fields_is_a_400_page(client):
    data = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/connexion/", data)
    body = response.content.decode()
    assert response.status_code == 400 and "Demande refusée" in body and _looks_like_the_platform(body)


def test_the_page_gunicorn_s_worker_sends_for_a_line_past_its_ceiling():
    """What ``BoucleThreadWorker`` writes instead of gunicorn's raw « 414 Request-URI Too Long »."""
    head, _sep, body = refusal(414).decode("utf-8").partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 414 ") and f"Content-Length: {len(body.encode())}" in head
    assert "Adresse trop longue" in body and _looks_like_the_platform(body)
