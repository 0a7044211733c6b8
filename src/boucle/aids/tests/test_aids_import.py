"""``import_aids``: the demo catalogue, the all-or-nothing report, JSON in Aides-territoires' shape, bounds."""

import csv
import datetime as dt
import json

import pytest

from boucle.aids import services
from boucle.aids.demo import DEMO_FILE
from boucle.aids.models import Aid
from boucle.flows.tabular import FileFormatError

HEADER = "identifier,name,url,financers,perimeter,beneficiaries,themes,aid_types,deadline,recurrence,source\n"
GOOD = "a1,Fonds test,https://example.org/a1,ADEME,region:32,entreprise,déchets,subvention,,permanent,essai\n"


def write(tmp_path, text, name="aids.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_demo_catalogue_holds_real_schemes_flagged_to_verify():
    report = services.import_aids(DEMO_FILE)
    assert report.ok and report.created >= 20, report.lines()
    aids = list(Aid.objects.all())
    assert all(a.to_verify and a.written_on == dt.date(2026, 12, 6) for a in aids)
    assert sum(a.deadline is None for a in aids) >= 5
    assert all(a.deadline is None for a in aids)  # the demo never depends on the day it runs
    assert all(a.url.startswith("https://") and a.origin for a in aids)
    levels = {ref.split(":")[0] for a in aids for ref in a.perimeter}
    assert {"FR", "EU", "region"} <= levels
    # a row pointing at a financer's home page says so in its note
    with DEMO_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["url"].rstrip("/").count("/") == 2:
                assert "URL" in row["note"], row["identifier"]
    again = services.import_aids(DEMO_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, report.created)


@pytest.mark.django_db
def test_a_bad_row_writes_nothing_unless_partial_and_names_line_and_field(tmp_path):
    bad = write(tmp_path, HEADER + GOOD
                + "a2,Sans lien,ftp://example.org,ADEME,FR,entreprise,déchets,,,,essai\n"
                + "a3,Mauvais lieu,https://example.org/a3,ADEME,region:99,entreprise,déchets,,,,essai\n"
                + "a4,Thème inconnu,https://example.org/a4,ADEME,FR,entreprise,astrologie,,,,essai\n"
                + "a5,Date,https://example.org/a5,ADEME,FR,entreprise,eau,,31/12/2027,,essai\n")
    report = services.import_aids(bad)
    assert not report.written and Aid.objects.count() == 0
    reasons = dict(report.rejected)
    assert set(reasons) == {3, 4, 5, 6}
    assert reasons[3].startswith("url:") and "region:99" in reasons[4] and reasons[4].startswith("perimeter:")
    assert reasons[5].startswith("themes:") and reasons[6].startswith("deadline:")
    assert "rien n'a été écrit" in "\n".join(report.lines())
    partial = services.import_aids(bad, partial=True)
    assert partial.written and partial.created == 1 and Aid.objects.get().identifier == "a1"


@pytest.mark.django_db
def test_json_in_the_shape_aides_territoires_publishes(tmp_path):
    path = tmp_path / "at.json"
    path.write_text(json.dumps({"results": [{
        "slug": "aide-chaleur", "name": "Aide chaleur", "url": "https://example.org/chaleur",
        "financers": [{"name": "ADEME"}, {"name": "Région Hauts-de-France"}],
        "perimeter": ["region:32", "epci:200093201"], "targeted_audiences": ["entreprise", "collectivité"],
        "categories": ["énergie et chaleur"], "aid_types": ["subvention", "prêt"],
        "submission_deadline": "2027-06-30", "recurrence": "ponctuel", "origin": "export Aides-territoires (test)",
        "to_verify": False}]}), encoding="utf-8")
    report = services.import_aids(path)
    assert report.ok and report.created == 1, report.lines()
    aid = Aid.objects.get()
    assert aid.financers == ["ADEME", "Région Hauts-de-France"] and aid.perimeter == ["region:32", "epci:200093201"]
    assert aid.beneficiaries == ["company", "local_authority"] and aid.aid_types == ["grant", "loan"]
    assert aid.deadline == dt.date(2027, 6, 30) and aid.recurrence == "one_off" and not aid.to_verify


@pytest.mark.django_db
def test_bounds_refuse_whole_files_and_oversized_cells(tmp_path, monkeypatch):
    with pytest.raises(FileFormatError):
        services.import_aids(write(tmp_path, "not,the,header\n1,2,3\n"))
    with pytest.raises(FileFormatError):
        services.import_aids(write(tmp_path, "[1, 2]", "x.json"))
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 100)
    with pytest.raises(FileFormatError):
        services.import_aids(write(tmp_path, HEADER + GOOD))
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 10**7)
    long_name = write(tmp_path, HEADER + GOOD.replace("Fonds test", "x" * 300))
    report = services.import_aids(long_name)
    assert report.rejected and report.rejected[0][1].startswith("name:")
    control = write(tmp_path, HEADER + GOOD.replace("Fonds test", "Fonds\x00test"))
    assert services.import_aids(control).rejected


@pytest.mark.django_db
def test_a_facilitators_values_go_through_the_same_check():
    from boucle.flows.fields import CellError

    values = {"name": "Aide test", "url": "https://example.org", "financers": ["Région"], "perimeter": ["FR"],
              "beneficiaries": ["company"], "themes": ["water"], "aid_types": [], "deadline": None,
              "recurrence": "permanent", "origin": "saisie", "note": "", "to_verify": True, "written_on": None,
              "description": ""}
    aid = services.save_aid(values, None)
    assert aid.identifier.startswith("boucle-aide-test") and aid.themes == ["water"]
    with pytest.raises(CellError, match="^perimeter:"):
        services.save_aid({**values, "perimeter": ["Atlantide"]}, None, aid)


@pytest.mark.django_db
def test_a_facilitators_correction_survives_a_new_import(tmp_path):
    services.import_aids(write(tmp_path, HEADER + GOOD))
    aid = Aid.objects.get(identifier="a1")
    values = {name: getattr(aid, name) for name in ("name", "url", "financers", "perimeter", "beneficiaries",
                                                    "themes", "aid_types", "deadline", "recurrence", "origin",
                                                    "note", "to_verify", "written_on", "description")}
    services.save_aid({**values, "url": "https://example.org/page-exacte", "to_verify": False}, None, aid)
    newer = GOOD.replace("Fonds test", "Fonds test 2027").replace("https://example.org/a1", "https://example.org/v2")
    report = services.import_aids(write(tmp_path, HEADER + newer))
    assert report.updated == 1
    aid.refresh_from_db()
    assert aid.name == "Fonds test 2027"  # the source's change comes in
    assert aid.url == "https://example.org/page-exacte" and not aid.to_verify  # the human fix stays
