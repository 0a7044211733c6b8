"""The life of a synergy, as an explicit state machine (pure, no Django).

suggested → contacted → in_discussion → trial → running → stopped, or declined at
any step before it stops. A transition not listed here is refused.
"""

SUGGESTED, CONTACTED, IN_DISCUSSION, TRIAL, RUNNING, STOPPED, DECLINED = (
    "suggested", "contacted", "in_discussion", "trial", "running", "stopped", "declined")
STATUSES = [SUGGESTED, CONTACTED, IN_DISCUSSION, TRIAL, RUNNING, STOPPED, DECLINED]
LABELS_FR = {SUGGESTED: "suggérée", CONTACTED: "contact pris", IN_DISCUSSION: "en discussion", TRIAL: "essai",
             RUNNING: "en fonctionnement", STOPPED: "arrêtée", DECLINED: "abandonnée"}

TRANSITIONS = {
    SUGGESTED: {CONTACTED, DECLINED},
    CONTACTED: {IN_DISCUSSION, DECLINED},
    IN_DISCUSSION: {TRIAL, RUNNING, DECLINED},
    TRIAL: {RUNNING, DECLINED},
    RUNNING: {STOPPED},
    STOPPED: set(),
    DECLINED: set(),
}
ACTIVE = {CONTACTED, IN_DISCUSSION, TRIAL, RUNNING}


class TransitionError(ValueError):
    pass


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS:
        raise TransitionError(f"unknown status {target!r}")
    if target not in TRANSITIONS.get(current, set()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, set()))) or "none"
        raise TransitionError(f"cannot go from {current} to {target} (allowed: {allowed})")
