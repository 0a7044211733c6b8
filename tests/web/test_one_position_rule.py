"""One rule places a company's site for each reader, on every page, map payload, API answer and export.

Company A made its profile public. Its synergy card gave others its position to 3 decimals (≈ 100 m),
but the suppliers search gave the exact point in its table's map data, CSV, XLSX and API, and measured its
distance from it. Now ``accounts.access.point_shown`` decides everywhere: exact to whoever sees the site
in full (its members, the facilitators of its territory, the administrator) and to a partner once both
agreed to meet; to 3 decimals to others when the company is public; nowhere (a coarse cell) otherwise.

The walk below reads every route that carries coordinates, for each persona, and checks that none
carries A's point finer than the rule allows — and, as a positive control, that the routes do carry it.
"""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from boucle.territories.coarse import public_point
from web_personas import EPCI_OTHER, EPCI_T, coordinate_secrets

NEAR = "50.70,3.15"
SEARCH = f"naf=23.51&near={NEAR}&radius_km=50"


def _text(response) -> str:
    body = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return body.decode("utf-8-sig")


@pytest.fixture
def published(world):
    """A public company, a substitute it offers, a passport of its product and a synergy under way."""
    from boucle.materials.substitution import documented_classes, substitutes_for
    from boucle.passports.services import issue_passport
    from boucle.testing import make_flow

    a = world.sites["A"]
    a.company.published = True
    a.company.save(update_fields=["published"])
    material = sorted(documented_classes())[0]
    make_flow(a, "Offre Alphaciment", material_class=substitutes_for(material)[0].substitute_key, quantity=10, unit="t")
    passport = issue_passport(a, {"name": "Sac de ciment"})
    for key in ("ab", "ca"):  # running, without the double opt-in: the ends are placed by the rule alone
        world.synergies[key].status = "running"
        world.synergies[key].save(update_fields=["status"])
    from web_personas import add_comparables

    for letter in ("B", "C"):  # enough establishments of their activity nearby for the map to draw their ends
        add_comparables(world.sites[letter])
    return {"material": material, "passport": passport}


def _routes(world, published, persona) -> list[tuple[str, bool]]:
    """(url, whether it places A for this persona: the positive control) for every route carrying coordinates."""
    ab, ca = world.synergies["ab"].pk, world.synergies["ca"].pk
    handle = published["passport"].handle
    routes = [(f"/passeports/{handle}/", False), (f"/passeports/{handle}.json", True)]
    if persona == "anonymous":
        return routes
    synergy = ca if persona == "facilitator_other" else ab
    routes += [
        (f"/synergies/{synergy}/", False), ("/espace/synergies/", False), (f"/api/synergies/{synergy}", False),
        ("/carte/synergies.json", True),
        (f"/fournisseurs/?mode=naf&q=23.51&near={NEAR}&radius_km=50", True),
        (f"/fournisseurs/?mode=naf&q=23.51&near={NEAR}&radius_km=50&format=csv", False),
        (f"/fournisseurs/?mode=naf&q=23.51&near={NEAR}&radius_km=50&format=xlsx", False),
        (f"/api/sourcing/search?{SEARCH}", True),
        (f"/api/sourcing/substitutes?material={published['material']}&near={NEAR}&radius_km=50", True),
        (f"/fournisseurs/substitutions/?material={published['material']}&near={NEAR}&radius_km=50", False),
    ]
    if persona in ("facilitator_other", "facilitator_t"):
        code = EPCI_OTHER if persona == "facilitator_other" else EPCI_T
        routes += [(reverse("observatory:territory-export", args=["epci", code, "synergies", "geojson"]), True),
                   (reverse("observatory:territory-lines", args=["epci", code]), True),
                   (reverse("observatory:territory-report", args=["epci", code]), False),
                   (f"/api/territories/epci:{code}/export/synergies?format=geojson", True)]
    return routes


def _public_figures(site) -> list[str]:
    lat, lon = public_point(site.lat, site.lon)
    return [repr(lat), repr(lon)]


@pytest.mark.parametrize("persona", ["anonymous", "member_b", "facilitator_other"])
def test_who_does_not_see_the_site_in_full_gets_it_to_3_decimals_everywhere(world, as_persona, published, persona):
    a = world.sites["A"]
    client = as_persona(persona)
    for url, places_a in _routes(world, published, persona):
        response = client.get(url)
        assert response.status_code == 200, (persona, url, response.status_code)
        text = _text(response)
        finer = [s for s in coordinate_secrets(a) if s in text]
        assert not finer, (persona, url, finer)
        if places_a:  # the route does place the site: at its public point
            assert all(f in text for f in _public_figures(a)), (persona, url)


