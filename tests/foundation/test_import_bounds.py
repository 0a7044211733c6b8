"""Bounded inputs, one rule for the importer, the forms and the API: every refusal names its line
(``ligne N : …``, header = line 1) and the file writes nothing."""

import argparse
import io
import json
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from boucle.flows.commands import run_import
from boucle.flows.models import Flow, Site
from boucle.testing import make_site

pytestmark = pytest.mark.django_db

FLOWS = "site_id,direction,label,quantity,unit\n"


@pytest.fixture
def site():
    return make_site("Centrale", external_id="EXT-1")


def cli(capsys, what, path):
    """``boucle import WHAT PATH`` in this process: its exit code, stdout and stderr (an exception
    escaping here would be a traceback on the command line)."""
    from django.utils import translation

    with translation.override("fr"):  # as the command activates it (a test before may have left English on)
        code = run_import(argparse.Namespace(what=what, file=str(path), partial=False, json=False))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path, text, name="flows.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


WIDE = "site_id,direction,label,quantity,unit,period,notes\n"


@pytest.mark.parametrize("row, reason", [
    ("EXT-1,offer," + "x" * 1001 + ",1,t,year,", "label: plus de 300 caractères"),  # the column's length, below 1,000
    ("EXT-1,offer,Cendres,1e308,t,year,", "maximum plausible"),
    ("EXT-1,offer,Cendres,5e9,t,year,", "maximum plausible"),
    ("EXT-1,offer,Cendres,2e7,t,day,", "maximum plausible"),  # 2e7 t a day is 7.3e9 t a year
    ("EXT-1,offer,Cendres,١٢,t,year,", "chiffres non ASCII"),
    ("EXT-1,offer,Cendres,１２,t,year,", "chiffres non ASCII"),
    ("EXT-1,offer,Cendres\x00,1,t,year,", "caractère de contrôle interdit (NUL)"),
    ("EXT-1,offer,Cendres\x1b[31m,1,t,year,", "caractère de contrôle interdit (U+001B)"),
    ("EXT-1\u202e,offer,Cendres,1,t,year,", "site_id: caractère de contrôle ou invisible interdit dans un identifiant"),
    ("EXT-1,offer,Cendres,1,t,year," + "y" * 10_001, "notes: plus de 10\u202f000 caractères"),
])
def test_out_of_bounds_values_are_refused_with_their_line(tmp_path, capsys, site, row, reason):
    code, out, err = cli(capsys, "flows", write(tmp_path, WIDE + "EXT-1,offer,Sable,3,t,year,\n" + row + "\n"))
    assert code == 1, (out, err)
    assert "ligne 3 : " in out and reason in out, out
    assert Flow.objects.count() == 0  # the good line 2 is not written either


def test_a_field_over_128_kib_is_a_line_numbered_refusal_not_a_crash(tmp_path, capsys, site):
    code, out, err = cli(capsys, "flows", write(tmp_path, FLOWS + "EXT-1,offer," + "z" * 200_000 + ",1,t\n"))
    assert code == 1 and "ligne 2 : label: plus de" in out, (out, err)
    assert Flow.objects.count() == 0


def test_english_refusals(tmp_path, capsys, site, settings):
    from django.utils import translation

    with translation.override("en"):
        report_path = write(tmp_path, FLOWS + "EXT-1,offer,Cendres,1e308,t\n")
        from boucle.flows.importers import import_flows

        lines = import_flows(report_path).lines("en")
    assert lines[1].startswith("line 2: quantity: ") and "plausible maximum" in lines[1], lines


def test_formula_text_is_accepted_as_written(tmp_path, capsys, site):
    code, out, _err = cli(capsys, "flows", write(tmp_path, FLOWS + 'EXT-1,offer,"=HYPERLINK(""http://x"")",1,t\n'
                                                            "EXT-1,offer,-Chutes +bois @atelier,2,t\n"))
    assert code == 0, out
    assert set(Flow.objects.values_list("label", flat=True)) == {'=HYPERLINK("http://x")', "-Chutes +bois @atelier"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read(tmp_path, capsys, site, encoding):
    """Excel's "Unicode text" is UTF-16 (with or without a byte-order mark): read, not "missing columns"."""
    code, out, err = cli(capsys, "flows", write(tmp_path, FLOWS + "EXT-1,offer,Chutes d'acier é,4,t\n",
                                                encoding=encoding))
    assert code == 0, (out, err)
    assert Flow.objects.get().label == "Chutes d'acier é"


def test_a_damaged_utf16_file_is_refused_clearly(tmp_path, capsys, site):
    code, out, err = cli(capsys, "flows", write(tmp_path, b"\xff\xfe" + FLOWS.encode("utf-16-le") + b"\x00\xd8"))
    assert code == 1 and "UTF-16" in err and "manquantes" not in err, err


def _zip_bomb(path, inflated_mb=200):
    """A valid-looking workbook whose sheet inflates to ``inflated_mb`` MB (≈ 0.2 MB on disk)."""
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["site_id", "direction", "label", "quantity", "unit"])
    book.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                padding = "<!--" + " " * (inflated_mb * 1024 * 1024) + "-->"
                data = text.replace("<sheetData>", padding + "<sheetData>").encode()
            dst.writestr(item, data)
    return path


