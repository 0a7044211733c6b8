"""Scanning a product with a phone, in headless Chromium: the QR code's URI leads to the page, "use my
location" asks the browser and lists the nearest places (never company sites) on a map, no JavaScript
error, and no serious accessibility violation (axe-core)."""

import os
import shutil
from pathlib import Path

import pytest

import boucle

from passports_world import GTIN

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
AXE = Path(boucle.__file__).parent / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
ARRAS = {"latitude": 50.29, "longitude": 2.78}


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required on CI (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def live(request, transactional_db, live_server):
    from boucle.reference.loader import load_reference

    load_reference()
    return live_server.url, request.getfixturevalue("world")


def test_scan_on_a_phone_shows_the_passport_and_nearest_places(browser, live):
    base, world = live
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  geolocation=ARRAS, permissions=["geolocation"])
    from boucle.places.models import Place

    Place.objects.create(identifier="b1", name="Déchèterie (exemple)", commune="Arras", lat=50.291, lon=2.777,
                         actions=["drop_off", "recycle"], source="Exemple", illustrative=True)
    Place.objects.create(identifier="b2", name="Repair café (exemple)", commune="Lille", lat=50.632, lon=3.047,
                         actions=["repair"], source="Exemple", illustrative=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/01/{GTIN}/10/L2026A/21/42")  # what the phone opens from the QR code
    assert page.url.endswith(f"/passeports/{world.item.handle}/")
    main = page.inner_text("main")
    assert "De quoi est-il fait ?" in main and "acier" in main and "Remplacer les charbons du moteur." in main
    assert "Recycleur Discret" not in page.content()  # a company site, never a place to take it

    page.click("#where button.locate")
    page.wait_for_url("**lat=50.29**")
    page.wait_for_selector("#places-map .leaflet-interactive", state="attached")
    assert page.locator("#places-map .leaflet-interactive").count() >= 3  # the scanner and two places
    assert page.locator("#places-map").bounding_box()["height"] > 100  # shown, not a zero-height box
    where = page.inner_text("#where")
    assert "Réparer" in where and "Déposer" in where  # one list per action
    assert "Déchèterie (exemple)" in where and "Arras (0,2 km)" in where  # measured from the scanner, in Arras
    assert "exemple illustratif" in where and "Recycleur Discret" not in where
    assert not errors, errors

    assert AXE.exists()  # loaded from our own origin: the Content-Security-Policy refuses inline scripts
    page.add_script_tag(url="/".join(page.url.split("/")[:3]) + "/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations'], "
                           "runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    context.close()
