"""The local suppliers search does not undo a private company's anonymity.

Company B (member_b) is offered a synergy with company A's plant, whose card says « Entreprise anonyme »,
its intercommunality and « 5–20 km ». The search used to list the same plant as « Établissement non public »
with its activity subclass, its distance to the kilometre and, in the CSV, its commune code: cross-read with
the card, that named the partner. Now each output (page, map data in the page, CSV, XLSX, API) gives B no
more than the card; A's members, the facilitators of A's territory and the administrator get it exactly.
"""

import html
import io
import json
import re
import zipfile

import pytest

from boucle.sourcing.engine import distances_km
from boucle.territories.coarse import distance_band
from boucle.web.words import distance_figure
from web_personas import forbidden_secrets

# around a point about 10 km from A's plant: far enough that the band is plainly « 5–20 km »
NEAR = "50.70,3.15"
PAGE = f"/fournisseurs/?mode=naf&q=23.51&near={NEAR}&radius_km=50"
API = f"/api/sourcing/search?naf=23.51&near={NEAR}&radius_km=50"
SUBSTITUTES = f"/api/sourcing/substitutes?material=fly_ash&near={NEAR.replace(' ', '')}&radius_km=50"
SEE_A = ("member_a", "admin_a", "facilitator_t", "superuser")
HIDE_A = ("member_b", "facilitator_other")


def _xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return html.unescape("\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")))


def _outputs(client) -> dict[str, str]:
    """Every output of the feature for one reader, as text."""
    page = client.get(PAGE)
    csv_body = client.get(PAGE + "&format=csv")
    xlsx = client.get(PAGE + "&format=xlsx")
    api = client.get(API)
    for response in (page, csv_body, xlsx, api):
        assert response.status_code == 200, response.content[:300]
    text = page.content.decode()
    markers = re.search(r'<script id="sourcing-markers" type="application/json">(.*?)</script>', text, re.S)
    return {"page": text, "map": markers.group(1), "csv": csv_body.content.decode("utf-8-sig"),
            "xlsx": _xlsx_text(xlsx.content), "api": json.dumps(api.json(), ensure_ascii=False)}


def _exact_km(site) -> float:
    lat, lon = (float(v) for v in NEAR.split(","))
    return float(distances_km(lat, lon, [site.lat], [site.lon])[0])


@pytest.mark.parametrize("persona", HIDE_A)
def test_who_may_not_see_the_plant_gets_no_more_than_its_synergy_card(world, as_persona, persona):
    a = world.sites["A"]
    client = as_persona(persona)
    outputs = _outputs(client)
    exact = _exact_km(a)
    commune = a.commune
    for name, text in outputs.items():
        leaked = [s for s in forbidden_secrets(world, persona) if s in text]
        assert not leaked, (persona, name, leaked)
        # the commune (code and name), the activity subclass, the distance to the 100 m or to the km
        for secret in (commune.insee, commune.name, "23.51Z", "Fabrication de ciment", "Établissement non public",
                       "entrée du répertoire"):  # the commune's name, not the intercommunality's that holds it
            assert secret not in text.replace("Métropole Européenne de Lille", ""), (persona, name, secret)
        if name != "map":
            assert distance_figure(exact) not in text and f"{exact:.1f}" not in text, (persona, name)
    assert "Alphaciment" not in outputs["map"] and json.loads(outputs["map"]) == []  # no place on the map
    for name in ("page", "csv", "xlsx"):
        one = "Entreprises anonymes" if name == "page" else "Entreprise anonyme"  # the page counts them by group
        assert one in outputs[name], name
        assert "5–20 km" in outputs[name], name
    [row] = json.loads(outputs["api"])
    assert row["site_id"] is None and row["commune"] is None and row["lat"] is None and row["lon"] is None
    # the only cement works of its region: no area is told, not even its intercommunality (``territories.secrecy``)
    assert row["area"] == "" and row["epci"] == ""
    assert row["distance_km"] is None and row["distance"] == "5–20 km" and row["naf"] == "23"
    assert row["on_platform"] is None and row["shown"] == "anonymous"


def test_the_search_says_no_more_than_the_partner_s_synergy_card(world, as_persona):
    """The same plant, read by its would-be partner on the synergy card and in the search: same words."""
    from boucle.web.present import synergy_card

    [row] = as_persona("member_b").get(API).json()
    card = synergy_card(world.users["member_b"], world.synergies["ab"])
    assert card["need"]["site"]["anonymous"] and card["need"]["site"]["label"] == row["name"]
    assert card["need"]["site"]["epci"] == row["epci"] and card["need"]["site"]["area"] == row["area"]
    assert card["distance"] == row["distance"] == "5–20 km"


