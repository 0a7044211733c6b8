"""Why a proposal is made, in words: French, English with BOUCLE_LANG=en.

The pipeline stores a language-neutral explanation (classes, the rule that made the receiver a
candidate and its source, hazard, distance); this module says it as a person would: what the
receiver does with the material, where that rule comes from, how far, and what the hazard
implies. It never shows the engine's factor names nor its numbers (plausibility, decay...).
Used by ``boucle match`` (field ``explanation.text`` and the table) and by the synergy cards.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

NAF_CSV = Path(__file__).resolve().parents[1] / "data" / "reference" / "naf.csv"
CLASSES_CSV = Path(__file__).resolve().parents[1] / "materials" / "data" / "classes.csv"


def _en() -> bool:
    return (get_language() or "fr").startswith("en")


@lru_cache(maxsize=1)
def _naf() -> dict[str, tuple[str, str]]:
    with NAF_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: (r["label_fr"], r["label_en"] or r["label_fr"]) for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _classes() -> dict[str, tuple[str, str]]:
    with CLASSES_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["key"]: (r["label_fr"], r["label_en"]) for r in csv.DictReader(fh)}


def activity_label(code: str | None) -> str:
    labels = _naf().get(code or "")
    if not labels:
        return code or ""
    return labels[1] if _en() else labels[0]


def material_label(key: str | None) -> str:
    labels = _classes().get(key or "")
    if not labels:
        return key or ""
    return labels[1] if _en() else labels[0]


def _rule_activity(explanation: dict) -> str | None:
    code = explanation.get("receiver_activity")
    if not code:  # explanations stored before the field existed: in:<nace prefix>:<class>
        m = re.match(r"^in:([0-9.]+):", explanation.get("rule_id") or "")
        code = m.group(1) if m else None
    return code


def _number(value: float) -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return text.replace(",", " ") if _en() else text.replace(",", "\u202f").replace(".", ",")


def explanation_parts(explanation: dict, *, distance_km: float | None = None, quantity: float | None = None,
                      unit: str | None = None) -> list[tuple[str, str]]:
    """(heading, sentence) pairs, most important first. ``quantity`` only where the reader may
    see the offer's exact figure (the command line, the offering company)."""
    if not isinstance(explanation, dict):
        return []
    parts: list[tuple[str, str]] = []
    offer_class, need_class = explanation.get("offer_class"), explanation.get("need_class")
    need = material_label(need_class)
    if explanation.get("declared_need") or (explanation.get("declared_need") is None and not explanation.get("rule_id")
                                            and need_class):
        parts.append((_("Usage"), _("le site receveur a déclaré un besoin de %(material)s") % {"material": need}))
    elif need_class:
        code = _rule_activity(explanation)
        if code:
            parts.append((_("Usage"), _("une activité « %(activity)s » utilise habituellement : %(material)s")
                          % {"activity": activity_label(code), "material": need}))
        else:
            parts.append((_("Usage"), _("le site receveur utilise habituellement : %(material)s") % {"material": need}))
        if explanation.get("source"):
            parts.append((_("Source"), str(explanation["source"])))
    if offer_class and need_class and offer_class != need_class:
        parts.append((_("Substitution"), _("%(offer)s peut remplacer %(need)s")
                      % {"offer": material_label(offer_class), "need": need}))
    if explanation.get("hazardous"):
        parts.append((_("Danger"), _("déchet dangereux : le site receveur est autorisé à traiter ce type de déchet")))
    if quantity is not None and unit:
        parts.append((_("Quantité"), _("%(quantity)s %(unit)s par an offerts") % {"quantity": _number(quantity), "unit": unit}))
    if distance_km is not None:
        parts.append((_("Distance"), _("%(km)s km") % {"km": _number(distance_km)}))
    return parts


def explanation_text(explanation: dict, **kwargs) -> str:
    """The parts as one line: « Usage : … · Source : … · Distance : 12,3 km »."""
    return " · ".join(f"{head} : {text}" if not _en() else f"{head}: {text}"
                      for head, text in explanation_parts(explanation, **kwargs))


class ExplanationWriter:
    """:func:`explanation_text` for the many proposals of one run, same text: the parts that depend
    on the classes and the rule are worded once per combination, the quantity and distance per row."""

    def __init__(self):
        self.en = _en()
        self.static: dict[tuple, list[str]] = {}
        self.numbers: dict[float, str] = {}
        self.quantity = (_("Quantité"), _("%(quantity)s %(unit)s par an offerts"))
        self.distance = (_("Distance"), _("%(km)s km"))

    def _part(self, head: str, text: str) -> str:
        return f"{head}: {text}" if self.en else f"{head} : {text}"

    def _number(self, value: float) -> str:
        text = self.numbers.get(value)
        if text is None:
            text = self.numbers[value] = _number(value)
        return text

    def __call__(self, offer_class, need_class, declared_need, rule_id, receiver_activity, source, hazardous,
                 distance_km=None, quantity=None, unit=None) -> str:
        key = (offer_class, need_class, declared_need, rule_id, receiver_activity, source, hazardous)
        parts = self.static.get(key)
        if parts is None:
            explanation = {"offer_class": offer_class, "need_class": need_class, "declared_need": declared_need,
                           "rule_id": rule_id, "receiver_activity": receiver_activity, "source": source,
                           "hazardous": hazardous}
            parts = self.static[key] = [self._part(h, t) for h, t in explanation_parts(explanation)]
        out = list(parts)
        if quantity is not None and unit:
            head, text = self.quantity
            out.append(self._part(head, text % {"quantity": self._number(quantity), "unit": unit}))
        if distance_km is not None:
            head, text = self.distance
            out.append(self._part(head, text % {"km": self._number(distance_km)}))
        return " · ".join(out)
