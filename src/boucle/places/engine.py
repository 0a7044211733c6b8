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
    "textile": ("vetement", "textile", "chaussure", "manteau", "veste", "pantalon", "clothes", "clothing", "shoe", "jacket",
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


# --- bonus réparation ------------------------------------------------------------------------------
#
# The repair bonus (« bonus réparation », loi AGEC art. 62, Code de l'environnement L541-10-4) is
# paid by the eco-organisations of a filière (ecosystem and Ecologic for electrical and electronic
# equipment, Refashion for clothes, linen and shoes) through a repairer labelled QualiRépar. The
# families, their object categories and amounts come from ``data/bonus_reparation.csv``; every
# row there is « à vérifier » and an amount is left empty when it is not known.

@dataclass(frozen=True)
class BonusFamily:
    key: str
    label_fr: str
    label_en: str
    categories: tuple[str, ...]
    words: tuple[str, ...]
    eco_organisations: tuple[str, ...]
    amount_eur: float | None
    amount_note_fr: str
    amount_note_en: str
    source: str
    checked: str
    checked_on: str


def bonus_families(rows) -> list[BonusFamily]:
    """The families from the data file's rows (dicts); a row naming an unknown category is an error."""
    families = []
    for row in rows:
        categories = tuple(c.strip() for c in row["categories"].split("|") if c.strip())
        unknown = [c for c in categories if c not in CATEGORIES]
        if not categories or unknown:
            raise ValueError(f"bonus_reparation: {row['family']}: unknown categories {unknown or '(none)'}")
        amount = row.get("amount_eur", "").strip()
        families.append(BonusFamily(
            key=row["family"].strip(), label_fr=row["label_fr"].strip(), label_en=row["label_en"].strip(),
            categories=categories, words=tuple(w.strip() for w in row.get("words", "").split("|") if w.strip()),
            eco_organisations=tuple(e.strip() for e in row["eco_organisations"].split("|") if e.strip()),
            amount_eur=float(amount) if amount else None, amount_note_fr=row.get("amount_note_fr", "").strip(),
            amount_note_en=row.get("amount_note_en", "").strip(), source=row["source"].strip(),
            checked=row["checked"].strip(), checked_on=row["checked_on"].strip()))
    return families


def _has_word(folded: str, term: str) -> bool:
    return bool(re.search(r"\b" + re.escape(_fold(term).replace("-", " ")) + r"(s|x|es)?\b", folded))


def bonus_for(families: list[BonusFamily], categories, texts=()) -> dict | None:
    """Whether an object is eligible for the bonus réparation, or None.

    ``texts`` (the object in words) pick the precise families (a washing machine); without a
    precise family, the object categories (``categories_for``) pick every family of those
    categories, and the amount is then left unknown unless they all share one. The answer
    carries the families, the eco-organisations, the amount in € (or None), the source and the
    check flag of the data file."""
    folded = " ".join(_fold(t).replace("-", " ") for t in texts if t)
    categories = set(categories or ())
    chosen = [f for f in families if f.words and folded and any(_has_word(folded, w) for w in f.words)
              and (not categories or set(f.categories) & categories)]
    if not chosen:
        chosen = [f for f in families if set(f.categories) & categories]
    if not chosen:
        return None
    amounts = {f.amount_eur for f in chosen}
    amount = amounts.pop() if len(amounts) == 1 else None
    notes_fr = [f.amount_note_fr for f in chosen if f.amount_note_fr]
    notes_en = [f.amount_note_en for f in chosen if f.amount_note_en]
    return {
        "eligible": True,
        "families": [f.key for f in chosen],
        "labels_fr": [f.label_fr for f in chosen],
        "labels_en": [f.label_en for f in chosen],
        "eco_organisations": list(dict.fromkeys(e for f in chosen for e in f.eco_organisations)),
        "amount_eur": amount,
        "amount_note_fr": notes_fr[0] if amount is None and len(set(notes_fr)) == 1 else "",
        "amount_note_en": notes_en[0] if amount is None and len(set(notes_en)) == 1 else "",
        "source": "; ".join(dict.fromkeys(f.source for f in chosen)),
        "checked": all(f.checked == "vérifié" for f in chosen),
        "checked_on": max(f.checked_on for f in chosen),
    }


def place_bonus(families: list[BonusFamily], *, qualirepar: bool, actions, place_categories, categories,
                texts=()) -> dict | None:
    """The bonus réparation a place can apply for an object: only a repairer labelled QualiRépar,
    and only for an eligible object it takes (every eligible family it repairs when no object is given)."""
    if not qualirepar or "repair" not in actions:
        return None
    place_categories = set(place_categories or ())
    if categories:
        wanted = set(categories) & place_categories if place_categories else set(categories)
    else:
        wanted, texts = place_categories or set(CATEGORIES), ()
    return bonus_for(families, wanted, texts) if wanted else None
