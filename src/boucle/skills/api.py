"""Skills in the API (a router for ``boucle.api.api``), with the pages' rights.

- ``GET /api/skills/match?territory=REF``: the territory's document (facilitators of it).
- ``GET /api/skills/declarations``: the declarations the caller may see (own company's; a
  facilitator's territories); ``POST /api/skills/declarations``: declare for one of the caller's
  company's sites, validated by the same rule as the form and the import.
- ``GET /api/skills/trainings``: training offers and apprenticeships.
"""

from django.db.models import Q
from ninja import Router, Schema
from ninja.errors import HttpError

from boucle.accounts.access import facilitated_q, member_company_ids
from boucle.api.schemas import Error, ValidationErrors
from boucle.flows import fields as F
from boucle.flows.models import Site

from . import services
from .models import SkillDeclaration, TrainingOffer

router = Router(tags=["skills"])


class DeclarationIn(Schema):
    site_id: str
    direction: str = "need"
    rome_code: str = ""
    label: str = ""
    level: str = ""
    headcount: int = 1
    horizon_months: int = 6
    note: str = ""


def _declaration(d: SkillDeclaration) -> dict:
    return {"id": d.pk, "site_id": d.site.site_id, "direction": d.direction, "rome_code": d.rome_code,
            "label": d.label, "level": d.level, "headcount": d.headcount, "horizon_months": d.horizon_months,
            "illustrative": d.illustrative}


@router.get("/match", response={200: dict, 400: Error, 403: Error, 401: Error}, summary="A territory's skill needs, training nearby and pools")
def match(request, territory: str, radius_km: float | None = None):
    from .views import can_view_territory

    try:
        ref = services.resolve_territory(territory[:40])
    except services.SkillsError as exc:
        raise HttpError(400, str(exc)) from None
    if not can_view_territory(request.user, ref):
        raise HttpError(403, "forbidden")
    try:
        return services.for_viewer(services.match_territory(str(ref), radius_km=radius_km), request.user)
    except services.SkillsError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/declarations", response={200: list[dict], 401: Error, 403: Error}, summary="Skill needs and offers the caller may see")
def declarations(request):
    user = request.user
    q = Q(site__company_id__in=member_company_ids(user))
    territories = facilitated_q(user, "site__commune__")
    if territories is not None:
        q |= territories
    rows = SkillDeclaration.objects.all() if user.is_superuser else SkillDeclaration.objects.filter(q)
    return [_declaration(d) for d in rows.select_related("site")[:5000]]


@router.post("/declarations", response={201: dict, 404: Error, 422: ValidationErrors, 401: Error, 403: Error}, summary="Declare a skill need or offer")
def declare(request, body: DeclarationIn):
    site = Site.objects.filter(site_id=body.site_id[:64], company_id__in=member_company_ids(request.user)).first()
    if site is None:
        raise HttpError(404, "site_id")
    try:
        values = services.clean_declaration({k: str(v) for k, v in body.dict().items()})
    except F.CellError as exc:
        message = str(exc)
        field = message.split(":")[0].strip().split()[0] if ":" in message else "body"
        return 422, {"detail": [{"loc": ["body", "body", field], "msg": message, "type": "value_error"}]}
    services.save_declarations([(site, values)], source="api", user=request.user)
    found = SkillDeclaration.objects.select_related("site").get(
        site=site, direction=values["direction"], rome_code=values["rome_code"], label=values["label"])
    return 201, _declaration(found)


@router.get("/trainings", response={200: list[dict], 401: Error, 403: Error}, summary="Training offers and apprenticeships")
def trainings(request):
    return [services.training_doc(t) for t in TrainingOffer.objects.select_related("commune")[:5000]]
