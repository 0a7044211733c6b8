"""Import (split) and export (build) of EPCIS documents, checked by offline JSON-LD expansion."""

import json
import socket
from pathlib import Path

import pytest
from pyld.jsonld import JsonLdError

from boucle.epcis.document import build_document, split_document, standalone_event
from boucle.epcis.hashing import event_hash
from boucle.epcis.jsonld import OfflineContextError, document_loader, expand
from boucle.epcis.validation import validate_document

EXAMPLES = Path(__file__).parent / "vectors" / "epcis-examples"
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.jsonld"))
EPCIS = "https://ref.gs1.org/epcis/"

# Upstream gs1/EPCIS example that is not valid JSON-LD 1.1 (the JSON round trip still runs).
INVALID_JSONLD = {
    "transformation_event_all_possible_fields.jsonld":
        "upstream example redefines the protected term 'cbvmda' of the EPCIS 2.0 context "
        "(as http://example.com/cbvmda/), which JSON-LD 1.1 forbids: expansion must fail",
}


def _id(path):
    return str(path.relative_to(EXAMPLES))


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _expansion_cases():
    for path in EXAMPLE_FILES:
        marks = []
        if path.name in INVALID_JSONLD:
            marks.append(pytest.mark.xfail(raises=JsonLdError, strict=True,
                                           reason=INVALID_JSONLD[path.name]))
        yield pytest.param(path, id=_id(path), marks=marks)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any socket opened during these tests is a failure: expansion must stay offline."""
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=_id)
def test_import_then_export_gives_back_the_same_document(path):
    doc = _load(path)
    validate_document(doc)
    header, events = split_document(doc)
    assert events, "every example carries at least one event"
    rebuilt = build_document(events, header)
    validate_document(rebuilt)
    assert rebuilt == doc


@pytest.mark.parametrize("path", list(_expansion_cases()))
def test_round_trip_loses_nothing_after_jsonld_expansion(path):
    doc = _load(path)
    header, events = split_document(doc)
    original = expand(doc)
    assert expand(build_document(events, header)) == original
    # Stored one by one with their context, then exported without the original header.
    stored = [standalone_event(e, doc["@context"]) for e in events]
    fresh = build_document(stored)
    validate_document(fresh)
    assert _event_nodes(expand(fresh)) == _event_nodes(original)
    assert [event_hash(e) for e in stored] == [event_hash(e, doc["@context"]) for e in events]


def _expanded_events(doc):
    return _event_nodes(expand(doc))


def _event_nodes(expanded):
    (node,) = expanded
    body = node[EPCIS + "epcisBody"][0]
    if EPCIS + "queryResults" in body:
        body = body[EPCIS + "queryResults"][0][EPCIS + "resultsBody"][0]
    return body[EPCIS + "eventList"]


def test_expansion_resolves_bare_words_to_cbv_iris():
    doc = _load(EXAMPLES / "Example_9.6.1-ObjectEvent.jsonld")
    (event, *_) = _expanded_events(doc)
    assert event[EPCIS + "bizStep"] == [{"@id": "https://ref.gs1.org/cbv/BizStep-shipping"}]
    assert event[EPCIS + "disposition"] == [{"@id": "https://ref.gs1.org/cbv/Disp-in_transit"}]


def test_github_master_context_url_is_served_locally():
    doc = _load(EXAMPLES / "Example_9.6.1-ObjectEvent.jsonld")
    doc["@context"] = ["https://gs1.github.io/EPCIS/epcis-context.jsonld"]
    assert _expanded_events(doc)


def test_unknown_context_is_refused_without_network():
    doc = {"@context": "https://attacker.example/ctx.jsonld", "type": "EPCISDocument"}
    with pytest.raises(OfflineContextError, match="attacker.example"):
        expand(doc)
    with pytest.raises(OfflineContextError):
        document_loader("http://169.254.169.254/latest/meta-data")


def test_loader_returns_a_copy_callers_cannot_corrupt():
    first = document_loader("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld")
    first["document"]["@context"].clear()
    again = document_loader("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld")
    assert again["document"]["@context"]


def test_build_without_header_makes_a_valid_document():
    doc = _load(EXAMPLES / "Example_9.6.3-AggregationEvent.jsonld")
    _, events = split_document(doc)
    fresh = build_document(events)
    validate_document(fresh)
    assert fresh["type"] == "EPCISDocument"
    assert fresh["schemaVersion"] == "2.0"
    assert fresh["creationDate"].endswith("Z")
    assert fresh["epcisBody"]["eventList"] == events


def test_query_document_events_are_found_and_put_back():
    doc = _load(EXAMPLES / "EPCISQueryDocument.jsonld")
    header, events = split_document(doc)
    assert len(events) == 2
    assert "eventList" not in header["epcisBody"]["queryResults"]["resultsBody"]
    rebuilt = build_document(events[:1], header)
    validate_document(rebuilt)
    assert rebuilt["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == events[:1]
