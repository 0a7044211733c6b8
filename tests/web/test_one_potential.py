"""One potential: the facilitator's page, the observatory, the API, the export and `boucle allocate` agree.

Suggestions overlap — one offer is suggested to every receiver nearby — so their sum counts
the same tonnes several times. The figure every page shows is the optimal allocation.
"""

import csv
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from boucle.accounts.models import Facilitator
from boucle.cli import main
from boucle.matching.models import Synergy
from boucle.matching.service_run import run_matching
from boucle.observatory.queries import territory_indicators
from boucle.territories.refs import resolve
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db
REGION = "region:32"


@pytest.fixture
def territory():
    power = make_site("Centrale", lat=50.63, lon=3.06, commune="59350", naf="35.11Z")
    make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=20000, unit="t", material_class="fly_ash")
    for i, (lat, lon, commune) in enumerate(((50.36, 3.52, "59606"), (50.29, 2.78, "62041"), (50.95, 1.87, "62193"))):
        make_site(f"Cimenterie {i}", lat=lat, lon=lon, commune=commune, naf="23.51Z")
    plant = make_site("Papeterie", lat=50.64, lon=3.08, commune="59350", naf="17.12Z")
    make_flow(plant, "Vapeur excédentaire", kind="energy", quantity=9000, unit="MWh", quantity_base=9000,
              base_unit="MWh", material_class="steam", temperature_c=180)
    dairy = make_site("Laiterie", lat=50.645, lon=3.085, commune="59350", naf="10.51A")
    make_flow(dairy, "Vapeur", direction="need", kind="energy", quantity=5000, unit="MWh", quantity_base=5000,
              base_unit="MWh", material_class="steam", temperature_c=150)
    run_matching(None, 200)
    user = get_user_model().objects.create_user("animatrice", "a@example.org", "pw")
    Facilitator.objects.create(user=user, level="region", code="32")
    client = Client()
    client.force_login(user)
    return client


def test_the_facilitators_page_shows_the_allocation_not_the_sum_of_suggestions(territory, capsys):
    client = territory
    page = client.get("/animation/chiffres/").content.decode()  # the dashboard's figures block
    shown = float(re.search(r'class="potential-co2e" data-value="([^"]+)"', page).group(1))
    assert main(["allocate", "--territory", REGION, "--json"]) == 0
    allocation = json.loads(capsys.readouterr().out)
    assert shown == pytest.approx(allocation["total_value"], rel=1e-9)
    suggested = sum(s.co2e_avoided_t or 0 for s in Synergy.objects.filter(offer__kind="material"))
    assert Synergy.objects.filter(material_class="fly_ash").count() >= 2  # the ash is offered to several plants
    assert 0 < allocation["tonnes_exchanged"] <= 20000 and 0 < allocation["mwh_exchanged"] <= 5000
    assert shown < suggested  # the old page summed every suggestion

    doc = territory_indicators(resolve(REGION), public=False)
    assert doc["impacts"]["potential"]["co2e_avoided_t"] == pytest.approx(shown, rel=1e-9)
    assert doc["impacts"]["potential"]["tonnes_diverted"] == pytest.approx(allocation["tonnes_exchanged"])
    assert doc["impacts"]["potential"]["mwh"] == pytest.approx(allocation["mwh_exchanged"])
    api = client.get(f"/api/territories/{REGION}/indicators").json()
    assert api["potential_co2e_avoided_t_per_year"] == pytest.approx(shown, rel=1e-9)
    assert api["potential_mwh_per_year"] == pytest.approx(allocation["mwh_exchanged"])


