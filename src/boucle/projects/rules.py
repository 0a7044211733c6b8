"""The rules of a call for projects (AMI), as plain functions (no Django).

A call goes draft → published → decided; its *phase* for a visitor also depends on
the dates (upcoming, open, closed). An answer goes draft → submitted → one of the
three decisions (retained, not retained, redirected to a funding scheme); a
decision may be changed until the call's results are published (``decided``), and
never afterwards, so the public figures stay true.

Errors carry a stable ``code`` that the views turn into a translated message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# Call statuses
DRAFT, PUBLISHED, DECIDED = "draft", "published", "decided"
CALL_STATUSES = [DRAFT, PUBLISHED, DECIDED]
CALL_TRANSITIONS = {DRAFT: {PUBLISHED}, PUBLISHED: {DECIDED}, DECIDED: set()}

# Phases seen by visitors (derived, never stored)
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"

# Answer statuses
ANSWER_DRAFT, SUBMITTED, RETAINED, NOT_RETAINED, REDIRECTED = (
    "draft", "submitted", "retained", "not_retained", "redirected")
ANSWER_STATUSES = [ANSWER_DRAFT, SUBMITTED, RETAINED, NOT_RETAINED, REDIRECTED]
DECISIONS = {RETAINED, NOT_RETAINED, REDIRECTED}

# The assessment criteria of the Hauts-de-France AMI « Mobilités durables ».
CRITERIA = ["strategic", "environmental", "jobs", "attractiveness"]
SCORE_MIN, SCORE_MAX = 0, 5

# The answer file the Hauts-de-France AMI asks for; a facilitator may change it per call.
DEFAULT_QUESTIONS = [
    "Présentation synthétique",
    "Partenariats",
    "Problématiques traitées",
    "Description des étapes",
    "Suites attendues",
    "Impacts et premiers éléments financiers",
]


class RuleError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def phase(status: str, opens_on: dt.date, closes_on: dt.date, today: dt.date) -> str:
    """What a call is today; the closing day is still open (answers accepted until its end)."""
    if status == DRAFT:
        return DRAFT
    if status == DECIDED:
        return DECIDED
    if today < opens_on:
        return UPCOMING
    if today > closes_on:
        return CLOSED
    return OPEN


def check_dates(opens_on: dt.date | None, closes_on: dt.date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise RuleError("dates_order")


def can_edit_answer(answer_status: str, call_phase: str) -> bool:
    """A company changes its answer while it is a draft and the call is open; submitting freezes it."""
    return answer_status == ANSWER_DRAFT and call_phase == OPEN


def check_submit(answer_status: str, call_phase: str, filled: Iterable[str]) -> None:
    if call_phase != OPEN:
        raise RuleError("call_not_open")
    if answer_status != ANSWER_DRAFT:
        raise RuleError("already_submitted")
    if not any((text or "").strip() for text in filled):
        raise RuleError("empty_answer")


def check_call_transition(current: str, target: str, call_phase: str, undecided_answers: int) -> None:
    """Publishing opens the call to companies; deciding publishes the figures, so every answer needs a decision."""
    if target not in CALL_TRANSITIONS.get(current, set()):
        raise RuleError("bad_transition")
    if target == DECIDED:
        if call_phase != CLOSED:
            raise RuleError("not_closed")
        if undecided_answers:
            raise RuleError("undecided_answers")


def check_decision(answer_status: str, decision: str, call_status: str, funding_scheme: str) -> None:
    if decision not in DECISIONS:
        raise RuleError("bad_decision")
    if call_status == DECIDED:
        raise RuleError("results_published")
    if answer_status not in {SUBMITTED} | DECISIONS:
        raise RuleError("not_submitted")
    if decision == REDIRECTED and not funding_scheme.strip():
        raise RuleError("scheme_required")


def check_score(score: int) -> None:
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise RuleError("score_range")


def public_counts(call_status: str, answer_statuses: Iterable[str]) -> tuple[int, int] | None:
    """(answers, laureates) once the results are published; nothing before, not even a count.

    Drafts never count: a company that did not submit did not answer.
    """
    if call_status != DECIDED:
        return None
    statuses = [s for s in answer_statuses if s != ANSWER_DRAFT]
    return len(statuses), sum(1 for s in statuses if s == RETAINED)


def mean_score(scores: Iterable[int | None]) -> float | None:
    given = [s for s in scores if s is not None]
    return round(sum(given) / len(given), 2) if given else None


def territory_matches(call_level: str, call_code: str, site_codes: dict[str, str | None]) -> bool:
    """Is a site (its commune, EPCI, département and region codes) inside the call's territory?"""
    return site_codes.get(call_level) == call_code
