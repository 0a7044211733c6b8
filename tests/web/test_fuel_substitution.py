"""A sawmill's sawdust burnt in a dairy's boiler: the same figure, the fuel it displaces, everywhere.

The sawmill offers 800 t of sawdust a year. A dairy burns 300 t in its boiler instead of natural gas; a
particle-board mill turns 400 t into panels instead of virgin timber. The suggestion to the dairy is valued by
the gas it no longer buys (net of burning the wood), the one to the panel mill by the timber it no longer buys;
the card, the calculation page (each term with its source), the export, the totals and ``boucle match`` read
one figure. Mixed plastics to the cement works stay unknown: no energy content of plastics is published in
Boucle's data.
"""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from boucle.accounts.models import Facilitator
from boucle.cli import main
from boucle.impact.engine import exchange_breakdown
from boucle.matching.models import Synergy
from boucle.matching.service_run import run_matching
from boucle.testing import make_flow, make_site

REGION = "region:32"


@pytest.fixture
def territory(db):
    sawmill = make_site("Scierie du Val", lat=50.63, lon=3.06, commune="59350", naf="16.10A")
    make_flow(sawmill, "Sciures de bois", quantity=800, unit="t", material_class="sawdust_shavings",
              material_confidence=1.0)
    dairy = make_site("Laiterie des Flandres", lat=50.635, lon=3.065, commune="59350", naf="10.51A")
    make_flow(dairy, "Combustible bois pour la chaudière", direction="need", quantity=300, unit="t",
              material_class="sawdust_shavings", material_confidence=1.0)
    panels = make_site("Panneaux du Nord", lat=50.64, lon=3.07, commune="59350", naf="16.21Z")
    make_flow(panels, "Sciures pour panneaux", direction="need", quantity=400, unit="t",
              material_class="sawdust_shavings", material_confidence=1.0)
    sorter = make_site("Tri plastique", lat=50.62, lon=3.05, commune="59350", naf="38.32Z")
    make_flow(sorter, "Plastiques en mélange", quantity=600, unit="t", material_class="mixed_plastics",
              material_confidence=1.0)
    kiln = make_site("Cimenterie", lat=50.625, lon=3.055, commune="59350", naf="23.51Z")
    make_flow(kiln, "Combustibles de substitution", direction="need", quantity=5000, unit="t",
              material_class="mixed_plastics", material_confidence=1.0)
    run_matching(None, 200)
    user = get_user_model().objects.create_user("animatrice", "a@example.org", "pw")
    Facilitator.objects.create(user=user, level="region", code="32")
    client = Client()
    client.force_login(user)
    return {"client": client, "dairy": dairy, "panels": panels, "kiln": kiln}


def _declared(site) -> Synergy:
    return Synergy.objects.get(need_site=site, inferred=False)


def test_sawdust_to_a_boiler_is_valued_by_the_gas_it_displaces_and_to_panels_by_the_timber(territory):
    boiler, panels = _declared(territory["dairy"]), _declared(territory["panels"])
    assert boiler.explanation["fuel_use"] is True and boiler.explanation["fuel_receiver"] == "10"
    assert "fuel_use" not in panels.explanation
    gas = exchange_breakdown("sawdust_shavings", 300, "t", boiler.distance_km, fuel_receiver="10")
    timber = exchange_breakdown("sawdust_shavings", 400, "t", panels.distance_km)
    assert boiler.co2e_avoided_t == pytest.approx(gas.co2e_avoided_t, abs=1e-3)
    assert panels.co2e_avoided_t == pytest.approx(timber.co2e_avoided_t, abs=1e-3)
    assert boiler.eur_saved == pytest.approx(gas.eur_saved, abs=0.01)
    kiln = _declared(territory["kiln"])
    assert (kiln.co2e_avoided_t, kiln.eur_saved, kiln.explanation["fuel_receiver"]) == (None, None, "23.51")


def test_card_calculation_export_totals_and_match_read_one_figure(territory, capsys, tmp_path):
    from boucle.web.present import co2e_text

    client = territory["client"]
    boiler, kiln = _declared(territory["dairy"]), _declared(territory["kiln"])
    with translation.override("fr"):
        page = client.get(f"/synergies/{boiler.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode().replace(
            "&#x27;", "'")
        card = co2e_text(boiler)
        per_year = co2e_text(boiler, per_year=True)  # the card's line: « 480 t CO₂e/an (400 – 560) »
    impact = page.split("Impact estimé")[1].split("</dd>")[0]
    assert per_year in impact and "combustible fossile qu'elle remplace" in impact
    calc = page.split("Détail de l'estimation")[1]
    assert f"Émissions évitées par an : {card}" in calc  # the calculation adds up to the card
    assert "combustible fossile remplacé chez le receveur" in calc and "émissions de la combustion" in calc
    assert "production de matière vierge" not in calc
    # the euros are the boiler's useful heat no longer bought (fewer MWh than the fuel it replaces): said so
    euros = calc.split("Gain net par an")[1].split("</table>")[0]
    assert "achat de chaleur utile évité" in euros and "achat de combustible" not in euros
    assert "gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025" in calc
    with translation.override("fr"):
        page = client.get(f"/synergies/{kiln.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "pouvoir calorifique ou le combustible qu&#x27;elle remplace" in page
    assert "Détail de l'estimation" not in page
    # the export and the totals read the stored figure
    assert main(["export", "--territory", REGION, "--what", "synergies", "--output", str(tmp_path / "s.csv")]) == 0
    rows = {int(r["synergy_id"]): r for r in csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text()))}
    assert rows[boiler.pk]["estimated_co2e_avoided_t"] == str(boiler.co2e_avoided_t)
    assert rows[kiln.pk]["estimated_co2e_avoided_t"] == ""
    api = client.get(f"/api/synergies/{boiler.pk}").json()["estimated"]
    assert api["co2e_t"] == boiler.co2e_avoided_t
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    to_dairy = next(r for r in lines if r["need_site_id"] == boiler.need_site.site_id and not r["inferred"])
    assert to_dairy["co2e_avoided_t_per_year"] == boiler.co2e_avoided_t
    assert to_dairy["explanation"]["fuel_receiver"] == "10"
