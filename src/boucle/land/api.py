"""Land entries in the API (a router for ``boucle.api.api``): signed-in users, like the pages.

``GET /api/land?territory=&min_area_m2=`` ranks as the page does (available first, then the
largest); ``GET /api/land/{id}`` gives one entry by its identifier as imported. ``synergy_id`` and
``answer_id`` are given only to who may open that synergy or read that answer (else null).
"""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from boucle.api.common import user
from boucle.api.schemas import Error, ValidationErrors

from .models import LandSite
from .services import LandError, land_dict, search

router = Router(tags=["land"])


class LandFilters(Schema):
    territory: str = ""
    min_area_m2: float | None = None
    max_area_m2: float | None = None
    kind: list[str] = []
    status: list[str] = []
    servicing: list[str] = []


@router.get("", response={200: list[dict], 400: Error, 422: ValidationErrors, 401: Error, 403: Error}, summary="Economic land, vacant buildings and brownfields")
def list_land(request, filters: Query[LandFilters]):
    try:
        found = search(territory=filters.territory[:40], min_area_m2=filters.min_area_m2,
                       max_area_m2=filters.max_area_m2, kinds=filters.kind[:3], statuses=filters.status[:3],
                       servicing=filters.servicing[:3])
    except LandError as exc:
        raise HttpError(400, str(exc)) from None
    return [land_dict(s, user(request)) for s in found]


@router.get("/{identifier}", response={200: dict, 404: Error, 401: Error, 403: Error}, summary="One land entry")
def get_land(request, identifier: str):
    site = get_object_or_404(LandSite.objects.select_related("commune", "answer__call"), identifier=identifier)
    return land_dict(site, user(request))
