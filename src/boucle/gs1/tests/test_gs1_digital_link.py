import pytest

from boucle.gs1 import CANONICAL_STEM, GS1Error, build_digital_link, parse_digital_link, parse_element_string
from gs1_vectors import dl_options, load

PARSE = load("dl-parse-vectors.json")["cases"]
GENERATE = load("dl-generate-vectors.json")["cases"]


@pytest.mark.parametrize("case", PARSE, ids=[f"{i}:{c['input'][:60]}" for i, c in enumerate(PARSE)])
def test_parse_vectors(case):
    options = dl_options(case["options"])
    if case["should_succeed"]:
        pairs = parse_digital_link(case["input"], **options)
        # Upstream says compare as a multiset; we also promise path first, then query order.
        assert pairs == [tuple(p) for p in case["expected_ai_pairs"]]
    else:
        with pytest.raises(GS1Error):
            parse_digital_link(case["input"], **options)


@pytest.mark.parametrize("case", GENERATE, ids=[f"{i}:{c['ai_data'][:60]}" for i, c in enumerate(GENERATE)])
def test_generate_vectors(case):
    options = dl_options(case["options"])
    unknown = options["permit_unknown_ais"]
    pairs = parse_element_string(
        case["ai_data"], check_associations=False, permit_unknown_ais=case["options"]["permit_unknown_ais"]
    )
    stem = case["stem"] or CANONICAL_STEM
    if case["should_succeed"]:
        uri = build_digital_link(pairs, stem, permit_unknown_ais=unknown)
        assert uri == case["expected"]
        assert sorted(set(parse_digital_link(uri, permit_unknown_ais=unknown))) == sorted(set(pairs))
    else:
        with pytest.raises(GS1Error):
            build_digital_link(pairs, stem, permit_unknown_ais=unknown)


def test_default_stem_and_stem_with_prefix():
    pairs = [("01", "09520123456788"), ("21", "12345"), ("10", "ABC1")]
    assert build_digital_link(pairs) == "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345"
    uri = build_digital_link(pairs, "https://example.org/some/prefix/")
    assert uri == "https://example.org/some/prefix/01/09520123456788/10/ABC1/21/12345"
    assert parse_digital_link(uri) == [("01", "09520123456788"), ("10", "ABC1"), ("21", "12345")]


def test_non_ai_query_parameters_are_not_pairs():
    uri = "https://example.org/01/09520123456788?linkType=gs1:pip&17=251231&context=fr"
    assert parse_digital_link(uri) == [("01", "09520123456788"), ("17", "251231")]


def test_values_are_percent_decoded_and_encoded():
    pairs = [("01", "09520123456788"), ("10", "A/B+C%")]
    uri = build_digital_link(pairs)
    assert uri == "https://id.gs1.org/01/09520123456788/10/A%2FB%2BC%25"
    assert parse_digital_link(uri) == pairs


@pytest.mark.parametrize(
    "uri, words",
    [
        ("https://id.gs1.org/01/09520123456789", ["(01)", "clé de contrôle"]),
        ("https://id.gs1.org/01/09520123456788/21/1/10/A", ["suite de qualificatifs", "22,10,21"]),
        ("https://id.gs1.org/01/09520123456788?17=251340", ["(17)", "mois"]),
        ("https://id.gs1.org/01/09520123456788?10=1", ["(10)", "chemin"]),
        ("https://id.gs1.org/01/09520123456788?21=1", ["(21)", "attribut"]),
        ("https://id.gs1.org/414/9520123456788?8200=x", ["(8200)", "attribut"]),
    ],
)
def test_errors_say_what_is_wrong(uri, words):
    with pytest.raises(GS1Error) as err:
        parse_digital_link(uri)
    for word in words:
        assert word in str(err.value)


def test_convenience_alphas_only_on_request():
    with pytest.raises(GS1Error):
        parse_digital_link("https://a/gtin/09520123456788/lot/ABC")
    assert parse_digital_link("https://a/gtin/09520123456788/lot/ABC", permit_convenience_alphas=True) == [
        ("01", "09520123456788"),
        ("10", "ABC"),
    ]
