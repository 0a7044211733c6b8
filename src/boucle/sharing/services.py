"""The one write path for bookings: rules from ``calendar`` checked under locks, so two owners' clicks
(or two requests) cannot both slip past the overlap check, and an owner's decision and the requester's
cancellation of one booking cannot both succeed on the same pending state.

Every transition takes its locks in one order — the equipment row, then the booking row — and
reads the booking's status only once both are held (``_locked``). Two orders (``decide`` locking the
equipment, ``cancel`` the booking) let each read "pending" and the last writer silently undo the
other's transition.
"""

from django.db import transaction
from django.utils import timezone

from . import calendar
from .models import Booking, Equipment


def _taken(equipment, exclude=None):
    qs = equipment.bookings.filter(status=Booking.Status.ACCEPTED)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return [b.period for b in qs]


@transaction.atomic
def request_booking(equipment: Equipment, company, user, *, starts_on, ends_on, message) -> Booking:
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    period = calendar.Period(starts_on, ends_on)
    calendar.check_request(period, windows=equipment.window_periods(), taken=_taken(equipment),
                           today=timezone.localdate())
    return Booking.objects.create(equipment=equipment, company=company, requested_by=user, starts_on=starts_on,
                                  ends_on=ends_on, message=message)


def _locked(booking: Booking) -> tuple[Equipment, Booking]:
    """The equipment and the booking, locked in that order, the booking's state read under the locks.
    Call inside a transaction."""
    equipment_id = Booking.objects.values_list("equipment_id", flat=True).get(pk=booking.pk)
    equipment = Equipment.objects.select_for_update().get(pk=equipment_id)
    return equipment, Booking.objects.select_for_update().get(pk=booking.pk)


@transaction.atomic
def decide(booking: Booking, user, accept: bool) -> Booking:
    equipment, booking = _locked(booking)
    if booking.status != Booking.Status.PENDING:
        raise calendar.CalendarError("already_decided")
    if accept:
        clash = calendar.conflicts(booking.period, _taken(equipment, exclude=booking.pk))
        if clash:
            raise calendar.CalendarError("overlap", detail=f"{clash[0].start.isoformat()} – {clash[0].end.isoformat()}")
    booking.status = Booking.Status.ACCEPTED if accept else Booking.Status.DECLINED
    booking.decided_by, booking.decided_at = user, timezone.now()
    booking.save(update_fields=["status", "decided_by", "decided_at"])
    return booking


@transaction.atomic
def cancel(booking: Booking, user) -> Booking:
    """The requester withdraws a request, or gives back an accepted slot (it frees the calendar)."""
    _equipment, booking = _locked(booking)
    if booking.status not in (Booking.Status.PENDING, Booking.Status.ACCEPTED):
        raise calendar.CalendarError("already_decided")
    booking.status = Booking.Status.CANCELLED
    booking.decided_by, booking.decided_at = user, timezone.now()
    booking.save(update_fields=["status", "decided_by", "decided_at"])
    return booking
