"""An anonymous company's exact activity code does not come out of the suppliers search, whatever the query.

Company A (a private cement plant, 23.51Z) is « Entreprise anonyme » to company B and to the facilitator of
another territory. The search used to list it only for the codes it matched: searching 23.51Z, then 23.52Z,
then 23.61Z… told B which subclass A declared, one query at a time. Now an anonymous row is listed when its
NAF division answers the query, and carries the division and nothing finer: the rows B gets are the same
whether A declared 23.51Z or 23.61Z, for every query. Who sees A in full keeps the exact search.
"""

import csv
import io
import json
import re

import pytest

NEAR = "50.70,3.15"
QUERIES = ["naf=23.51Z", "naf=23.61Z", "naf=23.5", "naf=23"]
HIDE_A = ("member_b", "facilitator_other")
SEE_A = ("member_a", "facilitator_t")


def _api_rows(client, query):
    response = client.get(f"/api/sourcing/search?{query}&near={NEAR}&radius_km=50")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _page(client, query, fmt=""):
    mode, q = query.split("=")
    response = client.get(f"/fournisseurs/?mode={mode}&q={q}&near={NEAR}&radius_km=50" + (f"&format={fmt}" if fmt else ""))
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def _anonymous_outputs(client) -> dict:
    """What the reader gets of anonymous rows, per query and output (API, page row, CSV row)."""
    out = {}
    for query in QUERIES:
        out[query, "api"] = [r for r in _api_rows(client, query) if r["shown"] == "anonymous"]
        page = _page(client, query)
        groups = page.split('id="anonymes"')[1]  # the page counts them by intercommunality, division and band
        out[query, "page"] = [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr>(.*?)</tr>", groups, re.S)]
        table = list(csv.reader(io.StringIO(_page(client, query, "csv")), delimiter=";"))
        out[query, "csv"] = [row for row in table if row and row[0] == "Entreprise anonyme"]
    return out


def _declare(site, code):
    site.naf_id = code
    site.save(update_fields=["naf_id"])


@pytest.mark.parametrize("persona", HIDE_A)
def test_two_codes_of_one_division_give_the_same_anonymous_rows(world, as_persona, persona):
    client = as_persona(persona)
    a = world.sites["A"]
    seen = {}
    for code in ("23.51Z", "23.61Z"):
        _declare(a, code)
        seen[code] = _anonymous_outputs(client)
    assert seen["23.51Z"] == seen["23.61Z"]
    # and each query lists it, as its division only (the test would pass vacuously on empty results)
    for query in QUERIES:
        [row] = seen["23.51Z"][query, "api"]
        assert row["naf"] == "23" and row["reason"] == "division" and row["name"] == "Entreprise anonyme"
        assert "23.5" not in json.dumps(row) and "23.6" not in json.dumps(row) and "ciment" not in json.dumps(row)
        assert "23.51" not in "".join(seen["23.51Z"][query, "page"] + sum(seen["23.51Z"][query, "csv"], []))
        # counted once, with no area (the only cement works of its region: ``territories.secrecy``)
        assert any(">—<" in row and ">1<" in row for row in seen["23.51Z"][query, "page"])


@pytest.mark.parametrize("persona", HIDE_A)
def test_a_material_search_says_the_division_only(world, as_persona, persona):
    """A material's producers and users are a set of codes; an anonymous row answers by its division, with the
    same words as for a code search."""
    rows = [r for r in as_persona(persona).get(f"/api/sourcing/search?material=fly_ash&near={NEAR}&radius_km=50").json()
            if r["shown"] == "anonymous" and r["naf"] == "23"]  # (B's power station, 35, gives fly ash off)
    by_code = [r for r in _api_rows(as_persona(persona), "naf=23") if r["shown"] == "anonymous"]
    assert rows == by_code and len(rows) == 1


@pytest.mark.parametrize("persona", SEE_A)
def test_who_sees_the_plant_keeps_the_exact_search(world, as_persona, persona):
    client = as_persona(persona)
    assert [r["naf"] for r in _api_rows(client, "naf=23.51Z")] == ["23.51Z"]
    assert _api_rows(client, "naf=23.61Z") == []
    assert "Usine Alphaciment" not in _page(client, "naf=23.61Z")


def test_directory_entries_answer_by_their_own_code(world, as_persona):
    """The public SIRENE directory is not widened: a 23.51Z entry is no answer to 23.61Z."""
    from boucle.testing import make_site

    entry = make_site("Cimenterie du répertoire", lat=50.69, lon=3.16, commune="59009", naf="23.51Z")
    entry.source = "sirene"
    entry.save()
    client = as_persona("member_b")
    assert "Cimenterie du répertoire" in [r["name"] for r in _api_rows(client, "naf=23.51Z")]
    assert "Cimenterie du répertoire" not in [r["name"] for r in _api_rows(client, "naf=23.61Z")]


def test_the_division_s_anonymous_companies_do_not_crowd_out_the_exact_code(world, as_persona):
    """``limit`` counts named establishments and anonymous companies apart: A, nearer, does not push the
    directory's 23.51Z entry out of a one-row answer."""
    from boucle.testing import make_site

    entry = make_site("Cimenterie du répertoire", lat=50.60, lon=3.30, commune="59009", naf="23.51Z")
    entry.source = "sirene"
    entry.save()
    rows = as_persona("member_b").get(f"/api/sourcing/search?naf=23.51Z&near={NEAR}&radius_km=50&limit=1").json()
    assert sorted(r["name"] for r in rows) == ["Cimenterie du répertoire", "Entreprise anonyme"]


def test_an_anonymous_visitor_gets_nothing(world, as_persona):
    client = as_persona("anonymous")
    assert client.get(f"/api/sourcing/search?naf=23.51Z&near={NEAR}&radius_km=50").status_code == 401
    response = client.get(f"/fournisseurs/?mode=naf&q=23.51Z&near={NEAR}&radius_km=50&format=csv")
    assert response.status_code == 302 and b"Entreprise anonyme" not in response.content


def test_the_anonymous_row_in_english(world, as_persona):
    [row] = [r for r in as_persona("member_b").get(f"/api/sourcing/search?naf=23.51Z&near={NEAR}&radius_km=50",
                                                   HTTP_ACCEPT_LANGUAGE="en").json() if r["shown"] == "anonymous"]
    assert row["why"].startswith("division 23") and "after both sides agree to meet" in row["why"]
