import pytest

from boucle.gs1 import GS1Error
from boucle.gs1.linkset import (
    build_linkset,
    link_types,
    linkset_errors,
    normalize_link_type,
    validate_linkset,
    withdrawn_link_types,
)
from gs1_vectors import load

GTIN_URI = "https://id.gs1.org/01/09506000164908"
SERIAL_URI = "https://id.gs1.org/01/09506000164908/21/1234"


@pytest.mark.parametrize("name", ["valid-gs1-example.json", "modelLinkset.json"])
def test_valid_examples_pass(name):
    validate_linkset(load(name))


@pytest.mark.parametrize("name", ["invalid-gs1-example.json", "valid-basic-example.json", "invalid-basic-example.json"])
def test_invalid_examples_fail(name):
    # valid-basic-example.json lacks itemDescription: valid RFC 9264, not a GS1 linkset.
    assert linkset_errors(load(name))
    with pytest.raises(GS1Error, match="linkset invalide"):
        validate_linkset(load(name))


def test_vocabulary_is_loaded_with_circular_economy_types():
    assert len(link_types()) == 60
    for curie in ("gs1:dpp", "gs1:sustainabilityInfo", "gs1:instructions", "gs1:traceability", "gs1:epcis"):
        assert normalize_link_type(curie) == curie


@pytest.mark.parametrize("curie", sorted(["gs1:recyclingInfo", "gs1:repairInfo", "gs1:disassemblyInfo", "gs1:productPassport"]))
def test_withdrawn_circular_types_are_refused(curie):
    assert curie in withdrawn_link_types()
    with pytest.raises(GS1Error, match="retiré"):
        normalize_link_type(curie)


def test_deprecated_and_unknown_types_are_refused():
    with pytest.raises(GS1Error, match="obsolète"):
        normalize_link_type("gs1:productSustainabilityInfo")
    with pytest.raises(GS1Error, match="inconnu"):
        normalize_link_type("gs1:noSuchThing")


def test_namespace_spellings_normalise():
    assert normalize_link_type("https://ref.gs1.org/voc/pip") == "gs1:pip"
    assert normalize_link_type("https://gs1.org/voc/pip") == "gs1:pip"
    assert normalize_link_type("http://www.gs1.org/voc/pip") == "gs1:pip"


def _links():
    return [
        {"link_type": "gs1:pip", "href": "https://example.org/p", "title": "Product", "hreflang": "fr", "default": True, "anchor": GTIN_URI},
        {"link_type": "gs1:sustainabilityInfo", "href": "https://example.org/s", "title": "Durabilité", "type": "text/html", "anchor": GTIN_URI},
        {"link_type": "https://ref.gs1.org/voc/dpp", "href": "https://example.org/dpp/1234", "title": "DPP", "type": "application/ld+json"},
    ]


def test_built_linkset_validates_and_has_levels_in_order():
    doc = build_linkset(SERIAL_URI, _links())
    validate_linkset(doc)
    gtin, serial = doc["linkset"]
    assert gtin["anchor"] == GTIN_URI and serial["anchor"] == SERIAL_URI
    assert gtin["https://ref.gs1.org/voc/defaultLink"] == [{"href": "https://example.org/p", "title": "Product"}]
    assert gtin["https://ref.gs1.org/voc/pip"][0]["hreflang"] == ["fr"]
    assert serial["https://ref.gs1.org/voc/dpp"][0]["href"] == "https://example.org/dpp/1234"
    assert "GTIN 09506000164908" in gtin["itemDescription"]


def test_build_refuses_bad_links():
    with pytest.raises(GS1Error, match="retiré"):
        build_linkset(GTIN_URI, [{"link_type": "gs1:repairInfo", "href": "https://x.org", "title": "t", "default": True}])
    with pytest.raises(GS1Error, match="titre"):
        build_linkset(GTIN_URI, [{"link_type": "gs1:pip", "href": "https://x.org", "title": "", "default": True}])
    with pytest.raises(GS1Error, match="par défaut"):
        build_linkset(GTIN_URI, [{"link_type": "gs1:pip", "href": "https://x.org", "title": "t"}])
    with pytest.raises(GS1Error, match="plus d'un lien par défaut"):
        build_linkset(GTIN_URI, [{"link_type": "gs1:pip", "href": "https://x.org", "title": "t", "default": True}] * 2)
    with pytest.raises(GS1Error):
        build_linkset("https://id.gs1.org/01/09506000164909", [])
