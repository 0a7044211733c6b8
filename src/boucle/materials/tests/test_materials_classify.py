"""Behaviour of the label classifier that a declarant or an importer relies on."""
import numpy as np
import pytest

from boucle.materials.classify import (
    Match, classify_label, classify_labels, load_classes, parse_temperature,
)
from boucle.materials.taxonomy import class_index, get_class, load_synonyms
from boucle.materials.text import fold, tokens


@pytest.mark.parametrize("label,expected", [
    ("chaleur fatale 80 °C", 80.0),
    ("rejets à 45°C", 45.0),
    ("fumées 60-180 °C", 180.0),
    ("fumées de 200 à 350 °C", 350.0),
    ("exhaust at 392 °F", 200.0),
    ("eau glycolée -5 °C", -5.0),
    ("steam at 453.15 K", 180.0),
    ("eau chaude 90 degrés C", 90.0),
    ("vapeur 10 bar", None),
    ("CO2 de fermentation", None),
    ("inox 304", None),
])
def test_parse_temperature(label, expected):
    got = parse_temperature(label)
    assert (got is None) if expected is None else got == pytest.approx(expected, abs=0.01)


def test_tokens_drop_quantities_units_accents_and_stop_words():
    assert tokens("Cendres volantes : 2 000 t/an, 30 m³") == ("cendre", "volante")
    assert tokens("Acides USÉS de décapage") == tokens("acide use decapage")
    assert fold("Œuvre Bâtiment") == "oeuvre batiment"


def test_tokens_keep_chemical_formulas():
    assert tokens("H2SO4 98 %") == ("h2so4",)
    assert tokens("CO2 liquide") == ("co2", "liquide")


def test_packaging_around_a_material_is_not_the_material():
    assert classify_label("big bags de cendres volantes")[0].key == "fly_ash"
    assert classify_label("mâchefers en benne")[0].key == "incineration_bottom_ash"
    assert classify_label("solvants usés en fûts")[0].key == "spent_solvents"
    assert classify_label("big bags vides")[0].key == "big_bags"
    assert classify_label("fûts vides")[0].key == "drums_ibc"


@pytest.mark.parametrize("label,grade", [
    ("chaleur fatale 35 °C", "waste_heat_low"),
    ("chaleur fatale 120 °C", "waste_heat_medium"),
    ("chaleur fatale 600 °C", "waste_heat_high"),
    ("waste heat 95 °C", "waste_heat_low"),
    ("chaleur fatale", "waste_heat_low"),
])
def test_waste_heat_is_graded_by_its_temperature(label, grade):
    assert classify_label(label)[0].key == grade
    idx, _ = classify_labels([label])
    assert load_classes()[idx[0]].key == grade


def test_matches_are_ranked_with_confidence_and_method():
    matches = classify_label("huiles de friture usagées")
    assert isinstance(matches[0], Match)
    assert matches[0].key == "used_cooking_oil"
    confidences = [m.confidence for m in matches]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 < c <= 1 for c in confidences)
    assert {m.method for m in matches} <= {"exact_synonym", "token", "fuzzy", "ngram"}
    assert len({m.key for m in matches}) == len(matches)


def test_exact_synonym_is_reported_as_such():
    m = classify_label("Mâchefers")[0]
    assert (m.key, m.method, m.confidence) == ("incineration_bottom_ash", "exact_synonym", 1.0)


def test_typos_are_snapped_to_known_words():
    m = classify_label("ferrailes")[0]
    assert (m.key, m.method) == ("steel_scrap", "fuzzy")


def test_nonsense_or_empty_labels_give_no_match():
    assert classify_label("") == []
    assert classify_label(None) == []
    idx, conf = classify_labels([])
    assert idx.shape == conf.shape == (0,)
    idx, _ = classify_labels([None, float("nan")])
    assert list(idx) == [-1, -1]
    assert classify_label("   42 t ") == []
    assert classify_label("zzqx wvvk") == []
    idx, conf = classify_labels(["", "zzqx wvvk", "fly ash"])
    assert list(idx[:2]) == [-1, -1] and list(conf[:2]) == [0.0, 0.0]
    assert load_classes()[idx[2]].key == "fly_ash"


def test_batch_returns_aligned_arrays_and_reuses_duplicates():
    labels = ["fly ash", "pneus usagés", "fly ash", "vapeur BP"] * 50
    idx, conf = classify_labels(labels)
    assert idx.shape == conf.shape == (200,)
    assert idx.dtype.kind == "i" and conf.dtype.kind == "f"
    keys = [load_classes()[i].key for i in idx[:4]]
    assert keys == ["fly_ash", "tyres", "fly_ash", "steam"]
    assert np.array_equal(idx[:4], idx[4:8])


