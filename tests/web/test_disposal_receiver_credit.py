"""A treatment and disposal operator recycles nothing: waste oil sent there claims no re-refining credit.

A transport company's workshop sends 60 t of waste engine oil (13 02 05*) a year to incineration. The only
authorised receiver around is a hazardous-waste treatment and disposal site (NACE 38.22), which incinerates or
treats it -- it does not regenerate base oil. The suggestion shows no CO2e (no base oil avoided) and no euros (the
treater bills its own fee), and says why in words on the card and in the estimate's detail; a non-hazardous landfill
(NACE 38.21) is a disposal operator too (``boucle impact --receiver-naf``).
"""

import pytest

from boucle.impact.command import receiver
from boucle.impact.engine import exchange_breakdown
from boucle.matching.models import Synergy
from boucle.matching.service_run import run_matching
from boucle.testing import make_flow, make_site

WHY = "ne recycle pas la matière"


@pytest.fixture
def territory(db, region_facilitator):
    garage = make_site("Atelier poids lourds", lat=50.35, lon=3.52, commune="59350", naf="45.20A")
    oil = make_flow(garage, "Huiles moteur usagées", ewc="130205", quantity=60, unit="t", hazardous=True)
    treater = make_site("Traitement des déchets dangereux", lat=50.359, lon=3.52, commune="59350", naf="38.22Z")
    run_matching(None, 200)
    return {"client": region_facilitator, "oil": oil, "treater": treater}


def test_waste_oil_to_a_treater_claims_no_regeneration_credit(territory):
    synergy = Synergy.objects.get(offer=territory["oil"], need_site=territory["treater"], stale=False)
    assert synergy.explanation.get("disposal_receiver") is True
    assert synergy.co2e_avoided_t is None and synergy.eur_saved is None
    # the same oil to a re-refiner (no disposal operator) keeps the base oil it replaces
    regenerated = exchange_breakdown("waste_oil", 60, "t", synergy.distance_km)
    assert regenerated.co2e_avoided_t > 10
    page = territory["client"].get(f"/synergies/{synergy.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    card, calc = page.split("Détail de l'estimation")
    assert WHY in card
    english = territory["client"].get(f"/synergies/{synergy.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "does not recycle the material" in english


@pytest.mark.parametrize("naf", ["38.21Z", "38.22Z"])
def test_a_landfill_or_a_treater_bills_its_own_fee_and_recycles_nothing(naf):
    kind = receiver(naf)
    assert kind["disposal_receiver"] is True
    b = exchange_breakdown("cardboard", 100, "t", 10, baseline_route="landfill", **kind)
    assert b.eur_saved is None and b.co2e_avoided_t is None
    reasons = {k: str(v) for k, v in b.to_dict()["reasons"].items()}
    assert "propre prix" in reasons["eur_saved"] and "aucun crédit de recyclage" in reasons["co2e_avoided_t"]
    # a recycler of sorted materials (38.32) is no disposal operator: the recycling credit stays
    assert exchange_breakdown("cardboard", 100, "t", 10, baseline_route="landfill", **receiver("38.32Z")).co2e_avoided_t > 0
