"""`boucle match` default output on a small territory: what an expert checks first (the same counts
as scripts/audit_match_output.py on the demo), and people's class choices reaching the engine."""

import json

import pytest

from boucle.cli import main
from boucle.flows.models import Flow, Site
from boucle.matching.audit import OfferFacts, SiteFacts, audit
from boucle.matching.selection import MAX_RECEIVERS_PER_OFFER
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db


def jsonl(capsys):
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


@pytest.fixture
def territory():
    power = make_site("Centrale thermique", lat=50.63, lon=3.06, naf="35.11Z")
    cement = [make_site(f"Cimenterie {i}", lat=50.40 + i * 0.01, lon=3.40, naf="23.51Z") for i in range(8)]
    plater = make_site("Traitement de surface", lat=50.62, lon=3.05, naf="25.61Z")
    landfill = make_site("ISDND", lat=50.61, lon=3.07, naf="38.21Z")
    Site.objects.filter(pk=landfill.pk).update(activity="Traitement et élimination des déchets non dangereux")
    hazardous = make_site("Centre de traitement", lat=50.60, lon=3.08, naf="38.22Z")
    sorter = make_site("Centre de tri A", lat=50.64, lon=3.02, naf="38.32Z")
    make_site("Centre de tri B", lat=50.65, lon=3.01, naf="38.32Z")
    make_site("Plasturgie", lat=50.66, lon=3.00, naf="22.21Z")
    make_flow(power, "Cendres volantes de charbon", ewc="100102", quantity=20000, unit="t", material_class="fly_ash")
    make_flow(plater, "Déchets dangereux (total déclaré iREP 2017)", quantity=300, unit="t", hazardous=True,
              material_class="chemical_waste_other", material_confidence=0.68)
    make_flow(plater, "Solvants usés", ewc="140603", quantity=20, unit="t", hazardous=True,
              material_class="spent_solvents", material_confidence=0.9)
    make_flow(sorter, "Plastiques triés PEHD", quantity=500, unit="t", material_class="hdpe", material_confidence=0.9)
    return power, cement, landfill, hazardous


def test_default_output_passes_the_expert_checks(territory, capsys):
    rows = jsonl(capsys)
    flows = {str(f.pk): OfferFacts(bool(f.hazardous), f.kind, f.label) for f in Flow.objects.all()}
    sites = {s.site_id: SiteFacts(s.naf_id, s.activity) for s in Site.objects.all()}
    report = audit(rows, flows, sites)
    assert report["proposals"] > 0
    assert report["hazardous_to_unauthorised_site"] == 0 and report["hazardous_to_non_hazardous_waste_operator"] == 0
    assert report["from_totals"] == 0 and report["recycler_to_recycler"] == 0
    assert report["max_proposals_per_offer"] <= MAX_RECEIVERS_PER_OFFER <= 5
    solvents = {r["need_site_id"] for r in rows if r["offer_label"] == "Solvants usés"}
    assert territory[3].site_id in solvents


def test_a_class_chosen_by_a_person_reaches_the_engine(territory, capsys):
    from boucle.flows.corrections import correct

    power = territory[0]
    chosen = make_flow(power, "Lot 42", quantity=100, unit="t", material_class="fly_ash", material_confidence=1.0)
    guessed = make_flow(power, "Lot 43", quantity=100, unit="t", material_class="fly_ash", material_confidence=0.31)
    corrected = make_flow(power, "Lot 44", quantity=100, unit="t", material_class="", material_confidence=None)
    correct(corrected, "material_class", "fly_ash")
    offered = {r["offer_flow_id"] for r in jsonl(capsys)}
    assert str(chosen.pk) in offered and str(corrected.pk) in offered
    assert str(guessed.pk) not in offered  # a weak guess of the importer is weighed again, not trusted


FACTOR_NAMES = ("plausib", "compat", "decay", "inferred_factor", "confidence", "merit", "_class", "rule_id")


@pytest.mark.parametrize("lang, words", [
    ("fr", ("utilise habituellement", "Fabrication de ciment", "Source", "km")),
    ("en", ("commonly uses", "Manufacture of cement", "Source", "km")),
])
def test_each_proposal_says_why_in_words(territory, capsys, monkeypatch, lang, words):
    monkeypatch.setenv("BOUCLE_LANG", lang)
    rows = jsonl(capsys)
    ash = next(r for r in rows if r["offer_label"] == "Cendres volantes de charbon")
    text = ash["explanation"]["text"]
    assert all(w in text for w in words), text
    assert "BREF" in text or "NACE" in text or "EN " in text  # the rule's source is cited
    assert "20 000" in text or "20\u202f000" in text  # the offered quantity with its unit
    assert not any(f in text for f in FACTOR_NAMES)
    solvents = next(r for r in rows if r["offer_label"] == "Solvants usés")
    assert ("dangereux" if lang == "fr" else "hazardous") in solvents["explanation"]["text"]


def test_synergy_card_explains_in_words_without_factors_or_quantities(territory):
    from boucle.matching.service_run import run_matching
    from boucle.matching.models import Synergy
    from boucle.web.words import explanation_sentences

    from django.utils import translation

    run_matching(None, 200)
    synergy = Synergy.objects.filter(offer__label="Cendres volantes de charbon").first()
    with translation.override("fr"):
        text = " ".join(explanation_sentences(synergy.explanation))  # what the synergy card shows
    assert "Fabrication de ciment" in text and "Source" in text
    assert "20000" not in text and "20 000" not in text and not any(f in text for f in FACTOR_NAMES)


def test_match_with_workers_prints_the_same_bytes(territory, capsys):
    """`boucle match --workers 2` cuts the territory into tiles run by two processes: same lines."""
    assert main(["match", "--format", "jsonl", "--no-store"]) == 0
    single = capsys.readouterr().out
    assert main(["match", "--format", "jsonl", "--no-store", "--workers", "2"]) == 0
    assert capsys.readouterr().out == single and single.count("\n") > 3
    assert main(["match", "--format", "jsonl", "--no-store", "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err
