"""The default output of `boucle match` (matching/selection.py) and what it shows on the demo's
kind of data: a threshold on plausibility and at most a few receivers per offer."""

import numpy as np

from boucle.matching.pipeline import FlowIn, SiteIn, propose
from boucle.matching.selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, SAME_TRADE_KEPT, select_default


def test_at_most_k_receivers_per_offer_the_most_plausible_first():
    offer = np.array([0, 0, 0, 0, 1, 1])
    plaus = np.array([0.9, 0.2, 0.5, 0.7, 0.4, 0.35])
    score = np.array([1.0, 9.0, 2.0, 3.0, 1.0, 5.0])
    kept = select_default(offer, plaus, score, threshold=0.3, max_per_offer=2)
    assert kept.tolist() == [0, 3, 4, 5]
    # plausibility ties: the better exchange first
    kept = select_default(np.array([0, 0, 0]), np.array([0.5, 0.5, 0.5]), np.array([1.0, 3.0, 2.0]),
                          threshold=0.3, max_per_offer=1)
    assert kept.tolist() == [1]


def test_boucle_match_default_output_uses_the_selection():
    # Twelve cement works around one fly-ash producer: all plausible, only a few shown, and no third
    # cement works once two are (a third site of the same activity is not another use).
    sites = [SiteIn("power", 50.0, 3.0, "35.11", "Coal power station")]
    sites += [SiteIn(f"cem{i}", 50.0 + i * 0.01, 3.0, "23.51", "Cement plant") for i in range(12)]
    flows = [FlowIn("o1", "power", "offer", label="Fly ash", ewc_code="100102")]
    every = propose(sites, flows, threshold=DEFAULT_THRESHOLD)
    shown = propose(sites, flows)
    assert len(every) == 12 and len(shown) == SAME_TRADE_KEPT < MAX_RECEIVERS_PER_OFFER <= 5
    assert {p.need_site_id for p in shown} == {"cem0", "cem1"}  # the nearest
    assert min(p.plausibility for p in shown) >= max(p.plausibility for p in every if p not in shown) - 1e-9


def test_a_third_receiver_is_shown_for_another_activity_only():
    offer = np.zeros(4, dtype=int)
    plaus = np.array([0.9, 0.85, 0.8, 0.75])
    score = np.ones(4)
    # two cement works (activity 7), then a third: the list ends there, the road builder after it too
    kept = select_default(offer, plaus, score, threshold=0.3, max_per_offer=3, trade=np.array([7, 7, 7, 4]))
    assert kept.tolist() == [0, 1]
    # a cement works, a road builder, a brick maker: three uses, all shown up to the cap
    kept = select_default(offer, plaus, score, threshold=0.3, max_per_offer=3, trade=np.array([7, 4, 2, 9]))
    assert kept.tolist() == [0, 1, 2]
    # a repeat of either of the first two ends the list; a declared need (-1) is never a repeat
    assert select_default(offer, plaus, score, threshold=0.3, max_per_offer=3,
                          trade=np.array([7, 4, 4, 9])).tolist() == [0, 1]
    assert select_default(offer, plaus, score, threshold=0.3, max_per_offer=3,
                          trade=np.array([-1, -1, -1, 9])).tolist() == [0, 1, 2]
    # a third cement works exactly as plausible as a shown one is a tie, not split by site ids
    assert select_default(offer, np.array([0.9, 0.8, 0.8, 0.8]), score, threshold=0.3, max_per_offer=3,
                          trade=np.array([4, 7, 7, 7])).tolist() == [0, 1, 2]
    # each offer on its own: offer 1's third receiver repeats, offer 0's does not
    two = np.array([0, 0, 0, 1, 1, 1])
    kept = select_default(two, np.r_[plaus[:3], plaus[:3]], np.ones(6), threshold=0.3, max_per_offer=3,
                          trade=np.array([1, 2, 3, 1, 2, 2]))
    assert kept.tolist() == [0, 1, 2, 3, 4]


def test_a_receiver_far_below_the_offers_best_is_not_shown():
    offer = np.array([0, 0, 0, 1, 1])
    plaus = np.array([0.9, 0.6, 0.5, 0.4, 0.35])
    score = np.ones(5)
    # 0.5 < 0.6 x 0.9: dropped; offer 1's receivers stand close to its best (0.35 >= 0.6 x 0.4)
    assert select_default(offer, plaus, score, threshold=0.3, max_per_offer=3, relative=0.6).tolist() == [0, 1, 3, 4]
    assert select_default(offer, plaus, score, threshold=0.3, max_per_offer=3, relative=0.0).tolist() == [0, 1, 2, 3, 4]
    # the cut reads the best receiver above the threshold, and only then the cap applies
    assert select_default(offer, plaus, score, threshold=0.55, max_per_offer=1, relative=0.6).tolist() == [0]
