"""Proposals a facilitator can trust (issue 11):

- waste mineral oil burnt in a hazardous-waste incinerator is energy recovery (or disposal), after regeneration, like
  a kiln's or a power station's (Directive 2008/98/EC art. 21), and its card says so in French and English;
- a crude-oil refinery that does not say re-refining receives no waste oil, not even for its base-oil need;
- a card cites the source of the rule that made the proposal: no feed regulation on a waste treater's card, a car
  plant's heat use cites its own activity.
"""

from django.utils import translation

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park
from boucle.matching.wording import explanation_text

HAZ = "Traitement et élimination des déchets dangereux"
GARAGE = ("garage", "45.20A", "Entretien et réparation de véhicules automobiles légers")
INCINERATOR = ("incinerator", "38.22Z", HAZ, "Centre d'incinération de déchets dangereux de Salaise")


def _proposals(sites, site_id, label, **flow):
    return propose(park(sites), [FlowIn("o1", site_id, "offer", label=label, **flow)])


def _oil(sites):
    return _proposals(sites, "garage", "Huiles moteur usagées", quantity_t=20.0, hazardous=True)


def test_a_hazardous_waste_incinerator_receives_waste_oil_as_energy_recovery_after_regeneration():
    proposals = _oil([GARAGE, INCINERATOR])
    assert [p.need_site_id for p in proposals] == ["incinerator"]
    with translation.override("fr"):
        text = explanation_text(proposals[0].explanation)
        assert "valorisation énergétique, après la régénération" in text and "directive 2008/98/CE" in text
    with translation.override("en"):
        assert "energy recovery, after regeneration" in explanation_text(proposals[0].explanation)


def test_the_incinerator_ranks_with_the_kiln_after_a_re_refiner():
    rerefiner = ("rerefiner", "38.22Z", HAZ, "Régénération des huiles usagées du Nord")
    proposals = _oil([GARAGE, INCINERATOR, ("kiln", "23.51Z", "Fabrication de ciment"), rerefiner])
    assert proposals[0].need_site_id == "rerefiner"

    def oil_weight(code, activity, name=None):
        return next(n.weight for n in infer_needs(code, activity, name) if n.class_key == "waste_oil")

    kiln = oil_weight("23.51Z", "Fabrication de ciment")
    assert oil_weight("38.22Z", HAZ, INCINERATOR[3]) == kiln < oil_weight("38.22Z", HAZ, "Centre de traitement")


def test_a_hazardous_waste_site_whose_words_name_no_incineration_keeps_waste_oil_without_the_energy_words():
    proposals = _oil([GARAGE, ("treater", "38.22Z", HAZ, "Centre de traitement de déchets dangereux")])
    assert [p.need_site_id for p in proposals] == ["treater"]
    with translation.override("fr"):
        assert "valorisation énergétique" not in explanation_text(proposals[0].explanation)


def test_a_crude_oil_refinery_receives_no_waste_oil_for_its_base_oil_need_a_re_refinery_does():
    crude = ("crude", "19.20Z", "Raffinage du pétrole", "Raffinerie des Flandres")
    assert _oil([GARAGE, crude]) == []
    rerefinery = ("rerefinery", "19.20Z", "Re-raffinage d'huiles usagées")
    assert [p.need_site_id for p in _oil([GARAGE, crude, rerefinery])] == ["rerefinery"]


def test_a_waste_treaters_card_for_food_residues_cites_its_activity_not_the_feed_regulation():
    sites = [("dairy", "10.51C", "Fabrication de fromage"),
             ("treater", "38.21Z", "Traitement et élimination des déchets non dangereux")]
    proposals = _proposals(sites, "dairy", "Résidus de l'industrie agroalimentaire", quantity_t=300.0)
    card = next(p for p in proposals if p.need_site_id == "treater")
    with translation.override("fr"):
        text = explanation_text(card.explanation)
        assert "nomenclature NAF rév. 2, classe 38.21" in text and "68/2013" not in text and "alimentation animale" not in text
    with translation.override("en"):
        text = explanation_text(card.explanation)
        assert "NACE Rev. 2, class 38.21" in text and "68/2013" not in text


def test_a_car_plants_heat_card_cites_the_vehicle_activity():
    sites = [("dryer", "10.51C", "Fabrication de lait en poudre"),
             ("cars", "29.10Z", "Construction de véhicules automobiles")]
    proposals = _proposals(sites, "dryer", "Chaleur fatale basse température", quantity_t=5000.0, unit="MWh", temperature_c=80.0)
    card = next(p for p in proposals if p.need_site_id == "cars")
    with translation.override("fr"):
        assert "nomenclature NAF rév. 2, division 29" in explanation_text(card.explanation)
    with translation.override("en"):
        assert "NACE Rev. 2, division 29" in explanation_text(card.explanation)


def test_a_bottle_maker_for_detergents_or_cosmetics_is_not_read_as_food_contact():
    from boucle.matching.knowledge.infer import food_contact_plastics

    for activity in ("Fabrication de bouteilles et flacons pour détergents", "Detergent bottles",
                     "Bouteilles pour produits cosmétiques"):
        assert food_contact_plastics("22.22Z", activity, None) == (frozenset(), "")
        assert {"hdpe", "mixed_plastics"} <= {n.class_key for n in infer_needs("22.22Z", activity)}
    for activity in ("Fabrication de bouteilles", "Bouteilles pour boissons et produits d'entretien"):
        assert food_contact_plastics("22.22Z", activity, None)[1] == "pet"
