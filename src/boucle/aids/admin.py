"""Admin: aids, for the platform administrator (facilitators curate them on /aides/)."""

from django.contrib import admin

from .models import Aid, AidCuration


@admin.register(Aid)
class AidAdmin(admin.ModelAdmin):
    list_display = ("name", "recurrence", "deadline", "to_verify", "written_on", "archived")
    list_filter = ("to_verify", "archived", "recurrence")
    search_fields = ("identifier", "name", "origin")


@admin.register(AidCuration)
class AidCurationAdmin(admin.ModelAdmin):
    """A territory's hide / pin / note over an aid (facilitators write them on the aid's page)."""

    list_display = ("aid", "territory_level", "territory_code", "hidden", "pinned", "updated_by", "updated_at")
    list_filter = ("territory_level", "hidden", "pinned")
    search_fields = ("aid__name", "territory_code", "note")
