"""What a proposal card says, as a facilitator reads it (expert reading round of 2026-12-07,
docs/matching-quality.md): class names that are lists read as lists, with their commas, in French and
English; the quantity of a need inferred from the activity says in plain words what bounds it."""

import pytest
from django.utils import translation

from boucle.matching.pipeline import FlowIn, SiteIn, propose
from boucle.matching.wording import estimate_note, explanation_text, material_label, quantity_words


@pytest.mark.parametrize("key, fr, en", [
    ("husks_shells", "Coques, balles et enveloppes", "Husks, hulls and shells"),
    ("paint_ink_adhesive_waste", "Déchets de peintures, encres, colles et vernis", "Paint, ink, adhesive and varnish waste"),
    ("fruit_vegetable_residues", "Déchets de fruits et légumes (pulpes, marcs)", "Fruit and vegetable residues (pulp, pomace)"),
    ("waste_oil", "Huiles usagées (moteur, hydrauliques)", "Waste mineral oil (engine, hydraulic)"),
    ("bricks_tiles_ceramics", "Briques, tuiles et céramiques", "Bricks, tiles and ceramics"),
    ("absorbents_rags", "Absorbants, chiffons et filtres souillés", "Contaminated absorbents, rags and filters"),
    ("animal_by_products", "Sous-produits animaux (abats, os, sang)", "Animal by-products (offal, bones, blood)"),
])
def test_a_class_name_that_is_a_list_has_its_commas(key, fr, en):
    with translation.override("fr"):
        assert material_label(key) == fr
    with translation.override("en"):
        assert material_label(key) == en


def test_a_husks_offer_card_reads_the_class_as_a_list():
    park = [SiteIn("mill", 50.0, 3.0, "10.61", "Meunerie"), SiteIn("kiln", 50.001, 3.0, "23.51", "Cimenterie"),
            SiteIn("farm", 50.002, 3.0, "01.41", "Élevage de vaches laitières")]
    proposals = propose(park, [FlowIn("o1", "mill", "offer", label="Balles de riz et coques", quantity_t=100.0)])
    assert proposals
    with translation.override("fr"):
        assert any("coques, balles et enveloppes" in explanation_text(p.explanation).lower() for p in proposals)
    with translation.override("en"):
        assert any("husks, hulls and shells" in explanation_text(p.explanation).lower() for p in proposals)


def test_the_bound_of_an_inferred_need_is_said_in_plain_words():
    with translation.override("fr"):
        text = quantity_words("site_scale", 2000.0, "t")
        assert text.startswith("2\u202f000 t par an au plus : le site receveur n'a pas déclaré ce besoin")
        assert "plus gros besoin déclaré en tonnes, pour une autre matière ou énergie, qui donne la taille du site" in text
        # the figure is the smaller of the offer and the site's scale, most often the whole offer: both bounds said
        assert "ne dépasse ni l'offre ni son plus gros besoin" in text
        assert estimate_note("site_scale", "t").startswith("au plus l'offre, et au plus le plus gros besoin")
        assert "dans la limite" not in text
        assert "pour une autre matière ou énergie" in estimate_note("site_scale", "MWh")
    with translation.override("en"):
        text = quantity_words("site_scale", 2000.0, "t")
        assert text.startswith("2 000 t per year at most: the receiving site has not declared this need")
        assert "largest declared need in tonnes, for another material or energy" in text
        assert "exceeds neither the offer nor its largest declared need" in text
        assert "for another material or energy" in estimate_note("site_scale", "MWh")
