"""A login attempt counter per client address and login, in the cache.

Five failures within fifteen minutes lock that pair out until the window ends;
keyed by address *and* login so one noisy office does not lock out its colleagues.
"""

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_S = 15 * 60


def _key(ip: str, login: str) -> str:
    digest = hashlib.sha256(f"{ip}|{(login or '').strip().lower()}".encode()).hexdigest()[:32]
    return f"boucle:login-fail:{digest}"


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_locked(ip: str, login: str) -> bool:
    return cache.get(_key(ip, login), 0) >= MAX_FAILURES


def record_failure(ip: str, login: str) -> int:
    key = _key(ip, login)
    if cache.add(key, 1, WINDOW_S):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_S)
        return 1


def reset(ip: str, login: str) -> None:
    cache.delete(_key(ip, login))
