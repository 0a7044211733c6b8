"""Sites and flows in the API (mounted by ``boucle.api.api``): the pages' rules and write paths.

- a site is validated by the import's ``SiteRow`` and written by ``flows.services`` (a member
  declares a site of its own company — a SIRET of its SIREN —, a facilitator one in its territory);
- a flow is validated and saved by ``web.flow_forms.FlowForm``, the form of the pages and the workshop;
- who may read or change what is ``accounts.access`` (``sites_in_full_view``, ``can_edit_site``).
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from boucle.accounts.access import can_edit_site, sites_in_full_view
from boucle.api.common import DENIED, FORBIDDEN, HIDDEN, INVALID, Invalid, form_invalid, real_id, user, window
from boucle.api.schemas import FlowIn, FlowOut, SiteOut

from . import fields as F
from . import services
from .models import Flow

router = Router()


def site_out(site) -> dict:
    commune = site.commune
    return {"id": site.pk, "site_id": site.site_id, "name": site.name, "company": site.company.name,
            "naf": site.naf_id, "commune": commune.insee if commune else None,
            "epci": commune.epci_id if commune else None, "lat": site.lat, "lon": site.lon, "closed": site.closed}


def flow_out(flow) -> dict:
    return {"id": flow.pk, "site": flow.site_id, "direction": flow.direction, "kind": flow.kind, "label": flow.label,
            "ewc_code": flow.ewc_id, "material_class": flow.material_class, "quantity": flow.quantity,
            "unit": flow.unit, "period": flow.period, "quantity_per_year_base": flow.quantity_base,
            "base_unit": flow.base_unit, "confidential": flow.confidential, "illustrative": flow.illustrative,
            "temperature_c": flow.temperature_c, "current_route": flow.current_route,
            "declared_total": flow.declared_total}


def flow_form(sites, values: dict, instance=None):
    """``FlowForm`` bound to the API's field names (the one validation of a flow)."""
    from boucle.web.flow_forms import FlowForm

    def text(value):
        return "" if value is None else str(value)

    data = {"site": text(values["site"]), "direction": values["direction"], "kind": values["kind"],
            "label": values["label"], "ewc": values.get("ewc_code") or "",
            "material_class": values.get("material_class") or "", "quantity": text(values.get("quantity")),
            "unit": values.get("unit") or "", "period": values["period"],
            "current_route": values.get("current_route") or "", "temperature_c": text(values.get("temperature_c"))}
    if values.get("confidential"):
        data["confidential"] = "on"
    return FlowForm(data, sites=sites, instance=instance)


FLOW_NAMES = {"ewc": "ewc_code"}


# --- sites -------------------------------------------------------------------------------------------