def test_the_indicator_export_has_one_region_row_per_potential_figure(territory, capsys):
    assert main(["allocate", "--territory", REGION, "--json"]) == 0
    allocation = json.loads(capsys.readouterr().out)
    assert main(["export", "--territory", REGION, "--what", "indicators", "--output", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    potential = [r for r in rows if r["territory_level"] == "region" and r["basis"] == "potential"]
    names = [r["indicator"] for r in potential]
    assert len(names) == len(set(names)) and {"tonnes_diverted", "co2e_avoided_t", "eur_saved", "mwh", "water_m3"} <= set(names)
    assert "m3" not in names  # water counted once, as water_m3 (« eau réutilisée »), not twice under two names
    for r in potential:
        assert (r["kind"], r["material_class"], r["direction"], r["status"], r["period"]) == ("", "", "", "", "")
    value = {r["indicator"]: float(r["value"]) for r in potential}
    assert value["co2e_avoided_t"] == pytest.approx(allocation["total_value"], rel=0.01)
    assert value["tonnes_diverted"] == pytest.approx(allocation["tonnes_exchanged"], rel=0.01)
    assert value["mwh"] == pytest.approx(allocation["mwh_exchanged"], rel=0.01)
    assert value["water_m3"] == pytest.approx(allocation["m3_exchanged"], rel=0.01, abs=1e-9)


def test_the_report_counts_heat_in_mwh_and_shows_the_same_potential(territory, capsys):
    from boucle.observatory.report import render_html

    html = render_html(resolve(REGION))
    top = html.split('id="top-synergies"')[1].split("</section>")[0]
    steam_rows = [row for row in top.split("<tr>") if "Papeterie" in row]
    assert steam_rows and all("MWh" in row and " t<" not in row for row in steam_rows)
    assert main(["allocate", "--territory", REGION, "--json"]) == 0
    allocation = json.loads(capsys.readouterr().out)
    figures = html.split('id="key-figures"')[1].split("</section>")[0]
    row = next(r for r in figures.split("<tr>") if "CO₂e/an)" in r)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # the allocation's value, read as every page reads an estimate (two significant digits)
    from boucle.impact.ranges import shown

    assert float(re.sub(r"[^\d]", "", cells[1])) == pytest.approx(shown(allocation["total_value"], "co2e"), abs=1)


def test_the_pages_say_how_much_of_the_potential_rests_on_illustrative_flows(territory):
    from boucle.flows.models import Flow

    Flow.objects.filter(label="Vapeur excédentaire").update(illustrative=True)
    page = territory.get("/animation/chiffres/").content.decode()  # the dashboard's figures block
    share = re.search(r'class="note illustrative-share">[^<]*: ([\d,.]+)\u00a0%\.', page)  # a percentage
    from boucle.matching.territory_potential import potential_of

    p = potential_of(resolve(REGION))
    steam = sum(e["co2e_avoided_t"] for e in p.exchanges if e["unit"] == "MWh")
    assert 0 < steam < p.co2e_avoided_t
    assert float(share.group(1).replace(",", ".")) / 100 == pytest.approx(steam / p.co2e_avoided_t, abs=0.01)
    page = territory.get("/observatoire/territoire/region/32/").content.decode()
    assert "illustrative-share" in page


def test_the_facilitators_money_line_is_the_observatorys_and_the_exports(territory, capsys):
    """The territory's potential showed tonnes and CO2e but no euros on the facilitator's page: the avoided
    costs of the same allocation read there as in the observatory and the export, said an order of magnitude."""
    from boucle.web.words import estimate_text

    client = territory
    page = client.get("/animation/chiffres/").content.decode()
    cell = re.search(r'<dd class="potential-eur" data-value="([^"]+)">(.*?)</dd>', page, re.S)
    assert cell, "no money line in the territory's potential"
    doc = territory_indicators(resolve(REGION), public=False)
    eur = doc["impacts"]["potential"]["eur_saved"]
    assert eur and float(cell.group(1)) == pytest.approx(eur, rel=1e-9)
    text = estimate_text(eur, "eur")
    assert text in cell.group(2) and "ordre de grandeur" in cell.group(2)
    observatory = client.get("/observatoire/territoire/region/32/").content.decode()
    assert f"<td>{text}</td>" in observatory
    assert main(["export", "--territory", REGION, "--what", "indicators", "--output", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    exported = [r for r in rows if r["territory_level"] == "region" and r["basis"] == "potential"
                and r["indicator"] == "eur_saved"]
    assert len(exported) == 1 and float(exported[0]["value"]) == pytest.approx(eur, rel=0.01)
    method = page[page.index('class="note method-link"'):]
    assert "méthode d&#x27;estimation des impacts" in method or "méthode d'estimation des impacts" in method
