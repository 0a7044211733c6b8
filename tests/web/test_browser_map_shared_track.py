"""Several synergies on one track are each visible on the map, in a real browser.

Company A receives fly ash from B and steel scrap from D, two companies at one address in Lille. The map drew
both synergies as one line (the same two points), and its tooltip and click gave only the one on top: the other
could not be seen nor opened. For company A's member, who may not see B nor D, both ends are the centre of
their intercommunality: the same track again. Now a shared track carries a numbered pin (leaflet.markercluster)
that spreads into one pin per synergy, each opening its own popup and link; two sites at one point share one
marker listing both. Names stay text (D's name is an HTML payload).
"""

import pytest

from boucle.matching import lifecycle
from boucle.matching.models import Synergy
from boucle.testing import make_flow, make_site

from test_browser_journeys import browser, live, login  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__xss=1">Ferrailles Delta'


def _second_synergy_at_b_s_address(world):
    from web_personas import add_comparables

    a, b = world.sites["A"], world.sites["B"]
    d = make_site(PAYLOAD, lat=b.lat, lon=b.lon, commune=b.commune_id, naf="35.11Z")  # B's address
    scrap = make_flow(d, "Chutes d'acier Delta", ewc="120101", quantity=300, unit="t", material_class="steel_scrap")
    need = make_flow(a, "Ferrailles pour Alphaciment", direction="need", quantity=300, unit="t",
                     material_class="steel_scrap")
    Synergy.objects.create(offer=scrap, need=need, need_site=a, material_class="steel_scrap", distance_km=6.3,
                           quantity_t=300, score=0.8, status=lifecycle.CONTACTED)
    world.synergies["ab"].status = lifecycle.CONTACTED
    world.synergies["ab"].save(update_fields=["status"])
    world.synergies["ca"].delete()  # C's line goes elsewhere: only the shared track is left
    add_comparables(b)  # enough power stations in Lille to place B and D at their intercommunality's centre


def _pins_of_the_shared_track(page, base) -> list[str]:
    page.goto(base + "/carte/")
    page.wait_for_function("() => document.getElementById('map').dataset.linesLoaded === 'true'")
    page.wait_for_timeout(1000)  # the map frames the synergies (a zoom animation redraws the clusters)
    cluster = page.locator("#map .synergy-cluster")
    assert cluster.count() == 1 and cluster.inner_text().strip() == "2"
    texts = []
    for i in range(2):
        if page.locator(".synergy-pin").count() < 2:  # spread them out (again: a click elsewhere folds them back)
            page.locator("#map .synergy-cluster").click()
            page.wait_for_function("() => document.querySelectorAll('.synergy-pin').length === 2")
            page.wait_for_timeout(400)  # the spreading animation
        page.locator(".synergy-pin").nth(i).click()
        popup = page.locator(".leaflet-popup-content").last  # the one just opened (the other fades out)
        popup.wait_for()
        assert popup.locator("a").get_attribute("href").startswith("/synergies/")
        texts.append(popup.inner_text())
    return texts


@pytest.mark.parametrize("persona", ["member_a@example.org", "facilitator_t"])
def test_each_synergy_of_a_shared_track_has_its_own_pin_and_popup(browser, live, persona):  # noqa: F811
    base, world = live
    _second_synergy_at_b_s_address(world)
    page = login(browser, base, persona)
    texts = _pins_of_the_shared_track(page, base)
    assert any("Cendres" in t for t in texts) and any("acier" in t.lower() or "ferraille" in t.lower()
                                                      for t in texts), texts
    if persona == "facilitator_t":  # he sees D by name: as text, never as markup
        assert any(PAYLOAD in t for t in texts), texts
    else:  # the company sees neither partner's name
        assert all("Entreprise anonyme" in t for t in texts) and not any("Delta" in t for t in texts), texts
    assert page.evaluate("() => window.__xss === undefined")
    page.context.close()


def test_two_sites_at_one_address_share_one_marker_listing_both(browser, live):  # noqa: F811
    base, world = live
    _second_synergy_at_b_s_address(world)
    page = login(browser, base, "facilitator_t")
    b = world.sites["B"]
    page.goto(base + "/carte/")
    page.wait_for_function("() => document.getElementById('map').dataset.linesLoaded === 'true'")
    # zoom on B's address so that sites are drawn one by one (not per intercommunality)
    page.evaluate("([lat, lon]) => { const m = document.getElementById('map'); m.dataset.sitesLoaded = '';"
                  " m.leafletMap.setView([lat, lon], 15); }", [b.lat, b.lon])
    page.wait_for_function("() => document.getElementById('map').dataset.sitesLoaded === 'true'")
    opened = page.evaluate("""([lat, lon]) => {
        let box = null;
        document.getElementById('map').leafletMap.eachLayer((l) => {
          if (l.getLatLng && l.getPopup && l.getPopup() && Math.abs(l.getLatLng().lat - lat) < 1e-9
              && Math.abs(l.getLatLng().lng - lon) < 1e-9) { l.openPopup(); box = l.getPopup().getContent().textContent; }
        });
        return box; }""", [b.lat, b.lon])
    assert opened and "2 sites à cette adresse" in opened and "Centrale Bravotherm" in opened and PAYLOAD in opened
    assert page.evaluate("() => window.__xss === undefined")
    page.context.close()
