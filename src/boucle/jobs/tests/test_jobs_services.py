"""Running a job again is safe: finished jobs are left alone, a vanished worker's job starts over
and converges to the same synergies, a live worker's job is not run twice at once, and a worker
that lost its job can no longer finish it."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from boucle.jobs import services
from boucle.jobs.models import Job
from boucle.matching.models import MatchingRun, Synergy
from boucle.testing import make_flow, make_site

TERRITORY = "epci:200093201"


@pytest.fixture
def lille(db):
    power = make_site("Centrale", lat=50.63, lon=3.06, commune="59350", naf="35.11Z")
    cement = make_site("Cimenterie", lat=50.64, lon=3.10, commune="59350", naf="23.51Z")
    make_flow(power, "Cendres volantes", ewc="100102", quantity=60000, unit="t", material_class="fly_ash")
    make_flow(cement, "Cendres pour le cru", direction="need", ewc="100102", quantity=40000, unit="t",
              material_class="fly_ash")


def synergies():
    return sorted(Synergy.objects.values_list("offer_id", "need_id", "need_site_id", "material_class", "score"))


def test_running_a_finished_job_again_changes_nothing(lille):
    job = services.submit("match", TERRITORY, {"radius_km": 30})
    assert job.state == "done" and job.result["proposals"] >= 1
    before = synergies()
    assert services.execute(job.pk).attempts == 1
    assert synergies() == before and MatchingRun.objects.count() == 1


def test_a_job_left_running_by_a_vanished_worker_starts_over_to_the_same_result(lille, settings):
    first = services.submit("match", TERRITORY, {"radius_km": 30})
    expected = synergies()
    stale = timezone.now() - timedelta(seconds=settings.BOUCLE_JOBS_VISIBILITY_TIMEOUT + 5)
    job = Job.objects.create(kind="match", territory=TERRITORY, parameters=first.parameters, state="running",
                             attempts=1, heartbeat_at=stale)
    job = services.execute(job.pk)
    assert job.state == "done" and job.attempts == 2
    assert job.result["created"] == 0 and job.result["proposals"] == first.result["proposals"]
    assert synergies() == expected  # no duplicate, nothing new


def test_a_job_held_by_a_live_worker_is_not_run_twice_at_once(lille):
    job = Job.objects.create(kind="match", territory=TERRITORY, parameters={"radius_km": 30, "inferred": True},
                             state="running", attempts=1, heartbeat_at=timezone.now())
    with pytest.raises(services.Busy):
        services.execute(job.pk)
    assert not Synergy.objects.exists()


def test_a_job_that_keeps_killing_its_worker_is_given_up(lille, settings):
    stale = timezone.now() - timedelta(seconds=settings.BOUCLE_JOBS_VISIBILITY_TIMEOUT + 5)
    job = Job.objects.create(kind="match", territory=TERRITORY, parameters={"radius_km": 30, "inferred": True},
                             state="running", attempts=services.MAX_ATTEMPTS, heartbeat_at=stale)
    job = services.execute(job.pk)
    assert job.state == "failed" and "3 fois" in services.labels(job)["error"] and not Synergy.objects.exists()
    with translation.override("en"):  # stored as a msgid and its count: read in the reader's language
        assert "3 times" in services.job_dict(job)["error"]


def test_a_worker_whose_job_was_taken_over_writes_nothing(lille, monkeypatch):
    job = Job.objects.create(kind="match", territory=TERRITORY, parameters={"radius_km": 30, "inferred": True})
    original = services._match

    def taken_over_while_computing(job, report):
        write = original(job, report)
        Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)  # another worker took it meanwhile
        return write

    monkeypatch.setitem(services.HANDLERS, "match", taken_over_while_computing)
    job = services.execute(job.pk)
    assert job.state == "running" and job.attempts == 2  # still the other worker's
    assert not Synergy.objects.exists() and not MatchingRun.objects.exists()
