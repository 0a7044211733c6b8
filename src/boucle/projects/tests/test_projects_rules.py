"""The rules of a call for projects, without a database."""

import datetime as dt

import pytest

from boucle.projects import rules

D = dt.date


@pytest.mark.parametrize("status, today, expected", [
    ("draft", D(2026, 3, 10), "draft"),
    ("published", D(2026, 2, 28), "upcoming"),
    ("published", D(2026, 3, 1), "open"),
    ("published", D(2026, 3, 31), "open"),  # the closing day is still open
    ("published", D(2026, 4, 1), "closed"),
    ("decided", D(2026, 3, 10), "decided"),
])
def test_phase_follows_status_and_dates(status, today, expected):
    assert rules.phase(status, D(2026, 3, 1), D(2026, 3, 31), today) == expected


def test_dates_in_order():
    rules.check_dates(D(2026, 3, 1), D(2026, 3, 1))
    with pytest.raises(rules.RuleError) as error:
        rules.check_dates(D(2026, 3, 2), D(2026, 3, 1))
    assert error.value.code == "dates_order"


@pytest.mark.parametrize("status, phase, editable", [
    ("draft", "open", True), ("draft", "closed", False), ("draft", "upcoming", False),
    ("submitted", "open", False), ("retained", "open", False),
])
def test_an_answer_is_editable_only_as_a_draft_of_an_open_call(status, phase, editable):
    assert rules.can_edit_answer(status, phase) is editable


def test_submitting_needs_an_open_call_a_draft_and_some_text():
    rules.check_submit("draft", "open", ["", "Notre projet"])
    for status, phase, texts, code in [("draft", "closed", ["x"], "call_not_open"),
                                       ("submitted", "open", ["x"], "already_submitted"),
                                       ("draft", "open", ["", "   "], "empty_answer")]:
        with pytest.raises(rules.RuleError) as error:
            rules.check_submit(status, phase, texts)
        assert error.value.code == code


def test_results_are_published_only_after_closing_and_once_every_answer_is_decided():
    rules.check_call_transition("draft", "published", "draft", 0)
    rules.check_call_transition("published", "decided", "closed", 0)
    for current, target, phase, undecided, code in [
            ("published", "decided", "open", 0, "not_closed"),
            ("published", "decided", "closed", 2, "undecided_answers"),
            ("draft", "decided", "draft", 0, "bad_transition"),
            ("decided", "published", "decided", 0, "bad_transition")]:
        with pytest.raises(rules.RuleError) as error:
            rules.check_call_transition(current, target, phase, undecided)
        assert error.value.code == code


def test_a_redirected_answer_names_its_funding_scheme():
    rules.check_decision("submitted", "redirected", "published", "FRATRI")
    with pytest.raises(rules.RuleError) as error:
        rules.check_decision("submitted", "redirected", "published", "  ")
    assert error.value.code == "scheme_required"


def test_decisions_freeze_once_results_are_published_and_drafts_cannot_be_decided():
    rules.check_decision("retained", "not_retained", "published", "")  # a facilitator may change his mind
    for status, call_status, code in [("retained", "decided", "results_published"), ("draft", "published", "not_submitted")]:
        with pytest.raises(rules.RuleError) as error:
            rules.check_decision(status, "not_retained", call_status, "")
        assert error.value.code == code


def test_scores_go_from_0_to_5():
    rules.check_score(0)
    rules.check_score(5)
    with pytest.raises(rules.RuleError):
        rules.check_score(6)


def test_public_counts_appear_only_once_decided_and_ignore_drafts():
    statuses = ["draft", "retained", "not_retained", "retained", "redirected"]
    assert rules.public_counts("published", statuses) is None
    assert rules.public_counts("decided", statuses) == (4, 2)


def test_mean_score_ignores_missing_criteria():
    assert rules.mean_score([4, None, 2]) == 3
    assert rules.mean_score([None, None]) is None


def test_default_questions_are_the_answer_file_of_the_ami():
    assert rules.DEFAULT_QUESTIONS[0] == "Présentation synthétique"
    assert rules.DEFAULT_QUESTIONS[-1] == "Impacts et premiers éléments financiers"
    assert len(rules.DEFAULT_QUESTIONS) == 6
