"""A large import runs in the background with its progress on its page; a small one stays immediate.

Without a worker, an import ran inside the request that sent the file: 16,000 sites kept the facilitator's
browser waiting about a minute with no sign of life. Now a file above ``imports.INLINE_MAX_BYTES`` is checked
and written by a thread of the server (``jobs.services.in_background``, the same ``execute`` as a worker), the
request answers at once with the job's page, whose progress block (htmx, every second) tells « Vérification des
lignes du fichier : 1 500 sur 16 000 », then « Enregistrement… », then the report. A small file is imported in
the request as before. Either way the same checks and messages, and nothing is written unless every row passes.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from boucle.flows.models import Site
from boucle.jobs import imports, services
from boucle.jobs.models import Job

from web_personas import EPCI_T

T = f"epci:{EPCI_T}"


def _file(world, n: int, bad_line: int | None = None) -> bytes:
    a = world.sites["A"]
    rows = ["site_id,name,naf_code,latitude,longitude,commune_insee"]
    for i in range(n):
        lat = "cinquante" if i + 2 == bad_line else f"{a.lat + i / 10000:.5f}"
        rows.append(f"BG-{i},Atelier {i},16.10A,{lat},{a.lon:.5f},{a.commune_id}")
    return ("\n".join(rows) + "\n").encode()


def _send(client, body: bytes):
    upload = SimpleUploadedFile("sites.csv", body, content_type="text/csv")
    return client.post(reverse("facilitator-import"), {"territory": T, "what": "sites", "file": upload})


def _wait():
    for thread in list(services._background):
        thread.join(timeout=60)


@pytest.fixture
def background(request, transactional_db, settings, tmp_path, monkeypatch):
    """A server's conditions: committed rows a thread can read, the reference data (a transactional test starts
    from flushed tables), then the personas; small files counted as large. The Reporter's steps are recorded."""
    from boucle.reference.loader import load_reference

    load_reference()
    request.getfixturevalue("world")
    settings.BOUCLE_JOBS_DIR = tmp_path / "jobs"
    monkeypatch.setattr(imports, "INLINE_MAX_BYTES", 200)
    monkeypatch.setattr("boucle.flows.importers.PROGRESS_EVERY", 5)
    steps = []
    told = services.Reporter.__call__

    def spy(self, percent, message, params=None):
        steps.append((percent, message % params if params else message))
        return told(self, percent, message, params)

    monkeypatch.setattr(services.Reporter, "__call__", spy)
    return steps


def test_a_large_file_is_imported_in_the_background_with_its_progress_told(background, world, as_persona):
    client = as_persona("facilitator_t")
    body = _file(world, 12)
    assert len(body) > imports.INLINE_MAX_BYTES
    response = _send(client, body)
    job = Job.objects.get(kind="import")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert services._background and services._background[-1].name == f"boucle-job-{job.pk}"
    _wait()
    job.refresh_from_db()
    assert job.state == "done" and job.result["created"] == 12 and "(in-process thread)" in job.worker
    assert Site.objects.filter(site_id__startswith="BG-").count() == 12
    said = [text for _p, text in background]
    assert "Vérification des lignes du fichier : 5 sur 12" in said and "Vérification des lignes du fichier : 12 sur 12" in said
    assert said[-1] == services.STEPS["import_writing"]  # told before the one transaction that writes
    percents = [p for p, _t in background]
    assert percents == sorted(percents) and percents[-1] == 80
    page = client.get(response["Location"]).content.decode()
    assert "<b>12</b>créés" in page and "hx-trigger" not in page  # finished: the page stops polling


def test_while_it_runs_the_page_polls_and_tells_where_it_stands(background, world, as_persona):
    job = Job.objects.create(kind="import", territory=T, state="running", progress=42,
                             message="Vérification des lignes du fichier : 6 720 sur 16 000",
                             parameters={"what": "sites", "file": "x.csv", "filename": "sites.csv", "bytes": 950_000},
                             requested_by=world.users["facilitator_t"])
    client = as_persona("facilitator_t")
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}"' in page and 'hx-trigger="every 1s"' in page
    block = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "6 720 sur 16 000" in block and 'value="42"' in block and "arrière-plan" in block
    client.cookies["django_language"] = "en"
    english = client.get(reverse("jobs:progress", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "6 720 of 16 000" in english, english


def test_a_refused_large_file_writes_nothing_and_says_what_a_small_one_says(background, world, as_persona):
    client = as_persona("facilitator_t")
    _send(client, _file(world, 12, bad_line=9))
    _wait()
    large = Job.objects.get(kind="import")
    assert large.state == "failed" and large.result["rejected_total"] == 1
    assert not Site.objects.filter(site_id__startswith="BG-").exists()
    imports.INLINE_MAX_BYTES = 10**9  # the same file, small enough to be imported in the request
    _send(client, _file(world, 12, bad_line=9))
    small = Job.objects.exclude(pk=large.pk).get(kind="import")
    assert small.state == "failed" and "in-process thread" not in small.worker
    assert small.result["rejected"] == large.result["rejected"] and small.error == large.error
    assert [r["line"] for r in large.result["rejected"]] == [9]
    assert "cinquante" in large.result["rejected"][0]["reason"]


def test_a_failure_while_writing_leaves_nothing_half_written(background, world, as_persona, monkeypatch):
    from boucle.flows.models import Company

    write = Site.objects.bulk_create

    def half_then_fails(objs, batch_size=None):
        write(list(objs)[:5], batch_size=batch_size)
        raise RuntimeError("disque plein")

    monkeypatch.setattr(Site.objects, "bulk_create", half_then_fails)
    _send(as_persona("facilitator_t"), _file(world, 12))
    _wait()
    job = Job.objects.get(kind="import")
    assert job.state == "failed" and "disque plein" in job.error
    # their companies and five sites were written, then undone with the job's one transaction
    assert not Site.objects.filter(site_id__startswith="BG-").exists()
    assert not Company.objects.filter(external_key__startswith="site:BG-").exists()


def test_a_small_file_is_still_imported_in_the_request(background, world, as_persona):
    imports.INLINE_MAX_BYTES = 10**9
    services._background.clear()
    response = _send(as_persona("facilitator_t"), _file(world, 3))
    job = Job.objects.get(kind="import")
    assert job.state == "done" and job.result["created"] == 3 and not services._background
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])


def test_the_command_line_waits_whatever_the_size(background, world, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(_file(world, 12))
    services._background.clear()
    staged = imports.stage(imports.file_chunks(path), "sites.csv")
    job = services.submit("import", T, {**staged, "what": "sites"})
    assert job.state == "done" and job.result["created"] == 12 and not services._background
