"""What an expert of industrial ecology found implausible in the demo's default output (expert reading, third
round, 2026-12-07 s14, docs/matching-quality.md), as the platform shows it: who receives an offer.

- a stream declared under a List-of-Waste code is waste, not the virgin material its words also name;
- grade-B/C wood is waste, not biomass: only a plant that may co-incinerate it is offered it;
- aluminium salt slag is not dross: it goes to salt-slag recovery or a hazardous-waste operator;
- sawdust and grade-B wood are particleboard chips, not timber for a furniture maker;
- a need for potable process water is not served by condensates.
"""

from functools import partial

from boucle.matching.pipeline import FlowIn, _classify, _need_reading, propose
from boucle.matching.tests.parks import park, receivers

_park = partial(park, lat=50.0, lon=3.0)


_receivers = partial(receivers, at=(50.0, 3.0, 0.001))


def test_quarry_waste_sand_and_clay_is_no_glass_sand():
    # 01 04 09 « déchets de sable et d'argile »: the words also read as sand and clay (virgin materials)
    assert _classify("Stériles sableux et argileux", "010409", "material", None) == (("quarry_fines", 0.6),)
    park = [("quarry", "08.12Z", "Exploitation de gravières et sablières"),
            ("glass", "23.11Z", "Fabrication de verre plat"),
            ("bricks", "23.32Z", "Fabrication de briques, tuiles et produits de construction, en terre cuite")]
    receivers = _receivers(park, "quarry", "Stériles sableux et argileux", ewc_code="010409", quantity_t=5000.0)
    assert "glass" not in receivers
    assert "bricks" in receivers


def test_without_a_waste_code_the_words_still_decide():
    assert _classify("Sable", "", "material", None)[0][0] == "sand"


CIVIC_WOOD_PARK = [
    ("dechetterie", "38.11Z", "Collecte des déchets non dangereux"),
    ("power", "35.11Z", "Production d'électricité", "Centrale électrique du Nord"),
    ("furniture", "31.01Z", "Fabrication de meubles de bureau et de magasin"),
    ("kiln", "23.51Z", "Fabrication de ciment"),
    ("panels", "16.21Z", "Fabrication de placage et de panneaux de bois"),
]


def test_civic_amenity_wood_goes_to_a_kiln_or_a_panel_maker_not_a_power_station_without_a_waste_permit():
    receivers = _receivers(CIVIC_WOOD_PARK, "dechetterie", "Bois de déchèterie", ewc_code="200138", quantity_t=3000.0)
    assert "power" not in receivers          # IED art. 3(31)(b)(v): not biomass
    assert "furniture" not in receivers      # chips for particleboard, not timber
    assert {"kiln", "panels"} <= receivers


def test_a_power_station_that_says_it_burns_waste_still_takes_grade_b_wood():
    park = [("dechetterie", "38.11Z", "Collecte des déchets non dangereux"),
            ("chp", "35.11Z", "Cogénération alimentée en combustibles de récupération et déchets de bois")]
    assert "chp" in _receivers(park, "dechetterie", "Bois de déchèterie", ewc_code="200138", quantity_t=3000.0)


def test_sawdust_is_not_offered_to_a_furniture_maker_as_timber():
    park = [("joinery", "16.23Z", "Fabrication de charpentes et d'autres menuiseries"),
            ("furniture", "31.01Z", "Fabrication de meubles de bureau et de magasin"),
            ("panels", "16.21Z", "Fabrication de placage et de panneaux de bois")]
    receivers = _receivers(park, "joinery", "Sciures et copeaux de bois", quantity_t=800.0)
    assert "furniture" not in receivers
    assert "panels" in receivers


def test_aluminium_salt_slag_goes_to_a_hazardous_waste_operator_not_a_steelworks_or_a_kiln():
    assert _classify("Scories salées de seconde fusion", "100308", "material", None) == (("salt_slag", 1.0),)
    park = [("smelter", "24.42Z", "Métallurgie de l'aluminium"),
            ("steel", "24.10Z", "Sidérurgie"),
            ("kiln", "23.51Z", "Fabrication de ciment"),
            ("treater", "38.22Z", "Traitement et élimination des déchets dangereux")]
    receivers = _receivers(park, "smelter", "Scories salées de seconde fusion", ewc_code="100308",
                           quantity_t=8000.0, hazardous=True)
    assert receivers == {"treater"}


def test_aluminium_dross_still_goes_to_a_steelworks():
    park = [("smelter", "24.42Z", "Métallurgie de l'aluminium"), ("steel", "24.10Z", "Sidérurgie")]
    assert "steel" in _receivers(park, "smelter", "Crasses d'aluminium", ewc_code="100316", quantity_t=500.0)


def test_a_need_for_potable_process_water_is_for_potable_water_only():
    assert [k for k, _ in _need_reading([("water_potable", 0.84), ("water_process", 0.81)])] == ["water_potable"]
    park = [("sugar", "10.81Z", "Fabrication de sucre"), ("icecream", "10.52Z", "Fabrication de glaces et sorbets")]
    flows = [FlowIn("o1", "sugar", "offer", label="Eaux de condensation excédentaires", kind="water",
                    quantity_t=70000.0, unit="m3"),
             FlowIn("n1", "icecream", "need", label="Eau potable de process", kind="water", quantity_t=50000.0,
                    unit="m3")]
    assert not [p for p in propose(_park(park), flows) if p.need_flow_id == "n1"]
    # a need for process water, without « potable », still takes the condensates
    flows[1] = FlowIn("n1", "icecream", "need", label="Eau de process", kind="water", quantity_t=50000.0, unit="m3")
    assert [p for p in propose(_park(park), flows) if p.need_flow_id == "n1"]


def test_hazardous_washing_water_declared_as_waste_is_no_process_water():
    # 07 06 01* aqueous washing liquids: the words alone read as process water, a grade of water one buys
    assert _classify("Eaux de lavage et boues de production", "", "material", None)[0][0] == "water_process"
    read = dict(_classify("Eaux de lavage et boues de production", "070601", "material", None))
    assert max(read, key=read.get) == "aqueous_liquid_waste" and "water_process" not in read
