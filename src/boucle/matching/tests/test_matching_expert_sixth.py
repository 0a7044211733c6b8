"""What an expert of industrial ecology found implausible in the demo's default output (expert reading, sixth round,
2026-12-07, docs/matching-quality.md), as the platform shows it: who receives an offer, and what the offer is read as.

- fish and shellfish by-products go to fish-meal plants, pet food and feed, not to a smokehouse or a cannery that
  shares the fish-meal plant's NACE class (10.20);
- a label that names fish or crustacean by-products is read as fish waste, also under the List-of-Waste code of
  animal-tissue waste (02 02 02) that meat and fish share;
- raw animal by-products go to feed and pet food before a cement kiln, which burns rendered meal (energy recovery
  after the uses of Regulation (EC) No 1069/2009 art. 14); a kiln still takes them when no such use is in reach.
"""

from functools import partial

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.pipeline import FlowIn, classify_flow
from boucle.matching.tests.parks import receivers

_receivers = partial(receivers, at=(50.0, 3.0, 0.001))

FISH_TITLE = "Transformation et conservation de poisson, de crustacés et de mollusques"
FISH_PARK = [("processor", "10.20Z", FISH_TITLE, "Crustacés du Nord"),
             ("smokehouse", "10.20Z", FISH_TITLE, "Fumaison Dupont"),
             ("meal", "10.20Z", "Production de farine et d'huile de poisson"),
             ("petfood", "10.92Z", "Fabrication d'aliments pour animaux de compagnie")]


def test_fish_by_products_go_to_a_fish_meal_plant_and_pet_food_not_to_a_smokehouse():
    got = _receivers(FISH_PARK, "processor", "Coproduits de poissons et crustacés", ewc_code="020202",
                     quantity_t=460.0)
    assert "smokehouse" not in got          # NACE 10.20 note: smoking, canning and filleting take no fish waste in
    assert {"meal", "petfood"} <= got       # Regulation (EC) No 1069/2009 art. 14 and 24


def test_a_fish_processor_known_by_its_code_title_needs_no_fish_waste_a_meal_plant_does():
    def needs(activity, name):
        return {n.class_key for n in infer_needs("10.20Z", activity, name)}

    assert not needs(FISH_TITLE, "Delpierre Mer et Tradition") & {"fish_waste", "animal_by_products"}
    assert not needs("Fish processing", "Nordic Seafood") & {"fish_waste", "animal_by_products"}
    assert "fish_waste" in needs("Fish meal and fish oil plant", "Nordic Marine")
    assert "fish_waste" in needs(FISH_TITLE, "Coproduits Marins de Boulogne")


def test_fish_and_crustacean_by_products_are_read_as_fish_waste_under_the_animal_tissue_code():
    for label in ("Coproduits de poissons et crustacés", "Carapaces de crevettes", "Déchets de crustacés",
                  "Fish by-products", "Shrimp shells"):
        offer = FlowIn("o", "s", "offer", label=label, ewc_code="020202")
        assert classify_flow(offer)[0][0] == "fish_waste", label
    # slaughterhouse waste under the same code stays animal by-products
    offal = FlowIn("o", "s", "offer", label="Déchets d'abattoir", ewc_code="020202")
    assert classify_flow(offal)[0][0] == "animal_by_products"


ABP_PARK = [("abattoir", "10.11Z", "Transformation et conservation de la viande de boucherie"),
            ("kiln", "23.51Z", "Fabrication de ciment"),
            ("feed", "10.91Z", "Fabrication d'aliments pour animaux de ferme")]


def test_raw_animal_by_products_go_to_a_pet_food_maker_before_a_cement_kiln_and_never_to_a_farm_feed_mill():
    # Regulation (EC) No 1069/2009 art. 14: category 3 material to pet food; a farm-feed mill takes no raw animal
    # by-product (Regulation (EC) No 999/2001 Annex IV: processed animal protein kept out of farmed animals' feed,
    # the rendering is done first); a kiln burns rendered meal
    park = ABP_PARK + [("petfood", "10.92Z", "Fabrication d'aliments pour animaux de compagnie")]
    got = _receivers(park, "abattoir", "Sous-produits animaux de catégorie 3", quantity_t=1400.0)
    assert "petfood" in got
    assert "feed" not in got and "kiln" not in got


def test_a_kiln_still_takes_animal_by_products_when_no_feed_use_is_in_reach():
    got = _receivers(ABP_PARK[:2], "abattoir", "Sous-produits animaux de catégorie 3", quantity_t=1400.0)
    assert got == {"kiln"}


def test_the_kiln_card_says_energy_recovery_comes_after_feed():
    from boucle.matching.knowledge.infer import infer_needs

    need = next(n for n in infer_needs("23.51Z", "Fabrication de ciment") if n.class_key == "animal_by_products")
    assert "Directive 2008/98/EC art. 4" in need.source
    assert need.grade.startswith("energy recovery, after the feed")

