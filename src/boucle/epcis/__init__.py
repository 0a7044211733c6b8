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

import importlib

# name -> the module that defines it, imported when the name is first read (PEP 562): the
# JSON-LD processor and the JSON schemas cost a third of a second, and every ``boucle``
# command imports ``boucle.epcis.commands`` to build its parser.
_EXPORTS = {
    **dict.fromkeys(("Quantity", "aggregation_event", "association_event", "disassembly_event", "object_event",
                     "recycling_event", "transformation_event"), "builders"),
    **dict.fromkeys(("Problem", "build_chain", "chain_link", "verify_chain"), "chain"),
    **dict.fromkeys(("build_document", "split_document", "standalone_event"), "document"),
    **dict.fromkeys(("event_hash", "pre_hash_string"), "hashing"),
    **dict.fromkeys(("OfflineContextError", "document_loader", "expand"), "jsonld"),
    **dict.fromkeys(("filter_events", "filter_events_by_query"), "query"),
    **dict.fromkeys(("EPCISValidationError", "validate_document", "validate_event", "validate_query"), "validation"),
    **dict.fromkeys(("BOUCLE_VOC", "all_bizsteps", "cbv_bizsteps", "normalize_bizstep"), "vocab"),
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(f".{module}", __name__), name)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = sorted(_EXPORTS)
