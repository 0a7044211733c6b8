"""The bonus réparation: the shipped family list (never presented as checked), the pure engine
(object → families → amount), the QualiRépar import column and what ``near`` answers."""

import csv
import json

import pytest

from boucle.places import engine
from boucle.places.services import BONUS_FILE, bonus_families, bonus_for_object, import_places, near

ROWS = list(csv.DictReader(BONUS_FILE.open(encoding="utf-8")))


def test_the_data_file_names_its_source_legal_basis_and_is_never_presented_as_checked():
    assert ROWS and all(r["checked"] == "à vérifier" and r["checked_on"] == "2026-12-06" for r in ROWS)
    assert all("L541-10-4" in r["legal_basis"] and "AGEC" in r["legal_basis"] and r["source"] for r in ROWS)
    assert all(set(r["categories"].split("|")) <= set(engine.CATEGORIES) for r in ROWS)
    organisations = {e for r in ROWS for e in r["eco_organisations"].split("|")}
    assert {"ecosystem", "Ecologic", "Refashion"} <= organisations
    # an amount is a number or left empty, never a guess written as text
    assert all(r["amount_eur"] == "" or float(r["amount_eur"]) > 0 for r in ROWS)
    assert not any(f.checked == "vérifié" for f in bonus_families())


def test_an_object_is_read_into_its_family_and_amount():
    washer = bonus_for_object("Lave-linge hublot 8 kg")
    assert washer["families"] == ["washing_machine"] and washer["amount_eur"] == 50
    assert washer["eco_organisations"] == ["ecosystem", "Ecologic"] and washer["checked"] is False
    toaster = bonus_for_object("grille-pain")  # the category is eligible, the amount is not known here
    assert toaster["families"] == ["small_appliance"] and toaster["amount_eur"] is None
    assert "selon" in toaster["amount_note_fr"]
    assert bonus_for_object("chaussures de marche")["eco_organisations"] == ["Refashion"]
    assert bonus_for_object("Smartphone")["amount_eur"] == 25


@pytest.mark.parametrize("text", ["moteur à aimants permanents NdFeB", "batterie de traction", "bloc béton", ""])
def test_objects_outside_the_list_are_not_eligible(text):
    assert bonus_for_object(text) is None


def test_only_a_labelled_repairer_of_the_objects_category_applies_the_bonus():
    families = bonus_families()
    args = dict(actions=["repair"], place_categories=["large_appliance"], categories=["large_appliance"],
                texts=["lave-vaisselle"])
    assert engine.place_bonus(families, qualirepar=True, **args)["amount_eur"] == 50
    assert engine.place_bonus(families, qualirepar=False, **args) is None
    assert engine.place_bonus(families, qualirepar=True, **(args | {"actions": ["drop_off"]})) is None
    assert engine.place_bonus(families, qualirepar=True, **(args | {"place_categories": ["bike"]})) is None
    # no object asked: every eligible family the repairer takes, amount unknown when they differ
    some = engine.place_bonus(families, qualirepar=True, actions=["repair"], place_categories=["large_appliance"],
                              categories=None)
    assert "washing_machine" in some["families"] and some["amount_eur"] is None


def test_a_bad_category_in_the_data_file_is_refused():
    with pytest.raises(ValueError, match="unknown categories"):
        engine.bonus_families([ROWS[0] | {"categories": "spaceships"}])


HEADER = "identifier,name,commune,latitude,longitude,actions,object_categories,source,label_qualirepar\n"


@pytest.mark.django_db
def test_the_qualirepar_column_is_read_through_the_import_and_near_says_bonus_possible(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "q1,Réparateur labellisé,Lille,50.63,3.06,repair,large_appliance,S,oui\n"
                             "q2,Réparateur sans label,Lille,50.631,3.061,repair,large_appliance,S,\n", encoding="utf-8")
    assert import_places(path).created == 2
    found = {p["name"]: p for p in near(50.63, 3.06, object_text="lave-linge", action="repair")}
    assert found["Réparateur labellisé"]["qualirepar"] is True
    assert found["Réparateur labellisé"]["bonus_reparation"]["amount_eur"] == 50
    assert found["Réparateur sans label"]["bonus_reparation"] is None
    assert near(50.63, 3.06, object_text="objet inconnu xyz")[0]["bonus_reparation"] is None
    path.write_text(HEADER + "q3,X,Lille,50.63,3.06,repair,,S,peut-être\n", encoding="utf-8")
    report = import_places(path)
    assert not report.ok and report.rejected[0][0] == 2 and "qualirepar" in report.rejected[0][1]
    assert json.dumps(near(50.63, 3.06), ensure_ascii=False)  # plain JSON
