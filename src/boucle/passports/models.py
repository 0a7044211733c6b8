"""Product passports, their EPCIS events (append-only, hash-chained) and the roles that open tiers.

A passport describes a model (GTIN), a batch (GTIN + lot) or an item (GTIN + serial, or a
GIAI); a company without a GS1 prefix gets a platform identifier (``/p/<handle>``), which is
never presented as a GS1 key. Every descriptive field has an access tier (see
``passports.access``): the tier lives in ``Passport.tiers`` so a producer can open or close a
field without a schema change.

Events are stored once and chained into the history of every passport they name. The chain's
head is kept in ``ChainHead``, apart from the entries, so that deleting the *last* event is
detectable too (the remaining links would otherwise still be consistent). Each history has two
chains: the *private* one over the events as stored, for readers who may know every place they
name, and the *public* one over the events as anyone reads them (places pseudonymised,
``disclosure.published_form``), so that no hash served to others can be tested against a
candidate site.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


class Tier(models.TextChoices):
    PUBLIC = "public", "public"
    LEGITIMATE = "legitimate", "intérêt légitime"
    AUTHORITY = "authority", "autorités"


TIER_RANK = {Tier.PUBLIC: 0, Tier.LEGITIMATE: 1, Tier.AUTHORITY: 2}

_HANDLE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/1/i/l/o: read aloud or typed from a label


def new_handle() -> str:
    return "".join(secrets.choice(_HANDLE_ALPHABET) for _ in range(10))


class Passport(models.Model):
    class Level(models.TextChoices):
        MODEL = "model", "modèle"
        BATCH = "batch", "lot"
        ITEM = "item", "exemplaire"

    class Status(models.TextChoices):
        ISSUED = "issued", "émis"
        IN_USE = "in_use", "en usage"
        REPAIRED = "repaired", "réparé"
        REFURBISHED = "refurbished", "reconditionné"
        DISASSEMBLED = "disassembled", "démonté"
        RECYCLED = "recycled", "recyclé"

    handle = models.CharField(max_length=16, unique=True, default=new_handle,
                              help_text="Short id in the platform's URLs, and the platform identifier (/p/<handle>).")
    level = models.CharField(max_length=5, choices=Level.choices)
    gtin = models.CharField(max_length=14, blank=True, help_text="GTIN-14 (AI 01); empty for a platform identifier.")
    lot = models.CharField(max_length=20, blank=True, help_text="Batch/lot (AI 10).")
    serial = models.CharField(max_length=20, blank=True, help_text="Serial number (AI 21).")
    giai = models.CharField(max_length=30, blank=True, help_text="Global Individual Asset Identifier (AI 8004).")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    site = models.ForeignKey("flows.Site", on_delete=models.PROTECT, related_name="passports",
                             help_text="The producing site.")
    composition = models.JSONField(default=list, blank=True,
                                   help_text='[{"material": "cuivre", "mass_kg": 1.2} or {"material": ..., "percent": 12}]')
    hazardous_substances = models.JSONField(default=list, blank=True,
                                            help_text='[{"name": ..., "cas": ..., "percent": ...}]')
    recycled_content_percent = models.FloatField(null=True, blank=True)
    carbon_footprint_kg = models.FloatField(null=True, blank=True, help_text="kg CO2e per unit.")
    carbon_method = models.CharField(max_length=200, blank=True, help_text="E.g. ISO 14067, PEF, ADEME Base Empreinte.")
    repair_instructions = models.TextField(blank=True)
    disassembly_instructions = models.TextField(blank=True)
    reuse_instructions = models.TextField(blank=True)
    recycling_instructions = models.TextField(blank=True)
    repairability = models.JSONField(default=dict, blank=True,
                                     help_text="French repairability/durability index: {category, score or criteria, source}.")
    spare_parts = models.JSONField(default=list, blank=True,
                                   help_text="[{part, available_years, delivery_days}] (repair.py).")
    disassembly_steps = models.JSONField(default=list, blank=True, help_text="[{step, tools: [...]}] in order.")
    production_equipment = models.BooleanField(default=False,
                                               help_text="A production machine its site runs: counted in the machine park.")
    documents = models.JSONField(default=list, blank=True,
                                 help_text='[{"title": ..., "url": ..., "link_type": "gs1:certificationInfo"}]')
    tiers = models.JSONField(default=dict, blank=True, help_text="Field name -> tier, overriding the defaults.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ISSUED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["gtin", "lot", "serial"], condition=~Q(gtin=""), name="passport_gtin_key"),
            models.UniqueConstraint(fields=["giai"], condition=~Q(giai=""), name="passport_giai_key"),
            models.CheckConstraint(condition=Q(gtin="") | Q(giai=""), name="passport_one_gs1_key"),
            models.CheckConstraint(condition=~Q(gtin="") | (Q(lot="") & Q(serial="")), name="passport_qualifiers_need_gtin"),
            models.CheckConstraint(condition=Q(level__in=["model", "batch", "item"]), name="passport_level_enum"),
        ]

    def __str__(self):
        return f"{self.name} ({self.identifier_label})"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .services import passport_errors

        errors = passport_errors(self)
        if errors:
            raise ValidationError(errors)

    @property
    def is_gs1(self) -> bool:
        return bool(self.gtin or self.giai)

    def gs1_pairs(self) -> list[tuple[str, str]]:
        """The GS1 AI pairs of this passport's key (empty for a platform identifier)."""
        if self.giai:
            return [("8004", self.giai)]
        if not self.gtin:
            return []
        pairs = [("01", self.gtin)]
        if self.lot:
            pairs.append(("10", self.lot))
        if self.serial:
            pairs.append(("21", self.serial))
        return pairs

    @property
    def identifier_label(self) -> str:
        if self.giai:
            return f"GIAI {self.giai}"
        if self.gtin:
            return " ".join(f"({ai}) {v}" for ai, v in self.gs1_pairs())
        return f"Boucle {self.handle}"


