"""What an expert of industrial ecology found implausible in the demo (expert reading round of
2026-12-07, docs/matching-quality.md), as the platform shows it: who receives an offer, and what the
explanation says.

- a site whose activity is the official title of its NAF code is read as that code only
  (« Fabrication d'ouvrages en fibre-ciment », 23.65, is no cement works);
- a fibre-cement works takes no concrete aggregates, a brickworks no gypsum;
- wood from civic amenity sites (20 01 38, « bois de déchèterie ») is grade B wood, not biomass;
"""

from functools import partial

import pytest
from boucle.matching.knowledge import infer, naf
from boucle.matching.pipeline import FlowIn, _classify, propose
from boucle.matching.tests.parks import park
from boucle.matching.wording import explanation_text

_park = partial(park, lat=50.0, lon=3.0)


def _proposals(sites, site_id, label, **flow):
    return propose(_park(sites), [FlowIn("o1", site_id, "offer", label=label, **flow)])


@pytest.mark.parametrize("code, title, not_read_as", [
    ("23.65Z", "Fabrication d'ouvrages en fibre-ciment", "23.51"),
    ("38.32Z", "Récupération de déchets triés", "38.11"),
    ("38.21Z", "Traitement et élimination des déchets non dangereux", "38.11"),
    ("24.20Z", "Fabrication de tubes, tuyaux, profilés creux et accessoires correspondants en acier", "24.10"),
    ("17.22Z", "Fabrication d'articles en papier à usage sanitaire ou domestique", "17.12"),
    ("81.22Z", "Autres activités de nettoyage des bâtiments et nettoyage industriel", "41.20"),
    ("23.65", "Manufacture of fibre cement", "23.51"),
])
def test_the_title_of_the_declared_code_names_no_other_activity(code, title, not_read_as):
    codes = dict(infer.site_codes(code, title))
    assert not_read_as not in codes
    assert codes == {naf.normalise_naf(code): 1.0}


def test_an_activity_that_is_a_code_title_is_read_as_that_code_without_a_code():
    assert naf.activity_to_naf("Fabrication d'ouvrages en fibre-ciment") == [("23.65", 1.0)]
    assert naf.activity_to_naf("Traitement et élimination des déchets non dangereux") == [("38.21", 1.0)]
    # words that are more than a title are read as before: a site that says cement is a cement works
    assert dict(infer.site_codes("23.65", "cement and fibre cement")).get("23.51")


FIBRE_CEMENT_PARK = [
    ("works", "23.65Z", "Fabrication d'ouvrages en fibre-ciment"),
    ("power", "35.11Z", "Production d'électricité"),
    ("tyres", "38.31Z", "Démantèlement d'épaves"),
]


@pytest.mark.parametrize("label, source", [
    ("Gypse de désulfuration des fumées", "power"),   # a cement works' set regulator
    ("Pneus usagés", "tyres"),                         # a cement kiln's fuel
    ("Granulats recyclés", "power"),                   # a concrete aggregate
])
def test_a_fibre_cement_works_is_not_offered_what_only_a_cement_kiln_or_concrete_takes(label, source):
    assert not {p.need_site_id for p in _proposals(FIBRE_CEMENT_PARK, source, label)} & {"works"}


def test_a_fibre_cement_works_still_takes_fly_ash():
    assert "works" in {p.need_site_id for p in _proposals(FIBRE_CEMENT_PARK, "power", "Cendres volantes de charbon")}


def test_fgd_gypsum_is_not_proposed_to_a_brickworks():
    park = [("power", "35.11", "Coal-fired power station"), ("bricks", "23.32", "Brick works")]
    assert "bricks" not in {p.need_site_id for p in _proposals(park, "power", "FGD gypsum")}


def test_wood_from_a_civic_amenity_site_is_grade_b_wood_for_a_cement_kiln_not_a_biomass_boiler():
    assert _classify("Bois de déchèterie", "200138", "material", None) == (("wood_treated", 1.0),)
    park = [("dechetterie", "38.11", "Déchèterie"), ("heating", "35.30", "Chaufferie biomasse"),
            ("kiln", "23.51", "Cimenterie")]
    proposals = _proposals(park, "dechetterie", "Bois de déchèterie", ewc_code="200138")
    assert {p.need_site_id for p in proposals} == {"kiln"}
    assert "bois traité ou adjuvanté (classe B/C)" in explanation_text(proposals[0].explanation)
    # clean pallets stay a fuel a biomass boiler may burn
    pallets = _proposals(park, "dechetterie", "Palettes bois", ewc_code="150103")
    assert "heating" in {p.need_site_id for p in pallets}
