"""Places in the API (a router for ``boucle.api.api``): public, as places are public records.

``GET /api/places?lat=&lon=`` (or ``?commune=``) gives the nearest places first, with
``distance_km``; without a position, places in commune and name order. Nothing is kept.
"""

from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from boucle.api.schemas import Error, ValidationErrors

from .models import ACTIONS, Place
from .services import find_commune, near, place_dict

router = Router(tags=["places"])


@router.get("", response={200: list[dict], 400: Error, 404: Error, 422: ValidationErrors}, auth=None, summary="Places to repair, give, sell, rent, drop off or recycle")
def list_places(request, lat: float | None = None, lon: float | None = None, commune: str = "", object: str = "",
                action: str = "", limit: int = 20):
    if action and action not in ACTIONS:
        raise HttpError(400, _("action : une de %(actions)s") % {"actions": ", ".join(ACTIONS)})
    if not 1 <= limit <= 200:
        raise HttpError(400, _("limit : entre 1 et 200"))
    if (lat is None) != (lon is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)):
        raise HttpError(400, _("lat et lon : ensemble, en degrés"))
    if lat is None and commune:
        found = find_commune(commune[:100])
        if found is None:
            raise HttpError(404, _("commune inconnue"))
        lat, lon = found.lat, found.lon
    if lat is not None:
        return near(lat, lon, object_text=object[:100], action=action or None, limit=limit)
    places = Place.objects.all()
    if action:
        places = [p for p in places if action in p.actions]
    out = [place_dict(p, 0.0) for p in list(places)[:limit]]
    for p in out:
        p["distance_km"] = None
    return out
