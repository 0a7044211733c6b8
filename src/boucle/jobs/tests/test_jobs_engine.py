"""The rules that decide what a delivered job message does (pure: no Django)."""

from boucle.jobs.engine import GIVE_UP, RUN, SKIP, WAIT, clamp_progress, decide


def test_a_finished_job_is_never_run_again():
    assert decide("done", 1, 3.0, 60, 3).action == SKIP
    assert decide("failed", 3, None, 60, 3).action == SKIP


def test_a_job_held_by_a_live_worker_waits_for_its_lease():
    decision = decide("running", 1, 10.0, 60, 3)
    assert decision.action == WAIT and decision.wait_s == 51.0


def test_a_job_whose_worker_went_silent_runs_again_then_gives_up():
    assert decide("queued", 0, None, 60, 3).action == RUN
    assert decide("running", 1, 61.0, 60, 3).action == RUN
    assert decide("running", 3, 61.0, 60, 3).action == GIVE_UP


def test_progress_is_a_percentage():
    assert [clamp_progress(v) for v in (-5, 42.4, 250, "x", None)] == [0, 42, 100, 0, 0]
