"""False positives an expert reads as implausible (issue 11, precision round of session 18).

- Warm cooling water (25-35 °C, EU BREF ICS 2001) serves warm-water fish farming and LNG regasification;
  a district-heating network or greenhouse heating pipes could take it only through a heat pump.
- A compound-feed mill (NACE 10.91) buys rendered fats and meals, not raw slaughter by-products
  (Regulation (EC) No 1069/2009 art. 14); only a 10.91 site whose words say rendering takes them.
- « X from Y » offers X: "CO2 from ammonia production" is carbon dioxide, not ammonia.
"""

from boucle.matching.pipeline import FlowIn, classify_flow, propose, stated_uses
from boucle.matching.tests.parks import park


def _shown(sites, offerer, label, **kw):
    got = propose(park(sites, lat=48.0, lon=3.0, step=0.002), [FlowIn("o1", offerer, "offer", label=label)], **kw)
    return [p.need_site_id for p in sorted(got, key=lambda p: -p.plausibility)]


def _best(sites, offerer, label):
    best = {}
    for p in propose(park(sites, lat=48.0, lon=3.0, step=0.002), [FlowIn("o1", offerer, "offer", label=label)],
                     threshold=0.0):
        best[p.need_site_id] = max(best.get(p.need_site_id, 0.0), p.plausibility)
    return best


POWER_PARK = [("power", "35.11", "Coal-fired power station"), ("fish", "03.22", "Fish farm"),
              ("network", "35.30", "District heating network"), ("glass", "01.13", "Tomato greenhouses")]


def test_warm_cooling_water_goes_to_the_fish_farm_not_to_the_district_heating_network():
    shown = _shown(POWER_PARK, "power", "Warm cooling water")
    assert shown[0] == "fish"
    assert "network" not in shown


def test_warm_seawater_in_french_is_read_the_same():
    assert _shown(POWER_PARK, "power", "Eau de refroidissement tiède")[0] == "fish"
    assert "network" not in _shown(POWER_PARK, "power", "Eau de refroidissement tiède")


def test_waste_heat_still_reaches_the_district_heating_network():
    # heat said without a temperature or a cooling-water origin is no warm return: the network keeps it
    assert "network" in _shown(POWER_PARK, "power", "Waste heat")


def test_hot_cooling_water_at_a_stated_temperature_is_not_a_warm_return():
    assert stated_uses("Cooling water at 60 °C") == 0
    assert stated_uses("Warm cooling water") != 0


def test_the_network_keeps_half_its_plausibility_for_warm_cooling_water():
    best = _best(POWER_PARK, "power", "Warm cooling water")
    assert best["network"] < 0.7 * best["fish"]


SLAUGHTER_PARK = [("abattoir", "10.11", "Abattoir de porcs"),
                  ("feedmill", "10.91", "Usine d'aliments pour bétail"),
                  ("digester", "35.21", "Unité de méthanisation")]


def test_slaughter_by_products_go_to_the_digester_not_to_the_compound_feed_mill():
    shown = _shown(SLAUGHTER_PARK, "abattoir", "Sous-produits animaux de catégorie 3")
    assert shown[0] == "digester"
    assert "feedmill" not in shown


def test_a_rendering_plant_of_the_same_code_takes_them():
    sites = SLAUGHTER_PARK + [("renderer", "10.91", "Équarrissage et fondoir")]
    assert _shown(sites, "abattoir", "Sous-produits animaux de catégorie 3")[0] == "renderer"


def test_the_feed_mill_still_takes_rendered_fat():
    assert "feedmill" in _shown(SLAUGHTER_PARK, "abattoir", "Graisses animales fondues")


def test_co2_from_ammonia_production_is_carbon_dioxide_not_ammonia():
    read = [k for k, _c in classify_flow(FlowIn("o1", "s", "offer", label="CO2 from ammonia production"))]
    assert read == ["co2_gas"]
    sites = [("ammonia", "20.15", "Ammonia plant"), ("drinks", "11.07", "Soft drinks bottler")]
    assert _shown(sites, "ammonia", "CO2 from ammonia production") == ["drinks"]


def test_a_name_of_its_own_that_says_from_keeps_its_reading():
    read = [k for k, _c in classify_flow(FlowIn("o1", "s", "offer", label="Gypsum from flue gas desulphurisation"))]
    assert read[0] == "fgd_gypsum"


# NACE 20.59 is the residual class of chemicals: photographic chemicals and foundry binders as well as gelatine,
# biodiesel and activated carbon. Its inputs go to the sites whose words say which of them they make.
RESIDUAL_CHEMICALS = [("abattoir", "10.11", "Abattoir de bovins"), ("photo", "20.59", "Produits chimiques photographiques"),
                      ("biodiesel", "20.59", "Usine de biodiesel"), ("gelatine", "20.59", "Fabrication de gélatine")]


def test_animal_by_products_go_to_the_gelatine_maker_not_to_the_photographic_chemicals_plant():
    shown = _shown(RESIDUAL_CHEMICALS, "abattoir", "Sous-produits animaux de catégorie 3")
    assert "gelatine" in shown and "photo" not in shown


def test_used_cooking_oil_goes_to_the_biodiesel_plant_only():
    sites = RESIDUAL_CHEMICALS + [("canteen", "56.29", "Restauration collective")]
    assert _shown(sites, "canteen", "Huiles alimentaires usagées") == ["biodiesel"]


def test_food_residues_go_to_the_fermentation_plant_not_to_a_maker_of_water_treatment_chemicals():
    # NACE 20.14 holds petrochemicals and fermentation alike: only the second take sugars and starch
    sites = [("confectioner", "10.82", "Confiserie"), ("water", "20.14", "Produits chimiques de traitement de l'eau")]
    assert _shown(sites, "confectioner", "Matières impropres à la consommation") == []
    sites += [("ethanol", "20.14", "Distillerie de bioéthanol")]
    assert _shown(sites, "confectioner", "Matières impropres à la consommation") == ["ethanol"]
