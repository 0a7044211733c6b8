"""A site known only by its name is read in the language of its park.

Held-out parks are anywhere in Europe, and their sites are often only a name in the local
language: « Cementownia Warta », "Nordjyllandsværket", "Raahen Voima", "RWZI Terneuzen". The
sector words of those names are read to the activity they name; a person's name, a town or a
company name is not a trade.
"""

import csv

import pytest

from boucle.matching.evaluate import CODES_CSV, HEAVY_CSV, MAESTRI_CSV, PROCESS_CSV, read_rows
from boucle.matching.knowledge import naf
from boucle.matching.knowledge.naf import name_to_naf, normalise


def _codes(name):
    return [code for code, _ in name_to_naf(name)]


@pytest.mark.parametrize("name, code", [
    # Dutch
    ("RWZI Terneuzen", "37.00"), ("Cosun suikerfabriek", "10.81"), ("Attero stortplaats", "38.21"),
    ("Warmtekrachtcentrale Amercentrale", "35.11"), ("Zuivelfabriek De Kempen", "10.51"),
    # Danish, with its æ and ø
    ("Nordjyllandsværket", "35"), ("Renseanlæg Aalborg Vest", "37.00"), ("Aalborg Vandværket", "36.00"),
    ("Ørsted Asnæs kraftværk", "35.11"), ("Aalborg Forsyning fjernvarme", "35.30"), ("Vestforbrænding", "38.21"),
    # Norwegian and Swedish
    ("Mongstad kraftverk", "35.11"), ("Sunndal aluminiumsverk", "24.42"), ("LuleKraft", "35"),
    ("Luleå Energi fjärrvärme", "35.30"), ("Stora Enso pappersbruk", "17.12"), ("Henriksdals reningsverk", "37.00"),
    ("Reningsverket Göteborg", "37.00"), ("Kalundborg Teglværket", "23.32"),  # the definite form
    # Finnish
    ("Raahen Voima", "35"), ("Finnsementti Raahe", "23.51"), ("Kemin sellutehdas", "17.11"),
    ("Oulun Energia", "35"),
    # Spanish, Italian, Portuguese
    ("Depuradora de Sevilla", "37.00"), ("Central de Ciclo Combinado Castejón", "35.11"),
    ("Cartiera di Verona", "17.12"), ("Termovalorizzatore di Brescia", "38.21"), ("Caseificio Sociale", "10.51"),
    ("Refinaria de Sines", "19.20"), ("ETAR de Alcântara", "37.00"),
    # Polish and Czech, with ł and their accents
    ("Cementownia Warta", "23.51"), ("Elektrownia Bełchatów", "35.11"), ("Huta Katowice", "24"),
    ("Grupa Azoty", "20.15"), ("Cukrownia Werbkowice", "10.81"), ("Huta Szkła Jarosław", "23.1"),
    ("Teplárna Strakonice", "35.30"), ("Pivovar Plzeň", "11.05"),
    # German and English
    ("Abwasserentsorgung Köln", "37.00"), ("Fernheizkraftwerk Nord", "35.30"), ("Swentibold CHP Geleen", "35.11"),
    ("SABIC olefins Geleen", "20.14"), ("Müller Entsorgung GmbH", "38"),
    # the energy utility in French and German, like "energy", « energi », « energia »
    ("Énergie du Nord", "35"), ("Energieversorgung Nordhausen", "35"), ("Bioenergie Nord", "35"),
    # German trade words of the WZ 2008 labels
    ("Gerberei Weinheim", "15.11"), ("Druckerei Nord", "18.12"), ("Weberei Nord", "13.20"), ("Färberei Nord", "13.30"),
    ("Großbäckerei Nord", "10.71"), ("Keramik Nord", "23.4"), ("Céramique du Nord", "23.4"),
    ("Kunststoffwerk Nord", "22.2"), ("Wasserstoff Nord", "20.11"), ("Gesenkschmiede Nord", "25.50"),
    ("Feuerverzinkerei Nord", "25.61"), ("Baumwollspinnerei Nord", "13.10"), ("Kiesgrube Nord", "08.12"),
    ("Sondermaschinenbau Nord", "28"), ("Reifenwerk Nord", "22.11"), ("Lackfabrik Nord", "20.30"),
    # French trade words of the NAF labels
    ("Minoterie du Nord", "10.61"), ("Féculerie du Nord", "10.62"), ("Biscuiterie du Nord", "10.72"),
    ("Tonnellerie du Nord", "16.24"), ("Gravière du Nord", "08.12"), ("Déchetterie du Nord", "38.11"),
])
def test_sector_words_of_a_name_are_read_in_its_language(name, code):
    codes = _codes(name)
    assert code in codes, (name, name_to_naf(name))
    assert all(c.startswith(code[:2]) for c in codes), (name, name_to_naf(name))  # and nothing else


