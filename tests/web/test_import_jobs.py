"""A facilitator imports a sites or flows file as a background job, on the page and through the API.

No broker in the tests: the job runs at submission and its page shows the report straight away
(created, updated, rejected lines with their numbers and reasons), in the reader's language.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from boucle.flows.models import Flow, Site
from boucle.jobs import imports, services
from boucle.jobs.models import Job

from web_personas import EPCI_OTHER, EPCI_T

T = f"epci:{EPCI_T}"


def upload(text: str, name: str = "sites.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def sites_file(world, *rows) -> str:
    a = world.sites["A"]
    lines = ["site_id,name,naf_code,latitude,longitude,commune_insee"]
    lines += [row.format(lat=a.lat, lon=a.lon, commune=a.commune_id) for row in rows]
    return "\n".join(lines) + "\n"


@pytest.fixture
def jobs_dir(settings, tmp_path):
    settings.BOUCLE_JOBS_DIR = tmp_path / "jobs"
    return settings.BOUCLE_JOBS_DIR


def test_a_facilitator_imports_sites_and_reads_the_report_on_the_job_page(world, as_persona, jobs_dir):
    client = as_persona("facilitator_t")
    page = client.get(reverse("facilitator-import")).content.decode()
    assert 'enctype="multipart/form-data"' in page and f'value="{T}"' in page
    text = sites_file(world, "IMP-1,Atelier bois,16.10A,{lat},{lon},{commune}", "IMP-2,Recyclerie,,,,{commune}")
    response = client.post(reverse("facilitator-import"), {"territory": T, "what": "sites", "file": upload(text)})
    job = Job.objects.get(kind="import")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == "done" and job.territory == T and job.requested_by == world.users["facilitator_t"]
    assert set(Site.objects.filter(site_id__startswith="IMP-").values_list("name", flat=True)) == {
        "Atelier bois", "Recyclerie"}
    body = client.get(response["Location"]).content.decode()
    assert "Import de fichier" in body and "<b>2</b>créés" in body and 'value="100"' in body
    assert "hx-trigger" not in body
    assert list(imports.uploads_dir().iterdir()) == []  # the copy is gone once the job is finished

    again = client.post(reverse("facilitator-import"), {"territory": T, "what": "sites", "file": upload(text)})
    assert Job.objects.get(pk=again["Location"].split("/")[-2]).result["unchanged"] == 2  # the same file: no change


def test_a_refused_file_writes_nothing_and_the_page_lists_its_lines_in_the_reader_s_language(
        world, as_persona, jobs_dir):
    client = as_persona("facilitator_t")
    text = sites_file(world, "IMP-1,Atelier bois,16.10A,{lat},{lon},{commune}", "IMP-2,,16.10A,{lat},{lon},{commune}",
                      "IMP-3,Scierie,99.99Z,{lat},{lon},{commune}")
    response = client.post(reverse("facilitator-import"), {"territory": T, "what": "sites", "file": upload(text)})
    job = Job.objects.get(kind="import")
    assert job.state == "failed" and not Site.objects.filter(site_id__startswith="IMP-").exists()
    assert job.error_params == {"n": 2}
    body = client.get(response["Location"]).content.decode()
    assert "fichier refusé, rien n&#x27;a été enregistré (lignes en erreur : 2)" in body
    assert "<td data-label=\"Ligne\">3</td><td data-label=\"Raison\">name: valeur obligatoire</td>" in body
    assert "99.99Z absent de la NAF rév. 2" in body

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(response["Location"]).content.decode()
    assert "file rejected, nothing was saved (lines in error: 2)" in english
    assert "name: value required" in english and "99.99Z is not in NACE Rev. 2" in english
    with translation.override("en"):
        doc = services.job_dict(job)
    assert doc["error"] == "file rejected, nothing was saved (lines in error: 2)"
    assert [row["line"] for row in doc["result"]["rejected"]] == [3, 4]
    assert job.result["rejected"][0]["reason"] == "name: valeur obligatoire"  # stored in French


def test_an_import_is_limited_to_the_territory_s_sites(world, as_persona, jobs_dir):
    """Site C lies in another territory: its row is refused with its line number, and nothing is written."""
    client = as_persona("facilitator_t")
    a, c = world.sites["A"].site_id, world.sites["C"].site_id
    text = f"site_id,direction,label,quantity,unit\n{a},offer,Palettes,30,t\n{c},offer,Boues,10,t\n"
    before = Flow.objects.count()
    client.post(reverse("facilitator-import"), {"territory": T, "what": "flows", "file": upload(text, "flux.csv")})
    job = Job.objects.get(kind="import")
    assert job.state == "failed" and Flow.objects.count() == before
    reason = f"site_id: le site {c} est hors du territoire de l'import"
    assert job.result["rejected"] == [{"line": 3, "reason": reason, "fields": [{"field": "site_id", "reason": reason}]}]

    moved = sites_file(world, f"{c},Papeterie déplacée,,{{lat}},{{lon}},{{commune}}")  # C brought into T: refused
    client.post(reverse("facilitator-import"), {"territory": T, "what": "sites", "file": upload(moved)})
    assert Job.objects.filter(state="failed").count() == 2
    assert Site.objects.get(site_id=c).name == "Papeterie Charliepap"


def test_the_page_refuses_another_territory_and_a_wrong_format(world, as_persona, jobs_dir):
    text = sites_file(world, "IMP-1,Atelier bois,16.10A,{lat},{lon},{commune}")
    response = as_persona("facilitator_t").post(reverse("facilitator-import"),
                                                {"territory": f"epci:{EPCI_OTHER}", "what": "sites",
                                                 "file": upload(text)})
    assert response.status_code == 403
    response = as_persona("facilitator_t").post(reverse("facilitator-import"),
                                                {"territory": T, "what": "sites", "file": upload(text, "sites.pdf")})
    assert response.status_code == 200 and "Format attendu : CSV ou XLSX." in response.content.decode()
    assert not Job.objects.exists() and not Site.objects.filter(site_id="IMP-1").exists()


def test_an_oversized_file_is_refused_while_it_is_copied(world, jobs_dir, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 100)
    with pytest.raises(services.JobRefused, match="Fichier trop volumineux"):
        imports.stage([b"x" * 60, b"y" * 60], "sites.csv")
    assert list(imports.uploads_dir().iterdir()) == []  # nothing half-copied is kept


def test_the_api_takes_an_import_as_a_multipart_form(world, as_persona, jobs_dir):
    text = sites_file(world, "IMP-1,Atelier bois,16.10A,{lat},{lon},{commune}", "IMP-2,,,{lat},{lon},{commune}")
    response = as_persona("facilitator_t").post("/api/jobs/import", {"territory": T, "what": "sites",
                                                                     "file": upload(text)})
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["kind"] == "import" and doc["state"] == "failed" and doc["error"].endswith("(lignes en erreur : 1)")
    assert doc["result"]["rejected"] == [{"line": 3, "reason": "name: valeur obligatoire",
                                          "fields": [{"field": "name", "reason": "name: valeur obligatoire"}]}]
    english = as_persona("facilitator_t").get(f"/api/jobs/{doc['id']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["result"]["rejected"][0]["reason"] == "name: value required"
    assert english["error"] == "file rejected, nothing was saved (lines in error: 1)"

    response = as_persona("facilitator_other").post("/api/jobs/import", {"territory": T, "what": "sites",
                                                                         "file": upload(text)})
    assert response.status_code == 403
    response = as_persona("facilitator_t").post("/api/jobs", json.dumps({"kind": "import", "territory": T}),
                                                content_type="application/json")
    assert response.status_code == 422 and "/api/jobs/import" in response.content.decode()


def test_matching_runs_through_the_api_are_jobs_with_the_same_answer(world, as_persona):
    response = as_persona("facilitator_t").post("/api/matching-runs", json.dumps({"territory": T, "radius_km": 30}),
                                                content_type="application/json")
    assert response.status_code == 201, response.content
    doc = response.json()
    job = Job.objects.get(pk=doc["job"])
    assert job.kind == "match" and job.state == "done" and doc["id"] == job.result["matching_run"]
    assert doc["status_url"] == f"/api/jobs/{job.pk}" and doc["proposals"] == job.result["proposals"]
    assert {"territory", "radius_km", "started_at", "finished_at", "created", "updated"} <= set(doc)


def test_with_a_broker_a_matching_run_answers_202_with_its_job(world, as_persona, settings, monkeypatch):
    settings.BOUCLE_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(services, "_enqueue", lambda job_id: None)
    response = as_persona("facilitator_t").post("/api/matching-runs", json.dumps({"territory": T}),
                                                content_type="application/json")
    assert response.status_code == 202, response.content
    doc = response.json()
    assert doc["state"] == "queued" and doc["status_url"] == f"/api/jobs/{doc['job']}"
    assert as_persona("facilitator_t").get(doc["status_url"]).json()["state"] == "queued"


def test_e_mail_jobs_and_operator_imports_are_seen_by_the_administrator_only(world, as_persona):
    """Jobs with no territory (e-mails, an operator's import from the command line) belong to no facilitator."""
    job = Job.objects.create(kind="email", territory="", parameters={"notifications": [1], "subject": "s", "text": "t"})
    for persona, sees in (("facilitator_t", False), ("facilitator_other", False), ("member_a", False),
                          ("superuser", True)):
        assert (as_persona(persona).get(reverse("jobs:detail", args=[job.pk])).status_code == 200) == sees, persona
        assert (str(job.pk) in as_persona(persona).get(reverse("jobs:list")).content.decode()) == sees, persona
    body = as_persona("superuser").get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Envoi de courriels — toute la plateforme" in body


def test_a_refused_line_names_every_field_at_fault_on_the_page_and_in_the_api(world, as_persona, jobs_dir):
    """Line 3 has three independent faults, all named; line 4's unit is not judged against a kind that is
    itself unreadable. A good file then imports."""
    client = as_persona("facilitator_t")
    a = world.sites["A"].site_id
    text = (f"site_id,direction,label,kind,quantity,unit\n{a},offer,Palettes,material,30,t\n"
            f"{a},vente,Boues,material,-3,furlong\n{a},offer,Vapeur,truc,5,MWh\n")
    before = Flow.objects.count()
    response = client.post(reverse("facilitator-import"), {"territory": T, "what": "flows",
                                                           "file": upload(text, "flux.csv")})
    job = Job.objects.get(kind="import")
    assert job.state == "failed" and Flow.objects.count() == before
    body = client.get(response["Location"]).content.decode()
    assert ("<td data-label=\"Ligne\">3</td><td data-label=\"Raison\">direction: « vente » inconnu, attendu "
            "offre ou besoin ; quantity: -3 est négatif ; unit: ") in body
    assert "<td data-label=\"Ligne\">4</td><td data-label=\"Raison\">kind: « truc » inconnu" in body

    doc = client.get(f"/api/jobs/{job.pk}").json()
    line3, line4 = doc["result"]["rejected"]
    assert [e["field"] for e in line3["fields"]] == ["direction", "quantity", "unit"]
    assert line3["reason"] == " ; ".join(e["reason"] for e in line3["fields"])
    assert [e["field"] for e in line4["fields"]] == ["kind"]
    english = client.get(f"/api/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE="en").json()["result"]["rejected"][0]
    assert english["fields"][1]["reason"] == "quantity: -3 is negative"
    assert english["reason"].startswith("direction: ") and " ; quantity: -3 is negative ; unit: " in english["reason"]

    good = f"site_id,direction,label,kind,quantity,unit\n{a},offer,Palettes,material,30,t\n"
    client.post(reverse("facilitator-import"), {"territory": T, "what": "flows", "file": upload(good, "flux.csv")})
    assert Job.objects.filter(state="done").count() == 1 and Flow.objects.count() == before + 1


def test_a_site_placed_outside_the_territory_is_refused_saying_where_it_fell(world, as_persona, jobs_dir):
    """Line 2 lies in Metz, line 3 has its latitude and longitude swapped (a spreadsheet slip): the
    facilitator reads the commune and the likely mistake, not a bare « outside the territory »."""
    client = as_persona("facilitator_t")
    a = world.sites["A"]
    text = ("site_id,name,latitude,longitude\n"
            "IMP-1,Atelier messin,49.119876,6.175432\n"
            f"IMP-2,Atelier lillois,{a.lon},{a.lat}\n")
    response = client.post(reverse("facilitator-import"), {"territory": T, "what": "sites", "file": upload(text)})
    job = Job.objects.get(kind="import")
    assert job.state == "failed" and not Site.objects.filter(site_id__startswith="IMP-").exists()
    reasons = {row["line"]: row["reason"] for row in job.result["rejected"]}
    assert reasons[2].startswith("site IMP-1 : sa commune, Metz (57463), est hors du territoire de l'import (")
    assert reasons[3].startswith(f"site IMP-2 : les coordonnées ({a.lon}, {a.lat}) ne tombent dans aucune commune")
    assert reasons[3].endswith(") : latitude et longitude inversées ?") and "inversées" not in reasons[2]
    body = client.get(response["Location"]).content.decode()
    assert "Metz (57463)" in body and "latitude et longitude inversées ?" in body

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(response["Location"]).content.decode()
    assert "its commune, Metz (57463), is outside the import&#x27;s territory" in english
    assert "): latitude and longitude swapped?" in english


def test_a_flows_file_with_french_headers_imports(world, as_persona, jobs_dir):
    a = world.sites["A"].site_id
    text = f"SIRET;Sens;Libellé;Quantité;Unité\n{a};offre;Palettes bois;30;t\n"
    as_persona("facilitator_t").post(reverse("facilitator-import"),
                                     {"territory": T, "what": "flows", "file": upload(text, "flux.csv")})
    job = Job.objects.get(kind="import")
    assert job.state == "done" and job.result["created"] == 1 and job.result["unknown_columns"] == []
    flow = Flow.objects.get(site__site_id=a, label="Palettes bois")
    assert (flow.direction, flow.quantity, flow.unit) == ("offer", 30, "t")


def test_the_import_page_says_french_headers_are_read_and_that_the_check_takes_a_while(world, as_persona):
    page = as_persona("facilitator_t").get(reverse("facilitator-import")).content.decode()
    assert "SIRET, Raison sociale, Code NAF (ou APE)" in page and "virgule décimale (50,63)" in page
    assert 'data-busy="Fichier envoyé : chaque ligne est vérifiée' in page and 'role="status"' in page
    assert "tâche de fond" not in page  # without a worker the page answers once the file is checked


def test_the_list_of_recent_imports_names_each_file(world, as_persona, jobs_dir):
    client = as_persona("facilitator_t")
    text = sites_file(world, "IMP-1,Atelier bois,16.10A,{lat},{lon},{commune}")
    client.post(reverse("facilitator-import"), {"territory": T, "what": "sites",
                                                "file": upload(text, "entreprises-zone-nord.csv")})
    page = client.get(reverse("facilitator-import")).content.decode()
    assert "<small>entreprises-zone-nord.csv</small>" in page
