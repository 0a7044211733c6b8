"""What a citizen or a repairer reads after scanning a QR code on a phone: a page in words, never
the engine's vocabulary (GS1 element strings, CBV business steps, English error messages), and a
clear page with the right status when the code leads nowhere."""

import pytest

from boucle.epcis import object_event
from boucle.epcis.vocab import cbv_bizsteps
from boucle.passports.events import capture
from boucle.passports.views import STEP_LABELS
from boucle.places.models import Place

from passports_world import GTIN

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _bad_check_digit():
    return GTIN[:-1] + str((int(GTIN[-1]) + 1) % 10)


@pytest.mark.parametrize("path, status, words", [
    (lambda: f"/01/{_bad_check_digit()}/21/42", 400, "clé de contrôle"),
    (lambda: "/01/123", 400, "trop court ou trop long"),
    (lambda: f"/01/{GTIN}/21/" + "A" * 3000, 400, "trop court ou trop long"),
    (lambda: f"/01/{GTIN}/99/abc", 400, "format des codes produits"),
    (lambda: "/01/09520123456702", 404, "n'a pas de passeport ici"),  # valid GTIN, unknown here
])
def test_a_scan_leading_nowhere_is_a_french_page_with_its_status(client, world, path, status, words):
    response = client.get(path(), **BROWSER)
    html = response.content.decode()
    assert response.status_code == status and response["Content-Type"].startswith("text/html")
    assert words in html and "Que faire ?" in html and "/lieux/" in html
    for engine_word in ("check digit", "too short", "AI (", "key qualifier", "no default link", '"error"'):
        assert engine_word not in html
    assert response["Access-Control-Allow-Origin"] == "*"


