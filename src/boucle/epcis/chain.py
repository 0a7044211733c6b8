"""Append-only hash chain of a passport's events.

Why: a passport is evidence (repairs, reuse, recycling claims); a later edit, removal or
reordering of its history must be detectable by anyone holding the data. Each event's CBV
hash is chained to the previous link, and the last link (the *head*) is recorded apart from
the events (on the passport, in a published digest...), which is what reveals a deletion of
the last event: the links of the remaining events stay internally consistent.

``link_i = sha256(link_{i-1} + "|" + hash_i)`` in hex; the first event uses an empty
``link_{-1}``. A repository that stores something about an entry outside the event itself (who
may read it, for instance) passes it as the entry's *tag*: ``sha256(link_{i-1} | hash_i | tag)``,
so that editing it breaks the chain like editing the event would.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .hashing import event_hash

EDITED = "edited"
REORDERED = "reordered"
DELETED = "deleted"
HEAD = "head"
LENGTH = "length"


@dataclass(frozen=True)
class Problem:
    """One inconsistency; ``index`` is the position in the verified list (-1: whole chain).

    ``template`` (one of ``TEMPLATES``) and ``params`` let an application word it in another
    language: ``message == template % params``."""

    index: int
    kind: str
    message: str
    template: str = ""
    params: tuple = ()

    def __str__(self) -> str:
        return self.message


def chain_link(prev_link: str | None, event_id: str, tag: str = "") -> str:
    """Link of an event whose hash ID is ``event_id``, after ``prev_link`` (None for the first);
    ``tag``: what the repository records about the entry besides the event (empty: nothing)."""
    payload = f"{prev_link or ''}|{event_id}" + (f"|{tag}" if tag else "")
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def build_chain(events: list[dict], context=None, tags: list[str] | None = None) -> list[str]:
    """Links of ``events`` in order; the last one is the head to record apart."""
    links: list[str] = []
    prev = None
    for i, event in enumerate(events):
        prev = chain_link(prev, event_hash(event, context), tags[i] if tags else "")
        links.append(prev)
    return links


def _recorded_hash(event: dict) -> str | None:
    event_id = event.get("eventID")
    return event_id if isinstance(event_id, str) and event_id.startswith("ni:///") else None


T_LENGTH = "%(events)s events but %(links)s links"
T_EDITED = "event %(i)s was modified after capture: its content hashes to %(got)s, but it was recorded as %(want)s"
T_HEAD_BEHIND = ("the recorded head is the link of event %(i)s, but %(n)s event(s) follow it without being "
                 "recorded")
T_HEAD_LOST = ("the head recorded apart matches no link: the last event(s) of the passport were deleted (or the "
               "head was tampered with)")
T_RETAGGED = "event %(i)s was recorded as %(was)r, but is stored now as %(now)r"
T_WAS_FIRST = ("event %(i)s was recorded as the first event of the passport, but now comes after event "
               "%(before)s: the history was reordered")
T_WAS_AFTER = "event %(i)s was recorded right after the event now at position %(j)s: the history was reordered"
T_LINK_OF = "the link at position %(i)s belongs to the event now at position %(k)s: the history was reordered"
T_GAP_START = "event %(i)s does not follow the start of the chain: the event(s) recorded before it are missing (deleted)"
T_GAP = "event %(i)s does not follow event %(before)s: the event(s) recorded before it are missing (deleted)"
T_GAP_START_DOUBT = (T_GAP_START + " (or this event, which carries no hash eventID, was edited)")
T_GAP_DOUBT = (T_GAP + " (or this event, which carries no hash eventID, was edited)")
TEMPLATES = (T_LENGTH, T_EDITED, T_HEAD_BEHIND, T_HEAD_LOST, T_RETAGGED, T_WAS_FIRST, T_WAS_AFTER, T_LINK_OF,
             T_GAP_START, T_GAP, T_GAP_START_DOUBT, T_GAP_DOUBT)


def _problem(index: int, kind: str, template: str, **params) -> Problem:
    return Problem(index, kind, template % params, template, tuple(sorted(params.items())))


def verify_chain(events: list[dict], links: list[str], head: str | None, *,
                 context=None, tags: list[str] | None = None, tag_values=()) -> list[Problem]:
    """Every inconsistency between stored events, their stored links and the recorded head.

    An event whose ``eventID`` is a hash ID is *edited* when its content no longer hashes to
    it (or, with ``tags``, when its tag changed: ``tag_values`` are the tags tried to say so). A link that does not follow its predecessor is *reordered* when it was computed for
    another position of the list, *deleted* otherwise (what it followed is gone). A head that
    differs from the last link means the last events were deleted (or appended unrecorded).
    """
    problems: list[Problem] = []
    if len(events) != len(links):
        problems.append(_problem(-1, LENGTH, T_LENGTH, events=len(events), links=len(links)))
    actual = [event_hash(event, context) for event in events]
    recorded = [_recorded_hash(event) or h for event, h in zip(events, actual)]
    for i, (got, want) in enumerate(zip(actual, recorded)):
        if got != want:
            problems.append(_problem(i, EDITED, T_EDITED, i=i, got=got, want=want))
    tags = list(tags) if tags else [""] * len(events)
    position = {link: i for i, link in enumerate(links)}
    prev = None
    for i, link in enumerate(links[:len(events)]):
        if link != chain_link(prev, recorded[i], tags[i]):
            problems.append(_misplaced(i, link, prev, links, recorded, events, tags, tag_values))
        prev = link
    last = links[-1] if links else None
    if (head or None) != last:
        if head in position:
            problems.append(_problem(position[head], HEAD, T_HEAD_BEHIND, i=position[head],
                                     n=len(links) - 1 - position[head]))
        else:
            problems.append(_problem(len(links), DELETED, T_HEAD_LOST))
    return problems


def _misplaced(i, link, prev, links, recorded, events, tags, tag_values) -> Problem:
    """Explain why link ``i`` does not follow its predecessor."""
    for other in (set(tags) | set(tag_values)) - {tags[i]}:
        if link == chain_link(prev, recorded[i], other):
            return _problem(i, EDITED, T_RETAGGED, i=i, was=other, now=tags[i])
    if i != 0 and link == chain_link(None, recorded[i], tags[i]):
        return _problem(i, REORDERED, T_WAS_FIRST, i=i, before=i - 1)
    for j, other in enumerate(links):
        if j != i and link == chain_link(other, recorded[i], tags[i]):
            return _problem(i, REORDERED, T_WAS_AFTER, i=i, j=j)
    for k, h in enumerate(recorded):
        if k != i and link == chain_link(prev, h, tags[k]):
            return _problem(i, REORDERED, T_LINK_OF, i=i, k=k)
    doubt = not _recorded_hash(events[i])
    if i == 0:
        return _problem(i, DELETED, T_GAP_START_DOUBT if doubt else T_GAP_START, i=i)
    return _problem(i, DELETED, T_GAP_DOUBT if doubt else T_GAP, i=i, before=i - 1)
