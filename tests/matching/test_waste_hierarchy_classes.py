"""Receivers that can really receive (issue 11, classes round), as a facilitator reads the proposals:

- waste mineral oil goes to a re-refiner first, a kiln or a power station only after (Directive 2008/98/EC art. 21),
  and the card says so in French and English;
- a hazardous-waste site (NACE 38.22) is read by its kind: an incinerator, a physico-chemical plant, a solvent or oil
  regenerator, a hazardous-waste landfill each receive what they take (EU BREF WT 2018, WI 2019; Directive
  1999/31/EC);
- an organic waste recovery centre (« CVO ») and a renderer declared under 38.21 are read by their words;
- a declared cooling-water need accepts treated wastewater (EU BREF ICS 2001), a potable-water need does not.
"""

import pytest
from django.utils import translation

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park
from boucle.matching.wording import explanation_text

HAZ = "Traitement et élimination des déchets dangereux"


_park = park  # sites ~100 m apart: (site_id, NACE code or None, activity words[, name])


def _proposals(sites, site_id, label, needs=(), **flow):
    flows = [FlowIn("o1", site_id, "offer", label=label, **flow)]
    flows += [FlowIn(f"n{i}", sid, "need", label=need, **kw) for i, (sid, need, kw) in enumerate(needs)]
    return propose(_park(sites), flows)


def _takes(code, activity, name=None):
    return {n.class_key for n in infer_needs(code, activity, name)}


# ------------------------------------------------------------------ waste oil: regeneration first

OIL_PARK = [("garage", "45.20A", "Entretien et réparation de véhicules automobiles légers"),
            ("kiln", "23.51Z", "Fabrication de ciment"),
            ("rerefiner", "38.22Z", HAZ, "Régénération des huiles usagées du Nord")]


def test_waste_oil_goes_to_the_re_refiner_first_and_the_card_says_why():
    proposals = _proposals(OIL_PARK, "garage", "Huiles moteur usagées", quantity_t=20.0, hazardous=True)
    assert proposals and proposals[0].need_site_id == "rerefiner"
    with translation.override("fr"):
        text = explanation_text(proposals[0].explanation)
        assert "régénération en huiles de base, avant toute valorisation énergétique" in text
        assert "directive 2008/98/CE" in text
    with translation.override("en"):
        assert "regeneration into base oils, before any energy recovery" in explanation_text(proposals[0].explanation)


def test_without_a_re_refiner_in_reach_the_kiln_receives_waste_oil_as_energy_recovery_after_regeneration():
    proposals = _proposals(OIL_PARK[:2], "garage", "Huiles moteur usagées", quantity_t=20.0, hazardous=True)
    assert [p.need_site_id for p in proposals] == ["kiln"]
    with translation.override("fr"):
        text = explanation_text(proposals[0].explanation)
        assert "valorisation énergétique, après la régénération" in text and "directive 2008/98/CE" in text
    with translation.override("en"):
        assert "energy recovery, after regeneration" in explanation_text(proposals[0].explanation)


def test_waste_oil_goes_to_a_re_refinery_of_19_20_and_not_to_a_crude_oil_refinery():
    sites = [OIL_PARK[0], ("crude", "19.20Z", "Raffinage du pétrole", "Raffinerie des Flandres"),
             ("rerefinery", "19.20Z", "Re-raffinage d'huiles usagées"), OIL_PARK[1]]
    ranked = [p.need_site_id for p in _proposals(sites, "garage", "Huiles moteur usagées", quantity_t=20.0,
                                                  hazardous=True)]
    assert ranked[:1] == ["rerefinery"] and "crude" not in ranked


# ------------------------------------------------------------------ NACE 38.22 by kind

def test_a_hazardous_waste_landfill_takes_fly_ash_and_asbestos_not_solvents_or_liquids():
    for name in ("ISDD de Villeparisis", "Installation de stockage de déchets dangereux de Laimont"):
        takes = _takes("38.22Z", HAZ, name)
        assert {"incineration_fly_ash", "asbestos_waste", "metal_hydroxide_sludge"} <= takes
        assert not {"spent_solvents", "waste_oil", "aqueous_liquid_waste", "paint_ink_adhesive_waste"} & takes


def test_a_hazardous_waste_incinerator_takes_solvents_and_paint_not_fly_ash_asbestos_or_metals():
    takes = _takes("38.22Z", "Incinération de déchets dangereux en four tournant")
    assert {"spent_solvents", "paint_ink_adhesive_waste", "pharmaceutical_waste", "oily_sludge"} <= takes
    assert not {"incineration_fly_ash", "asbestos_waste", "lead_scrap", "mercury_waste"} & takes


def test_a_physico_chemical_plant_takes_spent_acids_and_aqueous_waste_not_solids():
    takes = _takes("38.22Z", "Traitement physico-chimique des déchets liquides")
    assert {"spent_pickling_acid", "aqueous_liquid_waste", "spent_caustic"} <= takes
    assert not {"asbestos_waste", "incineration_fly_ash", "contaminated_packaging"} & takes


