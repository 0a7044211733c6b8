"""Held-out accuracy of the label classifier on declarations as people actually write them.

These labels were written before the synonym list was tuned and must not be copied into it:
they measure whether the classifier generalises (abbreviations, plurals, word order, units,
packaging words, typos), not whether it memorised them. Change the floor only with a reason.
"""
from functools import lru_cache

import pytest

from boucle.materials.classify import classify_label, classify_labels, load_classes

# (label, expected class key)
HOLDOUT = [
    # ashes, slags, gypsum
    ("big bags de cendres volantes", "fly_ash"),
    ("cendres volantes de centrale charbon", "fly_ash"),
    ("PFA pulverised fuel ash", "fly_ash"),
    ("mixed MSW incinerator bottom ash", "incineration_bottom_ash"),
    ("mâchefers d'UIOM maturés", "incineration_bottom_ash"),
    ("mâchefer de chaudière charbon", "bottom_ash"),
    ("REFIOM", "incineration_fly_ash"),
    ("cendres de chaudière bois", "biomass_ash"),
    ("wood ash from biomass boiler", "biomass_ash"),
    ("laitier de haut-fourneau granulé", "blast_furnace_slag"),
    ("GGBS", "blast_furnace_slag"),
    ("laitiers d'aciérie électrique", "steel_slag"),
    ("BOF slag", "steel_slag"),
    ("scories de cuivre", "non_ferrous_slag"),
    ("gypse FGD", "fgd_gypsum"),
    ("gypse de désulfuration des fumées", "fgd_gypsum"),
    ("calamine de laminage", "mill_scale"),
    ("sables de fonderie usagés", "foundry_sand"),
    ("briques réfractaires usagées", "refractories_spent"),
    ("crasses d'alu", "aluminium_dross"),
    ("poussières d'aciérie EAF", "metallurgical_dust"),
    ("boues rouges d'alumine", "red_mud"),
    # construction and demolition
    ("gravats béton", "concrete_rubble"),
    ("béton concassé de démolition", "concrete_rubble"),
    ("déchets de chantier en mélange", "construction_demolition_mixed"),
    ("mixed C&D waste skip", "construction_demolition_mixed"),
    ("terres d'excavation", "soil_stones"),
    ("excavated soil and stones", "soil_stones"),
    ("fraisats d'enrobés", "reclaimed_asphalt"),
    ("plaques de plâtre chutes", "gypsum_waste"),
    ("plasterboard offcuts", "gypsum_waste"),
    ("laine de verre isolation", "mineral_wool_waste"),
    ("tuiles cassées", "bricks_tiles_ceramics"),
    ("déblais inertes", "inert_mixed"),
    ("sédiments de curage de port", "dredging_spoil"),
    ("amiante ciment plaques fibrociment", "asbestos_waste"),
    # metals
    ("copeaux alu", "aluminium_scrap"),
    ("chutes d'aluminium de découpe", "aluminium_scrap"),
    ("aluminium turnings", "aluminium_scrap"),
    ("ferraille", "steel_scrap"),
    ("tournures d'acier", "steel_scrap"),
    ("chutes de tôle acier", "steel_scrap"),
    ("HMS 1&2 heavy melting steel", "steel_scrap"),
    ("limaille de fer", "steel_scrap"),
    ("déchets de cuivre", "copper_scrap"),
    ("copper wire offcuts", "copper_scrap"),
    ("chutes de laiton", "copper_scrap"),
    ("chutes inox 304", "stainless_steel_scrap"),
    ("câbles électriques usagés", "cable_scrap"),
    ("batteries plomb usagées", "batteries_lead_acid"),
    ("DEEE", "weee"),
    ("old computers and e-waste", "weee"),
    ("canettes alu et boîtes de conserve", "metal_packaging"),
    ("VHU", "end_of_life_vehicles"),
    # plastics, rubber
    ("chutes de PVC", "pvc"),
    ("PVC window frames offcuts", "pvc"),
    ("bouteilles PET", "pet"),
    ("PET flakes", "pet"),
    ("bidons PEHD", "hdpe"),
    ("HDPE regrind", "hdpe"),
    ("films plastiques étirables", "ldpe_film"),
    ("stretch wrap film", "ldpe_film"),
    ("PSE polystyrène expansé", "ps_eps"),
    ("polypropylene offcuts", "pp"),
    ("déchets plastiques en mélange", "mixed_plastics"),
    ("mixed plastic waste", "mixed_plastics"),
    ("pneus usagés", "tyres"),
    ("fines de broyage de pneus", "tyres"),
    ("scrap tyres", "tyres"),
    ("chutes de caoutchouc", "rubber_waste"),
    ("chutes de composite fibre de verre", "composites_frp"),
    # paper, wood, glass, textiles
    ("cartons d'emballage", "cardboard"),
    ("OCC baled cardboard", "cardboard"),
    ("vieux papiers de bureau", "paper"),
    ("journaux invendus", "paper"),
    ("boues de papeterie", "paper_sludge"),
    ("palettes bois cassées", "wood_pallets"),
    ("broken pallets", "wood_pallets"),
    ("sciure de hêtre", "sawdust_shavings"),
    ("copeaux de rabotage", "sawdust_shavings"),
    ("bois de classe A", "wood_untreated"),
    ("chutes de bois brut", "wood_untreated"),
    ("bois traité autoclave", "wood_treated"),
    ("écorces de pin", "bark"),
    ("calcin de verre", "glass_cullet"),
    ("bouteilles en verre", "glass_cullet"),
    ("glass cullet", "glass_cullet"),
    ("chutes de tissu", "textiles"),
    ("textile offcuts", "textiles"),
    ("déchets de cuir", "leather_waste"),
    # organics
    ("drêches de brasserie", "brewers_spent_grain"),
    ("brewery spent grains", "brewers_spent_grain"),
    ("lactosérum de fromagerie", "whey"),
    ("acid whey", "whey"),
    ("déchets verts", "green_waste"),
    ("tontes de gazon et branchages", "green_waste"),
    ("restes de cantine", "food_waste"),
    ("food scraps from the canteen", "food_waste"),
    ("biodéchets de restauration", "food_waste"),
    ("fumier de cheval", "manure"),
    ("lisier de porc", "manure"),
    ("pulpes de betteraves surpressées", "sugar_beet_pulp"),
    ("marc de raisin", "grape_marc_lees"),
    ("marc de café", "spent_coffee_grounds"),
    ("huiles de friture usagées", "used_cooking_oil"),
    ("UCO used cooking oil", "used_cooking_oil"),
    ("pain invendu", "bakery_waste"),
    ("mélasse de sucrerie", "molasses"),
    ("vinasse de distillerie", "distillers_grains_vinasse"),
    ("déchets d'abattoir", "animal_by_products"),
    ("son de blé et balles", "bran"),  # bran (its head noun) has its own class since the expert labels round
    ("paille de blé", "crop_residues"),
    ("digestat de méthanisation", "digestate"),
    ("compost normé", "compost"),
    # sludges and water
    ("boues de station d'épuration urbaine", "sewage_sludge"),
    ("boues de STEP", "sewage_sludge"),
    ("sewage sludge cake", "sewage_sludge"),
    ("boues biologiques de la station d'épuration de l'usine", "industrial_wwtp_sludge"),
    ("eau de refroidissement tiède", "water_cooling"),
    ("cooling tower blowdown water", "water_cooling"),
    ("eaux usées traitées en sortie de STEP", "water_treated_wastewater"),
    ("eau déminéralisée", "water_demineralised"),
    ("eaux pluviales de toiture", "water_rain"),
    ("eau de process", "water_process"),
    # chemicals
    ("huiles de vidange", "waste_oil"),
    ("used engine oil", "waste_oil"),
    ("huiles hydrauliques usagées", "waste_oil"),
    ("spent pickling acid", "spent_pickling_acid"),
    ("bain de décapage usé HCl", "spent_pickling_acid"),
    ("spent caustic", "spent_caustic"),
    ("soude usée", "spent_caustic"),
    ("solvants usés", "spent_solvents"),
    ("spent acetone from cleaning", "spent_solvents"),
    ("solvants chlorés usagés", "spent_solvents_halogenated"),
    ("eaux hydrocarburées", "oily_water"),
    ("émulsions d'usinage", "oily_water"),
    ("acide sulfurique usé", "spent_sulphuric_acid"),
    ("fonds de peinture", "paint_ink_adhesive_waste"),
    ("catalyseurs usés", "spent_catalysts"),
    ("chiffons souillés", "absorbents_rags"),
    ("emballages souillés", "contaminated_packaging"),
    ("acide chlorhydrique 33%", "hydrochloric_acid"),
    ("soude caustique 50 %", "caustic_soda"),
    ("off-spec ethanol", "ethanol"),
    ("alcool éthylique déclassé", "ethanol"),
    ("méthanol", "methanol"),
    ("ammoniaque", "ammonia"),
    ("chaux vive", "lime"),
    ("chlorure ferrique", "iron_chloride"),
    # energy, gases
    ("chaleur fatale 80 °C", "waste_heat_low"),
    ("rejets thermiques à 45°C", "waste_heat_low"),
    ("waste heat 150 °C flue gas", "waste_heat_medium"),
    ("fumées à 400 °C", "waste_heat_high"),
    ("vapeur BP excédentaire", "steam"),
    ("surplus steam 10 bar", "steam"),
    ("eau glacée", "cold"),
    ("CO2 from fermentation", "co2_gas"),
    ("CO2 de fermentation", "co2_gas"),
    ("hydrogène fatal d'électrolyse", "hydrogen"),
    ("azote gazeux", "nitrogen"),
    ("oxygène", "oxygen"),
    ("biogaz de méthaniseur", "biogas"),
    ("gaz de cokerie", "fuel_gas"),
    ("CSR combustible solide de récupération", "refuse_derived_fuel"),
    ("plaquettes forestières", "biomass_wood_chips"),
    ("air comprimé disponible", "compressed_air"),
    # mixed waste, packaging, equipment, services
    ("DIB en mélange", "mixed_industrial_waste"),
    ("ordures ménagères", "municipal_mixed_waste"),
    ("big bags vides", "big_bags"),
    ("fûts métalliques vides 200 L", "drums_ibc"),
    ("cuves IBC 1000 L", "drums_ibc"),
    ("chariot élévateur inutilisé", "equipment_handling"),
    ("cuve de stockage inox 30 m3", "equipment_storage_tank"),
    ("compresseur d'air", "equipment_compressor"),
    ("entrepôt disponible 500 m2", "service_storage_space"),
    ("presse hydraulique inutilisée", "idle_machine"),
]