def test_scanner_apps_keep_the_resolvers_json_answers(client, world):
    response = client.get(f"/01/{_bad_check_digit()}")
    doc = response.json()
    assert response.status_code == 400 and doc["code"] == "gs1.check-digit" and "clé de contrôle" in doc["error"]
    english = client.get(f"/01/{_bad_check_digit()}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["code"] == "gs1.check-digit" and english["error"].startswith("AI (01): incorrect check digit in")
    response = client.get("/01/09520123456702", HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and "error" in response.json()
    response = client.get(f"/01/{GTIN}?linkType=gs1:nope", **BROWSER)  # asked a link type: a machine question
    assert response.status_code == 404 and "error" in response.json()


def test_script_in_a_scanned_query_is_refused_and_never_echoed(client, world):
    response = client.get(f"/01/{GTIN}?x=<script>alert(1)</script>", **BROWSER)
    html = response.content.decode()
    assert response.status_code == 400 and "<script>alert" not in html and "caractères" in html


def test_the_page_names_identifiers_in_words_not_as_gs1_element_strings(client, world):
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "(01)" not in html and "(21)" not in html
    assert "Code produit (GTIN)" in html and GTIN in html and "N° de série" in html and "Lot" in html
    assert "Adresse du code QR" in html
    # an unpublished producer: its activity and commune in a sentence, never its name nor its position
    assert "Fabriqué par une entreprise dont l'activité est « " in html and "Usine Producteur" not in html
    assert "50.63" not in html and "3.06" not in html
    english = client.get(f"/passeports/{world.item.handle}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Product code (GTIN)" in english and "Serial no." in english and "Code produit" not in english
    assert "Carbon footprint :" not in english and "Recycled content: 25" in english


def test_every_business_step_of_the_life_story_is_told_in_words(client, world):
    assert set(cbv_bizsteps()) <= set(STEP_LABELS)
    capture(object_event([f"https://id.gs1.org/01/{GTIN}/21/42"], action="OBSERVE", biz_step="packing",
                         event_time="2026-03-05T08:00:00Z"), None, visibility="public")
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    history = html[html.index('id="history"'):]
    assert "emballé" in history and ">packing<" not in history and "ObjectEvent" not in history
    assert "5 mars 2026" in history
    english = client.get(f"/passeports/{world.item.handle}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "packed" in english[english.index('id="history"'):]


def test_where_to_go_guides_before_a_search_and_dates_sources_in_words(client, world):
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Indiquez votre commune ou utilisez votre position" in html
    Place.objects.create(identifier="t1", name="Déchèterie de test", commune="Lille", postcode="59000", lat=50.63,
                         lon=3.06, actions=["drop_off"], source="Que faire de mes objets (test)",
                         source_date="2026-12-01", opening_hours="lundi – samedi, 9 h – 18 h")
    html = client.get(f"/passeports/{world.item.handle}/", {"lat": "50.63", "lon": "3.06"}).content.decode()
    where = html[html.index('id="where"'):html.index('id="history"')]
    assert "Déchèterie de test" in where and "59000 Lille" in where and "km" in where and "9 h – 18 h" in where
    assert "relevé le 1 décembre 2026" in where and "2026-12-01" not in where
    assert "Indiquez votre commune" not in where


def test_park_says_in_words_when_no_machine_is_old_enough_and_names_territories(client, world):
    from boucle.accounts.models import Facilitator
    from boucle.passports.models import Passport
    from boucle.passports.services import save_passport

    from passports_world import login

    machine = save_passport(Passport(level="item", giai="952012345MACH02", site=world.factory, name="Robot récent",
                                     production_equipment=True))
    capture(object_event([f"https://id.gs1.org/8004/{machine.giai}"], action="ADD", biz_step="commissioning",
                         event_time="2024-05-02T08:00:00Z"), None, visibility="public")
    Facilitator.objects.create(user=world.facilitator, level="departement", code="62")
    html = login(client, world.facilitator).get("/passeports/parc-machines/?territory=departement:59").content.decode()
    assert "Aucune : toutes ont moins de 15 ans" in html
    assert ">Nord<" in html and ">Pas-de-Calais<" in html and ">departement:62<" not in html


def test_a_serial_without_its_own_passport_says_the_page_is_its_models(client, world):
    response = client.get(f"/01/{GTIN}/10/L2026A/21/99", **BROWSER)
    assert response.status_code == 307 and response["Location"].endswith(f"/passeports/{world.batch.handle}/?serie=99")
    html = client.get(response["Location"]).content.decode()
    assert "désigne l&#x27;exemplaire n° 99" in html or "désigne l'exemplaire n° 99" in html
    assert "pas l'histoire de votre objet" in html
    assert '<input type="hidden" name="serie" value="99">' in html  # a places search keeps the note
    html = client.get(response["Location"] + "&commune=Nulle-Part").content.decode()
    assert "pas l'histoire de votre objet" in html
    # the item's own passport says nothing of the kind, whatever the query
    assert client.get(f"/01/{GTIN}/10/L2026A/21/42")["Location"].endswith(f"/passeports/{world.item.handle}/")
    assert "désigne" not in client.get(f"/passeports/{world.item.handle}/?serie=7").content.decode()
    html = client.get(f"/passeports/{world.model.handle}/?serie=<b>x</b>").content.decode()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_bad_scan_page_and_json_follow_the_readers_language(client, world):
    """The page says why in words (French, or English); the JSON carries the engine's reason, translated."""
    french = client.get(f"/01/{_bad_check_digit()}", **BROWSER).content.decode()
    assert "clé de contrôle" in french and "check digit" not in french
    english = client.get(f"/01/{_bad_check_digit()}", HTTP_ACCEPT_LANGUAGE="en", **BROWSER).content.decode()
    assert "check digit" in english and "clé de contrôle" not in english
    doc = client.get("/01/123", HTTP_ACCEPT="application/json").json()
    assert doc["code"] == "gs1.value-too-short" and doc["error"] == (
        "IA (01) : la valeur « 123 » est trop courte (14 caractères au moins)")
