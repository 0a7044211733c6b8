"""Receivers that can really receive (issue 11, recyclers round): a recovery site of sorted materials (NACE 38.32)
or a waste and scrap merchant (46.77) whose words or name say the material it recovers (« Ferrailleur »,
« Récupération de métaux », "Schrotthandel", « Recyclage de plastiques ») is offered that family only; one whose
words and name say none keeps the generic rules of its class (NACE Rev. 2 38.32 and 46.77; Council Regulation (EU)
No 333/2011, Commission Regulation (EU) No 715/2013; EN 643; EN 15347).
"""

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park

SORTED = "Récupération de déchets triés"


def _takes(code, activity, name=None):
    return {n.class_key for n in infer_needs(code, activity, name)}


def _receivers(sites, label, **flow):
    # today landfilled: scrap assumed already sold to recycling is not proposed (additionality)
    flow.setdefault("current_route", "landfill")
    return [p.need_site_id for p in propose(park(sites), [FlowIn("o1", "maker", "offer", label=label, **flow)])]


PARK = [("maker", "25.62B", "Usinage de pièces mécaniques"),
        ("scrap", "38.32Z", SORTED, "Ferrailleur Dupont"),
        ("generic", "38.32Z", SORTED, "Recyclage des Vallées")]


def test_a_scrap_metal_dealer_is_offered_steel_scrap_and_not_plastic_film():
    assert "scrap" in _receivers(PARK, "Chutes d'acier", quantity_t=40.0)
    assert "scrap" not in _receivers(PARK, "Film plastique PE", quantity_t=10.0)
    assert "generic" in _receivers(PARK, "Film plastique PE", quantity_t=10.0)


def test_a_sorted_materials_site_that_names_no_material_still_takes_film_wood_and_metals():
    takes = _takes("38.32Z", SORTED, "Recyclage des Vallées")
    assert {"ldpe_film", "wood_pallets", "textiles", "steel_scrap"} <= takes


def test_a_metal_recycler_in_its_words_or_name_in_several_languages_takes_metals_only():
    for activity, name in ((SORTED, "Ferrailleur Dupont"), ("Récupération de métaux", "SARL Martin"),
                           (SORTED, "Négoce de métaux du Nord"), ("Scrap metal recycling", "Smith & Sons"),
                           (SORTED, "Schrotthandel Müller"), (SORTED, "Artois Métaux")):
        takes = _takes("38.32Z", activity, name)
        assert {"steel_scrap", "aluminium_scrap", "copper_scrap", "cable_scrap"} <= takes, name
        assert not {"ldpe_film", "textiles", "sawdust_shavings", "wood_pallets", "cardboard"} & takes, name


def test_a_waste_and_scrap_merchant_of_46_77_that_names_metals_is_read_the_same_way():
    takes = _takes("46.77Z", "Commerce de gros de déchets et débris", "Ferrailles du Littoral")
    assert "steel_scrap" in takes and not {"textiles", "mixed_plastics", "paper"} & takes


def test_each_named_family_takes_its_own_materials_and_two_named_families_take_both():
    assert _takes("38.32Z", SORTED, "Récupération de papiers-cartons de l'Artois") & {"cardboard", "paper"}
    paper = _takes("38.32Z", SORTED, "Récupération de papiers-cartons de l'Artois")
    assert not {"steel_scrap", "ldpe_film", "wood_pallets"} & paper
    plastics = _takes("38.32Z", "Recyclage de plastiques", None)
    assert {"ldpe_film", "pp", "hdpe"} <= plastics and not {"steel_scrap", "textiles", "cardboard"} & plastics
    assert "textiles" in _takes("38.32Z", SORTED, "Le Relais textile") - {"ldpe_film"}
    assert "ldpe_film" not in _takes("38.32Z", SORTED, "Le Relais textile")
    assert "glass_cullet" in _takes("38.32Z", "Recyclage du verre", None)
    assert "steel_scrap" not in _takes("38.32Z", "Recyclage du verre", None)
    wood = _takes("38.32Z", SORTED, "Recyclage du bois de Picardie")
    assert "wood_pallets" in wood and "ldpe_film" not in wood
    both = _takes("38.32Z", "Recyclage de plastiques et papiers-cartons", None)
    assert {"ldpe_film", "cardboard"} <= both and "steel_scrap" not in both


def test_a_material_word_inside_a_place_name_names_no_material():
    """« Bois-Guillaume » is a commune near Rouen, not wood: the site keeps the generic rules (naf.strip_place_names)."""
    placed = _takes("38.32Z", SORTED, "SARL Récupération de Bois-Guillaume")
    assert {"ldpe_film", "textiles", "steel_scrap"} <= placed
    assert "ldpe_film" not in _takes("38.32Z", SORTED, "Récupération de bois")