# Second batch, written after the synonym list and never tuned against: longer sentences,
# typos, missing accents, mixed languages, quantities and site jargon.
HOLDOUT_HARD = [
    ("Nous produisons environ 2000 t/an de cendres volantes issues de notre chaudière charbon",
     "fly_ash"),
    ("cendre volante silo 30 t", "fly_ash"),
    ("machefers traités pour technique routière", "incineration_bottom_ash"),
    ("bottom ash from the EfW plant, 40 kt per year", "incineration_bottom_ash"),
    ("laitier granule de haut fourneau pour cimenterie", "blast_furnace_slag"),
    ("scorie LD", "steel_slag"),
    ("gypse issu de la desulfuration", "fgd_gypsum"),
    ("poussieres de filtres a manches acierie", "metallurgical_dust"),
    ("sable de fonderie a vert", "foundry_sand"),
    ("calamines huileuses de laminoir", "mill_scale"),
    ("gravats de démolition (béton, briques)", "inert_mixed"),
    ("terre végétale excédentaire du chantier", "soil_stones"),
    ("enrobé fraisé", "reclaimed_asphalt"),
    ("chutes de placo", "gypsum_waste"),
    ("copeaux aluminium huileux", "aluminium_scrap"),
    ("chutes de profilés alu anodisé", "aluminium_scrap"),
    ("ferailles diverses", "steel_scrap"),
    ("tournures acier C45", "steel_scrap"),
    ("fil de cuivre dénudé", "copper_scrap"),
    ("scrap copper cable", "cable_scrap"),
    ("déchets d'équipements électriques", "weee"),
    ("vieux frigos", "weee_cooling"),
    ("piles et accus usagés", "batteries_other"),
    ("purges de PP injection", "pp"),
    ("bouteilles plastiques PET transparentes", "pet"),
    ("film étirable usagé", "ldpe_film"),
    ("polystyrene expanse (calage)", "ps_eps"),
    ("tubes PVC de chantier", "pvc"),
    ("pneumatiques poids lourds", "tyres"),
    ("carton brun en balles", "cardboard"),
    ("papier de bureau broyé", "paper"),
    ("palettes hors d'usage", "wood_pallets"),
    ("sciure de bois", "sawdust_shavings"),
    ("bois de démolition traité", "wood_treated"),
    ("verre de bouteilles broyé", "glass_cullet"),
    ("vêtements usagés", "textiles"),
    ("dreches humides de brasserie artisanale", "brewers_spent_grain"),
    ("spent brewery grain, wet", "brewers_spent_grain"),
    ("petit lait", "whey"),
    ("epluchures de legumes", "fruit_vegetable_residues"),
    ("pulpe de pomme après pressage", "fruit_vegetable_residues"),
    ("invendus de supermarché", "food_waste"),
    ("huile de friteuse", "used_cooking_oil"),
    ("fientes de poules pondeuses", "manure"),
    ("tonte de pelouse", "green_waste"),
    ("boues d'epuration deshydratees", "sewage_sludge"),
    ("boues de la STEP communale", "sewage_sludge"),
    ("eau de refroidissement à 35 °C", "water_cooling"),
    ("eaux pluviales récupérées", "water_rain"),
    ("huile moteur usagée", "waste_oil"),
    ("used hydraulic oil", "waste_oil"),
    ("HCl de décapage épuisé", "spent_pickling_acid"),
    ("solvant de nettoyage souillé", "spent_solvents"),
    ("white spirit sale", "spent_solvents"),
    ("peintures périmées", "paint_ink_adhesive_waste"),
    ("acide sulfurique 98 %", "sulphuric_acid"),
    ("lessive de soude 30%", "caustic_soda"),
    ("bioéthanol hors spécification", "ethanol"),
    ("CO2 biogénique capté sur méthaniseur", "co2_gas"),
    ("dioxyde de carbone liquide", "co2_gas"),
    ("chaleur récupérable sur compresseurs 60°C", "waste_heat_low"),
    ("fumées 300°C sortie four", "waste_heat_high"),
    ("excess LP steam", "steam"),
    ("vapeur 3 bars", "steam"),
    ("froid industriel disponible", "cold"),
    ("biogaz excédentaire", "biogas"),
    ("gaz de haut-fourneau", "fuel_gas"),
    ("broyat de palettes pour chaufferie", "biomass_wood_chips"),
    ("déchets industriels banals en mélange", "mixed_industrial_waste"),
    ("bennes de DIB", "mixed_industrial_waste"),
    ("big-bag vide", "big_bags"),
    ("fûts de 200 l vides", "drums_ibc"),
    ("transpalette électrique", "equipment_handling"),
    ("cuve inox 10000 litres", "equipment_storage_tank"),
    ("local de stockage de 200 m²", "service_storage_space"),
]

