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
    assert doc["declared_totals"] == [{"direction": "offer", "hazard": "hazardous", "kind": "material", "unit": "t", "source": "iREP", "quantity": TOTAL_T,
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


def test_the_facilitator_site_page_shows_the_total_as_information_not_an_offer(with_total, client):
    """The site page (/sites/<pk>/, opened from the map) said « offre » beside the yearly total (reader9)."""
    client.force_login(with_total.users["fac_region"])
    page = client.get(reverse("site-detail", args=[with_total.sites["lille_a"].pk])).content.decode()
    row = page.split("Déchets dangereux (total déclaré iREP 2021)")[0].rsplit("<tr>", 1)[1]
    assert "total annuel déclaré sur plusieurs déchets (information, pas une offre)" in row and "offre<" not in row


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


def _region_total_rows(client, fmt="csv"):
    url = reverse("observatory:territory-export", args=["region", "32", "indicators", fmt]) + "?cles=1"
    return [r for r in csv.DictReader(io.StringIO(client.get(url).content.decode()))
            if r["territory_level"] == "region" and r["indicator"].startswith("declared_total")]


def test_each_declared_total_row_carries_the_unit_of_its_kind_and_a_count_carries_none(with_total, client):
    """The export gave « declared_total_flows » the unit « t »: a reader who summed the rows in t added 1 326
    declarations to the tonnes. A count now has no unit; each quantity says its kind beside its unit, in its own row."""
    site = with_total.sites["dk"]
    make_flow(site, "Déchets dangereux liquides (total déclaré iREP 2021)", quantity_base=300.0, base_unit="m3",
              hazardous=True)
    make_flow(site, "Déchets dangereux (total déclaré iREP 2020)", quantity=None, unit="", hazardous=True)
    make_flow(site, "Chaleur perdue, total déclaré iREP", kind="energy", quantity_base=1200.0, base_unit="MWh",
              hazardous=False)
    client.force_login(with_total.users["fac_region"])
    rows = _region_total_rows(client)
    quantities = {(r["kind"], r["unit"], r["hazardous"]): float(r["value"]) for r in rows
                  if r["indicator"] == "declared_total_quantity"}
    assert quantities == {("material", "t", "True"): TOTAL_T, ("material", "m3", "True"): 300.0,
                          ("energy", "MWh", "False"): 1200.0}
    counts = {(r["kind"], r["hazardous"], r["source"]): (r["unit"], float(r["value"])) for r in rows
              if r["indicator"] == "declared_total_flows"}
    # the three hazardous material declarations, whatever the unit of their quantity (or none), are three
    assert counts == {("material", "True", "iREP"): ("", 3.0), ("energy", "False", "iREP"): ("", 1.0)}
    expected_unit = {"material": {"t", "m3"}, "energy": {"MWh"}, "water": {"m3"}}
    assert all(unit in expected_unit[kind] for kind, unit, _h in quantities)


def test_no_declared_total_is_summed_across_units_or_into_the_declared_flows(with_total, client):
    """Whoever sums the tonnes of the long table gets the offers in t plus the totals in t, nothing else."""
    make_flow(with_total.sites["dk"], "Déchets dangereux liquides (total déclaré iREP 2021)", quantity_base=300.0,
              base_unit="m3", hazardous=True)
    client.force_login(with_total.users["fac_region"])
    url = reverse("observatory:territory-export", args=["region", "32", "indicators", "csv"]) + "?cles=1"
    rows = [r for r in csv.DictReader(io.StringIO(client.get(url).content.decode())) if r["territory_level"] == "region"]
    tonnes = sum(float(r["value"]) for r in rows if r["unit"] == "t" and r["direction"] == "offer" and
                 r["indicator"] == "declared_quantity" and r["material_class"]) + \
        sum(float(r["value"]) for r in rows if r["unit"] == "t" and r["indicator"] == "declared_total_quantity")
    flows = _region_flows()
    assert tonnes == pytest.approx(sum(f.quantity_base for f in flows if f.direction == "offer" and f.base_unit == "t"))
    assert not [r for r in rows if r["indicator"] == "declared_total_flows" and r["unit"]]
    page = client.get(reverse("observatory:territory", args=["region", "32"])).content.decode()
    assert _total_rows(page) == [["dangereux", "700 t/an", "1", "registre iREP"],
                                 ["dangereux", "300 m³/an", "1", "registre iREP"]]


def test_a_total_without_a_quantity_is_counted_not_shown_as_zero(with_total, client):
    make_flow(with_total.sites["dk"], "Déchets non dangereux (total déclaré iREP 2020)", quantity=None, unit="")
    client.force_login(with_total.users["fac_region"])
    page = client.get(reverse("observatory:territory", args=["region", "32"])).content.decode()
    assert ["non dangereux", "quantité non précisée", "1", "registre iREP"] in _total_rows(page)
    assert not [r for r in _region_total_rows(client) if r["indicator"] == "declared_total_quantity"
                and r["hazardous"] == "False"]
    api = client.get("/api/territories/region:32/export/indicators?format=csv")
    assert api.status_code == 200
    api_rows = [r for r in csv.DictReader(io.StringIO(api.content.decode("utf-8-sig")))
                if r["territory_level"] == "region" and r["indicator"] == "declared_total_flows"]
    assert {(r["hazardous"], r["unit"], float(r["value"])) for r in api_rows} == {("True", "", 1.0), ("False", "", 1.0)}


def test_the_indicators_api_gives_the_totals_as_the_page_does(with_total, client):
    """The API's indicators left the declared totals out: a script reading it could not tell them apart."""
    make_flow(with_total.sites["dk"], "Déchets dangereux liquides (total déclaré iREP 2021)", quantity_base=300.0,
              base_unit="m3", hazardous=True)
    client.force_login(with_total.users["fac_region"])
    doc = client.get("/api/territories/region:32/indicators").json()
    assert [(t["hazard"], t["kind"], t["unit"], t["source"], t["quantity"], t["flows"]) for t in doc["declared_totals"]] \
        == [("hazardous", "material", "t", "iREP", TOTAL_T, 1), ("hazardous", "material", "m3", "iREP", 300.0, 1)]
    page = client.get(reverse("observatory:territory", args=["region", "32"])).content.decode()
    assert _total_rows(page) == [["dangereux", "700 t/an", "1", "registre iREP"],
                                 ["dangereux", "300 m³/an", "1", "registre iREP"]]


def _side_rows(html, direction):
    """The rows of the declared-totals table of one side (``offer``: given off, ``need``: taken in)."""
    tables = [t for t in html.split('class="declared-totals-table"')[1:] if t.startswith(f' data-direction="{direction}"')]
    return _total_rows('class="declared-totals-table"' + tables[0]) if tables else []


def test_a_total_of_what_a_site_takes_in_is_never_added_to_the_offers_totals(with_total, client):
    """A hazardous-waste treater's « déchets dangereux admis » total is a need: it was summed with the 700 t the
    region's sites give off (5 700 t « dangereux »). Now the offers' totals keep 700 t, on the page, in the API and in
    the export, and the need's total is shown apart, in French and in English."""
    from boucle.flows.models import Flow

    admitted = make_flow(with_total.sites["dk"], "Déchets dangereux admis (total déclaré iREP 2021)", direction="need",
                         quantity=5000.0, unit="t", hazardous=True)
    assert admitted.declared_total and admitted not in Flow.objects.offers()
    client.force_login(with_total.users["fac_region"])
    doc = client.get("/api/territories/region:32/indicators").json()
    assert [(t["direction"], t["hazard"], t["unit"], t["quantity"], t["flows"]) for t in doc["declared_totals"]] == [
        ("offer", "hazardous", "t", TOTAL_T, 1), ("need", "hazardous", "t", 5000.0, 1)]
    page = client.get(reverse("observatory:territory", args=["region", "32"]), HTTP_ACCEPT_LANGUAGE="fr")
    page = page.content.decode()
    assert _side_rows(page, "offer") == [["dangereux", "700 t/an", "1", "registre iREP"]]
    assert _side_rows(page, "need") == [["dangereux", "5 000 t/an", "1", "registre iREP"]]
    assert "Déchets reçus déclarés en total annuel" in page
    english = client.get(reverse("observatory:territory", args=["region", "32"]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Received waste declared as a yearly total" in english.content.decode()
    rows = _region_total_rows(client)
    quantities = sorted((r["direction"], float(r["value"])) for r in rows if r["indicator"] == "declared_total_quantity")
    assert quantities == [("need", 5000.0), ("offer", TOTAL_T)]
    counts = sorted((r["direction"], float(r["value"])) for r in rows if r["indicator"] == "declared_total_flows")
    assert counts == [("need", 1.0), ("offer", 1.0)]


def test_a_total_s_side_is_read_from_its_direction():
    from boucle.observatory.totals import side_of

    assert [side_of(d) for d in ("offer", "need", "", None)] == ["offer", "need", "offer", "offer"]
