"""GS1 key URIs collapse to one constrained Digital Link (what the hash and queries compare)."""

import pytest

from boucle.epcis.gs1keys import check_digit, normalise_gs1_uri


@pytest.mark.parametrize("digits, expected", [
    ("0301234512345", "7"),        # GTIN-14 body
    ("401234500001", "6"),         # GLN body
    ("04012345000000333", "8"),    # SSCC body (sscc:4012345.0000000333)
])
def test_gs1_mod10_check_digit(digits, expected):
    assert check_digit(digits) == expected


@pytest.mark.parametrize("uri", [
    "urn:epc:id:sgtin:3012345.012345.A1",
    "https://id.gs1.org/01/03012345123457/21/A1",
    "https://id.gs1.org/gtin/03012345123457/ser/A1",
    "http://brand.example.com/products/01/3012345123457/21/A1?linkType=gs1:pip",
    "https://id.gs1.org/01/03012345123457/22/V2/10/LOT9/21/A1",
])
def test_every_spelling_of_one_serialised_item_gives_the_same_uri(uri):
    assert normalise_gs1_uri(uri) == "https://id.gs1.org/01/03012345123457/21/A1"


@pytest.mark.parametrize("uri", [
    "http://transaction.acme.com/po/12345678",
    "urn:epcglobal:cbv:bt:5200001000008:4711",
    "geo:50.94,6.92",
    "urn:epc:id:sgtin:123.45.6",            # company prefix + item ref is not 13 digits
    "https://example.com/01/not-a-gtin",
    "plain text",
])
def test_anything_else_is_left_untouched(uri):
    assert normalise_gs1_uri(uri) == uri


def test_sgln_extension_zero_means_the_location_itself():
    assert normalise_gs1_uri("urn:epc:id:sgln:3012345.00001.0") == "https://id.gs1.org/414/3012345000017"
    assert normalise_gs1_uri("urn:epc:id:sgln:3012345.00001.7") == \
        "https://id.gs1.org/414/3012345000017/254/7"
