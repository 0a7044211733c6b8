"""A List-of-Waste code that agrees with a label's words rules out the other entries of its sub-chapter.

An expert reading the demo found lithium-ion batteries proposed to two secondary lead smelters because
their declared need « Batteries au plomb usagées » (16 06 01) was also read as « other batteries »
(16 06 05), the entry a lithium-ion battery falls under. One code per waste (Decision 2000/532/EC):
the lead smelter asked for lead batteries, nothing else of sub-chapter 16 06."""

from boucle.matching.pipeline import FlowIn, SiteIn, classify_flow, propose

KM = 1 / 111.2


def _sites():
    return [SiteIn("collector", 50.0, 3.0, "38.11", ""), SiteIn("smelter", 50.0 + 18 * KM, 3.0, "24.43", "")]


def _lead_need(ewc_code):
    return FlowIn("n", "smelter", "need", label="Batteries au plomb usagées", ewc_code=ewc_code)


def test_a_lithium_ion_battery_is_not_proposed_to_a_lead_smelter_asking_for_lead_batteries():
    offer = FlowIn("o", "collector", "offer", label="batterie lithium-ion")
    assert [p for p in propose(_sites(), [offer, _lead_need("160601")]) if p.need_flow_id == "n"] == []
    lead = FlowIn("o2", "collector", "offer", label="Batteries plomb-acide de démarrage")
    assert [p.need_flow_id for p in propose(_sites(), [lead, _lead_need("160601")])] == ["n"]


def test_only_a_code_that_agrees_with_the_words_prunes_their_readings():
    assert [k for k, _c in classify_flow(_lead_need("160601"))][0] == "batteries_lead_acid"
    assert "batteries_other" not in dict(classify_flow(_lead_need("160601")))
    # without a code the words keep their alternative readings (the engine hedges, as before)
    assert "batteries_other" in dict(classify_flow(_lead_need(None)))
    # 10 02 02 is the entry of unprocessed slags of both kinds: « Blast furnace slag » stays blast-furnace slag
    slag = FlowIn("s", "smelter", "offer", label="Blast furnace slag", ewc_code="100202")
    assert [k for k, _c in classify_flow(slag)] == ["blast_furnace_slag"]
