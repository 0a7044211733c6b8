from boucle.gs1.linkset import validate_linkset
from boucle.gs1.resolver import resolve

GTIN = "https://id.gs1.org/01/09506000164908"
LINKS = [
    {"anchor": GTIN, "link_type": "gs1:pip", "href": "https://shop.example/en", "title": "Product", "hreflang": ["en"], "default": True},
    {"anchor": GTIN, "link_type": "gs1:pip", "href": "https://shop.example/fr", "title": "Produit", "hreflang": ["fr"]},
    {"anchor": GTIN, "link_type": "gs1:sustainabilityInfo", "href": "https://shop.example/s", "title": "Sustainability"},
    {"anchor": GTIN + "/21/1234", "link_type": "gs1:dpp", "href": "https://dpp.example/1234", "title": "DPP"},
]


def test_redirects_to_default_link_and_advertises_linkset():
    d = resolve("https://resolver.example/01/09506000164908", LINKS)
    assert (d.status, d.location) == (307, "https://shop.example/en")
    assert 'rel="linkset"' in d.headers["Link"]


def test_default_link_is_inherited_by_more_specific_identifiers():
    d = resolve("https://resolver.example/01/09506000164908/10/LOT1/21/99", LINKS)
    assert (d.status, d.location) == (307, "https://shop.example/en")


def test_link_type_selection_language_and_query_forwarding():
    d = resolve("https://r.example/01/09506000164908?linkType=gs1:pip&src=qr", LINKS, accept_language="fr-FR,fr;q=0.9")
    assert (d.status, d.location) == (307, "https://shop.example/fr?src=qr")
    d = resolve("https://r.example/01/09506000164908/21/1234", LINKS, link_type="https://gs1.org/voc/dpp")
    assert d.location == "https://dpp.example/1234"


def test_missing_or_unknown_link_type_is_404():
    assert resolve(GTIN + "?linkType=gs1:dpp", LINKS).status == 404  # only at serial level
    assert resolve(GTIN + "?linkType=gs1:recyclingInfo", LINKS).status == 404
    assert resolve(GTIN + "/21/5", [LINKS[2]]).status == 404  # no default anywhere up the tree


def test_bad_syntax_is_400_with_reason():
    d = resolve("https://r.example/01/09506000164909", LINKS)
    assert d.status == 400 and d.body["code"] == "gs1.check-digit" and "clé de contrôle" in d.body["error"]


def test_linkset_by_keyword_or_accept_header_includes_every_level():
    for d in (
        resolve(GTIN + "/21/1234?linkType=linkset", LINKS),
        resolve(GTIN + "/21/1234", LINKS, link_type="all"),
        resolve(GTIN + "/21/1234", LINKS, accept="application/linkset+json"),
    ):
        assert d.status == 200 and d.media_type == "application/linkset+json"
        validate_linkset(d.body)
        assert [c["anchor"] for c in d.body["linkset"]] == [GTIN, GTIN + "/21/1234"]


def test_trailing_slash_is_tolerated():
    assert resolve("https://r.example/01/09506000164908/", LINKS).status == 307


def test_compressed_uri_is_resolved_and_exposes_its_uncompressed_form():
    links = [{"anchor": "https://id.gs1.org/01/09506000134376", "link_type": "gs1:pip", "href": "https://x.example/", "title": "P", "default": True}]
    d = resolve("https://r.example/ARFKk4XB0CDKWcnpq", links)  # /01/09506000134376/10/LOT01
    assert (d.status, d.location) == (307, "https://x.example/")
    assert '<https://r.example/01/09506000134376/10/LOT01>; rel="owl:sameAs"' in d.headers["Link"]


def test_default_link_gives_way_to_same_type_in_the_requested_language():
    d = resolve(GTIN, LINKS, accept_language="fr")
    assert d.location == "https://shop.example/fr"
    d = resolve(GTIN, LINKS, accept_language="de")  # nothing better: the default
    assert d.location == "https://shop.example/en"
    d = resolve(GTIN + "?linkType=gs1:defaultLink", LINKS)
    assert d.location == "https://shop.example/en"


def test_context_keyword_selects_among_links_of_a_type():
    links = LINKS + [
        {"anchor": GTIN, "link_type": "gs1:sustainabilityInfo", "href": "https://shop.example/s-fr", "title": "S", "context": ["FR"]}
    ]
    assert resolve(GTIN + "?linkType=gs1:sustainabilityInfo&context=FR", links).location.startswith("https://shop.example/s-fr")
    assert resolve(GTIN + "?linkType=gs1:sustainabilityInfo", links).location == "https://shop.example/s"
