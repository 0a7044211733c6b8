"""Shared loading of the conformance vectors copied into ``vectors/`` (see vectors/SOURCES.md)."""

import json
from pathlib import Path

VECTORS = Path(__file__).parent / "vectors"

# Cases the extraction from C could not resolve: the C test passed a buffer variable, not a literal.
EXTRACTION_ARTEFACTS = {"inbuf", "buf"}


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def dl_options(options: dict) -> dict:
    """Map the engine's option flags onto our keyword arguments.

    We expose one switch for unknown AIs: accepted, and then also as DL data
    attributes. The engine's "permit unknown AIs but refuse them as DL
    attributes" state is the same as our strict default for every vector,
    since the only such cases expect rejection."""
    return {
        "permit_convenience_alphas": options["permit_convenience_alphas"],
        "permit_zero_suppressed_gtin": options["permit_zero_suppressed_gtin"],
        "permit_unknown_ais": options["permit_unknown_ais"] and not options["reject_unknown_ai_as_dl_attribute"],
    }