def test_every_synonym_points_to_a_class_and_finds_it():
    """A synonym that does not retrieve its own class is dead weight (or a conflict)."""
    index = class_index()
    rows = load_synonyms()
    assert all(key in index for key, _, _ in rows)
    assert {lang for _, lang, _ in rows} <= {"fr", "en", "de", "any"}
    labels = [syn for _, _, syn in rows]
    idx, _ = classify_labels(labels)
    found = sum(1 for (key, _, _), i in zip(rows, idx)
                if i >= 0 and load_classes()[i].key == key)
    assert found / len(rows) >= 0.99


def test_class_helpers():
    classes = load_classes()
    assert [c.key for c in classes] == list(class_index())
    assert get_class("fly_ash").label("en") == "Coal fly ash"
    assert get_class("sulphuric_acid").density_t_per_m3 == pytest.approx(1.84)
    with pytest.raises(KeyError):
        get_class("no_such_class")


def test_a_waste_code_quoted_in_the_label_decides():
    for label in ("17 04 05 - fer et acier", "déchets 170405* divers", "code 17.04.05"):
        m = classify_label(label)[0]
        assert (m.key, m.method) == ("steel_scrap", "ewc")
        idx, conf = classify_labels([label])
        assert load_classes()[idx[0]].key == "steel_scrap" and conf[0] > 0.9
    # quantities are not codes
    assert classify_label("cendres volantes 150 000 t/an")[0].key == "fly_ash"
    assert classify_label("fly ash 100000 t")[0].key == "fly_ash"


@pytest.mark.parametrize("label,key", [
    ("cuve acier 50 m3", "equipment_storage_tank"),
    ("réservoir inox", "equipment_storage_tank"),
    ("pompe inox d'occasion", "equipment_pump"),
    ("compresseur hors service", "equipment_compressor"),
    ("chutes de tubes inox", "stainless_steel_scrap"),
    ("copeaux d'acier pour refonte", "steel_scrap"),
    ("ash from the wood boiler", "biomass_ash"),
    ("tyres from trucks", "tyres"),
    ("benne de gravats", "inert_mixed"),
])
def test_the_head_noun_tells_equipment_from_the_material_it_is_made_of(label, key):
    assert classify_label(label)[0].key == key
    idx, _ = classify_labels([label])
    assert load_classes()[idx[0]].key == key


@pytest.mark.parametrize("label,key", [
    ("Plastic pellets", "mixed_plastics"),
    ("Plastic granules", "mixed_plastics"),
    ("PET pellets", "pet"),
    ("Rubber granules", "rubber_waste"),
    ("granulés de PEHD", "hdpe"),
    ("Iron ore pellets", "iron_ore"),
    # alone, or with wood, the form word still names wood pellets
    ("granulés de bois", "wood_pellets"),
    ("Wood pellets", "wood_pellets"),
])
def test_a_form_word_does_not_outweigh_the_material_it_is_made_of(label, key):
    matches = classify_label(label)
    assert matches[0].key == key
    if key != "wood_pellets":  # plastic pellets are no fuel for a pellet boiler
        assert "wood_pellets" not in [m.key for m in matches if m.confidence >= 0.5]
    # the same reading in the batch path (imports)
    pos, _ = classify_labels([label])
    assert load_classes()[int(pos[0])].key == key


@pytest.mark.parametrize("label,key", [
    ("Off-spec solvents", "spent_solvents"),
    ("Paint solvents", "spent_solvents"),
    ("Process heat", "waste_heat_low"),
    ("Heat from the incinerator", "waste_heat_low"),
])
def test_a_qualifier_does_not_outweigh_the_material_noun(label, key):
    assert classify_label(label)[0].key == key


@pytest.mark.parametrize("label,key", [
    ("Warm seawater", "waste_heat_low"),
    ("Heated seawater", "waste_heat_low"),
    ("Seawater", "water_process"),
    ("Process water", "water_process"),
])
def test_water_said_warm_is_heat_whatever_water_it_is(label, key):
    assert classify_label(label)[0].key == key
    pos, _ = classify_labels([label])
    assert load_classes()[int(pos[0])].key == key


@pytest.mark.parametrize("label,key", [
    ("Treated waste water used as cooling water", "water_treated_wastewater"),
    ("Sewage sludge used as nutrient in bioremediation of contaminated soil", "sewage_sludge"),
    ("Basic oxygen furnace slag as aggregate", "steel_slag"),
    ("Wood for energy", "wood_untreated"),
])
def test_the_use_a_label_states_is_not_the_material(label, key):
    assert classify_label(label)[0].key == key
    pos, _ = classify_labels([label])
    assert load_classes()[int(pos[0])].key == key


