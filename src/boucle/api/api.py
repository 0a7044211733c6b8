"""The API: token (``Authorization: Bearer``) or session authentication, and exactly the pages' rules.

Every endpoint asks ``boucle.accounts.access`` and ``boucle.matching.services``
and builds its output with ``boucle.web.present``: one confidentiality layer for
pages and API. Objects a caller may not see answer 404, not 403, so the API does
not confirm that they exist.
"""

import json
from datetime import MAXYEAR, MINYEAR, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from ninja import NinjaAPI, Query
from ninja.errors import HttpError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from boucle import jsonout
from boucle.accounts.access import can_edit_site, facilitated_q, sites_in_full_view
from boucle.accounts.models import ApiToken
from boucle.matching import lifecycle, services
from boucle.matching.models import MatchingRun
from boucle.territories.refs import TerritoryError, resolve
from boucle.web.indicators import territory_indicators
from boucle.web import snapshots
from boucle.web.present import synergy_card

from . import schemas as S
from .common import Invalid


LAST_USED_EVERY = timedelta(minutes=1)  # how stale a token's "last used" date may be


class BearerToken(HttpBearer):
    """An API token: live (``ApiToken.valid``: known, not expired, active user), and allowed this
    method by its scope — a read-only token on a write answers 403, not 401: it is valid, not enough."""

    def authenticate(self, request, token):
        found = ApiToken.valid(token)
        if found is None:
            return None
        if not found.may(request.method):
            raise HttpError(403, "this API token is read-only: create a read-write token to write")
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_EVERY:
            # Written at most once a minute: a script's every request would otherwise be a write.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class FiniteJSONRenderer(JSONRenderer):
    """Django Ninja's renderer, with non-finite numbers written as null (JSON has no Infinity)."""

    def render(self, request, data, *, response_status):
        try:
            return json.dumps(data, cls=self.encoder_class, allow_nan=False, **self.json_dumps_params)
        except ValueError:  # a non-finite float somewhere: through plain data, then scrubbed
            plain = json.loads(json.dumps(data, cls=self.encoder_class))
            return json.dumps(jsonout.finite(plain), cls=self.encoder_class, allow_nan=False,
                              **self.json_dumps_params)


api = NinjaAPI(title="Boucle API", version="1", auth=[BearerToken(), django_auth], renderer=FiniteJSONRenderer(),
               description="Offers, needs and synergies of a territory. Same permissions as the web pages.")


def _add_routers():
    from boucle.jobs.api import router as jobs_router
    from boucle.sourcing.api import router as sourcing_router

    api.add_router("/sourcing", sourcing_router)
    from boucle.aids.api import router as aids_router

    api.add_router("/aids", aids_router)
    api.add_router("/jobs", jobs_router)


_add_routers()


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(Invalid)
def _invalid(request, exc):
    """A domain's validation refused the input: 422, each field named in ``loc`` as pydantic's own errors."""
    return api.create_response(request, {"detail": exc.detail()}, status=422)


def _user(request):
    return request.auth


MAX_OFFSET = 10**9  # a database cannot slice past a 64-bit integer; no page lies that far anyway


def _window(offset: int, limit: int, cap: int) -> slice:
    """The rows a page asks for, clamped so absurd ``offset``/``limit`` values give an empty page, not a 500."""
    start = min(max(0, offset), MAX_OFFSET)
    return slice(start, start + min(max(limit, 1), cap))


# Error answers each endpoint declares, so that clients (and the schema tests) know every status they may get.
DENIED = {401: S.Error}  # no valid token or session
FORBIDDEN = {403: S.Error}
HIDDEN = {404: S.Error}  # absent, or not visible to the caller: the API does not say which
INVALID = {422: S.ValidationErrors}


# --- sites and flows: ``boucle.flows.api`` ------------------------------------------------------------


# --- synergies -------------------------------------------------------------------------------------

