"""The distance the search of ``boucle match`` stops at for an offer (``gain_filter``'s ``reach_km``): beyond it,
the valuation against today's route drops every pair of the offer, whatever the receiver (its declared quantity,
unit and temperature), so leaving those pairs out of the search changes no proposal."""

import numpy as np
import pytest

from boucle.matching import engine as eng
from boucle.matching.additionality import offer_terms, unit_code
from boucle.matching.pipeline import gain_filter

pytest.importorskip("boucle.impact.vector")


def world(negative_need=False):
    from boucle.impact.factors import default_tables

    keys = sorted(default_tables().materials)
    rng = np.random.default_rng(11)
    o_keys, o_q, o_unit, o_temp = [], [], [], []
    for k in keys:
        for q in (0.5, 40.0, 3e4, None, 0.0):
            for t in ((None, 20.0, 35.0, 90.0, 180.0) if "heat" in k else (None,)):
                o_keys.append(k), o_q.append(q), o_unit.append(None), o_temp.append(t)
    n_off = len(o_keys)
    vterms = offer_terms(o_keys, o_q, o_unit, o_temp, [None] * n_off, [None] * n_off)
    temps = [np.nan, 20.0, 60.0, 95.0, 130.0, 170.0, 240.0]
    quantities = [np.nan, 0.0, 1.0, 25.0, 1e6]
    units = [unit_code(u) for u in ("t", "MWh", "m3")] + [-1]
    n_need = len(temps) * len(quantities) * len(units)
    grid = np.array(np.meshgrid(range(len(temps)), range(len(quantities)), range(len(units)))).reshape(3, -1)
    need_q = np.array(quantities)[grid[1]]
    if negative_need:
        need_q[rng.integers(0, n_need)] = -5.0
    needs = eng.Needs(site=np.arange(n_need), cls=np.zeros(n_need, dtype=np.int64), quantity_t=need_q,
                      temperature_c=np.array(temps)[grid[0]], inferred=np.array(units)[grid[2]] == -1)
    return vterms, needs, np.array(units)[grid[2]], n_off


def test_beyond_its_reach_every_pair_of_an_offer_is_dropped_and_within_it_some_are_kept():
    vterms, needs, n_unit, n_off = world()
    gain = gain_filter(vterms, needs, n_unit)
    reach = gain.reach_km(n_off)
    limited = np.flatnonzero(np.isfinite(reach))
    heat = limited[vterms.heat[limited]]
    assert limited.size > 100 and heat.size > 0  # materials that gain little per km of freight, and heat
    oi, ni = (a.ravel() for a in np.meshgrid(limited, np.arange(len(needs)), indexing="ij"))
    for beyond in (reach[oi] + 1e-9, reach[oi] * 1.5):
        cands = eng.Candidates(oi, ni, beyond, np.ones(oi.size))
        assert gain.valuation(cands)["drop"].all()
    # the reach is the break-even distance (for heat, of a receiver that needs no heat pump), no further off
    near = np.floor((reach[oi] - 0.01) / (1 + 1e-6) * 999.0) / 1000.0  # to the metre, as the filter reads it
    kept = ~gain.valuation(eng.Candidates(oi, ni, near, np.ones(oi.size)))["drop"]
    assert set(oi[kept].tolist()) == set(limited.tolist())


def test_an_offer_whose_pairs_gain_at_any_distance_has_no_reach():
    vterms, needs, n_unit, n_off = world()
    reach = gain_filter(vterms, needs, n_unit).reach_km(n_off)
    unknown = ~np.isfinite(vterms.quantity) | (vterms.quantity <= 0) | ~vterms.known
    assert np.isinf(reach[unknown]).all()  # no quantity: figures unknown, never dropped (or always, for 0)


def test_a_negative_declared_need_lifts_every_reach():
    vterms, needs, n_unit, n_off = world(negative_need=True)
    assert np.isinf(gain_filter(vterms, needs, n_unit).reach_km(n_off)).all()
