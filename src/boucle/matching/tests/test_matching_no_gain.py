"""A proposal that changes nothing is not a proposal: scrap already sold for recycling (a declared R code,
a known quantity), moved to another recycler, avoids neither a virgin material nor a disposal -- only the
lorry's emissions are added. Such pairs are left out, whether or not Boucle has an emission factor for the
material (mixed non-ferrous scrap has none, and its figures used to read « unknown », which let it through)."""

import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.matching.pipeline import FlowIn, SiteIn, propose

SITES = [SiteIn("sorter", 50.0, 3.0, "38.32Z", "tri de métaux"), SiteIn("foundry", 50.05, 3.0, "24.54Z", "fonderie")]


def _offer(route, quantity=800.0, key="non_ferrous_mixed_scrap"):
    return [FlowIn("scrap", "sorter", "offer", label="métaux non ferreux en mélange", class_key=key,
                   quantity_t=quantity, current_route=route),
            FlowIn("need", "foundry", "need", label="chutes de non ferreux", class_key=key, quantity_t=1000.0)]


@pytest.mark.parametrize("key", ["non_ferrous_mixed_scrap", "aluminium_scrap"])
@pytest.mark.parametrize("route", ["R4", "recycling"])
def test_scrap_already_recycled_is_not_proposed_to_another_recycler(key, route):
    proposals = propose(SITES, _offer(route, key=key), inferred=False, threshold=0.0)
    assert not [p for p in proposals if p.offer_flow_id == "scrap"]


@pytest.mark.parametrize("route", ["D1", "D10"])
def test_the_same_scrap_landfilled_or_burnt_today_is_proposed(route):
    proposals = [p for p in propose(SITES, _offer(route, key="aluminium_scrap"), inferred=False, threshold=0.0)
                 if p.offer_flow_id == "scrap"]
    assert proposals and proposals[0].co2e_avoided_t_per_year > 0


def test_without_a_quantity_the_proposal_stays_and_says_what_it_is_measured_against():
    proposals = [p for p in propose(SITES, _offer("R4", quantity=None), inferred=False, threshold=0.0)
                 if p.offer_flow_id == "scrap"]
    assert proposals and proposals[0].explanation["current_route"] == "recycling"


def test_the_detailed_estimate_of_recycled_scrap_is_the_lorry_alone():
    """The synergy page's table: the terms avoided are 0 (already recycled), so the total is the transport's
    cost, a negative figure, not « unknown » for want of a virgin-metal factor."""
    b = exchange_breakdown("non_ferrous_mixed_scrap", 800, "t", 6.3, baseline_route="R4")
    assert b.co2e_avoided_t is not None and b.co2e_avoided_t < 0
    assert b.tonnes_diverted == 0
    assert b.eur_saved is not None and b.eur_saved < 0
