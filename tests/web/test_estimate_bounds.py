"""A suggestion towards a need inferred from the receiver's activity carries figures the receiver can take.

A steelworks offers 470,000 MWh of waste heat a year. A pasta factory declared 2,000 MWh of steam
(not the heat offered, so the heat goes to its inferred need): the suggestion is for at most 2,000
MWh. A brewery declared no need in MWh: heat is used where it is produced, so the quantity is to be
agreed with the receiver and no figure is invented. Fly ash to a cement plant that declared nothing
is for the whole offer, said to be an upper bound. Page, export, report, API and ``boucle match``
read the same stored figure, and the potential counts the same.
"""

import csv
import io
import json
import re

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from boucle.accounts.models import Facilitator
from boucle.cli import main
from boucle.matching.additionality import estimated_quantity, inferred_need_bound
from boucle.matching.models import Synergy
from boucle.matching.potential import solve
from boucle.matching.service_run import run_matching
from boucle.matching.territory_potential import stored_candidates
from boucle.testing import make_flow, make_site

REGION = "region:32"


def test_the_rule_bounds_an_inferred_need_by_its_sites_declared_scale():
    assert inferred_need_bound(2000.0, "energy") == 2000.0
    assert inferred_need_bound(None, "energy") == 0.0 and inferred_need_bound(None, "water") == 0.0
    assert np.isnan(inferred_need_bound(None, "material"))
    offer = np.array([470000.0, 470000.0, 2000.0, 500.0])
    bound = np.array([2000.0, 0.0, np.nan, 2000.0])
    q = estimated_quantity(offer, bound, bound == 0)
    assert q[0] == 2000.0 and np.isnan(q[1]) and q[2] == 2000.0 and q[3] == 500.0  # never more than the offer


@pytest.fixture
def territory(db):
    works = make_site("Aciérie", lat=50.63, lon=3.06, commune="59350", naf="24.10Z")
    make_flow(works, "Chaleur fatale", kind="energy", quantity=470000, unit="MWh", quantity_base=470000,
              base_unit="MWh", material_class="waste_heat_medium", temperature_c=250, material_confidence=1.0)
    pasta = make_site("Pâtes Dumoulin", lat=50.635, lon=3.065, commune="59350", naf="10.73Z")
    make_flow(pasta, "Vapeur", direction="need", kind="energy", quantity=2000, unit="MWh", quantity_base=2000,
              base_unit="MWh", material_class="steam", material_confidence=1.0)
    brewery = make_site("Brasserie", lat=50.64, lon=3.07, commune="59350", naf="11.05Z")
    power = make_site("Centrale", lat=50.62, lon=3.05, commune="59350", naf="35.11Z")
    make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=2000, unit="t", material_class="fly_ash")
    cement = make_site("Cimenterie", lat=50.60, lon=3.10, commune="59350", naf="23.51Z")
    run_matching(None, 200)
    user = get_user_model().objects.create_user("animatrice", "a@example.org", "pw")
    Facilitator.objects.create(user=user, level="region", code="32")
    client = Client()
    client.force_login(user)
    return {"client": client, "user": user, "pasta": pasta, "brewery": brewery, "cement": cement}


def _impact(page: str) -> str:
    """The « Impact estimé » entry of a synergy page (apostrophes unescaped)."""
    return page.split("Impact estimé")[1].split("</dd>")[0].replace("&#x27;", "'")


def _synergy(site) -> Synergy:
    return Synergy.objects.get(need_site=site, inferred=True)


