"""/healthz and /readyz: what an orchestrator reads, for anyone, without secrets, 503 naming the broken part."""

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

REDIS = "redis://127.0.0.1:6379/6"  # this helper's Redis database number
DEAD_REDIS = "redis://:s3cret-word@127.0.0.1:1/6"  # nothing listens on port 1


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")


def test_healthz_answers_without_touching_the_database(client):
    response = client.get("/healthz")  # no database mark: any query would raise
    assert response.status_code == 200 and response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"] and not response.cookies


@pytest.mark.django_db
def test_readyz_is_ready_when_database_and_cache_answer(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ready" and body["failing"] == []
    assert set(body["checks"]) == {"database", "cache"}  # no broker configured: not checked
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_names_a_broken_database_and_hides_its_message(client):
    boom = OperationalError('connection to server at "db.internal" failed: password authentication failed for '
                            'user "boucle" (password s3cret-word)')
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", side_effect=boom):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"][0] == "database" and body["checks"]["database"]["error"] == "OperationalError"
    # (the default cache lives in the database: it fails with it, and says so)
    assert "s3cret" not in response.content.decode() and "db.internal" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_names_a_broken_cache(client):
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}
    with override_settings(CACHES=caches):
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["cache"]
    assert "s3cret" not in response.content.decode()


@needs_redis
@pytest.mark.django_db
def test_readyz_checks_the_shared_cache_and_the_broker_on_redis(client):
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}}
    with override_settings(CACHES=caches, BOUCLE_BROKER_URL=REDIS):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "cache", "broker"} and body["status"] == "ready"


@pytest.mark.django_db
def test_readyz_names_an_unreachable_broker(client):
    with override_settings(BOUCLE_BROKER_URL=DEAD_REDIS):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["failing"] == ["broker"]
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert "s3cret" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["boucle.example.org"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_a_container_probe_by_address_over_plain_http(client):
    """A probe calls http://10.0.3.7:8000/readyz: no host name, no HTTPS, and still gets the answer."""
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.3.7:8000")
        assert response.status_code == 200, (path, response.status_code)
        assert json.loads(response.content)["status"] in ("alive", "ready")
    # Everything else still goes through the host check and the redirect.
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400


@pytest.mark.django_db
def test_probes_are_plain_routes_too(client):
    from django.urls import resolve

    assert resolve("/healthz").url_name == "healthz" and resolve("/readyz").url_name == "readyz"
    assert client.post("/healthz").status_code == 405  # a probe reads
