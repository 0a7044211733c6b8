"""Admin: aids, for the platform administrator (facilitators curate them on /aides/)."""

from django.contrib import admin

from .models import Aid


@admin.register(Aid)
class AidAdmin(admin.ModelAdmin):
    list_display = ("name", "recurrence", "deadline", "to_verify", "written_on", "archived")
    list_filter = ("to_verify", "archived", "recurrence")
    search_fields = ("identifier", "name", "origin")
