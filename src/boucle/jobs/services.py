"""The one write path for background jobs: submit, run (possibly again), report progress, finish.

A job's own writes (the synergies of a matching run, the file of an export) and the line that
marks it done are committed in one transaction, so a worker killed at any point leaves either
nothing or everything; the next delivery of the message starts over and converges to the same
result. ``attempts`` is a fencing token: a worker whose job was taken over by another (after
its lease ran out) can no longer report progress or finish it.

Without ``BOUCLE_BROKER_URL`` a job runs at once in the process that submits it (``make demo``
and ``make test`` need nothing else); with it, ``boucle worker`` runs it.
"""

import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from boucle.territories.refs import resolve

from . import engine, imports
from .messages import render
from .models import KIND_LABELS, KINDS, STATE_LABELS, Job

logger = logging.getLogger(__name__)

TERRITORIAL = ("match", "export", "report")  # kinds that need a territory; an import may have one
INTERNAL = ("email",)  # kinds the platform submits itself, never a person
MAX_ATTEMPTS = 3  # a job whose worker dies three times is marked failed, not retried for ever

# Progress messages: French msgids, stored as such and translated when shown.
STEPS = {
    "queued": gettext_noop("En attente d'un processus de calcul"),
    "started": gettext_noop("Démarrage"),
    "match_rereading": gettext_noop("Relecture des classes de matière avec les règles de lecture à jour"),
    "match_reading": gettext_noop("Lecture des sites et des flux, rapprochement des offres et des besoins"),
    "match_writing": gettext_noop("Enregistrement des propositions"),
    "export_building": gettext_noop("Préparation du fichier"),
    "report_building": gettext_noop("Mise en page du rapport"),
    "import_checking": gettext_noop("Vérification des lignes du fichier, puis enregistrement"),
    "import_checking_rows": gettext_noop("Vérification des lignes du fichier : %(done)s sur %(total)s"),
    "import_writing": gettext_noop("Enregistrement des lignes vérifiées (tout ou rien)"),
    "email_sending": gettext_noop("Envoi des courriels"),
    "retry": gettext_noop("Nouvel essai prévu : le serveur de courrier n'a pas répondu"),
    "done": gettext_noop("Terminé"),
    "failed": gettext_noop("Échec"),
}
# Errors a job stores itself: French msgids with their parameters (``Job.error_params``), rendered when read.
ERRORS = {
    "gave_up": gettext_noop("le calcul s'est interrompu %(n)d fois (processus arrêté) : tâche abandonnée"),
    "broker": gettext_noop("la file d'attente des tâches (BOUCLE_BROKER_URL) ne répond pas"),
    "mail_server": gettext_noop("le serveur de courrier n'a pas répondu : %(reason)s"),
    "import_refused": gettext_noop("fichier refusé, rien n'a été enregistré (lignes en erreur : %(n)d)"),
    "upload_gone": gettext_noop("le fichier envoyé n'est plus disponible : envoyez-le de nouveau"),
}
# A company member reads only the imports of their own flows: the same steps and errors in the words of
# a file sent and read, without the machinery (processes, queue, settings) a facilitator or operator acts on.
PLAIN = {
    STEPS["queued"]: gettext_noop("Fichier reçu : sa lecture commence dans un instant"),
    STEPS["started"]: gettext_noop("Lecture du fichier"),
    STEPS["import_checking"]: gettext_noop("Lecture des lignes du fichier, puis enregistrement de vos flux"),
    STEPS["import_writing"]: gettext_noop("Enregistrement de vos flux"),
    ERRORS["gave_up"]: gettext_noop("la lecture du fichier s'est interrompue plusieurs fois : rien n'a été "
                                    "enregistré, envoyez le fichier de nouveau"),
    ERRORS["broker"]: gettext_noop("le service qui lit les fichiers ne répond pas pour l'instant : rien n'a été "
                                   "enregistré, réessayez dans quelques minutes"),
}
WORDS = (set(STEPS.values()) | set(KIND_LABELS.values()) | set(STATE_LABELS.values()) | set(ERRORS.values())
         | set(PLAIN.values()))


