"""``GET /api/sourcing/search``: the command line's search for signed-in users, with ``for_viewer``'s rules."""

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from . import services

router = Router(tags=["sourcing"])


class SearchIn(Schema):
    naf: str | None = None
    material: str | None = None
    text: str | None = None
    near: str
    radius_km: str
    limit: int = 50


@router.get("/search", response=list[dict])
def search(request, q: Query[SearchIn]):
    try:
        rows = services.search(naf=q.naf, material=q.material, text=q.text, near=q.near, radius_km=q.radius_km,
                               limit=max(0, min(q.limit, 500)))
    except services.SourcingError as exc:
        raise HttpError(422, str(exc)) from None
    return services.for_viewer(rows, request.auth)
