"""The use a label states (« … used as fertiliser », "… as aggregate", "Lignin pellets (solid
biofuel)") says which receivers the offer is meant for (issue 11): a receiver whose activity makes
that use comes first; another one that could take the material stays a weaker reading of it.
Every engine path (compiled search, full enumeration, tiles, per-need mode) gives the same rows.
"""

from functools import partial

import pytest
from boucle.matching.pipeline import STATED_USES, FlowIn, propose, stated_uses
from boucle.matching.tests.parks import park

_park = partial(park, lat=45.0, lon=5.0)


def _ranked(sites, site_id, label, **kw):
    return [p.need_site_id for p in propose(_park(sites), [FlowIn("o1", site_id, "offer", label=label)], **kw)]


def _uses(label):
    bits = stated_uses(label)
    return {u.name for i, u in enumerate(STATED_USES) if bits >> i & 1}


@pytest.mark.parametrize("label, uses", [
    ("Paper sludge (soil conditioner)", {"land"}),
    ("Bauxite residue (red mud) as soil amendment", {"land"}),
    ("Yeast slurry used as pig feed", {"feed"}),
    ("Lignin pellets (solid biofuel)", {"fuel"}),
    ("Treated wastewater for cooling", {"cooling"}),
    ("Basic oxygen furnace slag as aggregate", {"aggregate"}),
    ("Ash for landfill construction", {"landfill"}),
    ("Boues pour épandage", {"land"}),
    ("Reste für Futtermittel", {"feed"}),
    # the words before the use name the material, not its use
    ("Cooling water (sea water)", set()),
    ("Chaleur fatale (fumées et refroidissement)", set()),
    ("Animal feed residues", set()),
    ("Condensate used as boiler feed water", set()),
    ("Waste for recycling", set()),
    ("Fly ash", set()),
    # a form made for one use states it wherever it stands (EN 197-1 granulated slag, the cement constituent)
    ("Granulated blast furnace slag", {"binder"}),
    ("GGBS", {"binder"}),
    ("Laitier granulé de haut fourneau", {"binder"}),
    ("Blast furnace slag", set()),
    ("Steel slag", set()),
    # warm cooling water is offered for the uses of water at 25-35 °C wherever the label says so (precision2)
    ("Warm cooling water (sea water)", {"warm_return"}),
])
def test_the_use_is_read_after_as_for_used_or_a_bracket(label, uses):
    assert _uses(label) == uses


def test_a_sludge_said_to_be_a_soil_conditioner_goes_to_the_farm_before_the_cement_kiln():
    park = [("mill", "17.12", "Recycled paper mill"), ("kiln", "23.51", "Cement plant"), ("farm", "01.11", "Arable farm")]
    plain = _ranked(park, "mill", "Paper sludge")
    assert plain[0] == "kiln"  # a kiln burns paper sludge (EU BREF CLM 2013): the reading of the material alone
    used = _ranked(park, "mill", "Paper sludge (soil conditioner)")
    assert used[0] == "farm" and "kiln" not in used[:1]


def test_granulated_slag_goes_to_the_cement_works_and_not_to_the_road_builder():
    park = [("steel", "24.10", "Integrated steelworks"), ("kiln", "23.51", "Cement works"),
            ("road", "42.11", "Road construction")]
    assert set(_ranked(park, "steel", "Blast furnace slag")) == {"kiln", "road"}  # air-cooled slag is an aggregate
    assert _ranked(park, "steel", "Granulated blast furnace slag") == ["kiln"]


def test_a_slag_said_to_be_an_aggregate_goes_to_road_and_concrete_not_to_the_kiln():
    park = [("steel", "24.10", "Integrated steelworks"), ("kiln", "23.51", "Cement plant"),
            ("road", "42.11", "Road construction"), ("concrete", "23.63", "Ready-mixed concrete")]
    receivers = _ranked(park, "steel", "Basic oxygen furnace slag as aggregate")
    assert receivers and "kiln" not in receivers and set(receivers) <= {"road", "concrete"}


def test_every_engine_path_gives_the_same_rows_with_a_stated_use():
    sites = _park([("mill", "17.12", "Recycled paper mill"), ("kiln", "23.51", "Cement plant"),
                   ("farm", "01.11", "Arable farm"), ("pigs", "01.46", "Pig farm"), ("ad", "38.21", "Biogas plant"),
                   ("steel", "24.10", "Integrated steelworks"), ("road", "42.11", "Road construction")])
    flows = [FlowIn("o1", "mill", "offer", label="Paper sludge (soil conditioner)"),
             FlowIn("o2", "steel", "offer", label="Steel slag as aggregate"),
             FlowIn("o3", "mill", "offer", label="Paper sludge"),
             FlowIn("n1", "kiln", "need", label="Alternative fuels")]
    one = propose(sites, flows)
    assert one == propose(sites, flows, exhaustive=True)
    assert one == propose(sites, flows, workers=0)
    rows = lambda ps: [(p.offer_flow_id, p.need_site_id, p.plausibility) for p in ps]  # noqa: E731
    assert rows(propose(sites, flows, per_need=2)) == rows(propose(sites, flows, per_need=2, exhaustive=True))


SAID = {"fr": ("Usage prévu : l'offre précise son usage (épandage ou amendement des sols) et le site receveur en fait",
               "Usage prévu : l'offre précise un usage (épandage ou amendement des sols) que le site receveur ne fait "
               "pas : proposition moins probable",
               "Source de l'usage : règlement (UE) 2019/1009 ; directive 86/278/CEE"),
        "en": ("Stated use: the offer states its use (spreading on land or soil improvement) and the receiving site "
               "makes it",
               "Stated use: the offer states a use (spreading on land or soil improvement) that the receiving site "
               "does not make: a less likely proposal",
               "Source of the use: Regulation (EU) 2019/1009; Directive 86/278/EEC")}


