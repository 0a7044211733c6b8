"""The page for whoever scans: where to repair or recycle, without naming unpublished companies."""

import re

from boucle.passports.nearby import nearest_circular_sites


def test_nearest_sites_from_the_scanner_position(client, world):
    # Scanned in Arras: the recycler there comes first, then the repair shop near Lille.
    html = client.get(f"/passeports/{world.item.handle}/", {"lat": "50.29", "lon": "2.78"}).content.decode()
    where = html[html.index('id="where"'):html.index('id="history"')]
    assert "Près de vous" in where or "Near you" in where
    assert "Recycleur Discret" not in html  # not published: activity and commune only
    assert re.search(r"Récupération de déchets triés.*Arras", where, re.S)
    assert "Atelier Réparation" in where  # published company: named
    assert where.index("Arras") < where.index("Atelier Réparation")
    assert "vendor/leaflet/leaflet.js" in html


def test_nearest_sites_default_to_the_producing_site(world):
    sites = nearest_circular_sites(world.factory.lat, world.factory.lon)
    assert [s["commune"] for s in sites[:2]] == ["Villeneuve-d'Ascq", "Arras"]
    assert sites[0]["role"] == "repair" and sites[1]["role"] == "recycling"
    assert sites[0]["km"] < sites[1]["km"]
    assert all(s["naf"][:2] in ("33", "38", "95") for s in sites)


def test_page_in_english(client, world):
    html = client.get(f"/passeports/{world.item.handle}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What is it made of?" in html and "Use my location" in html
    html = client.get(f"/passeports/{world.item.handle}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "De quoi est-il fait ?" in html
