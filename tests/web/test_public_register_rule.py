"""One rule for a SIRENE directory entry: named while its company takes no part in Boucle, anonymous once it does.

The suppliers search named every SIRENE entry (« entrée du répertoire SIRENE »), distance to the 100 m, point on
the map, while the synergy cards said « Entreprise anonyme » for the same establishment: a company that joined
Boucle on its SIRENE entry (its site imported from the directory, then its flows declared on it) was anonymous on
its partner's card and named in the partner's search. And the other way round, a directory entry with no link to
Boucle (an inferred need at a cement works of the register) was « Entreprise anonyme » on a card while its name
was one search away.

Now ``accounts.access.public_register_entry`` decides both: an entry of the public register whose company takes
no part in Boucle (no account, no site nor flow declared on the platform) is named, placed to 3 decimals, its
distance measured from there; an entry of a company that takes part is anonymous to other companies until both
sides agree to meet, like every site of that company. Each route is read per persona: an anonymous visitor,
a user of another company, a user of the same company, a facilitator of the territory.
"""

import html
import io
import json
import re
import zipfile

import pytest

from boucle.sourcing.engine import distances_km
from boucle.territories.coarse import public_point
from boucle.web.words import distance_figure
from web_personas import coordinate_secrets

NEAR = "50.70,3.15"
PAGE = f"/fournisseurs/?mode=naf&q=23.51&near={NEAR}&radius_km=50"
API = f"/api/sourcing/search?naf=23.51&near={NEAR}&radius_km=50"