def _lines(sites, flows, threshold=None):
    import json

    from boucle.matching.pipeline import propose_table

    table = propose_table(_park(sites), flows, threshold=threshold)
    return table, ["".join(table.jsonl_chunks()).splitlines(), [json.loads(x) for x in "".join(
        table.jsonl_chunks()).splitlines()]]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_explanation_says_in_words_whether_the_receiver_makes_the_stated_use(lang):
    """The farm makes the use the label states, the kiln does not: each proposal says so with the use's
    documents, the same words on the command line (jsonl), in ``boucle match``'s table and on the
    proposal's card; a site that declared its need, and an offer stating no use, say nothing of it."""
    import json

    from boucle.matching.commands import _row
    from boucle.matching.wording import explanation_text
    from boucle.web.words import explanation_sentences
    from django.utils import translation

    made, other, source = SAID[lang]
    heading = made.split(":")[0]
    park = [("mill", "17.12", "Recycled paper mill"), ("kiln", "23.51", "Cement plant"),
            ("farm", "01.11", "Arable farm")]
    flows = [FlowIn("o1", "mill", "offer", label="Paper sludge (soil conditioner)"),
             FlowIn("o2", "mill", "offer", label="Paper sludge")]
    encode = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False).encode
    with translation.override(lang):
        # every candidate: since the precision round a kiln keeps a quarter of its plausibility for a land use
        # (pipeline.STATED_LAND_USE_OTHER) and is no longer in the default output; its words are what is tested
        table, (raw, rows) = _lines(park, flows, threshold=0.0)
        proposals = table.proposals()
        assert raw == [encode(_row(p)) for p in proposals]  # the jsonl written from columns says the same
        text = {(r["offer_flow_id"], r["need_site_id"]): r["explanation"]["text"] for r in rows}
        assert made in text["o1", "farm"] and source in text["o1", "farm"] and other not in text["o1", "farm"]
        assert other in text["o1", "kiln"] and source in text["o1", "kiln"]
        assert [t for (offer, _), t in text.items() if offer == "o2"]
        assert not [t for (offer, _), t in text.items() if offer == "o2" and heading in t]  # no use stated
        # a site that declared its need said what it takes: the stated use is not held against it
        declared = _lines([("mill", "17.12", "Recycled paper mill"), ("works", "24.10", "Integrated steelworks")],
                          [flows[0], FlowIn("n1", "works", "need", label="Paper sludge")])[1][1]
        assert [r["need_flow_id"] for r in declared] == ["n1"] and heading not in declared[0]["explanation"]["text"]
        for p in proposals:
            worded = explanation_text(p.explanation, distance_km=round(p.distance_km, 3), quantity=p.quantity,
                                      unit=p.unit)
            assert worded == text[p.offer_flow_id, p.need_site_id]
            # the card, from the stored explanation (without its text): the same parts, as sentences
            card = " ".join(explanation_sentences({k: v for k, v in p.explanation.items() if k != "text"}))
            for part in (made, other, source):
                assert (part in card) == (part in worded), (part, card)


def test_a_hidden_receiver_is_told_the_use_but_not_the_documents_that_would_name_its_activity():
    from boucle.web.words import explanation_sentences
    from django.utils import translation

    sites = [("mill", "17.12", "Recycled paper mill"), ("farm", "01.11", "Arable farm")]
    with translation.override("fr"):
        p = next(p for p in propose(_park(sites), [FlowIn("o1", "mill", "offer", label="Boues de papeterie pour épandage")])
                 if p.need_site_id == "farm")
        card = " ".join(explanation_sentences(p.explanation, receiver_hidden=True))
    assert SAID["fr"][0] in card and "Source de l'usage" not in card and "NAF" not in card


def test_every_stated_use_is_worded_and_its_documents_named_in_both_languages():
    from boucle.matching.citations import document_names
    from boucle.matching.wording import use_label
    from django.utils import translation

    for use in STATED_USES:
        for lang in ("fr", "en"):
            with translation.override(lang):
                assert use_label(use.name), use.name
            assert document_names(use.source, lang), use.name  # its documents, in the reader's words
    assert document_names(next(u for u in STATED_USES if u.name == "cooling").source, "fr")[0] == "BREF ICS 2001 (systèmes de refroidissement industriels)"
    with translation.override("en"):
        assert use_label("land") == "spreading on land or soil improvement"


def test_a_boiler_that_declares_recovered_wood_is_offered_wood_not_ash():
    """« Bois de récupération (chaufferie biomasse) »: the bracket says where the wood goes; the ash of a
    biomass boiler (« cendres de chaufferie biomasse ») shares its words, not its material."""
    sites = [("plant", None, "Centrale biomasse"), ("joinery", None, "Menuiserie"),
             ("heating", None, "Réseau de chaleur")]
    flows = [FlowIn("ash", "plant", "offer", label="Cendres de biomasse"),
             FlowIn("pallets", "joinery", "offer", label="Palettes bois"),
             FlowIn("need", "heating", "need", label="Bois de récupération (chaufferie biomasse)")]
    to_need = {p.offer_label for p in propose(_park(sites), flows) if p.need_flow_id == "need"}
    assert "Palettes bois" in to_need and "Cendres de biomasse" not in to_need
