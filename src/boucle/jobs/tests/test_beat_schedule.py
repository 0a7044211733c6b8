"""``boucle beat``: a matching job each night for the configured territories, submitted on the queue."""

from unittest import mock

import pytest

from boucle.celery import beat_schedule


def test_one_nightly_matching_per_configured_territory():
    schedule = beat_schedule(["region:32", "epci:200093201"], 3)
    assert sorted(schedule) == ["nightly-match epci:200093201", "nightly-match region:32"]
    entry = schedule["nightly-match region:32"]
    assert entry["task"] == "boucle.jobs.nightly_match" and entry["args"] == ["region:32"]
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {0}
    assert beat_schedule([], 2) == {}


@pytest.mark.django_db
def test_the_periodic_task_submits_a_matching_job():
    from boucle.jobs import tasks

    with mock.patch("boucle.jobs.services.submit") as submit:
        tasks.nightly_match.run("region:32")
    submit.assert_called_once_with("match", "region:32")


def test_beat_refuses_to_start_without_a_broker(settings, capsys):
    import argparse

    from boucle.jobs import commands

    settings.BOUCLE_BROKER_URL = ""
    assert commands.run_beat(argparse.Namespace(loglevel="INFO")) == 2
    assert "BOUCLE_BROKER_URL" in capsys.readouterr().err
