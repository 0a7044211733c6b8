"""Green waste sent to a waste operator that prepares and resells it: no substitution recipe says what it
replaces, so no CO2e is counted, but the card's own words (« l'économie est celle de l'élimination évitée »)
hold: the euros are the offer's avoided disposal fee minus the lorry, in the scalar and the vector form."""

import numpy as np
import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.impact.factors import default_tables
from boucle.impact.vector import material_index, score_exchanges

KEY = "green_waste"


def test_the_material_has_no_recipe():
    assert default_tables().default_recipe(KEY) is None  # otherwise this file tests nothing


def test_a_waste_operator_saves_the_avoided_disposal_fee():
    b = exchange_breakdown(KEY, 400.0, "t", 12.0, waste_receiver=True)
    terms = {t.name: t.value for t in b.cost_terms}
    assert b.co2e_avoided_t is None and "co2e_avoided_t" in b.reasons
    assert terms["avoided_disposal_fee"] > 0 and terms["avoided_purchase"] == 0 and terms["processing_cost"] == 0
    assert b.eur_saved == pytest.approx(terms["avoided_disposal_fee"] + terms["transport_cost"])
    assert "eur_saved" not in b.reasons


def test_any_other_receiver_still_gets_no_euros_without_a_recipe():
    plain = exchange_breakdown(KEY, 400.0, "t", 12.0)
    assert plain.eur_saved is None and "eur_saved" in plain.reasons


def test_the_matching_stores_the_same_euros():
    b = exchange_breakdown(KEY, 400.0, "t", 12.0, waste_receiver=True)
    v = score_exchanges(np.array([material_index()[KEY]]), np.array([400.0]), np.array([12.0]),
                        resale=np.array([True]))
    assert v["eur_saved"][0] == pytest.approx(b.eur_saved)
