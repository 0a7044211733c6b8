"""German compounds read by their last known part (issue 11, compounds round).

A German waste label is often one word: the Grundwort says what the thing is (« -schlamm », « -späne », « -staub »),
the Bestimmungswort what it is of or how it was made (AVV titles: « Schleif-, Hon- und Läppschlämme » 12 01 18*,
« Sieb- und Rechenrückstände » 19 08 01, « Eisenfeil- und -drehspäne » 12 01 01). When the first part is a word
we do not know, its letters must not decide: the label is read by its Grundwort, less surely than a named material.
"""
from boucle.flows.importers import classify_many
from boucle.materials.classify import COMPOUND_HEAD_CONFIDENCE, classify_label


def _read(label):
    return classify_many([(label, None)])[0]


def test_residues_of_a_treatment_are_not_digestate():
    # « Gärrückstände » (digestate) shares the Grundwort only; the first part names a sorting line
    assert _read("Sortierrückstände")[0] == "sorting_residues"
    assert _read("Schredderrückstände")[0] != "digestate"


def test_machining_words_say_how_metal_was_worked_not_what_it_is():
    for label in ("Bohrspäne", "Frässpäne", "Feilspäne"):
        assert _read(label)[0] == "mixed_metals_scrap", label   # not drilling mud, not sawdust
    assert _read("Schleifschlamm")[0] == "industrial_wwtp_sludge"  # a sludge, not paint sludge


def test_unknown_first_part_gives_the_head_class_with_lower_confidence():
    key, conf = _read("Produktionsabwasser")
    assert key == "wastewater_industrial" and conf == COMPOUND_HEAD_CONFIDENCE
    assert conf < _read("Abwasser")[1]
    # the single-label path (flow pages, the matching) says the same
    assert classify_label("Prozessabwasser")[0].key == "wastewater_industrial"
    assert _read("Ofenschlacke")[0] == "steel_slag"   # AVV 10 09 03, not aluminium dross


def test_a_known_last_element_or_first_word_decides():
    assert _read("Steinkohlenflugasche")[0] == "fly_ash"     # « Flugasche », not any ash
    assert _read("Holzschleifstaub")[0] == "wood_untreated"  # the wood is named: no metal dust
    assert _read("Holzasche")[0] == "biomass_ash"            # a known first part keeps its reading
    assert _read("Aluminiumspäne")[0] == "aluminium_scrap"
    assert _read("Kupfer Frässpäne")[0] == "copper_scrap"    # another word names the metal


def test_eszett_is_ss():
    assert _read("Gießereisand")[0] == "foundry_sand"