def _outputs(client) -> dict[str, str]:
    page = client.get(PAGE)
    csv_body, xlsx, api = client.get(PAGE + "&format=csv"), client.get(PAGE + "&format=xlsx"), client.get(API)
    for response in (page, csv_body, xlsx, api):
        assert response.status_code == 200, response.content[:300]
    text = page.content.decode()
    markers = re.search(r'<script id="sourcing-markers" type="application/json">(.*?)</script>', text, re.S)
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as z:
        sheet = html.unescape("\n".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml")))
    return {"page": text, "map": json.dumps(json.loads(markers.group(1)), ensure_ascii=False), "csv": csv_body.content.decode("utf-8-sig"), "xlsx": sheet,
            "api": json.dumps(api.json(), ensure_ascii=False)}


def _km_from_near(lat, lon) -> float:
    lat0, lon0 = (float(v) for v in NEAR.split(","))
    return float(distances_km(lat0, lon0, [lat], [lon])[0])


@pytest.fixture
def member_entry(world):
    """Company A's plant came from the SIRENE directory; A then joined Boucle and declared its flows on it."""
    a = world.sites["A"]
    a.source = "sirene"
    a.save(update_fields=["source"])
    return a


@pytest.fixture
def register_entry(world):
    """A cement works of the register, no link to Boucle, the inferred receiver of B's fly ash."""
    from boucle.matching.models import Synergy
    from boucle.testing import make_site

    entry = make_site("Cimenterie du Répertoire", lat=50.684321, lon=3.171234, commune="59009", naf="23.51Z")
    entry.source = "sirene"
    entry.save(update_fields=["source"])
    synergy = Synergy.objects.create(offer=world.flows["b_offer_ash"], need=None, need_site=entry,
                                     material_class="fly_ash", distance_km=5.1, quantity_t=1000, score=0.5,
                                     tonnes_diverted=1000)
    return entry, synergy


# --- a member company's SIRENE entry -----------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["member_b", "facilitator_other"])
def test_a_member_company_s_directory_entry_is_anonymous_to_other_companies_on_every_output(
        world, as_persona, member_entry, persona):
    a = member_entry
    outputs = _outputs(as_persona(persona))
    secrets = [a.name, a.site_id, a.company.name, a.commune.insee, "entrée du répertoire", *coordinate_secrets(a)]
    for name, text in outputs.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, (persona, name, leaked)
    exact = _km_from_near(a.lat, a.lon)
    for name in ("page", "csv", "xlsx", "api"):
        assert distance_figure(exact) not in text and "5–20 km" in outputs[name], (persona, name)
    assert json.loads(outputs["map"]) == []
    [row] = json.loads(outputs["api"])
    assert row["shown"] == "anonymous" and row["name"] == "Entreprise anonyme"
    assert (row["lat"], row["lon"], row["distance_km"], row["site_id"]) == (None, None, None, None)


def test_the_search_and_the_synergy_card_say_the_same_of_a_member_s_directory_entry(world, as_persona, member_entry):
    from boucle.web.present import synergy_card

    [row] = as_persona("member_b").get(API).json()
    card = synergy_card(world.users["member_b"], world.synergies["ab"])
    assert card["need"]["site"]["anonymous"] and card["need"]["site"]["label"] == row["name"]
    page = as_persona("member_b").get(f"/synergies/{world.synergies['ab'].pk}/").content.decode()
    assert "Entreprise anonyme" in page and "Usine Alphaciment" not in page


def test_a_member_s_directory_entry_is_no_starting_point_for_another_company(world, as_persona, member_entry):
    """Starting the search from it would measure exact distances from its point."""
    response = as_persona("member_b").get(f"/api/sourcing/search?naf=35&near=site:{member_entry.site_id}&radius_km=50")
    assert response.status_code == 422 and "inconnu" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("persona", ["member_a", "facilitator_t"])
def test_its_own_company_and_its_facilitator_see_the_entry_exactly(world, as_persona, member_entry, persona):
    a = member_entry
    outputs = _outputs(as_persona(persona))
    for name in ("page", "csv", "xlsx", "api", "map"):
        assert "Usine Alphaciment" in outputs[name], (persona, name)
    [row] = json.loads(outputs["api"])
    assert (row["lat"], row["lon"]) == (a.lat, a.lon) and row["distance_km"] == round(_km_from_near(a.lat, a.lon), 3)


def test_once_both_agreed_to_meet_the_partner_sees_the_entry(world, as_persona, member_entry):
    from django.utils import timezone

    synergy = world.synergies["ab"]
    synergy.revealed_at = timezone.now()
    synergy.save(update_fields=["revealed_at"])
    [row] = as_persona("member_b").get(API).json()
    assert row["name"] == "Usine Alphaciment" and (row["lat"], row["lon"]) == (member_entry.lat, member_entry.lon)


# --- a public register entry, no link to Boucle ---------------------------------------------------------------

@pytest.mark.parametrize("persona", ["member_b", "facilitator_other", "member_a"])
def test_a_register_entry_is_named_at_its_public_point_in_the_search(world, as_persona, register_entry, persona):
    entry, _synergy = register_entry
    outputs = _outputs(as_persona(persona))
    lat, lon = public_point(entry.lat, entry.lon)
    for name in ("page", "csv", "xlsx", "api", "map"):
        assert "Cimenterie du Répertoire" in outputs[name], (persona, name)
        assert not [s for s in coordinate_secrets(entry) if s in outputs[name]], (persona, name)
    [row] = [r for r in json.loads(outputs["api"]) if r["name"] == "Cimenterie du Répertoire"]
    assert row["shown"] == "directory" and (row["lat"], row["lon"]) == (lat, lon)
    assert row["distance_km"] == round(_km_from_near(lat, lon), 3)
    assert "entrée du répertoire SIRENE" in outputs["page"]


def test_a_register_entry_is_named_on_the_synergy_card_as_in_the_search(world, as_persona, register_entry):
    """B's card used to say « Entreprise anonyme » for an establishment B's own search named."""
    entry, synergy = register_entry
    client = as_persona("member_b")
    page = client.get(f"/synergies/{synergy.pk}/").content.decode()
    assert "Cimenterie du Répertoire" in page
    api = json.dumps(client.get(f"/api/synergies/{synergy.pk}").json(), ensure_ascii=False)
    assert "Cimenterie du Répertoire" in api and not [s for s in coordinate_secrets(entry) if s in api]
    lines = client.get("/carte/synergies.json").json()["features"]
    [line] = [f for f in lines if f["properties"]["id"] == synergy.pk]
    lat, lon = public_point(entry.lat, entry.lon)
    assert line["properties"]["need"] == "Cimenterie du Répertoire"
    assert line["geometry"]["coordinates"][1] == [round(lon, 6), round(lat, 6)]


def test_the_facilitator_of_its_territory_places_the_entry_exactly(world, as_persona, register_entry):
    entry, synergy = register_entry
    [row] = [r for r in as_persona("facilitator_t").get(API).json() if r["name"] == "Cimenterie du Répertoire"]
    assert (row["lat"], row["lon"]) == (entry.lat, entry.lon)


def test_an_anonymous_visitor_reaches_neither_the_search_nor_the_card(world, as_persona, register_entry,
                                                                       member_entry):
    entry, synergy = register_entry
    client = as_persona("anonymous")
    for url in (PAGE, PAGE + "&format=csv", f"/synergies/{synergy.pk}/"):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert b"Cimenterie" not in response.content and b"Alphaciment" not in response.content
    assert client.get(API).status_code == 401


def test_the_entry_turns_anonymous_once_its_company_takes_part(world, as_persona, register_entry):
    """Its company gets an account on Boucle: the entry is now a member's site, anonymous like the rest of it."""
    from django.contrib.auth import get_user_model

    from boucle.accounts.models import Membership

    entry, synergy = register_entry
    user = get_user_model().objects.create_user("cimentier", "cimentier@example.org", "x" * 20)
    Membership.objects.create(user=user, company=entry.company, role="admin")
    client = as_persona("member_b")
    rows = client.get(API).json()
    assert not [r for r in rows if r["name"] == "Cimenterie du Répertoire"]
    assert all(r["shown"] == "anonymous" for r in rows)
    page = client.get(f"/synergies/{synergy.pk}/").content.decode()
    assert "Cimenterie du Répertoire" not in page and "Entreprise anonyme" in page


@pytest.fixture(scope="module")
def restore_reference(django_db_blocker):
    """A transactional test flushes every table when it ends: put the shared reference data back for the tests
    that follow (this fixture's teardown comes after the flush)."""
    yield
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def committed_reference(restore_reference, transactional_db):
    """A transactional test may start from tables an earlier one flushed: the reference data (communes, codes)
    is loaded first."""
    from boucle.reference.loader import load_reference

    load_reference()


@pytest.mark.django_db(transaction=True)
def test_a_company_s_first_account_moves_the_data_version_so_kept_cards_follow(committed_reference, world, as_persona,
                                                                                register_entry):
    """The synergy list is kept per data version: without a new token, B's list would keep naming the entry
    after its company joined."""
    from django.contrib.auth import get_user_model

    from boucle.accounts.models import Membership
    from boucle.web.snapshots import data_version

    entry, synergy = register_entry
    client = as_persona("member_b")
    assert "Cimenterie du Répertoire" in client.get("/espace/synergies/").content.decode()
    before = data_version()
    user = get_user_model().objects.create_user("cimentier", "cimentier@example.org", "x" * 20)
    Membership.objects.create(user=user, company=entry.company, role="admin")
    assert data_version() != before
    assert "Cimenterie du Répertoire" not in client.get("/espace/synergies/").content.decode()


def test_substitutes_nearby_follow_the_rule_for_a_member_s_directory_entry(world, as_persona, member_entry):
    """A's plant, imported from the directory, offers a substitute: anonymous to B on the substitutes page and
    API as in the search; named and exact for A's own members."""
    from boucle.materials.substitution import documented_classes, substitutes_for
    from boucle.testing import make_flow

    material = sorted(documented_classes())[0]
    make_flow(member_entry, "Offre Alphaciment", material_class=substitutes_for(material)[0].substitute_key,
              quantity=10, unit="t")
    url = f"/api/sourcing/substitutes?material={material}&near={NEAR}&radius_km=50"
    page = f"/fournisseurs/substitutions/?material={material}&near={NEAR}&radius_km=50"
    for persona in ("member_b", "facilitator_other"):
        client = as_persona(persona)
        for text in (json.dumps(client.get(url).json(), ensure_ascii=False), client.get(page).content.decode()):
            assert "Alphaciment" not in text and not [s for s in coordinate_secrets(member_entry) if s in text]
    nearby = [r for s in as_persona("member_a").get(url).json()["substitutes"] for r in (s["nearby"] or [])]
    assert any(r["name"] == "Usine Alphaciment" and (r["lat"], r["lon"]) == (member_entry.lat, member_entry.lon)
               for r in nearby)


def test_the_search_reads_who_is_named_with_its_rows(world, as_persona, register_entry, member_entry):
    """Whether an entry's company takes part is read in the query that finds the rows (an Exists column), not by
    queries over every row's company afterwards: the directory's scale made those the search's slowest part."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_persona("member_b")
    client.get(API)  # the session and the catalogue, read once
    with CaptureQueriesContext(connection) as queries:
        rows = client.get(API).json()
    assert [r["shown"] for r in rows if r["name"] == "Cimenterie du Répertoire"] == ["directory"]
    assert not [r for r in rows if r["name"] == world.sites["A"].name]
    read = [q["sql"] for q in queries.captured_queries if "accounts_membership" in q["sql"]
            and '"accounts_membership"."user_id"' not in q["sql"] and "UNION ALL" not in q["sql"]]
    assert len(read) == 1, read  # the search's own query, its taking-part test inside
