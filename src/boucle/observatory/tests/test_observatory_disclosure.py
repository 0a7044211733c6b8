"""The public never learns one company's quantities: pages, API function and exports alike.

Three EPCIs declare slag: the MEL with 2 companies (517 + 313 t), Arras with 3 of which
one makes 91 % (887 + 41 + 43 t), Dunkerque with 3 balanced ones (311 + 293 + 277 t).
Only Dunkerque's total (881 t) may be published.
"""

import argparse
import csv
import io
import json

import pytest
from django.urls import reverse

from boucle.observatory import commands
from boucle.observatory.queries import territory_indicators
from boucle.territories.refs import resolve

pytestmark = pytest.mark.django_db
MEL, ARRAS, DUNKERQUE = "200093201", "200033579", "245900428"
CASES = {MEL: ("59350", [517, 313]), ARRAS: ("62041", [887, 41, 43]), DUNKERQUE: ("59183", [311, 293, 277])}
SECRET_NUMBERS = ["517", "313", "830", "887", "971"]


@pytest.fixture
def slag(db):
    from boucle.testing import make_flow, make_site

    for epci, (commune, quantities) in CASES.items():
        for i, q in enumerate(quantities):
            site = make_site(f"Site {epci}-{i}", commune=commune)
            make_flow(site, "Laitier", quantity=q, unit="t", material_class="slag")


def _slag(doc):
    rows = [r for r in doc["flows"] if r["material_class"] == "slag"]
    return rows[0]["quantity"] if rows else "absent"


@pytest.mark.parametrize("epci, expected", [(MEL, None), (ARRAS, None), (DUNKERQUE, 881.0)])
def test_observatory_api_function_applies_the_rule(slag, epci, expected):
    ref = resolve(f"epci:{epci}")
    assert _slag(territory_indicators(ref, public=True)) == expected
    assert _slag(territory_indicators(ref, public=False)) == sum(CASES[epci][1])  # facilitators see all
    assert territory_indicators(ref, public=True)["flows"][0]["companies"] is None


def test_observatory_public_page_and_map_show_only_disclosed(slag, client):
    page = client.get(reverse("observatory:public")).content.decode()
    assert "881" in page
    for secret in SECRET_NUMBERS:
        assert secret not in page, secret
    geo = client.get(reverse("observatory:public-epci") + "?indicateur=offers_t").json()
    values = {f["properties"]["code"]: f["properties"]["value"] for f in geo["features"]}
    assert values == {MEL: None, ARRAS: None, DUNKERQUE: 881.0}


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_observatory_public_open_data_file_shows_only_disclosed(slag, client, fmt):
    body = client.get(reverse("observatory:public-export", args=[fmt])).content.decode()
    if fmt == "geojson":  # coordinates are digits too: look at the figures only
        body = json.dumps([f["properties"] for f in json.loads(body)["features"]])
    assert "881" in body
    for secret in SECRET_NUMBERS:
        assert secret not in body, secret


def test_observatory_cli_public_export_shows_only_disclosed(slag, tmp_path):
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers())
    for epci, expected in ((MEL, ""), (ARRAS, ""), (DUNKERQUE, "881.0")):
        out = tmp_path / f"{epci}.csv"
        args = parser.parse_args(["export", "--territory", f"epci:{epci}", "--public", "--output", str(out)])
        assert args.func(args) == 0
        rows = list(csv.DictReader(io.StringIO(out.read_text())))
        total = [r for r in rows if r["territory_level"] == "epci" and r["material_class"] == "slag"
                 and r["indicator"] == "declared_quantity"]
        assert total[0]["value"] == expected
        for secret in SECRET_NUMBERS:
            assert f",{secret}.0" not in out.read_text()
    out = tmp_path / "geo.geojson"
    args = parser.parse_args(["export", "--territory", "departement:59", "--public", "--format", "geojson",
                              "--output", str(out)])
    assert args.func(args) == 0
    props = {f["properties"]["code"]: f["properties"] for f in json.loads(out.read_text())["features"]}
    assert props[MEL]["offers_t"] is None and props[DUNKERQUE]["offers_t"] == 881.0
