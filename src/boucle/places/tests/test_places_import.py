"""Importing places: CSV and JSON through one validation path, all or nothing, line-numbered."""

import json

import pytest

from boucle.places.demo import DEMO_FILE, load_demo_places
from boucle.places.models import Place
from boucle.places.services import find_commune, import_places, near

pytestmark = pytest.mark.django_db

HEADER = "identifier,name,address,postcode,commune,commune_insee,latitude,longitude,actions,object_categories,source\n"


def write(tmp_path, text, name="places.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_import_then_reimport_changes_nothing(tmp_path):
    path = write(tmp_path, HEADER + "r1,Atelier Vélo,3 rue X,59000,Lille,,50.63,3.06,réparer|vendre,vélo,ADEME 2026\n"
                                    "r2,Déchèterie,,,,62041,50.29,2.78,drop_off;recycle,,ADEME 2026\n")
    report = import_places(path)
    assert report.ok and report.created == 2
    tip = Place.objects.get(identifier="r2")
    assert tip.commune == "Arras" and tip.actions == ["drop_off", "recycle"] and tip.object_categories == []
    assert Place.objects.get(identifier="r1").object_categories == ["bike"]
    again = import_places(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_place_without_coordinates_or_commune_is_refused_and_nothing_is_written(tmp_path):
    path = write(tmp_path, HEADER + "ok,Bon,,,Lille,,50.63,3.06,repair,,S\n"
                                    "nocoord,Sans point,,,Lille,,,,repair,,S\n"
                                    "nocommune,Sans commune,,,,,50.6,3.0,repair,,S\n"
                                    "badaction,X,,,Lille,,50.6,3.0,réparer|jeter,,S\n"
                                    "badinsee,Y,,,,99999,50.6,3.0,repair,,S\n"
                                    "ok,Doublon,,,Lille,,50.6,3.0,repair,,S\n")
    report = import_places(path)
    assert [line for line, _ in report.rejected] == [3, 4, 5, 6, 7]
    reasons = dict(report.rejected)
    assert "coordonnées" in reasons[3] and "commune" in reasons[4] and "jeter" in reasons[5]
    assert "99999" in reasons[6] and "ligne 2" in reasons[7]
    assert not report.written and Place.objects.count() == 0
    partial = import_places(path, partial=True)
    assert partial.created == 1 and Place.objects.count() == 1


def test_json_import_with_ademe_column_names(tmp_path):
    rows = [{"identifiant_unique": "q1", "nom": "Ressourcerie", "ville": "Amiens", "latitude": 49.89,
             "longitude": 2.30, "acteur_services": ["donner", "vendre"], "url": "https://example.org",
             "source": "Que faire de mes objets", "date_de_la_source": "2026-10-01"},
            {"identifiant_unique": "q2", "nom": "Sans ville", "latitude": 49.9, "longitude": 2.3,
             "acteur_services": ["donner"], "source": "S"}]
    report = import_places(write(tmp_path, json.dumps(rows), "places.json"))
    assert report.rejected == [(2, report.rejected[0][1])] and "commune" in report.rejected[0][1]
    rows[1]["ville"] = "Amiens"
    rows[1]["url"] = "javascript:alert(1)"
    report = import_places(write(tmp_path, json.dumps(rows), "places.json"))
    assert report.rejected[0][0] == 2 and "website" in report.rejected[0][1]
    rows[1].pop("url")
    assert import_places(write(tmp_path, json.dumps(rows), "places.json")).created == 2
    assert Place.objects.get(identifier="q1").website == "https://example.org"


def test_demo_places_are_illustrative_with_commune_positions_and_no_street():
    report = load_demo_places()
    assert report.ok and report.created >= 60
    places = list(Place.objects.all())
    # flagged, and the flag is what pages say (« exemple illustratif », once): the name does not repeat it
    assert all(p.illustrative and "exemple" not in (p.name + p.opening_hours).lower() and not p.address for p in places)
    towns = {p.commune for p in places}
    assert {"Lille", "Amiens", "Roubaix", "Tourcoing", "Dunkerque", "Calais", "Valenciennes", "Arras",
            "Beauvais"} <= towns
    assert load_demo_places().unchanged == report.created
    found = near(50.63, 3.06, object_text="perceuse", action="repair", limit=3)
    assert found and found[0]["address"].endswith("Lille") and found[0]["illustrative"]
    assert DEMO_FILE.exists()


def test_a_typed_commune_is_found_by_name_or_postcode():
    assert find_commune("arras").insee == "62041"
    assert find_commune("ARRAS ").insee == "62041"
    assert find_commune("62041").name == "Arras"
    assert find_commune("Nulle-Part") is None


def test_json_paged_like_an_api_and_a_wrong_shape_says_what_to_send(tmp_path):
    """The same JSON reader as the aids import: ``{"results": [...]}`` as an open-data API pages it, and a file
    that is no list of objects is refused whole, naming the key it may stand under."""
    from boucle.flows.tabular import FileFormatError

    page = {"count": 1, "results": [{"identifiant_unique": "p1", "nom": "Repair Café", "ville": "Amiens",
                                     "latitude": 49.89, "longitude": 2.30, "acteur_services": ["réparer"],
                                     "source": "Que faire de mes objets"}]}
    assert import_places(write(tmp_path, json.dumps(page), "places.json")).created == 1
    with pytest.raises(FileFormatError, match=r'\{"places": \[\.\.\.\]\}'):
        import_places(write(tmp_path, json.dumps({"places": "none"}), "places.json"))
    assert Place.objects.count() == 1
