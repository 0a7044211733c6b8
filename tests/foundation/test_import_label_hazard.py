"""A hazardous waste code quoted in a flow's label (« Boues d'hydroxydes (11 01 09*) ») makes the stored flow
hazardous, as the code column does: the import file, the web form and the API store it, the export says it."""

import argparse
import csv
import io

import pytest

from boucle.flows.importers import hazardous_code_quoted, import_flows
from boucle.flows.models import Flow
from boucle.testing import make_site

pytestmark = pytest.mark.django_db

HEADER = "site_id,direction,label,kind,ewc_code,quantity,unit,period,temperature_c,hazardous,external_id\n"


@pytest.fixture
def site():
    return make_site("Traitement de surface", external_id="EXT-1", commune="59350")


def _import(tmp_path, rows):
    path = tmp_path / "flows.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return import_flows(path)


def _export_hazardous(tmp_path) -> dict[str, str]:
    from boucle.observatory import commands

    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers())
    out = tmp_path / "export.csv"
    args = parser.parse_args(["export", "--territory", "commune:59350", "--what", "flows", "--output", str(out)])
    assert args.func(args) == 0
    return {r["label"]: r["hazardous"] for r in csv.DictReader(io.StringIO(out.read_text()))}


def test_a_hazardous_code_in_the_label_is_stored_and_exported(tmp_path, site):
    report = _import(tmp_path, ["EXT-1,offer,Boues d'hydroxydes (11 01 09*),,,5,t,year,,,",
                                "EXT-1,offer,Boues d'hydroxydes 110109,,,5,t,year,,,",
                                "EXT-1,offer,Boues (11 01 10),,,5,t,year,,,",  # the non-hazardous mirror entry
                                "EXT-1,offer,Lot 2023 n° 12,,,5,t,year,,,"])
    assert report.ok, report.rejected
    stored = dict(Flow.objects.values_list("label", "hazardous"))
    assert stored == {"Boues d'hydroxydes (11 01 09*)": True, "Boues d'hydroxydes 110109": True,
                      "Boues (11 01 10)": None, "Lot 2023 n° 12": None}
    exported = _export_hazardous(tmp_path)
    assert exported["Boues d'hydroxydes (11 01 09*)"] == "True"
    assert exported["Boues (11 01 10)"] == "False"


def test_a_label_code_said_non_hazardous_is_refused_and_nothing_is_written(tmp_path, site):
    report = _import(tmp_path, ["EXT-1,offer,sable,,,1,t,,,,",
                                "EXT-1,offer,Boues d'hydroxydes (11 01 09*),,,5,t,year,,false,"])
    assert [line for line, _ in report.rejected] == [3]
    assert "11 01 09*" in report.rejected[0][1] and "libellé" in report.rejected[0][1]
    assert Flow.objects.count() == 0


def test_the_code_column_decides_over_a_code_in_the_label(tmp_path, site):
    report = _import(tmp_path, ["EXT-1,offer,Boues (11 01 09*),,11 01 10,5,t,year,,,"])
    assert report.ok, report.rejected
    assert Flow.objects.get().hazardous is False


@pytest.mark.parametrize("label", ["", "123456", "16 10 01 *", "⚗️💧", "x" * 5000, "99 99 99*", None, 42])
def test_reading_a_code_in_any_label_never_raises(label):
    assert hazardous_code_quoted(label) in (None, "161001")


def test_odd_labels_are_imported_or_refused_with_a_reason_never_raised(tmp_path, site):
    odd = ["123456", "160101", "⚗️💧🔥", "16 10 01*", "16 10 01 *", "aBc 07 06 01* EAUX", "((((", "°C"]
    report = _import(tmp_path, [f"EXT-1,offer,{label},,,1,t,year,,," for label in odd])
    assert report.ok, report.rejected
    stored = dict(Flow.objects.values_list("label", "hazardous"))
    assert stored["16 10 01 *"] is True and stored["aBc 07 06 01* EAUX"] is True and stored["160101"] is None
    assert Flow.objects.get(label="16 10 01*").material_class == "aqueous_liquid_waste"
    assert Flow.objects.get(label="⚗️💧🔥").material_class == ""


@pytest.mark.parametrize("label,reason", [("x" * 5000, "label"), ("", "label: valeur obligatoire")])
def test_a_label_too_long_or_empty_is_refused_and_nothing_is_written(tmp_path, site, label, reason):
    report = _import(tmp_path, ["EXT-1,offer,sable,,,1,t,,,,", f"EXT-1,offer,{label},,,5,t,year,,,"])
    assert [line for line, _ in report.rejected] == [3] and reason in report.rejected[0][1]
    assert Flow.objects.count() == 0
