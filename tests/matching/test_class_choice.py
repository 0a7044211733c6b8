"""Whose class the engine takes as given: a person's choice (the flow form, a file's ``material_class``
column, a facilitator's correction) is respected; a class the classifier read, even from a label that
is exactly a dictionary synonym, is read again by the engine (an ash by the activity that gives it off)."""

import importlib
import json

import pytest

from boucle.cli import main
from boucle.flows.corrections import correct
from boucle.flows.importers import import_flows
from boucle.flows.models import Flow, Site
from boucle.matching.service_run import pipeline_inputs
from boucle.testing import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def park():
    incinerator = make_site("Usine d'incinération", lat=50.63, lon=3.06, naf="38.21Z", external_id="INC")
    make_site("Cimenterie", lat=50.62, lon=3.05, naf="23.51Z", external_id="CEM")
    treatment = make_site("Traitement de déchets dangereux", lat=50.64, lon=3.07, naf="38.22Z", external_id="HAZ")
    return incinerator, treatment


def imported(tmp_path, rows, header="site_id,direction,label,confidential"):
    path = tmp_path / "flows.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = import_flows(path)
    assert report.ok, report.rejected
    return report


def given_classes():
    """flow pk -> the class passed to the engine as a person's choice (None: the engine reads it)."""
    _sites, flows = pipeline_inputs(Site.objects.all())
    return {int(f.flow_id): f.class_key for f in flows}


def proposals(capsys):
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_an_imported_exact_synonym_is_read_by_its_source(tmp_path, park, capsys):
    imported(tmp_path, ["INC,offer,cendres volantes,oui"])
    ash = Flow.objects.get(label="cendres volantes")
    assert ash.material_class == "fly_ash"  # the dictionary's reading, shown on the pages
    assert given_classes()[ash.pk] is None  # ... but not a person's choice
    # an incinerator's fly ash is flue-gas cleaning residue (List of Waste 19 01 13*), for a hazardous
    # waste treatment site, not only the coal fly ash a cement works takes
    found = {(p["need_site_id"], p["material_class"]) for p in proposals(capsys) if p["offer_label"] == "cendres volantes"}
    assert (park[1].site_id, "incineration_fly_ash") in found, found


def test_a_class_named_in_the_file_is_a_choice(tmp_path, park):
    imported(tmp_path, ["INC,offer,Lot 7,oui,Cendres volantes de charbon", "INC,offer,Lot 8,oui,bottom_ash",
                        "INC,offer,Lot 9,oui,"], header="site_id,direction,label,confidential,material_class")
    flows = {f.label: f for f in Flow.objects.all()}
    given = given_classes()
    assert given[flows["Lot 7"].pk] == "fly_ash" and given[flows["Lot 8"].pk] == "bottom_ash"
    assert given[flows["Lot 9"].pk] is None
    # re-importing the same file changes nothing
    path = tmp_path / "flows.csv"
    assert import_flows(path).unchanged == 3


def test_an_unknown_class_in_the_file_is_refused_with_its_line(tmp_path, park):
    path = tmp_path / "flows.csv"
    path.write_text("site_id,direction,label,material_class\nINC,offer,Lot 7,unobtainium\n", encoding="utf-8")
    report = import_flows(path)
    assert not report.ok and report.rejected[0][0] == 2 and "material_class" in report.rejected[0][1]
    assert not Flow.objects.exists()


def test_a_facilitator_correction_is_respected(tmp_path, park):
    imported(tmp_path, ["INC,offer,cendres volantes,oui"])
    ash = Flow.objects.get(label="cendres volantes")
    correct(ash, "material_class", "bottom_ash")
    assert given_classes()[ash.pk] == "bottom_ash"
    imported(tmp_path, ["INC,offer,cendres volantes,oui"])  # a re-import keeps the correction
    assert given_classes()[ash.pk] == "bottom_ash"


def form(flow_or_none, site, **changes):
    from boucle.web.flow_forms import FlowForm

    data = {"site": str(site.pk), "direction": "offer", "kind": "material", "label": "cendres volantes", "ewc": "",
            "material_class": "", "quantity": "", "unit": "", "period": "year", "current_route": "",
            "temperature_c": "", "confidential": "on"}
    if flow_or_none is not None:
        initial = FlowForm.initial_for(flow_or_none)
        data.update({k: "" if v is None else str(v) for k, v in initial.items() if k in data and k != "confidential"})
    data.update(changes)
    f = FlowForm(data, sites=Site.objects.all(), instance=flow_or_none)
    assert f.is_valid(), f.errors
    return f


def test_the_form_tells_a_chosen_class_from_a_reading(park):
    incinerator = park[0]
    read = form(None, incinerator).save()  # no class chosen: read from the label
    chosen = form(None, incinerator, label="Lot 42", material_class="Cendres volantes de charbon").save()
    given = given_classes()
    assert read.material_class == "fly_ash" and given[read.pk] is None
    assert given[chosen.pk] == "fly_ash"
    # editing the quantity leaves the reading the form showed as it was: still a reading
    form(read, incinerator, quantity="12", unit="t").save()
    assert given_classes()[read.pk] is None
    # picking another class fixes it
    form(Flow.objects.get(pk=read.pk), incinerator, material_class="bottom_ash").save()
    assert given_classes()[read.pk] == "bottom_ash"


def test_the_form_of_an_imported_flow_says_its_class_was_read(tmp_path, park):
    from django.utils import translation

    from boucle.web.flow_forms import FlowForm

    imported(tmp_path, ["INC,offer,cendres volantes,oui"])
    ash = Flow.objects.get(label="cendres volantes")
    with translation.override("fr"):
        assert "Lue automatiquement" in str(FlowForm(sites=Site.objects.all(), instance=ash).fields["material_class"].help_text)
        correct(ash, "material_class", "bottom_ash")
        assert "Lue automatiquement" not in str(
            FlowForm(sites=Site.objects.all(), instance=ash).fields["material_class"].help_text)


def test_stored_readings_are_lowered_below_a_choice(tmp_path, park):
    """The data migration: an imported class at confidence 1 was the classifier's (the format had no class
    column); a form's class at confidence 1 cannot be told from a choice and stays one."""
    from django.apps import apps

    from boucle.testing import make_flow

    imported(tmp_path, ["INC,offer,cendres volantes,oui"])
    Flow.objects.update(material_confidence=1.0)  # as the importer stored it before
    Flow.objects.filter(label="cendres volantes").update(
        imported_values={**Flow.objects.get(label="cendres volantes").imported_values, "material_confidence": 1.0})
    typed = make_flow(park[0], "Lot 42", material_class="fly_ash", material_confidence=1.0)
    migration = importlib.import_module("boucle.flows.migrations.0005_flow_read_class_below_chosen")
    migration.lower_read_classes(apps, None)
    ash = Flow.objects.get(label="cendres volantes")
    given = given_classes()
    assert given[ash.pk] is None and given[typed.pk] == "fly_ash"
    assert imported(tmp_path, ["INC,offer,cendres volantes,oui"]).unchanged == 1
