"""What can replace a material class: sourced substitutions (`data/substitutions.csv`), with the
critical raw materials (Regulation (EU) 2024/1252) each one avoids. Pure Python, no Django.

    substitutes_for("ndfeb_magnets")
    # [Substitution(for_key='ndfeb_magnets', substitute_key='ferrite_magnets', kind='technology',
    #               avoids=('boron', 'cobalt', 'ree_magnets', 'hree', 'lree'), ...), ...]

`kind`: technology (another material or design does the job in some uses), recycled (the same
function from a secondary material), reuse (the same object, reused or repurposed). A
substitution holds for the uses it names, never in general.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from .crm import crm_of_class
from .taxonomy import DATA_DIR, class_index

KINDS = ("technology", "recycled", "reuse")


@dataclass(frozen=True, slots=True)
class Substitution:
    for_key: str
    substitute_key: str
    kind: str
    use_fr: str
    use_en: str
    source: str
    avoids: tuple[str, ...]  # critical raw materials of for_key that the substitute does not contain

    def use(self, lang: str = "fr") -> str:
        return self.use_en if lang == "en" else self.use_fr


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    with open(DATA_DIR / "substitutions.csv", newline="", encoding="utf-8") as f:
        rows = tuple(csv.DictReader(f))
    known = class_index()
    for i, r in enumerate(rows, start=2):
        if r["for_key"] not in known or r["substitute_key"] not in known or r["kind"] not in KINDS \
                or not r["source"].strip():
            raise ValueError(f"substitutions.csv line {i}: unknown class, unknown kind or no source: {r}")
    return rows


def substitutes_for(key: str) -> list[Substitution]:
    """Sourced substitutions for a class, those that avoid the most critical raw materials first."""
    if key not in class_index():
        raise KeyError(f"unknown material class {key!r}")
    mine = {c.crm.key for c in crm_of_class(key)}
    out = []
    for r in _rows():
        if r["for_key"] != key:
            continue
        theirs = {c.crm.key for c in crm_of_class(r["substitute_key"])}
        avoids = tuple(sorted(mine - theirs)) if r["substitute_key"] != key else ()
        out.append(Substitution(key, r["substitute_key"], r["kind"], r["use_fr"], r["use_en"], r["source"], avoids))
    return sorted(out, key=lambda s: (-len(s.avoids), KINDS.index(s.kind), s.substitute_key))


def documented_classes() -> list[str]:
    """Classes with at least one documented substitution, in file order."""
    return list(dict.fromkeys(r["for_key"] for r in _rows()))
