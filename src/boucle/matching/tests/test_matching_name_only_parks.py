"""Parks described by names only (issue 11, names5 round): more trade words read in names, a site known by a
company name read from the products it offers, and the last resort (a site of unknown activity) kept for offers
whose label does not say what they are for."""

import pytest

from boucle.matching.knowledge.infer import deduce_codes
from boucle.matching.knowledge.naf import name_to_naf
from boucle.matching.pipeline import FlowIn, SiteIn, propose


def _codes(name):
    return [code for code, _ in name_to_naf(name)]


def _site(site_id, name, km):
    return SiteIn(site_id, 45.0 + km / 111.2, 5.0, None, "", name)


@pytest.mark.parametrize("name, code", [
    # WZ 2008 23.51, ATECO 2007 23.51 (the plural « cementi »), TOL 2008 17.12, SNI/DB07/SN2007 20, CNAE-2009 20
    ("Muster Zement", "23.51"), ("Rossi Cementi", "23.51"), ("Pohjolan Paperi", "17.12"),
    ("Nordisk Kemikalier", "20"), ("Productos Químicos del Sur", "20"),
    # ADEME: a centre de valorisation organique composts or digests bio-waste
    ("CVO du Val", "38.21"), ("Centre de valorisation organique de la Plaine", "38.21"),
])
def test_trade_words_of_names_are_read(name, code):
    assert code in _codes(name)


@pytest.mark.parametrize("name", ["Lot CV 12", "Société Martin", "Zentrum Nord"])
def test_names_without_those_words_stay_unread(name):
    assert _codes(name) == []


def test_a_site_offering_ethylene_and_propylene_is_read_as_a_cracker():
    # EU BREF LVOC 2017: steam cracking gives ethylene and propylene
    assert deduce_codes([("ethylene", 1.0), ("propylene", 1.0)])[0].code == "20.14"


# a gas plant and three neighbours known by company names only
GAS = _site("gas", "Compañía Alfa", 0.0)
CRACKER = _site("ckr", "Beta SA", 0.3)
OTHERS = [_site("o1", "Gamma SA", 0.6), _site("o2", "Delta SA", 0.9)]


def test_ethane_goes_to_the_neighbour_whose_offers_say_it_is_a_cracker_not_to_every_unknown_site():
    flows = [FlowIn("e", "gas", "offer", label="Ethane"), FlowIn("y", "ckr", "offer", label="Ethylene")]
    assert {p.need_site_id for p in propose([GAS, CRACKER, *OTHERS], flows) if p.offer_flow_id == "e"} == {"ckr"}


# an alumina refinery's neighbours known by company names only, no farm around
REFINERY = _site("alu", "Omega Ltd", 0.0)
NAMED = [_site(f"c{i}", name, 0.3 * (i + 1)) for i, name in enumerate(("Sigma Ltd", "Tau Ltd", "Upsilon Ltd"))]


def test_a_label_stating_a_land_use_is_not_proposed_to_sites_of_unknown_activity():
    stated = [FlowIn("r", "alu", "offer", label="Bauxite residue (red mud) as soil amendment")]
    assert not propose([REFINERY, *NAMED], stated)
    # the same material without a stated use still reaches them as a last resort
    plain = [FlowIn("r", "alu", "offer", label="Bauxite residue (red mud)")]
    assert {p.need_site_id for p in propose([REFINERY, *NAMED], plain)} == {"c0", "c1", "c2"}


def test_a_use_only_implied_by_the_form_of_the_material_does_not_count():
    # granulated blast-furnace slag is made to be a cement constituent: what it is, not the holder's choice
    flows = [FlowIn("s", "alu", "offer", label="Granulated blast furnace slag")]
    assert {p.need_site_id for p in propose([REFINERY, *NAMED], flows)} == {"c0", "c1", "c2"}
