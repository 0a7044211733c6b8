"""Three misreadings left by the expert reading round of 2026-12-07 (docs/matching-quality.md,
« Expert labels round »), as a label is read and as a company sees its offer's receivers.

- whey is a dairy by-product and a feed material (List of Waste 02 05 01; Regulation (EU) No 68/2013,
  catalogue of feed materials, part C chapter 8), never « other chemical waste » because a label also
  says « produits déclassés »: words of state (off-spec, unused, surplus) name no material;
- bran and milling by-products are feed materials (Regulation (EU) No 68/2013, part C chapter 1), not
  husks: feed makers and pig farms first, no cement kiln;
- pulper rejects (List of Waste 03 03 07: plastics, metal, sand from pulping recovered paper) are not
  paper for recycling (EU BREF PP 2015): they go to energy recovery, SRF production, a cement kiln or
  a plant that burns waste-derived fuel, and fibre residues are paper sludge (03 03 10).
"""

from functools import partial

import pytest
from boucle.matching.pipeline import FlowIn, _classify, propose
from boucle.matching.tests.parks import park, receivers
from boucle.materials.classify import classify_label, classify_labels
from boucle.materials.taxonomy import load_classes

_park = partial(park, lat=50.0, lon=3.0)


_receivers = partial(receivers, at=(50.0, 3.0, 0.001))


def _top(label):
    return classify_label(label)[0].key


@pytest.mark.parametrize("label, key", [
    ("Lactosérum et produits déclassés", "whey"),
    ("petit-lait de fromagerie", "whey"),
    ("Molke", "whey"),
    ("Süßmolke aus der Käserei", "whey"),
    ("whey and off-spec dairy products", "whey"),
    ("son de blé", "bran"),
    ("sons et remoulages", "bran"),
    ("wheat bran", "bran"),
    ("Weizenkleie", "bran"),
    ("issues de meunerie déclassées", "bran"),
    ("balles de riz", "husks_shells"),
    ("rice husks", "husks_shells"),
    ("refus de pulpeur", "paper_rejects"),
    ("pulper rejects", "paper_rejects"),
    ("Spuckstoffe", "paper_rejects"),
    ("fibre rejects", "paper_sludge"),
])
def test_the_label_is_read_as_the_material_it_names(label, key):
    assert _top(label) == key


def test_words_of_state_alone_make_no_second_reading():
    """« produits déclassés » shares only state words with « produits chimiques déclassés »."""
    keys = [m.key for m in classify_label("Lactosérum et produits déclassés")]
    assert "chemical_waste_other" not in keys
    assert dict(_classify("Lactosérum et produits déclassés", "", "material", None)).keys() == {"whey"}
    # the batch path (imports) reads the same
    idx, _ = classify_labels(["Lactosérum et produits déclassés", "produits chimiques déclassés"])
    keys = [c.key for c in load_classes()]
    assert [keys[i] for i in idx] == ["whey", "chemical_waste_other"]


DAIRY_PARK = [
    ("dairy", "10.51", "Fromagerie"),
    ("feed", "10.91", "Fabrication d'aliments pour animaux de ferme"),
    ("pigs", "01.46", "Élevage de porcins"),
    ("hazardous", "38.22", "Traitement de déchets dangereux"),
    ("kiln", "23.51", "Cimenterie"),
]


def test_whey_goes_to_feed_and_pig_farms_not_a_hazardous_waste_treater():
    got = _receivers(DAIRY_PARK, "dairy", "Lactosérum et produits déclassés")
    assert {"feed", "pigs"} <= got
    assert "hazardous" not in got


MILL_PARK = [
    ("mill", "10.61", "Meunerie"),
    ("feed", "10.91", "Fabrication d'aliments pour animaux de ferme"),
    ("kiln", "23.51", "Cimenterie"),
    ("power", "35.11", "Centrale biomasse"),
]


@pytest.mark.parametrize("label", ["Issues de meunerie déclassées", "Son de blé", "Wheat bran"])
def test_bran_goes_to_a_feed_maker_not_a_cement_kiln(label):
    got = _receivers(MILL_PARK, "mill", label)
    assert "feed" in got
    assert not got & {"kiln", "power"}


PAPER_PARK = [
    ("mill", "17.12", "Papeterie, recyclage de vieux papiers"),
    ("tissue", "17.22", "Fabrication d'articles en papier à usage sanitaire ou domestique"),
    ("sorting", "38.32", "Récupération de déchets triés"),
    ("kiln", "23.51", "Cimenterie"),
    ("chp", "35.11", "RDF fuelled CHP plant"),
    ("srf", "38.21", "Production de combustibles solides de récupération"),
    ("landfill", "38.21", "Traitement et élimination des déchets non dangereux"),
    ("biomass", "35.11", "Centrale biomasse"),
]


PAPER_NEEDS = [FlowIn("n1", "tissue", "need", label="Papiers et cartons à recycler"),
               FlowIn("n2", "sorting", "need", label="Papiers cartons")]


def _paper_receivers(label, ewc_code=""):
    flows = [FlowIn("o1", "mill", "offer", label=label, ewc_code=ewc_code)] + PAPER_NEEDS
    return {p.need_site_id for p in propose(_park(PAPER_PARK), flows) if p.offer_flow_id == "o1"}


@pytest.mark.parametrize("label, ewc_code", [("Refus de pulpage", ""), ("Refus de pulpeur", "030307"),
                                             ("Pulper rejects", "")])
def test_pulper_rejects_go_to_fuel_users_not_to_a_buyer_of_paper_for_recycling(label, ewc_code):
    got = _paper_receivers(label, ewc_code)
    assert not got & {"tissue", "sorting"}
    assert {"kiln", "chp", "srf"} <= got
    # waste burnt only under an incineration or co-incineration permit (permit_inputs.csv, IED chapter IV)
    assert not got & {"landfill", "biomass"}


def test_a_plant_burning_waste_derived_fuel_keeps_pulper_rejects_declared_with_sludge():
    """A paper mill's « pulper and sludges » (03 03 07) to a CHP plant fired with RDF."""
    assert "chp" in _paper_receivers("Pulper and sludges", "030307")
