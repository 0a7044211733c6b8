"""What an expert of industrial ecology found implausible or raw in the demo's default output (expert reading,
round 5, 2026-12-07 s15, docs/matching-quality.md), as the platform shows it: who receives an offer, and what its
card says.

- fibre-cement waste is hardened cement-based composite (List of Waste 10 13 11, 10 13 14), not cement;
- healthcare waste with infection risk goes to a plant that says it incinerates or disinfects it, not to any
  hazardous-waste operator (Code de la santé publique art. R1335-8);
- a glass furnace's sand, limestone and blast furnace slag are batch materials of set purity: no foundry sand,
  carbonation lime or steel slag stands in for them (EU BREF GLS 2012);
- a quantity below a tenth of its unit keeps two significant digits on the card, not « 0 t »;
- heat or water to a receiver that declared no need: the card no longer says it is « used on the spot ».
"""

from boucle.matching.knowledge.infer import infer_needs, own_class_needs
from boucle.matching.pipeline import FlowIn, classify_flow, propose
from boucle.matching.tests.parks import park, receivers as _receivers
from boucle.matching.wording import quantity_words


def _proposals(sites, site_id, label, needs=(), **flow):
    flows = [FlowIn("o1", site_id, "offer", label=label, **flow)]
    flows += [FlowIn(f"n{i}", sid, "need", label=need) for i, (sid, need) in enumerate(needs)]
    return propose(park(sites), flows)


def test_fibre_cement_waste_is_concrete_waste_not_cement():
    classes = dict(classify_flow(FlowIn("f", "s", "offer", label="Déchets et boues de fibre-ciment", ewc_code="101314")))
    assert max(classes, key=classes.get) == "concrete_rubble"
    assert "cement" not in classes and "textiles" not in classes   # « fibre » is no textile fibre here
    assert classify_flow(FlowIn("f", "s", "offer", label="fibre cement scrap"))[0][0] == "concrete_rubble"


def test_fibre_cement_waste_is_not_offered_to_a_mortar_maker_as_cement():
    park = [("eternit", "23.65Z", "Fabrication d'ouvrages en fibre-ciment"),
            ("mortar", "23.64Z", "Fabrication de mortiers et bétons secs"),
            ("recycler", "38.32Z", "Récupération de déchets triés")]
    found = _proposals(park, "eternit", "Déchets et boues de fibre-ciment", ewc_code="101314", quantity_t=2000.0)
    assert not [p for p in found if p.explanation["need_class"] == "cement"]   # hardened, no binder
    assert "recycler" in {p.need_site_id for p in found}


HOSPITAL = ("hospital", "86.10Z", "Activités hospitalières")
DASRI = "Déchets d'activités de soins à risques infectieux"


def test_healthcare_waste_is_not_offered_to_a_hazardous_waste_operator_that_says_nothing_of_it():
    park = [HOSPITAL, ("zinc", "38.22Z", "Traitement et élimination des déchets dangereux", "Befesa Valera")]
    assert "zinc" not in _receivers(park, "hospital", DASRI, ewc_code="180103", quantity_t=1000.0, hazardous=True)


def test_healthcare_waste_goes_to_a_plant_that_says_it_incinerates_or_disinfects_it():
    park = [HOSPITAL,
            ("incinerator", "38.22Z", "Incinération de déchets dangereux"),
            ("banaliseur", "38.22Z", "Prétraitement par désinfection des DASRI")]
    receivers = _receivers(park, "hospital", DASRI, ewc_code="180103", quantity_t=1000.0, hazardous=True)
    assert {"incinerator", "banaliseur"} <= receivers
    assert "healthcare_waste" in {n.class_key for n in infer_needs("38.22Z", "Incinération de déchets dangereux")}
    assert "healthcare_waste" not in {n.class_key for n in infer_needs("38.22Z", "Régénération de solvants")}


GLASS = ("glass", "23.13Z", "Fabrication de verre creux")


def test_a_glass_furnace_takes_its_batch_materials_only_as_themselves():
    assert {"sand", "limestone", "blast_furnace_slag"} <= own_class_needs("23.13Z", "Fabrication de verre creux")
    assert not own_class_needs("24.51Z", "Fonderie de fonte")
    assert "steel_slag" not in {n.class_key for n in infer_needs("23.13Z", "Fabrication de verre creux")}


def test_used_foundry_sand_is_no_glass_sand_but_a_foundry_still_takes_it():
    park = [("foundry", "24.51Z", "Fonderie de fonte"), GLASS, ("foundry2", "24.51Z", "Fonderie de fonte")]
    receivers = _receivers(park, "foundry", "Sables de fonderie usagés", [("glass", "Sable siliceux")],
                           ewc_code="100908", quantity_t=800.0)
    assert "glass" not in receivers          # a declared sand need too: batch purity (EU BREF GLS 2012)
    assert "foundry2" in receivers


def test_steel_and_foundry_slag_are_not_offered_to_a_glass_works_blast_furnace_slag_is():
    park = [("foundry", "24.51Z", "Fonderie de fonte"), GLASS]
    assert "glass" not in _receivers(park, "foundry", "Laitiers de four de fonderie", ewc_code="100903",
                                     quantity_t=800.0)
    park = [("bf", "24.10Z", "Sidérurgie"), GLASS]
    assert "glass" in _receivers(park, "bf", "Laitier de haut fourneau granulé", ewc_code="100202", quantity_t=800.0)


def test_sugar_factory_lime_is_not_offered_to_a_glass_works_as_limestone():
    park = [("sugar", "10.81Z", "Fabrication de sucre"), GLASS]
    assert "glass" not in _receivers(park, "sugar", "Écumes de sucrerie", ewc_code="020402", quantity_t=12000.0)


def test_a_small_quantity_is_not_written_as_zero():
    text = quantity_words("declared_need", 0.00048, "t")
    assert "0,00048 t" in text and not text.startswith("0 t")
    assert quantity_words("declared_need", 3100.0, "t").startswith("3\u202f100 t")


def test_heat_to_a_receiver_without_a_declared_need_is_not_said_to_be_used_on_the_spot():
    park = [("steelworks", "24.10Z", "Sidérurgie"), ("laundry", "96.01A", "Blanchisserie-teinturerie de gros")]
    found = [p for p in _proposals(park, "steelworks", "Chaleur fatale basse température", kind="energy")
             if p.need_site_id == "laundry"]
    assert found and found[0].explanation["estimate_basis"] == "to_agree"
    text = quantity_words("to_agree", None, "MWh")
    assert "sur place" not in text and "dépend de ses propres usages" in text and "MWh" in text
