"""Materials and receivers read from general references (issue 11, codes round 3 of session 18): each test
builds a small park and checks who receives an offer, citing the general source of the rule it relies on (the
rows themselves cite it in ``knowledge/data`` and ``materials/data``)."""

from functools import partial

from boucle.matching.knowledge.infer import infer_needs, site_codes
from boucle.matching.pipeline import FlowIn, classify_flow
from boucle.matching.tests.parks import receivers, receivers_by_label

_receivers = partial(receivers, at=(47.0, 8.0, 0.001))


def _needs(naf, activity):
    return {n.class_key: n.weight for n in infer_needs(naf, activity)}


def _first_class(label):
    return classify_flow(FlowIn("f", "s", "offer", label=label))[0][0]


def test_a_gelatine_or_protein_maker_is_read_in_its_class_and_takes_animal_by_products():
    # NACE 20.59 (manufacture of gelatine and its derivatives); CPA 20.59.60 (peptones, other protein
    # substances); Regulation (EC) No 853/2004 Annex III sections XIV-XV (bones, hides, skins, tendons)
    for words in ("Gelatine production", "Fabrication de gélatine", "Gelatineherstellung", "Collagen production"):
        assert site_codes(None, words)[0][0] == "20.59", words
        assert _needs(None, words).get("animal_by_products", 0) >= 0.8, words
    # a division-20 site whose words name no trade keeps the division's weak typical reading
    assert _needs("20", "Chemical industry").get("animal_by_products", 0) < 0.3
    # a protein maker takes no biodiesel feedstock, unlike the other plants of its class
    assert "used_cooking_oil" not in _needs("20", "Collagen production")
    assert _needs("20", "Biofuel production").get("used_cooking_oil", 0) >= 0.8


def test_offal_goes_to_the_gelatine_maker_next_to_the_pet_food_plant_not_to_the_chemical_works():
    park = [("abattoir", "10", "Slaughterhouse"), ("petfood", "10", "Pet food"),
            ("gelatine", "20", "Gelatine production"), ("chem", "20", "Chemical industry"),
            ("printer", "18", "Printing")]
    got = _receivers(park, "abattoir", "Offal")
    assert {"petfood", "gelatine"} <= got
    assert not {"chem", "printer"} & got
    # used cooking oil goes to the biodiesel plant, not to the gelatine maker
    park = [("canteen", "56", "Catering"), ("gelatine", "20", "Gelatine production"),
            ("biodiesel", "20", "Biofuel production")]
    got = _receivers(park, "canteen", "Used cooking oil")
    assert "biodiesel" in got and "gelatine" not in got


def test_wood_pulp_is_pulp_for_a_paper_mill_not_wood_for_a_boiler():
    # CN 4701-4703 (mechanical and chemical wood pulp); CPA 17.11 (pulp, the raw material of paper)
    for label in ("Wood pulp", "Chemical wood pulp", "Pâte de bois", "Zellstoff"):
        assert _first_class(label) == "virgin_paper_pulp", label
    assert _first_class("Wood") == "wood_untreated"
    park = [("pulpmill", "17", "Pulp mill"), ("papermill", "17", "Paper mill"),
            ("chp", "35", "Biomass power plant"), ("panels", "16", "Particle board producer")]
    got = receivers_by_label(park, [("pulpmill", "Wood pulp")])["Wood pulp"]
    assert got[0] == "papermill"
    assert not {"chp", "panels"} & set(got)


def test_lignocellulosic_biomass_reaches_a_biofuel_plant_before_food_factories_boilers():
    # Directive (EU) 2018/2001 art. 2(40) and Annex IX part A (q): ligno-cellulosic material is a feedstock of
    # advanced biofuels; a food factory burns wood chips only in its boiler (in:10 / in:11, 0.3)
    assert _first_class("Lignocellulosic biomass") == "biomass_wood_chips"
    assert _needs("20", "Biofuel production").get("biomass_wood_chips", 0) >= 0.45
    park = [("farm", "01", "Olive and wine farm"), ("biofuel", "20", "Biofuel production"),
            ("juice", "11", "Fruit juice producer"), ("feed", "10", "Animal feed producer")]
    got = receivers_by_label(park, [("farm", "Lignocellulosic biomass")])["Lignocellulosic biomass"]
    assert got == ["biofuel"]


def test_urban_waste_is_municipal_waste_and_urban_waste_water_stays_water():
    # Directive 2008/98/EC art. 3(2b) municipal waste (Italian « rifiuti urbani », Spanish « residuos urbanos »);
    # Directive 91/271/EEC art. 2(1) urban waste water; Directive 86/278/EEC art. 2(a) sewage sludge
    for label in ("Urban waste", "Urban solid waste", "Rifiuti urbani", "Residuos urbanos", "Siedlungsabfälle"):
        assert _first_class(label) == "municipal_mixed_waste", label
    assert _first_class("Urban waste water") == "wastewater_industrial"
    assert _first_class("Urban wastewater sludge") == "sewage_sludge"
    # offered by a town hall, it goes to the energy-from-waste plant, not to the farm a sewage-sludge reading
    # would send it to
    park = [("town", "84", "Town hall"), ("efw", None, "Energy from waste plant"),
            ("farm", "01", "Arable farm"), ("printer", "18", "Printing")]
    got = _receivers(park, "town", "Urban waste")
    assert "efw" in got and not {"farm", "printer"} & got


def test_dissolving_pulp_goes_to_a_fibre_maker_not_to_a_sludge_receiver():
    # CN 4702 chemical wood pulp, dissolving grades; NACE 20.60 man-made fibres (viscose from dissolving pulp)
    # and EU BREF POL 2007 (viscose fibres: dissolving pulp, caustic soda, sulphuric acid)
    assert _first_class("Dissolving pulp") == "virgin_paper_pulp"
    assert _needs(None, "Viscose fibre production").get("virgin_paper_pulp", 0) >= 0.8
    assert "virgin_paper_pulp" not in _needs(None, "Polyester fibre production")
    park = [("pulp", "17", "Pulp mill"), ("viscose", "20", "Viscose fibre production"),
            ("cement", "23", "Cement works"), ("farm", "01", "Arable farm")]
    assert _receivers(park, "pulp", "Dissolving pulp") == {"viscose"}
