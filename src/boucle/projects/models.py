"""Calls for projects (appels à manifestation d'intérêt) and the companies' answers.

Answers are confidential: only the answering company's members, the facilitators
of the call and the platform administrator read them (``projects.access``). The
public sees a call's title, summary, dates and territory, and once results are
published the number of answers and laureates — never an answer's content.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import rules


def default_questions():
    return list(rules.DEFAULT_QUESTIONS)


class Call(models.Model):
    class Status(models.TextChoices):
        DRAFT = rules.DRAFT, _("brouillon")
        PUBLISHED = rules.PUBLISHED, _("publié")
        DECIDED = rules.DECIDED, _("résultats publiés")

    class Level(models.TextChoices):
        REGION = "region", _("région")
        DEPARTEMENT = "departement", _("département")
        EPCI = "epci", _("intercommunalité")
        COMMUNE = "commune", _("commune")

    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"))
    themes = models.CharField(_("thèmes"), max_length=300, blank=True,
                              help_text=_("Séparés par des virgules."))
    territory_level = models.CharField(_("niveau du territoire"), max_length=12, choices=Level.choices)
    territory_code = models.CharField(_("code du territoire"), max_length=9)
    territory_name = models.CharField(max_length=200, blank=True)
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    questions = models.JSONField(_("questions du dossier de réponse"), default=default_questions)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="call_dates_in_order"),
            models.CheckConstraint(condition=Q(status__in=rules.CALL_STATUSES), name="call_status_known"),
        ]

    def __str__(self):
        return self.title

    @property
    def territory_ref(self) -> str:
        return f"{self.territory_level}:{self.territory_code}"

    def theme_list(self) -> list[str]:
        return [t.strip() for t in self.themes.split(",") if t.strip()]


class Answer(models.Model):
    """One company's answer to one call; ``sections`` keeps each question with its text."""

    class Status(models.TextChoices):
        DRAFT = rules.ANSWER_DRAFT, _("brouillon")
        SUBMITTED = rules.SUBMITTED, _("déposée")
        RETAINED = rules.RETAINED, _("retenue")
        NOT_RETAINED = rules.NOT_RETAINED, _("non retenue")
        REDIRECTED = rules.REDIRECTED, _("orientée vers un dispositif de financement")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="answers")
    company = models.ForeignKey("flows.Company", on_delete=models.CASCADE, related_name="ami_answers")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    sections = models.JSONField(default=list, blank=True)
    partner_companies = models.ManyToManyField("flows.Company", blank=True, related_name="ami_partnerships")
    partners_text = models.TextField(_("autres partenaires"), blank=True)
    synergies = models.ManyToManyField("matching.Synergy", blank=True, related_name="ami_answers")
    flows = models.ManyToManyField("flows.Flow", blank=True, related_name="ami_answers")
    funding_scheme = models.CharField(_("dispositif de financement"), max_length=200, blank=True)
    aid = models.ForeignKey("aids.Aid", on_delete=models.SET_NULL, null=True, blank=True, related_name="answers",
                            verbose_name=_("dispositif du catalogue des aides"))
    decision_comment = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "company"], name="one_answer_per_company_per_call"),
            models.CheckConstraint(condition=Q(status__in=rules.ANSWER_STATUSES), name="answer_status_known"),
            models.CheckConstraint(condition=~Q(status=rules.REDIRECTED) | ~Q(funding_scheme=""),
                                   name="redirected_answer_names_its_scheme"),
        ]

    def __str__(self):
        return f"{self.company} → {self.call}"


class Assessment(models.Model):
    """A facilitator's score for one criterion of one answer (the latest score replaces the previous one)."""

    class Criterion(models.TextChoices):
        STRATEGIC = "strategic", _("intérêt stratégique régional (socio-économique)")
        ENVIRONMENTAL = "environmental", _("intérêt environnemental")
        JOBS = "jobs", _("potentiel de création d'emplois")
        ATTRACTIVENESS = "attractiveness", _("attractivité et ancrage de valeur ou de compétences")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.CharField(max_length=15, choices=Criterion.choices)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    assessed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["answer", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=rules.SCORE_MIN, score__lte=rules.SCORE_MAX),
                                   name="score_in_range"),
            models.CheckConstraint(condition=Q(criterion__in=rules.CRITERIA), name="criterion_known"),
        ]

    def __str__(self):
        return f"{self.answer} {self.criterion}={self.score}"


class StatusChange(models.Model):
    """Who moved a call or an answer, from which status to which, and when."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="status_log")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="status_log")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"

    def _label(self, status: str) -> str:
        labels = dict((Answer if self.answer_id else Call).Status.choices)
        return str(labels.get(status, status)) if status else ""

    @property
    def from_label(self) -> str:
        """The status left, in words (the history shows words, never the stored key)."""
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)