@api.get("/synergies", response={200: list[S.SynergyOut], **DENIED}, tags=["synergies"])
def list_synergies(request, status: S.Status | None = None, limit: int = 100, offset: int = 0):
    user = _user(request)

    def visible():
        qs = services.visible_synergies(user).filter(stale=False)
        return qs.filter(status=status) if status else qs

    page = _window(offset, limit, 500)
    ranked = snapshots.remembered("synergy-list", user, lambda: RankedCards(services.ranked_ids(visible())),
                                  status or "", get_language())
    cards = {pk: ranked.cards.get(pk) for pk in ranked.ids[page]}
    missing = [pk for pk, card in cards.items() if card is None]
    for synergy in services.ranked_page(None, 0, len(missing), missing, user) if missing else ():
        cards[synergy.pk] = ranked.keep(synergy.pk, _card_json(request, user, synergy))
    body = b"[" + b",".join(card for card in cards.values() if card is not None) + b"]"
    return HttpResponse(body, content_type=api.get_content_type())


class RankedCards:
    """What one grant set sees of the synergy list for one data version and language.

    ``ids`` is the whole ranking; ``cards`` holds each card's JSON once rendered, since a
    card (validated against ``SynergyOut``) costs about a millisecond and the same pages
    are read again and again between two writes. Bounded, so a client walking every
    page of a huge territory cannot grow a worker without limit.
    """

    MAX_CARDS = 5000

    def __init__(self, ids: list):
        self.ids = ids
        self.cards: dict[int, bytes] = {}

    def keep(self, pk: int, card: bytes) -> bytes:
        if len(self.cards) >= self.MAX_CARDS:
            self.cards.clear()
        self.cards[pk] = card
        return card


def _card_json(request, user, synergy) -> bytes:
    """A synergy card exactly as the schema lets it out (fields not in ``SynergyOut`` are dropped)."""
    data = S.SynergyOut.model_validate(synergy_card(user, synergy)).model_dump()
    return api.renderer.render(request, data, response_status=200).encode()


def _synergy(request, synergy_id):
    return get_object_or_404(services.visible_synergies(_user(request)), pk=synergy_id)


@api.get("/synergies/{synergy_id}", response={200: S.SynergyOut, **DENIED, **HIDDEN}, tags=["synergies"])
def get_synergy(request, synergy_id: int):
    return synergy_card(_user(request), _synergy(request, synergy_id))


@api.post("/synergies/{synergy_id}/transition", tags=["synergies"],
          response={200: S.SynergyOut, 409: S.Error, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID})
def transition_synergy(request, synergy_id: int, payload: S.TransitionIn):
    synergy = _synergy(request, synergy_id)
    try:
        services.transition(synergy, payload.target, _user(request), payload.reason)
    except lifecycle.TransitionError as exc:
        return 409, {"detail": str(exc)}
    return synergy_card(_user(request), _synergy(request, synergy_id))


@api.post("/synergies/{synergy_id}/interest", tags=["synergies"],
          response={200: S.SynergyOut, 409: S.Error, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID})
def synergy_interest(request, synergy_id: int, payload: S.InterestIn):
    synergy = _synergy(request, synergy_id)
    try:
        services.express_interest(synergy, _user(request), payload.interested)
    except lifecycle.TransitionError as exc:
        return 409, {"detail": str(exc)}
    return synergy_card(_user(request), _synergy(request, synergy_id))


# --- matching runs ---------------------------------------------------------------------------------

def _run_out(run) -> dict:
    return {"id": run.pk, "territory": run.territory, "radius_km": run.radius_km, "started_at": run.started_at,
            "finished_at": run.finished_at, "proposals": run.proposals, "created": run.created,
            "updated": run.updated}


@api.get("/matching-runs", response={200: list[S.RunOut], **DENIED, **FORBIDDEN}, tags=["matching"])
def list_runs(request):
    user = _user(request)
    if user.is_superuser:
        runs = MatchingRun.objects.all()
    elif user.facilitations.exists():
        runs = MatchingRun.objects.filter(territory__in=[f.ref for f in user.facilitations.all()])
    else:
        raise PermissionDenied("facilitators only")
    return [_run_out(r) for r in runs[:100]]


@api.post("/matching-runs", tags=["matching"],
          response={201: S.RunOut, 202: S.RunAccepted, 500: S.Error, 503: S.Error, **DENIED, **FORBIDDEN, **INVALID})
