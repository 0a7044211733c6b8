"""Companies, their sites, and what each site offers or needs.

Flows belong to sites, not companies, because distances are measured from sites.
An imported record keeps its provenance; a facilitator's fix lives apart in
``Correction`` so re-importing the same file never overwrites a human decision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Company(models.Model):
    """A legal unit: French SIREN, or an EU VAT number for a foreign partner, or neither (a test or demo site)."""

    siren = models.CharField(max_length=9, unique=True, null=True, blank=True)
    vat_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    external_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    published = models.BooleanField(
        default=False, help_text="The company chose to show its name and sites publicly."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.CheckConstraint(condition=Q(siren__isnull=True) | Q(siren__regex=r"^[0-9]{9}$"), name="company_siren_format"),
            models.CheckConstraint(
                condition=Q(siren__isnull=False) | Q(vat_number__isnull=False) | Q(external_key__isnull=False),
                name="company_has_identifier",
            ),
        ]

    def __str__(self):
        return self.name


class Site(models.Model):
    """An establishment: SIRET for a French one, any unique external id otherwise."""

    class IdKind(models.TextChoices):
        SIRET = "siret", "SIRET"
        EXTERNAL = "external", "external id"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sites")
    site_id = models.CharField(max_length=64, unique=True, help_text="SIRET or external id, as imported.")
    id_kind = models.CharField(max_length=10, choices=IdKind.choices)
    name = models.CharField(max_length=200)
    # indexed by ``site_naf_place_idx`` below (code, then position), not by a second index of its own
    naf = models.ForeignKey("reference.ActivityCode", on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    activity = models.CharField(max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    commune = models.ForeignKey("territories.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="sites",
                                db_index=False)  # indexed once, in Meta.indexes
    country = models.CharField(max_length=2, default="FR")
    closed = models.BooleanField(default=False)
    source = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_values = models.JSONField(default=dict, blank=True, help_text="The values as last imported.")

    class Meta:
        ordering = ["name", "site_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | (Q(lat__gte=-90) & Q(lat__lte=90) & Q(lon__gte=-180) & Q(lon__lte=180)),
                name="site_coordinates_range",
            ),
        ]
        indexes = [
            models.Index(fields=["commune"]),
            # One index for the activity code: equality and IN, prefix (LIKE '38%': the pattern
            # operator class), and the sourcing search's bounding box (code, then latitude range,
            # longitude checked in the index). Each index slows a SIRENE-scale import, hence one.
            models.Index(fields=["naf", "lat", "lon"], name="site_naf_place_idx",
                         opclasses=["varchar_pattern_ops", "float8_ops", "float8_ops"]),
            # The platform's own sites only (a few thousand beside a directory of millions): whether a company
            # takes part in Boucle (``accounts.access.taking_part``, the suppliers search's Exists test on each
            # directory entry of a division it lists anonymously) reads it. Partial: a SIRENE import skips it.
            models.Index(fields=["naf", "lat", "lon"], name="site_platform_naf_place_idx",
                         condition=~Q(source="sirene")),
        ]

    def __str__(self):
        return f"{self.name} ({self.site_id})"

    @property
    def published(self) -> bool:
        return self.company.published


def takeable_offer(prefix: str = "") -> Q:
    """An offer someone can take: not a yearly total over several wastes (``Flow.declared_total``).
    ``prefix`` reaches the flows from another model (``"flows__"`` from a site). The one filter behind
    every count and sum of offers (pages, observatory, exports, toile, sourcing)."""
    return Q(**{f"{prefix}direction": "offer", f"{prefix}declared_total": False})


class FlowQuerySet(models.QuerySet):
    def offers(self):
        """Offers anyone can take: declared totals (information about a site) left out."""
        return self.filter(takeable_offer())

    def declared_totals(self):
        return self.filter(declared_total=True)


class Flow(models.Model):
    """Something a site throws away or has too much of (offer), or takes in (need)."""

    objects = FlowQuerySet.as_manager()

    class Direction(models.TextChoices):
        OFFER = "offer", "offre"
        NEED = "need", "besoin"

    class Kind(models.TextChoices):
        MATERIAL = "material", "matière"
        ENERGY = "energy", "énergie / chaleur"
        WATER = "water", "eau"
        EQUIPMENT = "equipment", "équipement"
        SERVICE = "service", "service"

    class Period(models.TextChoices):
        YEAR = "year", "an"
        MONTH = "month", "mois"
        WEEK = "week", "semaine"
        DAY = "day", "jour"
        ONCE = "once", "une fois"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="flows")
    identity = models.CharField(max_length=400, help_text="External id, or site/direction/kind/label/EWC.")
    direction = models.CharField(max_length=5, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MATERIAL)
    label = models.CharField(max_length=300)
    ewc = models.ForeignKey("reference.WasteCode", on_delete=models.PROTECT, null=True, blank=True)
    material_class = models.CharField(max_length=60, blank=True)
    material_confidence = models.FloatField(null=True, blank=True)
    quantity = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=8, blank=True)
    period = models.CharField(max_length=5, choices=Period.choices, default=Period.YEAR)
    quantity_base = models.FloatField(null=True, blank=True, help_text="Quantity per year in the base unit.")
    base_unit = models.CharField(max_length=8, blank=True)
    temperature_c = models.FloatField(null=True, blank=True)
    hazardous = models.BooleanField(null=True, blank=True)
    physical_state = models.CharField(max_length=20, blank=True)
    grade = models.CharField(max_length=200, blank=True, help_text="Purity or grade, as text.")
    current_route = models.CharField(
        max_length=24, blank=True,
        help_text="What happens to the flow today: an operation code (R1-R13, D1-D15) or a route key "
                  "(boucle/impact/data/current_routes.csv); empty = unknown, the documented default applies.")
    available_from = models.DateField(null=True, blank=True)
    available_to = models.DateField(null=True, blank=True)
    confidential = models.BooleanField(default=True)
    illustrative = models.BooleanField(
        default=False, help_text="Typical of the activity, not declared by the company (demo data)."
    )
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=120, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_values = models.JSONField(default=dict, blank=True, help_text="The values as last imported.")
    declared_total = models.BooleanField(
        default=False, db_default=False, editable=False,  # db_default: rows written by raw SQL (bulk loaders)
        help_text="A yearly total over several wastes (iREP's « Déchets dangereux (total déclaré) »): information "
                  "about the site, never an offer; set from the label on save (``refresh_declared_total``).")
    declared_at = models.DateTimeField(auto_now_add=True, null=True, blank=True,
                                       help_text="When the flow was first recorded (empty for flows older than this field).")

    class Meta:
        ordering = ["site", "direction", "label"]
        constraints = [
            models.UniqueConstraint(fields=["site", "identity"], name="flow_identity_per_site"),
            models.CheckConstraint(condition=Q(quantity__isnull=True) | Q(quantity__gte=0), name="flow_quantity_non_negative"),
            models.CheckConstraint(condition=Q(direction__in=["offer", "need"]), name="flow_direction_enum"),
            models.CheckConstraint(condition=Q(current_route__regex=r"^([RD][0-9]{1,2}F?|[a-z_]+)?$"),
                                   name="flow_current_route_format"),
        ]
        indexes = [models.Index(fields=["direction", "material_class"]),
                   # The declared totals, a few among a region's half a million flows, read without a scan of them
                   # all (the observatory's figures, the exports): only their rows are in it.
                   models.Index(fields=["site"], condition=Q(declared_total=True), name="flows_flow_declared_total")]

    def __str__(self):
        return f"{self.get_direction_display()} {self.label}"

    def refresh_declared_total(self) -> bool:
        """Set ``declared_total`` as the matching reads the flow (``pipeline.not_matchable``): a label that
        is a total over several materials, unless a person chose its class (form, file, correction)."""
        from boucle.materials.classify import is_total_label

        from .importers import class_chosen

        total = is_total_label(self.label) and not class_chosen(self.material_confidence)
        if total and self.pk is not None:
            total = not self.corrections.filter(field="material_class").exists()
        self.declared_total = total
        return total

    def save(self, *args, **kwargs):
        self.refresh_declared_total()
        fields = kwargs.get("update_fields")
        if fields is not None and {"label", "material_class", "material_confidence"} & set(fields):
            kwargs["update_fields"] = {*fields, "declared_total"}
        super().save(*args, **kwargs)


class Correction(models.Model):
    """A facilitator's fix of one field of an imported site or flow, kept apart from the import.

    The displayed value is the latest correction if any, else the imported one
    (see ``boucle.flows.layers``).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections")
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections")
    field = models.CharField(max_length=40)
    value = models.JSONField(null=True)
    reason = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(site__isnull=False) & Q(flow__isnull=True)) | (Q(site__isnull=True) & Q(flow__isnull=False)),
                name="correction_targets_one_record",
            )
        ]


class Rereading(models.Model):
    """A complete re-reading of the flows' automatic material classes (``flows.readings``): the fingerprint
    of the reading rules it used, and what it changed. The latest row tells whether the stored readings are
    today's: when the rules' fingerprint differs, the next matching reads them again first."""

    fingerprint = models.CharField(max_length=64)
    finished_at = models.DateTimeField(auto_now_add=True)
    reread = models.PositiveIntegerField(default=0, help_text="Automatic classes read again.")
    changed = models.PositiveIntegerField(default=0, help_text="Of which the class changed.")
    kept = models.PositiveIntegerField(default=0, help_text="Classes a person chose or corrected, left as they were.")
    transitions = models.JSONField(default=list, blank=True,
                                   help_text="[{from, to, flows}]: the class changes, most frequent first.")
    by_commune = models.JSONField(default=dict, blank=True,
                                  help_text="{insee: {reread, changed, transitions: [[from, to, flows]]}}: the same per "
                                            "commune of the flow's site (\"\" abroad), for a facilitator's territory.")

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M} {self.fingerprint[:12]} ({self.changed}/{self.reread})"
