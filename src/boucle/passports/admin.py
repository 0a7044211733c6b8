"""Admin: passports are edited here by staff; events are shown read-only (append-only)."""

from django.contrib import admin

from .models import ChainEntry, ChainHead, Event, LegitimateInterestGrant, Passport, PassportAuthority, StatusChange


@admin.register(Passport)
class PassportAdmin(admin.ModelAdmin):
    list_display = ("name", "handle", "level", "gtin", "lot", "serial", "giai", "status")
    search_fields = ("name", "handle", "gtin", "lot", "serial", "giai")
    list_filter = ("level", "status")
    raw_id_fields = ("site",)
    readonly_fields = ("status",)


@admin.register(PassportAuthority)
class PassportAuthorityAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "granted_at")
    raw_id_fields = ("user",)


@admin.register(LegitimateInterestGrant)
class LegitimateInterestGrantAdmin(admin.ModelAdmin):
    list_display = ("company", "granted_by", "granted_at")
    raw_id_fields = ("company", "granted_by")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ("event_time", "event_type", "biz_step", "visibility", "event_id")
    list_filter = ("event_type", "visibility")


admin.site.register(ChainEntry, ReadOnly)
admin.site.register(ChainHead, ReadOnly)
admin.site.register(StatusChange, ReadOnly)
