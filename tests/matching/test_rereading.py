"""When the reading rules change (an upgrade of Boucle: classes, synonyms, words that name no material), the
flows' automatic material classes are read again before the next matching (``flows.readings``): the stored
classes, the pages and the proposals all say today's reading. A company's choice and a facilitator's
correction are never changed; when the rules did not change, nothing is read again (one query)."""

import json
import shutil

import pytest

from boucle.cli import main
from boucle.flows import readings
from boucle.flows.corrections import correct
from boucle.flows.models import Flow, Rereading
from boucle.matching.models import Synergy
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale():
    """Flows read under older rules: « cendres volantes » stored as untreated wood, automatically; a company's
    choice and a facilitator's correction of a class; the readings' fingerprint is an older one."""
    incinerator = make_site("Usine d'incinération", lat=50.63, lon=3.06, naf="38.21Z", external_id="INC")
    make_site("Cimenterie", lat=50.62, lon=3.05, naf="23.51Z", external_id="CEM")
    make_site("Traitement de déchets dangereux", lat=50.64, lon=3.07, naf="38.22Z", external_id="HAZ")
    flows = {
        "read": make_flow(incinerator, "cendres volantes", quantity=120, unit="t", material_class="wood_untreated",
                          material_confidence=0.58),
        "chosen": make_flow(incinerator, "palettes bois", quantity=10, unit="t", material_class="steel_scrap",
                            material_confidence=1.0),
        "corrected": make_flow(incinerator, "Déchets divers de l'atelier", quantity=5, unit="t",
                               material_class="wood_untreated", material_confidence=0.58),
    }
    correct(flows["corrected"], "material_class", "wood_pallets")
    Rereading.objects.create(fingerprint="rules-of-an-older-version")
    return flows


def classes(flows):
    return {k: Flow.objects.values_list("material_class", "material_confidence").get(pk=f.pk)
            for k, f in flows.items()}


def test_a_stale_reading_is_read_again_before_the_matching_and_the_proposals_use_it(stale, capsys):
    assert main(["match", "--no-store", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]  # stdout: the proposals alone
    assert "relecture des classes de matière" in err and "flux relus" in err
    now = classes(stale)
    assert now["read"][0] == "fly_ash"
    assert now["chosen"] == ("steel_scrap", 1.0)  # a company's choice is never read again
    assert now["corrected"][0] == "wood_pallets"  # nor a facilitator's correction
    # the engine weighs an automatic class again (an incinerator's fly ash), never the stale wood
    offer = {r["material_class"] for r in rows if r["offer_flow_id"] == str(stale["read"].pk)}
    assert offer and "wood_untreated" not in offer and offer <= {"fly_ash", "incineration_fly_ash"}, offer
    # a person's choice reaches the engine as given
    assert {r["material_class"] for r in rows if r["offer_flow_id"] == str(stale["chosen"].pk)} <= {"steel_scrap"}
    last = Rereading.objects.first()
    assert last.fingerprint == readings.rules_fingerprint()
    assert (last.reread, last.changed, last.kept) == (1, 1, 2)
    assert last.transitions == [{"from": "wood_untreated", "to": "fly_ash", "flows": 1}]
    assert readings.last_rereading() == last


def test_the_facilitators_run_reads_again_first_and_stores_todays_class(stale):
    from boucle.matching.service_run import run_matching

    run_matching(None, 50.0)  # the web's run and the demo's, through the background job or not
    assert classes(stale)["read"][0] == "fly_ash"
    stored = set(Synergy.objects.filter(offer=stale["read"]).values_list("material_class", flat=True))
    assert stored and stored <= {"fly_ash", "incineration_fly_ash"}, stored
    assert readings.is_current()


def test_the_rules_unchanged_nothing_is_read_again(stale, monkeypatch, django_assert_num_queries, capsys):
    readings.ensure_current()
    assert readings.is_current()

    def fail(*args, **kwargs):
        raise AssertionError("read again although the rules did not change")

    monkeypatch.setattr("boucle.flows.reclassify.reclassify_flows", fail)
    with django_assert_num_queries(1):  # the recorded fingerprint, nothing else
        assert readings.ensure_current() is None
    rows = Rereading.objects.count()
    assert main(["match", "--no-store", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    assert "relecture" not in err and all(json.loads(line) for line in out.splitlines())
    assert Rereading.objects.count() == rows


def test_a_database_without_flows_records_todays_rules_without_reading(monkeypatch):
    Rereading.objects.create(fingerprint="rules-of-an-older-version")
    monkeypatch.setattr("boucle.flows.reclassify.reclassify_flows", lambda *a, **k: pytest.fail("nothing to read"))
    readings.after_migrate(sender=None, verbosity=0)  # what every migrate does
    assert readings.is_current() and readings.last_rereading() is None


def test_migrate_reads_an_upgraded_database_again(stale, capsys):
    readings.after_migrate(sender=None, verbosity=1)
    assert readings.is_current() and classes(stale)["read"][0] == "fly_ash"
    assert "relecture" in capsys.readouterr().err


def test_reclassify_records_a_complete_rereading_and_a_dry_run_does_not(stale, capsys):
    assert main(["flows", "reclassify", "--dry-run", "--json"]) == 0
    json.loads(capsys.readouterr().out)
    assert not readings.is_current()
    assert main(["flows", "reclassify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == 1
    assert readings.is_current()


def test_the_fingerprint_follows_the_reading_rules(tmp_path, monkeypatch):
    """A synonym added changes the fingerprint; it is computed once per process."""
    copy = tmp_path / "materials"
    shutil.copytree(readings._MATERIALS / "data", copy / "data")
    for name in readings.RULE_FILES:
        if "/" not in name:
            shutil.copy(readings._MATERIALS / name, copy / name)
    before = readings.rules_fingerprint()
    monkeypatch.setattr(readings, "_MATERIALS", copy)
    try:
        readings.rules_fingerprint.cache_clear()
        assert readings.rules_fingerprint() == before  # the same files
        with open(copy / "data" / "synonyms.csv", "a", encoding="utf-8") as f:
            f.write("steel_scrap,fr,riblons de test\n")
        assert readings.rules_fingerprint() == before  # cached for the process
        readings.rules_fingerprint.cache_clear()
        assert readings.rules_fingerprint() != before
    finally:
        monkeypatch.undo()
        readings.rules_fingerprint.cache_clear()
    assert readings.rules_fingerprint() == before
