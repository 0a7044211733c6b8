import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from boucle.matching.allocation import allocate, allocate_what_if
from boucle.matching.engine import ClassInfo, Needs, Offers, Sites, find_candidates


def lp_optimum(supply, demand, arcs_from, arcs_to, value):
    """The same problem as a plain LP (scipy/HiGHS), independent of the network model."""
    n_a = len(arcs_from)
    rows, rhs = [], []
    for i, s in enumerate(supply):
        rows.append([1.0 if arcs_from[a] == i else 0.0 for a in range(n_a)])
        rhs.append(s)
    for j, d in enumerate(demand):
        if np.isfinite(d):
            rows.append([1.0 if arcs_to[a] == j else 0.0 for a in range(n_a)])
            rhs.append(d)
    bounds = [(0, 0) if v <= 0 else (0, None) for v in value]
    res = linprog(-np.asarray(value), A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs")
    assert res.status == 0
    return -res.fun


def enumerate_optimum(supply, demand, arcs_from, arcs_to, value):
    best = 0.0
    for flows in itertools.product(*(range(int(min(supply[f], demand[t])) + 1) for f, t in zip(arcs_from, arcs_to))):
        flows = np.array(flows)
        if np.all(np.bincount(arcs_from, flows, len(supply)) <= supply) and np.all(np.bincount(arcs_to, flows, len(demand)) <= demand):
            best = max(best, float(np.dot(flows, value)))
    return best


def test_greedy_would_be_wrong_the_flow_is_not():
    # Supply A can serve X (value 3) or Y (value 2); B only X (value 2.5).
    # Greedy (A->X first) gets 3 + 0; the optimum sends A->Y and B->X: 2 + 2.5.
    supply, demand = np.array([1.0, 1.0]), np.array([1.0, 1.0])
    arcs_from, arcs_to, value = np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([3.0, 2.0, 2.5])
    alloc = allocate(supply, demand, arcs_from, arcs_to, value)
    assert alloc.total_value == pytest.approx(4.5)
    assert alloc.flow_t.tolist() == [0.0, 1.0, 1.0]


def test_respects_supply_and_demand_limits_and_may_leave_tonnes_unshipped():
    rng = np.random.default_rng(3)
    supply, demand = rng.uniform(1, 50, 8), rng.uniform(1, 50, 6)
    arcs_from, arcs_to = rng.integers(0, 8, 30), rng.integers(0, 6, 30)
    value = rng.normal(1.0, 1.0, 30)
    alloc = allocate(supply, demand, arcs_from, arcs_to, value)
    assert np.all(alloc.shipped_t <= supply + 1e-9)
    assert np.all(alloc.received_t <= demand + 1e-9)
    assert np.all(alloc.flow_t[value <= 0] == 0)
    assert np.all(alloc.flow_t >= 0)
    assert alloc.total_value == pytest.approx(lp_optimum(supply, demand, arcs_from, arcs_to, value), rel=1e-4)


@pytest.mark.parametrize("seed", range(6))
def test_equals_brute_force_on_tiny_instances(seed):
    rng = np.random.default_rng(seed)
    supply, demand = rng.integers(0, 4, 3).astype(float), rng.integers(0, 4, 3).astype(float)
    arcs = sorted({(int(a), int(b)) for a, b in rng.integers(0, 3, (5, 2))})
    arcs_from, arcs_to = np.array([a for a, _ in arcs]), np.array([b for _, b in arcs])
    value = np.round(rng.uniform(-0.5, 3.0, len(arcs)), 3)
    alloc = allocate(supply, demand, arcs_from, arcs_to, value)
    expected = enumerate_optimum(supply, demand, arcs_from, arcs_to, value)
    assert alloc.total_value == pytest.approx(expected, abs=1e-9)
    assert alloc.total_value == pytest.approx(lp_optimum(supply, demand, arcs_from, arcs_to, value), abs=1e-6)


def test_unknown_demand_is_bounded_by_supply_only():
    alloc = allocate([5.0, 3.0], [np.nan], [0, 1], [0, 0], [1.0, 2.0])
    assert alloc.flow_t.tolist() == [5.0, 3.0]
    assert alloc.total_value == pytest.approx(11.0)


def test_excluding_a_site_reroutes_the_supply():
    # Site 0 supplies; site 1 (best value) and site 2 demand. Excluding 1 sends all to 2.
    supply_site, demand_site = np.array([0]), np.array([1, 2])
    args = dict(supply_t=[10.0], demand_t=[10.0, 10.0], arcs_from=[0, 0], arcs_to=[0, 1], arc_value=[2.0, 1.0])
    base = allocate_what_if(supply_site, demand_site, **args)
    assert base.flow_t.tolist() == [10.0, 0.0]
    scenario = allocate_what_if(supply_site, demand_site, exclude_sites=[1], **args)
    assert scenario.flow_t.tolist() == [0.0, 10.0]
    assert scenario.total_value == pytest.approx(10.0)
    # A radius filter and a factor change are re-runs too.
    near = allocate_what_if(supply_site, demand_site, arc_distance_km=[150.0, 20.0], max_distance_km=100.0, **args)
    assert near.flow_t.tolist() == [0.0, 10.0]
    swapped = allocate_what_if(supply_site, demand_site, value_factor=[0.25, 1.0], **args)
    assert swapped.flow_t.tolist() == [0.0, 10.0]


def test_rounding_never_exceeds_limits():
    alloc = allocate([1.23456789], [2.0], [0], [0], [1.0])
    assert 1.234 <= alloc.flow_t[0] <= 1.23456789


def test_empty_and_degenerate_inputs():
    empty = allocate([], [], [], [], [])
    assert empty.total_value == 0.0 and empty.flow_t.size == 0
    no_value = allocate([1.0], [1.0], [0], [0], [-1.0])
    assert no_value.flow_t.tolist() == [0.0]


def test_deterministic():
    rng = np.random.default_rng(11)
    supply, demand = rng.uniform(1, 9, 40), rng.uniform(1, 9, 40)
    arcs_from, arcs_to = rng.integers(0, 40, 300), rng.integers(0, 40, 300)
    value = np.round(rng.uniform(0, 2, 300), 1)  # many ties
    a, b = (allocate(supply, demand, arcs_from, arcs_to, value) for _ in range(2))
    np.testing.assert_array_equal(a.flow_t, b.flow_t)


def test_from_candidates_with_a_value_per_tonne():
    sites = Sites(lat=[50.0, 50.1, 50.2], lon=[3.0, 3.0, 3.0])
    offers = Offers(site=[0], cls=[0], quantity_t=[100.0])
    needs = Needs(site=[1, 2], cls=[0, 0], quantity_t=[60.0, 60.0])
    cands = find_candidates(sites, offers, needs, ClassInfo.uniform(1))
    per_t = 0.5 - 0.001 * cands.distance_km  # tCO2e per tonne, minus transport
    alloc = allocate(offers.quantity_t, needs.quantity_t, cands.offer_idx, cands.need_idx, per_t)
    # The nearer need is filled first, the rest goes to the farther one.
    assert dict(zip(cands.need_idx.tolist(), alloc.flow_t.tolist())) == {0: 60.0, 1: 40.0}


def test_a_territory_of_many_independent_parts_has_the_optimum_of_the_whole():
    """Materials and areas split a territory's network into parts solved one by one (small ones
    packed together); the plan must still be the optimum of the whole problem."""
    from scipy.sparse import csr_matrix

    from boucle.matching import allocation

    rng = np.random.default_rng(12)
    n_parts, per = 1500, 4  # 1,500 markets of 4 supplies x 4 demands, plus one large market
    frm, to = [], []
    for p in range(n_parts):
        a = rng.integers(0, per, 6) + p * per
        b = rng.integers(0, per, 6) + p * per
        frm += a.tolist()
        to += b.tolist()
    big = rng.integers(0, 400, (3000, 2)) + n_parts * per
    frm += big[:, 0].tolist()
    to += big[:, 1].tolist()
    arcs_from, arcs_to = np.array(frm), np.array(to)
    n = n_parts * per + 400
    supply, demand = np.round(rng.uniform(0, 20, n), 3), np.round(rng.uniform(0, 20, n), 3)
    demand[rng.random(n) < 0.1] = np.nan
    value = np.round(rng.uniform(-0.3, 2.0, arcs_from.size), 3)
    assert len(allocation._independent_groups(arcs_from, arcs_to, n, n)) > 1

    alloc = allocate(supply, demand, arcs_from, arcs_to, value)
    assert np.all(alloc.shipped_t <= supply + 1e-9)
    known = np.isfinite(demand)
    assert np.all(alloc.received_t[known] <= demand[known] + 1e-9)

    cols = np.arange(arcs_from.size)
    rows = np.concatenate([arcs_from, n + arcs_to[known[arcs_to]]])
    a_ub = csr_matrix((np.ones(rows.size), (rows, np.concatenate([cols, cols[known[arcs_to]]]))), shape=(2 * n, cols.size))
    b_ub = np.concatenate([supply, np.where(known, demand, 0.0)])
    bounds = [(0, 0) if v <= 0 else (0, None) for v in value]
    lp = linprog(-value, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    assert lp.status == 0
    assert alloc.total_value == pytest.approx(-lp.fun, rel=1e-6)


def markets(rng, n_parts: int, per: int, arcs: int):
    """``n_parts`` independent markets of ``per`` supplies and ``per`` demands joined by ``arcs`` random arcs."""
    frm = np.concatenate([rng.integers(0, per, arcs) + p * per for p in range(n_parts)])
    to = np.concatenate([rng.integers(0, per, arcs) + p * per for p in range(n_parts)])
    n = n_parts * per
    return frm, to, np.round(rng.uniform(0, 20, n), 3), np.round(rng.uniform(0, 20, n), 3)


def test_independent_parts_solved_by_two_processes_give_the_same_plan():
    """The parts of a network split by material and area do not compete: solved by two worker
    processes, the plan is the one process's plan, and its value the optimum of the whole (LP)."""
    from boucle.matching import allocation

    rng = np.random.default_rng(4)
    frm, to, supply, demand = markets(rng, 40, 5, 12)
    n = supply.size
    value = np.round(rng.uniform(-0.3, 2.0, frm.size), 3)
    old = allocation.GROUP_ARCS
    allocation.GROUP_ARCS = 50  # several groups even at this size
    try:
        assert len(allocation._independent_groups(frm, to, n, n)) > 4
        one = allocate(supply, demand, frm, to, value)
        two = allocate(supply, demand, frm, to, value, workers=2)
    finally:
        allocation.GROUP_ARCS = old
    np.testing.assert_array_equal(one.flow_t, two.flow_t)
    assert two.total_value == pytest.approx(lp_optimum(supply, demand, frm, to, value), rel=1e-6, abs=1e-3)


def test_parts_solved_apart_give_the_plan_of_one_solver_call_on_the_whole():
    """The same network solved whole (one OR-Tools call over every part) and part by part, in this
    process and over two: the same integer objective and the same flow on every arc."""
    from boucle.matching import allocation

    rng = np.random.default_rng(9)
    frm, to, supply, demand = markets(rng, 300, 6, 15)
    n = supply.size
    demand[rng.random(n) < 0.1] = np.nan
    value = rng.uniform(-0.3, 2.0, frm.size)  # few ties between arcs (values are stepped by 1e-3): one optimal plan here
    old = allocation.GROUP_ARCS
    try:
        allocation.GROUP_ARCS = 10**9  # every part packed into one solver call: the single solve
        assert len(allocation._independent_groups(frm, to, n, n)) == 1
        whole = allocate(supply, demand, frm, to, value)
        allocation.GROUP_ARCS = 40
        assert len(allocation._independent_groups(frm, to, n, n)) > 50
        apart = allocate(supply, demand, frm, to, value)
        two = allocate(supply, demand, frm, to, value, workers=2)
    finally:
        allocation.GROUP_ARCS = old

    def objective(a):
        return int(np.dot(np.rint(a.flow_t / a.quantity_unit_t).astype(np.int64),
                          np.where(value > 0, np.rint(value * 1000), 0).astype(np.int64)))

    assert objective(whole) == objective(apart) == objective(two) > 0
    np.testing.assert_array_equal(whole.flow_t, apart.flow_t)
    np.testing.assert_array_equal(whole.flow_t, two.flow_t)
    assert whole.total_value == apart.total_value == two.total_value