# Third batch, written after the tuning on the two sets above and measured once (0.896).
# Later changes came from the MAESTRI development set and the synonym self-test, never from
# these labels.
HOLDOUT_BLIND = [
    ("cendres sous chaudière lit fluidisé", "bottom_ash"),
    ("résidus d'épuration des fumées de l'incinérateur", "incineration_fly_ash"),
    ("laitier cristallisé concassé 0/31.5", "blast_furnace_slag"),
    ("gypse de désulfuration humide", "fgd_gypsum"),
    ("limailles de fonte", "steel_scrap"),
    ("déchets de laiton décolletage", "copper_scrap"),
    ("jantes alu", "aluminium_scrap"),
    ("carcasses de voitures", "end_of_life_vehicles"),
    ("écrans plats et ordinateurs HS", "weee"),
    ("accumulateurs lithium-ion usagés", "battery_li_ion"),  # batteries_other until lithium-ion got its class (issue 16)
    ("housses PE de palettisation", "ldpe_film"),
    ("caisses plastiques cassées PEHD", "hdpe"),
    ("rebuts d'injection polypropylène", "pp"),
    ("chutes de menuiseries PVC", "pvc"),
    ("pneus de tracteurs", "tyres"),
    ("cartons ondulés usagés", "cardboard"),
    ("archives papier à détruire", "paper"),
    ("bois d'emballage (caisses, palettes)", "wood_pallets"),
    ("copeaux de menuiserie", "sawdust_shavings"),
    ("panneaux MDF chutes", "wood_treated"),
    ("verre plat de menuiseries", "flat_glass"),
    ("linge hospitalier réformé", "textiles"),
    ("drêches de micro-brasserie", "brewers_spent_grain"),
    ("lactoserum doux", "whey"),
    ("déchets de légumerie", "fruit_vegetable_residues"),
    ("fumier de bovins pailleux", "manure"),
    ("déchets de tonte", "green_waste"),
    ("os et carcasses de volailles", "animal_by_products"),
    ("boues de STEU déshydratées", "sewage_sludge"),
    ("boues de lavage de légumes", "industrial_wwtp_sludge"),
    ("huiles moteur et hydrauliques en mélange", "waste_oil"),
    ("liqueur de décapage chlorhydrique", "spent_pickling_acid"),
    ("solvants de dégraissage usagés", "spent_solvents"),
    ("eaux de lavage huileuses", "oily_water"),
    ("soude 50% en citerne", "caustic_soda"),
    ("acide sulfurique de récupération", "spent_sulphuric_acid"),
    ("alcool éthylique 96%", "ethanol"),
    ("gaz carbonique de fermentation", "co2_gas"),
    ("chaleur fatale sur eaux de refroidissement 40°C", "waste_heat_low"),
    ("vapeur 12 bars excédentaire la nuit", "steam"),
    ("eau chaude à 90 °C", "hot_water"),
    ("gaz de four à coke", "fuel_gas"),
    ("copeaux de bois pour chaudière biomasse", "biomass_wood_chips"),
    ("refus de tri de collecte sélective", "sorting_residues"),
    ("encombrants de déchèterie", "bulky_waste"),
    ("conteneurs IBC vides rincés", "drums_ibc"),
    ("chariot élévateur gaz", "equipment_handling"),
    ("hangar vide 1000 m2", "service_storage_space"),
]

