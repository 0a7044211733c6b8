"""Importing sites: every bad row is named by its line, and a bad file writes nothing."""

import json

import pytest

from boucle.flows.importers import import_sites
from boucle.flows.models import Company, Site
from boucle.testing import make_siret

pytestmark = pytest.mark.django_db

HEADER = "site_id,name,naf_code,activity,latitude,longitude,commune_insee,country\n"


def write(tmp_path, text, name="sites.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_valid_file_creates_sites_with_companies_and_communes(tmp_path):
    siret = make_siret()
    path = write(tmp_path, HEADER + f"{siret},Cimenterie du Nord,23.51Z,cimenterie,50.63,3.06,,\n"
                 "BE-0123,Partenaire belge,,,50.85,4.35,,BE\nEXT-9,Serre de Lille,01.13Z,,,,59350,\n")
    report = import_sites(path)
    assert report.ok and report.created == 3 and report.written
    cement = Site.objects.get(site_id=siret)
    assert cement.id_kind == "siret" and cement.company.siren == siret[:9]
    assert cement.naf_id == "23.51Z" and cement.commune_id is not None  # nearest commune found
    belgian = Site.objects.get(site_id="BE-0123")
    assert belgian.country == "BE" and belgian.commune is None
    serre = Site.objects.get(site_id="EXT-9")
    assert serre.commune_id == "59350" and serre.lat is not None  # placed at the commune's centre


def test_invalid_siret_is_rejected_by_checksum_and_nothing_is_written(tmp_path):
    good = make_siret()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    path = write(tmp_path, HEADER + f"{good},OK,,,50.6,3.0,,\n{bad},Faux,,,50.6,3.0,,\n")
    report = import_sites(path)
    assert report.rejected == [(3, f"site_id: SIRET {bad} invalide (clé de contrôle)")]
    assert not report.written and Site.objects.count() == 0 and Company.objects.count() == 0


@pytest.mark.parametrize("row, reason", [
    ("EXT-1,Sans lieu,,,,,,", "ni coordonnées"),
    ("EXT-1,Mauvaise NAF,99.99Z,,50,3,,", "naf_code: 99.99Z absent"),
    ("EXT-1,Hors limites,,,95,3,,", "latitude: 95.0 hors limites (de -90 à 90, en degrés décimaux)"),
    ("EXT-1,Hors limites,,,50,1203,,", "longitude: 1203.0 hors limites (de -180 à 180, en degrés décimaux)"),
    ("EXT-1,Commune inconnue,,,,,99999,", "commune_insee: 99999 inconnue"),
    ("EXT-1,Latitude seule,,,50,,,", "latitude et longitude vont ensemble"),
    (",Sans identifiant,,,50,3,,", "site_id: valeur obligatoire"),
])
def test_each_bad_row_gives_a_clear_reason(tmp_path, row, reason):
    report = import_sites(write(tmp_path, HEADER + row + "\n"))
    assert len(report.rejected) == 1
    line, message = report.rejected[0]
    assert line == 2 and reason in message


def test_duplicate_site_id_names_both_lines(tmp_path):
    report = import_sites(write(tmp_path, HEADER + "EXT-1,A,,,50,3,,\nEXT-1,B,,,50,3,,\n"))
    assert report.rejected == [(3, "site_id EXT-1 en double (déjà ligne 2)")]


def test_latin1_and_semicolons_as_french_spreadsheets_export_them(tmp_path):
    text = "site_id;name;latitude;longitude\nEXT-7;Sucrerie d'Érchin;50,31;3,17\n"
    report = import_sites(write(tmp_path, text, encoding="latin-1"))
    assert report.ok, report.rejected
    site = Site.objects.get(site_id="EXT-7")
    assert site.name == "Sucrerie d'Érchin" and site.lat == pytest.approx(50.31)


def test_partial_writes_the_valid_rows_only(tmp_path):
    report = import_sites(write(tmp_path, HEADER + "EXT-1,A,,,50,3,,\nEXT-2,B,,,,,,\n"), partial=True)
    assert report.created == 1 and len(report.rejected) == 1
    assert list(Site.objects.values_list("site_id", flat=True)) == ["EXT-1"]


def test_unknown_columns_are_reported(tmp_path):
    report = import_sites(write(tmp_path, "site_id,name,latitude,longitude,couleur\nEXT-1,A,50,3,bleu\n"))
    assert report.ok and report.unknown_columns == ["couleur"]


def test_reimport_is_idempotent_and_updates_changes(tmp_path):
    path = write(tmp_path, HEADER + "EXT-1,A,,,50,3,,\n")
    assert import_sites(path).created == 1
    again = import_sites(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = import_sites(write(tmp_path, HEADER + "EXT-1,A renamed,,,50,3,,\n", name="v2.csv"))
    assert changed.updated == 1 and Site.objects.get().name == "A renamed"


def test_xlsx_is_read_with_line_numbers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["site_id", "name", "latitude", "longitude"])
    ws.append(["EXT-1", "A", 50.1, 3.1])
    ws.append(["EXT-2", "B", None, None])
    path = tmp_path / "sites.xlsx"
    wb.save(path)
    report = import_sites(path)
    assert [line for line, _ in report.rejected] == [3]


def test_naf_code_at_division_group_or_class_level_is_accepted(tmp_path):
    """Held-out parks describe a site by a NACE division ("20") or group ("20.1") as often as by a
    class: each form is kept as written, and the matching reads it at that level."""
    rows = "".join(f"EXT-{i},Chimie {i},{code},,50,3,,\n" for i, code in enumerate(["20", "20.1", "20.14", "2014Z"]))
    report = import_sites(write(tmp_path, HEADER + rows))
    assert report.ok and report.created == 4, report.rejected
    assert [s.naf_id for s in Site.objects.order_by("site_id")] == ["20", "20.1", "20.14", "20.14Z"]


def test_a_line_names_every_field_at_fault_in_the_cli_report_and_its_json(tmp_path, capsys):
    """A facilitator fixing line 3 learns at once that its SIRET, NAF code and latitude are all wrong."""
    from boucle.flows.commands import report_import

    good = make_siret()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    path = write(tmp_path, HEADER + f"{good},OK,,,50.6,3.0,,\n{bad},Faux,99.99Z,,nord,3.0,,\n")
    assert report_import(import_sites, path, partial=False, as_json=False) == 1
    text = capsys.readouterr().out
    assert (f"ligne 3 : site_id: SIRET {bad} invalide (clé de contrôle) ; naf_code: 99.99Z absent de la NAF rév. 2"
            " ; latitude: « nord » n'est pas un nombre") in text
    assert report_import(import_sites, path, partial=False, as_json=True) == 1
    doc = json.loads(capsys.readouterr().out)
    [rejected] = doc["rejected"]
    assert rejected["line"] == 3 and rejected["reason"].count(" ; ") == 2  # the old shape, all reasons joined
    assert [error["field"] for error in rejected["fields"]] == ["site_id", "naf_code", "latitude"]
    assert rejected["fields"][2]["reason"] == "latitude: « nord » n'est pas un nombre"
    assert not doc["written"] and Site.objects.count() == 0  # still all or nothing

    fixed = write(tmp_path, HEADER + f"{good},OK,,,50.6,3.0,,\n{make_siret()},Vrai,,,50.6,3.0,,\n")
    assert report_import(import_sites, fixed, partial=False, as_json=True) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 2 and Site.objects.count() == 2


def test_a_french_spreadsheet_export_imports_as_it_is(tmp_path):
    """Excel's « CSV (séparateur : point-virgule) »: French headers, Latin-1 accents, comma decimals."""
    first, second = make_siret(), make_siret()
    text = ("SIRET;Raison sociale;Code NAF;Activité;Latitude;Longitude;Code commune\r\n"
            f"{first};Société d'Équipements Mécaniques;25.62A;Décolletage, usinage;50,6292;3,0573;59350\r\n"
            f"{second};Brasserie Lefèvre;11.05Z;Bière;;;59350\r\n")
    report = import_sites(write(tmp_path, text, encoding="cp1252"))
    assert report.ok and report.created == 2 and report.unknown_columns == []
    site = Site.objects.get(site_id=first)
    assert site.name == "Société d'Équipements Mécaniques" and site.activity == "Décolletage, usinage"
    assert (site.lat, site.lon, site.naf_id, site.commune_id) == (50.6292, 3.0573, "25.62A", "59350")
    assert Site.objects.get(site_id=second).commune_id == "59350"


def test_a_header_boucle_cannot_read_is_named_with_the_columns_it_expects(tmp_path):
    from boucle.flows.tabular import FileFormatError

    with pytest.raises(FileFormatError) as refused:
        import_sites(write(tmp_path, "Numéro;Société;Ville\n1;A;Lille\n"))
    assert str(refused.value) == ("colonnes obligatoires manquantes : site_id, name "
                                  "(colonnes du fichier que Boucle ne connaît pas : numéro, société, ville)")
