"""Vocabulary comes from independent references, not from the evaluation sets.

A synonym equal to a label of an evaluation set (MAESTRI development cases, literature check set)
may stay only with a source that is not the set itself: a List-of-Waste entry, a NACE note, a
CPA / PRODCOM / CN product, a BREF, a regulation or a standard. When the source is an EWC code
or a NACE code shipped with Boucle, the words must really be in its text.
"""

import csv
import re
from pathlib import Path

import pytest

from boucle.materials.text import tokens
from boucle.matching.evaluate import (CODES_CSV, FRESH2_CSV, FRESH3_CSV, FRESH4_CSV, FRESH5_CSV, FRESH_CSV, HEAVY_CSV,
                                      LITERATURE_CSV, MAESTRI_CSV, PROCESS_CSV, read_rows)

MATERIALS = Path(__file__).parents[2] / "materials" / "data"
KNOWLEDGE = Path(__file__).parents[1] / "knowledge" / "data"
# A dictionary or glossary definition of the word is a reference about the material, not the set.
INDEPENDENT = re.compile(r"^(EWC|NACE|NAF|CPA|PRODCOM|CN|EU BREF|EN |EN ISO|Regulation|Directive|Euroslag|EFR|European|Glossary)")


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def synonyms():
    return _rows(MATERIALS / "synonyms.csv")


def _contained(needle, hay) -> bool:
    return f" {' '.join(needle)} " in f" {' '.join(hay)} "


def test_every_synonym_names_its_source(synonyms):
    assert all(r["source"].strip() for r in synonyms)


# The process check set was written (issue 11) with the plain trade words of heavy industry; these
# synonyms, sourced "trade usage", were in the vocabulary before it (commit 1a411cd) and equal some
# of its labels. Any other label of the set copied into the vocabulary needs an independent source.
PROCESS_PREEXISTING = frozenset("""aluminium dross|aluminum dross|animal by-products|bark|biogas|blast furnace gas|bottom ash
|caustic soda|coal tar|copper slag|dairy sludge|demineralised water|fermentation co2|food processing wastewater
|hydrogen peroxide|nitrogen|oxygen|petroleum coke|spent yeast|sugar factory lime|sulfur|sulphur|treated wastewater
|vinasse|vinasses|wood ash""".replace("\n", "").split("|"))


def test_no_label_of_the_process_check_set_is_copied_without_an_independent_source(synonyms):
    labels = {tokens(r["waste_description"]) for r in read_rows(PROCESS_CSV) if r["waste_description"].strip()}
    copied = [r for r in synonyms if tokens(r["synonym"]) in labels and not INDEPENDENT.match(r["source"])]
    assert [r["synonym"] for r in copied if r["synonym"].lower() not in PROCESS_PREEXISTING] == []


# The same for the heavy-industry check set (commit 0aea71f): these plain trade words were synonyms,
# sourced "trade usage", before it was written.
HEAVY_PREEXISTING = frozenset("""ammonia|ammonium sulphate|blast furnace gas|carbon dioxide|caustic soda|coke oven gas
|demineralised water|nitrogen|oxygen|reclaimed water|residual heat|solid recovered fuel""".replace("\n", "").split("|"))


def test_no_label_of_the_heavy_check_set_is_copied_without_an_independent_source(synonyms):
    labels = {tokens(r["waste_description"]) for r in read_rows(HEAVY_CSV) if r["waste_description"].strip()}
    copied = [r for r in synonyms if tokens(r["synonym"]) in labels and not INDEPENDENT.match(r["source"])]
    assert [r["synonym"] for r in copied if r["synonym"].lower() not in HEAVY_PREEXISTING] == []


# The same for the coded-sites check set (commit cec4bb5): these plain trade words were synonyms,
# sourced "trade usage", before it was written; no synonym was added in its round.
CODES_PREEXISTING = frozenset("""bark|biogas|blast furnace gas|carbon dioxide|ferrous sulfate|ferrous sulphate
|heavy fuel oil|hot water|incineration bottom ash|nitrogen|oxygen|printed circuit boards|refuse derived fuel
|residual heat|sugar syrup|sugar syrups|surplus heat|waste solvents""".replace("\n", "").split("|"))


def test_no_label_of_the_codes_check_set_is_copied_without_an_independent_source(synonyms):
    labels = {tokens(r["waste_description"]) for r in read_rows(CODES_CSV) if r["waste_description"].strip()}
    copied = [r for r in synonyms if tokens(r["synonym"]) in labels and not INDEPENDENT.match(r["source"])]
    assert [r["synonym"] for r in copied if r["synonym"].lower() not in CODES_PREEXISTING] == []


# The same for the fresh check set (commit ecc77bc): these plain trade words were synonyms, sourced
# "trade usage", before it was written; its round added only synonyms with a CN source.
FRESH_PREEXISTING = frozenset("""bark|biomethane|biométhane|blast furnace gas|coke|compost|composts|filter cake
|planer shavings|printed circuit boards|recycled water|vinasse|vinasses""".replace("\n", "").split("|"))


def test_no_label_of_the_fresh_check_set_is_copied_without_an_independent_source(synonyms):
    labels = {tokens(r["waste_description"]) for r in read_rows(FRESH_CSV) if r["waste_description"].strip()}
    copied = [r for r in synonyms if tokens(r["synonym"]) in labels and not INDEPENDENT.match(r["source"])]
    assert [r["synonym"] for r in copied if r["synonym"].lower() not in FRESH_PREEXISTING] == []


