"""Which land entries answer a search: plain data in, plain data out (no Django).

A search keeps the entries in the territory's communes, at least ``min_area_m2`` large (and at
most ``max_area_m2``), of the kinds and statuses asked, with every servicing asked (rail, water,
power). The answer is ranked for somebody looking for land: available first, then under study,
then reconverted (kept, as a reference of what was done); within a status the largest first,
ties by identifier so the order is stable.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

PLOT, BUILDING, BROWNFIELD = "plot", "building", "brownfield"
KINDS = (PLOT, BUILDING, BROWNFIELD)
AVAILABLE, UNDER_STUDY, RECONVERTED = "available", "under_study", "reconverted"
STATUSES = (AVAILABLE, UNDER_STUDY, RECONVERTED)
SERVICING = ("rail", "water", "power")
OWNERSHIPS = ("public", "private", "mixed", "unknown")

#: Words people and inventories use for a kind or a status, accents and case ignored. The status
#: words include Cartofriches' "friche sans projet / avec projet / reconvertie".
KIND_WORDS = {
    "plot": PLOT, "terrain": PLOT, "parcelle": PLOT, "foncier": PLOT, "zone d'activite": PLOT, "land": PLOT,
    "building": BUILDING, "batiment": BUILDING, "batiment vacant": BUILDING, "local vacant": BUILDING,
    "vacant building": BUILDING, "entrepot": BUILDING,
    "brownfield": BROWNFIELD, "friche": BROWNFIELD, "friche industrielle": BROWNFIELD,
    "friche commerciale": BROWNFIELD, "friche d'activite": BROWNFIELD, "friche logistique": BROWNFIELD,
    "friche militaire": BROWNFIELD, "friche ferroviaire": BROWNFIELD, "friche portuaire": BROWNFIELD,
}
STATUS_WORDS = {
    "available": AVAILABLE, "disponible": AVAILABLE, "friche sans projet": AVAILABLE, "sans projet": AVAILABLE,
    "vacant": AVAILABLE, "libre": AVAILABLE,
    "under_study": UNDER_STUDY, "under study": UNDER_STUDY, "a l'etude": UNDER_STUDY, "projet a l'etude": UNDER_STUDY,
    "friche avec projet": UNDER_STUDY, "avec projet": UNDER_STUDY, "friche potentielle": UNDER_STUDY,
    "en projet": UNDER_STUDY,
    "reconverted": RECONVERTED, "reconverti": RECONVERTED, "reconvertie": RECONVERTED,
    "friche reconvertie": RECONVERTED,
}
OWNERSHIP_WORDS = {
    "public": "public", "publique": "public", "collectivite": "public", "etat": "public", "epf": "public",
    "private": "private", "prive": "private", "privee": "private", "entreprise": "private",
    "mixed": "mixed", "mixte": "mixed", "unknown": "unknown", "inconnu": "unknown", "": "unknown",
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").replace("’", "'")).encode("ascii", "ignore").decode().lower()
    return " ".join(text.replace("_", " ").split())


def word(table: dict, text: str) -> str | None:
    """The key ``text`` names in ``table`` (accents, case and underscores ignored), else None."""
    folded = fold(text)
    return table.get(folded, table.get(folded.replace(" ", "_")))


@dataclass(frozen=True)
class LandPoint:
    key: int
    identifier: str
    commune: str
    kind: str
    status: str
    area_m2: float
    servicing: tuple[str, ...] = ()


def search(points, *, communes: set[str] | None = None, min_area_m2: float | None = None,
           max_area_m2: float | None = None, kinds=None, statuses=None, servicing=()) -> list[LandPoint]:
    """The points that answer, ranked: available first, then the largest."""
    wanted = set(servicing)
    found = [p for p in points
             if (communes is None or p.commune in communes)
             and (min_area_m2 is None or p.area_m2 >= min_area_m2)
             and (max_area_m2 is None or p.area_m2 <= max_area_m2)
             and (not kinds or p.kind in kinds)
             and (not statuses or p.status in statuses)
             and wanted <= set(p.servicing)]
    return sorted(found, key=lambda p: (STATUSES.index(p.status), -p.area_m2, p.identifier))
