"""Link types and linksets of a GS1-Conformant resolver (RFC 9264, GS1 flavour).

A resolver answers a GS1 Digital Link URI with links typed from the GS1 Web
Vocabulary (``gs1:pip``, ``gs1:dpp`` ...). The official list is shipped from
GS1 WebVoc 1.16 (``data/gs1-linktypes-v1.16.json``); a link type outside it is
refused, and so are the circular-economy types (``gs1:recyclingInfo``,
``gs1:repairInfo`` ...) that only lived in an experimental file GS1 withdrew,
and the deprecated ones, so that Boucle never publishes links GS1 does not
recognise. Linksets are checked against GS1's own JSON Schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

from .digital_link import parse_digital_link
from .dictionary import lookup
from .errors import GS1Error, gettext_noop

VOC = "https://ref.gs1.org/voc/"
# Older spellings of the vocabulary namespace, declared equivalent by GS1 and still seen in the wild.
_VOC_ALIASES = ("https://gs1.org/voc/", "http://gs1.org/voc/", "https://www.gs1.org/voc/", "http://www.gs1.org/voc/")
LINKSET_MEDIA_TYPE = "application/linkset+json"
_LINK_FIELDS = ("href", "title", "type", "hreflang", "context", "fwqs", "public")


def _data(name: str) -> str:
    return resources.files("boucle.gs1").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    return json.loads(_data("gs1-linktypes-v1.16.json"))


@lru_cache(maxsize=1)
def link_types() -> dict[str, dict]:
    """Every link type of the shipped vocabulary, keyed by CURIE (``gs1:pip``), with label and status."""
    return {lt["curie"]: lt for lt in _vocabulary()["linkTypes"]}


@lru_cache(maxsize=1)
def withdrawn_link_types() -> frozenset[str]:
    """Link types GS1 never ratified and withdrew, as listed in the vocabulary extract's note."""
    note = _vocabulary()["_about"].get("note", "")
    withdrawn_part = note.split("are NOT in the ratified vocabulary")[0]
    return frozenset(re.findall(r"gs1:\w+", withdrawn_part))


def _replacements() -> str:
    """The link types GS1's note advises instead of the withdrawn ones (CURIEs only: the note is English)."""
    note = _vocabulary()["_about"].get("note", "")
    _, _, advice = note.partition("Use ")
    return ", ".join(dict.fromkeys(re.findall(r"gs1:\w+", advice))) or "-"


def normalize_link_type(link_type: str) -> str:
    """The CURIE (``gs1:pip``) of a link type given as a CURIE or a full URI of any GS1 namespace.

    Raises GS1Error for withdrawn, deprecated or unknown link types."""
    curie = link_type.strip()
    for namespace in (VOC, *_VOC_ALIASES):
        if curie.startswith(namespace):
            curie = "gs1:" + curie[len(namespace) :]
            break
    if curie in withdrawn_link_types():
        message = gettext_noop("le type de lien %(curie)s a été retiré par GS1 (jamais ratifié) ; types conseillés : "
                               "%(replacements)s")
        raise GS1Error("gs1.link-type-withdrawn", message, value=link_type, rule="linkType", curie=curie,
                       replacements=_replacements())
    known = link_types().get(curie)
    if known is None:
        message = gettext_noop("type de lien inconnu « %(value)s » : absent du vocabulaire Web GS1 1.16")
        raise GS1Error("gs1.link-type-unknown", message, value=link_type, rule="linkType")
    if known["status"] != "stable":
        message = gettext_noop("le type de lien %(curie)s est obsolète ou pas encore ratifié dans le vocabulaire Web "
                               "GS1")
        raise GS1Error("gs1.link-type-unstable", message, value=link_type, rule="linkType", curie=curie)
    return curie


def link_type_uri(link_type: str) -> str:
    """The full URI under which a linkset lists links of this type."""
    return VOC + normalize_link_type(link_type).removeprefix("gs1:")


def describe_identifier(uri: str) -> str:
    """A plain description of what a DL URI identifies, for ``itemDescription``."""
    pairs = parse_digital_link(uri, check_associations=False)
    return ", ".join(f"{lookup(ai).title if lookup(ai) else ai} {value}" for ai, value in pairs)