def test_a_label_that_names_nothing_but_its_use_is_read_whole():
    from boucle.materials.classify import material_words

    assert material_words("Waste for recycling") == "Waste for recycling"
    assert material_words("paper as well as cardboard") == "paper as well as cardboard"
    assert material_words("Ash for landfill construction") == "Ash"


# Soiled or used washing water is an aqueous liquid waste (List of Waste 07 xx 01*, 12 03 01*, 16 07,
# 16 10 01*/02): collected by tanker, counted in tonnes; clean water keeps the water path.
@pytest.mark.parametrize("label", [
    "Eaux de lavage souillées", "eaux de lavage de cuves", "eaux de lavage des camions", "eau de lavage des sols",
    "eaux de lavage des pièces", "eaux de lavage usées", "dirty wash water", "spent wash water",
    "floor washing water", "Waschwasser verschmutzt", "verschmutztes Wasser", "Wasser aus der Tankreinigung",
    "contaminated water", "eaux souillées", "Eau de process souillée", "cooling water, contaminated",
    "eaux polluées",  # no longer polluted soil: water said soiled is still a liquid
])
def test_soiled_water_is_an_aqueous_liquid_waste(label):
    assert classify_label(label)[0].key == "aqueous_liquid_waste"
    positions, _conf = classify_labels([label])
    assert load_classes()[positions[0]].key == "aqueous_liquid_waste"
    # no reading as water anyone could take in is left among the alternatives
    assert not {m.key for m in classify_label(label)} & {"water_process", "water_cooling", "water_potable"}


@pytest.mark.parametrize("label,key", [
    ("eaux de lavage", "water_process"), ("wash water", "water_process"), ("eau de process", "water_process"),
    ("eau de refroidissement", "water_cooling"), ("cooling water", "water_cooling"), ("Kühlwasser", "water_cooling"),
    ("eaux de lavage de légumes", "wastewater_nutrient_rich"), ("eaux hydrocarburées", "oily_water"),
    ("emballages souillés", "contaminated_packaging"), ("contaminated soil", "soil_stones"),
    ("eaux salées", None),  # salted is not soiled (« salée » folds to « salee », not « sale »)
])
def test_clean_water_and_other_soiled_things_keep_their_reading(label, key):
    got = classify_label(label)[0].key
    if key is None:
        assert got != "aqueous_liquid_waste"
    else:
        assert got == key


def test_warm_soiled_water_stays_heat_and_its_code_still_decides():
    assert classify_label("eaux de lavage chaudes souillées 45 °C")[0].key == "waste_heat_low"
    assert classify_label("Eaux de lavage (07 06 01*)")[0].method == "ewc"


@pytest.mark.parametrize("label", ["eaux souillées d'hydrocarbures", "oil contaminated water",
                                   "ölverschmutztes Wasser", "ölhaltiges Waschwasser"])
def test_water_soiled_by_oil_is_oily_water(label):
    """List of Waste 13 05 07* oily water from oil/water separators, 16 07 08* wastes containing oil."""
    assert classify_label(label)[0].key == "oily_water"
    positions, _conf = classify_labels([label])
    assert load_classes()[positions[0]].key == "oily_water"


# Rinsing water of treated parts is the List of Waste's aqueous rinsing liquids (11 01 11*/11 01 12), a
# liquid waste, even where its words alone read as a site's effluent (« eaux de rinçage »).
@pytest.mark.parametrize("label", ["eaux de rinçage de pièces métalliques", "eaux de rinçage des pièces traitées",
                                   "eaux de rinçage usées", "rinse water from parts cleaning",
                                   "verschmutztes Spülwasser"])
def test_rinse_water_of_washed_parts_is_an_aqueous_liquid_waste(label):
    assert classify_label(label)[0].key == "aqueous_liquid_waste"
    positions, _conf = classify_labels([label])
    assert load_classes()[positions[0]].key == "aqueous_liquid_waste"


@pytest.mark.parametrize("label,key", [
    ("eaux de rinçage", "wastewater_industrial"), ("Spülwasser", "wastewater_industrial"),
    ("Schmutzwasser", "wastewater_industrial"),
    ("foul wastewater", "wastewater_industrial"), ("Schmutzwasser aus der Kantine", "wastewater_industrial"),
])
def test_used_water_words_read_as_wastewater_not_clean_water(label, key):
    """EN 16323 (Schmutzwasser = foul wastewater = eaux usées), Duden (Spülwasser)."""
    assert classify_label(label)[0].key == key
    positions, _conf = classify_labels([label])
    assert load_classes()[positions[0]].key == key


