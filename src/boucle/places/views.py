"""The public map of places: for an object and an action, the nearest places around the
person's position (asked by the browser, rounded to 3 decimals, never stored) or a commune
they type. Places only: Boucle's company sites never appear here."""

import datetime
import json

from django.shortcuts import render
from django.utils.translation import get_language

from boucle.territories import coarse

from . import engine
from .models import ACTION_LABELS, ACTIONS
from .services import find_commune, near, near_per_action


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) <= 180 else None


def origin_from(request) -> dict:
    """Where to search from: ``?lat=&lon=`` (the browser's position, coarsened) or ``?commune=``."""
    lat, lon = _float(request.GET.get("lat")), _float(request.GET.get("lon"))
    typed = (request.GET.get("commune") or "").strip()[:100]
    if lat is not None and lon is not None and abs(lat) <= 90:
        lat, lon = coarse.public_point(lat, lon)
        return {"lat": lat, "lon": lon, "from_browser": True, "commune": "", "typed": typed, "unknown": False}
    commune = find_commune(typed) if typed else None
    if commune:
        lat, lon = coarse.public_point(commune.lat, commune.lon)
        return {"lat": lat, "lon": lon, "from_browser": False,
                "commune": commune.name, "typed": typed, "unknown": False}
    return {"lat": None, "lon": None, "from_browser": False, "commune": "", "typed": typed, "unknown": bool(typed)}


def bonus_words(bonus: dict | None) -> dict | None:
    """The bonus réparation in the reader's language: families, amount or note (template-ready)."""
    if not bonus:
        return None
    english = (get_language() or "fr").startswith("en")
    return bonus | {"labels": bonus["labels_en" if english else "labels_fr"],
                    "amount_note": bonus["amount_note_en" if english else "amount_note_fr"],
                    "checked_on_date": datetime.date.fromisoformat(bonus["checked_on"])}


def labelled(places: list[dict]) -> list[dict]:
    for p in places:
        p["action_labels"] = [str(ACTION_LABELS[a]) for a in p["actions"]]
        p["bonus"] = bonus_words(p.get("bonus_reparation"))
        p["source_day"] = datetime.date.fromisoformat(p["source_date"]) if p.get("source_date") else None
    return places


def map_json(groups_or_places) -> str:
    return json.dumps([{k: p[k] for k in ("name", "commune", "lat", "lon", "distance_km", "illustrative")}
                       for p in groups_or_places], ensure_ascii=False)


def map_view(request):
    """GET the public map of places. Anonymous; nothing about the search is kept."""
    origin = origin_from(request)
    object_text = (request.GET.get("objet") or request.GET.get("object") or "").strip()[:100]
    action = request.GET.get("action") if request.GET.get("action") in ACTIONS else ""
    places = []
    if origin["lat"] is not None:
        places = labelled(near(origin["lat"], origin["lon"], object_text=object_text, action=action or None, limit=20))
    context = {"origin": origin, "object_text": object_text, "action": action, "places": places,
               "categories": engine.categories_for(object_text) if object_text else [],
               "actions": [(a, ACTION_LABELS[a]) for a in ACTIONS], "places_json": map_json(places)}
    return render(request, "places/map.html", context)


def for_passport(origin: dict, *texts: str) -> list[dict]:
    """The passport page's list: per action, the 3 nearest places for the object's categories."""
    if origin.get("lat") is None:
        return []
    groups = near_per_action(origin["lat"], origin["lon"], engine.categories_for(*texts) or None, texts=texts)
    for group in groups:
        group["label"] = ACTION_LABELS[group["action"]]
        labelled(group["places"])
    return groups