def test_letters_without_a_decomposition_are_written_as_their_languages_transliterate_them():
    assert normalise("Nordjyllandsværket") == "nordjyllandsvaerket"
    assert normalise("Elektrownia Bełchatów") == "elektrownia belchatow"
    assert normalise("Ørsted Ærøskøbing") == "orsted aeroskobing"
    assert normalise("Œuvre Þórshöfn Đakovo") == "oeuvre thorshofn dakovo"


def test_a_compound_is_read_by_its_longest_known_ending():
    assert _codes("Aalborg Vandværket") == ["36.00"]  # waterworks, though it ends with "værket" too
    assert _codes("Nordteglværket") == ["23.32"]  # a brickworks: "teglværket" is longer than "værket"
    assert _codes("Fernheizkraftwerk Nord") == ["35.30"]  # heating, though it ends with "kraftwerk" too
    assert "35" not in _codes("Suomen Työvoima Oy")  # workforce, a staffing firm, not power


@pytest.mark.parametrize("name", [
    "Kraft", "Skellefteå Kraft", "Lars Kraft Nielsen", "Kraft Heinz",  # "-kraft" only ends a compound
    "Jan Kowalski", "Maria Serra", "Anders Jensen", "Établissement Dupont", "Établissements Martin",
    "Terneuzen", "Kokkola", "Raahe", "Bełchatów", "Aalborg", "Porvoo",
])
def test_a_person_a_town_or_a_bare_firm_is_not_read_as_a_trade(name):
    assert name_to_naf(name) == []


@pytest.mark.parametrize("name, code", [
    ("Kraftwerk Nord", "35.11"), ("Großkraftwerk Mitte", "35.11"),  # Kraftwerk: a power station
    # kraft is a paper grade in English and French (PRODCOM 17.12.3 kraftliner, sack kraft paper), Kraftpapier in
    # German; a bare German « Kraft » (force; Kraftstoff fuel, Kraftfahrzeug motor vehicle) names no trade
    ("Papeterie kraft du Nord", "17.12"), ("Nord Kraft Paper", "17.12"), ("Kraftpapier Nord", "17.12"),
    ("Kraftliner Nord", "17.12"), ("Kraft pulp mill", "17.11"), ("Kraft Nord", None), ("Kraftstoff Nord", None),
])
def test_kraft_is_read_as_power_only_in_kraftwerk_and_as_paper_only_with_its_grade(name, code):
    assert _codes(name)[:1] == ([code] if code else []), name_to_naf(name)


BARE_FIRMS = ["Aalborg Portland", "Borealis", "Akzo Nobel", "Michelin", "SSAB Luleå", "Yara Sluiskil",
              "Boliden Kokkola", "Kemira Pori", "Elkem Rana", "Solvay Dombasle", "Südzucker Zeitz",
              "Skellefteå Kraft", "Sembcorp Wilton", "Fertiberia Huelva", "CropEnergies Zeitz",
              "Metsä Board Äänekoski"]


def test_company_names_of_the_development_sets_are_not_read_as_trades():
    names = {r[c].strip() for path in (MAESTRI_CSV, PROCESS_CSV, HEAVY_CSV, CODES_CSV) for r in read_rows(path)
             for c in ("provider_company", "receiver_company") if c in r}
    assert set(BARE_FIRMS) <= names
    assert {n: name_to_naf(n) for n in BARE_FIRMS if name_to_naf(n)} == {}


CLASSIFICATIONS = {"en": "NACE", "fr": "NAF", "de": "WZ 2008", "nl": "SBI 2008", "da": "DB07", "no": "SN2007",
                   "sv": "SNI 2007", "fi": "TOL 2008", "es": "CNAE-2009", "it": "ATECO 2007", "pt": "CAE-Rev.3",
                   "pl": "PKD 2007", "cs": "CZ-NACE", "ja": "JSIC", "zh": "GB/T 4754", "ko": "KSIC", "ru": "OKVED 2"}


