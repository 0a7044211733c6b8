"""The wording of the recovery and disposal operations (R1–R13, D1–D15, Directive 2008/98/EC annexes I
and II) as shipped in ``data/reference/operations.csv``: what a waste contract's « R3 » says in words."""

import csv
from functools import lru_cache

from boucle.paths import DATA_DIR


@lru_cache(maxsize=1)
def _operations() -> dict[str, tuple[str, str]]:
    with DATA_DIR.joinpath("reference", "operations.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: (r["label_fr"], r.get("label_en") or r["label_fr"]) for r in csv.DictReader(fh)}


def operation_wording(code: str, lang: str = "fr") -> str | None:
    """The annex's wording of an operation code (« R4 » → « Recyclage ou récupération des métaux et des
    composés métalliques »), None for a code the annexes do not list."""
    labels = _operations().get((code or "").strip().upper())
    if labels is None:
        return None
    return labels[1] if lang.startswith("en") else labels[0]