def in_reader_language(job_msgid: str) -> str:
    """A French msgid of ``WORDS`` (a step stored on a job, a state, a kind) in the reader's language."""
    return _(job_msgid) if job_msgid else ""


def labels(job: Job, plain: bool = False) -> dict:
    """``plain``: for a company member reading the import of their own flows (``PLAIN``)."""
    message, error = job.message, job.error
    if plain:
        message, error = PLAIN.get(message, message), PLAIN.get(error, error)
    return {"state_label": in_reader_language(STATE_LABELS[job.state]),
            "kind_label": in_reader_language(KIND_LABELS[job.kind]), "message": render(message),
            "error": render(error, job.error_params), "result": result_in_reader_language(job)}


def result_in_reader_language(job: Job) -> dict:
    """The result summary, its rejected lines' reasons (stored in French) in the reader's language."""
    if not job.result.get("rejected"):
        return job.result
    return {**job.result, "rejected": [_rejected_in_reader_language(row) for row in job.result["rejected"]]}


def _rejected_in_reader_language(row: dict) -> dict:
    """One rejected line: each of its field errors rendered, then joined again as its ``reason``."""
    from boucle.flows.importers import SEPARATOR

    fields = [{**error, "reason": render(error.get("reason", ""))} for error in row.get("fields") or []]
    if not fields:
        return {**row, "reason": render(row.get("reason", ""))}
    return {**row, "reason": SEPARATOR.join(error["reason"] for error in fields), "fields": fields}


EXTENSIONS = {"csv": ".csv", "xlsx": ".xlsx", "geojson": ".geojson", "html": ".html", "pdf": ".pdf"}


class JobRefused(ValueError):
    """A submission that cannot become a job (unknown kind, bad parameter, broker unreachable);
    ``field``: the part of the submission at fault (``kind`` or ``parameters``)."""

    def __init__(self, message: str, field: str = "parameters"):
        super().__init__(message)
        self.field = field


class BrokerUnavailable(JobRefused):
    """The broker named by BOUCLE_BROKER_URL did not take the job."""


class Busy(Exception):
    """Another live worker holds the job: try this delivery again in ``wait_s`` seconds."""

    def __init__(self, wait_s: float):
        super().__init__(f"held by another worker; retry in {wait_s:.0f} s")
        self.wait_s = wait_s


class Superseded(Exception):
    """This worker's attempt was taken over by another one: its writes are rolled back."""


class JobFailed(Exception):
    """A job that cannot succeed as asked (a refused file, say): its writes are rolled back and the job
    is marked failed with ``msgid % params`` (French, rendered in the reader's language) and ``result``."""

    def __init__(self, msgid: str, params: dict | None = None, result: dict | None = None):
        super().__init__(msgid % params if params else msgid)
        self.msgid, self.params, self.result = msgid, params or {}, result or {}


class TryLater(JobFailed):
    """A passing failure (the mail server did not answer): a worker tries again in ``countdown``
    seconds, up to ``MAX_ATTEMPTS`` attempts; in-process, the job fails at once."""

    def __init__(self, msgid: str, params: dict | None = None, countdown: float = 60):
        super().__init__(msgid, params)
        self.countdown = countdown


class Retry(Exception):
    """Raised to the worker's task: the job is queued again, to run in ``countdown`` seconds."""

    def __init__(self, countdown: float):
        super().__init__(f"retry in {countdown:.0f} s")
        self.countdown = countdown


# --- who may do what -------------------------------------------------------------------------------

def _facilitated_refs(user) -> set[str]:
    from boucle.accounts.access import _grants

    return {f"{level}:{code}" for level, code in _grants(user)[1]}


