"""Which places are nearest for an object and an action: plain data in, plain data out.

Framework-free (no Django): distances on the sphere (haversine), so places across the border
are measured right; an object's text is read into the object categories places declare.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from boucle.matching.spatial import haversine_km

ACTIONS = ("repair", "give", "sell", "rent", "drop_off", "recycle")

#: Object categories (close to ADEME's "Que faire de mes objets" families) and the words, in
#: French, English and German, that put an object in them. Matched on accent-free lower-case
#: word starts, so "perceuse-visseuse" and "Akku" are found.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "small_appliance": ("petit electromenager", "grille-pain", "bouilloire", "aspirateur", "seche-cheveux",
                        "cafetiere", "mixeur", "robot", "fer a repasser", "toaster", "kettle", "vacuum",
                        "hair dryer", "wasserkocher", "staubsauger"),
    "large_appliance": ("gros electromenager", "lave-linge", "lave-vaisselle", "refrigerateur", "frigo",
                        "congelateur", "four", "cuisiniere", "seche-linge", "washing machine", "dishwasher",
                        "fridge", "freezer", "oven", "waschmaschine", "kuhlschrank"),
    "electronics": ("ordinateur", "portable", "telephone", "smartphone", "tablette", "ecran", "television",
                    "imprimante", "console", "computer", "laptop", "phone", "tablet", "screen", "printer",
                    "handy", "fernseher"),
    "tools": ("outil", "perceuse", "visseuse", "scie", "ponceuse", "meuleuse", "tondeuse", "drill", "tool",
              "saw", "sander", "mower", "bohrmaschine", "werkzeug", "sage"),
    "batteries": ("pile", "batterie", "accumulateur", "accu", "battery", "batteries", "akku", "cellule",
                  "cell", "lithium"),
    "bike": ("velo", "trottinette", "bicyclette", "bike", "bicycle", "scooter", "fahrrad"),
    "textile": ("vetement", "textile", "chaussure", "manteau", "clothes", "clothing", "shoe",
                "kleidung", "schuh"),
    "furniture": ("meuble", "chaise", "table", "armoire", "canape", "lit", "furniture", "chair", "sofa",
                  "mobel", "stuhl"),
    "toys": ("jouet", "jeu", "toy", "game", "spielzeug"),
    "books": ("livre", "disque", "dvd", "book", "buch"),
    "electrical_equipment": ("moteur", "machine", "equipement electrique", "electrique", "pompe", "compresseur",
                             "motor", "electric", "pump", "compressor", "maschine"),
    "vehicle_parts": ("vehicule", "voiture", "automobile", "pneu", "traction", "vehicle", "car", "tyre", "tire",
                      "fahrzeug", "reifen"),
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(text.replace("/", " ").replace(",", " ").replace("(", " ").replace(")", " ").split())


def categories_for(*texts: str) -> list[str]:
    """The object categories one or more descriptions of an object fall in (may be several:
    a cordless drill is a tool and holds a battery); [] when nothing is recognised. A term
    matches whole words, plural included ("piles", "batteries")."""
    folded = " ".join(_fold(t).replace("-", " ") for t in texts)
    found = []
    for key, terms in CATEGORIES.items():
        if any(re.search(r"\b" + re.escape(_fold(term).replace("-", " ")) + r"(s|x|es)?\b", folded)
               for term in terms):
            found.append(key)
    return found


@dataclass(frozen=True)
class PlacePoint:
    key: int
    lat: float
    lon: float
    actions: tuple[str, ...]
    categories: tuple[str, ...] = field(default=())  # empty: takes every object


def takes(point: PlacePoint, action: str | None, categories) -> bool:
    if action and action not in point.actions:
        return False
    return not categories or not point.categories or bool(set(categories) & set(point.categories))


def nearest(points: list[PlacePoint], lat: float, lon: float, *, action: str | None = None,
            categories=None, limit: int = 20) -> list[tuple[PlacePoint, float]]:
    """The ``limit`` nearest points doing ``action`` for one of ``categories``, nearest first
    (ties broken by key, so the answer is stable)."""
    chosen = [p for p in points if takes(p, action, categories)]
    if not chosen or limit <= 0:
        return []
    km = haversine_km(lat, lon, [p.lat for p in chosen], [p.lon for p in chosen]).tolist()
    ranked = sorted(zip(km, (p.key for p in chosen), chosen))
    return [(p, d) for d, _k, p in ranked[:limit]]


def nearest_per_action(points: list[PlacePoint], lat: float, lon: float, *, categories=None,
                       per_action: int = 3, actions=ACTIONS) -> dict[str, list[tuple[PlacePoint, float]]]:
    """For each action, the ``per_action`` nearest points; actions nobody offers are left out."""
    out = {}
    for action in actions:
        found = nearest(points, lat, lon, action=action, categories=categories, limit=per_action)
        if found:
            out[action] = found
    return out
