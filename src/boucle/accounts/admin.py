from django.contrib import admin

from .models import ApiToken, Facilitator, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "company__name", "company__siren"]
    raw_id_fields = ["user", "company"]


@admin.register(Facilitator)
class FacilitatorAdmin(admin.ModelAdmin):
    list_display = ["user", "level", "code"]
    list_filter = ["level"]
    search_fields = ["user__username", "user__email", "code"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["digest"]
    raw_id_fields = ["user"]
