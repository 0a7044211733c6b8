"""A declared need is read as what its label names: a laundry's « Eau de lavage » is a need for water of a grade,
not for the wastes a similar offer label could be (vegetable-washing sludge, « effluents riches en
nutriments »); the card says what the laundry declared in its own words."""

import json

import pytest

from boucle.cli import main
from boucle.flows.importers import import_flows
from boucle.testing import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(tmp_path):
    make_site("Blanchisserie industrielle", lat=50.63, lon=3.06, naf="96.01A", external_id="LAV")
    make_site("Conserverie de légumes", lat=50.64, lon=3.07, naf="10.39A", external_id="LEG")
    make_site("Papeterie", lat=50.62, lon=3.05, naf="17.12Z", external_id="PAP")
    path = tmp_path / "flows.csv"
    path.write_text("site_id,direction,kind,label,quantity,unit,confidential\n"
                    "LAV,need,water,Eau de lavage,30000,m3,non\n"
                    "LEG,offer,material,Boues de lavage des légumes,2000,t,non\n"
                    "PAP,offer,water,Eau de process excédentaire,50000,m3,non\n", encoding="utf-8")
    assert import_flows(path).ok


def proposals(capsys):
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_a_laundry_needing_washing_water_is_offered_water_not_sludge(park, capsys):
    to_laundry = [p for p in proposals(capsys) if p["need_label"] == "Eau de lavage"]
    offers = {p["offer_label"] for p in to_laundry}
    assert "Boues de lavage des légumes" not in offers, to_laundry
    assert "Eau de process excédentaire" in offers, to_laundry
    water = next(p for p in to_laundry if p["offer_label"] == "Eau de process excédentaire")
    # what the laundry declared, in its own words, not the class the engine read
    assert "a déclaré un besoin : « Eau de lavage »" in water["explanation"]["text"], water["explanation"]["text"]


def test_the_card_says_the_need_in_its_words(park, capsys):
    from boucle.matching.wording import explanation_text

    e = {"offer_class": "water_process", "need_class": "water_process", "declared_need": True}
    assert "« Eau de lavage »" in explanation_text(e, need_label="Eau de lavage")
    assert "eau de process" in explanation_text(e).lower()  # no label to show: the class, as before
