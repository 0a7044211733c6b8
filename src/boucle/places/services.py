"""The one write path for places (import from CSV, XLSX or JSON) and the queries pages, API and
command line share.

The import goes through the flows importers' validation path (``flows.tabular`` to read,
``flows.fields`` to parse a cell, ``flows.importers.Report`` to tell): every row is checked
first, with its line number (a JSON entry's number), and nothing is written unless all rows
pass (or ``partial`` is asked). A place without coordinates or without a commune is refused.
"""

import csv
import functools
from pathlib import Path
from urllib.parse import urlparse

from django.utils.translation import gettext as _

from boucle.flows import fields as F
from boucle.flows.importers import Report, _check_header, identified_rows, write_identified
from boucle.flows.tabular import read_table, with_aliases
from boucle.territories.coarse import public_point

from . import engine
from .models import Place

COLUMNS = ["identifier", "name", "address", "postcode", "commune", "commune_insee", "latitude", "longitude",
           "actions", "object_categories", "opening_hours", "website", "source", "source_date", "illustrative", "qualirepar"]
#: Column names of ADEME's "Que faire de mes objets" export read as ours.
ALIASES = {"identifiant_unique": "identifier", "nom": "name", "adresse": "address", "code_postal": "postcode",
           "ville": "commune", "code_commune_insee": "commune_insee", "horaires_description": "opening_hours",
           "url": "website", "sous_categories": "object_categories", "acteur_services": "actions",
           "date_de_la_source": "source_date", "illustratif": "illustrative",
           "label_qualirepar": "qualirepar"}
ACTION_WORDS = {
    "repair": "repair", "reparer": "repair", "réparer": "repair", "reparation": "repair", "réparation": "repair",
    "give": "give", "donner": "give", "don": "give",
    "sell": "sell", "vendre": "sell", "revendre": "sell", "vente": "sell",
    "rent": "rent", "louer": "rent", "location": "rent",
    "drop_off": "drop_off", "drop off": "drop_off", "deposer": "drop_off", "déposer": "drop_off",
    "depot": "drop_off", "dépôt": "drop_off", "trier": "drop_off",
    "recycle": "recycle", "recycler": "recycle", "recyclage": "recycle",
}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", "|").split("|") if part.strip()]


def parse_row(row: dict, communes: dict) -> dict:
    """One place's values from one row, or ``CellError`` naming the column."""
    name = row.get("name", "").strip()
    if not name:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "name"})
    lat = F.number("latitude", row.get("latitude", ""))
    lon = F.number("longitude", row.get("longitude", ""))
    if lat is None or lon is None:
        raise F.CellError(_("latitude, longitude : coordonnées obligatoires pour un lieu"))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise F.CellError(_("coordonnées hors limites (%(lat)s, %(lon)s)") % {"lat": lat, "lon": lon})
    insee = row.get("commune_insee", "").strip()
    commune = row.get("commune", "").strip()
    if insee:
        if insee not in communes:
            raise F.CellError(_("commune_insee: %(code)s inconnue") % {"code": insee})
        commune = commune or communes[insee]
    if not commune:
        raise F.CellError(_("commune : obligatoire (nom ou commune_insee)"))
    actions = []
    for word in _split(row.get("actions", "")):
        action = ACTION_WORDS.get(word.lower())
        if action is None:
            raise F.CellError(_("actions: %(word)s inconnue (repair, give, sell, rent, drop_off, recycle)")
                              % {"word": repr(word)})
        if action not in actions:
            actions.append(action)
    if not actions:
        raise F.CellError(_("actions: au moins une (repair, give, sell, rent, drop_off, recycle)"))
    categories = []
    for word in _split(row.get("object_categories", "")):
        key = word if word in engine.CATEGORIES else (engine.categories_for(word) or [None])[0]
        if key is None:
            raise F.CellError(_("object_categories: %(word)s inconnue") % {"word": repr(word)})
        if key not in categories:
            categories.append(key)
    website = row.get("website", "").strip()
    if website and (urlparse(website).scheme not in ("http", "https") or not urlparse(website).netloc):
        raise F.CellError(_("website: %(url)s n'est pas une adresse http(s)") % {"url": repr(website)})
    source = row.get("source", "").strip()
    if not source:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "source"})
    return {"name": name, "address": row.get("address", "").strip(), "postcode": row.get("postcode", "").strip(),
            "commune": commune, "commune_insee": insee, "lat": lat, "lon": lon, "actions": actions,
            "object_categories": categories, "opening_hours": row.get("opening_hours", "").strip(),
            "website": website, "source": source, "source_date": F.date("source_date", row.get("source_date", "")),
            "illustrative": F.boolean("illustrative", row.get("illustrative", ""), default=False),
            "qualirepar": F.boolean("qualirepar", row.get("qualirepar", ""), default=False)}