def test_every_phrase_names_a_nace_code_and_cites_a_general_source():
    with (naf.DATA / "activity_phrases.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    codes = set(naf.nace_titles())
    assert {r["lang"] for r in rows} <= set(CLASSIFICATIONS)
    assert [r["phrase"] for r in rows if r["naf_code"] not in codes] == []
    assert [r["phrase"] for r in rows if not r["source"].startswith(("NACE", "NAF", "CN", "HS/CN"))] == []
    # a phrase of another language names its national classification (or the CN for a product)
    assert [r["phrase"] for r in rows if r["lang"] not in ("en", "fr")
            and CLASSIFICATIONS[r["lang"]] not in r["source"] and not r["source"].startswith(("CN", "HS/CN"))] == []


def test_an_activity_typed_in_english_is_not_read_as_a_near_word_of_another_language():
    # a near spelling stands for a misspelt English, French or German word only
    assert not any(c.startswith("17") for c in [c for c, _ in naf.activity_to_naf("Carboxymethyl cellulose production")])
    assert "20.15" not in [c for c, _ in naf.activity_to_naf("Central térmica de Aboño")]  # a place, not « abonos »
    assert naf.activity_to_naf("Brikworks") == [("23.32", 0.8)]  # an English misspelling is still read


# --------------------------------------------------------------------------- names round (2026-12-07 s14)
@pytest.mark.parametrize("name, code", [
    # the legal forms that fix a farm's activity (Code rural L323-1 GAEC; D.Lgs. 99/2004 società agricola;
    # D.Lgs. 228/2001 cooperative agricole; Real Decreto 1776/1981 SAT)
    ("GAEC des Trois Chênes", "01"), ("SCEA du Haut Pré", "01"), ("CUMA de la Vallée", "01.61"),
    ("A.R.P. Soc. Agr. Coop.", "01"), ("Opoe Cons. Coop. Agr. PA", "01"), ("Az. Agr. Rossi", "01"),
    ("Società Agricola Verdi", "01"), ("Cooperativa Agraria San Isidro", "01"),
    ("Sociedad Agraria de Transformación Los Llanos", "01"),
    # trade words and standard abbreviations
    ("Mangimi Di Pasquale", "10.91"), ("Ichihara Ecocement", "23.51"), ("Stolt Sea Farm Iceland", "03.21"),
    ("Shikoku auto recycler", "38.31"), ("Dunkerque LNG", "52.21"), ("Nordwald PCC plant", "20.13"),
    ("Bioteknisk Jordrens", "39.00"), ("Nordisk Jordrensning", "39.00"), ("Bodensanierung Nord", "39.00"),
    ("Bodemsanering Zuid", "39.00"), ("Marksanering Syd", "39.00"),
    ("Northfield WWTP", "37.00"), ("Riverside EfW", "38.21"), ("Veolia MRF Southwark", "38.32"),
    ("Kehrichtverbrennungsanlage Zürich", "38.21"), ("ISDND de Bellegarde", "38.21"), ("UVE de Lunel", "38.21"),
    ("Casse Auto du Nord", "38.31"), ("Boulangerie Paul", "10.71"), ("Salaisons du Mâconnais", "10.13"),
])
def test_a_name_s_legal_form_trade_word_or_abbreviation_says_its_activity(name, code):
    assert code in _codes(name), (name, name_to_naf(name))


def test_a_sucrerie_known_by_its_name_only_takes_what_a_sugar_factory_takes():
    from boucle.matching.knowledge.infer import infer_needs

    needs = {n.class_key for n in infer_needs(None, None, "Sucrerie de Toury")}
    assert {"lime", "limestone"} <= needs  # lime kiln and juice purification (EU BREF FDM 2019)
    assert "molasses" not in needs  # what it releases, not what it takes


def test_the_unit_kva_of_an_electrical_trade_is_no_incinerator():
    # « KVA » (Kehrichtverbrennungsanlage) is not read: it is the kVA of transformers and generators
    assert not [c for c, _ in naf.activity_to_naf("Transformateurs 630 kVA") if c.startswith("38")]
    assert name_to_naf("Groupes électrogènes 500 kVA") == []


def test_a_company_name_alone_gives_no_activity():
    from boucle.matching.knowledge.infer import infer_needs, site_codes

    for name in ("Dupont SA", "Plastica Alfa", "Barilla S.p.A.", "Earl Grey Ltd"):
        assert site_codes(None, None, name) == (), name
        assert infer_needs(None, None, name) == [], name


def test_a_digester_named_beside_the_fuel_it_makes_takes_manure():
    from boucle.matching.knowledge.infer import infer_needs

    assert "35.21" in _codes("E3 Biofuels digester")
    assert "manure" in {n.class_key for n in infer_needs(None, None, "E3 Biofuels digester")}


def test_an_ecocement_plant_named_only_takes_incineration_ash():
    from boucle.matching.knowledge.infer import infer_needs

    needs = {n.class_key for n in infer_needs(None, None, "Ichihara Ecocement")}
    assert "fly_ash" in needs


@pytest.mark.parametrize("name, code", [
    ("Sucreries du Littoral de Pont d'Ardres", "10.81"), ("Papeteries Sill", "17.12"), ("briqueteries du nord", "23.32"),
    ("Malteries Franco Belges", "11.06"), ("CARTONNERIES de GONDARDENNES", "17.21"),
])
def test_a_french_trade_in_erie_is_read_in_the_plural_too(name, code):
    assert code in _codes(name), (name, name_to_naf(name))


def test_english_plurals_in_ies_are_read_as_before():
    assert _codes("Breweries Ltd") == ["11.05"]
    assert name_to_naf("Batteries Nord") == [] and name_to_naf("Séries limitées") == []


def test_waste_words_of_a_name_are_not_read_as_a_civic_amenity_site():
    # « déchèterie » was tried beside « déchetterie » and dropped: its stem is « déchet », and every name or
    # activity saying « déchets » was read as a civic amenity site (38.11)
    assert "38.11" not in _codes("Installation de stockage de déchets d'Hersin-Coupigny")
    assert "38.11" not in _codes("Centre de tri des déchets valorisables")


def test_a_power_in_mva_after_a_number_is_no_incinerator_but_the_abbreviation_alone_is():
    # « MVA » is both the Müllverbrennungsanlage of German names and the megavolt-ampere of a transformer's rating
    assert not [c for c, _ in name_to_naf("Poste source 2 x 36 MVA") if c.startswith("38")]
    assert not [c for c, _ in name_to_naf("Centrale 12 MW") if c.startswith("38")]
    assert [c for c, _ in name_to_naf("MVA Bielefeld-Herford") if c.startswith("38.21")]


# --------------------------------------------------------------------------- names round 2 (2026-12-07 s15)
@pytest.mark.parametrize("name, code", [
    # German, Italian, Spanish trade words read since earlier rounds
    ("Papierfabrik Hainsberg", "17.12"), ("Zuckerfabrik Zeitz", "10.81"), ("Acciaieria Arvedi", "24.10"),
    ("Cementos Portland Valderrivas", "23.51"), ("Brauerei Beck", "11.05"), ("Molkerei Ammerland", "10.51"),
    # Japanese trade words, romanised (Hepburn), as Japanese firms' names carry them (JSIC titles)
    ("Nippon Seitetsu Kimitsu", "24.10"), ("Kobe Seikosho", "24.10"), ("Oji Seishi Tomakomai", "17.12"),
    ("Mitsui Kagaku Ichihara", "20"), ("Kansai Denryoku Nanko Hatsudensho", "35.11"), ("Taiheiyo Semento", "23.51"),
    ("Meiji Nyugyo", "10.51"), ("Nisshin Seifun", "10.61"), ("Asahi Biru Ibaraki", "11.05"),
    ("Naoshima Seirensho", "24.4"),
    # English trade words of the NACE titles and notes
    ("Nobian Delfzijl salt plant", "08.93"), ("Sequal Lumber Kawerau", "16.10"), ("Prato knitwear maker", "14.39"),
    ("Prato garnetting mill", "13.10"), ("Prato rag sorting firm", "38.32"), ("Hawaii Gas Kapolei SNG plant", "35.21"),
    ("Granite polishing facilities", "23.70"), ("Agricultural seeds production", "01.64"),
    ("Naoshima intermediate treatment facility", "38.21"),
])
def test_trade_words_of_a_name_in_more_languages(name, code):
    assert _codes(name)[:1] == [code], name_to_naf(name)


@pytest.mark.parametrize("name, code", [
    ("Particle board producer", "16.21"), ("Chipboard mill", "16.21"), ("OSB mill", "16.21"),
    ("Tableros de fibras del Norte", "16.21"), ("Holzwerkstoffwerke Nord", "16.21"),
    ("City of Prince George district energy", "35.30"), ("KVA Hinwil", "38.21"), ("AVI Amsterdam", "38.21"),
    ("Kehrichtverwertungsanlage Zürich", "38.21"), ("Serrería Gallega", "16.10"), ("Conservas Ortiz", "10.39"),
    ("Granja avícola La Loma", "01.47"), ("Suinicultura do Vale", "01.46"), ("Cartonajes Lantero", "17.21"),
    ("Filatura di Biella", "13.10"), ("Lavanderia Industrial", "96.01"), ("Industrias Cárnicas del Sur", "10.13"),
    ("Autodemolizione Rossi", "38.31"), ("Curtidos Badia", "15.11"), ("Savonnerie de Marseille", "20.41"),
    ("Couvoir de Bretagne", "01.47"), ("Schweinemast Meyer", "01.46"), ("Rechenzentrum Frankfurt", "63.11"),
    ("Krankenhaus Nord", "86.10"), ("Asphaltmischanlage Süd", "23.99"), ("Vergärungsanlage Lemgo", "35.21"),
])
def test_trade_words_of_the_national_classifications_are_read_in_names(name, code):
    assert code in [c for c, _ in name_to_naf(name)]


def test_kva_after_a_number_is_a_transformer_rating_and_words_that_are_places_or_brands_stay_unread():
    assert not name_to_naf("Transformateurs 630 kVA")
    assert "20.15" not in [c for c, _ in name_to_naf("Central térmica de Aboño")]  # « abono » is not read
    assert not name_to_naf("Plastica Alfa") and not name_to_naf("Bodega Torres")
