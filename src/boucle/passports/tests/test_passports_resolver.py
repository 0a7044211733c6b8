"""The GS1-Conformant resolver over HTTP, and the QR code that leads a phone to the page."""

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

from boucle.gs1 import parse_digital_link
from boucle.gs1.linkset import linkset_errors, withdrawn_link_types
from boucle.gs1.qr import qr_code, qr_svg

from passports_world import GTIN

LINKSET = "application/linkset+json"


def _decoder():
    """The colleague's test-only QR reader (a phone's view of the symbol)."""
    path = Path(__file__).resolve().parents[2] / "gs1" / "tests" / "gs1_qr_decoder.py"
    spec = importlib.util.spec_from_file_location("passports_qr_decoder", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.decode


def test_default_link_is_a_307_to_the_public_page(client, world):
    response = client.get(f"/01/{GTIN}/10/L2026A/21/42")
    assert response.status_code == 307
    assert response["Location"] == f"http://testserver/passeports/{world.item.handle}/"
    assert 'rel="linkset"' in response["Link"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_levels_resolve_to_their_own_passport(client, world):
    assert client.get(f"/01/{GTIN}")["Location"].endswith(f"/passeports/{world.model.handle}/")
    assert client.get(f"/01/{GTIN}/10/L2026A")["Location"].endswith(f"/passeports/{world.batch.handle}/")
    assert client.get("/8004/952012345ASSET1")["Location"].endswith(f"/passeports/{world.asset.handle}/")
    assert client.get(f"/01/{GTIN}/10/L2026A/21/42/")["Location"].endswith(f"/passeports/{world.item.handle}/")
    assert client.get(f"/01/{GTIN}/21/43")["Location"].endswith(f"/passeports/{world.item2.handle}/")  # lot omitted
    # an unknown lot: the model's page, told which lot and serial were scanned
    assert client.get(f"/01/{GTIN}/10/OTHER/21/43")["Location"].endswith(
        f"/passeports/{world.model.handle}/?lot=OTHER&serie=43")


def test_link_type_selects_a_link_and_query_string_is_passed_on(client, world):
    response = client.get(f"/01/{GTIN}/10/L2026A/21/42?linkType=gs1:dpp&lang=fr&utm=x")
    assert response.status_code == 307
    target = urlsplit(response["Location"])
    assert target.path == f"/passeports/{world.item.handle}.json"
    assert target.query == "lang=fr&utm=x"
    response = client.get(f"/01/{GTIN}/10/L2026A/21/42?linkType=https://ref.gs1.org/voc/instructions")
    assert response["Location"].endswith(f"/passeports/{world.item.handle}/#repair")
    assert client.get(f"/01/{GTIN}?src=qr")["Location"].endswith("/?src=qr")


def test_linkset_by_query_and_accept_validates_against_gs1_schema(client, world):
    by_query = client.get(f"/01/{GTIN}/10/L2026A/21/42?linkType=linkset")
    by_accept = client.get(f"/01/{GTIN}/10/L2026A/21/42", HTTP_ACCEPT=LINKSET)
    for response in (by_query, by_accept):
        assert response.status_code == 200
        assert response["Content-Type"].startswith(LINKSET)
        doc = response.json()
        assert linkset_errors(doc) == []
        anchors = [ctx["anchor"] for ctx in doc["linkset"]]
        # every level up to the primary key is included (model, batch, item)
        assert anchors == [f"http://testserver/01/{GTIN}", f"http://testserver/01/{GTIN}/10/L2026A",
                           f"http://testserver/01/{GTIN}/10/L2026A/21/42"]
        relations = {rel for ctx in doc["linkset"] for rel in ctx if rel.startswith("https://ref.gs1.org/voc/")}
        assert {"https://ref.gs1.org/voc/pip", "https://ref.gs1.org/voc/dpp",
                "https://ref.gs1.org/voc/defaultLink"} <= relations
        assert not {"gs1:" + r.rsplit("/", 1)[1] for r in relations} & withdrawn_link_types()


def test_bad_syntax_is_400_and_unknowns_are_404(client, world):
    bad_check_digit = GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)
    response = client.get(f"/01/{bad_check_digit}")
    assert response.status_code == 400 and "clé de contrôle incorrecte" in response.json()["error"]
    assert client.get(f"/01/{GTIN}?linkType=gs1:recallStatus").status_code == 404
    assert client.get(f"/01/{GTIN}?linkType=gs1:repairInfo").status_code == 404  # withdrawn by GS1
    assert client.get("/01/09520123456702").status_code == 404  # valid, unknown GTIN
    assert client.get("/8004/952099999").status_code == 404


def test_head_options_and_cors(client, world):
    head = client.head(f"/01/{GTIN}/10/L2026A/21/42")
    assert head.status_code == 307 and head["Location"].endswith(f"/passeports/{world.item.handle}/")
    assert head.content == b""
    options = client.options(f"/01/{GTIN}")
    assert options.status_code == 204
    assert "OPTIONS" in options["Allow"] and options["Access-Control-Allow-Origin"] == "*"
    assert client.post(f"/01/{GTIN}").status_code == 405


def test_resolver_description(client, world):
    response = client.get("/.well-known/gs1resolver")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    doc = response.json()
    assert doc["resolverRoot"] == "http://testserver"
    assert set(doc["supportedPrimaryKeys"]) == {"01", "8004"}
    active = doc["activeLinkTypes"]["en"]
    assert "gs1:dpp" in active and "gs1:sustainabilityInfo" in active
    assert not set(active) & withdrawn_link_types()


def test_qr_code_leads_through_the_resolver_to_the_public_page(client, world):
    svg = client.get(f"/passeports/{world.item.handle}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    payload = f"http://testserver/01/{GTIN}/10/L2026A/21/42"
    assert svg.content.decode() == qr_svg(payload, scale=4)  # the served symbol encodes the payload...
    assert _decoder()(qr_code(payload)).decode() == payload  # ...which is what a phone reads
    assert dict(parse_digital_link(payload)) == {"01": GTIN, "10": "L2026A", "21": "42"}
    png = client.get(f"/passeports/{world.item.handle}/qr.png")
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert client.get(f"/passeports/{world.item.handle}/qr.gif").status_code == 404  # not a PNG named GIF
    scanned = client.get(urlsplit(payload).path, follow=True)
    assert scanned.status_code == 200
    assert scanned.redirect_chain[0][1] == 307
    assert "Perceuse P-42" in scanned.content.decode()


def test_platform_identifier_is_not_a_gs1_key_and_resolves(client, world):
    data = client.get(f"/passeports/{world.local.handle}.json").json()
    assert data["identifier"]["gs1"] is False
    assert data["identifier"]["scan_uri"] == f"http://testserver/p/{world.local.handle}"
    response = client.get(f"/p/{world.local.handle}?src=qr")
    assert response.status_code == 307 and response["Location"] == f"/passeports/{world.local.handle}/?src=qr"
    assert client.get(f"/p/{world.item.handle}").status_code == 404  # GS1 passports resolve by their key
    assert b"/p/" in client.get(f"/passeports/{world.local.handle}/qr.svg").content


def test_label_sheet_of_a_batch_lists_its_items(client, world):
    html = client.get(f"/passeports/{world.batch.handle}/etiquettes/").content.decode()
    assert html.count("<svg") == 2
    assert f"/01/{GTIN}/10/L2026A/21/42" in html and f"/01/{GTIN}/10/L2026A/21/43" in html


def _compressed_path(uncompressed: str) -> str:
    from boucle.gs1 import compress_digital_link

    return urlsplit(compress_digital_link("http://testserver" + uncompressed)).path


def test_compressed_digital_link_is_answered_like_its_uncompressed_form(client, world):
    for uncompressed in (f"/01/{GTIN}/10/L2026A/21/42", f"/01/{GTIN}", "/8004/952012345ASSET1"):
        short = _compressed_path(uncompressed)
        assert short.count("/") == 1 and len(short) < len(uncompressed)
        direct, compressed = client.get(uncompressed), client.get(short + "?src=qr")
        assert compressed.status_code == 307, (short, compressed.status_code)
        assert compressed["Location"] == direct["Location"] + "?src=qr"
        assert compressed["Access-Control-Allow-Origin"] == "*"
    linkset = client.get(_compressed_path(f"/01/{GTIN}/10/L2026A/21/42"), HTTP_ACCEPT=LINKSET).json()
    assert linkset["linkset"][-1]["anchor"] == f"http://testserver/01/{GTIN}/10/L2026A/21/42"


def test_compressed_route_never_hides_a_page_nor_answers_garbage(client, world):
    assert client.get("/zzzzzzzz").status_code == 404  # decompresses to no GS1 key
    assert client.post(_compressed_path(f"/01/{GTIN}")).status_code == 405
    response = client.get("/carte")  # a page without its slash: the usual redirect, not a 404
    assert response.status_code == 301 and response["Location"] == "/carte/"
    assert client.get("/carte/").status_code in (200, 302)  # the page itself still answers
