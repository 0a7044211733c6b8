"""Admin: places, for the platform administrator (imports stay the write path for sourced data)."""

from django.contrib import admin

from .models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "commune", "source", "source_date", "illustrative")
    list_filter = ("illustrative", "source")
    search_fields = ("identifier", "name", "commune", "commune_insee")
