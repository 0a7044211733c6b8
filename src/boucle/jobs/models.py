"""Background jobs: what was asked, by whom, for which territory, and where it stands.

The row is the truth about a job, so ``boucle jobs status``, the pages and the API answer
without a worker or a broker. ``message`` is a French msgid from ``services.STEPS`` and
``error`` a French msgid with its ``error_params`` (or a French text): both are rendered in the
reader's language when shown, whatever the language of the process that ran the job. ``language``
is the requester's: the file a job writes (a report, an export) is in that language.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from . import engine

# French msgids, translated when shown (``services.in_reader_language``).
KIND_LABELS = {"match": gettext_noop("rapprochement"), "export": gettext_noop("export"),
               "report": gettext_noop("rapport"), "import": gettext_noop("import de fichier"),
               "email": gettext_noop("envoi de courriels")}
KINDS = tuple(KIND_LABELS)
STATE_LABELS = {engine.QUEUED: gettext_noop("en attente"), engine.RUNNING: gettext_noop("en cours"),
                engine.DONE: gettext_noop("terminée"), engine.FAILED: gettext_noop("échouée")}


class Job(models.Model):
    KIND_CHOICES = list(KIND_LABELS.items())
    STATE_CHOICES = list(STATE_LABELS.items())

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=KIND_CHOICES)
    parameters = models.JSONField(default=dict, blank=True)
    territory = models.CharField(max_length=30, blank=True,
                                 help_text="A resolved reference such as epci:200093201; empty for a job of the "
                                           "whole platform (an operator's import, e-mails).")
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=engine.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, help_text="A French msgid (with error_params) or French text, "
                                                   "rendered in the reader's language.")
    error_params = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker started it.")
    worker = models.CharField(max_length=200, blank=True, help_text="The process running the last attempt.")
    language = models.CharField(max_length=10, blank=True,
                                help_text="The requester's language at submission: a report or export file "
                                          "is written in it, whichever process runs the job.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["territory", "-created_at"], name="job_territory_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=engine.STATES), name="job_state_enum"),
            models.CheckConstraint(condition=Q(kind__in=KINDS), name="job_kind_enum"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_percent"),
        ]

    def __str__(self):
        return f"{self.kind} {self.territory} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in engine.FINISHED
