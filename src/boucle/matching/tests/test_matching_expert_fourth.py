"""What an expert of industrial ecology found weak or implausible in the demo's default output (expert reading,
fourth round, 2026-12-07 s14, docs/matching-quality.md), as the platform shows it: who receives an offer.

- a maker of food-contact packaging takes food-grade PET, not automotive, cable or mixed plastic scrap;
- whole tyres go to kilns, granulators and steelworks with an electric arc furnace; granulate and powder to rubber
  goods and sports surfaces;
- crushed fired brick is no aggregate for an asphalt plant;
- whey and food residues go to a sewage works with digesters, not to a septic-tank emptying contractor;
- waste oil is not offered to a power station that does not say it burns waste.
"""

from functools import partial

from boucle.matching.knowledge.infer import food_contact_plastics, infer_needs
from boucle.matching.pipeline import FlowIn, classify_flow
from boucle.matching.tests.parks import receivers

_receivers = partial(receivers, at=(50.0, 3.0, 0.001))


FILM = "Fabrication de plaques, feuilles, tubes et profilés en matières plastiques"


def test_automotive_plastic_scrap_is_not_proposed_to_a_food_packaging_film_maker_that_declared_plastics():
    park = [("parts", "29.32Z", "Fabrication d'autres équipements automobiles"),
            ("food_film", "22.21Z", FILM, "Flexibles Food France"),
            ("moulder", "22.29A", "Fabrication de pièces techniques à base de matières plastiques")]
    needs = [("food_film", "Plastiques triés à recycler"), ("moulder", "Plastiques triés à recycler")]
    receivers = _receivers(park, "parts", "Chutes de plastique", needs, quantity_t=400.0)
    assert "food_film" not in receivers      # Regulation (EU) 2022/1616: no recycled automotive plastic in food contact
    assert "moulder" in receivers


def test_a_food_packaging_maker_still_takes_food_grade_pet():
    park = [("sorter", "38.32Z", "Récupération de déchets triés"),
            ("food_film", "22.21Z", FILM, "Flexibles Food France")]
    needs = [("food_film", "Plastiques triés à recycler")]
    assert "food_film" in _receivers(park, "sorter", "Paillettes de PET de bouteilles", needs, quantity_t=400.0)


def test_a_need_that_says_food_contact_is_for_pet_whatever_the_site():
    banned, instead = food_contact_plastics("22.29A", None, "Plasturgie X", "Plastiques recyclés aptes au contact alimentaire")
    assert instead == "pet" and {"pvc", "mixed_plastics", "pp"} <= banned and "pet" not in banned
    # a food plant's need for packaging is no food-contact rule for the plastics it may recycle
    assert food_contact_plastics("10.51A", None, "Laiterie", "Emballages alimentaires") == (frozenset(), "")
    # a packaging maker that says nothing of food keeps every plastic
    assert food_contact_plastics("22.22Z", "Fabrication d'emballages en matières plastiques", "Mauser") == (frozenset(), "")


def test_a_maker_of_trays_cups_or_bottles_is_a_food_contact_packaging_maker():
    # trays, cups, bottles and preforms are the food-contact articles recycled PET is authorised for (EFSA opinions
    # under Regulation (EU) 2022/1616): a site that names them need not write "alimentaire"
    park = [("parts", "29.32Z", "Fabrication d'autres équipements automobiles"),
            ("trays", "22.22Z", "Fabrication de barquettes et gobelets en matières plastiques"),
            ("moulder", "22.29A", "Fabrication de pièces techniques à base de matières plastiques")]
    needs = [("trays", "Plastiques triés à recycler"), ("moulder", "Plastiques triés à recycler")]
    receivers = _receivers(park, "parts", "Chutes de plastique", needs, quantity_t=400.0)
    assert "trays" not in receivers and "moulder" in receivers
    assert food_contact_plastics("22.22Z", None, "Préformes et Bouteilles du Nord")[1] == "pet"
    assert food_contact_plastics("22.22Z", "Fabrication d'emballages en matières plastiques", "Mauser") == (frozenset(), "")


def test_an_inferred_food_packaging_maker_needs_no_mixed_plastics():
    food = {n.class_key for n in infer_needs("22.22Z", "Fabrication d'emballages alimentaires en matières plastiques")}
    other = {n.class_key for n in infer_needs("22.22Z", "Fabrication d'emballages en matières plastiques")}
    assert "pet" in food and not food & {"mixed_plastics", "pp", "hdpe", "pvc", "virgin_plastics"}
    assert "mixed_plastics" in other


