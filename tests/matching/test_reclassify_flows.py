"""Flows saved before a change of the label rules are read again (``boucle flows reclassify``): an automatic
class takes today's reading; a company's explicit choice and a facilitator's correction are never overwritten."""

import json

import pytest

from boucle.cli import main
from boucle.flows.corrections import correct
from boucle.flows.models import Flow
from boucle.testing import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_flows():
    """Four flows as saved under older rules: all stored « untreated wood » for « Déchets divers »."""
    site = make_site("Menuiserie", lat=50.63, lon=3.06, naf="16.23Z", external_id="MEN")

    def flow(label, conf):
        return Flow.objects.create(site=site, identity=f"offer|material|{label}|", direction="offer", kind="material",
                                   label=label, material_class="wood_untreated", material_confidence=conf)
    return {"read": flow("Déchets divers", 0.58), "chosen": flow("Déchets divers du hall", 1.0),
            "corrected": flow("Déchets divers de l'atelier", 0.58), "oil": flow("Huiles usagées", 0.7)}


def test_automatic_classes_are_read_again_choices_and_corrections_kept(old_flows, capsys):
    correct(old_flows["corrected"], "material_class", "pallets")
    assert main(["flows", "reclassify", "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)  # stdout: the JSON report alone; progress on stderr
    assert "flux relus" in err or "flows read" in err
    fresh = {k: Flow.objects.get(pk=f.pk) for k, f in old_flows.items()}
    # generic words name no material: the old wood reading goes
    assert fresh["read"].material_class == "" and fresh["read"].material_confidence is None
    assert fresh["oil"].material_class != "wood_untreated" and fresh["oil"].material_confidence <= 0.99
    # a company's choice (confidence 1.0) and a facilitator's correction are kept
    assert (fresh["chosen"].material_class, fresh["chosen"].material_confidence) == ("wood_untreated", 1.0)
    assert fresh["corrected"].material_class == "pallets"
    assert report["kept_chosen"] == 1 and report["kept_corrected"] == 1 and report["changed"] == 2
    assert {"from": "wood_untreated", "to": None, "flows": 1} in report["transitions"]
    # a second run finds nothing to do
    assert main(["flows", "reclassify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == 0


def test_dry_run_writes_nothing_and_speaks_french(old_flows, capsys, monkeypatch):
    monkeypatch.setenv("BOUCLE_LANG", "fr")
    assert main(["flows", "reclassify", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "3 flux changeraient de classe" in out and "Bois non traité (classe A) → sans classe : 1" in out, out
    assert Flow.objects.get(pk=old_flows["read"].pk).material_class == "wood_untreated"