def create_run(request, payload: S.RunIn):
    """A matching job (``boucle.jobs``): with no broker it runs before the answer, 201 with the run and its
    job; with a broker, 202 with the job to follow at ``status_url`` (``GET /api/jobs/{id}``)."""
    from boucle.jobs import services as jobs
    from boucle.web.facilitator_views import run_matching_function

    user = _user(request)
    if not user.is_superuser and payload.territory not in {f.ref for f in user.facilitations.all()}:
        raise PermissionDenied("you do not facilitate this territory")
    if run_matching_function() is None:
        return 503, {"detail": "the matching engine is not installed on this server"}
    try:
        job = jobs.submit("match", payload.territory, {"radius_km": payload.radius_km}, user)
    except TerritoryError as exc:
        raise HttpError(422, f"territory: {exc}") from None
    except jobs.BrokerUnavailable as exc:
        return 503, {"detail": str(exc)}
    except jobs.JobRefused as exc:  # a parameter the job refuses: the client's to correct, never a 500
        raise Invalid({"radius_km": str(exc)}) from None
    status_url = f"/api/jobs/{job.pk}"
    if job.state == "failed":
        return 500, {"detail": jobs.labels(job)["error"]}
    if job.state != "done":
        return 202, {"job": str(job.pk), "status_url": status_url, "state": job.state}
    run = MatchingRun.objects.get(pk=job.result["matching_run"])
    return 201, {**_run_out(run), "job": str(job.pk), "status_url": status_url}


# --- public territory figures ----------------------------------------------------------------------

def _optional_user(request):
    """The caller if authenticated by token or session, else None; the endpoint is public."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return BearerToken().authenticate(request, header[7:].strip())
    return request.user if request.user.is_authenticated else None


@api.get("/territories/{ref}/indicators", response={200: S.Indicators, **HIDDEN}, auth=None, tags=["territories"])
def indicators(request, ref: str):
    """Public figures; a figure behind fewer than 3 companies is null, except for the territory's facilitators."""
    try:
        territory = resolve(ref)
    except TerritoryError as exc:
        raise HttpError(404, str(exc)) from None
    user = _optional_user(request)
    disclose = False
    if user is not None:
        q = facilitated_q(user, prefix="")
        disclose = user.is_superuser or (q is not None and territory.communes().filter(q).count()
                                         == territory.communes().count())
    return territory_indicators(territory, disclose_all=disclose)


# --- observatory (the figures and rules live in ``boucle.api.observatory``) ------------------------

def _with_token_user(request):
    """The observatory's functions read ``request.user``; a script's token counts as its user there too."""
    user = _optional_user(request)
    if user is not None:
        request.user = user
    return request


@api.get("/observatory/{ref}/indicators", response={200: dict, **HIDDEN, **INVALID}, auth=None, tags=["observatory"])
def observatory_indicators(request, ref: str, period: int | None = Query(None, ge=MINYEAR, le=MAXYEAR),
                           public: bool = False):
    """Every indicator of a territory: the public version unless the caller facilitates it."""
    from . import observatory

    return observatory.indicators(_with_token_user(request), ref, period=period, public=public)


@api.get("/observatory/{ref}/toile", response={200: dict, **HIDDEN}, auth=None, tags=["observatory"])
def observatory_toile(request, ref: str, material: str | None = None, statuses: str = "open"):
    """The toile industrielle, for the territory's facilitators only (404 otherwise)."""
    from . import observatory

    return observatory.toile(_with_token_user(request), ref, material=material, statuses=statuses)


# --- the domains' routers (each domain keeps its API next to its access rules and write path) -------

def _mount():
    from boucle.flows.api import router as flows
    from boucle.matching.api import router as matching
    from boucle.observatory.api import router as observatory_exports
    from boucle.passports.api import router as passports
    from boucle.places.api import router as places
    from boucle.projects.api import router as projects
    from boucle.sharing.api import router as sharing

    from .impact import router as impact

    for router in (flows, matching, projects, sharing, passports, impact, observatory_exports):
        api.add_router("", router)
    api.add_router("/places", places)
    from boucle.land.api import router as land

    api.add_router("/land", land)
    from boucle.skills.api import router as skills

    api.add_router("/skills", skills)


_mount()
