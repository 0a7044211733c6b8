"""Admin: calls and answers for the platform administrator; the status log is read-only."""

from django.contrib import admin

from .models import Answer, Assessment, Call, StatusChange


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "territory_level", "territory_code", "opens_on", "closes_on", "status")
    list_filter = ("status", "territory_level")
    search_fields = ("title", "territory_code", "territory_name")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("call", "company", "status", "submitted_at")
    list_filter = ("status",)
    search_fields = ("company__name", "company__siren", "call__title")
    raw_id_fields = ("call", "company", "partner_companies", "synergies", "flows", "created_by")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("answer", "criterion", "score", "assessed_by", "assessed_at")
    list_filter = ("criterion",)
    raw_id_fields = ("answer", "assessed_by")


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("call", "answer", "from_status", "to_status", "author", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