def can_submit(user, territory: str) -> bool:
    """The facilitators of that very territory and the administrator: the rule of the matching page."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(territory) and territory in _facilitated_refs(user)


def visible_jobs(user):
    """Jobs of the territories the user facilitates (all of them for the administrator), and the
    imports of their own flows the user asked for from the company space (no territory). A job of a
    territory stays with that territory's facilitators: one who hands over the territory no longer
    reads its exports, even those they asked for."""
    from django.db.models import Q

    if not user.is_authenticated:
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(Q(territory__in=_facilitated_refs(user))
                              | Q(requested_by=user, territory="", kind="import"))


# --- submission ------------------------------------------------------------------------------------

def _flag(name: str, value, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    raise JobRefused(_("%(name)s : vrai ou faux attendu") % {"name": name})


def _period(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() \
            or not 1900 <= int(value) <= 2100:
        raise JobRefused(_("period : une année entre 1900 et 2100"))
    return int(value)


def _choice(name: str, value, choices: tuple, default: str) -> str:
    value = default if value in (None, "") else value
    if value not in choices:
        raise JobRefused(_("%(name)s : une valeur parmi %(choices)s") % {"name": name, "choices": ", ".join(choices)})
    return value


def clean_parameters(kind: str, raw: dict | None) -> dict:
    """The parameters of a job of ``kind``, checked and completed with their defaults."""
    raw = dict(raw or {})
    if kind == "match":
        radius = raw.pop("radius_km", None)
        try:
            radius = settings.BOUCLE_MATCH_RADIUS_KM if radius in (None, "") else float(radius)
        except (TypeError, ValueError):
            raise JobRefused(_("radius_km : un nombre de kilomètres")) from None
        if not 1 <= radius <= 500:
            raise JobRefused(_("radius_km : entre 1 et 500 km"))
        params = {"radius_km": radius, "inferred": _flag("inferred", raw.pop("inferred", None), True)}
    elif kind == "export":
        params = {"what": _choice("what", raw.pop("what", None), ("indicators", "flows", "synergies"), "indicators"),
                  "format": _choice("format", raw.pop("format", None), ("csv", "xlsx", "geojson"), "csv"),
                  "public": _flag("public", raw.pop("public", None), False),
                  "period": _period(raw.pop("period", None))}
    elif kind == "report":
        params = {"format": _choice("format", raw.pop("format", None), ("html", "pdf"), "html"),
                  "period": _period(raw.pop("period", None))}
    elif kind == "import":
        params = imports.clean(raw)
    elif kind == "email":
        from boucle.notifications.services import email_parameters

        params = email_parameters(raw)
    else:
        raise JobRefused(_("type de tâche inconnu : %(kind)s (%(kinds)s)") % {"kind": kind, "kinds": ", ".join(KINDS)},
                         "kind")
    if raw:
        raise JobRefused(_("paramètres inconnus : %(names)s") % {"names": ", ".join(sorted(map(str, raw)))})
    return params


def submit(kind: str, territory: str, parameters: dict | None = None, user=None, *, echo: bool = False,
           wait: bool = True) -> Job:
    """Record a job and hand it to a worker, or run it here when no broker is configured.

    The territory is resolved first (``TerritoryError`` with the usual message when it names
    nothing), so a bad reference fails here and never in a worker. ``wait=False`` (a page): without a
    broker, a long job (an import of a file above ``imports.INLINE_MAX_BYTES``) runs in a thread of this
    process once the submission is committed, and the page follows its progress; the command line waits.
    """
    if kind not in KINDS:
        raise JobRefused(_("type de tâche inconnu : %(kind)s (%(kinds)s)") % {"kind": kind, "kinds": ", ".join(KINDS)},
                         "kind")
    if not territory and kind in TERRITORIAL:
        raise JobRefused(_("territory : obligatoire pour cette tâche"), "territory")
    ref = str(resolve(territory)) if territory and kind not in INTERNAL else ""
    params = clean_parameters(kind, parameters)
    job = Job.objects.create(kind=kind, territory=ref, parameters=params, message=STEPS["queued"],
                             language=requester_language(),
                             requested_by=user if user is not None and user.is_authenticated else None)
    if settings.BOUCLE_BROKER_URL:
        transaction.on_commit(lambda: _enqueue(job.pk))
    elif not wait and kind == "import" and params["bytes"] > imports.INLINE_MAX_BYTES:
        transaction.on_commit(lambda: in_background(job.pk))
    else:
        execute(job.pk, worker=f"{socket.gethostname()}:{os.getpid()} (in-process)", echo=echo)
        job.refresh_from_db()
    return job


_background: list = []  # threads started here, for the tests to wait on


def in_background(job_id) -> threading.Thread:
    """Run a job in a daemon thread of this process (no broker): the request that submitted it answers at once.

    The same ``execute`` as a worker's: checked, then written in one transaction or not at all. A server stopped
    in the middle leaves the job ``running`` with nothing of it written; the file is sent again."""
    def run():
        try:
            execute(job_id, worker=f"{socket.gethostname()}:{os.getpid()} (in-process thread)")
        except Exception:  # noqa: BLE001 (``execute`` already marked the job failed; never let the thread die loud)
            logger.exception("job %s: background run failed", job_id)
        finally:
            from django.db import connections

            connections.close_all()

    thread = threading.Thread(target=run, name=f"boucle-job-{job_id}", daemon=True)
    _background[:] = [t for t in _background if t.is_alive()] + [thread]
    thread.start()
    return thread


def requester_language() -> str:
    """The language active where the job is asked for (the session's or the request's on a page or the
    API, ``BOUCLE_LANG`` on the command line), as one of ``LANGUAGES``."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def run_language(job: Job) -> str:
    """The language a job runs in: its file (a report, an export) in the requester's; everything else
    in French, the catalogues' source, since what it stores (steps, errors, an import's refused lines)
    is read later by people of either language and rendered in each reader's (``messages.render``)."""
    return (job.language or settings.LANGUAGE_CODE) if job.kind in FILE_KINDS else settings.LANGUAGE_CODE


