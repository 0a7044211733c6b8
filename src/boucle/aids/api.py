"""Aids in the API (mounted at ``/api/aids`` by ``boucle.api.api``).

The catalogue is public (list, search, detail); a match for a synergy or a site follows the
pages' rule (the synergy must be visible to the caller, the site seen in full). The entries are
written through ``services.save_aid`` (the import's row check) by the platform administrator, and
by facilitators for aids whose whole perimeter lies in their territories. A facilitator hides,
pins or annotates any aid for a territory they facilitate (``POST /api/aids/{id}/curation``,
``services.curate``); a signed-in caller reads the curation of their territories (``curation``
on each aid: hidden aids left out of the list, pinned ones first).
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from boucle.accounts.access import can_edit_site, can_see_site, is_facilitator
from boucle.api.common import DENIED, FORBIDDEN, HIDDEN, INVALID, Invalid, real_id, user
from boucle.flows.fields import CellError

from . import engine, services
from .models import Aid

router = Router(tags=["aids"])

Theme = Literal[engine.THEMES]  # type: ignore[valid-type]
AidType = Literal[engine.AID_TYPES]  # type: ignore[valid-type]
Beneficiary = Literal[engine.BENEFICIARIES]  # type: ignore[valid-type]
Scope = Literal[engine.scope_values()]  # type: ignore[valid-type]


class SearchIn(Schema):
    q: str = Field("", max_length=100, description="words of the name, description or financers")
    theme: Theme | Literal[""] = ""
    aid_type: AidType | Literal[""] = ""
    beneficiary: Beneficiary | Literal[""] = ""
    territory: str = Field("", max_length=30, pattern=r"^$|^(region|departement|epci|commune):[0-9AB]{2,9}$",
                           description="aids open there: region:32, departement:59, epci:SIREN, commune:INSEE")
    include_closed: bool = Field(False, description="one-off aids whose deadline has passed, too")
    include_hidden: bool = Field(False, description="facilitators: the aids hidden for their territories, too")
    date: dt.date | None = Field(None, description="reference date, default today")


class MatchIn(Schema):
    synergy: int | None = Field(None, description="a synergy id")
    site: str | None = Field(None, max_length=64, description="a site_id as imported")
    flow: int | None = Field(None, description="a flow id (a flow of a site you may edit)")
    date: dt.date | None = Field(None, description="reference date, default today")
    limit: int = Field(20, ge=1, le=200)


class AidIn(Schema):
    name: str = Field(min_length=1, max_length=250)
    url: str = Field(min_length=1, max_length=500)
    description: str = Field("", max_length=5000)
    financers: list[str] = Field(min_length=1, max_length=services.MAX_LIST_ITEMS)
    perimeter: list[str] = Field(min_length=1, max_length=200, description="FR, EU, region:32, epci:SIREN…")
    beneficiaries: list[Beneficiary] = Field(min_length=1)
    themes: list[Theme] = Field(min_length=1)
    scope: list[Scope] = Field([], description="what it funds: flow kinds (energy, water…) and material families "
                                               "(plastics, metals…); empty: any material")
    aid_types: list[AidType] = []
    deadline: dt.date | None = None
    recurrence: Literal[engine.RECURRENCES] = "permanent"  # type: ignore[valid-type]
    origin: str = Field(min_length=1, max_length=300)
    note: str = Field("", max_length=2000)
    to_verify: bool = True
    written_on: dt.date | None = None


class ArchiveIn(Schema):
    archived: bool = True


class CurationIn(Schema):
    territory: str = Field(max_length=30, description="a territory you facilitate: epci:SIREN, departement:59…")
    hidden: bool = Field(False, description="not offered to that territory's companies")
    pinned: bool = Field(False, description="offered first to that territory's companies")
    note: str = Field("", max_length=2000, description="a note for that territory's companies")


def _facilitator(request):
    who = user(request)
    if not is_facilitator(who):
        raise PermissionDenied(_("Réservé aux animateurs."))
    return who


def _may_edit(who, aid) -> None:
    if not services.can_edit_aid(who, aid):
        raise PermissionDenied(_("Cette fiche est tenue par l'administrateur de la plateforme : masquez-la, "
                                 "mettez-la en avant ou annotez-la pour votre territoire (POST …/curation)."))


def _save(payload: AidIn, who, aid=None) -> dict:
    if aid is not None:
        _may_edit(who, aid)
    try:
        if aid is None and not services.can_edit_aid(who, perimeter=[
                services.Territories().ref(ref) for ref in payload.perimeter]):
            raise CellError(_("perimeter: hors des territoires que vous animez (une aide nationale, européenne ou "
                              "d'un autre territoire est tenue par l'administrateur de la plateforme)"))
        saved = services.save_aid(payload.dict(), who, aid)
    except CellError as exc:
        field = str(exc).split(":", 1)[0].strip()
        raise Invalid({field if field in AidIn.model_fields else "payload": [str(exc)]}) from None
    return services.aid_dict(saved, timezone.localdate())


@router.get("", response={200: list[dict], **INVALID}, auth=None, summary="Search the aid catalogue")
def list_aids(request, q: Query[SearchIn]):
    today = q.date or timezone.localdate()
    aids = services.search(text=q.q, theme=q.theme, aid_type=q.aid_type, beneficiary=q.beneficiary,
                           territory=q.territory, include_closed=q.include_closed, today=today)
    aids, views = services.with_curation(aids, services.viewer_places(request.user),
                                         include_hidden=q.include_hidden and is_facilitator(request.user))
    names = services.perimeter_names({r for a in aids for r in a.perimeter})
    return services.curated_rows([services.aid_dict(a, today, names) for a in aids], views)


@router.get("/match", response={200: list[dict], **DENIED, **HIDDEN, **INVALID},
            summary="Aids for a synergy, a site or a flow, best first, each with its reasons (why)")
def match(request, q: Query[MatchIn]):
    """``synergy`` (visible to you), ``site`` (a site you see in full) or ``flow`` (a flow whose
    page you may open, i.e. of a site you may edit): one of them."""
    from boucle.flows.models import Flow, Site
    from boucle.matching.services import visible_synergies

    who = user(request)
    if sum(x is not None for x in (q.synergy, q.site, q.flow)) != 1:
        raise Invalid({"synergy": [_("donnez synergy, site ou flow, un seul des trois")]}, where="query")
    if q.flow is not None:
        flow = get_object_or_404(Flow.objects.select_related("site__commune__departement"), pk=real_id(q.flow))
        if not can_edit_site(who, flow.site):
            raise Http404
        return services.for_flow(flow, today=q.date, limit=q.limit)
    if q.synergy is not None:
        synergy = get_object_or_404(visible_synergies(who).select_related("offer", "need"), pk=real_id(q.synergy))
        return services.for_synergy(synergy, user=who, today=q.date, limit=q.limit)
    site = get_object_or_404(Site.objects.select_related("commune__departement"), site_id=q.site.strip())
    if not can_see_site(who, site):
        raise Http404
    return services.for_site(site, today=q.date, limit=q.limit)


@router.get("/{aid_id}", response={200: dict, **HIDDEN}, auth=None, summary="One aid")
def get_aid(request, aid_id: int):
    aid = get_object_or_404(Aid, pk=real_id(aid_id))
    if aid.archived and not is_facilitator(request.user):
        raise Http404
    views = services.curations_for(services.viewer_places(request.user), [aid.pk])
    return services.curated_rows([services.aid_dict(aid, timezone.localdate())], views)[0]


@router.post("", response={201: dict, **DENIED, **FORBIDDEN, **INVALID}, summary="Add an aid (facilitators)")
def create_aid(request, payload: AidIn):
    return 201, _save(payload, _facilitator(request))


@router.put("/{aid_id}", response={200: dict, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID},
            summary="Replace an aid's values (facilitators)")
def update_aid(request, aid_id: int, payload: AidIn):
    who = _facilitator(request)
    return _save(payload, who, get_object_or_404(Aid, pk=real_id(aid_id)))


@router.post("/{aid_id}/archive", response={200: dict, **DENIED, **FORBIDDEN, **HIDDEN},
             summary="Archive an aid, or bring it back (facilitators)")
def archive_aid(request, aid_id: int, payload: ArchiveIn):
    who = _facilitator(request)
    aid = get_object_or_404(Aid, pk=real_id(aid_id))
    _may_edit(who, aid)
    aid = services.set_archived(aid, who, payload.archived)
    return services.aid_dict(aid, timezone.localdate())


@router.post("/{aid_id}/curation", response={200: dict, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID},
             summary="Hide, pin or annotate an aid for a territory you facilitate (facilitators)")
def curate_aid(request, aid_id: int, payload: CurationIn):
    """Other territories, and the catalogue entry itself, are left as they are. All false and an
    empty note clear the territory's curation. ``curation`` in the answer is what you now read."""
    who = _facilitator(request)
    aid = get_object_or_404(Aid, pk=real_id(aid_id))
    try:
        services.curate(aid, who, payload.territory, hidden=payload.hidden, pinned=payload.pinned, note=payload.note)
    except services.CurationError as exc:
        raise Invalid({exc.field: [str(exc)]}) from None
    views = services.curations_for(services.viewer_places(who) | {payload.territory.strip()}, [aid.pk])
    return services.curated_rows([services.aid_dict(aid, timezone.localdate())], views)[0]
