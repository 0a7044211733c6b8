"""Passports in the API (mounted by ``boucle.api.api``): the same doors as ``api_views``, in the OpenAPI document.

- reading a passport is public, each field filtered by the caller's tier (``access.visible_fields``,
  the body of the page's JSON export, ``views.passport_json``);
- issuing one needs the right to edit the producing site (``accounts.access.can_edit_site``) and is
  validated by ``services.issue_passport``;
- capturing EPCIS events needs ``access.can_capture`` on every passport they name (``events.capture``).
"""

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema
from pydantic import Field

from boucle.accounts.access import can_edit_site
from boucle.api.common import DENIED, FORBIDDEN, HIDDEN, INVALID, Invalid, user
from boucle.flows.models import Site

from .access import can_capture
from .events import CaptureError, capture
from .identifiers import stem_for
from .models import Passport, Tier
from .services import issue_passport

router = Router(tags=["passports"])


class PassportIn(Schema):
    site: str = Field(min_length=1, max_length=64, description="the producing site's SIRET or id")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    level: Literal[tuple(Passport.Level.values)] | None = None
    gtin: str = Field("", max_length=14)
    lot: str = Field("", max_length=20)
    serial: str = Field("", max_length=20)
    giai: str = Field("", max_length=30)
    composition: list[dict[str, Any]] = Field([], max_length=200)
    hazardous_substances: list[dict[str, Any]] = Field([], max_length=200)
    recycled_content_percent: float | None = Field(None, ge=0, le=100)
    carbon_footprint_kg: float | None = Field(None, ge=0)
    carbon_method: str = Field("", max_length=200)
    repair_instructions: str = Field("", max_length=20000)
    disassembly_instructions: str = Field("", max_length=20000)
    reuse_instructions: str = Field("", max_length=20000)
    recycling_instructions: str = Field("", max_length=20000)
    documents: list[dict[str, Any]] = Field([], max_length=100)
    repairability: dict[str, Any] = Field({}, description="{category, score (out of 10) or criteria (5 × out of 20), source}")
    spare_parts: list[dict[str, Any]] = Field([], max_length=200, description="[{part, available_years, delivery_days}]")
    disassembly_steps: list[dict[str, Any]] = Field([], max_length=100, description="[{step, tools: [...]}]")
    production_equipment: bool = Field(False, description="a production machine: counted in the machine park")
    tiers: dict[str, str] = Field({}, description="field -> public | legitimate | authority")


class PassportCreated(Schema):
    handle: str
    page: str
    scan_uri: str


class Captured(Schema):
    captured: list[str]
    duplicates: list[str]
    passports: list[str]


@router.post("/passports", response={201: PassportCreated, **DENIED, **FORBIDDEN, **INVALID})
def create_passport(request, payload: PassportIn):
    """Issue a passport for a site you may edit (its company's members, its territory's facilitators)."""
    from django.urls import reverse

    from .identifiers import scan_uri

    who = user(request)
    data = payload.dict()
    site = Site.objects.filter(site_id=data.pop("site")).first()
    if site is None or not can_edit_site(who, site):
        # An unknown site and a site one may not edit answer alike: the API does not confirm a SIRET exists.
        raise Invalid({"site": [_("site : aucun site que vous pouvez modifier n'a cet identifiant")]})
    try:
        passport = issue_passport(site, data)
    except ValidationError as err:
        raise Invalid({("payload" if f == "__all__" else f): m for f, m in err.message_dict.items()}) from None
    stem = stem_for(request)
    return 201, {"handle": passport.handle, "page": stem + reverse("passports:page", args=[passport.handle]),
                 "scan_uri": scan_uri(passport, stem)}


@router.post("/passports/events", response={201: Captured, **DENIED, **FORBIDDEN, **INVALID})
def capture_events(request, payload: dict[str, Any] = Body(..., description="an EPCISDocument or one event"),
                   visibility: Literal[tuple(Tier.values)] = Query(Tier.LEGITIMATE, description="who reads them")):
    """Add EPCIS 2.0 events (a document or one event, JSON-LD) to the histories of passports you may write:
    producers, facilitators of the territory, legitimate-interest companies."""
    try:
        result = capture(payload, user(request), visibility=visibility, may_capture=can_capture)
    except CaptureError as err:
        if err.status == 403:
            raise PermissionDenied("; ".join(err.errors)) from None
        raise Invalid({"payload": err.errors}) from None
    return 201, {"captured": [e.event_id for e in result.events], "duplicates": list(result.duplicates),
                 "passports": [p.handle for p in result.passports]}


@router.get("/passports/{handle}", response={200: dict, **HIDDEN}, auth=None)
def get_passport(request, handle: str):
    """A passport as the caller may read it (anonymous: the public tier); events filtered the same way."""
    from boucle.api.api import _with_token_user

    from .views import _passport, passport_json

    request = _with_token_user(request)
    return passport_json(_passport(handle[:16]), request.user, stem_for(request))
