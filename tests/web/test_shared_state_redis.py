"""With BOUCLE_CACHE_URL=redis://…, the login limiter and the snapshots are shared by every
worker, not kept in each process's memory (real Redis on 127.0.0.1:6379, database 5).

The limiter: two separate processes guess passwords for one account; the second one is refused
once both together reach the limit. The snapshots: an entry computed by one worker is read by
another (a worker whose memory is empty) until a committed write moves the data version.
"""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

REDIS_URL = "redis://127.0.0.1:6379/5"

GUESSES = """
import json, sys
from boucle.bootstrap import setup_django
setup_django()
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_cache_keys
from django.core.cache import cache
from django.test import RequestFactory
account, n = sys.argv[1], int(sys.argv[2])
locked, keys = [], set()
for i in range(n):
    request = RequestFactory().post("/connexion/", {"username": account, "password": f"guess {i}"})
    locked.append(AxesProxyHandler.is_locked(request, {"username": account}))
    keys.update(cache.make_key(k) for k in get_client_cache_keys(request, {"username": account}))
print(json.dumps({"locked": locked, "keys": sorted(keys)}))
"""


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers at {REDIS_URL} ({exc}); `.ci/run` starts one")
    return client


def guesses(account, n, tmp_path):
    env = {**os.environ, "BOUCLE_CACHE_URL": REDIS_URL, "BOUCLE_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", GUESSES, account, str(n)], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_two_processes_share_the_login_limiter_count(redis_db, tmp_path, settings):
    account = f"limiter-{uuid.uuid4().hex[:10]}"
    keys = []
    try:
        first = guesses(account, 6, tmp_path)
        keys += first["keys"]
        assert first["locked"] == [False] * 6
        assert [int(redis_db.get(k)) for k in first["keys"]] == [6]  # in Redis, not in the process
        second = guesses(account, 6, tmp_path)  # another worker: 4 more attempts allowed, then refused
        keys += second["keys"]
        limit = settings.AXES_FAILURE_LIMIT
        assert second["locked"] == [False] * (limit - 6) + [True] * (12 - limit)
    finally:
        if keys:
            redis_db.delete(*keys)


@pytest.fixture(autouse=True)
def restore_reference(django_db_blocker):
    """A transactional test flushes every table when it ends (the one before this one included): the
    shared reference data is put back before and after each test that asks for it."""
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()
    yield
    with django_db_blocker.unblock():
        load_reference()


def test_a_snapshot_computed_by_one_worker_is_read_by_the_others(redis_db, restore_reference, transactional_db,
                                                                  settings):
    from boucle.testing import make_site
    from boucle.web import snapshots

    prefix = f"snapshots-{uuid.uuid4().hex[:10]}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    calls = []

    def compute():
        calls.append(1)
        return {"sites": len(calls)}

    try:
        snapshots.forget_all()
        assert snapshots.remembered("test-map", AnonymousUser(), compute, "epci:200093201") == {"sites": 1}
        assert redis_db.keys(f"{prefix}:*boucle:snapshot:*")  # kept in Redis
        snapshots.forget_all()  # another worker: nothing in its own memory
        assert snapshots.remembered("test-map", AnonymousUser(), compute, "epci:200093201") == {"sites": 1}
        assert len(calls) == 1
        make_site("Nouveau site", commune="59350")  # a committed write: a new data version
        snapshots.forget_all()
        assert snapshots.remembered("test-map", AnonymousUser(), compute, "epci:200093201") == {"sites": 2}
    finally:
        snapshots.forget_all()
        stale = redis_db.keys(f"{prefix}:*")
        if stale:
            redis_db.delete(*stale)
