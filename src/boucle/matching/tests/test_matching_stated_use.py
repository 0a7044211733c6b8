"""The use a label states (« … used as fertiliser », "… as aggregate", "Lignin pellets (solid
biofuel)") says which receivers the offer is meant for (issue 11): a receiver whose activity makes
that use comes first; another one that could take the material stays a weaker reading of it.
Every engine path (compiled search, full enumeration, tiles, per-need mode) gives the same rows.
"""

import pytest

from boucle.matching.pipeline import STATED_USES, FlowIn, SiteIn, propose, stated_uses


def _park(sites):
    """Sites ~100 m apart: (site_id, NACE code or None, activity words)."""
    return [SiteIn(sid, 45.0 + i * 0.001, 5.0, naf, activity) for i, (sid, naf, activity) in enumerate(sites)]


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
    ("Warm cooling water (sea water)", set()),
    ("Chaleur fatale (fumées et refroidissement)", set()),
    ("Animal feed residues", set()),
    ("Condensate used as boiler feed water", set()),
    ("Waste for recycling", set()),
    ("Fly ash", set()),
])
def test_the_use_is_read_after_as_for_used_or_a_bracket(label, uses):
    assert _uses(label) == uses


def test_a_sludge_said_to_be_a_soil_conditioner_goes_to_the_farm_before_the_cement_kiln():
    park = [("mill", "17.12", "Recycled paper mill"), ("kiln", "23.51", "Cement plant"), ("farm", "01.11", "Arable farm")]
    plain = _ranked(park, "mill", "Paper sludge")
    assert plain[0] == "kiln"  # a kiln burns paper sludge (EU BREF CLM 2013): the reading of the material alone
    used = _ranked(park, "mill", "Paper sludge (soil conditioner)")
    assert used[0] == "farm" and "kiln" not in used[:1]


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
