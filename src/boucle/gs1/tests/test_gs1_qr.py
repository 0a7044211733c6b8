import xml.etree.ElementTree as ET

import pytest

from boucle.gs1 import GS1Error, build_digital_link
from boucle.gs1.qr import qr_code, qr_png, qr_svg
from gs1_qr_decoder import decode

URI = build_digital_link([("01", "09520123456788"), ("10", "ABC1"), ("21", "12345"), ("17", "251231")])


def test_symbol_carries_exactly_the_uri_at_level_m_or_better():
    qr = qr_code(URI)
    assert decode(qr) == URI.encode("ascii")
    assert qr.error in ("M", "Q", "H")


def test_long_uri_with_custom_stem_round_trips():
    uri = build_digital_link(
        [("01", "09520123456788"), ("10", "L" * 20), ("21", "S" * 20), ("99", "a/b%c")], "https://example.org/some/prefix"
    )
    qr = qr_code(uri)
    assert qr.version >= 7  # exercises the version-information areas
    assert decode(qr).decode() == uri


def test_svg_is_a_titled_svg_document_of_the_same_symbol():
    svg = qr_svg(URI, scale=2)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert URI.replace("&", "&amp;") in svg or URI in ET.tostring(root, encoding="unicode")
    size = len(qr_code(URI).matrix)
    assert int(float(root.get("width"))) == (size + 8) * 2  # 4-module quiet zone on each side


def test_png_is_a_png():
    png = qr_png(URI)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("payload", ["hello", "https://example.org/01/09520123456789", "https://example.org/page"])
def test_non_dl_payload_is_refused(payload):
    with pytest.raises(GS1Error):
        qr_svg(payload)
    assert decode(qr_code(payload, validate=False)) == payload.encode()
