"""Shared production equipment: a machine or facility a company offers to share (or needs), and bookings.

Mutualising existing production means between nearby firms is the first principle of
ADEME's low-tech industrial ecosystem and the "micro-factory" of the Hauts-de-France
AMI « Mobilités durables ». Offers are seen anonymised by other companies until the
owner accepts a booking (``visibility``); overlapping accepted bookings are refused
(``calendar``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import calendar


class Equipment(models.Model):
    class Direction(models.TextChoices):
        OFFER = "offer", _("à partager")
        NEED = "need", _("recherché")

    class Category(models.TextChoices):
        MACHINING = "machining", _("usinage")
        PRINTING_3D = "3d_printing", _("impression 3D")
        PRESS = "press", _("presse")
        OVEN = "oven", _("four, étuve")
        LAB = "lab", _("laboratoire, essais")
        STORAGE = "storage", _("stockage")
        TRUCK = "truck", _("camion, transport")
        OTHER = "other", _("autre")

    class PriceUnit(models.TextChoices):
        HOUR = "hour", _("par heure")
        DAY = "day", _("par jour")

    company = models.ForeignKey("flows.Company", on_delete=models.CASCADE, related_name="equipment")
    site = models.ForeignKey("flows.Site", on_delete=models.CASCADE, related_name="equipment")
    direction = models.CharField(_("sens"), max_length=5, choices=Direction.choices, default=Direction.OFFER)
    name = models.CharField(_("nom"), max_length=200)
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    windows = models.JSONField(default=list, blank=True, help_text="Availability windows [[start, end], …], ISO dates.")
    conditions = models.TextField(_("conditions"), blank=True)
    price = models.DecimalField(_("prix (€ HT)"), max_digits=10, decimal_places=2, null=True, blank=True)
    price_unit = models.CharField(_("unité de prix"), max_length=4, choices=PriceUnit.choices, blank=True)
    capacity = models.CharField(_("capacité"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "id"]
        verbose_name_plural = "equipment"
        constraints = [
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="equipment_price_not_negative"),
            models.CheckConstraint(condition=Q(price__isnull=True) | ~Q(price_unit=""), name="equipment_price_has_unit"),
            models.CheckConstraint(condition=Q(direction__in=["offer", "need"]), name="equipment_direction_known"),
        ]

    def __str__(self):
        return self.name

    def window_periods(self):
        return calendar.from_json(self.windows)


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        ACCEPTED = "accepted", _("acceptée")
        DECLINED = "declined", _("refusée")
        CANCELLED = "cancelled", _("annulée")

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="bookings")
    company = models.ForeignKey("flows.Company", on_delete=models.CASCADE, related_name="equipment_bookings",
                                help_text="The requesting company.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="booking_dates_in_order"),
            models.CheckConstraint(condition=Q(status__in=["pending", "accepted", "declined", "cancelled"]),
                                   name="booking_status_known"),
        ]

    def __str__(self):
        return f"{self.equipment} {self.starts_on}–{self.ends_on} ({self.status})"

    @property
    def period(self):
        return calendar.Period(self.starts_on, self.ends_on)
