"""Each proposal says why in the reader's language: no English word or internal key in a French
explanation, no French word in an English one, on every proposal of a realistic run (the golden
territory: codes, activity words, sector words in names, hazardous wastes, heat, water, unknown
quantities), on the command line and on the synergy card."""

import csv
import json
import re

import pytest
from django.utils import translation

from boucle.matching.citations import document_names
from boucle.matching.knowledge.infer import input_rules
from boucle.matching.pipeline import bulk_allocation, propose_table
from boucle.matching.tests.test_matching_golden import territory
from boucle.matching.wording import GRADES_CSV, explanation_text
from boucle.web.words import explanation_sentences

# Words that are English and not French (nor part of a French label of the platform's references).
ENGLISH = set("""the of and for with from by or are may can commonly uses used declared need needs receiving
waste wastes heat steam water fuel fuels cooling treatment plant plants recovery feed raw oil oils gas gases boiler
boilers kiln scrap sludge ash dust furnace furnaces drying cleaning catalyst hazardous per year not its into only
check permit standard chapter manufacture processing supply chemicals includes hydrogenation reactors
electrolysis grade large volume organic inorganic iron steel glass pulp paper board food drink milk energy efficiency
quantity""".split())
# Words that are French and not English.
FRENCH = set("""le la les des du une et pour habituellement utilise déchet déchets dangereux activité peut remplacer
chaleur eau vapeur boues receveur déclaré déclarée besoin nomenclature règlement norme chapitre liste par traite
valorise autorisation vérifier échange quantité précision""".split())
INTERNAL = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\b(?:in|out|recipe):\d|\bNone\b|\bnan\b|\bTrue\b|\bFalse\b|[{}]")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+")
# a company's own words, quoted (a declared need's label, the part of an offer's label): in its language
QUOTED = re.compile(r"«[^»]*»|“[^”]*”")


def foreign(text: str, lang: str) -> set[str]:
    words = {w.lower() for w in WORD.findall(QUOTED.sub(" ", text))}
    return words & (ENGLISH if lang == "fr" else FRENCH)


@pytest.fixture(scope="module")
def runs():
    """The jsonl lines of the golden territory, in French and in English."""
    out = {}
    for lang in ("fr", "en"):
        with bulk_allocation(), translation.override(lang):
            out[lang] = [json.loads(line) for line in "".join(propose_table(*territory()).jsonl_chunks()).splitlines()]
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_proposal_of_a_realistic_run_says_why_in_one_language(runs, lang):
    rows = runs[lang]
    assert len(rows) > 300
    problems = []
    for r in rows:
        text = r["explanation"]["text"]
        bad = foreign(text, lang) | set(INTERNAL.findall(text))
        if bad:
            problems.append((sorted(bad), text))
    assert problems == [], problems[:5]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_proposal_says_use_source_quantity_and_distance(runs, lang):
    use, source, quantity, hazard = {"fr": ("Usage : ", "Source : ", "Quantité : ", "Danger : "),
                                     "en": ("Use: ", "Source: ", "Quantity: ", "Hazard: ")}[lang]
    for r in runs[lang]:
        text, e = r["explanation"]["text"], r["explanation"]
        assert text.startswith(use), text
        assert (source in text) == bool(e["source"]), text  # an inferred receiver cites its rule's documents
        assert quantity in text and text.endswith(" km"), text
        assert (hazard in text) == e["hazardous"], text
        if r["quantity"] is not None:  # the unit by kind: heat in MWh, water in m³, material in t
            shown = {"m3": "m³"}.get(r["unit"], r["unit"])
            assert re.search(rf"\d {re.escape(shown)} (par an|per year)", text), text


def test_the_recipe_grade_is_worded_in_french_and_kept_apart_from_the_source(runs):
    graded = [r for r in runs["fr"] if r["explanation"]["grade"]]
    assert graded, "the golden territory has receivers inferred from process recipes"
    with GRADES_CSV.open(encoding="utf-8") as fh:
        french = {g["grade"]: g["label_fr"] for g in csv.DictReader(fh)}
    for r in graded:
        e = r["explanation"]
        assert not e["source"].endswith(": " + e["grade"])  # the citation alone
        if french[e["grade"]] != e["grade"]:
            assert e["grade"] not in e["text"] and french[e["grade"]] in e["text"], e["text"]
    english = {r["offer_flow_id"] + r["need_site_id"]: r["explanation"]["text"] for r in runs["en"]}
    r = graded[0]
    assert r["explanation"]["grade"] in english[r["offer_flow_id"] + r["need_site_id"]]


def test_every_recipe_grade_and_every_rule_source_can_be_said_in_french():
    with GRADES_CSV.open(encoding="utf-8") as fh:
        worded = {g["grade"] for g in csv.DictReader(fh) if g["label_fr"].strip() and g["role"] in ("use", "note")}
    grades = {r.grade for r in input_rules() if r.grade}
    assert grades - worded == set()
    unnamed = {r.source for r in input_rules() if not document_names(r.source, "fr")}
    assert unnamed == set()


def test_an_explanation_stored_before_the_grade_had_its_field_is_still_worded_in_french():
    stored = {"offer_class": "spent_solvents", "need_class": "spent_solvents", "declared_need": False,
              "rule_id": "recipe:19.20:spent_solvents", "receiver_activity": "19.20",
              "source": "EU BREF REF 2015: desalting, caustic treating, alkylation: alkylation catalyst"}
    with translation.override("fr"):
        text = explanation_text(stored)
    assert "pour : catalyseur d'alkylation" in text and "alkylation catalyst" not in text and "BREF REF 2015 (raffinage du pétrole et du gaz)" in text
    assert not foreign(text, "fr"), text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_synergy_card_says_why_in_one_language(runs, lang):
    """What the card shows from the stored explanation (the pipeline's dict without its text)."""
    seen = set()
    with translation.override(lang):
        for r in runs[lang]:
            e = {k: v for k, v in r["explanation"].items() if k != "text"}
            key = json.dumps({k: e.get(k) for k in ("need_class", "offer_class", "rule_id", "hazardous", "grade")})
            if key in seen:
                continue
            seen.add(key)
            text = " ".join(explanation_sentences(e))
            assert text and not foreign(text, lang) and not INTERNAL.search(text), text


def test_a_double_barrelled_author_and_the_adr_agreement_are_named_whole():
    from boucle.matching.citations import document_names

    assert document_names("Campos-Vega et al. 2015, Trends Food Sci. Technol. 45:24") == ("Campos-Vega et al. (2015)",)
    assert document_names("ADR 2023 1.2.1 reconditioned packagings", "en") == ("ADR agreement 2023",)
    assert document_names("Eckelman & Chertow 2009, ES&T 43:2550") == ("Eckelman & Chertow (2009)",)
