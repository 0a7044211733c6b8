from django.contrib import admin

from .models import InterestAnswer, MatchingRun, Reveal, StatusChange, Synergy, VerifiedOutcome


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "author", "reason", "at"]


@admin.register(Synergy)
class SynergyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "material_class", "status", "score", "distance_km", "co2e_avoided_t", "inferred", "stale"]
    list_filter = ["status", "inferred", "stale", "need_site__commune__departement"]
    search_fields = ["material_class", "offer__label", "offer__site__name", "offer__site__site_id", "need_site__name",
                     "need_site__site_id"]
    raw_id_fields = ["offer", "need", "need_site", "run"]
    inlines = [StatusChangeInline]


@admin.register(MatchingRun)
class MatchingRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "territory", "radius_km", "proposals", "created", "updated"]


@admin.register(VerifiedOutcome)
class VerifiedOutcomeAdmin(admin.ModelAdmin):
    list_display = ["synergy", "start_date", "tonnes_per_year", "eur_per_year", "recorded_at"]
    raw_id_fields = ["synergy", "recorded_by"]


@admin.register(Reveal)
class RevealAdmin(admin.ModelAdmin):
    list_display = ["synergy", "at", "triggered_by"]
    raw_id_fields = ["synergy", "triggered_by"]


@admin.register(InterestAnswer)
class InterestAnswerAdmin(admin.ModelAdmin):
    """Each company's answer to a suggestion, as logged by ``services.express_interest``: read, not written."""

    list_display = ["synergy", "side", "yes", "author", "at"]
    list_filter = ["side", "yes"]
    raw_id_fields = ["synergy", "author"]
    readonly_fields = ["synergy", "side", "yes", "author", "at"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["synergy", "from_status", "to_status", "author", "at"]
    list_filter = ["to_status"]
    raw_id_fields = ["synergy", "author"]
