"""A site known by a company name only (no code, no activity words, no sector word) is read from
what it declares it releases: blast-furnace slag betrays a steelworks, which takes oxygen from an
air-separation plant nearby; the proposal says so in words. Offers every site makes (steam,
packaging) betray nothing, and a site whose code or words are read is not touched."""

import json

from django.utils import translation

from boucle.matching.knowledge.infer import deduce_codes
from boucle.matching.pipeline import FlowIn, SiteIn, deduced_from_flows, propose, propose_table, why_no_proposal
from boucle.matching.wording import explanation_text

GASES = SiteIn("gases", 51.30, 3.80, naf_code="20.11")


def park(receiver: SiteIn, *offers: tuple[str, str]) -> tuple[list[SiteIn], list[FlowIn]]:
    flows = [FlowIn("o2", "gases", "offer", "oxygen", quantity_t=5000.0)]
    flows += [FlowIn(f"r{i}", receiver.site_id, "offer", label) for i, (label, _) in enumerate(offers)]
    return [GASES, receiver], flows


def oxygen_to(receiver: SiteIn, proposals) -> list:
    return [p for p in proposals if p.offer_flow_id == "o2" and p.need_site_id == receiver.site_id]


def test_a_name_only_site_offering_blast_furnace_slag_receives_oxygen():
    works = SiteIn("works", 51.31, 3.81, name="Nordmetall Ltd")
    sites, flows = park(works, ("blast furnace slag", "out"))
    # without its offer nothing is read: the works is only a receiver of last resort, of unknown activity
    assert all(p.explanation.get("unknown_activity") for p in oxygen_to(works, propose(sites, flows[:1])))
    found = oxygen_to(works, propose(sites, flows))
    assert found and found[0].material_class == "oxygen"
    explanation = found[0].explanation
    assert explanation["deduced_from"] == ["blast_furnace_slag"] and explanation["deduced_activity"] == "24.1"
    # the deduction stays below a reading of words: a site named as a steelworks is surer
    named = SiteIn("works", 51.31, 3.81, name="Steelworks Ltd")
    assert oxygen_to(named, propose(*park(named)))[0].plausibility > found[0].plausibility


def test_the_explanation_says_the_activity_was_deduced_in_french_and_english():
    works = SiteIn("works", 51.31, 3.81, name="Nordmetall Ltd")
    found = oxygen_to(works, propose(*park(works, ("laitier de haut fourneau", "out"))))
    with translation.override("fr"):
        fr = explanation_text(found[0].explanation)
    with translation.override("en"):
        en = explanation_text(found[0].explanation)
    assert "activité déduite de ce que le site déclare : laitier de haut fourneau → sidérurgie" in fr
    assert "deduced from what the site declares" in en and "blast furnace slag" in en.lower()
    assert "blast_furnace_slag" not in fr + en


def test_the_command_line_rows_carry_the_same_deduction():
    works = SiteIn("works", 51.31, 3.81, name="Nordmetall Ltd")
    table = propose_table(*park(works, ("blast furnace slag", "out")))
    rows = [json.loads(line) for line in "".join(table.jsonl_chunks()).splitlines()]
    row = next(r for r in rows if r["offer_flow_id"] == "o2" and r["need_site_id"] == "works")
    assert row["explanation"]["deduced_from"] == ["blast_furnace_slag"]
    assert "→ sidérurgie" in row["explanation"]["text"]


def test_offers_every_site_makes_betray_no_activity():
    assert deduce_codes((("steam", 1.0), ("packaging_mixed", 1.0), ("cardboard", 1.0), ("wood_pallets", 1.0))) == ()
    plain = SiteIn("plain", 51.31, 3.81, name="Nordmetall Ltd")
    sites, flows = park(plain, ("steam", "out"), ("mixed packaging", "out"))
    # no activity is deduced: the site receives only as a site of unknown activity, a last resort
    assert all(p.explanation.get("unknown_activity") and not p.explanation.get("deduced_from")
               for p in propose(sites, flows) if p.need_site_id == "plain")
    # and the flow's page still says why the site receives nothing
    assert "unknown_activity" in why_no_proposal(flows[1], plain)


def test_several_offers_pointing_to_one_activity_strengthen_it():
    alone = deduce_codes((("fly_ash", 0.9),))
    both = deduce_codes((("fly_ash", 0.9), ("fgd_gypsum", 0.9)))
    assert both[0].code == "35.11" and both[0].confidence > alone[0].confidence
    assert both[0].evidence == ("fly_ash", "fgd_gypsum")
    assert len(both) <= 2


def test_a_site_whose_code_or_words_are_read_is_not_affected():
    slag = FlowIn("slag-offer", "any", "offer", "blast furnace slag")
    for described in (SiteIn("any", 51.31, 3.81, naf_code="10.51"), SiteIn("any", 51.31, 3.81, activity="brewery")):
        assert deduced_from_flows(described, [slag]) == ()  # its code or words are read, not its offers
    assert deduced_from_flows(SiteIn("any", 51.31, 3.81, name="Nordmetall Ltd"), [slag])  # a name only is
    dairy = SiteIn("dairy", 51.31, 3.81, naf_code="10.51")
    sites, flows = park(dairy, ("blast furnace slag", "out"))
    assert not [p for p in propose(sites, flows) if p.need_site_id == "dairy" and p.explanation.get("deduced_from")]


def test_the_flow_pages_read_the_trade_from_the_offers_too():
    from boucle.matching.pipeline import why_no_receiver

    works = SiteIn("works", 51.31, 3.81, name="Nordmetall Ltd")
    sites, flows = park(works, ("process steam", "out"), ("blast furnace slag", "out"))
    steam = flows[1]
    assert "unknown_activity" in why_no_proposal(steam, works)  # steam alone betrays no trade
    assert "unknown_activity" not in why_no_proposal(steam, works, flows)  # its slag does
    # the air-separation plant's oxygen: the works around is a receiver once its offers are read
    assert why_no_receiver(flows[0], GASES, [works], flows) == ["not_run_yet"]
    # without them it is a receiver of last resort, whose card says its activity is unknown
    alone = oxygen_to(works, propose(sites, flows[:1]))
    assert alone and alone[0].explanation.get("unknown_activity") and not alone[0].explanation.get("deduced_from")


def test_every_engine_path_sees_the_deduced_activity():
    works = SiteIn("works", 51.31, 3.81, name="Nordmetall Ltd")
    sites, flows = park(works, ("blast furnace slag", "out"))
    for kwargs in ({"top": 3}, {"per_need": 3}, {"threshold": 0.0}, {"exhaustive": True}):
        found = oxygen_to(works, propose(sites, flows, **kwargs))
        assert found and found[0].explanation["deduced_activity"] == "24.1", kwargs
    # two sites named alike but offering different things are read apart
    other = SiteIn("other", 51.32, 3.82, name="Nordmetall Ltd")
    both = propose([GASES, works, other], flows + [FlowIn("w", "other", "offer", "whey")])
    deduced = {p.need_site_id: p.explanation.get("deduced_activity") for p in both if p.explanation.get("deduced_from")}
    assert deduced.get("works") == "24.1" and deduced.get("other") in (None, "10.5")


def test_sludge_from_on_site_effluent_treatment_betrays_no_trade():
    # the List of Waste gives « sludges from on-site effluent treatment » to nearly every process industry: a
    # pulp mill known by a company name that offers it is not taken for a food factory
    assert deduce_codes((("industrial_wwtp_sludge", 1.0),)) == ()
    assert [d.code for d in deduce_codes((("industrial_wwtp_sludge", 0.8), ("paper_sludge", 0.9)))][:1] == ["17"]
