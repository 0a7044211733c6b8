"""Tamper detection on a passport's chained events: edit, reorder, delete, delete the last."""

import copy

import pytest

from boucle.epcis.chain import (
    DELETED,
    EDITED,
    HEAD,
    REORDERED,
    build_chain,
    chain_link,
    verify_chain,
)
from boucle.epcis.hashing import event_hash

STEPS = ["commissioning", "shipping", "receiving", "installing", "repairing", "removing"]


def _history():
    events = []
    for day, step in enumerate(STEPS, start=1):
        event = {
            "type": "ObjectEvent",
            "eventTime": f"2024-03-{day:02d}T09:00:00.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sgtin:3012345.012345.PUMP-7"],
            "action": "ADD" if step == "commissioning" else "OBSERVE",
            "bizStep": step,
            "readPoint": {"id": f"urn:epc:id:sgln:3012345.0000{day}.0"},
        }
        event["eventID"] = event_hash(event)
        events.append(event)
    links = build_chain(events)
    return events, links, links[-1]


def _kinds(problems):
    return [(p.index, p.kind) for p in problems]


def test_intact_history_has_no_problem():
    events, links, head = _history()
    assert verify_chain(events, links, head) == []


def test_links_depend_on_every_previous_event():
    assert chain_link(None, "a") != chain_link(None, "b")
    assert chain_link("x", "a") != chain_link("y", "a")
    assert len(chain_link(None, "a")) == 64
    events, links, _ = _history()
    assert links[0] == chain_link(None, events[0]["eventID"])
    assert links[3] == chain_link(links[2], events[3]["eventID"])


def test_edited_event_is_reported_with_its_position():
    events, links, head = _history()
    events[4] = copy.deepcopy(events[4])
    events[4]["bizStep"] = "destroying"
    problems = verify_chain(events, links, head)
    assert _kinds(problems) == [(4, EDITED)]
    assert "event 4 was modified" in problems[0].message


def test_edit_with_forged_event_id_still_breaks_the_chain():
    events, links, head = _history()
    events[2]["readPoint"] = {"id": "urn:epc:id:sgln:3012345.00099.0"}
    events[2]["eventID"] = event_hash(events[2])
    problems = verify_chain(events, links, head)
    assert [p.index for p in problems] == [2]
    assert problems[0].kind in (DELETED, EDITED)


def test_reordered_rows_are_reported_as_reordered():
    events, links, head = _history()
    order = [0, 2, 1, 3, 4, 5]
    problems = verify_chain([events[i] for i in order], [links[i] for i in order], head)
    assert problems
    assert {p.kind for p in problems} == {REORDERED}
    assert 1 in {p.index for p in problems}


def test_swapped_event_contents_under_fixed_links_are_reported_as_reordered():
    events, links, head = _history()
    events[3], events[4] = events[4], events[3]
    problems = verify_chain(events, links, head)
    assert {p.kind for p in problems} == {REORDERED}
    assert {p.index for p in problems} >= {3, 4}


@pytest.mark.parametrize("gone", [0, 2, 4])
def test_deleted_event_is_reported_at_the_next_one(gone):
    events, links, head = _history()
    del events[gone], links[gone]
    problems = verify_chain(events, links, head)
    assert _kinds(problems) == [(gone, DELETED)]
    assert "missing" in problems[0].message


def test_deleted_last_event_is_caught_by_the_head_recorded_apart():
    events, links, head = _history()
    del events[-1], links[-1]
    assert verify_chain(events, links, links[-1]) == []  # internally consistent...
    problems = verify_chain(events, links, head)  # ...but not with the recorded head
    assert _kinds(problems) == [(len(events), DELETED)]
    assert "last event" in problems[0].message


def test_event_appended_without_updating_the_head_is_reported():
    events, links, head = _history()
    extra = {**events[-1], "bizStep": "collecting", "eventTime": "2024-04-01T09:00:00.000+01:00"}
    extra["eventID"] = event_hash(extra)
    events.append(extra)
    links.append(chain_link(links[-1], extra["eventID"]))
    problems = verify_chain(events, links, head)
    assert _kinds(problems) == [(len(events) - 2, HEAD)]


def test_empty_history_needs_an_empty_head():
    assert verify_chain([], [], None) == []
    assert [p.kind for p in verify_chain([], [], "abc")] == [DELETED]


def test_problem_messages_are_human_readable():
    events, links, head = _history()
    del events[1], links[1]
    (problem,) = verify_chain(events, links, head)
    assert str(problem) == problem.message
    assert problem.message.startswith("event 1 does not follow event 0")
