"""An owner accepting a booking while its requester cancels it: one of them must lose (PostgreSQL).

Both transitions start from "pending". Before the single lock order (equipment, then booking),
``decide`` read the booking without locking it and ``cancel`` locked only the booking, so each
saw "pending", both succeeded, and the last write won — in 18 of 40 runs the booking ended
*accepted* although the requester had cancelled it. Row locks need a real server: SQLite locks
the whole database, so this runs on PostgreSQL only (``scripts/run_postgres_tests.py``).
"""

import datetime as dt
import os
import threading

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""),
                       reason="row-lock race: needs PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def restore_reference(django_db_blocker):
    """A transactional test flushes every table when it ends: put the shared reference data back."""
    yield
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def booking(restore_reference, transactional_db):
    from django.contrib.auth import get_user_model

    from boucle.sharing.models import Booking, Equipment
    from boucle.testing import make_site

    owner_site, requester_site = make_site("Owner", commune=None), make_site("Requester", commune=None)
    User = get_user_model()
    owner, requester = User.objects.create_user("owner"), User.objects.create_user("requester")
    press = Equipment.objects.create(company=owner_site.company, site=owner_site, name="Presse", category="press")
    first = timezone.localdate() + dt.timedelta(days=10)

    def make(n=0):  # one day per race, so an earlier race's accepted booking never overlaps
        day = first + dt.timedelta(days=n)
        return Booking.objects.create(equipment=press, company=requester_site.company, requested_by=requester,
                                      starts_on=day, ends_on=day)

    return make, owner, requester


def _race(booking, owner, requester, *, decide_first_reads: bool):
    """Run decide(accept) and cancel in two threads; returns (outcomes, final status).

    With ``decide_first_reads`` the owner's transaction pauses right after reading the booking's
    state (inside ``calendar.conflicts``) until the requester's cancel has had its chance to run:
    the interleaving that lost the cancellation, made certain instead of left to the scheduler."""
    from boucle.sharing import calendar, services
    from boucle.sharing.models import Booking

    outcomes = {}
    decide_read = threading.Event()
    cancel_done = threading.Event()
    original = calendar.conflicts

    def slow_conflicts(*args, **kwargs):
        decide_read.set()
        cancel_done.wait(timeout=2)  # with the fix, cancel is blocked on our lock: we go on after 2 s
        return original(*args, **kwargs)

    def run(name, action):
        try:
            action()
            outcomes[name] = "ok"
        except calendar.CalendarError as err:
            outcomes[name] = err.code
        finally:
            if name == "cancel":
                cancel_done.set()
            connection.close()

    def do_decide():
        services.decide(booking, owner, accept=True)

    def do_cancel():
        if decide_first_reads:
            decide_read.wait(timeout=5)
        services.cancel(booking, requester)

    if decide_first_reads:
        services.calendar.conflicts = slow_conflicts
    try:
        threads = [threading.Thread(target=run, args=("decide", do_decide)),
                   threading.Thread(target=run, args=("cancel", do_cancel))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        services.calendar.conflicts = original
    return outcomes, Booking.objects.get(pk=booking.pk).status


def _consistent(outcomes, status) -> bool:
    """Serialisable outcomes only: cancel then decide (refused), or decide then cancel (cancelled)."""
    if outcomes == {"decide": "ok", "cancel": "ok"}:
        return status == "cancelled"  # accepted, then given back: the cancellation came last
    if outcomes == {"decide": "already_decided", "cancel": "ok"}:
        return status == "cancelled"
    if outcomes == {"decide": "ok", "cancel": "already_decided"}:
        return status == "accepted"
    return False


def test_a_cancellation_is_never_lost_to_a_concurrent_acceptance(booking):
    make, owner, requester = booking
    outcomes, status = _race(make(), owner, requester, decide_first_reads=True)
    assert _consistent(outcomes, status), (outcomes, status)


def test_forty_free_races_all_end_consistently(booking):
    make, owner, requester = booking
    results = [_race(make(n), owner, requester, decide_first_reads=False) for n in range(40)]
    broken = [r for r in results if not _consistent(*r)]
    assert not broken, f"{len(broken)} of 40 races lost a transition: {broken[:3]}"
