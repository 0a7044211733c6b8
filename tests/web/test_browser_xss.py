"""Stored XSS in a real browser: data typed or imported by a company reaches map popups and chart
tooltips as text, and no injected script runs (each payload would set ``window.__xss``)."""

import pytest
from django.urls import reverse

from boucle.matching import lifecycle
from boucle.passports.models import Passport
from boucle.testing import make_site

from test_browser_journeys import browser, live, login  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PAYLOADS = ['<img src=x onerror="window.__xss=1">', '"><svg onload="window.__xss=2">',
            "<script>window.__xss=3</script>"]


def _ran(page):
    return page.evaluate("() => window.__xss === undefined ? null : window.__xss")


def test_a_place_name_in_the_passport_map_popup_stays_text(browser, live):  # noqa: F811
    """Places are imported from outside (ADEME's open data, a facilitator's file): their names are data."""
    from boucle.places.models import Place

    base, world = live
    passport = Passport.objects.create(level="item", site=world.sites["A"], name="Perceuse P-42")
    for i, payload in enumerate(PAYLOADS):
        Place.objects.create(identifier=f"xss-{i}", name=payload, commune="Lille", commune_insee="59350",
                             lat=50.63 + i / 100, lon=3.07, actions=["repair", "drop_off", "recycle", "give"],
                             source="test")
    page = browser.new_context(locale="fr-FR").new_page()  # anonymous visitor
    page.set_default_timeout(15000)
    page.goto(base + reverse("passports:page", args=[passport.handle]) + "?lat=50.630&lon=3.070")
    markers = page.locator("#places-map path.leaflet-interactive")
    page.wait_for_function("() => document.querySelectorAll('#places-map path.leaflet-interactive').length > 3")
    shown = []
    for i in range(markers.count()):
        page.evaluate("(i) => document.querySelectorAll('#places-map path.leaflet-interactive')[i]"
                      ".dispatchEvent(new MouseEvent('click', {bubbles: true}))", i)
        shown += page.locator(".leaflet-popup-content").all_inner_texts()
    page.wait_for_timeout(300)
    assert _ran(page) is None
    assert any(payload in text for payload in PAYLOADS for text in shown), shown  # shown as written
    page.context.close()


def test_an_imported_site_identifier_in_the_synergy_line_tooltip_stays_text(browser, live):  # noqa: F811
    base, world = live
    offer_site = world.sites["B"]
    offer_site.site_id = PAYLOADS[0]
    offer_site.id_kind = "external"
    offer_site.save()
    synergy = world.synergies["ab"]
    synergy.status = lifecycle.RUNNING
    synergy.save()
    page = login(browser, base, "facilitator_t")
    page.goto(base + reverse("observatory:territory", args=["epci", "200093201"]))
    page.wait_for_function("() => document.getElementById('obs-map').dataset.loaded === 'true'")
    page.locator('#obs-map path[stroke="#b5651d"]').first.wait_for()
    page.wait_for_timeout(500)  # let the map settle on its bounds
    page.evaluate("""() => document.querySelectorAll('#obs-map path[stroke="#b5651d"]').forEach((p) => {
        const b = p.getBoundingClientRect();
        p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: b.x + b.width / 2, clientY: b.y + b.height / 2}));
    })""")
    tooltip = page.locator(".leaflet-tooltip").filter(has_text="→")
    tooltip.first.wait_for()
    page.wait_for_timeout(300)
    assert _ran(page) is None
    assert PAYLOADS[0] in tooltip.first.inner_text()
    page.context.close()


def test_an_establishment_name_in_the_sourcing_map_tooltip_stays_text(browser, live):  # noqa: F811
    """Directory names are imported from outside (SIRENE) and platform site names are typed by companies."""
    base, world = live
    for i, payload in enumerate(PAYLOADS):
        site = make_site(payload, lat=50.60 + i / 50, lon=3.0 + i / 50, naf="23.51Z")
        site.source = "sirene"
        site.save()
    page = login(browser, base, "member_b")
    page.goto(base + reverse("sourcing-search") + "?mode=naf&q=23.51&near=50.63,3.06&radius_km=50")
    page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length >= 3")
    page.evaluate("""() => document.querySelectorAll('#map path.leaflet-interactive').forEach((p) =>
        p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))""")
    page.locator(".leaflet-tooltip").first.wait_for(state="attached")
    page.wait_for_timeout(300)
    shown = page.locator(".leaflet-tooltip").all_inner_texts()
    assert _ran(page) is None
    assert any(payload in text for payload in PAYLOADS for text in shown), shown  # shown as written
    page.context.close()
