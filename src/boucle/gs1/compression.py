"""Decompression of compressed GS1 Digital Link URIs (GS1 DL 1.1 compression).

A compressed DL URI packs its AI data into one base64url path segment: each AI
as 4-bit digits, each value in a binary form chosen by its format (numbers as
integers, text as hex, base64 or 7-bit ASCII), optionally with one-byte codes
for common AI sequences and with non-GS1 query parameters. A GS1-Conformant
resolver must decompress such URIs, so we do. Boucle prints uncompressed URIs
(any scanner app understands them); ``compress_digital_link`` (without the
optimisation codes) exists for small QR Codes and to test decompression.

The value formats are derived from the syntax dictionary the same way GS1's
compression table was derived from the General Specifications: consecutive
numeric components are one number, trailing optional numeric components one
variable-length number, and the alphanumeric components one text field.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote

from .dictionary import ai_length_by_prefix, lookup
from .digital_link import build_digital_link, split_digital_link
from .errors import GS1Error, gettext_noop

BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HEX = "0123456789ABCDEF"

# Optimisation codes of the GS1 DL compression scheme ("tableOpt"): one byte standing for an AI
# sequence. From GS1DigitalLinkToolkit.js as ported by Trust-Codes-Ltd/gs1-compression
# (constants/table_opt.py, Apache-2.0); not part of the syntax dictionary, hence kept here.
TABLE_OPT = {
    "0A": ("01", "22"), "0B": ("01", "10"), "0C": ("01", "21"), "0D": ("01", "17"), "0E": ("01", "7003"),
    "0F": ("01", "30"), "1A": ("01", "10", "21", "17"), "1B": ("01", "15"), "1C": ("01", "11"),
    "1D": ("01", "16"), "1E": ("01", "91"), "1F": ("01", "10", "15"), "2A": ("01", "3100"),
    "2B": ("01", "3101"), "2C": ("01", "3102"), "2D": ("01", "3103"), "2E": ("01", "3104"),
    "2F": ("01", "3105"), "3A": ("01", "3200"), "3B": ("01", "3201"), "3C": ("01", "3202"),
    "3D": ("01", "3203"), "3E": ("01", "3204"), "3F": ("01", "3205"), "9A": ("8010", "8011"),
    "9B": ("8017", "8019"), "9C": ("8018", "8019"), "9D": ("414", "254"), "A0": ("01", "3920"),
    "A1": ("01", "3921"), "A2": ("01", "3922"), "A3": ("01", "3923"), "A4": ("01", "3924"),
    "A5": ("01", "3925"), "A6": ("01", "3926"), "A7": ("01", "3927"), "A8": ("01", "3928"),
    "A9": ("01", "3929"), "C0": ("255", "3900"), "C1": ("255", "3901"), "C2": ("255", "3902"),
    "C3": ("255", "3903"), "C4": ("255", "3904"), "C5": ("255", "3905"), "C6": ("255", "3906"),
    "C7": ("255", "3907"), "C8": ("255", "3908"), "C9": ("255", "3909"), "CA": ("255", "3940"),
    "CB": ("255", "3941"), "CC": ("255", "3942"), "CD": ("255", "3943"),
}  # fmt: skip


def _value_bits(digits: int) -> int:
    return math.ceil(digits * math.log2(10) + 0.01)


def _length_bits(max_length: int) -> int:
    return math.ceil(math.log2(max_length) + 0.01)


@lru_cache(maxsize=None)
def value_format(ai: str) -> tuple[tuple[str, bool, int], ...]:
    """(kind "N" or "X", fixed length?, length) fields of the compressed value of ``ai``."""
    entry = lookup(ai)
    if entry is None:
        raise GS1Error("gs1.compression-ai", gettext_noop("IA (%(ai)s) inconnu dans les données compressées"), ai=ai,
                       rule="compression")
    fields: list[list] = []
    for comp in entry.components:
        kind = "N" if comp.cset == "N" else "X"
        fixed = not comp.optional and comp.min_length == comp.max_length
        last = fields[-1] if fields else None
        if last and last[0] == kind and (kind == "X" or last[1] == fixed):
            last[1] = last[1] and fixed
            last[2] += comp.max_length
        else:
            fields.append([kind, fixed, comp.max_length])
    return tuple((k, f, n) for k, f, n in fields)


class _Reader:
    def __init__(self, bits: str):
        self.bits, self.pos = bits, 0

    def take(self, n: int) -> int:
        if self.pos + n > len(self.bits):
            raise GS1Error(
                "gs1.compression-end", gettext_noop("les données compressées s'arrêtent trop tôt"), rule="compression")
        chunk = self.bits[self.pos : self.pos + n]
        self.pos += n
        return int(chunk, 2) if chunk else 0

    def remaining(self) -> int:
        return len(self.bits) - self.pos

    def number(self, digits: int) -> str:
        return str(self.take(_value_bits(digits))).zfill(digits) if digits else ""

    def chars(self, encoding: int, length: int) -> str:
        if encoding == 0:
            return self.number(length)
        if encoding in (1, 2):
            text = "".join(_HEX[self.take(4)] for _ in range(length))
            return text.lower() if encoding == 1 else text
        if encoding == 3:
            return "".join(BASE64URL[self.take(6)] for _ in range(length))
        if encoding == 4:
            return "".join(chr(self.take(7)) for _ in range(length))
        raise GS1Error(
            "gs1.compression-encoding", gettext_noop("codage de caractères %(encoding)s inconnu dans les données "
                                                         "compressées"), encoding=encoding, rule="compression")


def _decode_value(reader: _Reader, ai: str) -> str:
    out = []
    for kind, fixed, length in value_format(ai):
        if kind == "N":
            out.append(reader.number(length if fixed else reader.take(_length_bits(length))))
        else:
            encoding = reader.take(3)
            out.append(reader.chars(encoding, length if fixed else reader.take(_length_bits(length))))
    return "".join(out)


def decompress_pairs(segment: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """AI pairs and non-GS1 key/value pairs packed in a compressed path segment."""
    if not segment or any(c not in BASE64URL for c in segment):
        raise GS1Error(
            "gs1.compression-segment", gettext_noop("« %(segment)s » n'est pas un segment Digital Link compressé"),
            segment=segment[:20], rule="compression")
    reader = _Reader("".join(f"{BASE64URL.index(c):06b}" for c in segment))
    pairs: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    prefixes = ai_length_by_prefix()
    while reader.remaining() > 8:
        h1, h2 = reader.take(4), reader.take(4)
        code = _HEX[h1] + _HEX[h2]
        if h1 <= 9 and h2 <= 9:
            if code not in prefixes:
                raise GS1Error(
                    "gs1.compression-ai", gettext_noop("aucun IA ne commence par %(code)s (données compressées)"),
                    code=code, rule="compression")
            ai = code
            for _ in range(prefixes[code] - 2):
                digit = reader.take(4)
                if digit > 9:
                    raise GS1Error(
                        "gs1.compression-ai", gettext_noop("IA non numérique %(ai)s dans les données compressées"),
                        ai=f"{ai}{_HEX[digit]}", rule="compression")
                ai += str(digit)
            pairs.append((ai, _decode_value(reader, ai)))
        elif code in TABLE_OPT:
            for ai in TABLE_OPT[code]:
                pairs.append((ai, _decode_value(reader, ai)))
        elif h1 == 15:
            key_length = (h2 << 3) | reader.take(3)
            key = "".join(BASE64URL[reader.take(6)] for _ in range(key_length))
            encoding = reader.take(3)
            others.append((key, reader.chars(encoding, reader.take(7))))
        else:
            raise GS1Error("gs1.compression-code", gettext_noop("code d'optimisation %(code)s inconnu dans les données "
                                                          "compressées"), code=code, rule="compression")
    return pairs, others


def _rebuild(pairs: list[tuple[str, str]], stem: str) -> str:
    """The DL URI of decompressed pairs. Encoders write the primary key first; among its qualifier
    alternatives, the one with the most AIs present that leaves only valid attributes is the path
    (a GTIN with a TPX (235) and a lot (10) is /01/…/235/…?10=…)."""
    entry = lookup(pairs[0][0])
    if entry is None or not entry.is_dl_primary_key:
        return build_digital_link(pairs, stem, check_associations=False)
    present = {ai for ai, _ in pairs}
    candidates = {(entry.ai, *(q for q in alt if q in present)) for alt in entry.dl_qualifier_alternatives}
    error = None
    for path in sorted(candidates, key=lambda c: (-len(c), " ".join(c))):
        try:
            return build_digital_link(pairs, stem, check_associations=False, path=path)
        except GS1Error as err:
            error = error or err
    raise error


def decompress_digital_link(uri: str) -> str:
    """The uncompressed DL URI of a compressed one (same stem; query parameters kept)."""
    m = re.match(r"^((?:https?|HTTPS?)://[^/?#]+(?:/[^?#]*)?)/([A-Za-z0-9_-]+)(?:\?([^#]*))?(?:#.*)?$", uri)
    if not m:
        raise GS1Error(
            "gs1.compression-uri", gettext_noop("ce n'est pas une URI GS1 Digital Link compressée"), rule="compression")
    stem, segment, query = m.groups()
    pairs, others = decompress_pairs(segment)
    if not pairs:
        raise GS1Error("gs1.compression-empty", gettext_noop("l'URI Digital Link compressée ne porte aucun IA"),
                       rule="compression")
    base = _rebuild(pairs, stem)
    extra = [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in others]
    extra += [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in parse_qsl(query or "", keep_blank_values=True)]
    if not extra:
        return base
    return base + ("&" if "?" in base else "?") + "&".join(extra)


def _encoding(text: str) -> int:
    """The densest character encoding that can carry ``text`` (GS1 DL compression order)."""
    if re.fullmatch(r"[0-9]+", text):
        return 0
    if re.fullmatch(r"[0-9a-f]+", text):
        return 1
    if re.fullmatch(r"[0-9A-F]+", text):
        return 2
    if re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return 3
    if all(ord(c) < 128 for c in text):
        return 4
    raise GS1Error(
        "gs1.compression-ascii", gettext_noop("« %(value)s » ne peut pas être compressé (caractères non ASCII)"),
        value=text, rule="compression")


def _chars_bits(text: str, length_bits: int | None) -> str:
    encoding = _encoding(text) if text else 3
    out = f"{encoding:03b}" + (f"{len(text):0{length_bits}b}" if length_bits is not None else "")
    if encoding == 0:
        return out + f"{int(text):0{_value_bits(len(text))}b}"
    if encoding in (1, 2):
        return out + "".join(f"{_HEX.index(c.upper()):04b}" for c in text)
    if encoding == 3:
        return out + "".join(f"{BASE64URL.index(c):06b}" for c in text)
    return out + "".join(f"{ord(c):07b}" for c in text)


def _encode_value(ai: str, value: str) -> str:
    bits, pos = [], 0
    for kind, fixed, length in value_format(ai):
        part = value[pos : pos + length]
        pos += len(part)
        if kind == "N":
            width = "" if fixed else f"{len(part):0{_length_bits(length)}b}"
            bits.append(width + (f"{int(part):0{_value_bits(len(part))}b}" if part else ""))
        else:
            bits.append(_chars_bits(part, None if fixed else _length_bits(length)))
    return "".join(bits)


def compress_digital_link(uri: str, *, other_query_params: bool = False, stem: str | None = None) -> str:
    """A compressed DL URI equivalent to ``uri`` (no optimisation codes).

    Non-AI query parameters stay in the query string unless
    ``other_query_params`` packs them too."""
    base, pairs, others = split_digital_link(uri, check_associations=False)
    bits = []
    for ai, value in pairs:
        bits.append("".join(f"{int(d):04b}" for d in ai) + _encode_value(ai, value))
    if other_query_params:
        for key, value in others:
            if not key or len(key) > 127 or len(value) > 127 or any(c not in BASE64URL for c in key):
                raise GS1Error(
                    "gs1.compression-parameter", gettext_noop("le paramètre « %(value)s » ne peut pas être compressé"),
                    value=key, rule="compression")
            bits.append("1111" + f"{len(key):07b}" + "".join(f"{BASE64URL.index(c):06b}" for c in key))
            bits.append(_chars_bits(value, 7)[:3] + f"{len(value):07b}" + _chars_bits(value, None)[3:])
        others = []
    stream = "".join(bits)
    stream += "0" * (-len(stream) % 6)
    segment = "".join(BASE64URL[int(stream[i : i + 6], 2)] for i in range(0, len(stream), 6))
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in others)
    return f"{(stem or base).rstrip('/')}/{segment}" + (f"?{query}" if query else "")
