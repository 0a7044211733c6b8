"""A burst of parallel guesses tries at most 10 passwords for one account (PostgreSQL, threads).

Counting failures after the password check let every request of a burst pass the "fewer than
10 failures" test while the counter still read 9; the limiter reserves each attempt first, in a
cache row every worker shares and increments atomically. Each thread has its own database
connection, as each worker process would.
"""

import os
import threading

import pytest
from django.db import connection
from django.test import Client

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""),
                       reason="parallel logins need PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True),
]

@pytest.fixture(scope="module")
def restore_reference(django_db_blocker):
    """A transactional test flushes every table when it ends: put the shared reference data back."""
    yield
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()


def test_a_parallel_burst_checks_at_most_ten_passwords(restore_reference, transactional_db, settings):
    from django.contrib.auth import get_user_model

    from boucle.testing import SlowPasswordHasher

    settings.PASSWORD_HASHERS = ["boucle.testing.SlowPasswordHasher"]
    CHECKED = SlowPasswordHasher.checked
    get_user_model().objects.create_user("target", "target@example.org", "the right passphrase 1")
    CHECKED.clear()
    start = threading.Barrier(30)
    statuses = []

    def guess(i):
        try:
            start.wait(timeout=10)
            statuses.append(Client().post("/connexion/", {"username": "target", "password": f"guess {i}"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(statuses) == 30 and set(statuses) <= {200, 429}
    tried = set(CHECKED)  # each backend checks the password it is given: count the distinct guesses
    assert len(tried) <= 10, f"{len(tried)} passwords tried in one burst"
    assert statuses.count(429) >= 20
