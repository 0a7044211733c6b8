"""Aggregation per territory/material keeps gaps counted and bases apart."""

import pytest

from boucle.impact.aggregate import aggregate
from boucle.impact.engine import exchange_breakdown


def _b(material, q, basis="estimated", epci="CA1"):
    return exchange_breakdown(material, q, "t", 20, basis=basis, labels={"epci": epci}, baseline_route="landfill")


def test_groups_sum_terms_and_count_non_computable():
    items = [_b("pet", 10), _b("pet", 5), _b("copper_scrap", 3), _b("pet", 2, epci="CA2")]
    groups = aggregate(items, ["epci"])
    g = next(g for g in groups if g["key"] == {"epci": "CA1"})
    assert g["n"] == 3
    assert g["n_not_computable"]["co2e_avoided_t"] == 1
    assert g["co2e_avoided_t"] == pytest.approx(items[0].co2e_avoided_t + items[1].co2e_avoided_t)
    assert g["tonnes_diverted"] == pytest.approx(18)
    assert g["terms"]["virgin_avoided"] == pytest.approx(15 * 3.86390131)


def test_estimated_and_verified_are_never_summed():
    items = [_b("cardboard", 10), _b("cardboard", 7, basis="verified")]
    groups = aggregate(items, ["material"])
    assert len(groups) == 2
    by_basis = {g["basis"]: g for g in groups}
    assert by_basis["estimated"]["tonnes_diverted"] == 10
    assert by_basis["verified"]["tonnes_diverted"] == 7


def test_accepts_dicts_and_callable_keys():
    items = [_b("pet", 10).to_dict(), _b("glass_cullet", 4).to_dict()]
    groups = aggregate(items, [lambda b: b["flow_kind"]])
    assert len(groups) == 1 and groups[0]["n"] == 2
