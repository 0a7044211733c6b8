"""Every export writes figures as they read: no floating-point noise, no exponent; a person's download
rounds quantities as the pages do (``boucle.figures``), the command line keeps the stored figures."""

import csv
import io

import pytest
from openpyxl import load_workbook

from boucle import figures
from boucle.observatory.tests.test_observatory_exports import _page_download, _run

pytestmark = pytest.mark.django_db
NOISE = ("000000000", "999999999", "e-0", "e+")


def _awkward_site():
    from boucle.testing import make_flow, make_site

    site = make_site("Centre de tri", commune="59350")
    # 0.12 kg converted to tonnes: 0.00011999999999999999
    make_flow(site, "Cuivre", quantity=0.12, unit="kg", quantity_base=0.12 * 0.001, base_unit="t",
              material_class="copper_scrap")
    make_flow(site, "Tri 1", quantity=0.1, unit="t", material_class="wood_untreated")
    make_flow(site, "Tri 2", quantity=0.2, unit="t", material_class="wood_untreated")  # 0.1 + 0.2 summed
    make_flow(site, "Palettes", quantity=2882.4, unit="t", material_class="wood_treated")
    make_flow(site, "Chute", quantity=1e-05, unit="t", material_class="paper_cardboard")
    return site


@pytest.mark.parametrize("value, plain, quantity", [
    (2882.4000000000005, "2882.4", "2882.0"), (0.00011999999999999999, "0.00012", "0.00012"),
    (1e-05, "0.00001", "0.00001"), (12.300000000000001, "12.3", "12.3"), (0.1 + 0.2, "0.3", "0.3"),
    (0.000123456, "0.000123456", "0.00012"), (1308289.869, "1308289.869", "1308290.0"), (55.55, "55.55", "55.5"),
])
def test_one_rule_for_every_figure(value, plain, quantity):
    assert figures.plain(value) == plain
    assert figures.plain(figures.quantity(value)) == quantity


def test_the_command_line_csv_has_dot_decimals_and_no_noise(tmp_path):
    _awkward_site()
    for what in ("flows", "indicators"):
        out = tmp_path / f"{what}.csv"
        assert _run("export", "--territory", "commune:59350", "--what", what, "--format", "csv",
                    "--output", str(out)) == 0
        text = out.read_text()
        assert not any(n in text for n in NOISE), [line for line in text.splitlines() if any(n in line for n in NOISE)]
    flows = {r["label"]: r["quantity_per_year"] for r in csv.DictReader(io.StringIO((tmp_path / "flows.csv").read_text()))}
    assert flows["Cuivre"] == "0.00012" and flows["Chute"] == "0.00001" and flows["Palettes"] == "2882.4"
    indicators = list(csv.DictReader(io.StringIO((tmp_path / "indicators.csv").read_text())))
    wood = [r["value"] for r in indicators if r["indicator"] == "declared_quantity"
            and r["material_class"] == "wood_untreated" and r["territory_level"] == "commune"]
    assert wood == ["0.3"]  # stored figures, summed exactly: not rounded for reading


def test_the_command_line_xlsx_holds_numbers_without_noise(tmp_path):
    _awkward_site()
    out = tmp_path / "flows.xlsx"
    assert _run("export", "--territory", "commune:59350", "--what", "flows", "--format", "xlsx",
                "--output", str(out)) == 0
    sheet = load_workbook(out)["flows"]
    header = [c.value for c in sheet[1]]
    values = {row[header.index("label")]: row[header.index("quantity_per_year")]
              for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Cuivre"] == 0.00012 and values["Palettes"] == 2882.4


def test_a_french_download_reads_as_the_page_does(client, django_user_model):
    from boucle.accounts.models import Facilitator

    _awkward_site()
    user = django_user_model.objects.create_user("anim", "anim@example.org", "x")
    Facilitator.objects.create(user=user, level="commune", code="59350")
    client.force_login(user)
    body = _page_download(client, "/observatoire/territoire/commune/59350/export/flows.csv").decode("utf-8")
    assert not any(n in body for n in NOISE)
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    quantity = rows[0].index("quantité par an")
    label = next(i for i, h in enumerate(rows[0]) if h.startswith("libellé"))
    shown = {r[label]: r[quantity] for r in rows[1:]}
    assert shown["Cuivre"] == "0,00012" and shown["Palettes"] == "2882" and shown["Chute"] == "0,00001"

    from boucle.web.templatetags.words import tonnes
    assert tonnes(2882.4000000000005).replace("\u202f", "").replace("\xa0", "") == "2882"
    assert tonnes(0.00011999999999999999) == "0,00012"  # a page read « < 0,1 » and the file 0.00011999999999999999


def test_the_observatory_page_and_its_download_show_one_figure(client, django_user_model):
    """The territory page's table of declared quantities and the indicators download of the same territory."""
    from boucle.accounts.models import Facilitator

    _awkward_site()
    user = django_user_model.objects.create_user("anim", "anim@example.org", "x")
    Facilitator.objects.create(user=user, level="commune", code="59350")
    client.force_login(user)
    page = _page_download(client, "/observatoire/territoire/commune/59350/").decode("utf-8")
    page = page.replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ")
    body = _page_download(client, "/observatoire/territoire/commune/59350/export/indicators.csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    value = rows[0].index("valeur")
    figures_in_file = {r[value] for r in rows[1:]}
    for figure in ("0,00012", "2882", "0,3"):  # copper scrap, pallets, two wood lots summed
        assert figure in figures_in_file
        assert f">{figure} t<" in page.replace("2 882", "2882"), figure