def _enqueue(job_id) -> None:
    from boucle.celery import configured

    configured()
    from .tasks import run_job

    try:
        run_job.apply_async(args=[str(job_id)], retry=True)
    except Exception as exc:  # the broker is down or unreachable: say so on the job, then to the caller
        logger.warning("job %s: broker unreachable: %s", job_id, exc)
        Job.objects.filter(pk=job_id, state=engine.QUEUED).update(
            state=engine.FAILED, message=STEPS["failed"], finished_at=timezone.now(), error_params={},
            error=ERRORS["broker"])
        raise BrokerUnavailable(_("la file d'attente des tâches (BOUCLE_BROKER_URL) ne répond pas")) from None


# --- running ---------------------------------------------------------------------------------------

class Reporter:
    """Progress of one attempt, committed at once (outside the job's write transaction) and fenced."""

    def __init__(self, job_id, attempt: int, echo: bool = False):
        self.job_id, self.attempt, self.echo = job_id, attempt, echo
        self.language = translation.get_language()  # the reader's, not the French the job runs in

    def __call__(self, percent, message: str, params: dict | None = None) -> None:
        """``params``: the step's figures, stored filled in (French, the language a job runs in) and rendered
        in the reader's language when read (``messages.render``)."""
        text = message % params if params else message
        Job.objects.filter(pk=self.job_id, attempts=self.attempt, state=engine.RUNNING).update(
            progress=engine.clamp_progress(percent), message=text[:200], heartbeat_at=timezone.now())
        if self.echo:
            with translation.override(self.language):
                print(render(text), file=sys.stderr)


