"""The material classes, their synonyms and the EWC mapping, read once from the shipped CSVs.

Plain CSV + dataclasses on purpose: the impact and matching engines (and the Django loader)
read the same files without importing one another, and a facilitator can review them in a
spreadsheet.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class MaterialClass:
    key: str
    role: str  # by_product | virgin | utility | product | equipment
    kind: str  # material | energy | water | equipment | service
    group: str
    physical_state: str  # solid | liquid | gas | sludge | energy | "" (services)
    hazardous_possible: bool
    label_fr: str
    label_en: str
    density_t_per_m3: float | None
    density_source: str

    def label(self, lang: str = "fr") -> str:
        return self.label_en if lang == "en" else self.label_fr


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _classes() -> tuple[MaterialClass, ...]:
    return tuple(
        MaterialClass(
            key=r["key"], role=r["role"], kind=r["kind"], group=r["group"],
            physical_state=r["physical_state"],
            hazardous_possible=r["hazardous_possible"] == "true",
            label_fr=r["label_fr"], label_en=r["label_en"],
            density_t_per_m3=float(r["density_t_per_m3"]) if r["density_t_per_m3"] else None,
            density_source=r["density_source"],
        )
        for r in _read("classes.csv")
    )


def load_classes() -> list[MaterialClass]:
    """All classes in file order; the position is the index used by `classify_labels`."""
    return list(_classes())


@lru_cache(maxsize=1)
def class_index() -> dict[str, int]:
    """key -> position in `load_classes()`."""
    return {c.key: i for i, c in enumerate(_classes())}


def get_class(key: str) -> MaterialClass:
    try:
        return _classes()[class_index()[key]]
    except KeyError:
        raise KeyError(f"unknown material class {key!r}") from None


@lru_cache(maxsize=1)
def load_synonyms() -> tuple[tuple[str, str, str], ...]:
    """(key, lang, synonym) rows; lang is fr, en or any."""
    return tuple((r["key"], r["lang"], r["synonym"]) for r in _read("synonyms.csv"))


@lru_cache(maxsize=1)
def ewc_table() -> dict[str, tuple[str, bool, str]]:
    """code6 -> (class key, hazardous, method that decided it)."""
    return {r["code6"]: (r["key"], r["hazardous"] == "true", r["method"])
            for r in _read("ewc_to_class.csv")}


@lru_cache(maxsize=1)
def hazardous_classes() -> frozenset[str]:
    """Classes that are hazardous whatever the code: every European List of Waste entry mapped to
    them carries the hazard marker (asbestos, PCB, spent solvents, waste oil...)."""
    codes: dict[str, list[bool]] = {}
    for key, hazardous, _method in ewc_table().values():
        codes.setdefault(key, []).append(hazardous)
    return frozenset(k for k, flags in codes.items() if flags and all(flags))


@lru_cache(maxsize=1)
def ewc_descriptions() -> dict[str, tuple[str, str]]:
    """code6 -> (English, French) description of the European List of Waste entry."""
    return {r["code6"]: (r["description_en"], r["description_fr"])
            for r in _read("ewc_to_class.csv")}
