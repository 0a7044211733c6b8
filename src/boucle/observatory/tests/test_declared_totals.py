"""A yearly total over several wastes (iREP's « Déchets dangereux (total déclaré) ») is information about its
site, never an offer: no page, export or diagram counts it as an offer or adds it to a material's tonnes; it
is shown apart, in its own words, with the same figure everywhere."""

import csv
import io

import pytest
from django.urls import reverse

from boucle.testing import make_flow

pytestmark = pytest.mark.django_db
TOTAL_T = 700.0


@pytest.fixture
def with_total(obs_world):
    # as the importer stores it: a class read from the label (below a person's choice), hazardous
    total = make_flow(obs_world.sites["lille_a"], "Déchets dangereux (total déclaré iREP 2021)", quantity=TOTAL_T,
                      unit="t", material_class="chemical_waste_other", material_confidence=0.684, hazardous=True)
    obs_world.flows["lille_a_total"] = total
    return obs_world


def _total_rows(html):
    """The declared-totals table as a reader sees it: one list of cell texts per row."""
    import re
    from html import unescape

    body = html.split('class="declared-totals-table"')[1].split("</tbody>")[0]
    return [[" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).replace("\xa0", " ").split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r'<tr class="declared-total"[^>]*>(.*?)</tr>', body, re.S)]


def _offers(region_flows):
    return [f for f in region_flows if f.direction == "offer" and "total" not in f.label]


def _region_flows():
    from boucle.flows.models import Flow

    return list(Flow.objects.filter(site__commune__departement__region_id="32", site__closed=False))


def test_the_total_is_flagged_and_a_chosen_class_is_not(with_total):
    from boucle.flows.models import Flow

    assert with_total.flows["lille_a_total"].declared_total
    assert list(Flow.objects.declared_totals()) == [with_total.flows["lille_a_total"]]
    assert with_total.flows["lille_a_total"] not in Flow.objects.offers()
    # a person who chose the class of a line made it a material the matching proposes: an offer again
    chosen = make_flow(with_total.sites["dk"], "Total ferrailles du site", quantity=10, unit="t",
                       material_class="steel_scrap", material_confidence=1.0)
    assert not chosen.declared_total and chosen in Flow.objects.offers()


def test_the_observatory_counts_no_total_as_an_offer_and_shows_it_apart(with_total):
    from boucle.observatory.queries import territory_indicators
    from boucle.territories.refs import resolve

    doc = territory_indicators(resolve("region:32"), public=False)
    offers = _offers(_region_flows())
    assert doc["flow_counts"]["offer"] == len(offers)
    offered_t = sum(f["quantity"] for f in doc["flows"] if f["direction"] == "offer" and f["unit"] == "t")
    assert offered_t == pytest.approx(sum(f.quantity_base for f in offers if f.base_unit == "t"))
    assert "chemical_waste_other" not in {f["material_class"] for f in doc["flows"]}
    assert doc["declared_totals"] == [{"hazard": "hazardous", "unit": "t", "source": "iREP", "quantity": TOTAL_T,
                                       "flows": 1, "companies": 1}]


def test_the_same_total_on_the_facilitator_figures_the_observatory_and_the_export(with_total, client):
    client.force_login(with_total.users["fac_region"])
    figures = client.get(reverse("facilitator-figures")).content.decode()
    page = client.get(reverse("observatory:territory", args=["region", "32"])).content.decode()
    offers = len(_offers(_region_flows()))
    assert f'<span class="value">{offers}</span>' in figures
    for html in (figures, page):
        assert "Déchets déclarés en total annuel (information, pas une offre)" in html
        assert _total_rows(html) == [["dangereux", "700 t/an", "1", "registre iREP"]]
    assert "Autres déchets chimiques" not in page
    data = client.get(reverse("observatory:territory-export", args=["region", "32", "indicators", "csv"]) + "?cles=1")
    rows = [r for r in csv.DictReader(io.StringIO(data.content.decode())) if r["territory_level"] == "region"]
    total = [r for r in rows if r["indicator"] == "declared_total_quantity"]
    assert [(r["unit"], r["hazardous"], r["source"], float(r["value"])) for r in total] == [("t", "True", "iREP", TOTAL_T)]
    offered = sum(float(r["value"]) for r in rows if r["indicator"] == "declared_quantity"
                  and r["direction"] == "offer" and r["unit"] == "t" and r["material_class"])
    assert TOTAL_T + offered == pytest.approx(sum(f.quantity_base for f in _region_flows()
                                                  if f.direction == "offer" and f.base_unit == "t"))


def test_the_toile_and_the_report_leave_the_total_out(with_total):
    from boucle.observatory.report import render_html
    from boucle.observatory.toile import territory_sankey
    from boucle.territories.refs import resolve

    doc = territory_sankey(resolve("region:32"))
    assert doc["total_t"] == pytest.approx(sum(f.quantity_base for f in _offers(_region_flows())
                                               if f.base_unit == "t" and f.quantity_base))
    html = render_html(resolve("region:32"))
    figures = html.split('id="key-figures"')[1].split("</section>")[0]
    assert _total_rows(figures) == [["dangereux", "700 t/an", "1", "registre iREP"]]


def test_the_company_sees_its_total_as_information_not_an_offer(with_total, client):
    from boucle.accounts.models import Membership

    site = with_total.sites["lille_a"]
    Membership.objects.create(user=with_total.users["company"], company=site.company, role="admin")
    client.force_login(with_total.users["company"])
    home = client.get(reverse("company-home")).content.decode()
    line = home.split("Déchets dangereux (total déclaré iREP 2021)")[1].split("</li>")[0]
    assert "total annuel déclaré sur plusieurs déchets (information, pas une offre)" in line and "offre," not in line
    offers = site.flows.filter(direction="offer").exclude(pk=with_total.flows["lille_a_total"].pk).count()
    assert f"<td>{offers}</td>" in home.split(site.name)[-1]
    flows = client.get(reverse("site-flows", args=[site.pk])).content.decode()
    row = flows.split("Déchets dangereux (total déclaré iREP 2021)")[0].rsplit("<tr>", 1)[1]
    assert "total annuel déclaré sur plusieurs déchets (information, pas une offre)" in row


def test_an_imported_irep_total_is_flagged(db, tmp_path):
    from boucle.flows.importers import import_flows, import_sites
    from boucle.flows.models import Flow

    (tmp_path / "sites.csv").write_text("site_id,name,naf_code,activity,latitude,longitude,commune_insee,country\n"
                                        "irep:9,Usine,20.14Z,,50.63,3.05,59350,FR\n", encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "site_id,direction,label,kind,ewc_code,quantity,unit,period,temperature_c,hazardous,confidential,"
        "external_id,illustrative\n"
        "irep:9,offer,Déchets dangereux (total déclaré iREP 2019),material,,12.5,t,year,,true,false,dd-9,false\n"
        "irep:9,offer,Solvants usés,material,,3,t,year,,true,false,sv-9,false\n", encoding="utf-8")
    assert import_sites(tmp_path / "sites.csv", source="test").ok
    assert import_flows(tmp_path / "flows.csv", source="test").ok
    assert [f.label for f in Flow.objects.offers()] == ["Solvants usés"]
    assert [f.label for f in Flow.objects.declared_totals()] == ["Déchets dangereux (total déclaré iREP 2019)"]


def test_the_api_marks_the_total_and_not_an_ordinary_offer(with_total, client):
    client.force_login(with_total.users["fac_mel"])
    site = with_total.sites["lille_a"]
    flows = client.get("/api/flows", {"site": site.pk, "direction": "offer"}).json()
    by_id = {f["id"]: f for f in flows}
    total = with_total.flows["lille_a_total"]
    assert by_id[total.pk]["declared_total"] is True
    assert client.get(f"/api/flows/{total.pk}").json()["declared_total"] is True
    ordinary = [f for f in flows if f["id"] != total.pk]
    assert ordinary and all(f["declared_total"] is False for f in ordinary)
    schema = client.get("/api/openapi.json").json()
    field = schema["components"]["schemas"]["FlowOut"]["properties"]["declared_total"]
    assert field["type"] == "boolean" and "not an offer" in field["description"]


def test_the_facilitator_sees_a_new_total_as_information_not_an_offer(with_total, client):
    client.force_login(with_total.users["fac_mel"])
    html = client.get(reverse("facilitator-home")).content.decode()
    new = html.split('id="h-flows"')[1].split("</section>")[0]
    line = new.split("Déchets dangereux (total déclaré iREP 2021)")[1].split("</li>")[0]
    assert "total annuel déclaré sur plusieurs déchets (information, pas une offre)" in line and "offre," not in line
    others = [li for li in new.split("<li>")[1:] if "total déclaré" not in li]
    assert others and all("pas une offre" not in li for li in others)


def test_hazardous_and_non_hazardous_totals_are_shown_apart_with_unit_and_source(with_total, client):
    # iREP publishes both totals per site; a line without a hazard flag says it in its words
    make_flow(with_total.sites["dk"], "Déchets non dangereux (total déclaré iREP 2021)", quantity=2500.0, unit="t")
    make_flow(with_total.sites["dk"], "Total des déchets du site", quantity=40.0, unit="t")
    client.force_login(with_total.users["fac_region"])
    page = client.get(reverse("observatory:territory", args=["region", "32"])).content.decode()
    figures = client.get(reverse("facilitator-figures")).content.decode()
    expected = [["dangereux", "700 t/an", "1", "registre iREP"],
                ["non dangereux", "2 500 t/an", "1", "registre iREP"],
                ["dangerosité non précisée", "40 t/an", "1", "déclaration du site"]]
    assert _total_rows(page) == expected and _total_rows(figures) == expected
    url = reverse("observatory:territory-export", args=["region", "32", "indicators", "csv"])
    keyed = [r for r in csv.DictReader(io.StringIO(client.get(url + "?cles=1").content.decode()))
             if r["territory_level"] == "region" and r["indicator"] == "declared_total_quantity"]
    assert [(r["hazardous"], r["unit"], r["source"], float(r["value"])) for r in keyed] == [
        ("True", "t", "iREP", 700.0), ("False", "t", "iREP", 2500.0), ("", "t", "", 40.0)]
    text = client.get(url).content.decode("utf-8-sig")
    read = [r for r in csv.DictReader(io.StringIO(text), delimiter=";")
            if r["niveau du territoire"] == "région" and r["indicateur"] == "déchets déclarés en total annuel (quantité par an)"]
    assert [(r["dangereux"], r["unité"], r["source (registre)"], r["valeur"]) for r in read] == [
        ("oui", "t", "iREP", "700"), ("non", "t", "iREP", "2500"), ("", "t", "", "40")]


@pytest.mark.parametrize("hazardous, label, expected", [
    (None, "Déchets dangereux (total déclaré iREP 2017)", ("hazardous", "iREP")),
    (None, "Déchets non dangereux (total déclaré iREP 2017)", ("non_hazardous", "iREP")),
    (None, "Non-hazardous waste, total (E-PRTR 2019)", ("non_hazardous", "E-PRTR")),
    (None, "Gefährliche Abfälle insgesamt", ("hazardous", "")),
    (None, "Total des déchets du site", ("", "")),
    (False, "Déchets dangereux (total déclaré)", ("non_hazardous", "")),  # the company's own flag wins
])
def test_a_total_s_hazard_and_source_are_read_from_the_declaration(hazardous, label, expected):
    from boucle.observatory.totals import hazard_of, source_of

    assert (hazard_of(hazardous, label), source_of(label)) == expected
