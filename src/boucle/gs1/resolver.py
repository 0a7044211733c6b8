"""The decisions of a GS1-Conformant resolver, without any web framework.

Given a request DL URI and the links Boucle knows, ``resolve`` says what to
answer: a 307 redirect to the default link or to the requested ``linkType``, a
linkset (200, ``application/linkset+json``), 400 for a URI that is not valid
GS1 Digital Link syntax, 404 when no link of the requested type exists. The
Django view only copies the decision into a response. Rules follow the
criteria of the GS1-Conformant Resolver standard 1.0
(``tests/vectors/ConformantResolver1_0-criteria.txt``): links attached to a less specific
level (the GTIN) apply to more specific ones (a lot, a serial); query strings
are passed on when redirecting; a trailing slash is tolerated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from .compression import decompress_digital_link
from .digital_link import CANONICAL_STEM, build_digital_link, parse_digital_link
from .dictionary import dl_path_sequences
from boucle.messages import Message

from .errors import GS1Error, gettext_noop
from .linkset import LINKSET_MEDIA_TYPE, build_linkset, normalize_link_type

LINKSET_KEYWORDS = ("linkset", "all")  # "all" is the older keyword
DEFAULT_LINK_TYPES = ("gs1:defaultLink", "gs1:defaultLinkMulti")
JSONLD_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"


@dataclass(frozen=True)
class Decision:
    status: int
    location: str | None = None
    body: dict | None = None
    media_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Why the answer is an error, for the shell to translate into ``body["error"]`` (``code`` is stable).
    message: Message | None = None


def _error(status: int, message: Message, headers: dict[str, str] | None = None) -> Decision:
    body = {"error": str(message), "code": message.code}
    return Decision(status, body=body, media_type="application/json", headers=headers or {}, message=message)


def _path_pairs(uri: str) -> tuple[tuple[str, str], ...]:
    """The AI pairs of the URI path (key and qualifiers); query attributes do not identify."""
    pairs = parse_digital_link(uri, check_associations=False)
    length = 1
    while length < len(pairs) and tuple(ai for ai, _ in pairs[: length + 1]) in dl_path_sequences():
        length += 1
    return tuple(pairs[:length])


def _is_ancestor(anchor: tuple, request: tuple) -> bool:
    """True when ``anchor`` is the request itself or a level above it (a prefix of its path)."""
    return request[: len(anchor)] == anchor


def _accepts(accept: str | None, media_type: str) -> bool:
    return bool(accept) and any(part.split(";")[0].strip() == media_type for part in accept.split(","))


def _languages(accept_language: str | None) -> list[str]:
    ranked = []
    for part in (accept_language or "").split(","):
        lang, _, q = part.strip().partition(";q=")
        if lang:
            ranked.append((float(q or 1), lang.lower()))
    return [lang for _, lang in sorted(ranked, key=lambda x: -x[0])]


def _matches(link: Mapping, lang: str) -> bool:
    tags = link.get("hreflang") or []
    tags = [tags] if isinstance(tags, str) else tags
    return any(t.lower() == lang or t.lower().split("-")[0] == lang.split("-")[0] for t in tags)


def _best(candidates: list[Mapping], accept_language: str | None, context: str | None) -> tuple[Mapping, bool]:
    """The link matching the request's context, then its preferred language, else the first one;
    and whether the request's information (context, language) actually picked it."""
    matched = False
    if context:
        in_context = [link for link in candidates if context in (link.get("context") or [])]
        matched = bool(in_context)
        candidates = in_context or candidates
    for lang in _languages(accept_language):
        for link in candidates:
            if _matches(link, lang):
                return link, True
    return candidates[0], matched and not accept_language


