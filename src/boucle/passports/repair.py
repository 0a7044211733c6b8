"""Repairability on a passport, plain data in and out (no Django): the French repairability or
durability index of the product's category (Code de l'environnement, art. L541-9-2), spare parts
(how long they stay available, how fast they are delivered) and disassembly steps with their tools.

The repairability index is a score out of 10: five criteria each scored out of 20 — technical
documentation, ease of disassembly, availability of spare parts, price of spare parts, a
criterion specific to the category — summed out of 100 and divided by 10. The durability index
(televisions and front-loading washing machines since 2025) adds reliability criteria; its
score is entered as published. The categories and their legal basis are in
``data/repairability_categories.csv``, flagged « à vérifier » where written from memory.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

from boucle.messages import Message
from boucle.messages import gettext_noop as _

CATEGORIES_CSV = Path(__file__).parent / "data" / "repairability_categories.csv"
CRITERIA = ("documentation", "disassembly", "spare_parts_availability", "spare_parts_price", "specific")
#: Colour bands of the index's display, from red (0–1.9) to dark green (8–10).
BANDS = ((2.0, "red"), (4.0, "orange"), (6.0, "yellow"), (8.0, "light_green"), (10.01, "dark_green"))
MAX_PARTS, MAX_STEPS, MAX_TEXT = 200, 100, 500


@lru_cache(maxsize=1)
def categories() -> dict[str, dict]:
    with CATEGORIES_CSV.open(encoding="utf-8") as fh:
        return {row["category"]: row for row in csv.DictReader(fh)}


def score_from_criteria(criteria: dict) -> float:
    """The repairability index out of 10 from its five criteria out of 20."""
    return round(sum(float(criteria[c]) for c in CRITERIA) / 10, 1)


def band(score: float) -> str:
    return next(name for upper, name in BANDS if score < upper)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(value, limit=MAX_TEXT) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= limit


def _m(code: str, msgid: str, **params) -> Message:
    return Message("passports." + code, msgid, params)


def repairability_errors(data) -> list[Message]:
    """What is wrong with a passport's ``repairability`` (empty list when valid or empty)."""
    if data in (None, {}):
        return []
    if not isinstance(data, dict):
        return [_m("repairability", _("un objet {category, score ou criteria, source} est attendu"))]
    errors = []
    category = data.get("category")
    if category not in categories():
        errors.append(_m("repairability-category", _("category « %(category)s » : une de %(categories)s (aucun "
                                                      "indice n'existe pour les autres produits)"),
                         category=category, categories=", ".join(categories())))
    criteria = data.get("criteria")
    if criteria is not None:
        if not isinstance(criteria, dict) or set(criteria) != set(CRITERIA):
            errors.append(_m("repairability-criteria", _("criteria : les cinq critères %(criteria)s, chacun sur 20"),
                             criteria=", ".join(CRITERIA)))
        elif not all(_finite(v) and 0 <= v <= 20 for v in criteria.values()):
            errors.append(_m("repairability-criteria", _("criteria : chacun entre 0 et 20")))
    score = data.get("score")
    if score is None and criteria is None:
        errors.append(_m("repairability-score", _("score (sur 10) ou criteria est attendu")))
    if score is not None and not (_finite(score) and 0 <= score <= 10):
        errors.append(_m("repairability-score", _("score : entre 0 et 10")))
    if not errors and score is not None and criteria is not None and abs(score - score_from_criteria(criteria)) > 0.1:
        errors.append(_m("repairability-score", _("score %(score)s ne découle pas des critères (%(expected)s)"),
                         score=score, expected=score_from_criteria(criteria)))
    if not _text(data.get("source", ""), 300):
        errors.append(_m("repairability-source", _("source : où la note a été publiée (l'étiquette, la page du "
                                                   "fabricant)")))
    return errors


def spare_parts_errors(parts) -> list[Message]:
    if parts in (None, []):
        return []
    if not isinstance(parts, list) or len(parts) > MAX_PARTS:
        return [_m("spare-parts", _("une liste de %(max)s pièces au plus"), max=MAX_PARTS)]
    errors = []
    for i, part in enumerate(parts):
        if not isinstance(part, dict) or not _text(part.get("part", "")):
            errors.append(_m("spare-parts", _("entrée %(i)s : « part » manquant"), i=i))
            continue
        years, days = part.get("available_years"), part.get("delivery_days")
        if years is not None and not (_finite(years) and 0 <= years <= 50):
            errors.append(_m("spare-parts", _("entrée %(i)s : available_years entre 0 et 50"), i=i))
        if days is not None and not (_finite(days) and 0 <= days <= 365):
            errors.append(_m("spare-parts", _("entrée %(i)s : delivery_days entre 0 et 365"), i=i))
    return errors


def disassembly_errors(steps) -> list[Message]:
    if steps in (None, []):
        return []
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        return [_m("disassembly", _("une liste de %(max)s étapes au plus"), max=MAX_STEPS)]
    errors = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not _text(step.get("step", "")):
            errors.append(_m("disassembly", _("étape %(i)s : « step » manquant (ce qu'il faut faire)"), i=i))
            continue
        tools = step.get("tools", [])
        if not isinstance(tools, list) or not all(_text(t, 100) for t in tools):
            errors.append(_m("disassembly", _("étape %(i)s : tools est une liste de noms"), i=i))
    return errors


def summary(data: dict | None, parts: list | None) -> dict | None:
    """What a citizen reads: the index (score, band, kind, category) and the spare parts' horizon."""
    if not data and not parts:
        return None
    out = {}
    if data:
        score = data.get("score")
        if score is None:
            score = score_from_criteria(data["criteria"])
        cat = categories()[data["category"]]
        out.update(score=score, band=band(score), index=cat["index"], category=data["category"],
                   category_fr=cat["label_fr"], category_en=cat["label_en"], criteria=data.get("criteria"),
                   source=data.get("source", ""))
    years = [p["available_years"] for p in parts or [] if p.get("available_years") is not None]
    if years:
        out["spare_parts_years_min"] = min(years)
    return out