@pytest.mark.parametrize("persona", ["member_a", "facilitator_t"])
def test_who_sees_the_site_in_full_gets_it_exactly(world, as_persona, published, persona):
    a = world.sites["A"]
    client = as_persona(persona)
    exact = [repr(a.lat), repr(a.lon)]
    for url, places_a in _routes(world, published, persona):
        if not places_a or "substitutes" in url:
            continue
        text = _text(client.get(url))
        assert all(f in text for f in exact) or all(f in text for f in (f"{a.lat:.6f}", f"{a.lon:.6f}")), (persona, url)


def test_a_public_company_s_distance_is_measured_from_its_public_point(world, as_persona, published):
    """An exact distance from a point of one's choice would give the exact place back (trilateration)."""
    from boucle.sourcing.engine import distances_km

    a = world.sites["A"]
    [row] = as_persona("member_b").get(f"/api/sourcing/search?{SEARCH}").json()
    lat, lon = public_point(a.lat, a.lon)
    near = [float(v) for v in NEAR.split(",")]
    assert row["name"] == "Usine Alphaciment" and (row["lat"], row["lon"]) == (lat, lon)
    assert row["distance_km"] == round(float(distances_km(*near, [lat], [lon])[0]), 3)


def test_starting_from_a_public_company_s_site_starts_from_its_public_point(world, as_persona, published):
    from boucle.sourcing.engine import distances_km
    from boucle.testing import make_site

    entry = make_site("Cimenterie du répertoire", lat=50.69, lon=3.16, commune="59009", naf="23.51Z")
    entry.source = "sirene"
    entry.save()
    a = world.sites["A"]
    rows = as_persona("member_b").get(f"/api/sourcing/search?naf=23.51&near=site:{a.site_id}&radius_km=50").json()
    [row] = [r for r in rows if r["name"] == "Cimenterie du répertoire"]
    start, end = public_point(a.lat, a.lon), public_point(entry.lat, entry.lon)
    assert row["distance_km"] == round(float(distances_km(*start, [end[0]], [end[1]])[0]), 3)


def test_the_territory_export_api_follows_the_page_s_rule(world, as_persona):
    """The API's synergy export gave the facilitator of another territory the name and exact place of a private
    company outside it (it ran with the command line's rule); the page's file never did."""
    client = as_persona("facilitator_other")
    for url in (f"/api/territories/epci:{EPCI_OTHER}/export/synergies?format=csv",
                reverse("observatory:territory-export", args=["epci", EPCI_OTHER, "synergies", "csv"]) + "?cles=1"):
        text = _text(client.get(url))
        assert "Charliepap" in text  # its own territory's company, a positive control
        leaked = [s for s in world.secrets["A"] if s in text]
        assert not leaked, (url, leaked)


def test_the_territory_report_names_and_places_no_company_outside_the_territory(world, as_persona):
    """The printable report listed its top synergies with the other side's name and exact distance, and drew the
    running ones from exact points, for a facilitator whose territory holds only one side."""
    from boucle.observatory.report import running_lines
    from boucle.territories.refs import resolve
    from web_personas import EPCI_T, add_comparables, area_centre

    synergy = world.synergies["ca"]
    synergy.status = "running"
    synergy.save(update_fields=["status"])
    html = as_persona("facilitator_other").get(reverse("observatory:territory-report", args=["epci", EPCI_OTHER]))
    text = html.content.decode()
    assert "Papeterie Charliepap" in text and "Entreprise anonyme" in text and "&gt; 200 km" in text
    assert not [s for s in world.secrets["A"] if s in text]
    a, c = world.sites["A"], world.sites["C"]
    # A is the only cement plant of the region: no area may be told of it, no line is drawn
    assert running_lines(resolve(f"epci:{EPCI_OTHER}"), world.users["facilitator_other"]) == []
    add_comparables(a)  # three cement works in Lille: A's line ends at its intercommunality's centre
    [line] = running_lines(resolve(f"epci:{EPCI_OTHER}"), world.users["facilitator_other"])
    assert line == ((c.lon, c.lat), tuple(area_centre("epci", EPCI_T)))
