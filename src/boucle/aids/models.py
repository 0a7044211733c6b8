"""Aid schemes (aides, dispositifs de financement) in the shape Aides-territoires publishes: who
finances, for whom, where (perimeter as territory references), about what, in which form, until
when — and where the entry comes from, when it was written and whether it still has to be checked.

An aid is public information; the catalogue is curated by facilitators (create, edit, archive).
An archived aid keeps its row (an answer to a call may point to it) but is no longer offered.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import engine

THEME_LABELS = {
    "circular_economy": _("économie circulaire"), "waste": _("déchets"), "energy": _("énergie et chaleur"),
    "water": _("eau"), "industry": _("industrie"), "decarbonisation": _("décarbonation"),
    "innovation": _("innovation"), "skills": _("emploi et compétences"),
}
BENEFICIARY_LABELS = {
    "company": _("entreprise"), "local_authority": _("collectivité"), "association": _("association"),
    "research": _("recherche"), "public_body": _("établissement public"),
}
AID_TYPE_LABELS = {
    "grant": _("subvention"), "loan": _("prêt"), "recoverable_advance": _("avance récupérable"),
    "engineering": _("ingénierie et accompagnement"), "guarantee": _("garantie"),
}
def scope_label(key: str) -> str:
    """A scope value in words: a flow kind's name (``web.words``) or a material family's (``materials.labels``)."""
    from boucle.materials.labels import GROUP_LABELS
    from boucle.web.words import KIND_LABELS

    if key == "material":
        return str(_("toute matière"))
    return str(KIND_LABELS.get(key) or GROUP_LABELS.get(key) or key)


RECURRENCE_LABELS = {"permanent": _("permanente"), "recurring": _("récurrente"), "one_off": _("ponctuelle")}


class Aid(models.Model):
    class Recurrence(models.TextChoices):
        PERMANENT = "permanent", RECURRENCE_LABELS["permanent"]
        RECURRING = "recurring", RECURRENCE_LABELS["recurring"]
        ONE_OFF = "one_off", RECURRENCE_LABELS["one_off"]

    identifier = models.CharField(max_length=120, unique=True, help_text="external id in its source")
    name = models.CharField(_("nom"), max_length=250)
    url = models.URLField(_("adresse de la page publique"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    financers = models.JSONField(_("financeurs"), default=list)
    perimeter = models.JSONField(_("périmètre"), default=list,
                                 help_text="territory references: FR, EU, region:32, departement:59, epci:SIREN, commune:INSEE")
    beneficiaries = models.JSONField(_("bénéficiaires"), default=list)
    themes = models.JSONField(_("thèmes"), default=list)
    scope = models.JSONField(_("ce que l'aide finance"), default=list, blank=True,
                             help_text="flow kinds and material families (engine.scope_values()); empty: any material")
    aid_types = models.JSONField(_("formes d'aide"), default=list)
    deadline = models.DateField(_("date limite"), null=True, blank=True)
    recurrence = models.CharField(_("récurrence"), max_length=10, choices=Recurrence.choices,
                                  default=Recurrence.PERMANENT)
    origin = models.CharField(_("origine"), max_length=300, help_text="where the entry comes from")
    note = models.TextField(_("note"), blank=True)
    to_verify = models.BooleanField(_("à vérifier"), default=True)
    written_on = models.DateField(_("rédigée le"), null=True, blank=True)
    archived = models.BooleanField(default=False)
    imported_values = models.JSONField(default=dict, blank=True)
    corrected = models.JSONField(default=list, blank=True,
                                 help_text="fields a facilitator changed from the imported values: an import leaves them")
    imported_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(recurrence__in=engine.RECURRENCES), name="aid_recurrence_known"),
            models.CheckConstraint(condition=~Q(name=""), name="aid_has_name"),
            models.CheckConstraint(condition=~Q(url=""), name="aid_has_url"),
        ]

    def __str__(self):
        return self.name

    def as_engine(self) -> engine.Aid:
        return engine.Aid(self.pk, self.name, tuple(self.perimeter), tuple(self.beneficiaries), tuple(self.themes),
                          tuple(self.aid_types), self.deadline, self.recurrence, tuple(self.scope))


class AidCuration(models.Model):
    """A territory's facilitators' layer over the national catalogue: hide an aid there, pin it there,
    annotate it for that territory's companies. The aid itself is left as the catalogue has it."""

    class Level(models.TextChoices):
        REGION = "region", _("région")
        DEPARTEMENT = "departement", _("département")
        EPCI = "epci", _("intercommunalité")
        COMMUNE = "commune", _("commune")

    aid = models.ForeignKey(Aid, on_delete=models.CASCADE, related_name="curations")
    territory_level = models.CharField(max_length=12, choices=Level.choices)
    territory_code = models.CharField(max_length=20)
    hidden = models.BooleanField(default=False, help_text="not offered in this territory")
    pinned = models.BooleanField(default=False, help_text="offered first in this territory")
    note = models.TextField(blank=True, help_text="for this territory's companies and facilitators")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["aid_id", "territory_level", "territory_code"]
        constraints = [
            models.UniqueConstraint(fields=["aid", "territory_level", "territory_code"], name="aid_curation_one_per_territory"),
            models.CheckConstraint(condition=Q(territory_level__in=engine.LEVELS), name="aid_curation_level_known"),
            models.CheckConstraint(condition=~(Q(hidden=True) & Q(pinned=True)), name="aid_curation_hidden_or_pinned"),
        ]

    def __str__(self):
        return f"{self.aid} @ {self.ref}"

    @property
    def ref(self) -> str:
        return f"{self.territory_level}:{self.territory_code}"
