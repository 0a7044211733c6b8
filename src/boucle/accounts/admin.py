from django.contrib import admin

from .models import ApiToken, Facilitator, Invitation, Membership, Profile


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
    list_display = ["user", "name", "scope", "created_at", "expires_at", "last_used_at"]
    list_filter = ["scope"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["digest"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Revoke by setting ``revoked_at``; the link itself is never stored (only its SHA-256)."""

    list_display = ["email", "company", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "company__name"]
    readonly_fields = ["digest", "accepted_at", "accepted_by"]
    raw_id_fields = ["company", "invited_by", "accepted_by"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """The language a person reads notifications and e-mails in (recorded at login and on a language switch)."""

    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