# The same for the second fresh check set (commit 19c568e4): these trade words (and German words cited from German
# law) were synonyms before it was written.
FRESH2_PREEXISTING = frozenset("""salzschlacke|grape marc|wine lees|whey permeate|animal fat|digester gas|surplus heat
|excess heat|residual heat|vapeur|vapeur d'eau|vapeur haute pression|captured co2|bioéthanol|bioethanol|prozessdampf
|abwärme|industrielle abwärme|klärschlamm|elektroofenstaub|hackschnitzel""".replace("\n", "").split("|"))


# The same for the third fresh check set (commit 8a8c0f74): synonyms before it was written.
FRESH3_PREEXISTING = frozenset("""captured co2|carbon dioxide|dampf|drêches de brasserie|excess heat|gichtgas|hot water
|lactosérum|poultry litter|prozessdampf|recycled water|strom|treated effluent|treated wastewater|vapeur""".replace(
    "\n", "").split("|"))


# The same for the fourth fresh check set (commit 5a0c677e): synonyms before it was written.
FRESH4_PREEXISTING = frozenset("""biogas|blast furnace gas|copeaux|filter cake|gichtgas|prozessdampf|vapeur|vinasse
|vinasses""".replace("\n", "").split("|"))


# The same for the fifth fresh check set (commit 6be79c43): synonyms before it was written.
FRESH5_PREEXISTING = frozenset("""abwasser|acide phosphorique|acide sulfurique|ammonia|copper slag|dampf|électricité|oxygen
|vapeur basse pression|vapeur haute pression""".replace("\n", "").split("|"))


@pytest.mark.parametrize("path,preexisting", [(FRESH2_CSV, FRESH2_PREEXISTING), (FRESH3_CSV, FRESH3_PREEXISTING),
                                              (FRESH4_CSV, FRESH4_PREEXISTING), (FRESH5_CSV, FRESH5_PREEXISTING)],
                         ids=["fresh2", "fresh3", "fresh4", "fresh5"])
def test_no_label_of_a_later_fresh_check_set_is_copied_without_an_independent_source(synonyms, path, preexisting):
    labels = {tokens(r["waste_description"]) for r in read_rows(path) if r["waste_description"].strip()}
    copied = [r for r in synonyms if tokens(r["synonym"]) in labels and not INDEPENDENT.match(r["source"])]
    assert [r["synonym"] for r in copied if r["synonym"].lower() not in preexisting] == []


@pytest.mark.parametrize("path", [MAESTRI_CSV, LITERATURE_CSV], ids=["maestri", "literature"])
def test_no_evaluation_label_is_copied_without_an_independent_source(synonyms, path):
    labels = {tokens(r["waste_description"]) for r in read_rows(path) if r["waste_description"].strip()}
    copied = [r for r in synonyms if tokens(r["synonym"]) in labels]
    unsourced = [(r["key"], r["synonym"], r["source"]) for r in copied if not INDEPENDENT.match(r["source"])]
    assert unsourced == []


def test_a_cited_ewc_or_nace_entry_really_holds_the_words(synonyms):
    ewc = {}
    for r in _rows(MATERIALS / "ewc_to_class.csv"):
        c = r["code6"]
        ewc[f"{c[:2]} {c[2:4]} {c[4:]}"] = tokens(r["description_en"]) + ("|",) + tokens(r["description_fr"])
    nace = {r["code"]: tokens(" ".join((r["title"], r["includes"], r["also_includes"])))
            for r in _rows(KNOWLEDGE / "nace_rev2_notes.csv")}
    checked = 0
    for r in synonyms:
        m = re.match(r"^EWC (\d{2} \d{2} \d{2})\b", r["source"])
        if m:
            assert _contained(tokens(r["synonym"]), ewc[m.group(1)]), r
            checked += 1
        m = re.match(r"^NACE (\d{2}(?:\.\d{1,2})?)\b", r["source"])
        if m and m.group(1) in nace:
            assert _contained(tokens(r["synonym"]), nace[m.group(1)]), r
            checked += 1
    assert checked >= 20


def test_strict_leave_one_case_out_judges_a_case_without_synonyms_equal_to_its_labels():
    from boucle.materials.classify import classify_label
    from boucle.materials.index import synonyms_left_out
    from boucle.matching.evaluate import evaluate_maestri

    assert classify_label("newspapers")[0].method == "exact_synonym"
    with synonyms_left_out(["Newspapers"]):
        assert all(m.method != "exact_synonym" for m in classify_label("newspapers"))
    assert classify_label("newspapers")[0].method == "exact_synonym"
    report = evaluate_maestri(cases=["9", "11", "43"], strict_vocabulary=True)
    strict = report["leave_one_case_out_strict_vocabulary"]
    assert strict["truth_pairs"] == report["leave_one_case_out"]["truth_pairs"] and 0 <= strict["f1"] <= 1


@pytest.mark.parametrize("path", [MAESTRI_CSV, LITERATURE_CSV, PROCESS_CSV, HEAVY_CSV, CODES_CSV, FRESH_CSV,
                                  FRESH2_CSV, FRESH3_CSV, FRESH4_CSV, FRESH5_CSV],
                         ids=["maestri", "literature", "process", "heavy", "codes", "fresh", "fresh2", "fresh3",
                              "fresh4", "fresh5"])
def test_no_company_name_of_an_evaluation_set_is_a_sector_phrase(path):
    """A site's name is read for sector words only: a company name of an evaluation set (with its
    place name) never becomes a phrase of the activity table."""
    rows = read_rows(path)
    cols = [c for c in ("provider_company", "receiver_company") if c in rows[0]]
    names = {tokens(r[c]) for r in rows for c in cols if r[c].strip()}
    phrases = {tokens(r["phrase"]) for r in _rows(KNOWLEDGE / "activity_phrases.csv")}
    assert names and not [n for n in names if n in phrases and len(n) > 1]
