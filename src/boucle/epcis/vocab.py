"""CBV 2.0 vocabularies and Boucle's own business steps.

Why loaded and not typed: the lists are GS1's, they evolve with the CBV, and a typo in a
hand-written list would silently create a non-standard step. Standard terms come from the
shipped ``CBV.jsonld`` and the EPCIS JSON-LD context (bare word -> IRI); Boucle only adds
the circular-economy steps the CBV lacks, under its own published namespace.
"""

from __future__ import annotations

from functools import lru_cache

from boucle.messages import EngineError, gettext_noop

from ._data import load_json

CBV = "https://ref.gs1.org/cbv/"
BIZSTEP_PREFIX = CBV + "BizStep-"
DISP_PREFIX = CBV + "Disp-"

#: Base of Boucle's published vocabulary. Business steps live under ``BOUCLE_VOC + "bizstep/"``,
#: e.g. ``https://w3id.org/boucle/voc/bizstep/refurbishing``. A w3id.org redirect keeps the IRIs
#: stable if the documentation site moves; change it only with a migration of stored events,
#: because the IRI is part of every event hash.
BOUCLE_VOC = "https://w3id.org/boucle/voc/"
BOUCLE_BIZSTEP = BOUCLE_VOC + "bizstep/"

#: Life-cycle steps of a circular economy that CBV 2.0 has no term for.
BOUCLE_BIZSTEPS = {
    "refurbishing": "Restoring a used product to good working order for a new use cycle.",
    "reusing": "Putting a used product or part back into use for the same purpose, as is.",
    "recycling": "Reprocessing waste into a material batch for a new product.",
    "remanufacturing": "Rebuilding a used product to original specification, with warranty.",
}

# Legacy CBV 1.x URNs still found in captured data, with their CBV 2.0 web-vocabulary prefix.
_LEGACY_URNS = {
    "urn:epcglobal:cbv:bizstep:": "BizStep-",
    "urn:epcglobal:cbv:disp:": "Disp-",
    "urn:epcglobal:cbv:btt:": "BTT-",
    "urn:epcglobal:cbv:sdt:": "SDT-",
    "urn:epcglobal:cbv:er:": "ER-",
}


def upgrade_legacy_urn(value: str) -> str:
    """``urn:epcglobal:cbv:bizstep:shipping`` -> ``https://ref.gs1.org/cbv/BizStep-shipping``."""
    for urn, prefix in _LEGACY_URNS.items():
        if value.startswith(urn):
            return CBV + prefix + value[len(urn):]
    return value


@lru_cache(maxsize=None)
def cbv_terms(kind: str) -> dict[str, str]:
    """Bare word -> IRI for one CBV class (``"BizStep"``, ``"Disp"``, ``"BTT"``, ``"SDT"`` ...)."""
    out = {}
    for node in load_json("CBV.jsonld")["@graph"]:
        if node.get("@type") == f"cbv:{kind}":
            local = node["@id"].split(":", 1)[1]
            out[local[len(kind) + 1:]] = CBV + local
    return out


def cbv_bizsteps() -> dict[str, str]:
    """Every CBV 2.0 business step (bare word -> IRI), e.g. ``repairing``, ``disassembling``."""
    return cbv_terms("BizStep")


def boucle_bizsteps() -> dict[str, str]:
    return {word: BOUCLE_BIZSTEP + word for word in BOUCLE_BIZSTEPS}


def all_bizsteps() -> dict[str, str]:
    return {**cbv_bizsteps(), **boucle_bizsteps()}