def resolve(
    uri: str,
    links: Iterable[Mapping],
    link_type: str | None = None,
    accept: str | None = None,
    *,
    accept_language: str | None = None,
    stem: str = CANONICAL_STEM,
) -> Decision:
    """Decide the answer to a request for ``uri`` (its query string included).

    ``links`` are mappings as for :func:`build_linkset`, each with the
    ``anchor`` DL URI it belongs to. ``link_type`` overrides the ``linkType``
    query parameter. The linkset's anchors use ``stem`` (canonical by default)."""
    parts = urlsplit(uri)
    if parts.path.endswith("/") and len(parts.path) > 1:
        uri = uri.replace(parts.path, parts.path.rstrip("/"), 1)
    same_as = None
    try:
        parse_digital_link(uri)  # the whole URI must be valid, query attributes included
    except GS1Error as err:
        try:
            if err.rule != "dl-path":  # a path of AIs with a bad value is not a compressed URI
                raise
            same_as = decompress_digital_link(uri)
        except GS1Error:
            return _error(400, err.message)
        uri = same_as
    try:
        parse_digital_link(uri)
        request_pairs = _path_pairs(uri)
    except GS1Error as err:
        return _error(400, err.message)
    decision = _decide(uri, request_pairs, links, link_type, accept, accept_language, stem)
    if same_as:
        link = f'<{same_as}>; rel="owl:sameAs"'
        headers = {**decision.headers, "Link": ", ".join(filter(None, [decision.headers.get("Link"), link]))}
        decision = Decision(decision.status, decision.location, decision.body, decision.media_type, headers,
                            decision.message)
    return decision


def _decide(
    uri: str,
    request_pairs: tuple,
    links: Iterable[Mapping],
    link_type: str | None,
    accept: str | None,
    accept_language: str | None,
    stem: str,
) -> Decision:
    query = parse_qsl(urlsplit(uri).query, keep_blank_values=True)
    params = dict(query)
    link_type = link_type or params.get("linkType")
    context = params.get("context")
    anchor = build_digital_link(list(request_pairs), stem, check_associations=False)
    linkset_url = anchor + "?linkType=linkset"
    link_header = f'<{linkset_url}>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"'

    levels: dict[tuple, list[Mapping]] = {}
    for link in links:
        level = _path_pairs(link.get("anchor") or anchor)
        if _is_ancestor(level, request_pairs):
            levels.setdefault(level, []).append(link)
    ordered = sorted(levels, key=len, reverse=True)  # most specific first

    if link_type in LINKSET_KEYWORDS or (link_type is None and _accepts(accept, LINKSET_MEDIA_TYPE)):
        if not ordered:
            return _error(404, Message("gs1.no-links", gettext_noop("aucun lien pour %(anchor)s"), {"anchor": anchor}))
        chosen = [
            {**link, "anchor": build_digital_link(list(level), stem, check_associations=False)}
            for level in reversed(ordered)
            for link in levels[level]
        ]
        try:
            body = build_linkset(anchor, chosen)
        except GS1Error as err:
            return _error(500, err.message)
        context_link = f'<{JSONLD_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
        headers = {"Link": context_link}
        return Decision(200, body=body, media_type=LINKSET_MEDIA_TYPE, headers=headers)

    if link_type:
        try:
            wanted = normalize_link_type(link_type)
        except GS1Error as err:
            return _error(404, err.message, {"Link": link_header})
        if wanted in DEFAULT_LINK_TYPES:
            link_type = None
    for level in ordered:
        if link_type:
            candidates = [link for link in levels[level] if _curie(link) == wanted]
        else:
            candidates = [link for link in levels[level] if link.get("default")]
        if not candidates:
            continue
        target, matched = _best(candidates, accept_language, context)
        if not link_type and not matched and (accept_language or context):
            # A better match than the default: a link of the same type in the requested language or context.
            same_type = [link for link in levels[level] if _curie(link) == _curie(target)]
            alternative, alternative_matched = _best(same_type, accept_language, context)
            target = alternative if alternative_matched else target
        return Decision(307, location=_forward(target, query), headers={"Link": link_header})
    if link_type:
        message = Message("gs1.no-link-of-type", gettext_noop("aucun lien %(link_type)s pour %(anchor)s"),
                          {"link_type": wanted, "anchor": anchor})
    else:
        message = Message(
            "gs1.no-default-link", gettext_noop("aucun lien par défaut pour %(anchor)s"), {"anchor": anchor})
    return _error(404, message, {"Link": link_header})


def _curie(link: Mapping) -> str | None:
    try:
        return normalize_link_type(link.get("link_type", ""))
    except GS1Error:
        return None


def _forward(link: Mapping, query: list[tuple[str, str]]) -> str:
    """The link target with the request's query parameters passed on (except ``linkType``)."""
    href = link["href"]
    forwarded = [(k, v) for k, v in query if k != "linkType"]
    if not forwarded or link.get("fwqs") is False:
        return href
    return href + ("&" if urlsplit(href).query else "?") + urlencode(forwarded)
