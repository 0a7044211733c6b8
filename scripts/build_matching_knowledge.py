#!/usr/bin/env python
"""Copy the reference files the matching knowledge base reads at run time into the package.

The hand-written rule tables (activity_inputs.csv, activity_outputs.csv, activity_phrases.csv,
hazardous_receivers.csv) are authored knowledge, edited by hand and not produced here. This script
only derives the two files that come from /work/shared, keeping the columns used:

- knowledge/data/nace_rev2_notes.csv: NACE Rev. 2 (Eurostat RAMON) codes, titles and the
  "includes / also includes" explanatory notes, used by the fallback activity → NACE matcher.
- knowledge/eval/maestri_exchanges_dev.csv + maestri_references_dev.csv: the MAESTRI development
  set, used by `boucle evaluate maestri` and by the tests (a clone must test without /work/shared).
  A derived column `ewc_hazardous` gives the hazardous flag of the official List of Waste for each
  EWC code, so the evaluation needs no other table.

Deterministic; run from the repository root:  .venv/bin/python scripts/build_matching_knowledge.py
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOW = ROOT / "src" / "boucle" / "matching" / "knowledge"

MAESTRI_COLUMNS = [
    ("case", "Case Number"),
    ("index", "Index"),
    ("provider_nace", "NACE code - Providing industry"),
    ("provider_activity", "Providing industry (according to original database)"),
    ("provider_company", "Company name - Providing industry"),
    ("receiver_nace", "NACE code - Receiving industry"),
    ("receiver_activity", "Receiving industry (according to original database)"),
    ("receiver_company", "Company name - Receiving industry"),
    ("waste_description", "Waste description"),
    ("ewc_code", "EWC code"),
    ("status", "Status of development"),
    ("country", "Country"),
]


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows, {path.stat().st_size} bytes")


def clean_note(text: str) -> str:
    """Notes keep their item lists but lose the boilerplate head and layout."""
    text = re.sub(r"^This (class|group|division|section) (also )?includes:?", "", text.strip())
    text = re.sub(r"\s*\n\s*[-.]?\s*", "; ", text)
    return re.sub(r"\s+", " ", text).strip("; ").strip()


def build(shared: Path) -> None:
    nace = read(shared / "data" / "naf_nace" / "nace_rev2_en.csv")
    rows = []
    for r in nace:
        if r["Level"] == "1":
            continue  # sections have no numeric code and are too broad to match on
        rows.append([r["Code"], r["Level"], r["Description"].strip(),
                     clean_note(r["This item includes"]), clean_note(r["This item also includes"])])
    write(KNOW / "data" / "nace_rev2_notes.csv", ["code", "level", "title", "includes", "also_includes"], rows)

    haz = {r["code"]: r["isHazardous"] == "True"
           for r in read(shared / "data" / "waste_codes" / "ewc_list_of_waste_en.csv")}
    rows = []
    for r in read(shared / "data" / "symbiosis" / "maestri_exchanges_dev.csv"):
        codes = [re.sub(r"\D", "", c) for c in r["EWC code"].split(";")]
        flag = any(haz.get(c, False) for c in codes if c)
        rows.append([r[src].strip() for _, src in MAESTRI_COLUMNS] + ["true" if flag else "false"])
    write(KNOW / "eval" / "maestri_exchanges_dev.csv", [c for c, _ in MAESTRI_COLUMNS] + ["ewc_hazardous"], rows)

    refs = read(shared / "data" / "symbiosis" / "maestri_references_dev.csv")
    cols = ["Case Identifier", "Authors", "Year of publication", "Title", "Country", "Reference"]
    write(KNOW / "eval" / "maestri_references_dev.csv", ["case", "authors", "year", "title", "country", "reference"],
          [[r[c] for c in cols] for r in refs])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("/work/shared"))
    build(ap.parse_args().shared)
