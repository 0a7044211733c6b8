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


def test_sites_taking_the_passports_materials_are_shown_even_when_farther(client, world):
    from boucle.testing import make_flow, make_site

    far = make_site("Fonderie Lointaine", naf="38.32Z", lat=49.90, lon=2.30, commune="62041")
    make_flow(far, "Cuivre de récupération", direction="need", material_class="copper_scrap")
    for i in range(6):  # enough nearer circular sites to push it out of the plain ranking
        make_site(f"Réparateur {i}", naf="95.21Z", lat=50.63 + i / 100, lon=3.07, commune="59350")
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    where = html[html.index('id="where"'):html.index('id="history"')]
    assert "reprend" in where and "cuivre" in where
    world.item.tiers = {"composition": "legitimate"}
    world.item.save()
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "reprend" not in html[html.index('id="where"'):html.index('id="history"')]


def test_hidden_or_empty_fields_leave_no_empty_heading(client, world):
    world.item.tiers = {"recycled_content_percent": "authority"}
    world.item.save()
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Contenu recyclé" not in html
    world.item.recycled_content_percent = 0  # zero is information, not absence
    world.item.tiers = {}
    world.item.save()
    assert "Contenu recyclé : 0" in client.get(f"/passeports/{world.item.handle}/").content.decode()
