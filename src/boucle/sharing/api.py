"""Shared equipment and bookings in the API (mounted by ``boucle.api.api``).

Exactly the pages' rules: an equipment is shown as ``access.card`` presents it (anonymised —
no owner, site, name or description — until the owner accepts one of your bookings, unless you
see its site anyway); ``forms.EquipmentForm`` and ``forms.BookingForm`` validate; ``services``
writes bookings under a lock; calendar refusals are field errors, in the caller's language.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from boucle.accounts.access import member_company_ids
from boucle.api.common import CONFLICT, DENIED, FORBIDDEN, HIDDEN, INVALID, Invalid, form_invalid, real_id, user
from boucle.flows.models import Company, Site

from . import access, calendar, services
from .forms import REQUEST_ERRORS, BookingForm, EquipmentForm, error_text
from .models import Booking, Equipment

router = Router(tags=["equipment"])
MAX_LISTED = 300


class EquipmentIn(Schema):
    site: int = Field(description="id of a site of your company")
    direction: Literal["offer", "need"] = "offer"
    name: str = Field(min_length=1, max_length=200)
    category: Literal[tuple(Equipment.Category.values)]
    description: str = Field("", max_length=5000)
    conditions: str = Field("", max_length=5000)
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    price_unit: Literal["hour", "day", ""] = ""
    capacity: str = Field("", max_length=200)
    active: bool = True
    windows: list[list[dt.date]] = Field([], max_length=50,
                                                   description="availability periods [start, end]; empty: always")


class EquipmentPatch(Schema):
    site: int | None = None
    direction: Literal["offer", "need"] | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    category: Literal[tuple(Equipment.Category.values)] | None = None
    description: str | None = Field(None, max_length=5000)
    conditions: str | None = Field(None, max_length=5000)
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    price_unit: Literal["hour", "day", ""] | None = None
    capacity: str | None = Field(None, max_length=200)
    active: bool | None = None
    windows: list[list[dt.date]] | None = Field(None, max_length=50)


class EquipmentOut(Schema):
    """An anonymised card (``level`` = anonymised) has no name, description, company, site, commune, intercommunality
    or active flag: ``area`` says where it is, at the finest level holding three establishments of its owner's activity."""

    id: int
    level: Literal["full", "anonymised"]
    direction: str
    category: str
    area: str = Field(description="where the equipment is: its commune (department) to whoever sees it in full; "
                                  "otherwise the commune only where at least three establishments of the owner's NACE "
                                  "division share it, else its intercommunality, département or region (INSEE « secret "
                                  "statistique » frequency rule)")
    commune: str | None = None
    epci: str | None = None
    conditions: str
    price: Decimal | None = None
    price_unit: str
    capacity: str
    windows: list[list[dt.date]]
    distance_km: float | None = None
    name: str | None = None
    description: str | None = None
    company: str | None = None
    site: str | None = None
    active: bool | None = None


class BookingIn(Schema):
    company: int | None = Field(None, description="your company asking (default: the first that may)")
    starts_on: dt.date
    ends_on: dt.date
    message: str = Field("", max_length=2000)


class DecisionIn(Schema):
    action: Literal["accept", "decline", "cancel"] = Field(description="the owner accepts or declines; "
                                                                       "the requester cancels")


class BookingOut(Schema):
    id: int
    equipment: int
    status: str
    starts_on: dt.date
    ends_on: dt.date
    requester: str = Field(description="the requesting company, or a neutral word if you may not know it")
    message: str
    mine: bool = Field(description="asked by one of your companies")


def _card(equipment, who, points=None, lvl=None) -> dict:
    card = access.card(equipment, who, points, lvl)
    out = {"id": card.pop("pk"), "level": card["level"], "direction": card["direction"],
           "category": equipment.category, "price_unit": equipment.price_unit if "price_unit" in card else "",
           "windows": [[p.start, p.end] for p in card.pop("windows", [])]}
    for key in ("area", "commune", "epci", "conditions", "price", "capacity", "distance_km", "name", "description",
                "company", "site", "active"):
        if key in card:
            out[key] = card[key]
    return out


def _booking_out(booking, who) -> dict:
    access.requester_names(who, [booking])
    return {"id": booking.pk, "equipment": booking.equipment_id, "status": booking.status,
            "starts_on": booking.starts_on, "ends_on": booking.ends_on, "requester": str(booking.requester),
            "message": booking.shown_message, "mine": booking.company_id in member_company_ids(who)}


def _equipment():
    return Equipment.objects.select_related("site__commune__epci", "company")


def _visible(request, equipment_id) -> Equipment:
    who = user(request)
    equipment = get_object_or_404(_equipment(), pk=real_id(equipment_id))
    if not equipment.active and not access.is_owner(who, equipment) and access.level(who, equipment) != "full":
        raise Http404
    return equipment


def _own_sites(who):
    return Site.objects.filter(company_id__in=member_company_ids(who)).select_related("company")


def _form_data(values: dict) -> dict:
    data = {k: ("" if v is None else str(v)) for k, v in values.items() if k not in ("windows", "active")}
    windows = values.get("windows") or []
    if any(len(w) != 2 for w in windows):
        raise Invalid({"windows": [_("Chaque période a deux dates : le début et la fin.")]})
    data["windows_text"] = "\n".join(f"{a.isoformat()} {b.isoformat()}" for a, b in windows)
    if values.get("active"):
        data["active"] = "on"
    return data


