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
# An exchange tried or running puts the two companies in touch: it needs both to have said yes
# (the double opt-in that reveals who is on the other side), or a party would see « en fonctionnement »
# next to an anonymous partner. ``check_transition`` enforces it.
NEEDS_BOTH_AGREED = {TRIAL, RUNNING}
# A measured (verified) result exists once material or energy was exchanged: on trial, running, or stopped
# after running. On a mere suggestion it would count in the territory's verified figures as an exchange
# that never happened.
MEASURABLE = {TRIAL, RUNNING, STOPPED}


class TransitionError(ValueError):
    pass


class AgreementMissing(TransitionError):
    """The step needs both companies' yes, and at least one has not given it."""


class NothingExchanged(TransitionError):
    """A measured result for a synergy that has not exchanged anything (not yet on trial or running)."""


def check_transition(current: str, target: str, both_agreed: bool = True) -> None:
    if target not in TRANSITIONS:
        raise TransitionError(f"unknown status {target!r}")
    if target not in TRANSITIONS.get(current, set()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, set()))) or "none"
        raise TransitionError(f"cannot go from {current} to {target} (allowed: {allowed})")
    if target in NEEDS_BOTH_AGREED and not both_agreed:
        raise AgreementMissing(f"{target} needs both companies to have said yes to meeting each other")