def test_an_xlsx_zip_bomb_is_refused_before_parsing(tmp_path, capsys, site):
    path = _zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 1_500_000
    started = time.perf_counter()
    code, out, err = cli(capsys, "flows", path)
    assert time.perf_counter() - started < 2
    assert code == 1 and "décompressé" in err, (out, err)


def test_an_xlsx_with_too_many_cells_is_refused(tmp_path, capsys, site, monkeypatch):
    from openpyxl import Workbook

    from boucle.flows import tabular

    monkeypatch.setattr(tabular, "MAX_XLSX_CELLS", 500)
    book = Workbook()
    book.active.append(["site_id", "direction", "label", "quantity", "unit"])
    for i in range(200):
        book.active.append(["EXT-1", "offer", f"Lot {i}", 1, "t"])
    book.save(tmp_path / "big.xlsx")
    code, out, err = cli(capsys, "flows", tmp_path / "big.xlsx")
    assert code == 1 and "cellules" in err, (out, err)


def test_the_upload_page_answers_a_huge_field_with_a_message(client, site, settings, tmp_path, monkeypatch):
    from boucle.accounts.models import Membership
    from boucle.jobs import imports
    from django.contrib.auth import get_user_model

    monkeypatch.setattr(imports, "INLINE_MAX_BYTES", 10**9)  # read in the request (a larger file runs in a thread)
    user = get_user_model().objects.create_user("m", "m@example.org", "x")
    Membership.objects.create(user=user, company=site.company, role="admin")
    client.force_login(user)
    text = FLOWS + "EXT-1,offer," + "z" * 200_000 + ",1,t\n"
    settings.BOUCLE_JOBS_DIR = tmp_path / "jobs"
    response = client.post("/espace/import/", {"file": SimpleUploadedFile("f.csv", text.encode())}, follow=True)
    assert response.status_code == 200  # the import's page
    assert '<td data-label="Ligne">2</td><td data-label="Raison">label: plus de' in response.content.decode()
    assert Flow.objects.count() == 0


def test_forms_and_api_refuse_what_the_importer_refuses(client, site):
    from boucle.accounts.models import Membership
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("m", "m@example.org", "x")
    Membership.objects.create(user=user, company=site.company, role="admin")
    client.force_login(user)
    for quantity in (1e308, 5e9):
        response = client.post("/api/flows", {"site": site.pk, "direction": "offer", "label": "Cendres",
                                              "quantity": quantity, "unit": "t"}, content_type="application/json")
        assert response.status_code == 422, response.content
        assert "maximum plausible" in response.content.decode()
    form = {"site": site.pk, "direction": "offer", "kind": "material", "label": "Cendres", "ewc": "",
            "material_class": "", "quantity": "١٢", "unit": "t", "period": "year", "confidential": "on"}
    page = client.post("/espace/flux/nouveau/", form).content.decode()
    assert "chiffres non ASCII" in page
    page = client.post("/espace/flux/nouveau/", {**form, "quantity": "12", "label": "Cendres\x1b"}).content.decode()
    assert "caractère de contrôle interdit" in page
    assert Flow.objects.count() == 0


def test_public_json_never_carries_infinity(client, site):
    """Rows written before the bound (or by a future path) that sum past the float range give null,
    not ``Infinity``: the public map and the API stay valid JSON."""
    from boucle.testing import make_flow

    # Three companies (the disclosure threshold), each with 1e308 t: the total overflows to inf.
    for i, where in enumerate([site, make_site("B", external_id="EXT-2"), make_site("C", external_id="EXT-3")]):
        make_flow(where, f"Énorme {i}", quantity=1e308, unit="t", material_class="fly_ash")

    def strict(text):
        return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))

    strict(client.get("/observatoire/epci.geojson").content)
    strict(client.get("/observatoire/donnees/epci.geojson").content)
    strict(client.get("/api/observatory/epci:200093201/indicators").content)
    strict(client.get("/api/territories/epci:200093201/indicators").content)
