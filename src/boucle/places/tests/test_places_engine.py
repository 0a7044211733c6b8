"""The nearest-place engine on plain data: order, action and object filters (no database)."""

from boucle.places.engine import PlacePoint, categories_for, nearest, nearest_per_action

LILLE, ARRAS, AMIENS = (50.632, 3.047), (50.291, 2.777), (49.894, 2.296)
POINTS = [
    PlacePoint(1, *AMIENS, ("repair",), ("tools",)),
    PlacePoint(2, *ARRAS, ("repair", "sell"), ("tools",)),
    PlacePoint(3, *LILLE, ("repair",), ("bike",)),
    PlacePoint(4, *LILLE, ("drop_off", "recycle"), ()),  # a tip: every object
    PlacePoint(5, 50.73, 4.00, ("give",), ("furniture",)),  # across the border, in Belgium
]


def test_nearest_is_ordered_by_great_circle_distance():
    found = nearest(POINTS, *LILLE)
    assert [p.key for p, _km in found] == [3, 4, 2, 5, 1]
    kms = [km for _p, km in found]
    assert kms == sorted(kms) and kms[0] < 0.01
    assert 40 < kms[2] < 45  # Lille → Arras ≈ 42 km on the sphere


def test_action_and_object_filters():
    drill = categories_for("Perceuse-visseuse sans fil")
    assert drill == ["tools"]
    assert [p.key for p, _ in nearest(POINTS, *LILLE, action="repair", categories=drill)] == [2, 1]
    assert [p.key for p, _ in nearest(POINTS, *LILLE, action="recycle", categories=drill)] == [4]  # takes all
    assert nearest(POINTS, *LILLE, action="rent") == []
    assert [p.key for p, _ in nearest(POINTS, *LILLE, limit=2)] == [3, 4]


def test_per_action_lists_only_offered_actions():
    groups = nearest_per_action(POINTS, *ARRAS, categories=["tools"], per_action=1)
    assert list(groups) == ["repair", "sell", "drop_off", "recycle"]
    assert groups["repair"][0][0].key == 2


def test_object_words_in_three_languages_and_whole_words_only():
    assert categories_for("batterie lithium-ion") == ["batteries"]
    assert categories_for("Akku") == ["batteries"] and categories_for("laptop") == ["electronics"]
    assert categories_for("lave-linge") == ["large_appliance"]  # not clothes ("linge")
    assert "furniture" not in categories_for("sans fil, lithium")  # "lit" is not a prefix match
    assert categories_for("quelque chose d'inconnu") == []
