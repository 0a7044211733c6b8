"""Receivers that can really receive, and sites read from what a user gives (code, words, name)."""

from boucle.matching.audit import OfferFacts, SiteFacts, audit
from boucle.matching.knowledge.infer import hazardous_classes_accepted, is_waste_operator, site_codes
from boucle.matching.knowledge.naf import name_to_naf
from boucle.matching.pipeline import FlowIn, SiteIn, classify_flow, not_matchable, propose


def test_non_hazardous_waste_operator_words_never_grant_a_hazardous_authorisation():
    # The demo's 38.21 sites carry the NAF title as activity; its words used to read as 38.22.
    accepted = hazardous_classes_accepted("38.21Z", "Traitement et élimination des déchets non dangereux")
    assert accepted is not None and "spent_solvents" not in accepted
    assert hazardous_classes_accepted(None, "non-hazardous waste landfill") == frozenset()
    assert hazardous_classes_accepted(None, "hazardous waste treatment") is None


def test_a_chemical_works_takes_solvents_and_acids_not_any_hazardous_waste():
    accepted = hazardous_classes_accepted("20.14", None)
    assert {"spent_solvents", "hydrochloric_acid"} <= accepted
    assert "healthcare_waste" not in accepted and "chemical_waste_other" not in accepted


SITES = [SiteIn("solv", 50.0, 3.0, "25.61", "Traitement de surface"),
         SiteIn("landfill", 50.001, 3.0, "38.21", "Traitement et élimination des déchets non dangereux"),
         SiteIn("regen", 50.002, 3.0, "38.22", "Régénération de solvants"),
         SiteIn("sorter", 50.003, 3.0, "38.32", "Récupération de déchets triés"),
         SiteIn("recycler2", 50.004, 3.0, "38.32", "Récupération de déchets triés"),
         SiteIn("plastics", 50.005, 3.0, "22.21", "Fabrication de tubes et profilés en plastique")]


def test_hazardous_offers_go_only_to_sites_able_to_treat_them():
    flows = [FlowIn("o1", "solv", "offer", label="Solvants usés", ewc_code="140603", hazardous=True)]
    takers = {p.need_site_id for p in propose(SITES, flows)}
    assert "landfill" not in takers and "regen" in takers


def test_a_yearly_total_over_several_wastes_is_information_never_matched():
    total = FlowIn("o1", "solv", "offer", label="Déchets dangereux (total déclaré iREP 2017)", hazardous=True)
    assert not_matchable(total) == "total"
    assert propose(SITES, [total], threshold=0.0) == []
    assert not_matchable(FlowIn("o2", "solv", "offer", label="Solvants usés")) is None


def test_an_aggregate_is_a_material_not_a_total():
    # "aggregate" used to read as "aggregated figure": coal ash sold as road aggregate got nothing.
    sites = [SiteIn("power", 18.0, -66.0, None, "Coal-fired power plant"),
             SiteIn("road", 18.003, -66.0, None, "Road construction")]
    for ewc in (None, "100101"):
        ash = FlowIn("o1", "power", "offer", label="Coal ash aggregate", ewc_code=ewc)
        assert not_matchable(ash) is None
        assert [p.need_site_id for p in propose(sites, [ash])] == ["road"]
    assert not_matchable(FlowIn("o2", "power", "offer", label="Aggregated waste figures")) == "total"


def test_sorted_material_goes_to_a_user_not_to_the_next_recycler():
    flows = [FlowIn("o1", "sorter", "offer", label="Plastiques triés PEHD")]
    takers = {p.need_site_id for p in propose(SITES, flows, threshold=0.0)}
    assert "plastics" in takers and "recycler2" not in takers and "landfill" not in takers
    # a recycler that declares the need still gets it
    flows.append(FlowIn("n1", "recycler2", "need", label="PEHD"))
    assert "recycler2" in {p.need_site_id for p in propose(SITES, flows, threshold=0.0)}
    assert is_waste_operator("38.32Z", None) and not is_waste_operator("22.21", None)


def test_a_site_known_only_by_its_name_is_read_from_its_sector_words():
    assert name_to_naf("Cimenterie de Lumbres")[0][0] == "23.51"
    assert name_to_naf("Asnaes Power Station")[0][0] == "35.11"
    assert name_to_naf("Heizkraftwerk Süd")[0][0] == "35.30"
    assert name_to_naf("Stahlwerk Bremen")[0][0] == "24.10"
    assert name_to_naf("Arkema Chimie")[0][0] == "20"
    # a person's or company's name is not a misspelt trade, and words in an activity win
    assert name_to_naf("Couty Clément") == [] and name_to_naf("Novo Nordisk") == []
    assert site_codes(None, "Brewery", "Cimenterie X")[0][0] == "11.05"
    sites = [SiteIn("p", 50.0, 3.0, name="Centrale thermique de Bouchain"),
             SiteIn("c", 50.001, 3.0, name="Cimenterie du Nord")]
    flows = [FlowIn("o1", "p", "offer", label="Fly ash")]
    assert [p.need_site_id for p in propose(sites, flows)] == ["c"]


def test_audit_counts_what_should_never_be_shown():
    rows = [{"offer_flow_id": "1", "offer_site_id": "a", "need_site_id": "b", "material_class": "spent_solvents",
             "unit": "t"},
            {"offer_flow_id": "2", "offer_site_id": "b", "need_site_id": "c", "material_class": "pp", "unit": "t"},
            {"offer_flow_id": "3", "offer_site_id": "a", "need_site_id": "c", "material_class": "steam", "unit": "t"}]
    offers = {"1": OfferFacts(True, "material", "Déchets dangereux (total déclaré)"),
              "2": OfferFacts(False, "material", "Plastiques triés"), "3": OfferFacts(False, "energy", "Vapeur")}
    sites = {"a": SiteFacts("25.61", None), "b": SiteFacts("38.21Z", None), "c": SiteFacts("38.32Z", None)}
    report = audit(rows, offers, sites)
    assert report["hazardous_to_unauthorised_site"] == 1 and report["hazardous_to_non_hazardous_waste_operator"] == 1
    assert report["from_totals"] == 1 and report["recycler_to_recycler"] == 1
    assert report["energy_or_water_in_tonnes"] == 1 and report["max_proposals_per_offer"] == 1


