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


# --------------------------------------------------------------------------- what each kind of 38.21 site receives
# NACE 38.21 holds landfills, incinerators, composting and digestion plants and sorting centres; a site's activity
# words or name say which it is (``process_scopes.csv``, rows of 38.21, read in names too); a bare 38.21 is offered
# no liquid (it may be a landfill: Directive 1999/31/EC art. 5(3)(a)).


def _kind_needs(name, activity=TITLE_38_21, code="38.21Z"):
    return {n.class_key for n in infer.infer_needs(code, activity, name)}


def test_a_landfill_is_never_proposed_whey_a_digester_is():
    park = [SiteIn("dairy", 50.0, 3.0, "10.51Z", "Fabrication de fromages"),
            SiteIn("isdnd", 50.01, 3.0, "38.21Z", TITLE_38_21, "ISDND de la vallée"),
            SiteIn("bare", 50.012, 3.0, "38.21Z", TITLE_38_21, "SYVALOR"),
            SiteIn("compost", 50.014, 3.0, "38.21Z", TITLE_38_21, "Plate-forme de compostage"),
            SiteIn("digester", 50.1, 3.0, "38.21Z", TITLE_38_21, "Unité de méthanisation du Bocage")]
    for label in ("Lactosérum", "Whey", "Lactosérum et produits déclassés"):
        got = {p.need_site_id for p in propose(park, [FlowIn("w", "dairy", "offer", label=label)])}
        assert "digester" in got, label
        assert not got & {"isdnd", "bare", "compost"}, label


@pytest.mark.parametrize("name, activity", [
    ("ISDND de la vallée", TITLE_38_21), ("CSDU du Nord", TITLE_38_21), ("Centre d'enfouissement technique", TITLE_38_21),
    ("Installation de stockage de déchets de Lens", TITLE_38_21), ("Deponie Nord", TITLE_38_21),
    ("Discarica di Roma", TITLE_38_21), (None, "Landfill"), (None, "Sanitary landfill site"),
])
def test_a_landfill_takes_residual_and_mineral_waste_no_organics_recyclables_or_liquids(name, activity):
    needs = _kind_needs(name, activity)
    assert {"municipal_mixed_waste", "sorting_residues", "soil_stones"} <= needs
    assert not needs & {"whey", "food_waste", "green_waste", "food_industry_residues", "sewage_sludge", "cardboard",
                        "paper", "mixed_plastics", "packaging_mixed", "caustic_soda", "lime"}


def test_an_inert_waste_landfill_takes_inert_waste_only():
    assert _kind_needs("ISDI de la carrière") == {"inert_mixed", "soil_stones", "concrete_rubble"}


@pytest.mark.parametrize("name", ["UIOM de la communauté urbaine", "UVE de Lille", "Centre de valorisation énergétique",
                                  "Müllverbrennungsanlage Köln", "Termovalorizzatore di Brescia"])
def test_an_incinerator_takes_residual_waste_sludge_and_flue_gas_reagents_not_separately_collected_waste(name):
    needs = _kind_needs(name)
    assert {"municipal_mixed_waste", "refuse_derived_fuel", "sewage_sludge", "lime", "activated_carbon"} <= needs
    assert not needs & {"food_waste", "green_waste", "whey", "cardboard", "paper", "mixed_plastics", "soil_stones",
                        "bottom_ash", "inert_mixed"}


def test_a_sorting_centre_and_a_composting_platform_take_what_they_sort_or_compost():
    tri = _kind_needs("Centre de tri des déchets d'activités économiques")
    assert {"cardboard", "packaging_mixed", "mixed_industrial_waste"} <= tri
    assert not tri & {"sewage_sludge", "food_waste", "soil_stones", "sorting_residues", "whey"}
    compost = _kind_needs("Plate-forme de compostage")
    assert {"green_waste", "food_waste", "sewage_sludge"} <= compost
    assert not compost & {"whey", "wood_treated", "screenings_grit", "municipal_mixed_waste"}


def test_a_site_of_two_kinds_keeps_what_each_takes():
    both = _kind_needs("ISDND et plate-forme de compostage")
    assert {"green_waste", "municipal_mixed_waste", "soil_stones"} <= both
    assert "whey" not in both


def test_a_bare_38_21_keeps_its_rules_but_takes_no_liquid():
    from boucle.materials.taxonomy import load_classes
    from boucle.matching.pipeline import compatibility, _classes

    liquid = {c.key for c in load_classes() if c.physical_state == "liquid"}
    bare = _kind_needs("SYVALOR")
    assert {"food_waste", "municipal_mixed_waste", "soil_stones", "green_waste"} <= bare
    assert not bare & liquid
    # nor through a material a liquid stands in for (whey for dairy residues, vinasse for spent grain)
    keys, _ = _classes()
    comp = compatibility()
    for name in ("SYVALOR", "ISDND de la vallée", "ISDI", "Plate-forme de compostage"):
        needs = _kind_needs(name)
        assert not [(keys[o], keys[n]) for o, n in zip(comp.offer_cls.tolist(), comp.need_cls.tolist())
                    if keys[n] in needs and keys[o] in liquid], name
