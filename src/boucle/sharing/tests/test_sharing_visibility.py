"""Anonymisation of shared equipment, without a database."""

import pytest

from boucle.matching.spatial import haversine_km
from boucle.sharing import visibility

CARD = {"pk": 7, "direction": "offer", "direction_label": "à partager", "category": "presse", "commune": "Lille",
        "epci": "Métropole Européenne de Lille", "area": "Nord (59)", "conditions": "avec opérateur", "price": 80, "price_unit": "par heure",
        "capacity": "200 t", "windows": [], "distance_km": 6.0, "name": "Presse Alpha 200 t",
        "description": "Presse hydraulique de l'usine Alphaciment", "company": "Alphaciment SA", "site": "Usine Alphaciment",
        "company_id": 3, "active": True}


@pytest.mark.parametrize("sees_site, accepted, level", [
    (True, False, "full"), (False, True, "full"), (False, False, "anonymised")])
def test_full_view_for_those_who_see_the_site_or_hold_an_accepted_booking(sees_site, accepted, level):
    assert visibility.view_level(sees_site=sees_site, accepted_booking=accepted) == level


def test_anonymised_card_keeps_the_terms_and_drops_everything_identifying():
    shown = visibility.present(CARD, visibility.ANONYMISED)
    assert {"category", "area", "distance", "conditions", "price", "capacity"} <= set(shown)
    # the commune and intercommunality go: only the area told (``territories.secrecy``) stays
    assert not {"commune", "epci"} & set(shown) and "Lille" not in repr(shown)
    assert shown["distance"] == "5–20 km" and shown["distance_km"] is None  # a band: no circle through the site
    assert not {"name", "description", "company", "site", "company_id"} & set(shown)
    assert "Alpha" not in repr(shown)


def test_full_card_is_unchanged():
    assert visibility.present(CARD, visibility.FULL) == dict(CARD, level="full", distance="6 km", distance_rank=(1, 6.0))


def test_distance_is_to_the_nearest_origin_rounded_to_the_km():
    lille, villeneuve, metz = (50.6319, 3.0573), (50.6401, 3.1416), (49.1199, 6.1754)
    expected = float(round(float(haversine_km(villeneuve[0], villeneuve[1], lille[0], lille[1]))))
    assert visibility.nearest_km([metz, villeneuve], lille) == expected
    assert visibility.nearest_km([metz], lille) > 200


def test_distance_unknown_without_coordinates():
    assert visibility.nearest_km([], (50.0, 3.0)) is None
    assert visibility.nearest_km([(50.0, 3.0)], (None, None)) is None
    assert visibility.nearest_km([(None, None)], (50.0, 3.0)) is None