# Measured when the floors were set (top-1): main 0.989, hard 0.947 (0.88 before the class-bag
# and typo signals were added), blind 0.896 (measured once). The head-noun rule added later
# (tuned on a separate development list) moved main to 0.983 and hard to 0.960.
# Floors sit a few labels below.
FLOORS = {"main": (HOLDOUT, 0.95), "hard": (HOLDOUT_HARD, 0.90), "blind": (HOLDOUT_BLIND, 0.85)}
# Hold-out labels that normalise to a synonym verbatim (canonical names such as "méthanol" or
# "DEEE" cannot be avoided): if this share grows, labels are being copied into synonyms.
MAX_VERBATIM_SHARE = 0.35


@lru_cache(maxsize=None)
def _top(label):
    return classify_label(label)


def _accuracy(cases):
    hits, misses = 0, []
    for label, expected in cases:
        matches = _top(label)
        got = matches[0].key if matches else None
        if got == expected:
            hits += 1
        else:
            misses.append((label, expected, got))
    return hits / len(cases), misses


def test_holdout_is_large_bilingual_and_uses_known_keys():
    keys = {c.key for c in load_classes()}
    everything = HOLDOUT + HOLDOUT_HARD + HOLDOUT_BLIND
    assert len(HOLDOUT) >= 120
    assert len({label for label, _ in everything}) == len(everything)
    unknown = [k for _, k in everything if k not in keys]
    assert not unknown, unknown


