"""Hazardous waste goes only to sites able to treat it, and every material that may be hazardous has somewhere
authorised to go (issue 11, "receivers that can really receive").

A site receives a hazardous offer when its activity takes the class in (knowledge/data/activity_inputs.csv,
process_recipes.csv, or hazardous_intake.csv for what a hazardous-waste operator takes only as hazardous waste)
and its activity may receive that class (hazardous_receivers.csv). Both tables are needed: a class no authorised
activity takes in is never proposed, and a hazardous offer is left with nothing."""

import pytest

from boucle.materials.taxonomy import hazardous_classes, load_classes
from boucle.matching.knowledge.infer import hazardous_rules, input_rules
from boucle.matching.pipeline import FlowIn, SiteIn, _hazardous_stand_ins, compatibility, _classes, propose

SHARED_KINDS = frozenset({"equipment", "service"})


def _authorised(prefix: str, key: str, rules) -> bool:
    """Whether some site whose code a rule of ``prefix`` covers may receive ``key`` as hazardous (an authorisation
    of a broader or narrower code: a group's rule applies to its classes)."""
    return any((prefix.startswith(p) or p.startswith(prefix)) and (keys is None or key in keys)
               for p, keys, _s in rules)


def _hazardous_receivers(inputs=None, authorisations=None) -> dict[str, set[str]]:
    """Class that may be hazardous -> NACE prefixes that take it in and may receive it, directly or as a class it
    stands in for (then the site must be authorised for the class that arrives, not only the one it needs)."""
    inputs = input_rules() if inputs is None else inputs
    authorisations = hazardous_rules() if authorisations is None else authorisations
    keys, _ = _classes()
    takes: dict[str, set[str]] = {}
    for rule in inputs:
        takes.setdefault(rule.class_key, set()).add(rule.naf_prefix)
    comp = compatibility()
    out: dict[str, set[str]] = {}
    for oc, nc in zip(comp.offer_cls.tolist(), comp.need_cls.tolist()):
        offered, needed = keys[oc], keys[nc]
        for prefix in takes.get(needed, ()):
            if _authorised(prefix, offered, authorisations) and _authorised(prefix, needed, authorisations):
                out.setdefault(offered, set()).add(prefix)
    return out


def _may_be_hazardous():
    always = hazardous_classes()
    return [c.key for c in load_classes()
            if (c.hazardous_possible or c.key in always) and c.kind not in SHARED_KINDS]


def test_every_class_that_may_be_hazardous_has_an_authorised_receiving_activity():
    receivers = _hazardous_receivers()
    assert [k for k in _may_be_hazardous() if not receivers.get(k)] == []


def test_the_check_notices_a_class_losing_its_last_authorised_receiver():
    # without the hazardous-waste treater's intake of tar-bound asphalt, a hazardous asphalt offer has nowhere
    # to go (the road builders that take reclaimed asphalt may not receive hazardous waste)
    kept = [r for r in input_rules() if not (r.naf_prefix == "38.22" and r.class_key == "reclaimed_asphalt")]
    receivers = _hazardous_receivers(kept)
    assert not receivers.get("reclaimed_asphalt")
    assert receivers.get("asbestos_waste") == {"38.22"}


def test_a_stand_in_hazardous_waste_is_known_for_the_product_it_replaces():
    assert "spent_pickling_acid" in _hazardous_stand_ins()["hydrochloric_acid"]
    assert "waste_oil" in _hazardous_stand_ins()["virgin_base_oil"]


def _site(site_id, naf, north_km, activity=""):
    return SiteIn(site_id, 50.0 + north_km / 111.2, 3.0, naf, activity)


@pytest.mark.parametrize("label, ewc, giver, authorised, never", [
    # coal-tar asphalt (17 03 01*): the hazardous-waste treater, never the road builder that recycles asphalt
    ("Fraisats d'enrobés goudronneux", "170301", "42.11", {"38.22"}, {"42.11", "38.21", "23.99"}),
    # washing liquids of a cosmetics plant (07 06 01*): physico-chemical treatment, not the sewage works
    ("Eaux de lavage et boues de production", "070601", "20.42", {"38.22"}, {"37.00", "38.21"}),
    # insulation with dangerous substances (17 06 03*): not the insulation maker nor a non-hazardous landfill
    ("Laine minérale contaminée", "170603", "43.29", {"38.22"}, {"23.99", "38.21", "38.32"}),
    # contaminated metal waste (17 04 09*): decontaminated first, or a secondary non-ferrous smelter
    ("Déchets métalliques contaminés", "170409", "43.11", {"38.22"}, {"46.77", "38.32", "24.10"}),
    # spent pickling acid: an acid regenerator or a treater, never a plating shop that buys hydrochloric acid
    ("Acide de décapage usé", "110105", "24.10", {"38.22", "20.13"}, {"25.61", "38.21"}),
])
def test_a_hazardous_offer_reaches_an_authorised_treater_nearby_and_never_a_site_that_cannot_take_it(
        label, ewc, giver, authorised, never):
    codes = sorted(authorised | never)
    sites = [_site("giver", giver, 0.0)] + [_site(f"s{i}", c, 1.0 + i) for i, c in enumerate(codes)]
    naf = {s.site_id: s.naf_code for s in sites}
    flow = FlowIn("o", "giver", "offer", label=label, ewc_code=ewc, hazardous=True)
    got = {naf[p.need_site_id] for p in propose(sites, [flow], threshold=0.0)}
    assert got & authorised and not got & never, got
    shown = {naf[p.need_site_id] for p in propose(sites, [flow])}
    assert shown and shown <= authorised, shown


def test_the_same_material_not_hazardous_goes_to_its_users_never_to_the_hazardous_waste_treater():
    # ordinary reclaimed asphalt (17 03 02) is a road builder's raw material; the treater's intake is for the
    # hazardous kind only
    sites = [_site("giver", "42.11", 0.0), _site("treater", "38.22", 0.5), _site("road", "42.11", 1.0)]
    plain = FlowIn("o", "giver", "offer", label="Fraisats d'enrobés", ewc_code="170302")
    got = {p.need_site_id for p in propose(sites, [plain], threshold=0.0)}
    assert "road" in got and "treater" not in got


@pytest.mark.parametrize("label, giver, receiver", [
    # a hazardous product surplus goes to its users: chlorine to a PVC maker, lead scrap to a secondary smelter
    ("Chlore liquide", "20.13", "20.16"),
    ("Plomb de récupération", "43.22", "24.43"),
])
def test_hazardous_products_and_scrap_reach_the_activity_that_uses_them(label, giver, receiver):
    sites = [_site("giver", giver, 0.0), _site("user", receiver, 1.0), _site("food", "10.51", 0.5)]
    flow = FlowIn("o", "giver", "offer", label=label, hazardous=True)
    assert [p.need_site_id for p in propose(sites, [flow])] == ["user"]


def test_the_flow_page_says_why_when_no_authorised_receiver_is_around():
    from boucle.matching.pipeline import why_no_receiver

    works = _site("works", "42.11", 0.0)
    asphalt = FlowIn("o", "works", "offer", label="Fraisats d'enrobés goudronneux", ewc_code="170301", hazardous=True)
    around = [_site("road", "42.11", 0.5), _site("landfill", "38.21", 1.0)]
    assert why_no_receiver(asphalt, works, around) == ["hazardous_no_receiver"]
    # a hazardous-waste treater nearby takes it: the next run proposes it
    assert why_no_receiver(asphalt, works, [*around, _site("treater", "38.22", 2.0)]) == ["not_run_yet"]
