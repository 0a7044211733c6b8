"""A job keeps the language of the person who asked for it.

A facilitator reading Boucle in English asks for a territorial report: the file is in English,
whichever process writes it (the page's own process with no broker, the default; or a worker
started in French). A French session gets a French file from an English worker. What the job
stores for later readers (its steps, its errors) is still read in each reader's language.
"""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from boucle.jobs import services
from boucle.jobs.models import Job

from web_personas import EPCI_T

T = f"epci:{EPCI_T}"
TITLE = {"fr": "Rapport territorial :", "en": "Territory report:"}


@pytest.fixture
def jobs_dir(settings, tmp_path):
    settings.BOUCLE_JOBS_DIR = tmp_path / "jobs"
    return settings.BOUCLE_JOBS_DIR


def _ask_for_report(client, language: str) -> Job:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.post("/api/jobs", json.dumps({"kind": "report", "territory": T}),
                           content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    return Job.objects.get(pk=response.json()["id"])


def _file(job: Job) -> str:
    return services.output_path(job).read_text(encoding="utf-8")


@pytest.mark.parametrize("language, other", [("en", "fr"), ("fr", "en")])
def test_a_report_run_at_once_is_written_in_the_requester_s_language(world, as_persona, jobs_dir, language, other):
    job = _ask_for_report(as_persona("facilitator_t"), language)
    assert job.state == "done" and job.language == language
    text = _file(job)
    assert TITLE[language] in text and TITLE[other] not in text
    assert f'lang="{language}"' in text


@pytest.mark.parametrize("language, worker", [("en", "fr"), ("fr", "en")])
def test_a_worker_writes_the_report_in_the_requester_s_language_not_its_own(
        world, as_persona, jobs_dir, settings, monkeypatch, language, worker):
    settings.BOUCLE_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(services, "_enqueue", lambda job_id: None)  # the worker below takes it
    job = _ask_for_report(as_persona("facilitator_t"), language)
    assert job.state == "queued" and job.language == language
    with translation.override(worker):  # `boucle worker` started with BOUCLE_LANG of the other language
        job = services.execute(job.pk, worker="test-worker")
    assert job.state == "done"
    text = _file(job)
    assert TITLE[language] in text and TITLE[worker] not in text


def test_the_command_line_s_language_is_the_requester_s(world, jobs_dir):
    with translation.override("en"):
        job = services.submit("report", T)
    assert job.language == "en" and TITLE["en"] in _file(job)


def test_an_import_s_refusal_is_read_in_each_reader_s_language_whoever_asked(world, as_persona, jobs_dir):
    """An import's stored words stay language-neutral: the English requester and a French colleague
    each read the refusal and its lines in their own language."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    english = as_persona("facilitator_t")
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = "site_id,direction,label,quantity,unit\nNOPE-1,offer,Palettes,30,t\n"
    response = english.post(reverse("facilitator-import"), {
        "territory": T, "what": "flows", "file": SimpleUploadedFile("flux.csv", text.encode(), "text/csv")})
    job = Job.objects.get(kind="import")
    assert job.language == "en" and job.state == "failed"
    page = english.get(response["Location"]).content.decode()
    assert "file rejected, nothing was saved (lines in error: 1)" in page and "unknown site NOPE-1" in page
    with translation.override("fr"):
        doc = services.job_dict(job)
    assert doc["error"] == "fichier refusé, rien n'a été enregistré (lignes en erreur : 1)"
    assert "NOPE-1 inconnu" in doc["result"]["rejected"][0]["reason"]