def import_places(path, *, partial: bool = False) -> Report:
    """Import places from a CSV, XLSX or JSON file; all or nothing unless ``partial``."""
    from boucle.territories.models import Commune

    path = Path(path)
    report = Report()
    table = read_table(path, json_key="places")
    table = with_aliases(table, ALIASES)
    _check_header(table.header, COLUMNS, ["identifier", "name", "latitude", "longitude", "actions", "source"], report)
    communes = dict(Commune.objects.values_list("insee", "name"))
    parsed = identified_rows(table, report, lambda row: parse_row(row, communes))
    if report.rejected and not partial:
        return report
    write_identified(Place, parsed, report)
    return report


# --- queries -----------------------------------------------------------------------------------

def _points(places):
    return [engine.PlacePoint(p.pk, p.lat, p.lon, tuple(p.actions), tuple(p.object_categories)) for p in places]


BONUS_FILE = Path(__file__).parent / "data" / "bonus_reparation.csv"


@functools.cache
def bonus_families() -> list:
    """The bonus réparation families of the shipped data file (every figure « à vérifier »)."""
    with BONUS_FILE.open(encoding="utf-8") as handle:
        return engine.bonus_families(csv.DictReader(handle))


def bonus_for_object(*texts: str) -> dict | None:
    """Whether an object (its name, its materials) is eligible for the bonus réparation."""
    return engine.bonus_for(bonus_families(), engine.categories_for(*texts), texts)


def _bonus(place: Place, categories, texts) -> dict | None:
    if any(texts) and not categories:  # an object nobody recognised: no claim about it
        return None
    return engine.place_bonus(bonus_families(), qualirepar=place.qualirepar, actions=place.actions,
                              place_categories=place.object_categories, categories=categories, texts=texts)


def place_dict(place: Place, km: float, bonus: dict | None = None) -> dict:
    """What anyone may read of a place (all of it is public), positions to 3 decimals; ``bonus``:
    the bonus réparation this repairer may apply for the object asked about (``engine.place_bonus``)."""
    return {"name": place.name, "address": ", ".join(x for x in (place.address, f"{place.postcode} {place.commune}".strip()) if x),
            "commune": place.commune, "actions": list(place.actions), "object_categories": list(place.object_categories),
            "opening_hours": place.opening_hours, "website": place.website, "distance_km": round(km, 1),
            **dict(zip(("lat", "lon"), public_point(place.lat, place.lon))), "source": place.source,
            "source_date": place.source_date.isoformat() if place.source_date else None,
            "illustrative": place.illustrative, "qualirepar": place.qualirepar, "bonus_reparation": bonus}


def near(lat: float, lon: float, *, object_text: str = "", action: str | None = None, limit: int = 20) -> list[dict]:
    """The ``limit`` nearest places for an object (free text) and an action, nearest first."""
    places = {p.pk: p for p in Place.objects.all()}
    categories = engine.categories_for(object_text) if object_text else None
    texts = (object_text,) if object_text else ()
    found = engine.nearest(_points(places.values()), lat, lon, action=action, categories=categories, limit=limit)
    return [place_dict(places[point.key], km, _bonus(places[point.key], categories, texts)) for point, km in found]


def near_per_action(lat: float, lon: float, categories, per_action: int = 3, texts=()) -> list[dict]:
    """For each action somebody offers: the nearest places taking one of ``categories``."""
    places = {p.pk: p for p in Place.objects.all()}
    found = engine.nearest_per_action(_points(places.values()), lat, lon, categories=categories,
                                      per_action=per_action)
    return [{"action": action, "places": [place_dict(places[point.key], km, _bonus(places[point.key], categories, texts))
                                          for point, km in ranked]}
            for action, ranked in found.items()]


def find_commune(text: str):
    """A commune from what a person types: its INSEE code, a postcode or its name (accents and
    case ignored); the most populous when several share it. None when unknown."""
    from boucle.territories.models import Commune

    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 5:
        found = (Commune.objects.filter(insee=text).first()
                 or Commune.objects.filter(postal_codes__contains=text).order_by("-population").first())
        if found:
            return found
    folded = engine._fold(text).replace("-", " ")
    candidates = Commune.objects.filter(name__icontains=text.split()[0][:4]) if len(text) >= 2 else Commune.objects.none()
    exact = [c for c in candidates if engine._fold(c.name).replace("-", " ") == folded]
    if not exact:
        exact = [c for c in Commune.objects.all().only("insee", "name", "population", "lat", "lon")
                 if engine._fold(c.name).replace("-", " ") == folded]
    return max(exact, key=lambda c: c.population or 0, default=None)
