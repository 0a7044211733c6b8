"""An electricity surplus is proposed to at most two consumers (selection.CLASS_CAPS: a direct line
to a consumer, Directive (EU) 2019/944 art. 7; more consumers on one line is a distribution system),
the two that use the most power; other offers keep three. One rule, read the same way by every
engine path: the bounded search, the full enumeration, the tiled run and `boucle evaluate`."""

from boucle.matching.evaluate import Case, shown, score_case
from boucle.matching.pipeline import FlowIn, SiteIn, propose
from boucle.matching.selection import DEFAULT_THRESHOLD, MAX_RECEIVERS_PER_OFFER, class_cap


def _north(i: int) -> float:
    return 50.0 + i * 0.002  # sites ~200 m apart: one park


PARK = [SiteIn("chp", _north(0), 3.0, "35.11", "Biomass power station"),
        SiteIn("alu", _north(1), 3.0, "24.42", "Aluminium smelter"),
        SiteIn("chlor", _north(2), 3.0, "20.13", "Chlor-alkali electrolysis"),
        SiteIn("eaf", _north(3), 3.0, "24.10", "Electric arc furnace steelworks"),
        SiteIn("paper", _north(4), 3.0, "17.12", "Paper mill"),
        SiteIn("pvc", _north(5), 3.0, "20.16", "PVC production"),
        SiteIn("cement", _north(6), 3.0, "23.51", "Cement plant"),
        SiteIn("panels", _north(7), 3.0, "16.21", "Particle board plant")]


def _receivers(label: str, sites=PARK, offerer="chp") -> list[str]:
    return [p.need_site_id for p in propose(sites, [FlowIn("o", offerer, "offer", label=label)])]


def test_an_electricity_surplus_goes_to_the_two_largest_power_users():
    every = propose(PARK, [FlowIn("o", "chp", "offer", label="Électricité excédentaire")], threshold=DEFAULT_THRESHOLD)
    assert len(every) >= 4  # the steelworks, the paper mill and the PVC plant use power too
    assert _receivers("Électricité excédentaire") == ["alu", "chlor"]  # electrolysis: the power-intensive users
    assert _receivers("Surplus electricity") == ["alu", "chlor"]


def test_steam_and_materials_keep_three_receivers():
    assert class_cap("steam") >= MAX_RECEIVERS_PER_OFFER == 3
    assert len(_receivers("Vapeur basse pression")) == 3
    assert len(_receivers("Cendres volantes")) >= 1  # the cement plant, whatever the cap of power


def _flows():
    return [FlowIn("elec", "chp", "offer", label="Électricité"),
            FlowIn("steam", "chp", "offer", label="Vapeur"),
            FlowIn("ash", "chp", "offer", label="Cendres volantes de biomasse"),
            FlowIn("chips", "panels", "offer", label="Copeaux de bois"),
            FlowIn("mixed", "paper", "offer", label="Papier, carton et plastiques"),
            FlowIn("h2", "chlor", "offer", label="Hydrogène"),
            FlowIn("elec2", "eaf", "offer", label="Surplus electricity")]


def test_every_engine_path_and_the_evaluation_show_the_same_pairs():
    flows = _flows()
    pairs = lambda props: sorted((p.offer_flow_id, p.need_site_id) for p in props)  # noqa: E731
    bounded = pairs(propose(PARK, flows))
    assert bounded == pairs(propose(PARK, flows, exhaustive=True))
    assert bounded == pairs(propose(PARK, flows, workers=0))
    scored = score_case(Case("park", PARK, flows, truth=set()))
    assert bounded == sorted(shown(scored, DEFAULT_THRESHOLD))
    per_offer = {o.flow_id: sum(1 for f, _ in bounded if f == o.flow_id) for o in flows}
    assert per_offer["elec"] == per_offer["elec2"] == 2
    assert per_offer["steam"] == 3
