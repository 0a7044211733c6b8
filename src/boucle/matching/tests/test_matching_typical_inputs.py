"""Heavy-industry sites read only at division level (issue 11): a chemical works known by the
sector word of its name (« … Química », « … Chemie ») takes the feedstocks of the chemical industry's
main chains, a power company (« … Voima », « … Kraft ») burns steelworks process gases, and the
classic co-products of heavy industry say which activity offers them (knowledge/data/typical_inputs.csv,
the ``out`` rows of process_recipes.csv)."""

import csv
import re
from pathlib import Path

from django.utils import translation

from boucle.materials.taxonomy import class_index
from boucle.matching.knowledge.infer import deduce_codes, infer_needs, input_rules, typical_input_rules
from boucle.matching.knowledge.naf import nace_titles
from boucle.matching.pipeline import FlowIn, SiteIn, propose
from boucle.matching.selection import DEFAULT_THRESHOLD
from boucle.matching.wording import explanation_text

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "data"


def _needs(code=None, activity=None, name=None):
    return {n.class_key: n for n in infer_needs(code, activity, name)}


def _got(sites, offers):
    flows = [FlowIn(f"{s}-{i}", s, "offer", label=label) for s, labels in offers.items() for i, label in enumerate(labels)]
    got: dict[str, dict] = {}
    for p in propose(sites, flows):
        got.setdefault(p.offer_flow_id, {})[p.need_site_id] = p
    return got


def test_every_typical_input_row_is_sourced_and_names_a_division_or_group_and_a_class():
    with (DATA / "typical_inputs.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    classes, nace = class_index(), nace_titles()
    assert rows and len({r["rule_id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["class_key"] in classes and r["naf_prefix"] in nace and len(r["naf_prefix"]) < 5, r
        assert 0 < float(r["weight"]) <= 1, r
        assert re.search(r"BREF|NACE|Regulation|Decision", r["source"]), r


def test_a_chemical_works_known_by_its_name_takes_the_feedstocks_of_the_main_chains():
    for name in ("Química del Levante", "Chemie Süd", "Valley Chemicals", "Chimie du Rhône"):
        needs = _needs(name=name)
        # above what the default output shows, read from a name's sector word (certainty 0.81)
        shown = {k for k, n in needs.items() if n.weight > DEFAULT_THRESHOLD}
        assert {"naphtha", "ethylene", "propylene", "aromatics"} <= shown, name
        assert needs["ethylene"].rule_id.startswith("typical:20:") and "LVOC 2017" in needs["ethylene"].source
    # a floor for the division read as such, not a rule of every chemical class: a paint maker does
    # not crack naphtha, and a cracker keeps its own, stronger recipe
    assert "naphtha" not in _needs("20.30")
    assert _needs("20.14")["naphtha"].weight > _needs("20")["naphtha"].weight


def test_a_chemical_works_next_to_a_refinery_gets_its_naphtha_with_the_source_cited():
    sites = [SiteIn("ref", 41.10, 1.20, None, None, name="Refinería del Levante"),
             SiteIn("chem", 41.103, 1.20, None, None, name="Química del Levante"),
             SiteIn("pow", 41.106, 1.20, None, None, name="Central térmica del Levante"),
             SiteIn("office", 41.109, 1.20, None, None, name="Levante business centre")]
    got = _got(sites, {"ref": ["Naphtha", "Propylene"]})
    assert "chem" in got["ref-0"] and "chem" in got["ref-1"]
    assert "office" not in got["ref-0"] and "pow" not in got["ref-0"]
    proposal = got["ref-0"]["chem"]
    assert proposal.explanation["rule_id"] == "typical:20:naphtha"
    with translation.override("fr"):
        text = explanation_text(proposal.explanation)
    assert "BREF LVOC 2017" in text and "charge du vapocraqueur" in text, text


def test_a_known_cracker_still_comes_before_a_chemical_works_of_unknown_class():
    sites = [SiteIn("ref", 41.10, 1.20, None, None, name="Refinería del Levante"),
             SiteIn("crk", 41.103, 1.20, None, "Steam cracker", name="Levante olefins"),
             SiteIn("chem", 41.106, 1.20, None, None, name="Química del Levante")]
    got = _got(sites, {"ref": ["Naphtha"]})
    receivers = got["ref-0"]
    assert "crk" in receivers
    assert "chem" not in receivers or receivers["crk"].plausibility > receivers["chem"].plausibility


def test_a_power_company_known_by_its_name_receives_steelworks_process_gases():
    assert _needs(name="Raahen Voima")["fuel_gas"].weight > 2 * DEFAULT_THRESHOLD
    sites = [SiteIn("steel", 64.68, 24.47, None, None, name="Raahe Steel Works"),
             SiteIn("pow", 64.683, 24.47, None, None, name="Raahen Voima"),
             SiteIn("office", 64.686, 24.47, None, None, name="Raahe business centre")]
    got = _got(sites, {"steel": ["Blast furnace gas", "Coke oven gas"]})
    for offer in ("steel-0", "steel-1"):
        assert "pow" in got[offer] and "office" not in got[offer]
        assert "LCP 2017" in got[offer]["pow"].explanation["source"]


def test_heavy_industry_co_products_point_to_the_activity_that_releases_them():
    fertiliser = {d.code for d in deduce_codes([("fertiliser_mineral", 1.0)])}
    assert fertiliser & {"20.15", "20.14"}
    assert "24.1" in {d.code for d in deduce_codes([("silica_fume", 1.0)])}
    assert "20.12" in {d.code for d in deduce_codes([("ferrous_sulphate", 1.0)])}  # copperas of a TiO2 plant


def test_every_typical_input_grade_and_source_is_said_in_french():
    from boucle.matching.citations import document_names
    from boucle.matching.wording import GRADES_CSV

    with GRADES_CSV.open(encoding="utf-8") as fh:
        worded = {g["grade"] for g in csv.DictReader(fh) if g["label_fr"].strip()}
    assert {r.grade for r in typical_input_rules()} <= worded
    assert all(document_names(r.source, "fr") for r in typical_input_rules())
    # the typical rows name classes that some activity's own rules take (no class only they name)
    assert {r.class_key for r in typical_input_rules()} <= {r.class_key for r in input_rules()}
