"""Receivers an expert reads as implausible, each fixed by a general rule (issue 11, third precision round of s18).

- NACE 24.10 holds integrated works (a sinter plant recycles mill scale and dusts), electric-arc-furnace mini-mills
  and rolling mills: mill scale goes to a works whose words say integrated, sinter or blast furnace, never to one whose
  words say an electric arc furnace or a rolling mill, and to a bare 24.10 behind a cement works (EU BREF IS 2012).
- Zinc-rich electric-arc-furnace dust is offered for zinc recovery (Waelz kilns, EU BREF NFM 2017), not to a
  steelworks.
- A spirits blender or rectifier of NACE 11.01 takes no mixed food residues; a distillery that ferments does.
- Landfill gas and raw biogas reach only users a few kilometres away (a pipe built for them); biomethane travels
  through the gas grid.
"""

from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park


def _shown(sites, offerer, label, step=0.002):
    got = propose(park(sites, lat=49.0, lon=2.5, step=step), [FlowIn("o1", offerer, "offer", label=label)])
    return [p.need_site_id for p in sorted(got, key=lambda p: -p.plausibility)]


STEEL_PARK = [("tubes", "24.20", "Fabrication de tubes en acier"),
              ("integrated", "24.10", "Integrated steelworks with sinter plant and blast furnaces"),
              ("eaf", "24.10", "Aciérie électrique"),
              ("rolling", "24.10", "Laminoir à chaud")]


def test_mill_scale_goes_to_the_integrated_works_not_to_an_arc_furnace_or_a_rolling_mill():
    shown = _shown(STEEL_PARK, "tubes", "Battitures")
    assert shown[0] == "integrated"
    assert "eaf" not in shown and "rolling" not in shown


def test_a_cement_works_comes_before_a_steelworks_that_says_nothing_of_its_process():
    sites = [("tubes", "24.20", "Fabrication de tubes en acier"), ("steel", "24.10", "Sidérurgie"),
             ("cement", "23.51", "Cimenterie")]
    assert _shown(sites, "tubes", "Battitures")[0] == "cement"


def test_a_bare_steelworks_still_takes_mill_scale_when_nobody_else_can():
    sites = [("tubes", "24.20", "Fabrication de tubes en acier"), ("steel", "24.10", "Sidérurgie")]
    assert _shown(sites, "tubes", "Battitures") == ["steel"]


def test_zinc_rich_arc_furnace_dust_goes_to_zinc_recovery_not_to_a_steelworks():
    sites = [("eaf", "24.10", "Aciérie électrique"), ("zinc", "24.43", "Métallurgie du zinc"),
             ("integrated", "24.10", "Integrated steelworks with sinter plant")]
    shown = _shown(sites, "eaf", "Poussières d'aciérie électrique (riches en zinc)")
    assert shown[0] == "zinc"
    assert "integrated" not in shown


def test_the_sinter_plant_keeps_its_own_kind_of_dust():
    sites = [("bof", "24.10", "Oxygen steelmaking plant"),
             ("integrated", "24.10", "Integrated steelworks with sinter plant")]
    assert "integrated" in _shown(sites, "bof", "Steelworks dust")


DRINKS_PARK = [("biscuits", "10.72", "Biscuiterie"),
               ("blender", "11.01", "Production de boissons alcooliques distillées", "Liqueurs et anisés du Nord"),
               ("distillery", "11.01", "Production de boissons alcooliques distillées", "Distillerie de grains")]


def test_food_residues_go_to_the_distillery_not_to_the_spirits_blender():
    shown = _shown(DRINKS_PARK, "biscuits", "Biscuits déclassés")
    assert "distillery" in shown
    assert "blender" not in shown


def test_the_blender_still_takes_molasses():
    sites = [("sugar", "10.81", "Sucrerie")] + DRINKS_PARK[1:2]
    assert "blender" in _shown(sites, "sugar", "Mélasse")


# sites 6.7 km apart: the landfill, a boiler house 6.7 km away, another 13.3 km away
GAS_PARK = [("landfill", "38.21", "Installation de stockage de déchets non dangereux"),
            ("near", "35.30", "Chaufferie urbaine"), ("far", "35.30", "Chaufferie urbaine")]


def test_landfill_gas_reaches_the_near_boiler_house_only():
    shown = _shown(GAS_PARK, "landfill", "Biogaz de décharge", step=0.06)
    assert "near" in shown
    assert "far" not in shown


def test_biomethane_travels_through_the_grid():
    assert "far" in _shown(GAS_PARK, "landfill", "Biométhane injecté", step=0.06)
