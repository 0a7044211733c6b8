"""Sites described by a NACE division and a few words (issue 11, codes round).

- "By-product" says what a substance is in law (Directive 2008/98/EC art. 5), not what it is made of: the
  by-products of a refinery or a steelworks are no food or animal by-products, and are not proposed to feed or
  pet-food makers; "animal by-products" still are.
- Plastic and packaging waste is waste: burning it needs a waste incineration or co-incineration permit
  (Directive 2010/75/EU chapter IV), which a plain power station has not (``permit_inputs.csv``); it goes to
  converters, recyclers, kilns and plants that say they burn waste.
"""

import pytest

from boucle.materials.classify import classify_label
from boucle.matching.knowledge import infer
from boucle.matching.pipeline import FlowIn, SiteIn, propose


def _proposals(offer_site, sites, label):
    """Proposals for ``label`` offered by ``offer_site`` (code, activity) to ``sites`` [(id, code, activity)],
    all within a few hundred metres, each site described by a division and its activity words."""
    park = [SiteIn("src", 45.0, 9.0, *offer_site)]
    park += [SiteIn(sid, 45.0 + (i + 1) * 0.001, 9.0, code, activity) for i, (sid, code, activity) in enumerate(sites)]
    return propose(park, [FlowIn("o1", "src", "offer", label=label)])


@pytest.mark.parametrize("label", ["refinery by-products", "Sous-produits de raffinerie"])
def test_a_refinerys_by_products_go_to_the_chp_plant_as_fuel_not_to_pet_food(label):
    props = _proposals(("19", "Refinery"), [("chp", "35", "CHP plant"), ("pet", "10", "Pet food"),
                                            ("feed", "10", "Animal feed manufacturing")], label)
    by_site = {p.need_site_id: p for p in props}
    assert not by_site.keys() & {"pet", "feed"}
    assert "chp" in by_site
    assert "LCP" in by_site["chp"].explanation["source"]  # the card cites the large combustion plants BREF


def test_a_steelworks_by_products_are_not_offered_to_a_feed_maker():
    props = _proposals(("24", "Steelworks"), [("feed", "10", "Animal feed manufacturing"),
                                              ("kiln", "23", "Cement production")], "steel by-products")
    assert "feed" not in {p.need_site_id for p in props}


@pytest.mark.parametrize("label, key", [
    ("animal by-products", "animal_by_products"),
    ("Sous-produits animaux", "animal_by_products"),
    ("food by-products", "food_industry_residues"),
    ("milling by-products", "bran"),
])
def test_by_products_named_by_their_material_keep_their_class(label, key):
    assert classify_label(label)[0].key == key


@pytest.mark.parametrize("label", ["refinery by-products", "chemical by-products", "steel by-products",
                                   "sous-produits de raffinerie"])
def test_by_products_of_a_non_food_process_are_read_as_no_food_or_animal_by_product(label):
    assert {m.key for m in classify_label(label)[:2]}.isdisjoint({"animal_by_products", "food_industry_residues", "bran"})


def test_packaging_waste_goes_to_a_converter_not_to_a_plain_power_station():
    props = _proposals(("10", "Food industry"), [("power", "35", "Power plant"),
                                                 ("conv", "22", "Plastic products production")], "packaging")
    by_site = {p.need_site_id: p for p in props}
    assert "power" not in by_site
    assert "conv" in by_site and "22.2" in by_site["conv"].explanation["source"]


@pytest.mark.parametrize("code, activity, takes", [
    ("35", "Power plant", False),
    ("35", "Electricity generation", False),
    ("35.30", "District heating", False),
    ("35", "Waste-to-energy plant", True),
    ("22", "Plastic products production", True),
    ("23", "Cement production", True),
    ("24", "Iron and steel production", True),
    ("38", "Plastics recycling", True),
])
def test_who_may_take_plastic_waste(code, activity, takes):
    needs = {n.class_key for n in infer.infer_needs(code, activity)}
    assert ("mixed_plastics" in needs) is takes


def test_bagasse_as_fibre_goes_to_a_pulp_mill_not_to_a_mill_that_makes_paper_from_pulp():
    # NACE 17.11 makes pulp (from straw and bagasse too); 17.12 makes paper from pulp and recovered fibre
    props = _proposals(("10", "Cane sugar mill"), [("pulp", "17", "Pulp mill"), ("paper", "17", "Paper mill")],
                       "bagasse")
    by_site = {p.need_site_id: p for p in props}
    assert "paper" not in by_site
    assert "pulp" in by_site and "17.11" in by_site["pulp"].explanation["source"]


def test_demolition_rubble_goes_to_road_building_not_to_a_rock_wool_plant_which_still_takes_slag():
    # EU BREF GLS 2012: stone wool is melted from quarried basalt, dolomite, blast-furnace slag and recycled wool
    # briquettes; the aggregates of NACE 23.99 are those of its asphalt makers
    sites = [("wool", "23", "Rock wool production"), ("road", "42", "Road construction")]
    rubble = {p.need_site_id for p in _proposals(("23", "Construction materials production"), sites,
                                                  "construction and demolition waste")}
    assert "road" in rubble and "wool" not in rubble
    slag = {p.need_site_id: p for p in _proposals(("24", "Steelworks"), sites, "blast furnace slag")}
    assert "wool" in slag and "23.99" in slag["wool"].explanation["source"]