def execute(job_id, worker: str = "", *, echo: bool = False, may_retry: bool = False) -> Job | None:
    """Run a job if it still needs running; what a worker (or the submitting process) calls.

    Safe to call again for the same job at any time: a finished job is left alone, a job held
    by a live worker raises ``Busy``, a job whose worker vanished is started over. ``may_retry``
    (a worker): a passing failure (``TryLater``) queues the job again and raises ``Retry``.
    A job runs in ``run_language``: a file in its requester's language, stored words in French.
    """
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None
        age = (now - job.heartbeat_at).total_seconds() if job.heartbeat_at else None
        decision = engine.decide(job.state, job.attempts, age, settings.BOUCLE_JOBS_VISIBILITY_TIMEOUT, MAX_ATTEMPTS)
        if decision.action == engine.SKIP:
            return job
        if decision.action == engine.WAIT:
            raise Busy(decision.wait_s)
        if decision.action == engine.GIVE_UP:
            job.state, job.message, job.finished_at = engine.FAILED, STEPS["failed"], now
            job.error = ERRORS["gave_up"]
            job.error_params = {"n": job.attempts}
            job.save()
            _discard(job)
            return job
        job.state, job.attempts, job.progress, job.message = engine.RUNNING, job.attempts + 1, 0, STEPS["started"]
        job.error, job.error_params = "", {}
        job.started_at, job.heartbeat_at, job.worker = job.started_at or now, now, worker[:200]
        job.save()
    attempt = job.attempts
    report = Reporter(job.pk, attempt, echo)
    retry_in = None
    try:
        with translation.override(run_language(job)):
            write = HANDLERS[job.kind](job, report)
            with transaction.atomic():
                result = write()
                _test_pause()
                _finish(job.pk, attempt, result)
    except Superseded:
        logger.warning("job %s: attempt %d was taken over by another worker; its writes are rolled back",
                       job.pk, attempt)
    except TryLater as exc:
        if may_retry and attempt < MAX_ATTEMPTS:
            logger.warning("job %s (%s): %s; trying again in %.0f s", job.pk, job.kind, exc, exc.countdown)
            if Job.objects.filter(pk=job.pk, attempts=attempt, state=engine.RUNNING).update(
                    state=engine.QUEUED, message=STEPS["retry"], error=exc.msgid, error_params=exc.params):
                retry_in = exc.countdown
        else:
            _failed(job.pk, attempt, exc.msgid, exc.params, exc.result)
    except JobFailed as exc:
        _failed(job.pk, attempt, exc.msgid, exc.params, exc.result)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _failed(job.pk, attempt, str(exc)[:2000] or type(exc).__name__)
    job.refresh_from_db()
    if job.finished:
        _discard(job)
    if retry_in is not None:
        raise Retry(retry_in)
    return job


def _failed(job_id, attempt: int, msgid: str, params: dict | None = None, result: dict | None = None) -> None:
    """Mark this attempt's job failed: ``msgid`` (French) and its ``params``, rendered when read."""
    Job.objects.filter(pk=job_id, attempts=attempt, state=engine.RUNNING).update(
        state=engine.FAILED, message=STEPS["failed"], error=msgid, error_params=params or {}, result=result or {},
        finished_at=timezone.now())


def _discard(job: Job) -> None:
    if job.kind == "import":
        imports.discard(job)


def _finish(job_id, attempt: int, result: dict) -> None:
    """Mark the job done in the transaction of its writes, if this attempt still holds it."""
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.attempts != attempt or job.state != engine.RUNNING:
        raise Superseded
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(state=engine.DONE, progress=100, message=STEPS["done"], result=result,
                                         finished_at=now, heartbeat_at=now)


def _test_pause() -> None:
    """Tests only: hold the job's transaction open after its writes (BOUCLE_JOBS_TEST_PAUSE_SECONDS),
    so a test can kill the worker in the middle of a write and check that nothing of it remains."""
    seconds = float(os.environ.get("BOUCLE_JOBS_TEST_PAUSE_SECONDS", "0") or 0)
    if seconds > 0:
        time.sleep(seconds)


# --- the kinds of job ------------------------------------------------------------------------------
# Each reads and computes, reporting progress, then returns ``write()``: the writes, run in the
# job's one transaction, returning the result summary.

