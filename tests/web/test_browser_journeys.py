"""End-to-end journeys in headless Chromium: log in, declare a flow, accept a synergy, move it forward,
a workshop for three companies, and an accessibility check with axe-core on the main pages."""

import os
import shutil
from pathlib import Path

import pytest

import boucle
from boucle.flows.models import Flow
from boucle.testing import make_site
from web_personas import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
AXE = Path(boucle.__file__).parent / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required on CI (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def live(request, transactional_db, live_server, browser):
    """The live server with reference data (a transactional test starts from flushed tables) and the personas.

    Afterwards every page the test opened is left to finish its requests, then closed: a request still running
    in the server thread locks the in-memory database, its flush fails and the next test finds the last one's
    users."""
    from boucle.reference.loader import load_reference

    load_reference()
    yield live_server.url, request.getfixturevalue("world")
    for context in list(browser.contexts):
        for page in context.pages:
            try:
                page.wait_for_load_state("networkidle", timeout=10000)
            except Exception:  # noqa: BLE001  (a page that never goes idle is closed all the same)
                pass
        context.close()


def login(browser, base, username):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/connexion/" not in page.url, page.content()[:500]
    return page


def test_company_declares_a_flow_and_both_accept_a_synergy(browser, live):
    base, world = live
    page = login(browser, base, "member_a@example.org")  # e-mail login
    page.goto(base + "/espace/flux/nouveau/")
    page.select_option("#id_site", str(world.sites["A"].pk))
    page.select_option("#id_direction", "offer")
    page.fill("#id_label", "Poussières de four")
    page.type("#id_ewc", "cendres vol", delay=30)  # htmx fills the datalist as the user types
    page.wait_for_selector("#ewc-options option", state="attached")
    assert "10 01 02" in page.inner_html("#ewc-options")
    page.fill("#id_ewc", "10 01 02")
    page.fill("#id_quantity", "250")
    page.select_option("#id_unit", "t")
    page.click("#flow-form button[type=submit]")
    page.wait_for_url("**/espace/sites/*/flux/")
    assert "Poussières de four" in page.inner_text("main")
    assert Flow.objects.filter(label="Poussières de four", ewc_id="100102").exists()

    syn = world.synergies["ab"]
    page.goto(base + f"/synergies/{syn.pk}/")
    assert "Entreprise anonyme" in page.inner_text("main") and "Bravotherm" not in page.content()
    page.click("button[value=yes]")
    assert "Réponse enregistrée" in page.inner_text("main")

    other = login(browser, base, "member_b")
    other.goto(base + f"/synergies/{syn.pk}/")
    other.click("button[value=yes]")
    assert "dévoilées" in other.inner_text("main") and "Alphaciment SA" in other.inner_text("main")
    page.reload()
    assert "Bravotherm SAS" in page.inner_text("main")


def test_facilitator_moves_a_synergy_and_runs_a_workshop_for_three_companies(browser, live):
    base, world = live
    d = make_site("Menuiserie Deltabois", commune="59350", lat=50.61, lon=3.02)
    page = login(browser, base, "facilitator_t")
    syn = world.synergies["ab"]
    page.goto(base + f"/synergies/{syn.pk}/")
    page.select_option("#id_target", "contacted")
    page.fill("#id_reason", "présentés au club d'entreprises")
    page.click("form[action$='/statut/'] button")
    assert "Statut mis à jour" in page.inner_text("main")
    syn.refresh_from_db()
    assert syn.status == "contacted"

    page.goto(base + "/animation/atelier/")
    page.click("#add-row")  # a fourth card arrives: htmx appends a row
    page.locator("#rows tr").nth(3).wait_for()  # a locator, not a string evaluated by eval (the CSP forbids it)
    cards = [(world.sites["A"], "need", "Sable de moulage", "40"), (world.sites["B"], "offer", "Vapeur basse pression", ""),
             (d, "offer", "Sciure de bois", "120"), (d, "need", "Palettes usagées", "15")]
    rows = page.query_selector_all("#rows tr")
    for row, (site, direction, label, quantity) in zip(rows, cards):
        row.query_selector("input[name$='-site']").fill(f"{site.company.name} — {site.name} ({site.site_id})")
        row.query_selector("select[name$='-direction']").select_option(direction)
        row.query_selector("input[name$='-label']").fill(label)
        if quantity:
            row.query_selector("input[name$='-quantity']").fill(quantity)
            row.query_selector("select[name$='-unit']").select_option("t")
    page.click("#workshop-form button[type=submit]")
    assert "4 flux enregistrés" in page.inner_text("main")
    assert set(Flow.objects.filter(source="workshop").values_list("site__name", flat=True)) == {
        "Usine Alphaciment", "Centrale Bravotherm", "Menuiserie Deltabois"}


def _axe(page):
    # From our own origin: the Content-Security-Policy refuses an injected inline script.
    origin = "/".join(page.url.split("/")[:3])
    assert AXE.exists()
    page.add_script_tag(url=origin + "/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations'], "
                           "runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_main_pages_have_no_serious_accessibility_violation(browser, live):
    base, world = live
    anonymous = browser.new_context(locale="fr-FR").new_page()
    problems = {}
    for path in ("/", "/connexion/"):
        anonymous.goto(base + path)
        problems[path] = _axe(anonymous)
    member = login(browser, base, "member_a")
    for path in ("/espace/", "/espace/import/", "/notifications/", "/espace/flux/nouveau/", "/espace/synergies/",
                 f"/synergies/{world.synergies['ab'].pk}/"):
        member.goto(base + path)
        problems[path] = _axe(member)
    facilitator = login(browser, base, "facilitator_t")
    for path in ("/animation/", "/animation/synergies/", "/animation/atelier/", "/carte/"):
        facilitator.goto(base + path)
        problems[path] = _axe(facilitator)
    assert not {p: v for p, v in problems.items() if v}, problems


def _sideways(page):
    return page.evaluate("document.documentElement.scrollWidth") - page.evaluate("window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_daily_journeys_land_on_dashboards_and_never_scroll_sideways(browser, live, width, tmp_path):
    """Facilitator: login → dashboard → list → synergy → contact pris; company: template → import → answer."""
    base, world = live
    syn = world.synergies["ab"]
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/animation/")  # anonymous: sent to the login page, then to the dashboard
    page.fill("#id_username", "facilitator_t")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/animation/")
    assert "Tableau de bord" in page.inner_text("main") and _sideways(page) <= 0
    page.click("text=Toutes les synergies")
    page.wait_for_url("**/animation/synergies/")
    assert _sideways(page) <= 0
    page.click(f"a[href='/synergies/{syn.pk}/']")
    page.wait_for_selector("#id_target")
    assert page.eval_on_selector("#id_target", "s => s.value") == "contacted"  # the next step, never an ending
    page.click("form[action$='/statut/'] button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Statut mis à jour" in page.inner_text("main") and _sideways(page) <= 0

    member = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900}, accept_downloads=True)
    company = member.new_page()
    company.set_default_timeout(15000)
    company.goto(base + "/connexion/")
    company.fill("#id_username", "member_a")
    company.fill("#id_password", PASSWORD)
    company.click("main button[type=submit]")
    company.wait_for_url("**/espace/")
    awaiting = company.inner_text("#h-awaiting + p + ul")
    assert "Cendres volantes de charbon" in awaiting and _sideways(company) <= 0
    company.goto(base + "/espace/import/")
    with company.expect_download() as download:
        company.click("a[href$='modele.csv']")
    template = tmp_path / "modele.csv"
    download.value.save_as(template)
    site_id = world.sites["A"].site_id
    text = template.read_text(encoding="utf-8-sig").replace(f"{site_id};offre;;", f"{site_id};offre;Sacs de ciment vides;", 1)
    template.write_text(text, encoding="utf-8")
    company.set_input_files("#id_file", str(template))
    company.click("main form[enctype] button[type=submit]")
    company.wait_for_selector(".import-report")  # the import job's page: its report once finished
    assert "Et ensuite" in company.inner_text("main") and _sideways(company) <= 0
    assert Flow.objects.filter(label="Sacs de ciment vides").exists()
    company.goto(base + f"/synergies/{syn.pk}/")
    company.click("button[value=yes]")
    company.wait_for_selector(".messages")
    assert "sont prévenus" in company.inner_text("main") and _sideways(company) <= 0
    context.close()
    member.close()


def test_the_facilitator_reads_the_same_potential_on_her_page_and_in_the_observatory(browser, live):
    """One potential: the optimal allocation, read off the pages as a facilitator sees them."""
    import re

    from boucle.matching.territory_potential import potential_of
    from boucle.observatory.queries import territory_indicators
    from boucle.territories.refs import resolve
    from web_personas import EPCI_T

    base, world = live
    page = login(browser, base, "facilitator_t")
    page.goto(base + "/animation/")
    cell = page.locator(".potential-co2e").first
    shown = float(cell.get_attribute("data-value"))
    visible = float(re.sub(r"[^\d,.-]", "", cell.inner_text()).replace(",", "."))
    ref = resolve(f"epci:{EPCI_T}")
    allocation = potential_of(ref).total_value
    assert shown == pytest.approx(allocation, rel=1e-9) and visible == pytest.approx(allocation, abs=0.5)
    assert allocation == pytest.approx(3200.0)  # 40,000 t to the one declared need, at 0.08 tCO2e/t
    doc = territory_indicators(ref, public=False)
    assert doc["impacts"]["potential"]["co2e_avoided_t"] == pytest.approx(allocation, rel=1e-9)
    page.goto(base + f"/observatoire/territoire/epci/{EPCI_T}/")
    row = page.locator("#obs-figures tr", has_text="Émissions évitées").first
    observatory = float(re.sub(r"[^\d,.-]", "", row.locator("td").nth(2).inner_text()).replace(",", "."))
    assert observatory == pytest.approx(allocation, abs=0.5)
