"""The observatory's first view in Chromium, as a facilitator sees it: from the click to the Sankey and
the map drawn, on a running Boucle (the demo: `boucle demo --no-serve && boucle serve --port 8102`).

Usage: python bench/observatory_first_view.py http://127.0.0.1:8102 [region/32] [login password]
Prints the time of the HTML page, the Sankey drawn and the map drawn, four runs (the first is cold),
then the synergy map with its lines, and any console error.
"""

import sys
import time

from playwright.sync_api import sync_playwright

base = sys.argv[1].rstrip("/")
territory = sys.argv[2] if len(sys.argv) > 2 else "region/32"
login, password = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else ("animateur@demo.boucle", "boucle-demo")
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/connexion/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    for run in range(4):
        started = time.monotonic()
        page.goto(f"{base}/observatoire/territoire/{territory}/")
        html = time.monotonic() - started
        page.wait_for_selector("#obs-sankey[data-loaded]", timeout=120000)
        sankey = time.monotonic() - started
        page.wait_for_selector("#obs-map[data-loaded=true]", timeout=120000)
        drawn = time.monotonic() - started
        print(f"run {run}: page {html:.2f} s, Sankey drawn {sankey:.2f} s, map drawn {drawn:.2f} s")
    started = time.monotonic()
    page.goto(base + "/carte/")
    page.wait_for_selector("#map[data-lines-loaded=true]", timeout=120000)
    print(f"synergy map with its lines: {time.monotonic() - started:.2f} s")
    print("console errors:", errors or "none")
    browser.close()