@router.get("/equipment", response={200: list[EquipmentOut], **DENIED})
def list_equipment(request, category: Literal[tuple(Equipment.Category.values)] | None = None):
    """Every active offer and need (and your own), anonymised unless you may see them in full; nearest first."""
    who = user(request)
    qs = _equipment().filter(Q(active=True) | Q(company_id__in=member_company_ids(who)))
    if category:
        qs = qs.filter(category=category)
    points = access.origins(who)
    cards = [_card(e, who, points) for e in qs[:MAX_LISTED]]
    cards.sort(key=lambda c: (c.get("distance_km") is None, c.get("distance_km") or 0, c["id"]))
    return cards


@router.get("/equipment/{equipment_id}", response={200: EquipmentOut, **DENIED, **HIDDEN})
def get_equipment(request, equipment_id: int):
    return _card(_visible(request, equipment_id), user(request))


@router.post("/equipment", response={201: EquipmentOut, **DENIED, **FORBIDDEN, **INVALID})
def create_equipment(request, payload: EquipmentIn):
    """Declare equipment to share (or one you look for) on a site of your company."""
    who = user(request)
    sites = _own_sites(who)
    if not sites.exists():
        raise PermissionDenied(_("Réservé aux membres d'une entreprise."))
    form = EquipmentForm(_form_data(payload.dict()), sites=sites)
    if not form.is_valid():
        raise form_invalid(form, {"windows_text": "windows"}, whole="name")
    equipment = form.save()
    return 201, _card(_equipment().get(pk=equipment.pk), who)


@router.patch("/equipment/{equipment_id}", response={200: EquipmentOut, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID})
def update_equipment(request, equipment_id: int, payload: EquipmentPatch):
    """Change your company's equipment; fields left out keep their value."""
    who, equipment = user(request), _visible(request, equipment_id)
    if not access.is_owner(who, equipment):
        raise PermissionDenied(_("Seul le propriétaire modifie cet équipement."))
    current = {"site": equipment.site_id, "direction": equipment.direction, "name": equipment.name,
               "category": equipment.category, "description": equipment.description,
               "conditions": equipment.conditions, "price": equipment.price, "price_unit": equipment.price_unit,
               "capacity": equipment.capacity, "active": equipment.active,
               "windows": [[p.start, p.end] for p in equipment.window_periods()]}
    changes = payload.dict(exclude_unset=True)
    for required in ("site", "direction", "name", "category", "active"):
        if required in changes and changes[required] is None:
            raise Invalid({required: [f"{required}: null is not allowed"]})
    form = EquipmentForm(_form_data({**current, **changes}), instance=equipment, sites=_own_sites(who))
    if not form.is_valid():
        raise form_invalid(form, {"windows_text": "windows"}, whole="name")
    form.save()
    return _card(_equipment().get(pk=equipment.pk), who)


@router.post("/equipment/{equipment_id}/bookings", response={201: BookingOut, **DENIED, **FORBIDDEN, **HIDDEN,
                                                              **INVALID})
def request_booking(request, equipment_id: int, payload: BookingIn):
    """Ask to book shared equipment in your company's name (not your own, an active offer)."""
    who, equipment = user(request), _visible(request, equipment_id)
    companies = Company.objects.filter(pk__in=access.requesting_companies(who, equipment)).order_by("name")
    if not companies.exists():
        raise PermissionDenied(_("Vous ne pouvez pas réserver cet équipement."))
    company = payload.company if payload.company is not None else companies.first().pk
    form = BookingForm({"company": str(company), "starts_on": payload.starts_on.isoformat(),
                        "ends_on": payload.ends_on.isoformat(), "message": payload.message}, companies=companies)
    if not form.is_valid():
        raise form_invalid(form, whole="starts_on")
    try:
        booking = services.request_booking(equipment, companies.get(pk=form.cleaned_data["company"]), who,
                                           starts_on=form.cleaned_data["starts_on"],
                                           ends_on=form.cleaned_data["ends_on"], message=form.cleaned_data["message"])
    except calendar.CalendarError as error:
        field = "ends_on" if error.code in ("overlap", "outside_windows", "too_long") else "starts_on"
        raise Invalid({field: [error_text(REQUEST_ERRORS, error)]}) from None
    return 201, _booking_out(booking, who)


@router.get("/bookings", response={200: list[BookingOut], **DENIED})
def list_bookings(request):
    """Requests your companies sent and received."""
    who = user(request)
    companies = member_company_ids(who)
    qs = (Booking.objects.filter(Q(company_id__in=companies) | Q(equipment__company_id__in=companies))
          .select_related("equipment", "company").order_by("starts_on", "id"))
    return [_booking_out(b, who) for b in qs[:1000]]


@router.post("/bookings/{booking_id}/decision", response={200: BookingOut, **CONFLICT, **DENIED, **FORBIDDEN,
                                                           **HIDDEN, **INVALID})
def decide_booking(request, booking_id: int, payload: DecisionIn):
    """The owner accepts or declines a request; the requester cancels its own (an accepted slot is freed)."""
    who = user(request)
    booking = get_object_or_404(Booking.objects.select_related("equipment", "company"), pk=real_id(booking_id))
    if not access.can_read_booking(who, booking):
        raise Http404
    owner = access.is_owner(who, booking.equipment)
    requester = booking.company_id in member_company_ids(who)
    if not (payload.action in ("accept", "decline") and owner or payload.action == "cancel" and requester):
        raise PermissionDenied(_("Cette décision ne vous revient pas."))
    try:
        if payload.action == "cancel":
            booking = services.cancel(booking, who)
        else:
            booking = services.decide(booking, who, accept=payload.action == "accept")
    except calendar.CalendarError as error:
        return 409, {"detail": error_text(REQUEST_ERRORS, error)}
    return _booking_out(Booking.objects.select_related("equipment", "company").get(pk=booking.pk), who)
