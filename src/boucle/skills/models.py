"""Skills: what a site needs (a job by its ROME code or in words, a level, how many people, by
when) or can offer (staff to lend or redeploy), and the training offers and apprenticeships that
prepare for a job (seed 004 §1.2). A site's declarations are confidential like its flows: its
company and the territory's facilitators see them; other companies see only that a pool exists.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LEVEL_CHOICES = [
    ("", _("non précisé")), ("3", _("niveau 3 (CAP, BEP)")), ("4", _("niveau 4 (bac)")),
    ("5", _("niveau 5 (bac + 2)")), ("6", _("niveau 6 (licence, bachelor)")), ("7", _("niveau 7 (master, ingénieur)")),
    ("8", _("niveau 8 (doctorat)")),
]


class SkillDeclaration(models.Model):
    class Direction(models.TextChoices):
        NEED = "need", _("besoin")
        OFFER = "offer", _("compétence disponible")

    site = models.ForeignKey("flows.Site", on_delete=models.CASCADE, related_name="skills")
    direction = models.CharField(max_length=5, choices=Direction.choices, default=Direction.NEED)
    rome_code = models.CharField(max_length=5, blank=True)
    label = models.CharField(max_length=200)
    level = models.CharField(max_length=1, choices=LEVEL_CHOICES, blank=True)
    headcount = models.PositiveIntegerField(default=1)
    horizon_months = models.PositiveSmallIntegerField(default=6, help_text="needed within N months")
    note = models.TextField(blank=True)
    source = models.CharField(max_length=20, default="form")
    illustrative = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site", "direction", "rome_code", "label"]
        constraints = [
            models.CheckConstraint(condition=Q(headcount__gte=1, headcount__lte=10_000), name="skill_headcount_range"),
            models.CheckConstraint(condition=Q(horizon_months__lte=60), name="skill_horizon_range"),
            models.UniqueConstraint(fields=["site", "direction", "rome_code", "label"], name="one_skill_line_per_site"),
        ]

    def __str__(self):
        return f"{self.label} ({self.site})"


class TrainingOffer(models.Model):
    identifier = models.CharField(max_length=120, unique=True, help_text="external id in its source")
    organisation = models.CharField(max_length=200)
    title = models.CharField(max_length=300, help_text="diploma, RNCP title or course name")
    rncp = models.CharField(max_length=20, blank=True)
    rome_codes = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=1, choices=LEVEL_CHOICES, blank=True)
    apprenticeship = models.BooleanField(default=False)
    commune = models.ForeignKey("territories.Commune", on_delete=models.PROTECT, related_name="training_offers")
    lat = models.FloatField()
    lon = models.FloatField()
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    seats = models.PositiveIntegerField(null=True, blank=True)
    url = models.URLField(max_length=300, blank=True)
    source = models.CharField(max_length=200)
    illustrative = models.BooleanField(default=False)
    imported_values = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["commune__name", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                                   name="training_coordinates_in_range"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) |
                                   Q(end_date__gte=models.F("start_date")), name="training_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.title} — {self.organisation}"
