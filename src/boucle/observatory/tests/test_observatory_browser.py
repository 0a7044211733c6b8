"""The toile and the maps really draw in a browser (headless Chromium), without a JavaScript error."""

import os
import shutil
from contextlib import contextmanager

import pytest
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
MEL = "200093201"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    problem = None if sync_playwright else "playwright is not installed"
    if not problem and not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        problem = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run under CI: {problem}")
        pytest.skip(f"browser test skipped: {problem}")
    return sync_playwright


@pytest.fixture(scope="module")
def restore_reference(django_db_blocker):
    """A live-server test flushes every table when it ends: put the shared reference data back
    for the tests that follow (module teardown runs after the last flush)."""
    yield
    from boucle.reference.loader import load_reference

    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def reference(restore_reference, transactional_db):
    """The previous test of this module flushed the tables: load the reference data again."""
    from boucle.reference.loader import load_reference

    load_reference()


@contextmanager
def browse(live_server, user=None):
    """A Chromium page, logged in as ``user``; the session is made first, since the ORM refuses to run
    once Playwright's event loop is started in this thread."""
    sync_playwright = _browser_or_skip()
    cookies = []
    if user is not None:
        client = Client()
        client.force_login(user)
        host = live_server.url.split("//")[1].split(":")[0]
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host,
                        "path": "/"})
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context()
        context.add_cookies(cookies)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and not msg.location.get("url", "").endswith(
            "/favicon.ico") and page.errors.append(msg.text))
        try:
            yield page
        finally:
            browser.close()


def test_observatory_browser_toile_and_map_render(reference, obs_world, live_server):
    with browse(live_server, obs_world.users["fac_mel"]) as page:
        _toile_and_map(page, live_server)


def _toile_and_map(page, live_server):
    page.goto(f"{live_server.url}/observatoire/territoire/epci/{MEL}/")
    page.wait_for_selector("#obs-sankey[data-loaded='true']", timeout=20000)
    page.wait_for_selector("#obs-map[data-loaded='true']", timeout=20000)
    painted = page.evaluate("""() => {
        const c = document.querySelector('#obs-sankey canvas');
        if (!c || !c.width || !c.height) return 0;
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
    }""")
    assert painted > 1000  # the Sankey drew its bands on the canvas
    assert page.locator("#obs-map svg path").count() > 50  # one outline per commune of the MEL
    # the territory fills its map (fitted at whole zoom levels, it fell back a level: a quarter of the area)
    share = page.evaluate("""() => {
        const box = document.querySelector('#obs-map').getBoundingClientRect();
        let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        for (const p of document.querySelectorAll('#obs-map path.leaflet-interactive')) {
            const r = p.getBoundingClientRect();
            x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom);
        }
        return Math.max((x1 - x0) / box.width, (y1 - y0) / box.height);
    }""")
    assert share > 0.7, share
    _legend_has_units(page, ("t/an", "t/yr"), ("aucune donnée", "no data"))
    # most of the MEL's communes have no flow in this world: their class is « 0 t/an »
    assert page.locator("#obs-map-legend li").first.inner_text().replace("\xa0", " ") in ("0 t/an", "0 t/yr")
    assert page.errors == []


def _legend_has_units(page, unit, suppressed):
    """Every figure of the map's legend says its unit (« ≤ 1 200 t/an », « 1 200 – 5 000 t/an »; the headless
    browser asks for English: « t/yr »), not a bare number. ``unit``, ``suppressed``: (French, English)."""
    items = page.locator("#obs-map-legend li").all_inner_texts()
    figures = [t for t in items if any(c.isdigit() for c in t)]
    english = page.evaluate("document.documentElement.lang").startswith("en")
    assert figures, items
    assert all(t.replace("\xa0", " ").endswith(" " + unit[english]) for t in figures), items
    assert suppressed[english] in items
    # a first class of units at 0 says « 0 t/an », never « ≤ 0 t/an »
    assert not [t for t in items if t.replace("\xa0", " ").startswith("≤ 0 ")], items


def test_observatory_browser_public_map_renders(reference, obs_world, live_server):
    with browse(live_server) as page:
        page.goto(f"{live_server.url}/observatoire/?indicateur=companies_declaring")
        page.wait_for_selector("#obs-map[data-loaded='true']", timeout=20000)
        assert page.locator("#obs-map svg path").count() > 0
        _legend_has_units(page, ("entreprises", "companies"), ("secret statistique", "statistical confidentiality"))  # « ≤ 12 entreprises »
        assert page.errors == []


def test_observatory_browser_public_figures_read_one_line_each_on_a_phone(reference, obs_world, live_server):
    """On a phone each intercommunality is a card; a figure and its label share one line, so the ~90 cards of a
    region stay a page to scroll, not 36 000 pixels."""
    with browse(live_server) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/observatoire/")
        page.wait_for_selector("#obs-public-table.responsive", timeout=20000)
        cells = page.evaluate("""() => [...document.querySelectorAll('#obs-public-table tbody tr:first-child td.num')]
            .map(td => [td.getBoundingClientRect().height, parseFloat(getComputedStyle(td).lineHeight)
                        || parseFloat(getComputedStyle(td).fontSize) * 1.5])""")
        assert len(cells) >= 5
        # a label above its value takes two lines or more per figure; side by side, one (a long label may wrap)
        assert sum(height for height, _ in cells) / len(cells) < 1.9 * cells[0][1], cells
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.errors == []


def test_the_report_on_a_phone_cuts_no_word_and_no_figure(reference, obs_world, live_server):
    """reader7: at 390 px the report's tables broke every word where the column ended (« Matièr|e », « suggér|ée »,
    « 37 460 00|0 m³ »). A table wider than the phone now scrolls sideways, inside the page."""
    with browse(live_server, obs_world.users["fac_region"]) as page:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/observatoire/territoire/region/32/rapport/")
        cut = page.evaluate("""() => {
            const out = [];
            for (const cell of document.querySelectorAll('th, td')) {
                const words = cell.innerText.split(/\\s+/).filter(w => w.length > 3);
                const range = document.createRange();
                for (const node of cell.childNodes) {
                    if (node.nodeType !== 3) continue;
                    for (const word of words) {
                        const at = node.data.indexOf(word);
                        if (at < 0) continue;
                        range.setStart(node, at); range.setEnd(node, at + word.length);
                        if (range.getClientRects().length > 1) out.push(word);
                    }
                }
                if (cell.classList.contains('num') && cell.innerText.trim()) {  // a figure and its unit: one line
                    range.selectNodeContents(cell);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (tops.size > 1) out.push(cell.innerText);
                }
            }
            return out;
        }""")
        assert cut == [], cut[:10]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.errors == []
