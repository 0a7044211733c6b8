"""``boucle sourcing substitutes`` and its page: what can replace a material, with sources, the
critical raw materials avoided, and who nearby offers the substitute, seen by role."""

import json
import re

import pytest
from django.contrib.auth import get_user_model

from boucle.accounts.models import Facilitator, Membership
from boucle.cli import main
from boucle.sourcing.services import SourcingError, substitutes
from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    private = make_site("Aimants Privés", lat=50.6420, lon=3.0710, naf="38.32Z")  # ~1 km from Lille
    make_flow(private, "Aimants ferrite déclassés", material_class="ferrite_magnets", quantity=12, unit="t")
    far = make_site("Aimants Lyon", lat=45.76, lon=4.83, naf="38.32Z")
    make_flow(far, "Aimants ferrite", material_class="ferrite_magnets", quantity=5, unit="t")
    User = get_user_model()
    users = {n: User.objects.create(username=n, email=f"{n}@example.org") for n in ("owner", "other", "fac")}
    Membership.objects.create(user=users["owner"], company=private.company)
    Membership.objects.create(user=users["other"], company=make_site("Autre", naf="23.51Z").company)
    Facilitator.objects.create(user=users["fac"], level="region", code="32")
    return {"private": private, "users": users}


def test_a_label_finds_its_class_and_sourced_substitutes_with_offers_nearby(world):
    out = substitutes("aimants permanents NdFeB de moteurs", near="50.6365,3.0635", radius_km=30)
    assert out["material"] == "ndfeb_magnets"
    assert {"ree_magnets", "boron"} <= {c["key"] for c in out["critical_raw_materials"]}
    ferrite = out["substitutes"][0]
    assert ferrite["substitute"] == "ferrite_magnets" and "JRC" in ferrite["source"]
    assert "ree_magnets" in {a["key"] for a in ferrite["avoids"]}
    assert [r["name"] for r in ferrite["nearby"]] == ["Aimants Privés"]  # Lyon is out of the radius
    assert substitutes("ndfeb_magnets")["substitutes"][0]["nearby"] is None  # no place, no search


def test_bad_material_or_place_says_what_is_accepted(world):
    with pytest.raises(SourcingError, match="boucle materials list"):
        substitutes("zzzz qqq")
    with pytest.raises(SourcingError, match="commune:INSEE"):
        substitutes("ndfeb_magnets", near="Nulle-Part-sur-Rien", radius_km=10)  # a commune name is a place


def test_cli_json_and_errors(world, capsys):
    assert main(["sourcing", "substitutes", "battery_li_ion_nmc", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["substitutes"][0]["substitute"] == "battery_li_ion_lfp"
    assert out["substitutes"][0]["source"].startswith("IEA, Global EV Outlook 2024")  # the full citation stays
    assert main(["sourcing", "substitutes", "ndfeb_magnets"]) == 0
    text = capsys.readouterr().out
    assert "source : règlement (UE) 2024/1252" in text and "Regulation (EU)" not in text
    assert main(["sourcing", "substitutes", "zzzz qqq"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "boucle materials list" in captured.err


@pytest.mark.parametrize("who,sees_name", [("owner", True), ("other", False), ("fac", True)])
def test_page_by_role_hides_a_private_company(world, client, who, sees_name):
    client.force_login(world["users"][who])
    page = client.get("/fournisseurs/substitutions/", {"material": "ndfeb_magnets", "near": "50.6365,3.0635",
                                                       "radius_km": "30"}).content.decode()
    assert "Pavel et al. (2016)" in page and "Aimants en ferrite" in page
    assert ("Aimants Privés" in page) is sees_name
    assert "50.642" not in page  # no coordinates on the page


def test_page_needs_a_login_and_escapes_input(world, client):
    assert client.get("/fournisseurs/substitutions/").status_code == 302
    client.force_login(world["users"]["other"])
    page = client.get("/fournisseurs/substitutions/", {"material": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    listing = client.get("/fournisseurs/substitutions/").content.decode()
    assert "?material=battery_li_ion_nmc" in listing


def test_a_link_by_class_key_shows_the_material_name_and_every_name_finds_its_class_again(world, client):
    from boucle.materials.substitution import documented_classes
    from boucle.materials.taxonomy import get_class

    client.force_login(world["users"]["other"])
    page = client.get("/fournisseurs/substitutions/", {"material": "battery_li_ion_nmc"}).content.decode()
    assert 'value="Batteries lithium-ion NMC (nickel, manganèse, cobalt)"' in page
    for key in documented_classes():  # resubmitting the shown name gives the same material
        for lang in ("fr", "en"):
            assert substitutes(get_class(key).label(lang))["material"] == key


def test_api_answers_signed_in_users_with_the_same_rules(world, client):
    url = "/api/sourcing/substitutes?material=ndfeb_magnets&near=50.6365,3.0635&radius_km=30"
    assert client.get(url).status_code == 401
    client.force_login(world["users"]["other"])
    body = client.get(url).json()
    assert body["material"] == "ndfeb_magnets" and body["substitutes"][0]["source"]
    assert "Aimants Privés" not in str(body)
    assert client.get("/api/sourcing/substitutes?material=zzzz%20qqq").status_code == 422


def test_materials_commands_list_the_critical_raw_materials(capsys):
    assert main(["materials", "crm", "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["cobalt"]["strategic"] and "battery_li_ion_nmc" in rows["cobalt"]["classes"]
    assert main(["materials", "list", "--critical", "--json"]) == 0
    listed = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert "fly_ash" not in listed and "lithium" in listed["battery_li_ion_lfp"]["critical_raw_materials"]


def test_page_in_english(world, client):
    client.force_login(world["users"]["other"])
    page = client.get("/fournisseurs/substitutions/", {"material": "ndfeb_magnets"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What can replace this material?" in page and "Other technology" in page
    assert "Ferrite magnets" in page and "Rare earth elements for magnets" in page and "rotor" not in page


@pytest.mark.parametrize("language, shown, hidden", [
    ("fr", ["règlement (UE) 2024/1252", "Pavel et al. (2016)"], ["Regulation (EU)", "Annex", "recyclability"]),
    ("en", ["Regulation (EU) 2024/1252", "Pavel et al. (2016)"], ["règlement", "Annex", "recyclability"]),
])
def test_the_sources_under_the_tables_are_in_the_reader_s_language(world, client, language, shown, hidden):
    """The data tables cite in English for maintainers; the page names the documents in the reader's
    language and keeps the full citation as the note's title (on hover)."""
    client.force_login(world["users"]["other"])
    page = client.get("/fournisseurs/substitutions/", {"material": "ndfeb_magnets"},
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    visible = re.sub(r'title="[^"]*"', "", page)
    for text in shown:
        assert text in visible, text
    for text in hidden:
        assert text not in visible, text
    assert 'title="Regulation (EU) 2024/1252 art. 28' in page


def test_a_source_naming_no_known_document_is_said_to_be_cited_in_french(world, client):
    from boucle.sourcing.services import cited

    assert cited("IEA, Global EV Outlook 2024, battery chapter", "fr") == "rapport de l'AIE 2024"
    assert cited("cell construction: graphite anode on copper foil", "fr") == "source citée dans les données de Boucle"
    assert cited("cell construction: graphite anode on copper foil", "en") == (
        "cell construction: graphite anode on copper foil")