def test_a_solvent_regenerator_named_so_receives_solvents_and_not_fly_ash():
    sites = [("paint", "20.30Z", "Fabrication de peintures"),
             ("regen", "38.22Z", HAZ, "Régénération de solvants de Picardie"),
             ("incin", "24.43Z", "Production de zinc")]
    solvents = {p.need_site_id for p in _proposals(sites, "paint", "Solvants usagés", quantity_t=50.0, hazardous=True)}
    assert "regen" in solvents
    assert "incineration_fly_ash" not in _takes("38.22Z", HAZ, "Régénération de solvants de Picardie")


def test_a_bare_38_22_site_still_takes_every_kind():
    takes = _takes("38.22Z", HAZ, "SOTRENOR")
    assert {"spent_solvents", "incineration_fly_ash", "aqueous_liquid_waste", "asbestos_waste"} <= takes


# ------------------------------------------------------------------ 38.21: CVO and renderers

def test_an_organic_waste_recovery_centre_takes_food_waste_not_liquids_of_a_landfill_reading():
    takes = _takes("38.21Z", "Traitement et élimination des déchets non dangereux", "CVO de Lomme")
    assert {"food_waste", "green_waste"} <= takes
    assert not {"mixed_plastics", "sorting_residues"} & takes


def test_a_renderer_declared_under_38_21_takes_animal_by_products_and_no_packaging():
    for name in ("Centre d'équarrissage de l'Aisne", "Tierkörperbeseitigung Weber"):
        takes = _takes("38.21Z", "Traitement et élimination des déchets non dangereux", name)
        assert "animal_by_products" in takes
        assert not {"plastic_film", "mixed_plastics", "cardboard", "sorting_residues"} & takes


def test_slaughter_by_products_reach_a_38_21_renderer_known_by_its_name():
    sites = [("abat", "10.11Z", "Transformation et conservation de la viande de boucherie"),
             ("rend", "38.21Z", "Traitement et élimination des déchets non dangereux", "Équarrissage des Collines")]
    assert {p.need_site_id for p in _proposals(sites, "abat", "Sous-produits animaux de catégorie 3",
                                               quantity_t=500.0)} == {"rend"}


# ------------------------------------------------------------------ cooling water

WATER_PARK = [("step", "37.00Z", "Collecte et traitement des eaux usées", "Station d'épuration de Bierne"),
              ("cool", "10.51A", "Fabrication de lait liquide"),
              ("drink", "10.51A", "Fabrication de lait liquide")]


def test_a_declared_cooling_water_need_accepts_treated_wastewater_and_a_potable_need_does_not():
    proposals = _proposals(WATER_PARK, "step", "Eaux usées traitées", quantity_t=10000.0, unit="m3",
                           needs=[("cool", "Eau de refroidissement", {"quantity_t": 5000.0, "unit": "m3"}),
                                  ("drink", "Eau potable", {"quantity_t": 5000.0, "unit": "m3"})])
    by_site = {p.need_site_id: p for p in proposals}
    assert "cool" in by_site and "drink" not in by_site
    p = by_site["cool"]
    assert p.unit == "m3"
    with translation.override("fr"):
        text = explanation_text(p.explanation, need_label=p.need_label)
        assert "« Eau de refroidissement »" in text
        assert "eau d'appoint d'un circuit de refroidissement" in text
        assert "BREF ICS 2001" in text
    with translation.override("en"):
        text = explanation_text(p.explanation, need_label=p.need_label)
        assert "this need also accepts" in text and "make-up water of a cooling circuit" in text


def test_a_food_plant_that_declared_no_water_need_is_not_offered_treated_wastewater():
    """Only a declared cooling-water need takes the stand-in; the needs inferred from a code are unchanged."""
    proposals = _proposals(WATER_PARK[:2], "step", "Eaux usées traitées", quantity_t=10000.0, unit="m3")
    assert "cool" not in {p.need_site_id for p in proposals}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_cooling_water_proposal_is_written_alike_by_boucle_match_and_the_pages(language):
    """``boucle match --format jsonl`` writes its lines from columns: the stand-in's rule goes through that path too."""
    import json

    from boucle.matching.commands import _row
    from boucle.matching.pipeline import propose_table

    flows = [FlowIn("o1", "step", "offer", label="Eaux usées traitées", quantity_t=10000.0, unit="m3"),
             FlowIn("n1", "cool", "need", label="Eau de refroidissement", quantity_t=5000.0, unit="m3")]
    encode = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False).encode
    with translation.override(language):
        table = propose_table(_park(WATER_PARK[:2]), flows)
        lines = "".join(table.jsonl_chunks()).splitlines()
        assert lines and lines == [encode(_row(p)) for p in table.proposals()]
        assert json.loads(lines[0])["explanation"]["rule_id"] == "declared:water_cooling"
