"""``GET /api/sourcing/search``: who sees which establishment, and bad queries named."""

import pytest

URL = "/api/sourcing/search?naf=23.51Z&near=50.63,3.06&radius_km=50"


def _names(response):
    assert response.status_code == 200, response.content[:300]
    return [r["name"] for r in response.json()]


def test_private_company_is_anonymised_for_others_and_shown_to_its_members(world, as_persona):
    a = world.sites["A"]
    mine = as_persona("member_a").get(URL).json()
    assert [r["site_id"] for r in mine] == [a.site_id] and mine[0]["on_platform"]
    for persona in ("member_b", "facilitator_other"):
        body = as_persona(persona).get(URL)
        rows = body.json()
        assert len(rows) == 1 and rows[0]["site_id"] is None and rows[0]["name"] == "Entreprise anonyme"
        assert "Alphaciment" not in body.content.decode() and a.site_id not in body.content.decode()
    assert _names(as_persona("facilitator_t").get(URL)) == ["Usine Alphaciment"]


def test_published_company_and_directory_entries_are_shown(world, as_persona):
    from boucle.testing import make_site

    a = world.sites["A"]
    a.company.published = True
    a.company.save()
    sirene = make_site("Cimenterie du répertoire", lat=50.7, lon=3.1, naf="23.51Z")
    sirene.source = "sirene"
    sirene.save()
    rows = {r["name"]: r for r in as_persona("member_b").get(URL).json()}
    assert rows["Usine Alphaciment"]["on_platform"] and rows["Cimenterie du répertoire"]["site_id"] == sirene.site_id


@pytest.mark.parametrize("query,words", [("naf=99.99&near=50.6,3.0&radius_km=10", "38.32Z"),
                                          ("naf=23&near=commune:00000&radius_km=10", "commune:INSEE"),
                                          ("naf=23&near=50.6,3.0&radius_km=0", "greater than 0")])
def test_bad_queries_are_422_with_what_is_accepted(world, as_persona, query, words):
    response = as_persona("member_a").get("/api/sourcing/search?" + query)
    assert response.status_code == 422 and words in response.json()["detail"][0]["msg"]


def test_anonymous_is_refused(world, as_persona):
    assert as_persona("anonymous").get(URL).status_code == 401


PAGE = "/fournisseurs/?mode=naf&q=23.51&near=50.63,3.06&radius_km=50"


def test_page_shows_results_by_persona_and_map_data(world, as_persona):
    body = as_persona("member_b").get(PAGE).content.decode()
    assert "Entreprises anonymes" in body and "Alphaciment" not in body and "sourcing-markers" in body
    assert "Usine Alphaciment" in as_persona("facilitator_t").get(PAGE).content.decode()
    assert as_persona("anonymous").get(PAGE).status_code == 302


def test_page_bad_query_names_what_is_accepted(world, as_persona):
    body = as_persona("member_a").get("/fournisseurs/?mode=naf&q=99.99&near=50.63,3.06&radius_km=50").content.decode()
    assert "38.32Z" in body


def test_shortlist_exports_neutralise_formulas(world, as_persona):
    from boucle.testing import make_site

    evil = make_site("=HYPERLINK(\"http://x\")", lat=50.64, lon=3.07, naf="23.51Z")
    evil.source = "sirene"
    evil.save()
    csv_body = as_persona("member_a").get(PAGE + "&format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_body and "Usine Alphaciment" in csv_body
    xlsx = as_persona("member_b").get(PAGE + "&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK" and b"Alphaciment" not in xlsx.content


def test_page_in_english(world, as_persona):
    client = as_persona("member_a")
    body = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nearby suppliers" in body


def test_need_without_proposal_offers_suppliers_nearby(world, as_persona):
    from boucle.sourcing.services import material_keys
    from boucle.testing import make_flow

    assert "fly_ash" in material_keys()
    a = world.sites["A"]
    lonely = make_flow(a, "Gypse recherché", direction="need", material_class="fly_ash")
    from django.urls import reverse

    body = as_persona("member_a").get(reverse("site-flows", args=[a.pk])).content.decode()
    link = f"near=site%3A{a.site_id}"
    assert body.count(link) == 1  # the need with a proposal (a_need_ash) gets none, the lonely one does
    assert lonely.label in body


def test_a_private_site_is_no_starting_point_for_who_may_not_see_it(world, as_persona):
    """``near=site:SIRET`` centred the search on a private site's exact place and printed its name: distances
    from it to directory entries (exact positions) locate it. Its own members and facilitators still may."""
    a = world.sites["A"]
    search = f"/api/sourcing/search?naf=35.11Z&near=site:{a.site_id}&radius_km=50"
    swap = f"/api/sourcing/substitutes?material=primary_steel&near=site:{a.site_id}&radius_km=50"
    page = f"/fournisseurs/?mode=naf&q=35.11&near=site:{a.site_id}&radius_km=50"
    for persona in ("member_b", "facilitator_other"):
        client = as_persona(persona)
        for url in (search, swap):
            response = client.get(url)
            assert response.status_code == 422 and "Alphaciment" not in response.content.decode(), (persona, url)
        body = client.get(page).content.decode()
        assert "inconnu" in body and "Alphaciment" not in body
    for persona in ("member_a", "facilitator_t"):
        assert as_persona(persona).get(search).status_code == 200
        assert as_persona(persona).get(swap).json()["near"].startswith("Usine Alphaciment")


def test_an_anonymised_site_s_distance_is_a_band(world, as_persona):
    """Metre distances from three chosen points give a private site's place back (trilateration): a band."""
    for near in ("50.63,3.06", "50.70,3.00", "50.60,3.20"):
        url = f"/api/sourcing/search?naf=23.51Z&near={near}&radius_km=50"
        hidden = as_persona("member_b").get(url).json()[0]
        assert hidden["site_id"] is None and hidden["distance_km"] is None and hidden["distance"].endswith(" km")
        assert hidden["distance"].startswith(("< ", "> ")) or "–" in hidden["distance"], hidden
        shown = as_persona("member_a").get(url).json()[0]
        assert shown["distance_km"] != round(shown["distance_km"])  # its own members keep the metre
        page = as_persona("member_b").get(f"/fournisseurs/?mode=naf&q=23.51&near={near}&radius_km=50&format=csv")
        assert f";{shown['distance_km']};" not in page.content.decode("utf-8-sig").replace(",", ".")


def test_small_circles_find_an_anonymised_site_only_at_its_grid_cell(world, as_persona):
    """Whether a site falls within a 50 m radius, circles moved around it would pin it down: for who may
    not see it, it is found at the centre of its grid cell (``coarse.grid_point``: 50.625, 3.075), not where
    it is (50.631917, 3.057256)."""
    exact = "/api/sourcing/search?naf=23.51Z&near=50.631917,3.057256&radius_km=0.05"
    shown = "/api/sourcing/search?naf=23.51Z&near=50.625,3.075&radius_km=0.05"
    assert as_persona("member_b").get(exact).json() == []
    assert [r["name"] for r in as_persona("member_b").get(shown).json()] == ["Entreprise anonyme"]
    assert [r["name"] for r in as_persona("member_a").get(exact).json()] == ["Usine Alphaciment"]
    assert as_persona("member_a").get(shown).json() == []
