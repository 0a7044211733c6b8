"""The one write path for bookings: rules from ``calendar`` checked under a lock on the equipment row,
so two owners' clicks (or two requests) cannot both slip past the overlap check."""

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


@transaction.atomic
def decide(booking: Booking, user, accept: bool) -> Booking:
    equipment = Equipment.objects.select_for_update().get(pk=booking.equipment_id)
    booking = Booking.objects.get(pk=booking.pk)
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
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in (Booking.Status.PENDING, Booking.Status.ACCEPTED):
        raise calendar.CalendarError("already_decided")
    booking.status = Booking.Status.CANCELLED
    booking.decided_by, booking.decided_at = user, timezone.now()
    booking.save(update_fields=["status", "decided_by", "decided_at"])
    return booking
