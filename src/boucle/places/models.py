"""Places where a citizen or a repairer can repair, give, sell, rent, drop off or recycle an
object, shaped like the open data of ADEME's "Que faire de mes objets et déchets" (an actor,
its address and position, its actions and object categories, its hours and source).

A place is a record of its own, never one of Boucle's company sites: it is public by nature
(a shop, a repair café, a municipal tip), and an invented example says so (``illustrative``).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ACTIONS = ("repair", "give", "sell", "rent", "drop_off", "recycle")


class Place(models.Model):
    identifier = models.CharField(max_length=120, unique=True, help_text="external id in its source")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    commune = models.CharField(max_length=200)
    commune_insee = models.CharField(max_length=5, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    actions = models.JSONField(default=list)
    object_categories = models.JSONField(default=list, blank=True, help_text="empty: every object")
    opening_hours = models.CharField(max_length=300, blank=True)
    website = models.URLField(max_length=300, blank=True)
    source = models.CharField(max_length=200)
    source_date = models.DateField(null=True, blank=True)
    illustrative = models.BooleanField(default=False)
    qualirepar = models.BooleanField(default=False, help_text="repairer labelled QualiRépar (may apply the bonus réparation)")
    imported_values = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["commune", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                                   name="place_coordinates_in_range"),
            models.CheckConstraint(condition=~Q(commune=""), name="place_has_commune"),
        ]

    def __str__(self):
        return f"{self.name} ({self.commune})"


ACTION_LABELS = {
    "repair": _("réparer"), "give": _("donner"), "sell": _("vendre"), "rent": _("louer"),
    "drop_off": _("déposer"), "recycle": _("recycler"),
}