def test_holdout_labels_are_not_copied_into_synonyms():
    from boucle.materials.index import lexical_index
    from boucle.materials.text import tokens

    entries = set(lexical_index().entry_text)
    everything = HOLDOUT + HOLDOUT_HARD + HOLDOUT_BLIND
    verbatim = [label for label, _ in everything if " ".join(tokens(label)) in entries]
    print(f"\nverbatim share: {len(verbatim) / len(everything):.2f}")
    assert len(verbatim) / len(everything) <= MAX_VERBATIM_SHARE


@pytest.mark.parametrize("name", list(FLOORS))
def test_holdout_top1_accuracy_keeps_its_floor(name):
    cases, floor = FLOORS[name]
    accuracy, misses = _accuracy(cases)
    print(f"\nhold-out {name}: top-1 accuracy {accuracy:.3f} on {len(cases)} labels")
    for label, expected, got in misses:
        print(f"  miss: {label!r}: expected {expected}, got {got}")
    assert accuracy >= floor, (accuracy, misses)


def test_batch_classifier_agrees_with_single_label_classifier():
    labels = [label for label, _ in HOLDOUT + HOLDOUT_HARD + HOLDOUT_BLIND]
    idx, conf = classify_labels(labels)
    keys = [c.key for c in load_classes()]
    single = [_top(label) for label in labels]
    agree = sum(
        1 for i, m in zip(idx, single)
        if (m[0].key if m else None) == (keys[i] if i >= 0 else None)
    )
    assert agree / len(labels) >= 0.97
    assert ((conf >= 0) & (conf <= 1)).all()