def _link_object(link: Mapping, anchor: str) -> dict:
    href, title = link.get("href"), link.get("title")
    if not isinstance(href, str) or not re.match(r"^https?://", href):
        raise GS1Error(
            "gs1.link-href", gettext_noop("lien de %(anchor)s : l'adresse « %(value)s » doit être une URL http(s)"),
            anchor=anchor, value=str(href), rule="linkset")
    if not isinstance(title, str) or not title.strip():
        raise GS1Error("gs1.link-title", gettext_noop("lien vers %(value)s : un titre est obligatoire"), value=href,
                       rule="linkset")
    obj = {"href": href, "title": title}
    for field in _LINK_FIELDS[2:]:
        if link.get(field) is not None:
            obj[field] = link[field]
    if isinstance(obj.get("hreflang"), str):
        obj["hreflang"] = [obj["hreflang"]]
    if isinstance(obj.get("context"), str):
        obj["context"] = [obj["context"]]
    return obj


def _path_depth(uri: str) -> int:
    return len(parse_digital_link(uri, check_associations=False))


def build_linkset(
    anchor_uri: str,
    links: Iterable[Mapping],
    *,
    item_descriptions: Mapping[str, str] | None = None,
    require_default: bool = True,
) -> dict:
    """A GS1 linkset for ``anchor_uri``.

    Each link is a mapping with ``link_type`` (CURIE or URI), ``href``,
    ``title`` and optionally ``type``, ``hreflang``, ``context``, ``anchor``
    (a less specific DL URI the link belongs to, e.g. the GTIN for a link
    shown for every serial) and ``default: True``. A default link is also
    listed under ``gs1:defaultLink`` with no optional attribute, as the
    standard asks; exactly one is allowed per anchor."""
    parse_digital_link(anchor_uri)
    descriptions = dict(item_descriptions or {})
    contexts: dict[str, dict] = {}
    defaults = 0
    for link in links:
        anchor = link.get("anchor") or anchor_uri
        relation = link_type_uri(link.get("link_type", ""))
        if relation == VOC + "defaultLink":
            raise GS1Error(
                "gs1.default-link-type", gettext_noop("marquer le lien par défaut avec default=True sur un type de "
                                                          "lien descriptif"), rule="defaultLink")
        context = contexts.setdefault(anchor, {"anchor": anchor})
        context.setdefault(relation, []).append(_link_object(link, anchor))
        if link.get("default"):
            if VOC + "defaultLink" in context:
                raise GS1Error(
                    "gs1.default-link-many", gettext_noop("plus d'un lien par défaut pour %(value)s"), value=anchor,
                    rule="defaultLink")
            context[VOC + "defaultLink"] = [{"href": link["href"], "title": link["title"]}]
            defaults += 1
    if require_default and not defaults:
        raise GS1Error(
            "gs1.default-link-none", gettext_noop("aucun lien par défaut pour %(value)s ni pour un niveau au-dessus"),
            value=anchor_uri, rule="defaultLink")
    ordered = sorted(contexts.values(), key=lambda c: _path_depth(c["anchor"]))
    linkset = []
    for context in ordered:
        anchor = context["anchor"]
        description = descriptions.get(anchor) or describe_identifier(anchor)
        relations = {k: v for k, v in context.items() if k != "anchor"}
        linkset.append({"anchor": anchor, "itemDescription": description, **relations})
    doc = {"linkset": linkset}
    validate_linkset(doc)
    return doc


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(_data("gs1-linkset-schema.json"))
    return jsonschema.Draft7Validator(schema)


def linkset_errors(doc: object) -> list[str]:
    """Every way ``doc`` breaks GS1's linkset schema (empty when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in _validator().iter_errors(doc)]


def validate_linkset(doc: object) -> None:
    """Raise GS1Error unless ``doc`` is valid against GS1's linkset JSON Schema."""
    errors = linkset_errors(doc)
    if errors:
        raise GS1Error(
            "gs1.linkset-schema", gettext_noop("linkset invalide : %(errors)s"), errors="; ".join(errors[:5]),
            rule="linkset")