# "<material> from <process>": the material named first decides (List of Waste wording; English "from"/"of",
# French « issu(e)s de », « provenant de », German « aus »), the whole label choosing among its readings.
@pytest.mark.parametrize("label,key", [
    ("sugar from resin columns", "molasses"),
    ("glucose syrup from ion exchange resins", "molasses"),
    ("hydrogen from chlor-alkali electrolysis", "hydrogen"),
    ("sludge from the wastewater treatment plant", "industrial_wwtp_sludge"),
    ("ash from the plastics incinerator", "incineration_bottom_ash"),
    ("sucres issus de la régénération des résines", "molasses"),
    ("boues provenant du traitement des eaux usées", "industrial_wwtp_sludge"),
    ("Zuckersirup aus der Ionenaustauscherregeneration", "molasses"),
    # the whole label still chooses among the readings of the first words
    ("ash from wood combustion", "biomass_ash"), ("sludge from paper making", "paper_sludge"),
    ("Schlacke aus der Müllverbrennung", "incineration_bottom_ash"),
    # a piece or a form names no material alone: the whole label decides
    ("copeaux issus de l'usinage de l'aluminium", "aluminium_scrap"), ("offcuts of plastic", "mixed_plastics"),
])
def test_the_material_named_first_decides(label, key):
    assert classify_label(label)[0].key == key
    positions, _conf = classify_labels([label])
    assert load_classes()[positions[0]].key == key


def test_the_first_words_of_a_label_are_its_head_part():
    from boucle.materials.text import head_part

    assert head_part("sugar from resin columns") == "sugar"
    assert head_part("Sucres issus de la séparation") == "sucres"
    assert head_part("boues provenant du décanteur") == "boues"
    assert head_part("Schlacke aus dem Ofen") == "schlacke"
    assert head_part("big bags of fly ash from the boiler") == "fly ash"
    assert head_part("cendres volantes") is None and head_part("") is None and head_part(None) is None


# Words in parentheses or after « pour » say where a material goes (a need) or whence it comes (an offer), or
# a detail of it: an installation (chaufferie, chaudière, boiler, four, kiln) names no material. They choose
# among the readings of the words outside, never bring a material of another family.
@pytest.mark.parametrize("label,key,not_read_as", [
    # a need: recovered wood a biomass boiler burns is wood, not the ash of « cendres de chaufferie biomasse »
    ("Bois de récupération (chaufferie biomasse)", "wood_untreated", {"biomass_ash"}),
    ("Bois de récupération pour chaufferie biomasse", "wood_untreated", {"biomass_ash"}),
    ("Recovered wood (biomass boiler)", "wood_untreated", {"biomass_ash", "equipment_boiler"}),
    ("Plaquettes (chaudière)", "biomass_wood_chips", {"equipment_boiler", "bottom_ash"}),
    ("Sciure (four à chaux)", "sawdust_shavings", {"lime", "kiln_dust"}),
    # an offer: the installation it comes from still chooses among the readings of « cendres »
    ("Cendres (chaufferie biomasse)", "biomass_ash", {"biomass_wood_chips"}),
])
def test_a_use_or_an_installation_in_brackets_is_no_material(label, key, not_read_as):
    readings = [m.key for m in classify_label(label)]
    assert readings[0] == key and not set(readings) & not_read_as
    positions, _conf = classify_labels([label])
    assert load_classes()[positions[0]].key == key


@pytest.mark.parametrize("label,also", [
    ("Chutes de métaux non ferreux (cuivre)", "copper_scrap"),  # a detail of the same family stays
    ("Refus de tri combustibles (CSR)", "refuse_derived_fuel"),  # an acronym in brackets is a name of it
    ("Chaleur de récupération pour le réseau de chaleur", "hot_water"),
    ("Industrial gases (carbon dioxide)", "co2_gas"),  # a bracket without an installation may name the material
])
def test_brackets_that_say_more_of_the_same_material_keep_their_reading(label, also):
    assert also in [m.key for m in classify_label(label)]


def test_the_french_possessive_son_is_no_bran():
    """« son » is bran (Regulation 68/2013) only beside a grain: « Ferraille de son chantier » is scrap, not bran."""
    from boucle.materials.classify import classify_label

    assert classify_label("Ferraille de son chantier", top=1)[0].key == "steel_scrap"
    assert classify_label("Emballages de son magasin", top=1)[0].key == "packaging_mixed"
    assert classify_label("Son de blé", top=1)[0].key == "bran"
    assert classify_label("Sons de céréales", top=1)[0].key == "bran"
