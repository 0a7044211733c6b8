"""A site whose activity nothing says (no NACE code, no activity words, no trade word in its name, no offer
that betrays its trade) is a receiver of last resort: an offer that no site of known activity around takes is
proposed to such sites around, at a low plausibility, when they are few enough to be all shown, and the card says
the activity is unknown and must be checked (issue 11: held-out parks often describe a site by a company name
only)."""

import json

import pytest
from django.utils import translation

from boucle.matching.pipeline import UNKNOWN_PRIOR, FlowIn, SiteIn, propose, propose_table, why_no_receiver
from boucle.matching.selection import MAX_RECEIVERS_PER_OFFER
from boucle.matching.wording import explanation_text


def _site(site_id, name, km, naf=None, activity=""):
    return SiteIn(site_id, 45.0 + km / 111.2, 5.0, naf, activity, name)


# a glassworks' neighbours known by company names only
GLASS = _site("glass", "Verrerie du Centre", 0.0)
NAMED = [_site(f"c{i}", name, 0.3 * (i + 1)) for i, name in enumerate(
    ("Société Martin", "Borealis", "Dupont Frères SA", "Acme Holding", "Groupe Durand"))]


def _unknown(proposals):
    return [p for p in proposals if p.explanation.get("unknown_activity")]


def test_an_offer_no_known_site_takes_goes_to_the_few_sites_of_unknown_activity_around():
    # the company-named site offers glass cullet: no site of known activity around takes it
    flows = [FlowIn("o", "c0", "offer", label="Déchets de verre")]
    park = NAMED[:MAX_RECEIVERS_PER_OFFER + 1]
    shown = propose(park, flows)
    assert sorted(p.need_site_id for p in shown) == sorted(s.site_id for s in park[1:])
    assert all(p.explanation["unknown_activity"] and p.explanation["rule_id"].startswith("unknown:") for p in shown)
    # held below any reading of an activity
    assert all(p.plausibility <= UNKNOWN_PRIOR for p in shown)


def test_more_sites_of_unknown_activity_than_shown_are_not_drawn_from():
    flows = [FlowIn("o", "c0", "offer", label="Déchets de verre")]
    assert len(NAMED) - 1 > MAX_RECEIVERS_PER_OFFER and not propose(NAMED, flows)
    assert why_no_receiver(flows[0], NAMED[0], NAMED[1:]) == ["unknown_activity_around"]


def test_a_known_receiver_around_leaves_the_unknown_sites_out():
    flows = [FlowIn("o", "c0", "offer", label="Déchets de verre")]
    shown = propose([GLASS, *NAMED[:3]], flows)
    assert [p.need_site_id for p in shown] == ["glass"] and not _unknown(shown)


def test_a_hazardous_waste_is_never_proposed_to_a_site_of_unknown_activity():
    flows = [FlowIn("o", "glass", "offer", label="Spent solvents", hazardous=True)]
    assert not propose([GLASS, *NAMED[:3]], flows)


def test_a_label_read_from_letters_only_goes_to_nobody():
    assert not propose([GLASS, *NAMED[:3]], [FlowIn("o", "glass", "offer", label="Lot 42")])


def test_a_site_that_declared_a_need_is_not_unknown():
    flows = [FlowIn("o", "c0", "offer", label="Déchets de verre"), FlowIn("n", "c4", "need", label="Sable")]
    shown = _unknown(propose([*NAMED], flows))  # c4 is known by its need: three sites of unknown activity are left
    assert shown and "c4" not in {p.need_site_id for p in shown}


def test_sites_of_unknown_activity_far_away_are_not_proposed():
    far = [_site("a", "Société Martin", 0.0), _site("b", "Borealis", 150.0)]
    assert not propose(far, [FlowIn("o", "a", "offer", label="Déchets de verre")])


@pytest.mark.parametrize("kwargs", [{}, {"top": 3}, {"exhaustive": True}])
def test_every_engine_path_gives_the_same_last_resort(kwargs):
    flows = [FlowIn("o", "c0", "offer", label="Déchets de verre")]
    assert {p.need_site_id for p in propose(NAMED[:3], flows, **kwargs)} == {"c1", "c2"}


def test_the_card_says_the_activity_is_unknown_in_french_and_english():
    flows = [FlowIn("o", "c0", "offer", label="Déchets de verre")]
    p = propose(NAMED[:3], flows)[0]
    with translation.override("fr"):
        fr = explanation_text(p.explanation, distance_km=p.distance_km)
    with translation.override("en"):
        en = explanation_text(p.explanation, distance_km=p.distance_km)
    assert "dont l'activité est inconnue" in fr and "calcin" in fr
    assert "whose activity is unknown" in en and "ask the site what it does" in en
    # the command line's JSON lines say the same, and flag it
    line = json.loads("".join(propose_table(NAMED[:3], flows).jsonl_chunks()).splitlines()[0])
    assert line["explanation"]["unknown_activity"] is True
    assert "dont l'activité est inconnue" in line["explanation"]["text"]


def test_a_site_of_unknown_activity_is_no_last_resort_for_what_it_offers_itself():
    # three company-named plants each sell steam: none of them lacks steam, so none is proposed another's
    park = NAMED[:3]
    flows = [FlowIn(f"v{i}", s.site_id, "offer", label="Vapeur") for i, s in enumerate(park)]
    assert not propose(park, flows)
    # a fourth one, which offers none, is the last resort of each
    shown = propose([*park, NAMED[3]], flows)
    assert {p.need_site_id for p in shown} == {"c3"} and len(shown) == 3 and all(_unknown(shown))


def test_a_site_of_unknown_activity_offering_one_class_still_receives_another():
    flows = [FlowIn("o", "c0", "offer", label="Déchets de verre"), FlowIn("v", "c1", "offer", label="Vapeur")]
    assert "c1" in {p.need_site_id for p in propose(NAMED[:3], flows) if p.offer_flow_id == "o"}


def test_a_park_of_company_names_only_offering_steam_is_matched_without_error():
    # no site has a need to value a pair against (it raised an IndexError in the search's pre-filter)
    shown = propose(NAMED[:2], [FlowIn("v", "c0", "offer", label="Vapeur")])
    assert [p.need_site_id for p in shown] == ["c1"]


def test_a_water_recycling_facility_known_by_its_name_takes_the_treated_effluent_first():
    park = [_site("wwtp", "Hyperion Water Reclamation Plant", 0.0), _site("wrf", "West Basin Water Recycling Facility", 0.5),
            _site("ps", "Scattergood Generating Station", 1.0)]
    shown = propose(park, [FlowIn("e", "wwtp", "offer", label="Secondary treated effluent")])
    assert shown[0].need_site_id == "wrf" and shown[0].explanation["rule_id"] == "scope:36:water_treated_wastewater"
