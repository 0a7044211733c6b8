"""Importing land entries: CSV and GeoJSON through one validation path, all or nothing, line-numbered."""

import json

import pytest

from boucle.land.demo import load_demo_land
from boucle.land.models import LandSite
from boucle.land.services import LandError, import_land, search

pytestmark = pytest.mark.django_db

HEADER = "identifier,name,kind,area_m2,status,commune_insee,latitude,longitude,rail,pollution_known,pollution_refs,source\n"


def write(tmp_path, text, name="land.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_import_then_reimport_changes_nothing(tmp_path):
    path = write(tmp_path, HEADER + "t1,Friche A,friche industrielle,12 000,friche sans projet,59350,50.63,3.06,oui,oui,BASOL 59.1234,CEREMA test\n"
                                    "t2,Lot B,terrain,5000,,62041,,,non,,,EPF test\n")
    report = import_land(path)
    assert report.ok and report.created == 2, report.lines()
    a, b = LandSite.objects.get(identifier="t1"), LandSite.objects.get(identifier="t2")
    assert (a.kind, a.status, a.area_m2, a.rail, a.pollution_known, a.pollution_refs) == (
        "brownfield", "available", 12_000, True, True, "BASOL 59.1234")
    assert b.commune.name == "Arras" and b.position_is_commune_centre and b.pollution_known is None
    assert (b.lat, b.lon) == (b.commune.lat, b.commune.lon)
    again = import_land(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_bad_rows_are_named_and_nothing_is_written(tmp_path):
    path = write(tmp_path, HEADER + "ok,Bon,terrain,100,,59350,,,,,,S\n"
                                    "k,Genre,parking,100,,59350,,,,,,S\n"
                                    "a,Surface,terrain,-5,,59350,,,,,,S\n"
                                    "c,Commune,terrain,100,,99999,,,,,,S\n"
                                    "s,Statut,terrain,100,vendu,59350,,,,,,S\n"
                                    "ok,Doublon,terrain,100,,59350,,,,,,S\n"
                                    "h,Moitié,terrain,100,,59350,50.6,,,,,S\n")
    report = import_land(path)
    assert [line for line, _r in report.rejected] == [3, 4, 5, 6, 7, 8]
    reasons = dict(report.rejected)
    assert "parking" in reasons[3] and "area_m2" in reasons[4] and "99999" in reasons[5]
    assert "vendu" in reasons[6] and "ligne 2" in reasons[7] and "latitude" in reasons[8]
    assert not report.written and LandSite.objects.count() == 0
    partial = import_land(path, partial=True)
    assert partial.created == 1 and LandSite.objects.count() == 1


def test_geojson_polygon_gives_position_and_area(tmp_path):
    # A square of about 0.001° × 0.001° at Lille's latitude: ~111 m × ~71 m ≈ 7,900 m².
    square = [[3.06, 50.63], [3.061, 50.63], [3.061, 50.631], [3.06, 50.631], [3.06, 50.63]]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
         "properties": {"site_id": "g1", "site_nom": "Friche du canal", "site_type": "friche",
                        "site_statut": "friche avec projet", "comm_insee": "59350", "source": "Cartofriches (test)"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": square[:2]},
         "properties": {"site_id": "g2", "site_nom": "Ligne", "site_type": "friche", "comm_insee": "59350",
                        "source": "S"}}]}
    path = write(tmp_path, json.dumps(doc), "land.geojson")
    report = import_land(path)
    assert [line for line, _r in report.rejected] == [2] and "geometry" in report.rejected[0][1]
    report = import_land(path, partial=True)
    site = LandSite.objects.get(identifier="g1")
    assert site.status == "under_study" and 7_000 < site.area_m2 < 9_000
    assert 50.63 < site.lat < 50.631 and 3.06 < site.lon < 3.061 and not site.position_is_commune_centre
    assert site.geometry["type"] == "Polygon"


def test_search_by_territory_area_and_servicing():
    report = load_demo_land()
    assert report.ok and report.created >= 10
    assert LandSite.objects.filter(illustrative=False).count() == 0  # nothing invented is presented as real
    in_region = search(territory="region:32")
    assert len(in_region) == LandSite.objects.count()
    nord = search(territory="departement:59", min_area_m2=50_000, servicing=["rail"])
    assert nord and all(s.commune.departement_id == "59" and s.area_m2 >= 50_000 and s.rail for s in nord)
    statuses = [s.status for s in in_region]
    assert statuses == sorted(statuses, key=["available", "under_study", "reconverted"].index)
    with pytest.raises(LandError, match="region:32"):
        search(territory="region:99")
    with pytest.raises(LandError, match="min_area_m2"):
        search(min_area_m2="beaucoup")
    with pytest.raises(LandError, match="servicing"):
        search(servicing=["gaz"])
