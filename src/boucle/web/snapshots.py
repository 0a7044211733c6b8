"""Per-process memory of expensive read-only results, valid for one data version and one set of grants.

The facilitator map and the ranked synergy list recomputed the same aggregates over a
whole territory on every request (tens of milliseconds of database work each), while
the underlying data changes a few times a day. Each worker keeps the result for the
current *data version* — a token that triggers on sites, flows, synergies, verified outcomes and communes
move at every committed write (migration ``matching.0003_data_version``) — and for the
caller's exact grants (superuser flag, companies, territories). Two users with the same
grants see the same data by the access rules, so they may share an entry; users with
different grants never do.

Nothing is cached inside a transaction (tests, or a request that is writing): its data
may not be committed yet, and the token only moves at commit.

With a shared cache (``BOUCLE_CACHE_URL=redis://…``) an entry computed by one worker is also
kept there, under its data version and grants, so the other workers and machines read it
instead of computing it again; each worker still keeps what it uses in its own memory. Without
one (the embedded default) entries stay in each worker's memory only.
"""

import hashlib
import logging
import threading
from collections import OrderedDict

from django.db import DatabaseError, connection

from boucle.accounts.access import _grants

logger = logging.getLogger(__name__)

SHARED_TIMEOUT_S = 3600  # an entry of an old data version is never read again: let Redis drop it
MAX_ENTRIES = 64  # grant sets × kinds kept per worker; a territory's map arrays are a few MB at most

_entries: OrderedDict = OrderedDict()
_computing: dict = {}  # key → lock held while one thread computes it
_lock = threading.Lock()


def data_version():
    """The committed data version, or None when caching would be unsafe or is unavailable."""
    if connection.in_atomic_block:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT token FROM boucle_data_version WHERE id = 1")
            row = cursor.fetchone()
    except DatabaseError:
        return None  # migration not applied (or another database): compute every time
    return row[0] if row else None


def grants_key(user) -> tuple:
    """Everything the access rules look at for this user; equal keys see equal data.

    A superuser's memberships count too: they decide which side of a synergy they answer for.
    """
    if not user.is_authenticated:
        return ("anonymous",)
    members, facilitations = _grants(user)
    return (bool(user.is_superuser), tuple(sorted(members)), tuple(sorted(facilitations)))


def remembered(kind: str, user, compute, *args):
    """``compute()`` for this data version and these grants, computed at most once per worker."""
    return _remembered((kind, grants_key(user), args), compute)


def remembered_for_all(kind: str, compute, *args):
    """``compute()`` for this data version, for a result that is the same whoever asks (the caller
    applies the access rules afterwards, e.g. a territory's potential before the disclosure rule)."""
    return _remembered((kind, ("everyone",), args), compute)


def _remembered(key, compute):
    version = data_version()
    if version is None:
        return compute()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == version:
            _entries.move_to_end(key)
            return entry[1]
        flight = _computing.setdefault(key, threading.Lock())
    with flight:  # one thread computes, the others of this worker wait for its result
        with _lock:
            entry = _entries.get(key)
            if entry is not None and entry[0] == version:
                return entry[1]
        try:
            shared, shared_key = _shared_cache(), _shared_key(key, version)
            value = _shared_get(shared, shared_key)
            if value is None:
                value = compute()
                _shared_set(shared, shared_key, value)
            with _lock:
                _entries[key] = (version, value)
                _entries.move_to_end(key)
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
        finally:
            with _lock:
                _computing.pop(key, None)
    return value


def _shared_cache():
    """Django's default cache when it is shared by every worker and cheap to read (Redis), else None:
    the database cache (the default) would cost more than computing most entries again."""
    from django.conf import settings
    from django.core.cache import caches

    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return caches["default"] if "redis" in backend.lower() else None


def _shared_key(key, version) -> str:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:40]
    return f"boucle:snapshot:{digest}:{version}"


_MISSING = object()


def _shared_get(shared, key):
    if shared is None:
        return None
    try:
        value = shared.get(key, _MISSING)
    except Exception as exc:  # Redis away or an entry of an older release: compute here
        logger.warning("shared snapshot %s unreadable: %s", key, exc)
        return None
    return None if value is _MISSING else value


def _shared_set(shared, key, value) -> None:
    if shared is None or value is None:
        return
    try:
        shared.set(key, value, SHARED_TIMEOUT_S)
    except Exception as exc:  # the entry stays in this worker's memory all the same
        logger.warning("shared snapshot %s not stored: %s", key, exc)


def forget_all() -> None:
    with _lock:
        _entries.clear()
