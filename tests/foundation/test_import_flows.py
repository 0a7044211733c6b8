"""Importing flows: validation, idempotence, and corrections that survive re-import."""

import pytest

from boucle.flows.corrections import correct
from boucle.flows.importers import import_flows
from boucle.flows.models import Flow
from boucle.testing import make_site

pytestmark = pytest.mark.django_db

HEADER = "site_id,direction,label,kind,ewc_code,quantity,unit,period,temperature_c,hazardous,external_id\n"


@pytest.fixture
def site():
    return make_site("Centrale", external_id="EXT-1")


def write(tmp_path, text, name="flows.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_flows_are_stored_with_base_quantities(tmp_path, site):
    path = write(tmp_path, HEADER + "EXT-1,offer,cendres volantes,,10 01 02,1200,t,year,,,\n"
                 "EXT-1,offer,chaleur fatale 80 °C,energy,,500,kWh,month,80,,\n"
                 "EXT-1,need,eau de process,water,,30,m3,day,,,\n")
    report = import_flows(path)
    assert report.ok and report.created == 3
    ash = Flow.objects.get(label="cendres volantes")
    assert ash.ewc_id == "100102" and ash.quantity_base == 1200 and ash.base_unit == "t" and ash.hazardous is False
    heat = Flow.objects.get(kind="energy")
    assert heat.quantity_base == pytest.approx(6.0) and heat.base_unit == "MWh" and heat.temperature_c == 80
    water = Flow.objects.get(direction="need")
    assert water.quantity_base == pytest.approx(30 * 365)
    assert all(f.confidential for f in Flow.objects.all())  # confidential unless said otherwise


@pytest.mark.parametrize("written", ["10.01.02", "10-01-02", "100102", "10 01 02*"])
def test_waste_codes_are_read_however_they_are_punctuated(tmp_path, site, written):
    """Declarants copy codes from permits, spreadsheets and waste registers, each with its own punctuation."""
    report = import_flows(write(tmp_path, HEADER + f"EXT-1,offer,cendres volantes,,{written},5,t,year,,,\n"))
    assert report.ok, report.errors
    assert Flow.objects.get(label="cendres volantes").ewc_id == "100102"


@pytest.mark.parametrize("row, reason", [
    ("EXT-1,offer,x,,99 99 99,1,t,,,,", "absent de la liste européenne"),
    ("EXT-1,offer,x,,12345,1,t,,,,", "n'est pas un code déchet"),
    ("EXT-1,offer,x,,,1,barrels,,,,", "unit: unité « barrels » inconnue"),
    ("EXT-1,offer,x,,,-5,t,,,,", "quantity: -5 est négatif"),
    ("EXT-1,offer,x,,,5,,,,,", "unit: obligatoire"),
    ("EXT-1,sell,x,,,5,t,,,,", "direction: « sell » inconnu"),
    ("EXT-404,offer,x,,,5,t,,,,", "site EXT-404 inconnu"),
    ("EXT-1,offer,x,energy,,5,t,,,,", "ne convient pas"),
    ("EXT-1,offer,x,,17 04 05,5,t,,,maybe,", "hazardous: « maybe »"),
    ("EXT-1,offer,solvants,,14 06 03*,5,t,,,false,", "déchet dangereux"),
])
def test_each_bad_row_gives_a_clear_reason_and_writes_nothing(tmp_path, site, row, reason):
    good = "EXT-1,offer,ok,,,1,t,,,,\n"
    report = import_flows(write(tmp_path, HEADER + good + row + "\n"))
    assert [line for line, _ in report.rejected] == [3]
    assert reason in report.rejected[0][1]
    assert Flow.objects.count() == 0


def test_duplicate_identity_in_one_file_is_an_error(tmp_path, site):
    report = import_flows(write(tmp_path, HEADER + "EXT-1,offer,sable,,,1,t,,,,\nEXT-1,offer,sable,,,2,t,,,,\n"))
    assert report.rejected and report.rejected[0][0] == 3 and "ligne 2" in report.rejected[0][1]


def test_same_file_twice_changes_nothing(tmp_path, site):
    path = write(tmp_path, HEADER + "EXT-1,offer,sable,,,1,t,,,,\nEXT-1,need,gypse,,,4,t,,,,ID-7\n")
    import_flows(path)
    again = import_flows(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Flow.objects.count() == 2


def test_a_correction_survives_reimport(tmp_path, site):
    path = write(tmp_path, HEADER + "EXT-1,offer,laitier,,,100,t,,,,L-1\n")
    import_flows(path)
    flow = Flow.objects.get()
    correct(flow, "quantity", 250.0, reason="pesée réelle")
    # The company re-sends its file with a new figure for another field and the old quantity.
    import_flows(write(tmp_path, HEADER + "EXT-1,offer,laitier de haut fourneau,,,100,t,,,,L-1\n", "v2.csv"))
    flow.refresh_from_db()
    assert flow.quantity == 250.0  # the human fix wins
    assert flow.label == "laitier de haut fourneau"  # uncorrected fields follow the import
    assert flow.imported_values["quantity"] == 100


def test_a_bulk_loader_that_writes_rows_by_sql_without_the_total_flag_stores_an_ordinary_offer(site):
    """Bulk loaders (benchmarks, large imports) write rows by SQL with the columns they know: the database
    itself gives ``declared_total`` its default, so such a row is an offer anyone can take, not a NULL."""
    from boucle.dbutils import insert_rows

    flow = Flow(site=site, identity="bulk-1", direction="offer", kind="material", label="cendres volantes",
                quantity=10, unit="t", period="year", quantity_base=10, base_unit="t")
    fields = [f.name for f in Flow._meta.concrete_fields if f.name not in {"id", "declared_total"}]
    insert_rows(Flow, [flow], fields)
    stored = Flow.objects.get(identity="bulk-1")
    assert stored.declared_total is False
    assert Flow.objects.offers().filter(identity="bulk-1").exists()
