"""Every energy and water flow of the demo gets a class of its kind, so its MWh or m3 are never read as tonnes.

"Chaleur de l'incinération" (waste-to-energy heat) was once classed as incinerator fly ash: the
report then printed ash in MWh and the heat was counted with the materials.
"""

import csv
from pathlib import Path

import pytest

import boucle
from boucle.flows.importers import classify_many
from boucle.materials.taxonomy import load_classes
from boucle.matching.pipeline import FlowIn, classify_flow

DEMO_FLOWS = Path(boucle.__file__).parent / "data" / "demo" / "flows.csv"


def _labels():
    rows = {}
    with DEMO_FLOWS.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["kind"] in ("energy", "water"):
                rows[(r["label"], r["kind"], float(r["temperature_c"]) if r["temperature_c"] else None)] = r
    return sorted(rows, key=str)


@pytest.mark.django_db
def test_each_energy_and_water_label_of_the_demo_is_classed_in_its_kind():
    labels = _labels()
    assert len(labels) >= 30 and ("Chaleur de l'incinération", "energy", 130.0) in labels
    kind = {c.key: c.kind for c in load_classes()}
    imported = classify_many([(label, None) for label, _, _ in labels], [k for _, k, _ in labels],
                             [t for _, _, t in labels])
    wrong = [(label, k, cls) for (label, k, _), (cls, _) in zip(labels, imported) if kind.get(cls) != k]
    assert wrong == []
    for label, k, t in labels:  # the matching reads the labels again: same kinds there
        classes = classify_flow(FlowIn("1", "s", "offer", label=label, kind=k, temperature_c=t))
        assert classes and all(kind[c] == k for c, _ in classes), (label, classes)
    by_label = {label: cls for (label, _, _), (cls, _) in zip(labels, imported)}
    assert by_label["Chaleur de l'incinération"] == "waste_heat_medium"  # 130 °C: medium-temperature heat
    assert by_label["Eaux de condensation excédentaires"] == "water_demineralised"
