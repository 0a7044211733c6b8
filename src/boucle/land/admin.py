from django.contrib import admin

from .models import LandSite


@admin.register(LandSite)
class LandSiteAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area_m2", "status", "commune", "illustrative")
    list_filter = ("kind", "status", "illustrative")
    search_fields = ("name", "identifier", "commune__name")
    raw_id_fields = ("commune", "synergy", "answer")
