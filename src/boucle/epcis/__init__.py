"""EPCIS 2.0 core for product passports: pure Python, no Django.

Why a separate core: the passport app (capture ``POST``, query ``GET``, append-only storage)
is a thin shell around these functions, which are tested against GS1's own artefacts:

- :mod:`.validation` -- EPCIS 2.0 JSON schema (documents, events, query bodies);
- :mod:`.jsonld` -- offline JSON-LD expansion with the shipped GS1 contexts;
- :mod:`.document` -- import (split) and export (build) of EPCIS documents;
- :mod:`.hashing` -- CBV 2.0 EPCIS Event Hash ID;
- :mod:`.chain` -- per-passport hash chain and tamper detection;
- :mod:`.vocab` -- CBV business steps and Boucle's circular-economy steps (``BOUCLE_VOC``);
- :mod:`.query` -- EPCIS query semantics as a filter;
- :mod:`.builders` -- schema-valid life-cycle events with ``eventID`` = event hash.
"""

from .builders import (
    Quantity,
    aggregation_event,
    association_event,
    disassembly_event,
    object_event,
    recycling_event,
    transformation_event,
)
from .chain import Problem, build_chain, chain_link, verify_chain
from .document import build_document, split_document, standalone_event
from .hashing import event_hash, pre_hash_string
from .jsonld import OfflineContextError, document_loader, expand
from .query import filter_events, filter_events_by_query
from .validation import EPCISValidationError, validate_document, validate_event, validate_query
from .vocab import BOUCLE_VOC, all_bizsteps, cbv_bizsteps, normalize_bizstep

__all__ = [
    "BOUCLE_VOC", "EPCISValidationError", "OfflineContextError", "Problem", "Quantity",
    "aggregation_event", "all_bizsteps", "association_event", "build_chain", "build_document",
    "cbv_bizsteps", "chain_link", "disassembly_event", "document_loader", "event_hash", "expand",
    "filter_events", "filter_events_by_query", "normalize_bizstep", "object_event",
    "pre_hash_string", "recycling_event", "split_document", "standalone_event",
    "transformation_event", "validate_document", "validate_event", "validate_query",
    "verify_chain",
]
