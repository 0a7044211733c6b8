"""Trade words of German and French activity descriptions and names read as their NACE classes (WZ 2008 and
NAF rev. 2 titles): a mill alone is a grain mill, its compounds name the other mills; a joinery makes builders'
joinery and furniture; a rendering plant is read as rendering."""

import pytest

from boucle.matching.knowledge.naf import activity_to_naf, name_to_naf


def _codes(found):
    return {code for code, _conf in found}


@pytest.mark.parametrize("words,codes", [
    ("Mühle", {"10.61"}), ("Getreidemühle", {"10.61"}), ("Sägemühle", {"16.10"}), ("Papiermühle", {"17.12"}),
    ("Ölmühle", {"10.41"}), ("Holzmühle", {"16.10"}), ("Schneidemühle", {"16.10"}), ("Brettmühle", {"16.10"}),
    ("Hefefabrik", {"10.89"}),
    ("Tischlerei", {"16.23", "31.09"}), ("Schreinerei", {"16.23", "31.09"}), ("Möbeltischlerei", {"31.09"}),
    ("Zimmerei", {"43.91"}), ("Konservenfabrik", {"10.39"}), ("Fischkonservenfabrik", {"10.20"}),
    ("Fleischwarenfabrik", {"10.13"}), ("Mischfutterwerk", {"10.91"}),
    ("Tierkörperbeseitigungsanstalt", {"10.41", "10.91"}),
    ("équarrissage", {"10.41", "10.91"}), ("charcuterie", {"10.13"}), ("salaisons", {"10.13"}),
    ("conserverie", {"10.39"}), ("scierie", {"16.10"}), ("menuiserie", {"16.23"}), ("fonderie", {"24.5"}),
])
def test_trade_words_read_as_their_classes(words, codes):
    assert _codes(activity_to_naf(words)) == codes


@pytest.mark.parametrize("name,codes", [
    ("Tischlerei Meier", {"16.23", "31.09"}),  # a joinery named after its owner
    ("Kunstmühle Oberdorf", {"10.61"}),        # a compound ending in -mühle is a mill of grain
    ("Sägemühle am Bach", {"16.10"}),          # the longest known ending decides: the sawmill
    ("Équarrissage de l'Ouest", {"10.41", "10.91"}),
])
def test_names_with_trade_words_give_the_trade(name, codes):
    assert _codes(name_to_naf(name)) == codes


def test_a_mill_in_a_surname_or_a_word_without_a_trade_stays_unread():
    assert name_to_naf("Müller GmbH") == []
    assert activity_to_naf("Mühlenstraße 3") == [] or "10.61" not in _codes(name_to_naf("Mühlenstraße 3"))


def test_a_compound_end_written_once_is_read_for_both_words():
    """« Bau- und Möbeltischlerei » is a Bautischlerei and a Möbeltischlerei (Ergänzungsstrich, Duden D 31)."""
    assert _codes(activity_to_naf("Bau- und Möbeltischlerei")) == {"16.23", "31.09"}
    assert _codes(activity_to_naf("Kraft- und Heizwerk")) == _codes(activity_to_naf("Heizwerk"))
    assert activity_to_naf("Bau- und Möbel") == activity_to_naf("Bau und Möbel")  # no known end: words as written


@pytest.mark.parametrize("text", ["", "123456", "⚗️💧🔥", "x" * 5000, "Mühle-" * 1000, "- und -", "((((", "\u200b"])
def test_odd_activity_words_or_names_are_read_as_nothing_and_never_raise(text):
    assert activity_to_naf(text) == [] or text.startswith("Mühle")
    assert name_to_naf(text) == [] or text.startswith("Mühle")


@pytest.mark.parametrize("words", ["équarrissage", "Tierkörperbeseitigung", "usine d'équarrissage"])
def test_a_rendering_plant_in_french_or_german_takes_what_a_rendering_plant_takes(words):
    """The rendering scope (animal by-products and fish waste, no grains nor whey) holds in every language."""
    from boucle.matching.knowledge.infer import infer_needs

    def needs(text):
        return {n.class_key for n in infer_needs(None, text)}
    assert needs(words) == needs("rendering plant") and "animal_by_products" in needs(words)


@pytest.mark.parametrize("name, code", [("Holzmühle Berger", "16.10"), ("Alte Holzmühle", "16.10"),
                                        ("Backhefefabrik Krause", "10.89"), ("Hefefabrik Krause", "10.89")])
def test_a_wood_mill_or_a_yeast_works_in_a_site_name_is_read_as_its_trade(name, code):
    """« Holzmühle » is a works that cuts wood (Adelung, Mühle: Bret-, Schneide-, Sägemühle), not a grain mill."""
    assert _codes(name_to_naf(name)) == {code}
