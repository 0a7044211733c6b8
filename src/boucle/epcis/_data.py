"""Access to the GS1 artefacts shipped in ``boucle/epcis/data`` (see ``data/SOURCES.md``)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

# Every URL under which the examples and vectors reference a context or vocabulary we ship.
LOCAL_DOCUMENTS = {
    EPCIS_CONTEXT_URL: "epcis-context-2.0.0.jsonld",
    # Unversioned alias of the ratified context (2.0.0 is the only ratified version).
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld": "epcis-context-2.0.0.jsonld",
    "https://gs1.github.io/EPCIS/epcis-context.jsonld": "epcis-context-github-master.jsonld",
    "https://ref.gs1.org/cbv/": "CBV.jsonld",
    "https://ref.gs1.org/cbv": "CBV.jsonld",
    "https://gs1.github.io/EPCIS/CBV.jsonld": "CBV.jsonld",
}


@lru_cache(maxsize=None)
def load_json(name: str):
    """Parsed copy of a shipped file; callers must not mutate it (it is cached)."""
    with resources.files("boucle.epcis").joinpath("data").joinpath(name).open(encoding="utf-8") as fh:
        return json.load(fh)
