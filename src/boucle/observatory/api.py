"""Exports of a territory in the API (mounted by ``boucle.api.api``): the observatory page's files.

Same rule as the page (``views.territory_export``): the facilitators of the whole territory and the
administrator; ``public=true`` gives the public version of the indicators (figures behind too few
companies blanked), and flows and synergies, record-level data, are never public (422).
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from boucle.api.common import DENIED, FORBIDDEN, INVALID, Invalid, user
from boucle.territories.refs import TerritoryError, resolve

from . import exports
from .views import CONTENT_TYPES, can_view_territory

router = Router(tags=["observatory"])

FILE = {"content": {t.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                    for t in CONTENT_TYPES.values()}}


@router.get("/territories/{ref}/export/{what}", response={200: None, **DENIED, **FORBIDDEN, **INVALID},
            openapi_extra={"responses": {200: {"description": "the file", **FILE}}})
def export(request, ref: str, what: Literal["indicators", "flows", "synergies", "critical"],
           format: Literal["csv", "xlsx", "geojson"] = "csv", public: bool = False):
    """Indicators, flows or synergies of a territory as CSV, XLSX or GeoJSON (facilitators of the territory)."""
    try:
        territory = resolve(ref)
    except TerritoryError as exc:
        raise Invalid({"ref": [str(exc)]}, where="path") from None
    if not can_view_territory(user(request), territory):
        raise PermissionDenied(_("Réservé aux animateurs de ce territoire."))
    try:
        data = exports.export(territory, what, format, public, user=user(request))  # the page's rule, not the command line's
    except exports.ExportRefused as exc:
        raise Invalid({"public": [str(exc)]}, where="query") from None
    response = HttpResponse(data, content_type=CONTENT_TYPES[format])
    name = str(territory).replace(":", "-")
    response["Content-Disposition"] = f'attachment; filename="boucle-{name}-{what}.{format}"'
    return response