def test_heat_to_a_pasta_factory_is_for_its_declared_scale_and_to_a_site_without_one_is_unknown(territory):
    pasta, brewery, ash = (_synergy(territory[k]) for k in ("pasta", "brewery", "cement"))
    assert pasta.quantity_t == pytest.approx(2000.0)  # not the 470,000 MWh offered
    assert pasta.co2e_avoided_t is not None and 0 < pasta.co2e_avoided_t <= 2000 * 0.3  # at most a boiler's CO2e
    assert (brewery.quantity_t, brewery.co2e_avoided_t, brewery.eur_saved) == (None, None, None)
    assert ash.quantity_t == pytest.approx(2000.0) and ash.explanation["estimate_basis"] == "whole_offer"
    # the potential counts the same: 2,000 MWh to the pasta factory, nothing to the brewery
    p = solve(stored_candidates())
    assert p.mwh_exchanged == pytest.approx(2000.0)
    assert brewery.pk not in {e["synergy_id"] for e in p.exchanges}


def test_pages_say_what_the_figures_are_for(territory):
    client = territory["client"]
    pasta, brewery, ash = (_synergy(territory[k]) for k in ("pasta", "brewery", "cement"))
    with translation.override("fr"):
        page = client.get(f"/synergies/{pasta.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        impact = _impact(page)
        assert re.search(r"\b2\s000 MWh/an", impact) and not re.search(r"470\s000", impact)
        assert ("Au plus l'offre, et au plus le plus gros besoin en MWh que le site receveur a déclaré pour une autre "
                "matière ou énergie"
                in impact)
        page = client.get(f"/synergies/{brewery.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        impact = _impact(page)
        assert "Quantité à préciser avec le receveur" in impact and "n'a déclaré aucun besoin en MWh" in impact
        assert "t CO₂e" not in impact and "MWh/an" not in impact  # no figure rather than a wrong one
        page = client.get(f"/synergies/{ash.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Au plus : l'offre entière" in _impact(page)
        listing = client.get("/animation/synergies/?tri=-tonnes", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "à préciser avec le receveur" in listing and "au plus" in listing and not re.search(r"470\s000", listing)
    with translation.override("en"):
        page = client.get(f"/synergies/{brewery.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Quantity to be agreed with the receiver" in page


def test_the_same_figure_in_page_export_report_api_and_match(territory, capsys, tmp_path):
    from boucle.observatory.report import top_synergies
    from boucle.territories.refs import resolve

    client = territory["client"]
    stored = {s.pk: s for s in Synergy.objects.all()}
    assert main(["export", "--territory", REGION, "--what", "synergies", "--output", str(tmp_path / "s.csv")]) == 0
    rows = {int(r["synergy_id"]): r for r in csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text()))}
    for pk, s in stored.items():
        assert rows[pk]["quantity_t"] == ("" if s.quantity_t is None else str(s.quantity_t))
        assert rows[pk]["estimated_co2e_avoided_t"] == ("" if s.co2e_avoided_t is None else str(s.co2e_avoided_t))
        assert rows[pk]["estimate_basis"] == s.explanation["estimate_basis"]
        api = client.get(f"/api/synergies/{pk}").json()["estimated"]
        assert api["co2e_t"] == s.co2e_avoided_t and api["basis"] == s.explanation["estimate_basis"]
        if s.offer.base_unit == "MWh":
            assert api["tonnes"] == s.quantity_t
    brewery = _synergy(territory["brewery"])
    assert rows[brewery.pk]["quantity_t"] == "" and rows[brewery.pk]["estimate_basis"] == "to_agree"
    top = top_synergies(resolve(REGION))
    assert top[-1]["basis"] == "to_agree" and top[-1]["quantity"] is None  # unknown last, on every database
    assert {r["quantity"] for r in top} == {s.quantity_t for s in stored.values()}
    # boucle match reads the same figures as those stored
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    by_site = {(r["need_site_id"], r["material_class"]): r for r in lines}
    for s in stored.values():
        r = by_site[(s.need_site.site_id, s.material_class)]
        assert (r["quantity"], r["co2e_avoided_t_per_year"]) == (s.quantity_t, s.co2e_avoided_t)
    assert by_site[(brewery.need_site.site_id, brewery.material_class)]["quantity"] is None


def test_heat_that_gains_nothing_at_what_the_receiver_can_take_is_not_proposed(db):
    """Whole, the steelworks' 470,000 MWh would pay for a 3 km pipe; the 2,000 MWh a small factory declared
    do not: the suggestion would show no gain (CO2e <= 0, a loss in euros), so it is not shown at all."""
    works = make_site("Aciérie", lat=50.63, lon=3.06, commune="59350", naf="24.10Z")
    make_flow(works, "Chaleur fatale", kind="energy", quantity=470000, unit="MWh", quantity_base=470000,
              base_unit="MWh", material_class="waste_heat_medium", temperature_c=250, material_confidence=1.0)
    near = make_site("Pâtes du Canal", lat=50.635, lon=3.065, commune="59350", naf="10.73Z")
    far = make_site("Pâtes du Plateau", lat=50.657, lon=3.06, commune="59350", naf="10.73Z")  # 3 km
    for site in (near, far):
        make_flow(site, "Vapeur", direction="need", kind="energy", quantity=2000, unit="MWh", quantity_base=2000,
                  base_unit="MWh", material_class="steam", material_confidence=1.0)
    run_matching(None, 200)
    shown = Synergy.objects.filter(offer__site=works, inferred=True)
    assert shown.filter(need_site=near).exists()
    assert not shown.filter(need_site=far).exists()
    assert all(s.co2e_avoided_t is None or s.co2e_avoided_t > 0 for s in Synergy.objects.all())


def test_plastics_burnt_in_a_cement_kiln_carry_no_recycling_credit(db):
    """Mixed plastics to a cement works are a kiln fuel (BREF CLM 2013): they do not avoid producing virgin
    plastic, so the 3.2 t CO2e a tonne of the recycling credit is not shown; the same plastics to a plastics
    converter keep it. The page says why, and shows no calculation that would not hold."""
    from boucle.matching.additionality import fuel_receivers

    burnt = fuel_receivers(["23.51Z", "22.29A", "23.51", "2351Z", "23", "35.30Z"],
                           ["mixed_plastics", "mixed_plastics", "fly_ash", "waste_oil", "mixed_plastics", "waste_oil"])
    assert [row is not None for row in burnt] == [True, False, False, True, False, True]
    sorter = make_site("Tri plastique", lat=50.63, lon=3.06, commune="59350", naf="38.32Z")
    make_flow(sorter, "Plastiques en mélange", quantity=600, unit="t", material_class="mixed_plastics",
              material_confidence=1.0)
    kiln = make_site("Cimenterie", lat=50.635, lon=3.065, commune="59350", naf="23.51Z")
    make_flow(kiln, "Combustibles de substitution", direction="need", quantity=5000, unit="t",
              material_class="mixed_plastics", material_confidence=1.0)
    converter = make_site("Plasturgie", lat=50.64, lon=3.07, commune="59350", naf="22.29A")
    make_flow(converter, "Plastiques recyclés", direction="need", quantity=5000, unit="t",
              material_class="mixed_plastics", material_confidence=1.0)
    run_matching(None, 200)
    to_kiln = Synergy.objects.get(need_site=kiln)
    to_converter = Synergy.objects.get(need_site=converter)
    assert to_kiln.explanation.get("fuel_use") is True
    assert (to_kiln.co2e_avoided_t, to_kiln.eur_saved) == (None, None) and to_kiln.quantity_t == pytest.approx(600)
    assert to_converter.co2e_avoided_t is not None and to_converter.co2e_avoided_t > 500
    user = get_user_model().objects.create_user("animatrice", "a@example.org", "pw")
    Facilitator.objects.create(user=user, level="region", code="32")
    client = Client()
    client.force_login(user)
    with translation.override("fr"):
        page = client.get(f"/synergies/{to_kiln.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "brûle cette matière comme combustible" in page
    assert "Détail de l'estimation" not in page and "t CO₂e" not in _impact(page)
