"""A flow's current route: one validation for the import file, the flow form and the API."""

import pytest

from boucle.flows.importers import import_flows
from boucle.flows.models import Flow
from boucle.testing import make_site

pytestmark = pytest.mark.django_db

HEADER = "site_id,direction,label,quantity,unit,current_route\n"


@pytest.fixture
def site():
    return make_site("Aciérie", external_id="EXT-1")


def _write(tmp_path, text):
    path = tmp_path / "flows.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    return path


@pytest.mark.parametrize("written, stored", [
    ("R4", "R4"), ("r 04", "R4"), ("D1", "D1"), ("D 9 F", "D9F"), ("landfill", "landfill"),
    ("déjà vendu pour recyclage", "recycling"), ("Incinération avec valorisation", "incineration_recovery"),
    ("", ""),
])
def test_import_accepts_operation_codes_and_route_names(tmp_path, site, written, stored):
    report = import_flows(_write(tmp_path, f"EXT-1,offer,Chutes d'acier,100,t,{written}\n"))
    assert report.ok, report.rejected
    assert Flow.objects.get(label="Chutes d'acier").current_route == stored


@pytest.mark.parametrize("written", ["R99", "D 6", "poubelle"])
def test_import_refuses_an_unknown_route_naming_line_and_column(tmp_path, site, written):
    report = import_flows(_write(tmp_path, f"EXT-1,offer,Ferraille,5,t,landfill\nEXT-1,offer,Chutes,5,t,{written}\n"))
    assert not report.written and report.rejected[0][0] == 3
    assert report.rejected[0][1].startswith("current_route:") and f"« {written} »" in report.rejected[0][1]
    assert not Flow.objects.exists()


def test_a_file_without_the_column_reimports_unchanged(tmp_path, site):
    path = tmp_path / "old.csv"
    path.write_text("site_id,direction,label,quantity,unit\nEXT-1,offer,Ferraille,5,t\n", encoding="utf-8")
    assert import_flows(path).created == 1
    assert import_flows(path).unchanged == 1


def test_the_flow_form_validates_with_the_importer_s_rule():
    from boucle.flows.models import Site
    from boucle.web.flow_forms import FlowForm

    site = make_site("Fonderie")
    sites = Site.objects.all()
    base = {"site": site.pk, "direction": "offer", "kind": "material", "label": "Sable", "period": "year",
            "ewc": "", "material_class": "", "quantity": "", "unit": ""}
    bad = FlowForm({**base, "current_route": "R99"}, sites=sites)
    assert not bad.is_valid() and "current_route" in bad.errors
    good = FlowForm({**base, "current_route": "D1"}, sites=sites)
    assert good.is_valid(), good.errors
    assert good.save().current_route == "D1"


@pytest.mark.parametrize("written, stored", [("Mise en décharge", "landfill"), ("compostage", "composting"),
                                             ("Rejet au réseau d'assainissement", "sewer"), ("Landfill", "landfill")])
def test_import_accepts_the_words_the_flow_form_lists(tmp_path, site, written, stored):
    report = import_flows(_write(tmp_path, f'EXT-1,offer,Boues,100,t,"{written}"\n'))
    assert report.ok, report.rejected
    assert Flow.objects.get(label="Boues").current_route == stored


def test_a_refused_route_lists_words_a_person_can_write_not_stored_keys(tmp_path, site):
    from django.utils import translation

    with translation.override("fr"):
        report = import_flows(_write(tmp_path, "EXT-1,offer,Chutes,5,t,poubelle\n"))
    message = report.rejected[0][1]
    assert "« mise en décharge »" in message and "« déjà vendu pour recyclage »" in message
    assert "landfill" not in message and "incineration_recovery" not in message and "land_spreading" not in message


def test_the_import_template_explains_the_current_route_column():
    from boucle.flows.import_template import COLUMNS, HEADER

    assert "current_route" in HEADER
    help_text = str(dict((c[0], c[2]) for c in COLUMNS)["current_route"])
    assert "R1 à R13" in help_text and "décharge" in help_text
