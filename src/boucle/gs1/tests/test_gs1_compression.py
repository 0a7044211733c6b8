import pytest

from boucle.gs1 import GS1Error, parse_digital_link
from boucle.gs1.compression import decompress_digital_link, value_format
from gs1_vectors import load

VECTORS = load("dl-compression-vectors.json")


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["compressed"] for c in VECTORS["cases"]])
def test_decompression_vectors(case):
    assert decompress_digital_link(case["compressed"]) == case["uncompressed"]


def test_decompressed_uri_parses():
    uri = decompress_digital_link("https://id.gs1.org/AREjalurbiAUO-cgohCz45Z67b8A")
    assert parse_digital_link(uri) == [("01", "09421902960055"), ("10", "2010005828"), ("21", "xyz1234")]


def test_formats_follow_gs1_compression_table():
    # Consecutive numeric components form one number, trailing optional ones one variable number.
    assert value_format("8003") == (("N", True, 14), ("X", False, 16))
    assert value_format("423") == (("N", True, 3), ("N", False, 12))
    assert value_format("8006") == (("N", True, 18),)


@pytest.mark.parametrize("uri", ["https://id.gs1.org/A", "https://id.gs1.org/not*base64", "https://id.gs1.org/ARHK"])
def test_garbage_is_refused(uri):
    with pytest.raises(GS1Error):
        decompress_digital_link(uri)
