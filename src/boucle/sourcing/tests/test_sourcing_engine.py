"""The pure part of local sourcing: codes at any level, material classes, label words, distances."""

import pytest

from boucle.matching.knowledge.infer import Rule
from boucle.sourcing import engine

CATALOGUE = {"38": ("Collecte, traitement et élimination des déchets ; récupération", ""),
             "38.1": ("Collecte des déchets", ""), "38.11": ("Collecte des déchets non dangereux", ""),
             "38.11Z": ("Collecte des déchets non dangereux", ""),
             "38.3": ("Récupération", "Materials recovery"), "38.32": ("Récupération de déchets triés", ""),
             "38.32Z": ("Récupération de déchets triés", "Recovery of sorted materials"),
             "23.51Z": ("Fabrication de ciment", "Manufacture of cement")}


@pytest.mark.parametrize("text,code", [("38", "38"), ("38.3", "38.3"), ("38.32", "38.32"), ("38.32z", "38.32Z"),
                                       ("3832Z", "38.32Z"), (" 38.32 Z", "38.32Z")])
def test_codes_at_any_level_are_read(text, code):
    assert engine.normalise_code(text) == code


@pytest.mark.parametrize("text", ["3", "ABC", "38.32ZZ", ""])
def test_unreadable_codes_are_refused(text):
    with pytest.raises(engine.QueryError):
        engine.normalise_code(text)


def test_a_code_covers_the_codes_under_it_and_an_unknown_one_is_refused():
    assert engine.codes_under("38.3", CATALOGUE) == ["38.3", "38.32", "38.32Z"]
    assert set(engine.codes_under("38", CATALOGUE)) == {c for c in CATALOGUE if c.startswith("38")}
    with pytest.raises(engine.QueryError):
        engine.codes_under("38.9", CATALOGUE)


def test_material_class_gives_producers_and_users_with_their_source():
    outputs = [Rule("o1", "38.3", "cullet", 0.5, "src-out"), Rule("o2", "23.51", "other", 0.5, "x")]
    inputs = [Rule("i1", "23.51", "cullet", 0.3, "src-in")]
    found = engine.material_codes("cullet", outputs, inputs, CATALOGUE)
    assert found["38.32Z"].kind == "produces" and found["38.32Z"].source == "src-out"
    assert found["23.51Z"].kind == "uses" and "38.11Z" not in found


def test_label_words_match_without_accents_and_bring_subclasses():
    found = engine.text_codes("recuperation dechets", CATALOGUE)
    assert {"38", "38.32", "38.32Z"} <= set(found) and "23.51Z" not in found
    assert "23.51Z" in engine.text_codes("cement", CATALOGUE)
    with pytest.raises(engine.QueryError):
        engine.text_codes("a", CATALOGUE)


def test_within_radius_sorted_by_distance_and_box_holds_the_circle():
    lille = (50.6365, 3.0635)
    # straight lines: Lille → Lens ~ 28 km, Lille → Arras ~ 43 km, Lille → Paris ~ 204 km
    lats, lons = [50.2910, 50.4320, 48.8566], [2.7775, 2.8330, 2.3522]
    hits = engine.within(*lille, 50, lats, lons)
    assert [i for i, _d in hits] == [1, 0]
    assert hits[0][1] == pytest.approx(28, abs=2) and hits[1][1] == pytest.approx(43, abs=2)
    assert all(d <= 50 for _i, d in hits)
    lat0, lat1, lon0, lon1 = engine.bounding_box(*lille, 50)
    assert lat0 < 50.4320 < lat1 and lon0 < 2.7775 < lon1 and not (lat0 < 48.8566)
