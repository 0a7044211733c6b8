"""Jobs in the API (a router for ``boucle.api.api``): submit one, follow it.

``POST /api/jobs`` has the matching page's rule (facilitators of that very territory, the
administrator); ``GET /api/jobs/{id}`` answers 404 for a job the caller may not see, as for an
unknown one.
"""

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from boucle.api.common import DENIED, FORBIDDEN, HIDDEN, INVALID, Error, Invalid
from boucle.territories.refs import TerritoryError, resolve

from . import services

router = Router(tags=["jobs"])


class JobIn(Schema):
    kind: str = Field(description="match, export or report (an import: POST /api/jobs/import)", max_length=12)
    territory: str = Field(description="region:32, departement:59, epci:200093201, commune:59350", max_length=40)
    parameters: dict = Field(default_factory=dict, description="match: radius_km, inferred; export: what, format, "
                             "public, period; report: format, period")


class JobOut(Schema):
    id: str
    kind: str
    territory: str
    state: str = Field(description="queued, running, done or failed")
    progress: int = Field(description="0 to 100")
    message: str
    parameters: dict
    result: dict
    error: str
    attempts: int
    created_at: str | None
    started_at: str | None
    finished_at: str | None


@router.post("", response={201: JobOut, **DENIED, **FORBIDDEN, **INVALID, 503: Error},
             summary="Submit a background job (matching run, export, report)")
def submit_job(request, payload: JobIn):
    user = request.auth
    try:
        ref = str(resolve(payload.territory))
    except TerritoryError as exc:
        raise Invalid({"territory": f"territory: {exc}"}) from None
    if not services.can_submit(user, ref):
        raise HttpError(403, _("réservé aux animateurs de ce territoire"))
    if len(str(payload.parameters)) > 2000:
        raise Invalid({"parameters": "parameters: too large"})
    if payload.kind in ("import", "email"):  # an import sends its file: multipart, on its own path
        raise Invalid({"kind": _("kind : un import s'envoie avec son fichier à POST /api/jobs/import")})
    return _submitted(payload.kind, ref, payload.parameters, user)


def _submitted(kind: str, ref: str, parameters: dict, user):
    try:
        job = services.submit(kind, ref, parameters, user)
    except services.BrokerUnavailable as exc:
        raise HttpError(503, str(exc)) from None
    except services.JobRefused as exc:
        raise Invalid({exc.field: str(exc)}) from None
    return 201, services.job_dict(job)


@router.post("/import", response={201: JobOut, **DENIED, **FORBIDDEN, **INVALID, 503: Error},
             summary="Submit an import of sites or flows (multipart: what, territory, file)")
def submit_import(request, what: Form[str], territory: Form[str], file: File[UploadedFile]):
    """The file (CSV or XLSX, 50 MB at most) is copied for the worker, then checked and written whole or
    not at all, as ``boucle import``; a row naming a site outside the territory is rejected."""
    from . import imports

    user = request.auth
    try:
        ref = str(resolve(territory[:40]))
    except TerritoryError as exc:
        raise Invalid({"territory": f"territory: {exc}"}) from None
    if not services.can_submit(user, ref):
        raise HttpError(403, _("réservé aux animateurs de ce territoire"))
    if what not in imports.WHAT:
        raise Invalid({"what": _("what : sites ou flows")})
    try:
        staged = imports.stage(file.chunks(), file.name or "")
    except services.JobRefused as exc:
        raise Invalid({"file": str(exc)}) from None
    try:
        return _submitted("import", ref, {**staged, "what": what}, user)
    except Exception:
        imports.staged_path(staged["file"]).unlink(missing_ok=True)
        raise


@router.get("/{job_id}", response={200: JobOut, **DENIED, **HIDDEN}, summary="A job's state, progress and result")
def get_job(request, job_id: str):
    job = services.visible(request.auth, job_id)
    if job is None:
        raise HttpError(404, _("aucune tâche de ce nom parmi les vôtres"))
    return services.job_dict(job)
