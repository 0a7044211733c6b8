"""The page for whoever scans: where to repair, give, drop off or recycle it — places near the
person (position asked by the browser, or a commune typed), never the platform's company sites."""

import re

import pytest

from boucle.places.models import Place


@pytest.fixture
def shops(db):
    def place(identifier, name, commune, lat, lon, actions, categories=(), illustrative=False):
        return Place.objects.create(identifier=identifier, name=name, commune=commune, lat=lat, lon=lon,
                                    actions=list(actions), object_categories=list(categories),
                                    source="Que faire de mes objets (test)", illustrative=illustrative)
    return {
        "arras_repair": place("a1", "Atelier Outils Arras", "Arras", 50.2911, 2.7771, ["repair"], ["tools"]),
        "lille_repair": place("l1", "Repair café (exemple)", "Lille", 50.632, 3.047, ["repair"], ["tools"], True),
        "bike_only": place("a2", "Vélo Arras", "Arras", 50.2912, 2.7772, ["repair"], ["bike"]),
        "tip": place("a3", "Déchèterie (exemple)", "Arras", 50.29, 2.78, ["drop_off", "recycle"], [], True),
        "batteries": place("l2", "Collecte piles Lille", "Lille", 50.63, 3.06, ["drop_off"], ["batteries"]),
    }


def _with_battery(world):
    world.item.composition = [*world.item.composition, {"material": "batterie lithium-ion", "mass_kg": 0.3}]
    world.item.save()


def _where(client, world, **params):
    html = client.get(f"/passeports/{world.item.handle}/", params).content.decode()
    return html, html[html.index('id="where"'):html.index('id="history"')]


def test_places_near_the_scanner_for_the_objects_categories(client, world, shops):
    # A drill scanned in Arras: the Arras tool repairer first, the Lille repair café after; the
    # bike workshop takes no drills; the tip (every object) and the battery point are listed to drop it off.
    _with_battery(world)
    html, where = _where(client, world, lat="50.29", lon="2.78")
    assert "Près de vous" in where
    assert where.index("Atelier Outils Arras") < where.index("Repair café (exemple)")
    assert "Vélo Arras" not in where
    assert "Déchèterie (exemple)" in where and "exemple illustratif" in where
    assert "Collecte piles Lille" in where  # the drill's battery (composition: lithium-ion battery)
    assert "vendor/leaflet/leaflet.js" in html
    assert not re.search(r"\b\d{1,2}\.\d{4,}\b", where)  # nothing finer than 3 decimals


def test_a_typed_commune_replaces_the_position(client, world, shops):
    _html, where = _where(client, world, commune="arras")
    assert "Près de Arras" in where and "Atelier Outils Arras" in where
    _html, where = _where(client, world, commune="Nulle-Part-Sur-Rien")
    assert "introuvable" in where and "Atelier Outils Arras" not in where


def test_without_a_position_nothing_is_measured_from_the_factory(client, world, shops):
    _html, where = _where(client, world)
    assert "Atelier Outils Arras" not in where and "Près du lieu de fabrication" not in where
    assert "Utiliser ma position" in where and 'name="commune"' in where


def test_company_sites_never_appear_in_the_list(client, world, shops):
    from boucle.testing import make_site

    make_site("Atelier Réparation Publique", naf="95.21Z", lat=50.2905, lon=2.7805, commune="62041", published=True)
    _html, where = _where(client, world, lat="50.29", lon="2.78")
    assert "Atelier Réparation Publique" not in where and "Réparation d'ordinateurs" not in where


def test_a_hidden_composition_does_not_steer_the_list(client, world, shops):
    _with_battery(world)
    assert "Collecte piles Lille" in _where(client, world, lat="50.29", lon="2.78")[1]
    world.item.tiers = {"composition": "legitimate"}
    world.item.save()
    _html, where = _where(client, world, lat="50.29", lon="2.78")
    assert "Collecte piles Lille" not in where  # "takes batteries" would reveal the composition


def test_page_in_english(client, world, shops):
    html = client.get(f"/passeports/{world.item.handle}/", {"lat": "50.29", "lon": "2.78"},
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What is it made of?" in html and "Use my location" in html and "illustrative example" in html
    html = client.get(f"/passeports/{world.item.handle}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "De quoi est-il fait ?" in html


def test_hidden_or_empty_fields_leave_no_empty_heading(client, world):
    world.item.tiers = {"recycled_content_percent": "authority"}
    world.item.save()
    html = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Contenu recyclé" not in html
    world.item.recycled_content_percent = 0  # zero is information, not absence
    world.item.tiers = {}
    world.item.save()
    assert "Contenu recyclé : 0" in client.get(f"/passeports/{world.item.handle}/").content.decode()


def test_masses_and_footprint_read_as_french_figures(client, world):
    """« 4 300 kg CO₂e » and « 0,80 kg », never « 4300,0 » or « 0.8 » on a page read in French."""
    world.item.carbon_footprint_kg = 4300.0
    world.item.tiers = {**world.item.tiers, "carbon_footprint": "public"}
    world.item.save()
    html = client.get(f"/passeports/{world.item.handle}/").content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert "4 300 kg CO₂e" in html and "4300" not in html
    assert "0,80 kg" in html and "0.8 kg" not in html


def _life_state(html: str) -> str:
    return re.sub(r"\s+", " ", html.split('class="life-state">', 1)[1].split("</span>", 1)[0])


def test_the_life_state_says_what_it_means_for_the_object(client, world):
    """« État : émis » (the record's state) meant nothing to whoever scans: the page says where the object
    stands — new, in service, repaired… — and a model's sheet is not one object."""
    from boucle.passports.models import Passport

    item = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert _life_state(item) == "Aujourd'hui : neuf, pas encore mis en service" and "émis" not in item
    model = client.get(f"/passeports/{world.model.handle}/").content.decode()
    assert _life_state(model) == "Fiche commune à tous ses exemplaires"
    english = client.get(f"/passeports/{world.item.handle}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _life_state(english) == "Today: new, not yet put into service"
    from boucle.passports.views import LIFE_WORDS

    assert set(LIFE_WORDS) == set(Passport.Status.values)  # every state has its words


def test_an_object_that_no_longer_exists_is_not_sent_to_a_repairer(client, world, monkeypatch):
    """The demo drill read « Aujourd'hui : démonté : l'objet n'existe plus » and, below, « Éligible au bonus
    réparation … Voir les réparateurs »: once taken apart or recycled, the repair section says its facts are the
    model's, and offers no bonus for an object that is gone."""
    from boucle.passports import views

    alive = client.get(f"/passeports/{world.item.handle}/").content.decode()
    assert "Éligible au bonus réparation" in alive and "ne peut plus être réparé" not in alive
    real = views.history
    for status in ("disassembled", "recycled"):
        monkeypatch.setattr(views, "history", lambda *a, s=status, **k: {**real(*a, **k), "status": s})
        gone = client.get(f"/passeports/{world.item.handle}/").content.decode()
        assert "Cet exemplaire ne peut plus être réparé" in gone and "Éligible au bonus réparation" not in gone, status
        assert "Remplacer les charbons du moteur." in gone  # the model's repair facts stay, for its other units
