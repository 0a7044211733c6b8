"""The land search, pure: filters and the order somebody looking for land expects."""

from boucle.land import engine
from boucle.land.engine import LandPoint


def points():
    return [LandPoint(1, "a", "59350", "plot", "available", 5_000, ("power",)),
            LandPoint(2, "b", "59350", "brownfield", "reconverted", 90_000, ("rail", "power")),
            LandPoint(3, "c", "59009", "brownfield", "under_study", 80_000, ("rail", "water", "power")),
            LandPoint(4, "d", "62041", "building", "available", 20_000, ()),
            LandPoint(5, "e", "59009", "plot", "available", 20_000, ("rail",))]


def test_available_first_then_largest_then_identifier():
    assert [p.identifier for p in engine.search(points())] == ["d", "e", "a", "c", "b"]


def test_filters_combine():
    found = engine.search(points(), communes={"59350", "59009"}, min_area_m2=10_000, servicing=("rail",))
    assert [p.identifier for p in found] == ["e", "c", "b"]
    assert [p.identifier for p in engine.search(points(), kinds={"brownfield"}, statuses={"under_study"})] == ["c"]
    assert engine.search(points(), max_area_m2=4_999) == []
    assert engine.search(points(), communes=set()) == []


def test_words_for_kinds_and_statuses_ignore_accents_and_case():
    assert engine.word(engine.KIND_WORDS, "Bâtiment vacant") == "building"
    assert engine.word(engine.KIND_WORDS, "FRICHE INDUSTRIELLE") == "brownfield"
    assert engine.word(engine.STATUS_WORDS, "Friche sans projet") == "available"
    assert engine.word(engine.STATUS_WORDS, "under_study") == "under_study"
    assert engine.word(engine.STATUS_WORDS, "à l’étude") == "under_study"
    assert engine.word(engine.KIND_WORDS, "parking") is None
