from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "created_at", "read_at", "emailed"]
    list_filter = ["emailed"]
    search_fields = ["user__username", "user__email", "subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]
