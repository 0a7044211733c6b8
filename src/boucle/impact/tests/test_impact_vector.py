"""The vector form used by the matching engine gives the scalar figures."""

import numpy as np
import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.impact.factors import default_tables
from boucle.impact.units import BASE_UNIT
from boucle.impact.vector import default_model, material_index, score_exchanges


def _nan(x):
    return np.nan if x is None else x


def test_vector_and_scalar_agree_on_10000_random_exchanges():
    model, tables = default_model(), default_tables()
    scorable = [i for i, k in enumerate(model.keys) if tables.materials[k].flow_kind in BASE_UNIT]
    rng = np.random.default_rng(20131)
    n = 10_000
    mi = rng.choice(scorable, n)
    q = rng.uniform(0.01, 5000, n)
    d = rng.uniform(0, 800, n)
    mode = rng.integers(-1, len(model.modes), n)
    route = rng.integers(-1, len(model.routes), n)
    route[rng.random(n) < 0.5] = -1
    resale = rng.random(n) < 0.3  # received by a waste operator, which resells the material
    v = score_exchanges(mi, q, d, mode, route, heat_physics=True, resale=resale)
    expected = {k: np.empty(n) for k in ("co2e_avoided_t", "tonnes_diverted", "eur_saved", "breakeven_km")}
    for i in range(n):
        key = model.keys[mi[i]]
        info = tables.materials[key]
        b = exchange_breakdown(key, float(q[i]), BASE_UNIT[info.flow_kind], float(d[i]),
                               mode=None if mode[i] < 0 else model.modes[mode[i]],
                               baseline_route=None if route[i] < 0 else model.routes[route[i]],
                               tables=tables, waste_receiver=bool(resale[i]))
        expected["co2e_avoided_t"][i] = _nan(b.co2e_avoided_t)
        expected["tonnes_diverted"][i] = _nan(b.tonnes_diverted)
        expected["eur_saved"][i] = _nan(b.eur_saved)
        expected["breakeven_km"][i] = _nan(b.breakeven_distance_km)
    for k, e in expected.items():
        np.testing.assert_allclose(v[k], e, rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=k)
    assert np.array_equal(v["computable"], np.isfinite(expected["co2e_avoided_t"]))
    # the sample exercises both sides of every branch
    assert 0.05 < v["computable"].mean() < 0.95
    assert np.isfinite(v["breakeven_km"]).any() and np.isnan(v["breakeven_km"]).any()
    # and the resale: euros without the virgin purchase where it was counted, the CO2e unchanged
    plain = score_exchanges(mi, q, d, mode, route, heat_physics=True)
    with np.errstate(invalid="ignore"):
        assert (resale & (v["eur_saved"] < plain["eur_saved"] - 1)).sum() > 100
    assert not (~resale & (v["eur_saved"] != plain["eur_saved"]) & np.isfinite(plain["eur_saved"])).any()
    np.testing.assert_array_equal(v["co2e_avoided_t"], plain["co2e_avoided_t"])


def test_material_index_follows_the_taxonomy_order():
    idx = material_index()
    keys = list(default_tables().materials)
    assert [k for k, _ in sorted(idx.items(), key=lambda kv: kv[1])] == keys
    landfill = default_model().route_column("landfill")
    r = score_exchanges(np.array([idx["steel_scrap"], idx["copper_scrap"]]), np.array([1000.0, 10.0]),
                        np.array([50.0, 50.0]), route_idx=np.array([landfill, landfill]))
    assert r["co2e_avoided_t"][0] == pytest.approx(1770.5975)
    assert np.isnan(r["co2e_avoided_t"][1]) and not r["computable"][1]
    assert r["tonnes_diverted"][1] == 10


def test_material_index_matches_the_taxonomy_index():
    taxonomy = pytest.importorskip("boucle.materials.taxonomy")
    idx = material_index()
    for key, i in taxonomy.class_index().items():
        assert idx[key] == i, key


def test_linear_coefficients_follow_each_flow_s_current_route():
    from boucle.impact.vector import linear_coefficients, route_indices

    idx = material_index()
    keys = ["steel_scrap", "steel_scrap", "steel_scrap", "cardboard"]
    ro, assumed = route_indices(keys, [None, "D1", "R4", None], [None, None, None, "150101"])
    assert list(assumed) == [True, False, False, True]
    c = linear_coefficients(np.array([idx[k] for k in keys]), route_idx=ro)
    assert c["co2e_kg_per_unit"][0] == 0 and c["co2e_kg_per_unit"][2] == 0  # sold for recycling today
    assert c["co2e_kg_per_unit"][1] == pytest.approx(1775.67905)  # landfilled today
    assert list(c["diverted_t_per_unit"][:3]) == [0, 1, 0]
    r = score_exchanges(np.array([idx[k] for k in keys]), np.full(4, 10.0), np.full(4, 30.0), route_idx=ro)
    lin = 10.0 * (c["co2e_kg_per_unit"] - 30.0 * c["co2e_kg_per_unit_km"]) / 1000.0
    np.testing.assert_array_equal(r["co2e_avoided_t"], lin)