def test_bad_input_gives_no_proposal_and_a_reason_never_an_exception():
    from boucle.matching.pipeline import why_no_proposal

    sites = [SiteIn("a", 50.0, 3.0, "ZZ", "", None), SiteIn("b", 50.001, 3.0, None, "???", "Établissement 12"),
             SiteIn("c", 50.002, 3.0, "99999", "Cement plant")]
    flows = [FlowIn("1", "a", "offer", label=None), FlowIn("2", "a", "offer", label="", ewc_code="999999"),
             FlowIn("3", "b", "offer", label="xq-42 ∅", class_key="no_such_class"),
             FlowIn("4", "b", "need", label="Lot 42 bis"), FlowIn("5", "zz", "offer", label="Fly ash")]
    assert propose(sites, flows) == [] and propose(sites, flows, threshold=0.0) == []
    assert why_no_proposal(flows[0], sites[0]) == ["unknown_material", "unknown_activity"]
    assert why_no_proposal(FlowIn("6", "c", "offer", label="Fly ash"), sites[2]) == []


def test_the_default_material_kind_of_an_import_does_not_hide_an_energy_reading():
    # A file without a kind column imports every flow as "material": that is no declaration, so
    # steelworks gases stay a fuel for the power station (a declared energy or water kind still binds).
    sites = [SiteIn("steel", 64.7, 24.5, None, "Integrated steelworks"),
             SiteIn("power", 64.703, 24.5, None, "Power plant")]
    gases = FlowIn("o1", "steel", "offer", label="Steelworks process gases", kind="material")
    assert [(p.need_site_id, p.material_class) for p in propose(sites, [gases])] == [("power", "fuel_gas")]
    assert {k for k, _ in classify_flow(FlowIn("o2", "steel", "offer", label="Steelworks process gases",
                                                   kind="energy"))} == {"fuel_gas"}


def test_an_incinerators_fly_ash_goes_to_hazardous_waste_treatment_not_into_roads():
    # "Fly ash" of a municipal waste incinerator is flue-gas cleaning residue (List of Waste 19 01 13*),
    # not a power station's coal fly ash (10 01 02); it goes to a hazardous-waste treatment site, a
    # waste operator like the incinerator, since it is a residue of its process, not a resold material.
    sites = [SiteIn("inc", 50.0, 3.0, "38.21", "Municipal waste incinerator"),
             SiteIn("haz", 50.001, 3.0, "38.22", "Hazardous waste treatment"),
             SiteIn("road", 50.002, 3.0, "42.11", "Road construction"),
             SiteIn("power", 50.003, 3.0, "35.11", "Coal-fired power station"),
             SiteIn("sorter", 50.004, 3.0, "38.32", "Récupération de déchets triés")]
    ash = FlowIn("o1", "inc", "offer", label="Fly ash")
    assert classify_flow(ash)[0][0] == "fly_ash"  # the words alone
    assert [p.need_site_id for p in propose(sites, [ash])] == ["haz"]
    coal = FlowIn("o2", "power", "offer", label="Fly ash")
    takers = [p.need_site_id for p in propose(sites, [coal])]
    assert takers[0] == "road"
    # a sorted material of a waste operator still goes to a user of it, not to the next operator
    paper = FlowIn("o3", "inc", "offer", label="Waste paper")
    assert "sorter" not in [p.need_site_id for p in propose(sites, [paper], threshold=0.0)]


def test_silica_and_glass_ceramic_sites_are_read_by_their_process():
    # precipitated silica is made from sodium silicate (EU BREF LVIC-S 2007), whatever else the class does
    sites = [SiteIn("chem", 45.1, 7.6, None, "Sodium silicate furnace"),
             SiteIn("silica", 45.103, 7.6, None, "Precipitated silica plant"),
             SiteIn("plater", 45.106, 7.6, None, "Electroplating")]
    silicate = FlowIn("o2", "chem", "offer", label="Sodium silicate", kind="material")
    assert propose(sites, [silicate])[0].need_site_id == "silica"
    # glass-ceramics are glass (CN chapter 70), not ceramic tiles or sanitaryware
    assert site_codes(None, "Glass and glass-ceramic production")[0][0] == "23.1"
    assert site_codes(None, "Vitrocéramique")[0][0] == "23.1"


def test_a_sugar_platform_chemical_plant_takes_sugar_syrups():
    # bio-based succinic or lactic acid is fermented from glucose or sucrose (E4tech et al. 2015, From the
    # Sugar Platform to biofuels and biochemicals), unlike the crackers and oxidation plants of class 20.14
    sites = [SiteIn("starch", 49.3, 4.1, "10", "Wheat starch and glucose plant"),
             SiteIn("ethanol", 49.303, 4.1, "20", "Bioethanol distillery"),
             SiteIn("acid", 49.306, 4.1, "20", "Lactic acid plant"),
             SiteIn("cracker", 49.309, 4.1, "20", "Steam cracker")]
    syrup = FlowIn("o1", "starch", "offer", label="Glucose syrup", kind="material")
    assert {p.need_site_id for p in propose(sites, [syrup])} == {"ethanol", "acid"}
