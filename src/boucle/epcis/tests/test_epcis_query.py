"""EPCIS query semantics of filter_events (MATCH_anyEPC, EQ_bizStep, GE/LT_eventTime ...)."""

from datetime import datetime, timezone

import pytest

from boucle.epcis.query import event_epcs, filter_events, filter_events_by_query
from boucle.epcis.validation import EPCISValidationError

ITEM = "urn:epc:id:sgtin:3012345.012345.A1"
ITEM_DL = "https://id.gs1.org/01/03012345123457/21/A1"
SITE = "urn:epc:id:sgln:3012345.00001.0"
SITE_DL = "https://id.gs1.org/414/3012345000017"

EVENTS = [
    {"type": "ObjectEvent", "eventTime": "2024-01-01T10:00:00+01:00", "eventTimeZoneOffset": "+01:00",
     "epcList": [ITEM], "action": "ADD", "bizStep": "commissioning", "readPoint": {"id": SITE}},
    {"type": "ObjectEvent", "eventTime": "2024-02-01T09:00:00Z", "eventTimeZoneOffset": "+00:00",
     "epcList": [ITEM_DL], "action": "OBSERVE", "bizStep": "https://ref.gs1.org/cbv/BizStep-repairing",
     "bizLocation": {"id": SITE_DL}},
    {"type": "AggregationEvent", "eventTime": "2024-03-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
     "parentID": "urn:epc:id:sscc:3012345.0000000017", "childEPCs": [ITEM], "action": "ADD",
     "bizStep": "packing"},
    {"type": "AssociationEvent", "eventTime": "2024-04-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
     "parentID": ITEM, "childEPCs": ["urn:epc:id:sgtin:3012345.022222.P1"], "action": "ADD",
     "bizStep": "installing", "bizLocation": {"id": SITE}},
    {"type": "TransformationEvent", "eventTime": "2024-05-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
     "inputEPCList": ["urn:epc:id:sgtin:3012345.022222.P1"],
     "outputQuantityList": [{"epcClass": "urn:epc:class:lgtin:3012345.099999.B7", "quantity": 12.0,
                             "uom": "KGM"}],
     "bizStep": "https://w3id.org/boucle/voc/bizstep/recycling"},
    {"type": "TransformationEvent", "eventTime": "2024-06-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
     "inputQuantityList": [{"epcClass": "https://id.gs1.org/01/03012345999991/10/B7", "quantity": 12.0,
                            "uom": "KGM"}],
     "outputEPCList": ["urn:epc:id:sgtin:3012345.012345.NEW1"], "bizStep": "commissioning"},
]


def _positions(found):
    return [EVENTS.index(e) for e in found]


def test_no_criterion_returns_everything_in_order():
    assert _positions(filter_events(EVENTS)) == list(range(len(EVENTS)))


def test_match_any_epc_looks_at_every_list_and_any_spelling():
    assert _positions(filter_events(EVENTS, epc=ITEM)) == [0, 1, 2, 3]
    assert _positions(filter_events(EVENTS, epc=ITEM_DL)) == [0, 1, 2, 3]
    assert _positions(filter_events(EVENTS, epc="urn:epc:id:sgtin:3012345.022222.P1")) == [3, 4]
    assert _positions(filter_events(EVENTS, epc="urn:epc:id:sscc:3012345.0000000017")) == [2]


def test_match_any_epc_finds_quantity_classes_and_patterns():
    assert _positions(filter_events(EVENTS, epc="urn:epc:class:lgtin:3012345.099999.B7")) == [4, 5]
    assert _positions(filter_events(EVENTS, epc="urn:epc:idpat:sgtin:3012345.012345.*")) == [0, 1, 2, 3, 5]
    assert _positions(filter_events(EVENTS, epc=["urn:epc:id:sgtin:9999999.000000.X", ITEM])) == [0, 1, 2, 3]
    assert "urn:epc:class:lgtin:3012345.099999.B7" in event_epcs(EVENTS[4])


def test_eq_bizstep_compares_iris_whatever_the_spelling():
    assert _positions(filter_events(EVENTS, biz_step="repairing")) == [1]
    assert _positions(filter_events(EVENTS, biz_step=["cbv:BizStep-commissioning", "packing"])) == [0, 2, 5]
    assert _positions(filter_events(EVENTS, biz_step="recycling")) == [4]


def test_event_time_window_is_inclusive_then_exclusive_across_time_zones():
    # 2024-01-01T10:00+01:00 is 09:00Z: included by GE 09:00Z, excluded by LT 09:00Z.
    assert _positions(filter_events(EVENTS, ge_event_time="2024-01-01T09:00:00Z")) == [0, 1, 2, 3, 4, 5]
    assert _positions(filter_events(EVENTS, ge_event_time="2024-01-01T09:00:00.001Z")) == [1, 2, 3, 4, 5]
    assert _positions(filter_events(EVENTS, lt_event_time="2024-02-01T09:00:00Z")) == [0]
    window = filter_events(EVENTS, ge_event_time=datetime(2024, 2, 1, 9, tzinfo=timezone.utc),
                           lt_event_time="2024-04-01T00:00:00+00:00")
    assert _positions(window) == [1, 2]


def test_locations_compare_as_gs1_keys():
    assert _positions(filter_events(EVENTS, biz_location=SITE)) == [1, 3]
    assert _positions(filter_events(EVENTS, biz_location=SITE_DL)) == [1, 3]
    assert _positions(filter_events(EVENTS, read_point=SITE_DL)) == [0]


def test_criteria_combine_with_and():
    found = filter_events(EVENTS, epc=ITEM, biz_location=SITE, event_type="AssociationEvent")
    assert _positions(found) == [3]
    assert filter_events(EVENTS, epc=ITEM, biz_step="recycling") == []
    assert _positions(filter_events(EVENTS, event_type=["TransformationEvent"])) == [4, 5]


def test_query_body_uses_epcis_parameter_names():
    query = {"eventType": ["ObjectEvent"], "EQ_bizStep": ["repairing"],
             "GE_eventTime": "2024-01-01T00:00:00Z", "MATCH_anyEPC": [ITEM]}
    assert _positions(filter_events_by_query(EVENTS, query)) == [1]


def test_query_body_is_validated_and_unsupported_parameters_are_refused():
    with pytest.raises(EPCISValidationError):
        filter_events_by_query(EVENTS, {"GE_eventTime": "soon"})
    with pytest.raises(ValueError, match="EQ_disposition"):
        filter_events_by_query(EVENTS, {"EQ_disposition": ["in_transit"]})
