"""Competing suggestions for one offer are alternatives: the territory's potential counts the offer once."""

import pytest

from boucle.matching.models import Synergy
from boucle.matching.service_run import run_matching
from boucle.observatory.queries import territory_indicators
from boucle.territories.refs import resolve
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db


def test_one_offer_suggested_to_two_receivers_counts_once():
    power = make_site("Centrale", commune="59350", naf="35.11Z")
    ash = make_flow(power, "Cendres volantes", ewc="100102", quantity=1000, unit="t", material_class="fly_ash")
    cement_a = make_site("Cimenterie A", commune="59350", naf="23.51Z")
    cement_b = make_site("Cimenterie B", commune="59350", naf="23.51Z")
    for site, co2 in ((cement_a, 10.0), (cement_b, 30.0)):
        Synergy.objects.create(offer=ash, need_site=site, inferred=True, material_class="fly_ash", distance_km=1,
                               score=0.5, co2e_avoided_t=co2, tonnes_diverted=1000)
    impacts = territory_indicators(resolve("commune:59350"), public=False)["impacts"]
    assert impacts["potential"]["co2e_avoided_t"] == pytest.approx(30.0)  # the best alternative, not 10 + 30
    assert impacts["potential"]["tonnes_diverted"] == pytest.approx(1000)
    assert impacts["estimated"]["co2e_avoided_t"] == 0  # nothing runs yet


def test_stored_suggestions_carry_tonnes_and_euros_from_the_impact_model():
    power = make_site("Centrale", lat=50.63, lon=3.06, commune="59350", naf="35.11Z")
    make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=20000, unit="t", material_class="fly_ash")
    make_site("Cimenterie", lat=50.36, lon=3.52, commune="59606", naf="23.51Z")
    run_matching(None, 200)
    synergy = Synergy.objects.get(material_class="fly_ash")
    assert synergy.tonnes_diverted == pytest.approx(synergy.quantity_t)  # diverted from landfill
    assert synergy.eur_saved is not None and synergy.co2e_avoided_t is not None
