"""Verified outcomes, pools and the territory's allocation in the API (mounted by ``boucle.api.api``).

Outcomes are recorded by ``services.record_outcome`` (the territory's facilitators) and read by
whoever the synergy's page shows them to (its facilitators and the two companies). Pools and the
allocation name sites and flows of single companies: like the toile industrielle, they are for
the facilitators of the whole territory and the administrator (``observatory.views.can_view_territory``).
They are the very functions ``boucle pools --json`` and ``boucle allocate --json`` print.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from boucle.api.common import CONFLICT, DENIED, FORBIDDEN, HIDDEN, INVALID, Invalid, real_id, user
from boucle.territories.refs import TerritoryError, resolve

from . import services
from .commands import allocation_summary, pools_summary

router = Router()


# --- verified outcomes -------------------------------------------------------------------------------

class OutcomeIn(Schema):
    start_date: dt.date | None = None
    tonnes_per_year: float | None = Field(None, ge=0)
    eur_per_year: float | None = Field(None, ge=0)
    co2e_avoided_t_per_year: float | None = None
    water_m3_per_year: float | None = Field(None, ge=0)
    mwh_per_year: float | None = Field(None, ge=0)
    note: str = Field("", max_length=5000)


class OutcomeOut(Schema):
    id: int
    synergy: int
    start_date: dt.date | None = None
    tonnes_per_year: float | None = None
    eur_per_year: float | None = None
    co2e_avoided_t_per_year: float | None = None
    water_m3_per_year: float | None = None
    mwh_per_year: float | None = None
    note: str
    recorded_at: dt.datetime


def _outcome_out(o) -> dict:
    return {"id": o.pk, "synergy": o.synergy_id, "start_date": o.start_date, "tonnes_per_year": o.tonnes_per_year,
            "eur_per_year": o.eur_per_year, "co2e_avoided_t_per_year": o.co2e_avoided_t_per_year,
            "water_m3_per_year": o.water_m3_per_year, "mwh_per_year": o.mwh_per_year, "note": o.note, "recorded_at": o.recorded_at}


def _synergy(request, synergy_id):
    return get_object_or_404(services.visible_synergies(user(request)), pk=real_id(synergy_id))


@router.get("/synergies/{synergy_id}/outcomes", response={200: list[OutcomeOut], **DENIED, **HIDDEN},
            tags=["synergies"])
def list_outcomes(request, synergy_id: int):
    """Measured results of a synergy: for its facilitators and the two companies (as on its page)."""
    who, synergy = user(request), _synergy(request, synergy_id)
    if not (services.can_steer(who, synergy) or services.sides_of(who, synergy)):
        return []
    return [_outcome_out(o) for o in synergy.outcomes.order_by("-recorded_at", "-id")]


@router.post("/synergies/{synergy_id}/outcomes", tags=["synergies"],
             response={201: OutcomeOut, **CONFLICT, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID})
def record_outcome(request, synergy_id: int, payload: OutcomeIn):
    """Record a measured result (the territory's facilitators), once the exchange is on trial, running or
    stopped (409 before); the engine's estimates stay untouched."""
    from .lifecycle import NothingExchanged

    who, synergy = user(request), _synergy(request, synergy_id)
    try:
        outcome = services.record_outcome(synergy, who, **payload.dict())
    except NothingExchanged as exc:
        return 409, {"detail": str(exc)}
    except ValueError as exc:  # the service names the field first: "tonnes_per_year must not be negative"
        field = str(exc).split(" ", 1)[0]
        raise Invalid({field if field in OutcomeIn.model_fields else "note": [str(exc)]}) from None
    return 201, _outcome_out(outcome)


# --- territory: pools and allocation -----------------------------------------------------------------

def _facilitated_territory(request, ref: str):
    from boucle.observatory.views import can_view_territory

    try:
        territory = resolve(ref)
    except TerritoryError as exc:
        raise Invalid({"ref": [str(exc)]}, where="path") from None
    if not can_view_territory(user(request), territory):
        raise PermissionDenied(_("Réservé aux animateurs de ce territoire."))
    return territory


class PoolOut(Schema):
    material_class: str
    direction: str
    kind: str
    site_ids: list[str]
    total_t: float
    truck_km_separate: float
    truck_km_pooled: float
    truck_km_saved: float


class PoolsOut(Schema):
    territory: str | None = None
    radius_km: float
    pools: list[PoolOut]


@router.get("/territories/{ref}/pools", response={200: PoolsOut, **DENIED, **FORBIDDEN, **INVALID},
            tags=["territories"])
def pools(request, ref: str, radius_km: float = Query(10.0, gt=0, le=100), min_sites: int = Query(3, ge=2, le=50)):
    """Groups of nearby sites sharing a waste (a pooled collection round) or a need (a grouped purchase),
    with the truck-km a round saves: ``boucle pools``. Facilitators of the whole territory only."""
    territory = _facilitated_territory(request, ref)
    return pools_summary(str(territory), radius_km, min_sites)


class ExchangeOut(Schema):
    synergy_id: int | None = None
    kind: str | None = None
    offer_site_id: str
    offer_label: str | None = None
    need_site_id: str
    need_label: str | None = None
    material_class: str
    distance_km: float
    tonnes: float | None = None
    quantity: float | None = None
    unit: str | None = None
    value: float


class AllocationOut(Schema):
    """Quantities exchanged by kind, never added across kinds (t of materials, MWh of energy, m3 of water)."""

    territory: str | None = None
    objective: Literal["co2", "eur"]
    total_value: float
    unit: str
    co2e_avoided_t: float | None = None
    eur_saved: float | None = None
    tonnes_exchanged: float
    mwh_exchanged: float | None = None
    m3_exchanged: float | None = None
    illustrative_co2e_avoided_t: float | None = None
    suggestions: int | None = Field(None, description="open suggestions the allocation chose among")
    source: str | None = Field(None, description="suggestions (stored), or matching (run afresh: none stored yet)")
    exchanges: list[ExchangeOut]
    excluded_sites: list[str]
    radius_km: float | None = None
    status: str


@router.get("/territories/{ref}/allocation", response={200: AllocationOut, **DENIED, **FORBIDDEN, **INVALID},
            tags=["territories"])
def allocation(request, ref: str, objective: Literal["co2", "eur"] = "co2",
               radius_km: float | None = Query(None, gt=0, le=500),
               exclude_site: list[str] = Query([], max_length=100, description="site_id to leave out (repeatable)")):
    """The territory's optimal allocation of supplies to demands (``boucle allocate``): facilitators of the
    whole territory only, since it names sites and flows."""
    territory = _facilitated_territory(request, ref)
    summary = allocation_summary(str(territory), objective, radius_km, exclude_site)
    summary.pop("_result")
    return summary