@pytest.mark.parametrize("persona", SEE_A)
def test_its_own_company_and_its_territory_s_facilitators_see_it_exactly(world, as_persona, persona):
    a = world.sites["A"]
    outputs = _outputs(as_persona(persona))
    for name in ("page", "csv", "xlsx", "api", "map"):
        assert "Usine Alphaciment" in outputs[name], (persona, name)
    for name in ("csv", "xlsx", "api"):
        assert a.site_id in outputs[name] and a.commune.insee in outputs[name], (persona, name)
    assert distance_figure(_exact_km(a)) + " km" in outputs["page"]
    [marker] = json.loads(outputs["map"])
    assert (marker["lat"], marker["lon"]) == (a.lat, a.lon)
    [row] = json.loads(outputs["api"])
    assert row["distance_km"] == round(_exact_km(a), 3) and row["naf"] == "23.51Z" and row["shown"] == "open"


def test_anonymous_visitors_reach_no_output(world, as_persona):
    client = as_persona("anonymous")
    for url in (PAGE, PAGE + "&format=csv", PAGE + "&format=xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"] or "connexion" in response["Location"]
        assert b"Alphaciment" not in response.content
    assert client.get(API).status_code == 401 and client.get(SUBSTITUTES).status_code == 401


def test_once_both_sides_agreed_to_meet_the_partner_sees_the_plant(world, as_persona):
    from django.utils import timezone

    synergy = world.synergies["ab"]
    synergy.revealed_at = timezone.now()
    synergy.save(update_fields=["revealed_at"])
    [row] = as_persona("member_b").get(API).json()
    assert row["name"] == "Usine Alphaciment" and row["site_id"] == world.sites["A"].site_id
    # a third company learns nothing from the two meeting
    [row] = as_persona("facilitator_other").get(API).json()
    assert row["name"] == "Entreprise anonyme" and row["site_id"] is None


def test_substitutes_nearby_follow_the_same_rule(world, as_persona):
    """Who nearby offers a substitute (here A's plant, with a declared offer of it): anonymised for B as in the
    search, named for A's members."""
    from boucle.materials.substitution import documented_classes, substitutes_for
    from boucle.testing import make_flow

    material = sorted(documented_classes())[0]
    substitute = substitutes_for(material)[0].substitute_key
    make_flow(world.sites["A"], "Offre Alphaciment", material_class=substitute, quantity=10, unit="t")
    url = f"/api/sourcing/substitutes?material={material}&near={NEAR}&radius_km=50"
    body = as_persona("member_b").get(url)
    assert body.status_code == 200
    text = json.dumps(body.json(), ensure_ascii=False)
    assert not [s for s in forbidden_secrets(world, "member_b") if s in text] and "59350" not in text
    rows = [r for s in body.json()["substitutes"] if s["substitute"] == substitute for r in s["nearby"]]
    assert [(r["name"], r["distance"], r["distance_km"], r["lat"]) for r in rows] == [
        ("Entreprise anonyme", "5–20 km", None, None)]
    page = as_persona("member_b").get(f"/fournisseurs/substitutions/?material={material}&near={NEAR}&radius_km=50")
    assert "Entreprise anonyme" in page.content.decode() and "Alphaciment" not in page.content.decode()
    mine = as_persona("member_a").get(url).json()
    assert "Usine Alphaciment" in [r["name"] for s in mine["substitutes"] for r in s["nearby"]]


def test_directory_entries_stay_public_and_are_the_only_directory_entries(world, as_persona):
    """A SIRENE entry is the public directory: shown as it is, « entrée du répertoire SIRENE ». A site of
    the platform is never called that (it said so of a private company's plant, which was false)."""
    from boucle.testing import make_site

    sirene = make_site("Cimenterie du répertoire", lat=50.69, lon=3.16, commune="59009", naf="23.51Z")
    sirene.source = "sirene"
    sirene.save()
    rows = {r["name"]: r for r in as_persona("member_b").get(API).json()}
    assert rows["Cimenterie du répertoire"]["site_id"] == sirene.site_id
    assert rows["Cimenterie du répertoire"]["commune"] == "59009" and rows["Cimenterie du répertoire"]["shown"] == "directory"
    page = as_persona("member_b").get(PAGE).content.decode()
    assert page.count("entrée du répertoire SIRENE") == 1 and 'id="anonymes"' in page
    # a platform site without flows, read by its own member, is no directory entry either
    world.flows["a_need_ash"].synergies_as_need.all().delete()
    world.flows["a_need_ash"].delete()
    mine = as_persona("member_a").get(PAGE).content.decode()
    assert mine.count("entrée du répertoire SIRENE") == 1 and "site de la plateforme, sans flux déclaré" in mine


def test_the_page_in_english(world, as_persona):
    body = as_persona("member_b").get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anonymous companies" in body and "anonymous until both sides agree to meet" in body


