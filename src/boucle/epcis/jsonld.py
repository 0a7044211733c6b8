"""JSON-LD processing of EPCIS documents without network access.

Why: expansion fetches every remote ``@context``; a server that dereferences URLs found in
user-submitted documents can be made to call anywhere (SSRF) and breaks offline. The loader
serves the GS1 contexts we ship and refuses every other URL.
"""

from __future__ import annotations

import copy

from pyld import jsonld
from pyld.jsonld import JsonLdError

from ._data import LOCAL_DOCUMENTS, load_json


class OfflineContextError(JsonLdError):
    """A document referenced a context that is not shipped with Boucle."""


def document_loader(url: str, options=None) -> dict:
    """pyld document loader mapping known GS1 URLs to local files; never touches the network."""
    name = LOCAL_DOCUMENTS.get(url.split("#", 1)[0])
    if name is None:
        raise OfflineContextError(
            f"refusing to fetch {url!r}: only the shipped GS1 contexts are available offline "
            f"({', '.join(sorted(LOCAL_DOCUMENTS))})",
            "jsonld.LoadDocumentError", code="loading document failed")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(load_json(name)),
    }


def _options(extra=None) -> dict:
    return {"documentLoader": document_loader, **(extra or {})}


def expand(doc: dict) -> list:
    """JSON-LD expansion of a document or event, with the local contexts only.

    Raises :class:`OfflineContextError` for a context we do not ship, and pyld's
    ``JsonLdError`` for invalid JSON-LD (e.g. redefinition of a protected term).
    """
    try:
        return jsonld.expand(copy.deepcopy(doc), _options())
    except JsonLdError as exc:
        cause = exc.__cause__
        while cause is not None and not isinstance(cause, OfflineContextError):
            cause = cause.__cause__
        if cause is not None:
            raise cause from None
        raise


def compact(expanded, context) -> dict:
    return jsonld.compact(expanded, context, _options())
