"""The facilitator's day in headless Chromium, on a desktop screen and on a 390 px phone.

Log in → synergy list → synergy page → map → observatory → printable report. On every page: no 5xx,
no console error (a Content-Security-Policy violation is one), no sideways scroll, no serious axe-core
violation. Full-page screenshots are written to ``$BOUCLE_SCREENSHOTS`` (default ``var/screenshots``)
for a person to review.
"""

import os
import time
from pathlib import Path

import pytest

from boucle.matching import services
from test_browser_journeys import _axe, browser, live  # noqa: F401  (fixtures)
from web_personas import EPCI_T, PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("BOUCLE_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


class Watch:
    """What went wrong on the pages of one browser tab."""

    def __init__(self, page):
        self.errors, self.server_errors = [], []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: self.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)


def check(page, watch, size, name, problems):
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"facilitator-{name}-{size}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > SIZES[size][0]:
        problems.append(f"{name} {size}: page is {width}px wide")
    violations = _axe(page)
    if violations:
        problems.append(f"{name} {size}: axe {violations}")
    if watch.errors or watch.server_errors:
        problems.append(f"{name} {size}: {watch.errors[:3]} {watch.server_errors[:3]}")
        watch.errors.clear()
        watch.server_errors.clear()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_facilitator_journey_is_clean_on_desktop_and_phone(browser, live, size):  # noqa: F811
    base, world = live
    services.transition(world.synergies["ab"], "contacted", world.users["facilitator_t"], "appel")
    width, height = SIZES[size]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20000)
    watch, problems = Watch(page), []

    page.goto(base + "/connexion/")
    check(page, watch, size, "login", problems)
    page.fill("#id_username", "facilitator_t@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(base + "/animation/")
    check(page, watch, size, "dashboard", problems)
    page.goto(base + "/animation/synergies/")
    check(page, watch, size, "synergies", problems)
    page.click(f"main a[href='/synergies/{world.synergies['ab'].pk}/']")
    page.wait_for_url("**/synergies/*/")
    assert page.locator(".stepper [aria-current=step]").inner_text().strip() == "contact pris"
    check(page, watch, size, "synergy", problems)

    page.click("header nav a[href='/carte/']")
    page.wait_for_selector("#map[data-lines-loaded=true]")
    line = page.locator("#map path.leaflet-interactive[role=link]").first
    assert line.count() == 1  # the contacted synergy, drawn and reachable
    check(page, watch, size, "map", problems)

    started = time.monotonic()
    page.click("header nav a:text('Observatoire')")
    page.wait_for_selector("#obs-sankey[data-loaded]")
    page.wait_for_selector("#obs-map[data-loaded=true]")
    first_view_s = time.monotonic() - started
    assert page.locator("#obs-map-legend li").count() >= 2  # the choropleth has a legend
    assert f"/territoire/epci/{EPCI_T}/" in page.url
    check(page, watch, size, "observatory", problems)

    page.click("a:text('Rapport imprimable')")
    page.wait_for_url("**/rapport/")
    assert "Rapport territorial" in page.inner_text("h1")
    check(page, watch, size, "report", problems)
    context.close()
    assert not problems, "\n".join(problems)
    assert first_view_s < 5, f"observatory first view took {first_view_s:.1f} s"
