"""Admin: shared equipment and bookings for the platform administrator."""

from django.contrib import admin

from .models import Booking, Equipment


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "direction", "company", "site", "price", "price_unit", "active")
    list_filter = ("category", "direction", "active")
    search_fields = ("name", "company__name", "company__siren", "site__site_id")
    raw_id_fields = ("company", "site")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("equipment", "company", "starts_on", "ends_on", "status", "decided_at")
    list_filter = ("status",)
    search_fields = ("equipment__name", "company__name", "company__siren")
    raw_id_fields = ("equipment", "company", "requested_by", "decided_by")
