"""Bio-based and organic flows read as an expert reads them (issue 11): a digestion or biomass plant
takes what its process can take, whichever NACE division its operator declared; a mushroom grower
takes substrates, a greenhouse does not; farm residues and prunings are recognised as such.

Each test builds a small park (or reads one site) and checks who receives the offer.
"""

from functools import partial

import pytest
from boucle.matching.knowledge.infer import infer_needs, site_codes
from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park, receivers
from boucle.materials.classify import classify_components, classify_label

_park = partial(park, lat=45.0, lon=5.0)


_receivers = partial(receivers, at=(45.0, 5.0, 0.001))


def _needs(naf, activity):
    return {n.class_key: n.weight for n in infer_needs(naf, activity)}


@pytest.mark.parametrize("naf", ["38", "38.2", "35", None])
def test_a_biogas_plant_takes_organic_feedstocks_whichever_division_it_declares(naf):
    needs = _needs(naf, "Biogas plant fed with farm and food residues")
    # food residues a little lower than manure: they are feed materials, fed before digested (use_hierarchy.csv)
    assert needs.get("manure", 0) >= 0.5 and needs.get("food_industry_residues", 0) >= 0.5
    # anaerobic digestion takes biodegradable waste only (EU BREF WT 2018)
    assert not {"packaging_mixed", "mixed_plastics", "municipal_mixed_waste", "cardboard"} & set(needs)


def test_a_biogas_plant_declared_as_waste_treatment_is_read_as_the_waste_treatment_class():
    codes = dict(site_codes("38", "Anaerobic digestion of biowaste"))
    assert codes.get("38.21", 0) >= 0.9 and "35.21" not in codes
    # words alone keep the energy reading: the alternative serves only a declared code
    assert dict(site_codes(None, "Anaerobic digestion of biowaste")).get("35.21", 0) >= 0.8


def test_a_biomass_plant_burns_biomass_not_packaging_nor_coal():
    for naf in ("38", "35"):
        needs = _needs(naf, "Heat and power from biomass, biomass-fired boiler")
        assert needs.get("biomass_wood_chips", 0) >= 0.6 and needs.get("crop_residues", 0) >= 0.5
        assert not {"packaging_mixed", "mixed_plastics", "coal", "municipal_mixed_waste", "wood_treated"} & set(needs)
    # a coal station keeps its fuels
    assert "coal" in _needs("35.11", "Coal-fired power station")


def test_packaging_goes_to_a_plastics_converter_not_to_a_digester():
    park = [("food", "10", "Food processing"), ("ad", "38", "Biogas plant"), ("plastics", "22", "Plastic products")]
    receivers = _receivers(park, "food", "Mixed packaging")
    assert "ad" not in receivers and "plastics" in receivers


def test_a_mushroom_grower_takes_substrates_and_a_greenhouse_takes_co2():
    mushrooms, greenhouse = _needs("01", "Mushroom grower"), _needs("01", "Tomato greenhouse")
    assert {"brewers_spent_grain", "crop_residues", "spent_coffee_grounds", "sawdust_shavings"} <= set(mushrooms)
    # mushrooms fruit in air kept low in CO2 and are not irrigated with effluents
    assert "co2_gas" not in mushrooms and "wastewater_nutrient_rich" not in mushrooms
    # a vegetable grower is no mushroom farm: no paper, spent grain nor coffee grounds as substrate
    assert greenhouse.get("co2_gas", 0) >= 0.8
    assert not {"paper", "cardboard", "brewers_spent_grain", "spent_coffee_grounds"} & set(greenhouse)


def test_spent_grain_goes_to_a_mushroom_grower_before_a_vegetable_grower():
    park = [("brewery", "11", "Brewery"), ("mushroom", "01", "Mushroom farm"), ("veg", "01", "Vegetable growing")]
    receivers = _receivers(park, "brewery", "Brewers' spent grain")
    assert "mushroom" in receivers and "veg" not in receivers


@pytest.mark.parametrize("label, key", [("vine prunings", "green_waste"), ("pruning residues", "green_waste"),
                                        ("agricultural residues", "crop_residues"), ("déchets agricoles", "crop_residues"),
                                        ("coconut shells", "husks_shells"), ("waste edible oil", "used_cooking_oil"),
                                        ("huiles alimentaires usagées", "used_cooking_oil")])
def test_farm_residues_and_prunings_are_recognised(label, key):
    assert classify_label(label, top=1)[0].key == key


def test_a_list_of_farm_residues_and_packaging_offers_each():
    parts = {m.key for _, m in classify_components("agricultural waste, packaging and sludges")}
    assert {"crop_residues", "packaging_mixed"} <= parts


def _offer_classes(site, label):
    return {p.material_class for p in propose(_park([site, ("ad", "35.21", "Biogas plant"),
                                                      ("farm", "01.46", "Pig farm"), ("cement", "23.51", "Cement plant")]),
                                               [FlowIn("o1", site[0], "offer", label=label)], threshold=0.0001, top=10)}


@pytest.mark.parametrize("site, label, expected", [
    (("brewery", "11.05", "Brewery"), "organic waste", "brewers_spent_grain"),
    (("fish", "10.20", "Fish processing"), "déchets organiques", "fish_waste"),
    (("sewage", "37", "Sewage treatment works"), "dry organic pellets", "sewage_sludge"),
    (("dairy", "01.41", "Dairy cattle farm"), "general organic waste", "manure"),
])
def test_a_label_that_only_says_organic_is_read_as_what_its_provider_gives_off(site, label, expected):
    classes = _offer_classes(site, label)
    assert expected in classes
    # "pellets" is the form of the stream, not a wood or plastic pellet
    assert not {"wood_pellets", "virgin_plastics", "water_treatment_sludge"} & classes


def test_a_named_organic_material_keeps_its_own_reading():
    assert _offer_classes(("brewery", "11.05", "Brewery"), "organic fertiliser pellets") == \
        _offer_classes(("other", "10.20", "Fish processing"), "organic fertiliser pellets")


def test_a_declared_waste_code_says_the_material_of_an_organic_label():
    park = _park([("fish", "10.20", "Fish processing"), ("ad", "35.21", "Biogas plant"), ("pet", "10.92", "Pet food")])
    offer = FlowIn("o1", "fish", "offer", label="organic waste", ewc_code="200108")
    assert {p.material_class for p in propose(park, [offer], threshold=0.0001, top=10)} == {"food_waste"}


@pytest.mark.parametrize("label", ["dairy sludge", "boues de laiterie"])
def test_the_sludge_of_a_dairys_effluent_plant_is_no_feed(label):
    """Regulation (EC) No 767/2009 Annex III(5): waste-water treatment sludge is barred from feed."""
    park = [("dairy", "10.51", "Dairy"), ("feed", "10.91", "Animal feed manufacturing"), ("ad", "35.21", "Biogas plant")]
    receivers = _receivers(park, "dairy", label)
    assert "ad" in receivers and "feed" not in receivers
