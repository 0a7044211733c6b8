"""Readiness checks: can this process serve a request that needs the database, the cache, the broker?

Each check answers ``{"ok": bool, "ms": float}`` plus ``"error"``, the exception's class name
only: a driver's message may quote a connection URL with its password, so it goes to the log
(under the request id), never into the response.
"""

import logging
import time
import uuid

logger = logging.getLogger("boucle.ops.health")

TIMEOUT_S = 2.0


def _timed(name, check) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # a probe reports every failure, whatever its kind
        logger.warning("readiness check %s failed: %s", name, exc, exc_info=False)
        return {"ok": False, "ms": round((time.monotonic() - started) * 1000, 1), "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not answer 1")


def check_cache() -> None:
    from django.core.cache import cache

    key, value = f"boucle:readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not give back what was just stored")
    finally:
        cache.delete(key)


def check_broker(url: str) -> None:
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S)
        try:
            client.ping()
        finally:
            client.close()
        return
    from kombu import Connection  # other brokers (RabbitMQ…) through Celery's own transport library

    with Connection(url, connect_timeout=TIMEOUT_S) as conn:
        conn.ensure_connection(max_retries=1)


def readiness() -> dict:
    """Every check, and ``ready`` when all configured ones pass. The broker is checked only if configured."""
    from django.conf import settings

    checks = {"database": _timed("database", check_database), "cache": _timed("cache", check_cache)}
    broker_url = getattr(settings, "BOUCLE_BROKER_URL", "")
    if broker_url:
        checks["broker"] = _timed("broker", lambda: check_broker(broker_url))
    ready = all(c["ok"] for c in checks.values())
    return {"status": "ready" if ready else "unavailable", "checks": checks,
            "failing": [name for name, c in checks.items() if not c["ok"]]}