def _match(job: Job, report):
    from boucle.matching.service_run import propose_for, run_matching

    p = job.parameters
    report(10, STEPS["match_reading"])

    def reread(done: int, total: int) -> None:  # the reading rules changed: the flows are read again first
        if done >= total:
            report(10, STEPS["match_reading"])
        elif done % 20_000 < 2_000:  # a heartbeat now and then, not a line per batch
            report(10, STEPS["match_rereading"])

    proposals = propose_for(job.territory, p["radius_km"], p["inferred"],
                            reading={"announce": lambda: report(10, STEPS["match_rereading"]), "progress": reread})
    report(70, STEPS["match_writing"])

    def write() -> dict:
        run = run_matching(job.territory, p["radius_km"], job.requested_by, inferred=p["inferred"],
                           proposals=proposals)
        return {"matching_run": run.pk, "proposals": run.proposals, "created": run.created, "updated": run.updated}

    return write


def _export(job: Job, report):
    from boucle.observatory.exports import export

    p = job.parameters
    report(20, STEPS["export_building"])
    data = export(resolve(job.territory), p["what"], p["format"], p["public"], p["period"], user=job.requested_by)
    name = f"{job.territory.replace(':', '-')}-{p['what']}{EXTENSIONS[p['format']]}"
    return lambda: _stored(job, data, name, {"what": p["what"], "format": p["format"], "public": p["public"]})


def _report(job: Job, report):
    from boucle.observatory.report import html_to_pdf, render_html

    p = job.parameters
    report(20, STEPS["report_building"])
    html = render_html(resolve(job.territory), p["period"], user=job.requested_by)
    name = f"rapport-{job.territory.replace(':', '-')}{EXTENSIONS[p['format']]}"
    if p["format"] == "html":
        data = html.encode("utf-8")
    else:
        tmp = output_path(job).with_name(f".{job.pk}.render.pdf")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        html_to_pdf(html, tmp)
        data = tmp.read_bytes()
        tmp.unlink()
    return lambda: _stored(job, data, name, {"format": p["format"]})


def _email(job: Job, report):
    """Send what is not sent yet, each e-mail marked sent as soon as the server took it (outside the
    job's transaction: a message handed over cannot be taken back); ``notifications.services``."""
    from boucle.notifications.services import MailServerDown, send_pending

    report(10, STEPS["email_sending"])
    try:
        summary = send_pending(job.parameters)
    except MailServerDown as exc:
        raise TryLater(ERRORS["mail_server"], {"reason": str(exc)[:300]}, countdown=60 * job.attempts) from None
    return lambda: summary


HANDLERS = {"match": _match, "export": _export, "report": _report, "import": imports.handler, "email": _email}
FILE_KINDS = ("export", "report")  # they write a file for their requester, in the requester's language


def output_path(job: Job) -> Path:
    """Where a job's file is kept (exports, reports): the data folder, one file per job."""
    return Path(settings.BOUCLE_JOBS_DIR) / str(job.pk)


def _stored(job: Job, data: bytes, name: str, summary: dict) -> dict:
    """Write the file whole (a temporary file renamed into place): a retry overwrites it identically."""
    path = output_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{job.pk}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return {**summary, "filename": name, "bytes": len(data)}


# --- reading ---------------------------------------------------------------------------------------

def job_dict(job: Job) -> dict:
    """What ``boucle jobs status --json`` prints and ``GET /api/jobs/{id}`` answers."""
    def iso(value):
        return value.isoformat() if value else None

    words = labels(job)
    return {"id": str(job.pk), "kind": job.kind, "territory": job.territory, "state": job.state,
            "progress": job.progress, "message": words["message"],
            "parameters": job.parameters, "result": words["result"], "error": words["error"], "attempts": job.attempts,
            "created_at": iso(job.created_at), "started_at": iso(job.started_at),
            "finished_at": iso(job.finished_at)}


def find(job_id) -> Job | None:
    """The job with this id, or None for an id that is unknown or not an id at all."""
    import uuid

    try:
        key = uuid.UUID(str(job_id).strip())
    except ValueError:
        return None
    return Job.objects.filter(pk=key).first()


def visible(user, job_id) -> Job | None:
    job = find(job_id)
    return job if job is not None and visible_jobs(user).filter(pk=job.pk).exists() else None


def recent_for(user, limit: int = 20) -> list:
    return list(visible_jobs(user)[:limit])
