"""Solid recovered fuel (CSR / SRF / RDF, EWC 19 12 10) is waste: only a plant with a waste incineration or
co-incineration permit may burn it (Directive 2010/75/EU chapter IV; in France ICPE rubriques 2971 and 2771),
so it is proposed to cement kilns, incinerators, dedicated SRF boilers and power stations that say they burn
waste, never to a town's boiler house (``knowledge/data/permit_inputs.csv``, expert reading round of
2026-12-07, docs/matching-quality.md)."""

import csv

import pytest

from boucle.matching.knowledge import infer
from boucle.matching.pipeline import FlowIn, SiteIn, propose

TITLE_35_30 = "Production et distribution de vapeur et d'air conditionné"
TITLE_38_21 = "Traitement et élimination des déchets non dangereux"


def _receivers(sites, label="Refus de tri combustibles (CSR)", **flow):
    """Who is offered ``label`` from a sorting centre; sites ~100 m apart: (site_id, code, activity, name)."""
    park = [SiteIn("sorting", 50.0, 3.0, "38.32Z", "Récupération de déchets triés")]
    park += [SiteIn(sid, 50.0 + (i + 1) * 0.001, 3.0, code, activity, name)
             for i, (sid, code, activity, name) in enumerate(sites)]
    return {p.need_site_id for p in propose(park, [FlowIn("o1", "sorting", "offer", label=label, **flow)])}


def test_an_srf_offer_is_not_proposed_to_a_towns_wood_boiler_house_it_is_proposed_to_a_cement_kiln():
    sites = [("boilers", "35.30Z", TITLE_35_30, "Chaufferie de la ZUP"),
             ("wood", "35.30", "Chaufferie bois du réseau de chaleur", None),
             ("kiln", "23.51Z", "Fabrication de ciment", "Cimenterie")]
    assert _receivers(sites) == {"kiln"}
    assert _receivers(sites, label="Combustible solide de récupération", ewc_code="191210") == {"kiln"}


def test_an_srf_offer_goes_to_a_plant_whose_words_say_it_burns_waste():
    sites = [("csr", "35.30Z", TITLE_35_30, "Chaufferie CSR de la zone industrielle"),
             ("uiom", "38.21Z", TITLE_38_21, "UIOM de la communauté urbaine"),
             ("landfill", "38.21Z", TITLE_38_21, "ISDND de la vallée"),
             ("efw", "35.11", "Waste-to-energy plant", None),
             ("coal", "35.11", "Coal-fired power station", None),
             ("paper", "17.12", "Paper mill", None)]
    got = _receivers(sites)
    assert {"csr", "efw"} <= got
    assert not got & {"landfill", "coal", "paper"}


@pytest.mark.parametrize("code, activity, name, takes", [
    ("23.51Z", "Fabrication de ciment", None, True),
    ("35.30Z", TITLE_35_30, "Chaufferie de la Zup de Lens", False),
    ("35.30Z", TITLE_35_30, "Chaufferie CSR de Lens", True),
    ("35.11", "coal power station", None, False),
    ("35.11", "Production d'électricité à partir de déchets", None, True),
    ("38.21Z", TITLE_38_21, "Plate-forme de compostage", False),
    ("38.21Z", TITLE_38_21, "Centre de valorisation énergétique", True),
    (None, "RDF-fuelled CHP plant", None, True),
    ("17.12", "Paper mill with an SRF boiler", None, True),
    ("17.12", "Paper mill", None, False),
])
def test_who_may_take_srf(code, activity, name, takes):
    needs = {n.class_key for n in infer.infer_needs(code, activity, name)}
    assert ("refuse_derived_fuel" in needs) is takes


def test_an_activity_deduced_from_offers_takes_no_srf():
    # no words, no permit: a site read as a power station from its fly ash is offered no SRF
    deduced = infer.deduce_codes([("fly_ash", 1.0), ("fgd_gypsum", 1.0)])
    assert deduced and "refuse_derived_fuel" not in {n.class_key for n in infer.deduced_needs(deduced)}


def test_every_permit_row_cites_a_source_and_names_a_known_class():
    from boucle.materials.taxonomy import load_classes

    known = {c.key for c in load_classes()}
    with (infer.DATA / "permit_inputs.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for r in rows:
        assert r["class_key"] in known
        assert "2010/75/EU" in r["source"]


def test_an_srf_offer_does_not_reach_a_power_station_through_its_reading_as_sorting_residues():
    # « Refus de tri combustibles (CSR) » is also read as sorting residues (19 12 12): waste too
    sites = [("power", "35.11Z", "Production d'électricité", "Centrale thermique"),
             ("kiln", "23.51Z", "Fabrication de ciment", "Cimenterie")]
    assert _receivers(sites) == {"kiln"}
    needs = {n.class_key for n in infer.infer_needs("38.21Z", TITLE_38_21, "Installation de stockage de déchets")}
    assert "sorting_residues" in needs and "refuse_derived_fuel" not in needs  # a landfill takes residues, burns nothing
