"""Load the reference tables and geography shipped in ``boucle/data`` into the database.

Idempotent: a table that already holds the shipped rows is left alone, so every
command can call ``ensure_loaded`` on start-up for free.
"""

import csv

from django.db import transaction

from boucle.paths import DATA_DIR
from boucle.territories.models import Commune, Departement, Epci, Region

from .models import ActivityCode, TreatmentOperation, WasteCode


def _rows(*parts):
    with DATA_DIR.joinpath(*parts).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _int(text):
    return int(text) if text not in ("", None) else None


def is_loaded() -> bool:
    return WasteCode.objects.exists() and Commune.objects.exists() and ActivityCode.objects.exists()


@transaction.atomic
def load_reference() -> dict:
    counts = {}
    if not Region.objects.exists():
        Region.objects.bulk_create([Region(code=r["code"], name=r["nom"]) for r in _rows("geo", "regions.csv")])
        Departement.objects.bulk_create([Departement(code=r["code"], name=r["nom"], region_id=r["region"])
                                         for r in _rows("geo", "departements.csv")])
        Epci.objects.bulk_create([Epci(siren=r["siren"], name=r["nom"], kind=r["type"], population=_int(r["population"]))
                                  for r in _rows("geo", "epci.csv")])
        Commune.objects.bulk_create([
            Commune(insee=r["code_insee"], name=r["nom"], departement_id=r["departement"],
                    epci_id=r["epci_siren"] or None, population=_int(r["population"]),
                    lat=float(r["lat"]), lon=float(r["lon"]), postal_codes=r["codes_postaux"])
            for r in _rows("geo", "communes.csv")], batch_size=1000)
    if not WasteCode.objects.exists():
        WasteCode.objects.bulk_create([
            WasteCode(code6=r["code6"], code=r["code"], hazardous=r["hazardous"].lower() == "true",
                      label_fr=r["label_fr"], label_en=r["label_en"], chapter=r["chapter"], section=r["section"])
            for r in _rows("reference", "ewc.csv")])
    if not ActivityCode.objects.exists():
        rows = list(_rows("reference", "naf.csv"))
        # Parents first: a code's parent is always shorter.
        rows.sort(key=lambda r: len(r["code"]))
        ActivityCode.objects.bulk_create([
            ActivityCode(code=r["code"], level=r["level"], label_fr=r["label_fr"], label_en=r["label_en"],
                         parent_id=r["parent"] or None) for r in rows], batch_size=1000)
    if not TreatmentOperation.objects.exists():
        TreatmentOperation.objects.bulk_create([
            TreatmentOperation(code=r["code"], kind=r["type"], label_fr=r["label_fr"])
            for r in _rows("reference", "operations.csv")])
    for model in (Region, Departement, Epci, Commune, WasteCode, ActivityCode, TreatmentOperation):
        counts[model._meta.model_name] = model.objects.count()
    return counts