class SiteIn(Schema):
    site_id: str = Field(min_length=1, max_length=64, description="SIRET (14 digits, checked) or an external id.")
    name: str = Field(min_length=1, max_length=200)
    naf_code: str | None = Field(None, max_length=10, description="NAF rév. 2 code, e.g. 23.51Z")
    activity: str | None = Field(None, max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    commune_insee: str | None = Field(None, max_length=5, description="Needed when no coordinates are given.")
    country: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2, FR by default.")


class SitePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    naf_code: str | None = Field(None, max_length=10)
    activity: str | None = Field(None, max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    commune_insee: str | None = Field(None, max_length=5)
    country: str | None = Field(None, max_length=2)
    closed: bool | None = None


def _row(values: dict) -> dict:
    return {k: ("" if v is None else repr(v) if isinstance(v, float) else str(v))
            for k, v in values.items() if k != "closed"}


def _cell_invalid(exc: F.CellError) -> Invalid:
    errors = getattr(exc, "errors", None) or [(getattr(exc, "column", None), str(exc))]
    out: dict[str, list[str]] = {}
    for column, message in errors:  # every field at fault, each with its own message
        out.setdefault(column or "site_id", []).append(message)
    return Invalid(out)


@router.get("/sites", response={200: list[SiteOut], **DENIED}, tags=["sites"])
def list_sites(request, limit: int = 100, offset: int = 0):
    """Sites you see in full: your companies', your territory's (facilitators), all (administrator)."""
    qs = sites_in_full_view(user(request)).select_related("company", "commune").order_by("id")
    return [site_out(s) for s in qs[window(offset, limit, 1000)]]


@router.get("/sites/{site_id}", response={200: SiteOut, **DENIED, **HIDDEN}, tags=["sites"])
def get_site(request, site_id: int):
    site = get_object_or_404(sites_in_full_view(user(request)).select_related("company", "commune"),
                             pk=real_id(site_id))
    return site_out(site)


@router.post("/sites", response={201: SiteOut, **DENIED, **FORBIDDEN, **INVALID}, tags=["sites"])
def create_site(request, payload: SiteIn):
    """Declare a site: a member for its own company (a SIRET of its SIREN), a facilitator in its territory.
    Validated as a row of the import file (``SiteRow``); an existing ``site_id`` is a 422 on that field."""
    try:
        site = services.create_site(user(request), _row(payload.dict()))
    except F.CellError as exc:
        raise _cell_invalid(exc) from None
    return 201, site_out(site)


@router.patch("/sites/{site_id}", response={200: SiteOut, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID}, tags=["sites"])
def update_site(request, site_id: int, payload: SitePatch):
    """Change a site you may edit; fields left out keep their value. An imported site is corrected
    (the correction survives the next import)."""
    who = user(request)
    site = get_object_or_404(sites_in_full_view(who).select_related("company", "commune"), pk=real_id(site_id))
    changes = payload.dict(exclude_unset=True)
    if changes.get("name", "") is None:
        raise Invalid({"name": ["name: valeur obligatoire"]})
    row = _row(changes)
    if "closed" in changes and changes["closed"] is not None:
        row["closed"] = changes["closed"]
    try:
        site = services.update_site(who, site, row)
    except F.CellError as exc:
        raise _cell_invalid(exc) from None
    return site_out(site)


# --- flows -------------------------------------------------------------------------------------------

class FlowPatch(Schema):
    """Fields to change; those left out keep their value (a ``null`` clears an optional one)."""

    site: int | None = Field(None, description="Move the flow to another site you may edit.")
    direction: Literal["offer", "need"] | None = None
    kind: Literal["material", "energy", "water", "equipment", "service"] | None = None
    label: str | None = Field(None, min_length=1, max_length=300)
    ewc_code: str | None = None
    material_class: str | None = None
    quantity: float | None = Field(None, ge=0)
    unit: str | None = None
    period: Literal["year", "month", "week", "day", "once"] | None = None
    confidential: bool | None = None
    temperature_c: float | None = Field(None, ge=-273.15)
    current_route: str | None = None


@router.get("/flows", response={200: list[FlowOut], **DENIED}, tags=["flows"])
def list_flows(request, site: int | None = None, direction: str | None = None, limit: int = 100, offset: int = 0):
    qs = Flow.objects.filter(site__in=sites_in_full_view(user(request))).order_by("id")
    if site is not None:
        # A foreign-key lookup has no overflow guard: an id no database integer can hold matches nothing.
        qs = qs.filter(site_id=site) if abs(site) < 2**63 else qs.none()
    if direction in ("offer", "need"):
        qs = qs.filter(direction=direction)
    return [flow_out(f) for f in qs[window(offset, limit, 1000)]]


@router.get("/flows/{flow_id}", response={200: FlowOut, **DENIED, **HIDDEN}, tags=["flows"])
def get_flow(request, flow_id: int):
    return flow_out(get_object_or_404(Flow.objects.filter(site__in=sites_in_full_view(user(request))),
                                      pk=real_id(flow_id)))


@router.post("/flows", response={201: FlowOut, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID}, tags=["flows"])
def create_flow(request, payload: FlowIn):
    """Declare a flow on a site you may edit, validated by the flow form of the pages."""
    who = user(request)
    sites = sites_in_full_view(who)
    site = sites.filter(pk=real_id(payload.site)).first()
    if site is None or not can_edit_site(who, site):
        raise HttpError(404, "site: not found among the sites you may edit")
    form = flow_form(sites, payload.dict())
    if not form.is_valid():
        raise form_invalid(form, FLOW_NAMES, whole="label")
    return 201, flow_out(form.save(source="api", author=who))


def _editable_flow(request, flow_id):
    who = user(request)
    flow = get_object_or_404(Flow.objects.filter(site__in=sites_in_full_view(who)).select_related("site", "ewc"),
                             pk=real_id(flow_id))
    if not can_edit_site(who, flow.site):
        raise PermissionDenied("you may not change this flow")
    return who, flow


@router.patch("/flows/{flow_id}", response={200: FlowOut, **DENIED, **FORBIDDEN, **HIDDEN, **INVALID}, tags=["flows"])
def update_flow(request, flow_id: int, payload: FlowPatch):
    """Change a flow of a site you may edit, through the flow form's validation (an imported flow is corrected)."""
    who, flow = _editable_flow(request, flow_id)
    current = {"site": flow.site_id, "direction": flow.direction, "kind": flow.kind, "label": flow.label,
               "ewc_code": flow.ewc.code if flow.ewc_id else "", "material_class": flow.material_class,
               "quantity": flow.quantity, "unit": flow.unit, "period": flow.period, "confidential": flow.confidential,
               "current_route": flow.current_route, "temperature_c": flow.temperature_c}
    changes = payload.dict(exclude_unset=True)
    for required in ("site", "direction", "kind", "label", "period", "confidential"):
        if required in changes and changes[required] is None:
            raise Invalid({required: [f"{required}: null is not allowed"]})
    form = flow_form(sites_in_full_view(who), {**current, **changes}, instance=flow)
    if not form.is_valid():
        raise form_invalid(form, FLOW_NAMES, whole="label")
    form.save(source="api", author=who)
    return flow_out(Flow.objects.get(pk=flow.pk))


@router.delete("/flows/{flow_id}", response={204: None, **DENIED, **FORBIDDEN, **HIDDEN}, tags=["flows"])
def delete_flow(request, flow_id: int):
    """Delete a flow of a site you may edit (its suggestions go with it, as on the pages)."""
    who, flow = _editable_flow(request, flow_id)
    services.delete_flow(who, flow)
    return 204, None
