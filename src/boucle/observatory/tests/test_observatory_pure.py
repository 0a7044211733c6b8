"""Disclosure rule and roll-up of facts, without a database."""

import numpy as np
import pytest

from boucle.observatory.disclosure import disclose
from boucle.observatory.indicators import (Facts, derive, present, rollup, rollup_groups, standard_derivations,
                                           unit_xyz, within_radius)


@pytest.mark.parametrize("values, shown", [
    ({1: 50.0, 2: 50.0}, False),  # two companies
    ({1: 90.0, 2: 5.0, 3: 5.0}, False),  # one company at 90 %
    ({1: 40.0, 2: 30.0, 3: 30.0}, True),  # three balanced
    ({1: 85.0, 2: 10.0, 3: 5.0}, True),  # exactly 85 % is allowed
    ({1: 100.0, 2: 0.0, 3: 0.0, 4: 0.0}, False),  # zeros do not protect anyone
])
def test_observatory_disclose_rule(values, shown):
    result = disclose(values)
    assert (result is not None) == shown
    if shown:
        assert result == pytest.approx(sum(values.values()))
    assert (disclose(np.array(list(values.values()))) is not None) == shown


def test_observatory_disclose_true_zero_is_published():
    assert disclose({}) == 0.0


def _facts():
    # Three communes A1, A2 (group A) and B1; companies 1..4.
    rows = [
        ("A1", 1, ("flow_q", "offer", "material", "fly_ash", "t"), 100.0),
        ("A1", 2, ("flow_q", "offer", "material", "fly_ash", "t"), 80.0),
        ("A2", 3, ("flow_q", "offer", "material", "fly_ash", "t"), 70.0),
        ("A2", 3, ("flow_q", "offer", "material", "glass", "t"), 5.0),
        ("B1", 4, ("flow_q", "offer", "material", "fly_ash", "t"), 1000.0),
        ("A1", 1, ("companies", "declaring"), 2.0),  # two sites of company 1: still one company
        ("A2", 1, ("companies", "declaring"), 1.0),
        ("A2", 3, ("companies", "declaring"), 1.0),
        ("A1", 2, ("companies", "declaring"), 1.0),
        ("A1", 1, ("status", "running"), 1.0),
        ("A2", 3, ("status", "stopped"), 1.0),
        ("B1", 4, ("status", "declined"), 1.0),
    ]
    return derive(Facts.from_rows(rows), standard_derivations)


def test_observatory_rollup_sums_members_and_counts_companies_once():
    facts = _facts()
    a = rollup(facts, ["A1", "A2"])
    assert a[("flow_q", "offer", "material", "fly_ash", "t")].total == 250.0
    assert a[("kind_q", "offer", "material", "t")].total == 255.0
    assert a[("companies", "declaring")].total == 3
    assert a[("reached", "running")].total == 2  # running and stopped both ran
    assert a[("reached", "suggested")].total == 2
    everything = rollup(facts, ["A1", "A2", "B1"])
    b = rollup(facts, ["B1"])
    key = ("flow_q", "offer", "material", "fly_ash", "t")
    assert everything[key].total == a[key].total + b[key].total
    assert b[key].disclosed is None  # one company
    assert everything[key].disclosed == 1250.0  # company 4 is 80 % of it: under the 85 % bar
    assert a[key].disclosed == 250.0


def test_observatory_groups_in_one_pass_equal_one_territory_at_a_time():
    facts = _facts()
    group = [0 if c.startswith("A") else 1 for c in facts.communes]
    a, b = rollup_groups(facts, group, 2)
    assert a == rollup(facts, ["A1", "A2"])
    assert b == rollup(facts, ["B1"])


def test_observatory_present_public_suppresses_and_hides_company_counts():
    facts = _facts()
    public = present(rollup(facts, ["B1"]), public=True)
    private = present(rollup(facts, ["B1"]), public=False)
    fly = [f for f in public["flows"] if f["material_class"] == "fly_ash"][0]
    assert fly["quantity"] is None and fly["companies"] is None
    assert [f for f in private["flows"] if f["material_class"] == "fly_ash"][0]["quantity"] == 1000.0
    assert public["impacts"].keys() == {"estimated", "potential", "verified"}


def test_observatory_within_radius_respects_material_and_distance():
    # Lille; Arras (~45 km); Paris (~205 km).
    offers = unit_xyz(np.array([50.29, 48.86]), np.array([2.78, 2.35]))
    needs = unit_xyz(np.array([50.63, 50.63, 50.63]), np.array([3.06, 3.06, 3.06]))
    found = within_radius(needs, np.array([1, 2, 3]), offers, np.array([1, 2]), 100.0)
    assert found.tolist() == [True, False, False]
    assert within_radius(needs, np.array([1, 2, 3]), offers, np.array([1, 2]), 250.0).tolist() == [True, True, False]