def test_the_operator_s_command_line_keeps_the_exact_directory(world, capsys):
    """``boucle sourcing search`` runs on the server, for its operator, who reads the database anyway."""
    from boucle.cli import main

    assert main(["sourcing", "search", "--naf", "23.51", "--near", NEAR, "--radius-km", "50", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["name"] == "Usine Alphaciment" and row["commune"] == "59350" and "_why_division" not in row


def test_the_band_is_the_coarse_module_s(world, as_persona):
    """One coarsening: the band is ``territories.coarse.distance_band`` of the distance to the plant's grid cell."""
    from boucle.territories.coarse import grid_point

    a = world.sites["A"]
    lat, lon = grid_point(a.lat, a.lon)
    centre = [float(v) for v in NEAR.split(",")]
    [row] = as_persona("member_b").get(API).json()
    assert row["distance"] == distance_band(float(distances_km(*centre, [lat], [lon])[0]))


def test_synergy_api_gives_the_reader_s_own_quantity_exactly_and_the_partner_s_as_a_bracket(world, client):
    """The page read « 1 400 t/an » for one's own side while the API said « 1 000 à 10 000 »."""
    from boucle.web.present import synergy_card

    client.force_login(world.users["member_a"])
    synergy = world.synergies["ab"]
    card = client.get(f"/api/synergies/{synergy.pk}").json()
    page = synergy_card(world.users["member_a"], synergy)
    assert card["need"]["exact"] and card["need"]["quantity"] == 40000 and card["need"]["unit"] == "t"
    assert card["need"]["quantity_text"] == page["need"]["quantity_text"] and "40" in card["need"]["quantity_text"]
    assert not card["offer"]["exact"] and card["offer"]["quantity"] is None and card["offer"]["quantity_text"] is None
    assert card["offer"]["quantity_range"] == page["offer"]["quantity_range"]
    # B's 60 000 t, as a number or as read (not inside a random SIRET such as 73283026000012)
    assert not re.search(r"(?<![0-9])60000(?![0-9])", json.dumps(card))
    assert "60\xa0000" not in json.dumps(card, ensure_ascii=False)
    client.force_login(world.users["member_b"])
    card = client.get(f"/api/synergies/{synergy.pk}").json()
    assert card["offer"]["quantity"] == 60000 and not card["need"]["exact"] and card["need"]["quantity"] is None


def _grid_km(site) -> float:
    from boucle.territories.coarse import grid_point

    centre = [float(v) for v in NEAR.split(",")]
    return float(distances_km(*centre, *([v] for v in grid_point(site.lat, site.lon)))[0])


def test_the_band_stops_at_the_radius_searched(world, as_persona):
    """In a search of a radius inside the band (here 5–20 km), the band read « 5–20 km », beyond the radius the reader
    asked for: it now ends at the radius, on the page, its counts by band, the CSV, the XLSX and the API, in French
    and in English, and says no more than the band and the radius did."""
    km = _grid_km(world.sites["A"])
    radius = int(km) + 1.5  # within the band, with a decimal to read in each language
    assert 5 < km < radius < 20
    french, english = f"5–{int(radius)},5 km", f"5–{int(radius)}.5 km"
    page, api = PAGE.replace("radius_km=50", f"radius_km={radius}"), API.replace("radius_km=50", f"radius_km={radius}")
    client = as_persona("member_b")
    outputs = {"page": client.get(page, HTTP_ACCEPT_LANGUAGE="fr").content.decode(),
               "csv": client.get(page + "&format=csv", HTTP_ACCEPT_LANGUAGE="fr").content.decode("utf-8-sig"),
               "xlsx": _xlsx_text(client.get(page + "&format=xlsx", HTTP_ACCEPT_LANGUAGE="fr").content)}
    for name, text in outputs.items():
        assert french in text and "5–20 km" not in text, name
    [row] = client.get(api, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert row["distance"] == french and row["distance_km"] is None and row["lat"] is None
    [row] = client.get(api, HTTP_ACCEPT_LANGUAGE="en").json()
    assert row["distance"] == english
    english_page = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english in english_page and "5–20 km" not in english_page
    # a radius beyond the band changes nothing; the plant's own members still read its exact distance
    [row] = client.get(API).json()
    assert row["distance"] == "5–20 km"
    [row] = as_persona("member_a").get(api).json()
    assert row["distance"] == f"{distance_figure(_exact_km(world.sites['A']))} km"


def test_substitutes_nearby_stop_the_band_at_the_radius(world, as_persona):
    from boucle.materials.substitution import documented_classes, substitutes_for
    from boucle.testing import make_flow

    material = sorted(documented_classes())[0]
    substitute = substitutes_for(material)[0].substitute_key
    make_flow(world.sites["A"], "Offre Alphaciment", material_class=substitute, quantity=10, unit="t")
    radius = int(_grid_km(world.sites["A"])) + 1
    body = as_persona("member_b").get(f"/api/sourcing/substitutes?material={material}&near={NEAR}&radius_km={radius}")
    rows = [r for s in body.json()["substitutes"] if s["substitute"] == substitute for r in s["nearby"]]
    assert [(r["name"], r["distance"]) for r in rows] == [("Entreprise anonyme", f"5–{radius} km")]


@pytest.mark.parametrize(("km", "radius", "band"), [
    (25, 30, "20–30 km"), (2, 3, "< 3 km"), (19, 20, "5–20 km"), (20, 20, "5–20 km"), (250, 300, "200–300 km"),
    (4, 30, "< 5 km"), (25, None, "20–50 km"), (250, None, "> 200 km")])
def test_distance_band_cut_at_the_radius(km, radius, band):
    assert distance_band(km, radius) == band