def test_tyre_granulate_and_powder_are_rubber_whole_tyres_stay_tyres():
    def first(label):
        return classify_flow(FlowIn("f", "s", "offer", label=label))[0][0]
    assert first("Pneus usagés") == "tyres"
    assert first("Broyats de pneus") == "tyres"           # shreds (CEN/TS 14243 > 50 mm)
    assert first("Granulats de pneus") == "rubber_waste"  # granulate 0.8-20 mm
    assert first("Poudrette de caoutchouc") == "rubber_waste"
    assert first("crumb rubber") == "rubber_waste"


TYRE_PARK = [
    ("dismantler", "38.31Z", "Démantèlement d'épaves"),
    ("rolling", "24.10Z", "Sidérurgie", "Laminoir à froid du Nord"),
    ("rubber", "22.19Z", "Fabrication d'autres articles en caoutchouc"),
    ("ccgt", "35.11Z", "Production d'électricité", "Cycle combiné gaz"),
    ("kiln", "23.51Z", "Fabrication de ciment"),
]


def test_whole_tyres_go_to_a_kiln_not_to_a_rolling_mill_a_rubber_goods_maker_or_a_gas_power_station():
    receivers = _receivers(TYRE_PARK, "dismantler", "Pneus usagés", quantity_t=300.0)
    assert "kiln" in receivers
    assert not receivers & {"rolling", "rubber", "ccgt"}


def test_an_electric_arc_furnace_steelworks_takes_whole_tyres():
    park = [("dismantler", "38.31Z", "Démantèlement d'épaves"),
            ("eaf", "24.10Z", "Aciérie électrique (four à arc)")]
    assert "eaf" in _receivers(park, "dismantler", "Pneus usagés", quantity_t=300.0)
    assert "tyres" not in {n.class_key for n in infer_needs("24.10Z", "Sidérurgie", "Laminoir à froid")}


def test_tyre_granulate_goes_to_a_rubber_goods_maker():
    park = [("granulator", "38.32Z", "Récupération de déchets triés"),
            ("rubber", "22.19Z", "Fabrication d'autres articles en caoutchouc")]
    assert "rubber" in _receivers(park, "granulator", "Granulats de pneus", quantity_t=300.0)


def test_crushed_fired_brick_goes_to_road_works_and_concrete_not_to_an_asphalt_plant():
    park = [("brickworks", "23.32Z", "Fabrication de briques, tuiles et produits de construction, en terre cuite"),
            ("asphalt", "23.99Z", "Fabrication d'autres produits minéraux non métalliques n.c.a.", "Enrobés du Nord"),
            ("roads", "42.11Z", "Construction de routes et autoroutes"),
            ("concrete", "23.63Z", "Fabrication de béton prêt à l'emploi")]
    receivers = _receivers(park, "brickworks", "Briques et tuiles cassées après cuisson", quantity_t=2000.0)
    assert "asphalt" not in receivers        # EN 13043: bituminous mixtures
    assert {"roads", "concrete"} <= receivers


def test_whey_goes_to_a_sewage_works_with_digesters_not_to_a_sanitation_contractor():
    title = "Collecte et traitement des eaux usées"
    assert "whey" not in {n.class_key for n in infer_needs("37.00Z", title, "Durand Assainissement")}
    assert "whey" in {n.class_key for n in infer_needs("37.00Z", title, "Station d'épuration de Bierne")}
    assert "whey" in {n.class_key for n in infer_needs(None, "municipal wastewater treatment plant with anaerobic digesters")}
    # the contractor still takes septic-tank sludge
    assert "septic_sludge" in {n.class_key for n in infer_needs("37.00Z", title, "Durand Assainissement")}


def test_waste_oil_is_not_offered_to_a_gas_power_station_but_to_a_kiln():
    park = [("garage", "45.20A", "Entretien et réparation de véhicules automobiles légers"),
            ("ccgt", "35.11Z", "Production d'électricité", "Cycle combiné gaz"),
            ("kiln", "23.51Z", "Fabrication de ciment")]
    receivers = _receivers(park, "garage", "Huiles moteur usagées", quantity_t=20.0, hazardous=True)
    assert "ccgt" not in receivers
    assert "kiln" in receivers
