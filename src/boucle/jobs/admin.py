"""Admin: background jobs, read-only for the platform administrator (``services`` is the write path)."""

from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "territory", "state", "progress", "attempts", "created_at", "finished_at")
    list_filter = ("kind", "state")
    search_fields = ("territory", "error")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
