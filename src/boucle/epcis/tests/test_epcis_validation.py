"""Schema validation of EPCIS 2.0 documents, events and query bodies."""

import copy
import json
from pathlib import Path

import pytest

from boucle.epcis.validation import (
    EPCISValidationError,
    validate_document,
    validate_event,
    validate_query,
)

EXAMPLES = Path(__file__).parent / "vectors" / "epcis-examples"
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.jsonld"))


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _events(doc):
    body = doc["epcisBody"]
    return body["eventList"] if "eventList" in body else body["queryResults"]["resultsBody"]["eventList"]


def test_there_are_examples_to_check():
    assert len(EXAMPLE_FILES) == 47


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_gs1_example_document_and_each_event_validate(path):
    doc = _load(path)
    validate_document(doc)
    for event in _events(doc):
        validate_event(event)


@pytest.fixture
def doc():
    return _load(EXAMPLES / "Example_9.6.1-ObjectEvent.jsonld")


def test_errors_are_listed_with_their_json_path(doc):
    event = doc["epcisBody"]["eventList"][0]
    event["action"] = "EXPLODE"
    event["eventTime"] = "yesterday"
    with pytest.raises(EPCISValidationError) as info:
        validate_document(doc)
    paths = {m.params["path"] for m in info.value.messages}
    assert paths == {"$.epcisBody.eventList[0].action", "$.epcisBody.eventList[0].eventTime"}
    assert {"epcis.schema.enum", "epcis.schema.format"} <= {m.code for m in info.value.messages}
    assert isinstance(info.value, ValueError)
    assert "EXPLODE" in str(info.value)
    # the engine's text is French (the shells translate ``messages``), not jsonschema's English
    assert "$.epcisBody.eventList[0].eventTime : « yesterday » n'est pas au format date-time" in info.value.errors
    assert not any("is not" in e for e in info.value.errors)


def test_a_missing_property_is_named(doc):
    del doc["epcisBody"]["eventList"][0]["action"]
    with pytest.raises(EPCISValidationError) as info:
        validate_document(doc)
    assert "$.epcisBody.eventList[0] : la propriété « action » est obligatoire" in info.value.errors


def test_document_without_event_list_is_rejected(doc):
    del doc["epcisBody"]["eventList"]
    with pytest.raises(EPCISValidationError, match="eventList"):
        validate_document(doc)


def test_unknown_event_type_is_rejected(doc):
    event = dict(doc["epcisBody"]["eventList"][0], type="RepairEvent")
    with pytest.raises(EPCISValidationError, match=r"\$\.type"):
        validate_event(event)


@pytest.mark.parametrize("field", ["eventTime", "eventTimeZoneOffset", "action"])
def test_object_event_missing_required_field_is_rejected(doc, field):
    event = doc["epcisBody"]["eventList"][0]
    del event[field]
    with pytest.raises(EPCISValidationError, match=field):
        validate_event(event)


def test_standalone_event_needs_its_context(doc):
    event = copy.deepcopy(doc["epcisBody"]["eventList"][0])
    validate_event(event)
    with pytest.raises(EPCISValidationError, match="@context"):
        validate_event(event, standalone=True)
    validate_event(dict(event, **{"@context": doc["@context"]}), standalone=True)


def test_query_body_validates_and_bad_time_is_reported():
    validate_query({
        "eventType": ["ObjectEvent", "TransformationEvent"],
        "EQ_bizStep": ["repairing", "https://w3id.org/boucle/voc/bizstep/refurbishing"],
        "GE_eventTime": "2024-01-01T00:00:00Z",
        "LT_eventTime": "2025-01-01T00:00:00+01:00",
        "MATCH_anyEPC": ["urn:epc:id:sgtin:3012345.012345.A1"],
    })
    with pytest.raises(EPCISValidationError, match=r"\$\.GE_eventTime"):
        validate_query({"GE_eventTime": "last monday"})
    with pytest.raises(EPCISValidationError, match=r"\$\.eventType\[0\]"):
        validate_query({"eventType": ["RepairEvent"]})
