"""A hazardous-waste treater bills its own fee: sending spent solvents there saves no incineration fee.

A paint shop sends 400 t of spent solvents (14 06 03*) a year to hazardous-waste incineration. A hazardous-waste
treatment and disposal site (NACE 38.22) is 1 km away, a non-hazardous landfill (38.21) 2 km away. The matching
proposes the treater, never the landfill; the treater bills its own gate fee in place of today's incineration fee
(impact/data/prices.csv's disposal_fee rows are those fees), so the suggestion shows no euros -- not the whole
incineration fee as a saving -- and says why, on the card and in the estimate's detail.
"""

import pytest

from boucle.impact.engine import exchange_breakdown
from boucle.matching.models import Synergy
from boucle.matching.service_run import run_matching
from boucle.testing import make_flow, make_site

WHY = "il facture son propre prix à la place de l&#x27;élimination d&#x27;aujourd&#x27;hui"


@pytest.fixture
def territory(db, region_facilitator):
    shop = make_site("Peintures du Hainaut", lat=50.35, lon=3.52, commune="59350", naf="20.30Z")
    solvents = make_flow(shop, "Solvants usés de production", ewc="140603", quantity=400, unit="t", hazardous=True)
    treater = make_site("Traitement des déchets dangereux", lat=50.359, lon=3.52, commune="59350", naf="38.22Z")
    landfill = make_site("Installation de stockage", lat=50.368, lon=3.52, commune="59350", naf="38.21Z")
    run_matching(None, 200)
    return {"client": region_facilitator, "solvents": solvents, "treater": treater, "landfill": landfill}


def test_spent_solvents_go_to_the_treater_which_saves_no_incineration_fee(territory):
    proposed = Synergy.objects.filter(offer=territory["solvents"], stale=False)
    assert {s.need_site_id for s in proposed} == {territory["treater"].pk}
    synergy = proposed.get()
    assert synergy.explanation.get("disposal_receiver") is True
    assert synergy.eur_saved is None
    # the same material sent to a waste operator that is no treater keeps the avoided fee (the resale rule)
    resold = exchange_breakdown("spent_solvents", 400, "t", synergy.distance_km, waste_receiver=True)
    treated = exchange_breakdown("spent_solvents", 400, "t", synergy.distance_km, waste_receiver=True,
                                 disposal_receiver=True)
    assert resold.eur_saved > 200_000 and treated.eur_saved is None
    assert "propre prix" in str(treated.to_dict()["reasons"]["eur_saved"])


def test_the_card_and_the_estimate_detail_say_why_no_euros_are_shown(territory):
    synergy = Synergy.objects.get(offer=territory["solvents"], stale=False)
    page = territory["client"].get(f"/synergies/{synergy.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    card, calc = page.split("Détail de l'estimation")
    assert WHY in card  # the card says why it shows no euros
    euros = calc.split("Gain net par an")[1].split("</table>")[0]
    assert f"coût d&#x27;élimination évité</td><td class=\"num\">—</td><td>le receveur traite" in euros
    # said in full on the card and once under each table at most, not again in every row (reader9)
    assert calc.count(WHY) <= 1 and calc.count("non compté (voir plus haut)") >= 4, calc.count(WHY)
    assert "l&#x27;économie est celle de l&#x27;élimination évitée" not in page  # not a waste operator's resale
    english = territory["client"].get(f"/synergies/{synergy.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "bills its own price" in english.replace("&#x27;", "'")



def test_the_ranking_weighs_the_figures_the_card_shows(territory):
    """The receivers of an offer are ranked with the figures the card shows: no euros (nor CO2e) for the treater,
    not the incineration fee it used to count (scoring.score_terms' merit, recomputed from the card)."""
    import numpy as np

    from boucle.matching.scoring import ScoreWeights, impact_term, quantity_fit

    synergy = Synergy.objects.get(offer=territory["solvents"], stale=False)
    w = ScoreWeights()
    tonnes = synergy.quantity_t or territory["solvents"].quantity_base

    def card(material_idx, quantity_t, distance_km, **_):  # the figures shown, as an impact model
        nan = np.nan
        return {"co2e_avoided_t": np.array([nan if synergy.co2e_avoided_t is None else synergy.co2e_avoided_t]),
                "tonnes_diverted": np.asarray(quantity_t, dtype=float),
                "eur_saved": np.array([nan if synergy.eur_saved is None else synergy.eur_saved]),
                "computable": np.array([synergy.co2e_avoided_t is not None])}

    impact = impact_term(card, np.zeros(1, dtype=int), np.array([tonnes]), np.array([synergy.distance_km]), w)
    fit = quantity_fit(np.array([tonnes]), np.array([np.nan]), w.unknown_fit)
    merit = (w.impact * impact + w.fit * fit + w.base) / (w.impact + w.fit + w.base)
    assert synergy.explanation["merit"] == pytest.approx(float(merit[0]), abs=1e-4)
    # counting the incineration fee the treater bills anyway would have ranked it higher than the card supports
    fee = exchange_breakdown("spent_solvents", tonnes, "t", synergy.distance_km, waste_receiver=True).eur_saved
    assert fee > 0
    with_fee = impact_term(lambda **kw: {**card(**kw), "eur_saved": np.array([fee])}, np.zeros(1, dtype=int),
                           np.array([tonnes]), np.array([synergy.distance_km]), w)
    assert with_fee[0] > impact[0] + 0.05
