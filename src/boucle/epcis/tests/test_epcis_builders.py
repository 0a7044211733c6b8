"""Event builders, told as a pump's life: made, installed, repaired, removed, taken apart, recycled."""

import pytest

from boucle.epcis.builders import (
    Quantity,
    aggregation_event,
    association_event,
    disassembly_event,
    object_event,
    recycling_event,
    transformation_event,
)
from boucle.epcis.chain import build_chain, verify_chain
from boucle.epcis.document import build_document, split_document
from boucle.epcis.hashing import event_hash
from boucle.epcis.query import filter_events
from boucle.epcis.validation import EPCISValidationError, validate_document, validate_event
from boucle.epcis.vocab import BOUCLE_VOC

PUMP = "urn:epc:id:sgtin:3012345.012345.PUMP-7"
MOTOR = "urn:epc:id:sgtin:3012345.022222.M-1"
HOUSING = "urn:epc:id:sgtin:3012345.033333.H-1"
MACHINE = "urn:epc:id:giai:3012345.LINE-2"
FACTORY = "urn:epc:id:sgln:3012345.00001.0"
CLIENT_SITE = "urn:epc:id:sgln:4012345.00005.0"
STEEL_BATCH = Quantity("urn:epc:class:lgtin:4012345.099999.SCRAP-2024-18", 41.5, "KGM")


def pump_life():
    return [
        object_event([PUMP], action="ADD", biz_step="commissioning",
                     event_time="2024-01-10T08:00:00+01:00", read_point=FACTORY,
                     ilmd={"cbvmda:lotNumber": "L42"}),
        object_event([PUMP], biz_step="shipping", event_time="2024-01-12T08:00:00+01:00",
                     read_point=FACTORY, disposition="in_transit",
                     sources=[("owning_party", "urn:epc:id:pgln:3012345.00000")],
                     destinations=[("owning_party", "urn:epc:id:pgln:4012345.00000")]),
        association_event(MACHINE, [PUMP], biz_step="installing",
                          event_time="2024-01-15T10:00:00+01:00", biz_location=CLIENT_SITE),
        object_event([PUMP], biz_step="repairing", event_time="2025-03-02T14:30:00+01:00",
                     biz_location=CLIENT_SITE, disposition="in_progress"),
        association_event(MACHINE, [PUMP], action="DELETE", biz_step="removing",
                          event_time="2026-06-01T09:00:00+02:00", biz_location=CLIENT_SITE),
        disassembly_event(PUMP, [MOTOR, HOUSING], event_time="2026-06-03T09:00:00+02:00",
                          biz_location=CLIENT_SITE),
        object_event([MOTOR], biz_step="refurbishing", event_time="2026-06-10T09:00:00+02:00"),
        recycling_event([HOUSING], STEEL_BATCH, event_time="2026-07-01T09:00:00+02:00",
                        read_point="urn:epc:id:sgln:5012345.00009.0"),
    ]


def test_every_built_event_is_schema_valid_and_identified_by_its_hash():
    for event in pump_life():
        validate_event(event)
        assert event["eventID"] == event_hash(event)


def test_life_exports_as_a_valid_document_and_chains_without_problem():
    events = pump_life()
    doc = build_document(events)
    validate_document(doc)
    _, back = split_document(doc)
    links = build_chain(back)
    assert verify_chain(back, links, links[-1]) == []


def test_history_of_a_part_is_found_through_every_event_naming_it():
    events = pump_life()
    motor = filter_events(events, epc=MOTOR)
    assert [e.get("bizStep") for e in motor] == ["disassembling", BOUCLE_VOC + "bizstep/refurbishing"]
    pump_steps = [e.get("bizStep") for e in filter_events(events, epc=PUMP)]
    assert pump_steps == ["commissioning", "shipping", "installing", "repairing", "removing",
                          "disassembling"]


def test_cbv_steps_are_bare_words_and_boucle_steps_are_iris():
    events = pump_life()
    assert events[3]["bizStep"] == "repairing"
    assert events[-1]["bizStep"] == BOUCLE_VOC + "bizstep/recycling"
    assert object_event([PUMP], biz_step="cbv:BizStep-repairing")["bizStep"] == "repairing"


def test_recycling_outputs_a_material_batch_with_quantity_and_unit():
    event = pump_life()[-1]
    assert event["type"] == "TransformationEvent"
    assert event["inputEPCList"] == [HOUSING]
    assert event["outputQuantityList"] == [
        {"epcClass": STEEL_BATCH.epc_class, "quantity": 41.5, "uom": "KGM"}]


def test_disassembly_consumes_the_item_and_produces_its_parts():
    event = disassembly_event(PUMP, [MOTOR, HOUSING])
    assert (event["inputEPCList"], event["outputEPCList"]) == ([PUMP], [MOTOR, HOUSING])
    assert event["bizStep"] == "disassembling"


def test_aggregation_and_quantities_accept_tuples_and_dicts():
    event = aggregation_event("urn:epc:id:sscc:3012345.0000000017", [MOTOR],
                              child_quantities=[("urn:epc:class:lgtin:3012345.044444.B1", 3, "KGM"),
                                                {"epcClass": "urn:epc:idpat:sgtin:3012345.055555.*"}])
    validate_event(event)
    assert event["childQuantityList"][1] == {"epcClass": "urn:epc:idpat:sgtin:3012345.055555.*"}


def test_time_zone_offset_follows_the_local_time():
    event = object_event([PUMP], biz_step="inspecting", event_time="2024-07-01T12:00:00-05:00")
    assert event["eventTimeZoneOffset"] == "-05:00"


@pytest.mark.parametrize("build", [
    lambda: object_event([PUMP], biz_step="teleporting"),
    lambda: object_event([PUMP], action="EXPLODE"),
    lambda: object_event([PUMP], biz_step="repairing", event_time="not a time"),
    lambda: transformation_event([PUMP], [MOTOR], output_quantities=[("urn:epc:class:x", 1, "kilo")]),
    lambda: recycling_event([HOUSING]),
    lambda: object_event([PUMP], colour="red"),
])
def test_invalid_input_is_refused_instead_of_emitting_a_bad_event(build):
    with pytest.raises((ValueError, TypeError)):
        build()


def test_builder_validation_error_names_the_field():
    with pytest.raises(EPCISValidationError, match=r"\$\.action"):
        object_event([PUMP], action="EXPLODE")
