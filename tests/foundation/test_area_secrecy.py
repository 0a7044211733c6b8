"""The place told of an unnamed company's site (``territories.secrecy``), and the pure rule under it.

INSEE's « secret statistique », frequency rule: no cell is published when fewer than three units stand behind it.
A site is told in the finest area holding three open establishments of its NACE division (itself included).
"""

import pytest

from boucle.territories import coarse
from boucle.territories.secrecy import area_told, areas_told, division_label
from boucle.testing import make_site

LILLE, ROUBAIX, DUNKERQUE, ARRAS, METZ = "59350", "59512", "59183", "62041", "57463"


def test_the_finest_area_with_three_comparables_is_told():
    assert coarse.area_level({"commune": 3, "epci": 9}) == "commune"
    assert coarse.area_level({"commune": 2, "epci": 3}) == "epci"
    assert coarse.area_level({"commune": 1, "epci": 1, "departement": 2, "region": 3}) == "region"
    assert coarse.area_level({"commune": 1, "epci": 2, "departement": 2, "region": 2}) is None
    assert coarse.MIN_UNITS == 3  # INSEE's three units, the observatory's three companies


@pytest.mark.parametrize("value, rounded", [(2345, 2300), (0.0456, 0.046), (99.7, 100), (-1234, -1200), (0, 0),
                                            (7, 7)])
def test_quantities_of_an_unnamed_company_keep_two_significant_digits(value, rounded):
    assert coarse.rounded_quantity(value) == rounded
    assert coarse.rounded_quantity(None) is None and coarse.rounded_quantity(float("nan")) is None


def _site(naf, commune, **kw):
    return make_site(f"Site {naf} {commune} {kw}", naf=naf, commune=commune, **kw)


@pytest.mark.django_db
def test_each_level_in_turn():
    first = _site("25.11Z", LILLE)
    assert area_told(first) is None  # alone in the region: nothing is told
    _site("25.50A", DUNKERQUE)
    _site("25.62B", ARRAS)  # Pas-de-Calais, same region
    assert area_told(first).words == "Hauts-de-France"
    _site("25.99B", DUNKERQUE)
    assert area_told(first).words == "Nord (59)"  # three in the Nord, not in the MEL
    _site("25.12Z", ROUBAIX)
    _site("25.12Z", ROUBAIX)
    area = area_told(first)
    assert area.level == "epci" and area.words == "Métropole Européenne de Lille"
    _site("25.11Z", LILLE)
    _site("25.11Z", LILLE)
    area = area_told(first)
    assert (area.level, area.words) == ("commune", "Lille (59)")
    assert (area.lat, area.lon) == coarse.public_point(first.commune.lat, first.commune.lon)
    assert area_told(first, finest="epci").level == "epci"  # a card that tells the intercommunality at most


@pytest.mark.django_db
def test_other_divisions_and_closed_establishments_do_not_protect_a_site():
    first = _site("25.11Z", LILLE)
    for naf in ("10.11Z", "23.51Z", "35.11Z"):
        _site(naf, LILLE)
    closed = [_site("25.11Z", LILLE), _site("25.11Z", LILLE)]
    for site in closed:
        site.closed = True
        site.save(update_fields=["closed"])
    assert area_told(first) is None


@pytest.mark.django_db
def test_a_site_without_a_code_is_compared_with_every_establishment_and_tells_no_activity():
    first = _site(None, METZ)
    assert area_told(first) is None and division_label(first) == ""
    _site("10.11Z", METZ)
    assert area_told(first) is None  # two establishments, whatever their codes: not yet three
    _site("35.11Z", METZ)
    assert area_told(first).words == "Metz (57)"


@pytest.mark.django_db
def test_a_batch_answers_as_one_by_one():
    sites = [_site("25.11Z", LILLE), _site("25.11Z", LILLE), _site("25.11Z", LILLE), _site("38.11Z", ARRAS),
             make_site("Sans commune", naf="25.11Z", commune=None)]
    batch = areas_told(sites)
    assert batch == {s.pk: area_told(s) for s in sites}
    assert batch[sites[0].pk].words == "Lille (59)" and batch[sites[3].pk] is None and batch[sites[4].pk] is None
