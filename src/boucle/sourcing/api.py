"""``GET /api/sourcing/search``: the command line's search for signed-in users, with ``for_viewer``'s rules."""

from ninja import Field, Query, Router, Schema

from . import services

router = Router(tags=["sourcing"])


class SearchIn(Schema):
    naf: str | None = Field(None, pattern=r"^\d{2}(\.?\d(\d[A-Za-z]?)?)?$", description="38, 38.3, 38.32 or 38.32Z")
    material: str | None = Field(None, max_length=60, description="material class key")
    text: str | None = Field(None, max_length=200, description="words of NAF labels")
    near: str = Field(min_length=1, max_length=120,
                      description="commune:INSEE, site:SITE_ID, LAT,LON, a commune name (Bailleul (59)), a postcode "
                                  "or an INSEE code")
    radius_km: float = Field(gt=0, le=services.MAX_RADIUS_KM)
    limit: int = Field(50, ge=0, le=500, description="at most this many named establishments, and at most as many "
                                                      "anonymous companies (listed by their activity division)")


class Error(Schema):
    detail: str


class Invalid(Schema):
    """The same 422 body as Django Ninja's: one item per problem (``loc``, ``msg``, ``type``)."""

    detail: list[dict]


@router.get("/search", response={200: list[dict], 401: Error, 422: Invalid})
def search(request, q: Query[SearchIn]):
    try:
        rows = services.search(naf=q.naf, material=q.material, text=q.text, near=q.near, radius_km=q.radius_km,
                               limit=max(0, min(q.limit, 500)), user=request.auth)
    except services.SourcingError as exc:
        return 422, {"detail": [{"loc": ["query"], "msg": str(exc), "type": "value_error"}]}
    return services.for_viewer(rows, request.auth)


class SubstitutesIn(Schema):
    material: str = Field(min_length=1, max_length=200, description="material class key or a label")
    near: str | None = Field(None, pattern=r"^(commune:[0-9AB]{5}|site:\S{1,64}|-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?)$",
                             description="commune:INSEE, site:SITE_ID or LAT,LON: also list establishments nearby")
    radius_km: float = Field(50, gt=0, le=services.MAX_RADIUS_KM)
    limit: int = Field(10, ge=0, le=100, description="establishments per substitute")


@router.get("/substitutes", response={200: dict, 401: Error, 422: Invalid})
def substitutes(request, q: Query[SubstitutesIn]):
    """What can replace a material (each substitution with its source and the critical raw materials
    it avoids) and, with ``near``, who nearby gives the substitute off, seen with ``for_viewer``'s rules."""
    try:
        return services.substitutes(q.material, near=q.near, radius_km=q.radius_km, limit=q.limit, user=request.auth)
    except services.SourcingError as exc:
        return 422, {"detail": [{"loc": ["query"], "msg": str(exc), "type": "value_error"}]}
