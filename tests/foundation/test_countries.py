"""Countries as people write them in an import file (``boucle.reference.countries``)."""

import pycountry
import pytest

from boucle.reference.countries import country_code

EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()


def test_every_iso_code_names_its_own_country():
    for country in pycountry.countries:
        assert country_code(country.alpha_2) == country.alpha_2
        assert country_code(country.alpha_3.lower()) == country.alpha_2


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_eu_member_is_found_by_its_name_in_french_and_german(language):
    import gettext

    translate = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
    for code in EU:
        name = pycountry.countries.get(alpha_2=code).name
        assert country_code(name) == code
        assert country_code(translate(name).upper()) == code, translate(name)


@pytest.mark.parametrize("text, code", [("Côte d’Ivoire", "CI"), ("ÉTATS-UNIS", "US"), ("Grande-Bretagne", "GB"),
                                        ("UK", "GB"), ("EL", "GR"), ("  belgië ", "BE")])
def test_everyday_forms(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["", "Atlantis", "XX", "Europe"])
def test_no_country(text):
    assert country_code(text) is None
