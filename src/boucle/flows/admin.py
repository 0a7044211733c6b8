from django.contrib import admin

from .models import Company, Correction, Flow, Rereading, Site


class RegionFilter(admin.SimpleListFilter):
    """Filter by territory: region of the site's commune (EPCI and département filters below)."""

    title = "région"
    parameter_name = "region"
    prefix = "commune__"

    def lookups(self, request, model_admin):
        from boucle.territories.models import Region

        return [(r.code, r.name) for r in Region.objects.filter(departements__communes__isnull=False).distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.prefix + "departement__region_id": self.value()})
        return queryset


class FlowRegionFilter(RegionFilter):
    prefix = "site__commune__"


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "vat_number", "published"]
    list_filter = ["published"]
    search_fields = ["name", "siren", "vat_number", "sites__site_id"]


class FlowInline(admin.TabularInline):
    model = Flow
    extra = 0
    fields = ["direction", "kind", "label", "ewc", "quantity", "unit", "period", "illustrative", "confidential"]
    raw_id_fields = ["ewc"]
    show_change_link = True


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "site_id", "naf", "commune", "closed", "source"]
    list_filter = [RegionFilter, "closed", "source", "id_kind", "commune__departement"]
    search_fields = ["name", "site_id", "company__siren", "company__name", "commune__name", "commune__epci__name",
                     "naf__code"]
    raw_id_fields = ["company", "commune", "naf"]
    readonly_fields = ["imported_values", "imported_at"]
    inlines = [FlowInline]


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["label", "direction", "kind", "site", "ewc", "material_class", "quantity", "unit", "illustrative"]
    list_filter = ["direction", "kind", "illustrative", "confidential", FlowRegionFilter]
    search_fields = ["label", "site__name", "site__site_id", "ewc__code6", "material_class"]
    raw_id_fields = ["site", "ewc"]
    readonly_fields = ["identity", "imported_values", "imported_at"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["field", "value", "site", "flow", "author", "created_at"]
    raw_id_fields = ["site", "flow", "author"]


@admin.register(Rereading)
class RereadingAdmin(admin.ModelAdmin):
    """The re-readings of the flows' automatic classes (``flows.readings``): a record, not for editing."""

    list_display = ["finished_at", "fingerprint", "reread", "changed", "kept"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
