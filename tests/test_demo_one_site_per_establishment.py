"""The demo shows an establishment once, however the public sources wrote its name (``scripts/build_data_demo.py``)."""

import csv
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("build_data_demo", ROOT / "scripts" / "build_data_demo.py")
demo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(demo)


def _record(irep_id, name, lat, lon, commune="62550", commune_name="Marconnelle", naf="10.92Z", years=(2008, 2017)):
    return {"irep_id": irep_id, "name": name, "lat": lat, "lon": lon, "commune_insee": commune, "naf_code": naf,
            "first_year": years[0] if years else None, "latest_year": years[1] if years else None,
            "words": demo.name_words(name, commune_name)}


def test_one_establishment_written_two_ways_is_one_site():
    old = _record("7000808", "NESTLE PURINA PETCARE Usine de MARCONNELLE", 50.37374, 2.01658, years=None)
    new = _record("7001157", "NESTLE PURINA - Usine de MARCONNELLE", 50.37386, 2.01838)
    assert demo.same_establishment(old, new) and demo.renumbered([old, new]) == {"7000808"}
    amiens = [_record("5101952", "NESTLE PURINA PETCARE France S.A.S.", 49.89998, 2.48336, "80036", "Amiens",
                      years=(2008, 2016)),
              _record("58001187", "NESTLE PURINA PETCARE FRANCE SAS", 49.89998, 2.48336, "80036", "Amiens",
                      years=(2017, 2017))]
    assert demo.renumbered(amiens) == {"5101952"}


def test_what_is_not_one_establishment_stays_two_sites():
    hospital = _record("7001036", "CHRU de Lille", 50.63425, 3.03998, "59350", "Lille", "86.10Z")
    laundry = _record("7002611", "BLANCHISSERIE CENTRALE du CHRU de Lille", 50.63425, 3.03998, "59350", "Lille",
                      "86.10Z", years=None)
    assert not demo.same_establishment(hospital, laundry)  # one name's words are not half of the other's
    far = _record("7001157", "NESTLE PURINA - Usine de MARCONNELLE", 50.40, 2.06)
    other_trade = _record("7001157", "NESTLE PURINA - Usine de MARCONNELLE", 50.37386, 2.01838, naf="20.14Z")
    near = _record("7000808", "NESTLE PURINA PETCARE Usine de MARCONNELLE", 50.37374, 2.01658)
    assert not demo.same_establishment(near, far) and not demo.same_establishment(near, other_trade)
    side_by_side = [_record("1", "ACME CHIMIE", 50.0, 2.0, years=(2003, 2017)),
                    _record("2", "ACME CHIMIE SAS", 50.001, 2.0, years=(2005, 2017))]
    assert demo.renumbered(side_by_side) == set()  # two installations declaring for years


def test_the_shipped_demo_holds_marconnelle_once():
    with (ROOT / "src" / "boucle" / "data" / "demo" / "sites.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["site_id"] for r in rows if "PURINA" in r["name"] and r["commune_insee"] == "62550"] == ["irep:7001157"]
    assert len(rows) == 1304