def normalize_bizstep(value: str) -> str:
    """Full IRI of a business step written as a bare word, a CURIE or an IRI.

    Accepts ``repairing``, ``cbv:BizStep-repairing``, ``bizstep_repairing``,
    ``urn:epcglobal:cbv:bizstep:repairing``, ``https://ref.gs1.org/cbv/BizStep-repairing``,
    and Boucle's ``refurbishing`` / ``boucle:refurbishing`` / full IRI. Raises ``ValueError``
    for an unknown word, because a misspelt step would never match a query.
    """
    text = value.strip()
    known = all_bizsteps()
    iris = set(known.values())
    text = upgrade_legacy_urn(text)
    if text in iris:
        return text
    if text.startswith(("http://", "https://")):
        raise EngineError("epcis.bizstep-iri", gettext_noop("étape métier inconnue (IRI) : « %(value)s »"), value=value)
    word = text
    for prefix in ("cbv:BizStep-", "cbv:", "BizStep-", "bizstep_", "bizstep:", "boucle:bizstep/",
                   "boucle:"):
        if word.lower().startswith(prefix.lower()):
            word = word[len(prefix):]
            break
    word = word.lower().replace("-", "_").replace(" ", "_")
    if word in known:
        return known[word]
    raise EngineError("epcis.bizstep", gettext_noop("étape métier inconnue : « %(value)s » (ni CBV 2.0 ni Boucle)"),
                      value=value)


def boucle_vocabulary_jsonld() -> dict:
    """JSON-LD description of Boucle's business steps, to publish at ``BOUCLE_BIZSTEP``.

    Modelled on CBV.jsonld (``rdfs:label``/``rdfs:comment``), so that a partner can dereference
    a Boucle step IRI found in an event and read what it means.
    """
    return {
        "@context": {
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "cbv": CBV,
            "label": {"@id": "rdfs:label", "@language": "en"},
            "comment": {"@id": "rdfs:comment", "@language": "en"},
        },
        "@graph": [
            {"@id": BOUCLE_BIZSTEP + word, "@type": "cbv:BizStep", "label": word, "comment": text}
            for word, text in BOUCLE_BIZSTEPS.items()
        ],
    }


def bizstep_word(iri: str) -> str:
    """Short display word of a business-step IRI (``...BizStep-repairing`` -> ``repairing``)."""
    for prefix in (BIZSTEP_PREFIX, BOUCLE_BIZSTEP):
        if iri.startswith(prefix):
            return iri[len(prefix):]
    return iri


def _expand_curie(value: str, prefixes: dict[str, str]) -> str:
    prefix, sep, local = value.partition(":")
    return prefixes[prefix] + local if sep and prefix in prefixes else value


def _scoped_terms(ctx, prefixes: dict[str, str]) -> dict[str, str]:
    """Bare-word terms of a scoped context (``{"accepting": "cbv:BizStep-accepting"}``)."""
    terms: dict[str, str] = {}
    for part in ctx if isinstance(ctx, list) else [ctx]:
        for key, val in part.items():
            if isinstance(val, str) and not key.startswith("@") and not val.endswith(("/", "#")):
                if val.startswith(("cbv:", "gs1:")):
                    terms[key] = _expand_curie(val, prefixes)
    return terms


@lru_cache(maxsize=None)
def context_vocabularies(context_name: str = "epcis-context-2.0.0.jsonld"):
    """``{(enclosing JSON key, field): {bare word: IRI}}`` read from the EPCIS JSON-LD context.

    The enclosing key is the property holding the object the field sits in (``None`` at the
    event level), e.g. ``("bizTransactionList", "type")`` or ``("sensorReport", "exception")``:
    the same word (``type``) means different vocabularies in different places.
    """
    top = load_json(context_name)["@context"]
    prefixes = {k: v for k, v in top.items() if isinstance(v, str) and v.endswith(("/", ":", "#"))}
    found: dict[tuple[str | None, str], dict[str, str]] = {}

    def walk(ctx: dict, parent: str | None) -> None:
        for key, val in ctx.items():
            if not isinstance(val, dict) or "@context" not in val:
                continue
            scoped = val["@context"]
            terms = _scoped_terms(scoped, prefixes)
            if terms:
                found[(parent, key)] = terms
            for part in scoped if isinstance(scoped, list) else [scoped]:
                # Terms declared next to @vocab members (persistentDisposition: set/unset).
                for child, cval in part.items():
                    if terms and isinstance(cval, dict) and cval.get("@type") == "@vocab" \
                            and "@context" not in cval:
                        found[(key, child)] = terms
                walk(part, key)

    walk(top, None)
    # Members of a JSON list sit one level down: bizTransactionList -> entry -> type.
    return found
