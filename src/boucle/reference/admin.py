from django.contrib import admin

from .models import ActivityCode, TreatmentOperation, WasteCode


@admin.register(WasteCode)
class WasteCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_fr", "hazardous"]
    list_filter = ["hazardous", "chapter"]
    search_fields = ["code6", "code", "label_fr", "label_en"]


@admin.register(ActivityCode)
class ActivityCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "label_fr"]
    list_filter = ["level"]
    search_fields = ["code", "label_fr", "label_en"]
    raw_id_fields = ["parent"]


@admin.register(TreatmentOperation)
class TreatmentOperationAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "label_fr"]
    search_fields = ["code", "label_fr"]
