"""Background jobs on the pages and in the API, per persona.

Only the facilitators of a territory (and the administrator) submit a job for it and see it,
its progress and its file; a company user, a facilitator of another territory or an anonymous
visitor gets a refusal or a 404, never the job. With no broker configured (the tests), a job
runs at submission: its page shows the result straight away.
"""

import json

import pytest
from django.urls import reverse

from boucle.jobs import services
from boucle.jobs.models import Job
from boucle.matching.models import MatchingRun, Synergy

from route_matrix import check_reads
from web_personas import EPCI_OTHER, EPCI_T, PERSONAS

STEERS_T = {"facilitator_t", "superuser"}


@pytest.fixture
def export_job(world):
    return services.submit("export", f"epci:{EPCI_T}", {"what": "synergies"}, world.users["facilitator_t"])


def test_the_job_page_progress_and_file_are_for_the_territory_s_facilitators(world, as_persona, export_job):
    assert export_job.state == "done", export_job.error
    for name in ("jobs:detail", "jobs:progress"):
        check_reads(world, as_persona, reverse(name, args=[export_job.pk]), STEERS_T)
    for persona in PERSONAS:  # the file streams: read it whole, and only the same two get it
        response = as_persona(persona).get(reverse("jobs:file", args=[export_job.pk]))
        if persona in STEERS_T:
            body = b"".join(response.streaming_content).decode()
            assert response.status_code == 200 and "Charliepap" not in body and "Alphaciment SA" in body
        else:
            assert response.status_code in (302, 404), (persona, response.status_code)
    body = as_persona("facilitator_t").get(reverse("jobs:detail", args=[export_job.pk])).content.decode()
    assert "Télécharger epci-200093201-synergies.csv" in body and 'value="100"' in body
    assert "hx-trigger" not in body  # finished: the page stops asking
    download = as_persona("superuser").get(reverse("jobs:file", args=[export_job.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="epci-200093201-synergies.csv"')


def test_the_list_shows_each_persona_only_the_jobs_of_its_territories(world, as_persona, export_job):
    other = Job.objects.create(kind="match", territory=f"epci:{EPCI_OTHER}", parameters={"radius_km": 30})
    for persona in PERSONAS:
        response = as_persona(persona).get(reverse("jobs:list"))
        if persona == "anonymous":
            assert response.status_code == 302
            continue
        body = response.content.decode()
        assert (str(export_job.pk) in body) == (persona in STEERS_T), persona
        assert (str(other.pk) in body) == (persona in {"facilitator_other", "superuser"}), persona


def test_a_queued_job_page_polls_its_progress(world, as_persona):
    job = Job.objects.create(kind="match", territory=f"epci:{EPCI_T}", parameters={"radius_km": 30},
                             message=services.STEPS["queued"])
    body = as_persona("facilitator_t").get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}"' in body and 'hx-trigger="every 1s"' in body
    assert "En attente d&#x27;un processus de calcul" in body
    assert "htmx.min.js" in body


def test_run_the_matching_submits_a_job_and_lands_on_its_page(world, as_persona):
    client = as_persona("facilitator_t")
    response = client.post(reverse("matching-runs"), {"territory": f"epci:{EPCI_T}", "radius_km": "30"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "match" and job.state == "done" and job.requested_by == world.users["facilitator_t"]
    assert job.result["matching_run"] == MatchingRun.objects.get().pk
    page = client.get(response["Location"]).content.decode()
    assert "Terminé" in page and "Voir les synergies" in page
    assert "enregistrée" in page and "nouvelles :" in page
    assert str(job.pk) in client.get(reverse("matching-runs")).content.decode()  # listed under recent jobs


def test_the_api_submits_for_the_territory_s_facilitators_only(world, as_persona):
    payload = {"kind": "match", "territory": f"epci:{EPCI_T}", "parameters": {"radius_km": 30}}
    for persona in PERSONAS:
        response = as_persona(persona).post("/api/jobs", payload, content_type="application/json")
        if persona in STEERS_T:
            assert response.status_code == 201, (persona, response.content)
            doc = response.json()
            assert doc["state"] == "done" and doc["progress"] == 100 and doc["result"]["proposals"] >= 0
            assert as_persona(persona).get(f"/api/jobs/{doc['id']}").json()["id"] == doc["id"]
        else:
            assert response.status_code == (401 if persona == "anonymous" else 403), (persona, response.status_code)
    assert Job.objects.count() == 2
    job = Job.objects.first()
    for persona in PERSONAS:
        response = as_persona(persona).get(f"/api/jobs/{job.pk}")
        expected = 200 if persona in STEERS_T else 401 if persona == "anonymous" else 404
        assert response.status_code == expected, persona
        if expected != 200:
            assert str(job.pk) not in response.content.decode()


def test_the_api_refuses_bad_jobs_at_submission(world, as_persona):
    client = as_persona("superuser")
    cases = [({"kind": "match", "territory": "epci:999999999"}, "territory: pas de epci de code '999999999'"),
             ({"kind": "teleport", "territory": f"epci:{EPCI_T}"}, "type de tâche inconnu"),
             ({"kind": "match", "territory": f"epci:{EPCI_T}", "parameters": {"radius_km": 9000}}, "radius_km"),
             ({"kind": "export", "territory": f"epci:{EPCI_T}", "parameters": {"format": "exe"}}, "format"),
             ({"kind": "report", "territory": f"epci:{EPCI_T}", "parameters": {"colour": "red"}}, "colour")]
    for payload, words in cases:
        response = client.post("/api/jobs", payload, content_type="application/json")
        assert response.status_code == 422 and words in json.dumps(response.json()["detail"], ensure_ascii=False), (
            payload, response.content)
    assert not Job.objects.exists()
    assert client.get("/api/jobs/not-a-job").status_code == 404


def test_a_job_that_fails_says_why_and_writes_nothing(world, as_persona, monkeypatch):
    from boucle.matching import service_run

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    before = sorted(Synergy.objects.values_list("id", "score"))
    monkeypatch.setattr(service_run, "store", broken)
    job = services.submit("match", f"epci:{EPCI_T}", {"radius_km": 30}, world.users["facilitator_t"])
    assert job.state == "failed" and job.error == "disque plein" and job.attempts == 1
    assert sorted(Synergy.objects.values_list("id", "score")) == before and not MatchingRun.objects.exists()
    body = as_persona("facilitator_t").get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "pas abouti" in body and "disque plein" in body
    assert json.dumps(services.job_dict(job))  # the status document is plain JSON
