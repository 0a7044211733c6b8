"""Economic land: plots, vacant buildings and brownfields a territory can offer to a project
(seed 004 §1.1), shaped like CEREMA's Cartofriches inventory (a site, its kind and area, its
status, known soil pollution with its BASOL/BASIAS reference, its owner type and servicing).

A land entry is a record of its own, not a company site; an invented example says so
(``illustrative``). A plot can be linked to a synergy or to an answer to a call for projects.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import engine


class LandSite(models.Model):
    class Kind(models.TextChoices):
        PLOT = engine.PLOT, _("terrain à vocation économique")
        BUILDING = engine.BUILDING, _("bâtiment vacant")
        BROWNFIELD = engine.BROWNFIELD, _("friche")

    class Status(models.TextChoices):
        AVAILABLE = engine.AVAILABLE, _("disponible")
        UNDER_STUDY = engine.UNDER_STUDY, _("projet à l'étude")
        RECONVERTED = engine.RECONVERTED, _("reconverti")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("privé")
        MIXED = "mixed", _("mixte")
        UNKNOWN = "unknown", _("inconnu")

    identifier = models.CharField(max_length=120, unique=True, help_text="external id in its source")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    area_m2 = models.FloatField(help_text="land area in m²")
    building_area_m2 = models.FloatField(null=True, blank=True, help_text="floor area of buildings in m²")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AVAILABLE)
    pollution_known = models.BooleanField(null=True, blank=True, help_text="None: not known")
    pollution_refs = models.CharField(max_length=200, blank=True, help_text="BASOL / BASIAS / SIS references")
    ownership = models.CharField(max_length=8, choices=Ownership.choices, default=Ownership.UNKNOWN)
    rail = models.BooleanField(default=False, help_text="rail siding or connection")
    water = models.BooleanField(default=False, help_text="industrial water supply")
    power = models.BooleanField(default=False, help_text="high-power electricity connection")
    commune = models.ForeignKey("territories.Commune", on_delete=models.PROTECT, related_name="land_sites")
    lat = models.FloatField()
    lon = models.FloatField()
    position_is_commune_centre = models.BooleanField(default=False)
    geometry = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry as imported")
    description = models.TextField(blank=True)
    source = models.CharField(max_length=200)
    source_date = models.DateField(null=True, blank=True)
    illustrative = models.BooleanField(default=False)
    synergy = models.ForeignKey("matching.Synergy", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="land_sites")
    answer = models.ForeignKey("projects.Answer", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="land_sites")
    imported_values = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["commune__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="land_area_positive"),
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                                   name="land_coordinates_in_range"),
            models.CheckConstraint(condition=Q(kind__in=engine.KINDS), name="land_kind_known"),
            models.CheckConstraint(condition=Q(status__in=engine.STATUSES), name="land_status_known"),
        ]

    def __str__(self):
        return f"{self.name} ({self.commune.name})"

    def servicing(self) -> list[str]:
        return [name for name in engine.SERVICING if getattr(self, name)]


#: Servicing in words (rail siding, industrial water, high-power electricity).
SERVICING_LABELS = {"rail": _("embranchement ferré"), "water": _("eau industrielle"),
                    "power": _("raccordement électrique")}
