from django.contrib import admin

from .models import SkillDeclaration, TrainingOffer


@admin.register(SkillDeclaration)
class SkillDeclarationAdmin(admin.ModelAdmin):
    list_display = ("label", "rome_code", "direction", "headcount", "site", "illustrative")
    list_filter = ("direction", "illustrative")
    raw_id_fields = ("site", "created_by")


@admin.register(TrainingOffer)
class TrainingOfferAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "commune", "start_date", "apprenticeship", "illustrative")
    raw_id_fields = ("commune",)
