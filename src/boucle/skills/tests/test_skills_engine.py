"""Skills matching, pure: commuting distance, ended training, word matching, pools, unmet needs."""

import datetime as dt

from boucle.skills import engine
from boucle.skills.engine import Need, Offer, Training

LILLE, ROUBAIX, ARRAS, AMIENS = (50.63, 3.06), (50.69, 3.18), (50.29, 2.78), (49.89, 2.30)


def need(key, company, rome, at, label="", headcount=1, epci="E1"):
    return Need(key, company, rome, engine.words(label), headcount, *at, epci)


def test_training_within_commuting_distance_teaching_the_code_nearest_first():
    needs = [need(1, 10, "H2913", LILLE)]
    trainings = [Training(100, ("H2913",), frozenset(), *ARRAS), Training(101, ("H2913",), frozenset(), *ROUBAIX),
                 Training(102, ("I1310",), frozenset(), *LILLE), Training(103, ("H2913",), frozenset(), *AMIENS)]
    (m,), _pools = engine.match(needs, trainings, [], radius_km=40, today=dt.date(2026, 12, 6))
    assert [k for k, _km in m.trainings] == [101]  # Arras is ~42 km, Amiens ~100 km; I1310 teaches another job
    (m,), _pools = engine.match(needs, trainings, [], radius_km=60, today=dt.date(2026, 12, 6))
    assert [k for k, _km in m.trainings] == [101, 100]


def test_an_ended_training_is_not_offered():
    trainings = [Training(100, ("H2913",), frozenset(), *ROUBAIX, end=dt.date(2026, 6, 30))]
    (m,), _ = engine.match([need(1, 10, "H2913", LILLE)], trainings, [], today=dt.date(2026, 12, 6))
    assert m.trainings == [] and not m.met
    (m,), _ = engine.match([need(1, 10, "H2913", LILLE)], trainings, [], today=dt.date(2026, 6, 1))
    assert m.trainings


def test_a_need_in_words_matches_a_training_sharing_a_significant_word():
    trainings = [Training(100, (), engine.words("Titre professionnel soudeur TIG"), *ROUBAIX),
                 Training(101, (), engine.words("Technicien de maintenance"), *ROUBAIX)]
    (m,), _ = engine.match([need(1, 10, "", LILLE, label="Soudeur TIG inox")], trainings, [])
    assert [k for k, _ in m.trainings] == [100]  # "technicien" alone is too generic to match


def test_other_companies_offers_and_pools():
    needs = [need(1, 10, "H2913", LILLE, headcount=2), need(2, 11, "H2913", ROUBAIX, headcount=3),
             need(3, 10, "H2913", ROUBAIX), need(4, 12, "H2913", AMIENS), need(5, 13, "I1310", LILLE)]
    offers = [Offer(50, 11, "H2913", frozenset(), *ROUBAIX), Offer(51, 10, "H2913", frozenset(), *LILLE)]
    matches, pools = engine.match(needs, [], offers, pool_km=30)
    by = {m.need: m for m in matches}
    assert [k for k, _ in by[1].offers] == [50]  # never one's own company
    assert len(pools) == 1 and pools[0].needs == (1, 2, 3) and pools[0].companies == 2 and pools[0].headcount == 6
    assert by[1].pool == by[2].pool == pools[0].key and by[4].pool is None and by[5].pool is None


def test_unmet_needs_per_epci():
    needs = [need(1, 10, "H2913", LILLE, headcount=2, epci="A"), need(2, 11, "K2304", LILLE, epci="A"),
             need(3, 12, "K2304", AMIENS, headcount=5, epci="B")]
    matches, _ = engine.match(needs, [Training(9, ("H2913",), frozenset(), *LILLE)], [])
    rows = engine.unmet_by_epci(needs, matches)
    assert rows == [{"epci": "B", "needs": 1, "headcount": 5, "unmet_needs": 1, "unmet_headcount": 5},
                    {"epci": "A", "needs": 2, "headcount": 3, "unmet_needs": 1, "unmet_headcount": 1}]
