"""GS1 Digital Link URIs (uncompressed syntax, GS1 Digital Link standard 1.x).

A DL URI puts a primary key and its qualifiers in the path, in the order the
syntax dictionary's ``dlpkey`` attribute fixes, and other AIs ("data
attributes") in the query string. Any domain and any path prefix (the stem) may
precede the AI path, so parsing walks the path from the right until it meets a
primary key. The rules and their edge cases follow GS1's reference engine
(gs1-syntax-engine ``dl.c``) whose tests we run as conformance vectors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .dictionary import ai_table, dl_path_sequences, lookup
from .errors import GS1Error, gettext_noop
from .validate import Pairs, resolve_ai, validate_pairs

CANONICAL_STEM = "https://id.gs1.org"
_URI_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
_URI_RE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_BAD_DOMAIN_CHARS = frozenset("_~?#@!$&'()*+,;=%")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SCHEMES = ("https://", "HTTPS://", "http://", "HTTP://")

# Deprecated short names ("convenience alphas") of early DL URIs, e.g. /gtin/…
CONVENIENCE_ALPHAS = {
    "cpid": "8010", "cpsn": "8011", "cpv": "22", "gcn": "255", "gdti": "253", "giai": "8004",
    "ginc": "401", "gln": "414", "glnx": "254", "gmn": "8013", "grai": "8003", "gsin": "402",
    "gsrn": "8018", "gsrnp": "8017", "gtin": "01", "itip": "8006", "lot": "10", "party": "417",
    "refno": "8020", "ser": "21", "srin": "8019", "sscc": "00",
}  # fmt: skip


DL_ATTRIBUTE = gettext_noop("l'IA (%(ai)s) n'est pas permis comme attribut de données Digital Link")


def _unescape(text: str, *, query: bool, ai: str) -> str:
    """Percent-decode like the reference engine: only well-formed %XX escapes; '+' is a space in queries."""
    if "%" not in text and not (query and "+" in text):
        return text
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1 : i + 3]):
            byte = int(text[i + 1 : i + 3], 16)
            if byte == 0:
                raise GS1Error(
                    "gs1.nul", gettext_noop("IA (%(ai)s) : une valeur décodée ne doit pas contenir le caractère NUL"),
                    ai=ai, rule="syntax")
            out.append(byte)
            i += 3
            continue
        out.append(0x20 if query and c == "+" else ord(c))
        i += 1
    return out.decode("latin-1")


def _escape(value: str, *, query: bool) -> str:
    out = []
    for c in value:
        if c in _UNRESERVED:
            out.append(c)
        elif c == " " and query:
            out.append("+")
        else:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8"))
    return "".join(out)


def _path_ai(segment: str, permit_convenience_alphas: bool) -> str | None:
    if permit_convenience_alphas and segment in CONVENIENCE_ALPHAS:
        return CONVENIENCE_ALPHAS[segment]
    return segment if lookup(segment) is not None else None


def _pad_gtin(value: str) -> str:
    return value.zfill(14) if len(value) in (8, 12, 13) else value


def parse_digital_link(
    uri: str,
    *,
    permit_convenience_alphas: bool = False,
    permit_zero_suppressed_gtin: bool = False,
    permit_unknown_ais: bool = False,
    check_associations: bool = True,
) -> Pairs:
    """The validated (AI, value) pairs of an uncompressed DL URI: path AIs, then query attributes.

    Non-AI query parameters (``linkType``, ``context`` ...) are not pairs. The
    ``permit_*`` options relax the strict syntax for legacy links (``/gtin/``
    short names, GTIN-13 without its leading zero, AIs GS1 has not allocated)."""
    return split_digital_link(
        uri,
        permit_convenience_alphas=permit_convenience_alphas,
        permit_zero_suppressed_gtin=permit_zero_suppressed_gtin,
        permit_unknown_ais=permit_unknown_ais,
        check_associations=check_associations,
    )[1]


def split_digital_link(
    uri: str,
    *,
    permit_convenience_alphas: bool = False,
    permit_zero_suppressed_gtin: bool = False,
    permit_unknown_ais: bool = False,
    check_associations: bool = True,
) -> tuple[str, Pairs, list[tuple[str, str]]]:
    """(stem, validated AI pairs, other query parameters) of an uncompressed DL URI."""
    if not uri:
        raise GS1Error("gs1.uri-empty", gettext_noop("URI vide"), rule="uri")
    if not _URI_RE.fullmatch(uri):
        bad = next((c for c in uri if c not in _URI_CHARS), "")
        raise GS1Error("gs1.uri-character", gettext_noop("l'URI contient un caractère interdit : « %(char)s »"),
                       char=bad, rule="uri")
    scheme = next((s for s in _SCHEMES if uri.startswith(s)), None)
    if scheme is None:
        raise GS1Error(
            "gs1.uri-scheme", gettext_noop("une URI Digital Link doit commencer par http:// ou https://"), rule="uri")
    rest = uri[len(scheme) :]
    slash = rest.find("/")
    if slash < 1:
        raise GS1Error("gs1.uri-parts", gettext_noop("l'URI n'a pas de domaine ou pas de chemin"), rule="uri")
    if any(c in _BAD_DOMAIN_CHARS for c in rest[:slash]):
        raise GS1Error(
            "gs1.uri-domain", gettext_noop("caractère interdit dans le domaine « %(domain)s »"), domain=rest[:slash],
            rule="uri")
    path = rest[slash:].split("#", 1)[0]
    path, _, query = path.partition("?")

    segments = path.split("/")[1:]
    start = None  # index into segments of the primary key AI
    i = len(segments) - 2
    while i >= 0:
        ai = _path_ai(segments[i], permit_convenience_alphas)
        if ai is None:
            break
        if lookup(ai).is_dl_primary_key:
            start = i
            break
        i -= 2
    if start is None:
        raise GS1Error("gs1.dl-no-key", gettext_noop("aucune clé primaire GS1 Digital Link dans le chemin de l'URI"),
                       rule="dl-path")

    pairs: Pairs = []
    for j in range(start, len(segments), 2):
        ai = _path_ai(segments[j], permit_convenience_alphas)
        raw = segments[j + 1]
        if not raw:
            raise GS1Error(
                "gs1.dl-path-empty", gettext_noop("IA (%(ai)s) : valeur vide dans le chemin de l'URI"), ai=ai,
                rule="dl-path")
        value = _unescape(raw, query=False, ai=ai)
        if ai == "01" and permit_zero_suppressed_gtin:
            value = _pad_gtin(value)
        pairs.append((ai, value))
    path_ais = tuple(ai for ai, _ in pairs)

    attributes: Pairs = []
    others: list[tuple[str, str]] = []
    for param in query.split("&"):
        key, eq, raw = param.partition("=")
        if not eq or not key.isdigit():
            if param:  # singletons and non-AI parameters (linkType, context ...) are not AI data
                others.append((_unescape(key, query=True, ai=key), _unescape(raw, query=True, ai=key)))
            continue
        entry = resolve_ai(key, permit_unknown_ais=permit_unknown_ais)
        if not raw:
            raise GS1Error(
                "gs1.dl-query-empty", gettext_noop("IA (%(ai)s) : valeur vide dans les paramètres de l'URI"), ai=key,
                rule="dl-query")
        value = _unescape(raw, query=True, ai=key)
        if entry.ai == "01" and permit_zero_suppressed_gtin:
            value = _pad_gtin(value)
        attributes.append((key, value))

    if path_ais not in dl_path_sequences():
        raise GS1Error(
            "gs1.dl-qualifiers",
            gettext_noop("suite de qualificatifs de clé invalide dans le chemin : %(path)s (permis après (%(ai)s) : "
                         "%(allowed)s)"),
            path="/".join(path_ais),
            allowed=_describe_qualifiers(path_ais[0]),
            ai=path_ais[0],
            rule="dlpkey",
        )
    seen = set(path_ais)
    for ai, value in attributes:
        if ai in seen:
            raise GS1Error("gs1.dl-duplicate", gettext_noop("l'IA (%(ai)s) apparaît plus d'une fois dans l'URI"), ai=ai,
                           value=value, rule="duplicate")
        seen.add(ai)
        if not resolve_ai(ai, permit_unknown_ais=permit_unknown_ais).dl_attribute:
            raise GS1Error(
                "gs1.dl-attribute", DL_ATTRIBUTE, ai=ai, value=value, rule="dl-attribute"
            )
        for k in range(1, len(path_ais) + 1):
            if (*path_ais[:k], ai, *path_ais[k:]) in dl_path_sequences():
                raise GS1Error(
                    "gs1.dl-qualifier-in-query",
                    gettext_noop("l'IA (%(ai)s) est un qualificatif de la clé (%(key)s) : il va dans le chemin"),
                    ai=ai, key=path_ais[0], rule="dlpkey"
                )
    stem = scheme + rest[:slash] + "/".join(["", *segments[:start]])
    pairs = validate_pairs(pairs + attributes, associations=check_associations, permit_unknown_ais=permit_unknown_ais)
    return stem, pairs, others


def _describe_qualifiers(key: str) -> str:
    alternatives = lookup(key).dl_qualifier_alternatives or ()
    described = [",".join(alt) for alt in alternatives if alt]
    return " | ".join(described) if described else "-"


def build_digital_link(
    pairs: Sequence[tuple[str, str]],
    stem: str | None = CANONICAL_STEM,
    *,
    permit_unknown_ais: bool = False,
    check_associations: bool = True,
    path: Sequence[str] | None = None,
) -> str:
    """An uncompressed DL URI: primary key, qualifiers in the standard's order, then attributes.

    ``path`` forces the path AIs (a valid key-qualifier sequence), e.g. to keep
    the structure of a URI being rebuilt; otherwise:

    The primary key is the first AI in ``pairs`` that can be one; the
    qualifier alternative matching the most AIs is used (ties broken as GS1's
    engine does); repeated identical pairs are written once; attributes are
    written fixed-length AIs first, each group in the given order."""
    pairs = validate_pairs(pairs, associations=check_associations, permit_unknown_ais=permit_unknown_ais)
    table = ai_table()
    if path is not None:
        if tuple(path) not in dl_path_sequences():
            raise GS1Error("gs1.dl-qualifiers", gettext_noop("suite de qualificatifs de clé invalide : %(path)s"),
                           path="/".join(path), rule="dlpkey")
        return _format(pairs, tuple(path), stem, permit_unknown_ais)
    key = next((ai for ai, _ in pairs if ai in table and table[ai].is_dl_primary_key), None)
    if key is None:
        raise GS1Error(
            "gs1.dl-no-key", gettext_noop("impossible de construire une URI Digital Link : aucun IA des données "
                                                "n'est une clé primaire"), rule="dlpkey")
    present = {ai for ai, _ in pairs}
    best: tuple[str, ...] = (key,)
    for alternative in table[key].dl_qualifier_alternatives:
        candidate = (key, *(q for q in alternative if q in present))
        if len(candidate) > len(best) or (len(candidate) == len(best) and " ".join(candidate) < " ".join(best)):
            best = candidate
    return _format(pairs, best, stem, permit_unknown_ais)


def _format(pairs: Pairs, best: tuple[str, ...], stem: str | None, permit_unknown_ais: bool) -> str:
    values = {}
    for ai, value in pairs:
        values.setdefault(ai, value)
    base = (stem or CANONICAL_STEM).rstrip("/")
    path = "".join(f"/{ai}/{_escape(values[ai], query=False)}" for ai in best)
    attributes: list[str] = []
    for fixed in (True, False):
        for ai in values:
            if ai in best:
                continue
            entry = resolve_ai(ai, permit_unknown_ais=permit_unknown_ais)
            if entry.fnc1_required == fixed:
                continue
            if not entry.dl_attribute:
                raise GS1Error("gs1.dl-attribute", DL_ATTRIBUTE, ai=ai, rule="dl-attribute")
            attributes.append(f"{ai}={_escape(values[ai], query=True)}")
    return base + path + ("?" + "&".join(attributes) if attributes else "")
