"""Skills through the one write path: file imports, demo, the territory document."""

import pytest

from boucle.flows.models import Site
from boucle.skills.models import SkillDeclaration, TrainingOffer
from boucle.skills.services import SkillsError, import_declarations, import_trainings, match_territory
from boucle.testing import make_site

pytestmark = pytest.mark.django_db


def write(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sites(db):
    return {"lille": make_site("Atelier A", lat=50.63, lon=3.06, commune="59350", naf="24.10Z"),
            "roubaix": make_site("Atelier B", lat=50.69, lon=3.18, commune="59512", naf="25.62A")}


def test_needs_import_all_or_nothing_then_reimport_unchanged(tmp_path, sites):
    a, b = sites["lille"].site_id, sites["roubaix"].site_id
    header = "site_id,direction,rome_code,label,level,headcount,horizon_months\n"
    path = write(tmp_path, header + f"{a},besoin,H2913,,3,2,6\n{b},need,h2913,Soudeur,niveau 3,1,\n"
                                    f"{a},offre,,Cariste disponible,,1,0\n", "needs.csv")
    bad = write(tmp_path, header + f"{a},besoin,H2913,,3,2,6\nnope,need,H2913,,,1,6\n{a},need,XX12,,,1,6\n"
                                   f"{a},need,,,,1,6\n{a},need,H2913,,9,1,6\n{a},need,H2913,,,0,6\n{a},need,H2913,,,1,99\n",
                "bad.csv")
    report = import_declarations(bad)
    assert [n for n, _r in report.rejected] == [3, 4, 5, 6, 7, 8] and SkillDeclaration.objects.count() == 0
    reasons = dict(report.rejected)
    assert "nope" in reasons[3] and "ROME" in reasons[4] and "label" in reasons[5]
    assert "level" in reasons[6] and "headcount" in reasons[7] and "horizon_months" in reasons[8]
    report = import_declarations(path)
    assert report.ok and report.created == 3, report.lines()
    need = SkillDeclaration.objects.get(site=sites["lille"], direction="need")
    assert need.label == "Soudage manuel" and need.headcount == 2  # the ROME title when no label is given
    again = import_declarations(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_trainings_import_and_territory_document(tmp_path, sites):
    header = "identifier,organisation,title,rome_codes,level,apprenticeship,commune_insee,start_date,end_date,source\n"
    bad = write(tmp_path, header + "t1,Org,Soudage,H2913,3,oui,59512,2027-01-10,2026-12-01,S\n"
                                   "t2,Org,Soudage,H2913,3,oui,99999,,,S\n", "bad.csv")
    assert [n for n, _r in import_trainings(bad).rejected] == [2, 3] and TrainingOffer.objects.count() == 0
    good = write(tmp_path, header + "t1,Org,Soudage,H2913,3,oui,59512,,,S\nt2,Org,Cariste,N1101,3,non,80021,,,S\n", "t.csv")
    assert import_trainings(good).created == 2
    a, b = sites["lille"].site_id, sites["roubaix"].site_id
    needs = write(tmp_path, f"site_id,rome_code,headcount\n{a},H2913,2\n{b},H2913,1\n{a},N1101,1\n", "n.csv")
    assert import_declarations(needs).ok
    doc = match_territory("epci:200093201")
    assert doc["territory_name"] and len(doc["needs"]) == 3
    by = {(n["site_id"], n["rome_code"]): n for n in doc["needs"]}
    assert [t["id"] for t in by[(a, "H2913")]["trainings"]] == ["t1"] and by[(a, "N1101")]["trainings"] == []
    assert len(doc["pools"]) == 1 and doc["pools"][0]["companies"] == 2 and doc["pools"][0]["headcount"] == 3
    assert sum(r["unmet_needs"] for r in doc["unmet_by_epci"]) == 1
    with pytest.raises(SkillsError, match="region:32"):
        match_territory("nulle-part")
    with pytest.raises(SkillsError, match="rayon"):
        match_territory("epci:200093201", radius_km=0)


def test_demo_needs_and_trainings(db):
    from boucle.skills.demo import TRAINING_FILE, load_demo_skills

    assert import_trainings(TRAINING_FILE).ok and TrainingOffer.objects.count() >= 10
    assert not TrainingOffer.objects.filter(illustrative=False).exists()
    assert not TrainingOffer.objects.filter(end_date__isnull=False).exists()  # the demo ignores today's date
    for naf in ("24.10Z", "10.51A"):
        make_site(f"Usine {naf}", lat=50.0, lon=2.5, commune="80021", naf=naf)
    report, needs = load_demo_skills(Site.objects.all())
    assert report.ok and needs >= 2 and SkillDeclaration.objects.filter(illustrative=True).count() == needs
