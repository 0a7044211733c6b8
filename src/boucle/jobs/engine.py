"""What to do with a job's message when it arrives: pure rules, no Django.

A message can arrive more than once: a worker killed mid-job hands it back (or the broker
delivers it again after its visibility timeout), and a slow job's message may be delivered
again while the first worker still holds it. The job's row says what happened so far; these
rules turn that into one decision.
"""

from dataclasses import dataclass

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)
FINISHED = (DONE, FAILED)

RUN, SKIP, WAIT, GIVE_UP = "run", "skip", "wait", "give_up"


@dataclass(frozen=True)
class Decision:
    action: str  # RUN, SKIP (already finished), WAIT (another worker holds it) or GIVE_UP
    wait_s: float = 0.0


def decide(state: str, attempts: int, heartbeat_age_s: float | None, lease_s: float, max_attempts: int) -> Decision:
    """``heartbeat_age_s``: seconds since the worker holding the job last said it was alive (None: never).

    A running job whose heartbeat is younger than the lease belongs to a live worker: wait
    until the lease runs out. An older heartbeat means that worker is gone: run again, unless
    the job has already been started ``max_attempts`` times (a job that kills its worker
    every time must not loop for ever).
    """
    if state in FINISHED:
        return Decision(SKIP)
    if state == RUNNING and heartbeat_age_s is not None and heartbeat_age_s < lease_s:
        return Decision(WAIT, max(1.0, lease_s - heartbeat_age_s + 1.0))
    if attempts >= max_attempts:
        return Decision(GIVE_UP)
    return Decision(RUN)


def clamp_progress(value) -> int:
    """A percentage between 0 and 100, whatever a step reports."""
    try:
        number = int(round(float(value)))
    except (TypeError, ValueError):
        return 0
    return min(100, max(0, number))
