"""EU critical and strategic raw materials (Regulation (EU) 2024/1252, Annexes I and II) and
which of them a material class contains. Read from `data/critical_raw_materials.csv` and
`data/class_crm.csv`; pure Python, no Django.

    crm_of_class("battery_li_ion_nmc")   # (ClassCRM(crm=..., note='cathode', ...), ...)
    classes_with_crm()                    # {'battery_li_ion_nmc': (...), ...}
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from .taxonomy import DATA_DIR, class_index

REGULATION = "Regulation (EU) 2024/1252 (Critical Raw Materials Act), Annexes I and II"


@dataclass(frozen=True, slots=True)
class CriticalRawMaterial:
    key: str
    name_fr: str
    name_en: str
    strategic: bool
    source: str

    def name(self, lang: str = "fr") -> str:
        return self.name_en if lang == "en" else self.name_fr


@dataclass(frozen=True, slots=True)
class ClassCRM:
    crm: CriticalRawMaterial
    note_fr: str
    note_en: str
    source: str

    def note(self, lang: str = "fr") -> str:
        return self.note_en if lang == "en" else self.note_fr


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def critical_raw_materials() -> dict[str, CriticalRawMaterial]:
    """key -> critical raw material, in the file's (alphabetical) order."""
    return {r["key"]: CriticalRawMaterial(r["key"], r["name_fr"], r["name_en"], r["strategic"] == "true", r["source"])
            for r in _read("critical_raw_materials.csv")}


@lru_cache(maxsize=1)
def classes_with_crm() -> dict[str, tuple[ClassCRM, ...]]:
    """class key -> the critical raw materials it contains (strategic ones first)."""
    crms, known = critical_raw_materials(), class_index()
    out: dict[str, list[ClassCRM]] = {}
    for r in _read("class_crm.csv"):
        if r["class_key"] not in known or r["crm_key"] not in crms:
            raise ValueError(f"class_crm.csv: unknown class or CRM in {r}")
        out.setdefault(r["class_key"], []).append(ClassCRM(crms[r["crm_key"]], r["note_fr"], r["note_en"], r["source"]))
    return {k: tuple(sorted(v, key=lambda c: (not c.crm.strategic, c.crm.key))) for k, v in out.items()}


def crm_of_class(key: str | None) -> tuple[ClassCRM, ...]:
    """The critical raw materials a class contains; empty for an unknown or blank class."""
    return classes_with_crm().get(key or "", ())


def has_crm(key: str | None) -> bool:
    return bool(crm_of_class(key))


def has_strategic(key: str | None) -> bool:
    return any(c.crm.strategic for c in crm_of_class(key))
