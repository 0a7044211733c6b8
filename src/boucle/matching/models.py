"""Synergies proposed by the engine and followed by facilitators.

A synergy links an offer to a need — declared, or inferred from the receiving
site's activity (then ``need`` is empty and ``need_site`` says where). Estimated
impacts come from the engine; verified outcomes are recorded apart and never mixed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import lifecycle


class MatchingRun(models.Model):
    territory = models.CharField(max_length=30, blank=True)
    radius_km = models.FloatField()
    inferred = models.BooleanField(default=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    proposals = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]


class Synergy(models.Model):
    STATUS_CHOICES = [(s, lifecycle.LABELS_FR[s]) for s in lifecycle.STATUSES]

    offer = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, related_name="synergies_as_offer")
    need = models.ForeignKey("flows.Flow", on_delete=models.CASCADE, null=True, blank=True, related_name="synergies_as_need")
    need_site = models.ForeignKey("flows.Site", on_delete=models.CASCADE, related_name="synergies_as_receiver")
    inferred = models.BooleanField(default=False)
    material_class = models.CharField(max_length=60)
    distance_km = models.FloatField()
    quantity_t = models.FloatField(null=True, blank=True)
    score = models.FloatField()
    co2e_avoided_t = models.FloatField(null=True, blank=True, help_text="Estimated, per year.")
    tonnes_diverted = models.FloatField(null=True, blank=True, help_text="Estimated, per year.")
    eur_saved = models.FloatField(null=True, blank=True, help_text="Estimated, per year.")
    explanation = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=15, choices=STATUS_CHOICES, default=lifecycle.SUGGESTED)
    stale = models.BooleanField(default=False, help_text="No longer proposed by the latest run.")
    run = models.ForeignKey(MatchingRun, on_delete=models.SET_NULL, null=True, blank=True)
    offer_interest = models.BooleanField(null=True, blank=True, help_text="The offering company's answer.")
    need_interest = models.BooleanField(null=True, blank=True, help_text="The receiving company's answer.")
    revealed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name_plural = "synergies"
        constraints = [
            models.UniqueConstraint(fields=["offer", "need"], condition=Q(need__isnull=False), name="one_synergy_per_pair"),
            models.UniqueConstraint(fields=["offer", "need_site", "material_class"], condition=Q(need__isnull=True),
                                    name="one_inferred_synergy_per_site"),
            models.CheckConstraint(condition=Q(status__in=lifecycle.STATUSES), name="synergy_status_enum"),
        ]
        indexes = [models.Index(fields=["-score", "id"], name="synergy_rank")]

    def __str__(self):
        return f"{self.offer.label} → {self.need_site.name}"

    @property
    def offer_site(self):
        return self.offer.site

    @property
    def both_agreed(self) -> bool:
        return bool(self.offer_interest and self.need_interest)


class StatusChange(models.Model):
    """The status log: who moved a synergy, when, and why."""

    synergy = models.ForeignKey(Synergy, on_delete=models.CASCADE, related_name="status_log")
    from_status = models.CharField(max_length=15)
    to_status = models.CharField(max_length=15)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class InterestAnswer(models.Model):
    """Every answer a company gives to a suggestion (``yes``: it accepts to meet the other company), when it
    changes, written by the one write path (``services.express_interest``): the facilitator's follow-up says who
    said yes and when."""

    synergy = models.ForeignKey(Synergy, on_delete=models.CASCADE, related_name="answers")
    side = models.CharField(max_length=5, help_text="offer or need: the company that answered.")
    yes = models.BooleanField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Reveal(models.Model):
    """Every time identities were revealed to the parties (double opt-in), logged."""

    synergy = models.ForeignKey(Synergy, on_delete=models.CASCADE, related_name="reveals")
    at = models.DateTimeField(auto_now_add=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)


class VerifiedOutcome(models.Model):
    """What was measured after the fact, kept apart from the engine's estimates."""

    synergy = models.ForeignKey(Synergy, on_delete=models.CASCADE, related_name="outcomes")
    start_date = models.DateField(null=True, blank=True)
    tonnes_per_year = models.FloatField(null=True, blank=True)
    eur_per_year = models.FloatField(null=True, blank=True)
    co2e_avoided_t_per_year = models.FloatField(null=True, blank=True)
    water_m3_per_year = models.FloatField(null=True, blank=True)
    # heat, steam or cold delivered: counted in MWh, never in the tonnes diverted from disposal
    mwh_per_year = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(tonnes_per_year__isnull=True) | Q(tonnes_per_year__gte=0),
                                   name="outcome_tonnes_non_negative"),
        ]