class PassportAuthority(models.Model):
    """A person from a public authority (market surveillance, customs ...), named by the platform admin."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passport_authority")
    organisation = models.CharField(max_length=200)
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} ({self.organisation})"


class LegitimateInterestGrant(models.Model):
    """A company a facilitator vouches for (a repairer without the usual NAF code, a social enterprise ...)."""

    company = models.OneToOneField("flows.Company", on_delete=models.CASCADE, related_name="passport_interest")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="passport_interest_grants")
    reason = models.TextField(blank=True)
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.company} (intérêt légitime)"


class AppendOnlyError(RuntimeError):
    pass


class Event(models.Model):
    """One EPCIS 2.0 event as captured (standalone JSON-LD, with its ``@context``); never edited."""

    event_id = models.CharField(max_length=120, unique=True, help_text="CBV 2.0 event hash (ni:///sha-256;...).")
    event_type = models.CharField(max_length=24)
    event_time = models.DateTimeField()
    biz_step = models.CharField(max_length=200, blank=True, help_text="Full IRI.")
    biz_location = models.CharField(max_length=300, blank=True)
    data = models.JSONField()
    visibility = models.CharField(max_length=10, choices=Tier.choices, default=Tier.LEGITIMATE)
    captured_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="captured_events")
    captured_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_time", "id"]
        indexes = [models.Index(fields=["biz_step"]), models.Index(fields=["event_time"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("EPCIS events are append-only; capture a corrective event instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("EPCIS events are append-only; capture a corrective event instead")


class ChainEntry(models.Model):
    """The place of an event in one passport's history:
    ``link = sha256(previous link | event hash | event visibility)``, and the same over the event as
    published (``public_link``, from ``public_event_id``)."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="chain")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    seq = models.PositiveIntegerField()
    link = models.CharField(max_length=64)
    public_event_id = models.CharField(max_length=120, blank=True,
                                       help_text="CBV 2.0 hash of the event as anyone reads it (places pseudonymised).")
    public_link = models.CharField(max_length=64, blank=True,
                                   help_text="Link of the public chain (empty: not built, boucle passport public-chain).")

    class Meta:
        ordering = ["passport", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["passport", "seq"], name="chain_seq_per_passport"),
            models.UniqueConstraint(fields=["passport", "event"], name="chain_event_once_per_passport"),
        ]


class ChainHead(models.Model):
    """The last link of a passport's chain, recorded apart from the entries it certifies."""

    passport = models.OneToOneField(Passport, on_delete=models.CASCADE, related_name="head")
    link = models.CharField(max_length=64, blank=True)
    length = models.PositiveIntegerField(default=0)
    signed = models.JSONField(default=dict, blank=True,
                              help_text="The head signed at the last capture (passports.anchor); also logged outside the database.")
    public_link = models.CharField(max_length=64, blank=True, help_text="The last link of the public chain.")
    public_signed = models.JSONField(default=dict, blank=True,
                                     help_text="The public chain's head, signed at the last capture.")
    updated_at = models.DateTimeField(auto_now=True)


class StatusChange(models.Model):
    """Who moved a passport to which state, when, and through which event (the status log)."""

    passport = models.ForeignKey(Passport, on_delete=models.CASCADE, related_name="status_log")
    old = models.CharField(max_length=12, choices=Passport.Status.choices)
    new = models.CharField(max_length=12, choices=Passport.Status.choices)
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="passport_status_changes")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
