"""GS1 element strings: the AI data carried by GS1-128, DataMatrix, QR and DataBar.

Two spellings exist: the human-readable bracketed form ``(01)09520123456788(10)ABC``
and the form a scanner returns, where AIs follow each other and a FNC1 (sent as
the GS character 0x1D, often written ``^``) ends every variable-length value
that is not last. The bracketed form escapes a literal ``(`` in a value as
``\\(``. Both parse to the same (AI, value) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

from .dictionary import ai_table
from .errors import GS1Error, gettext_noop
from .validate import Pairs, consume_components, resolve_ai, validate_associations, validate_pairs, validate_value

GS = "\x1d"
# Symbology identifiers of the GS1 carriers: the FNC1 in first position is implied.
SYMBOLOGY_IDENTIFIERS = ("]C1", "]e0", "]d2", "]Q3", "]J1")


def parse_element_string(s: str, *, check_associations: bool = True, permit_unknown_ais: bool = False) -> Pairs:
    """Parse a bracketed or FNC1-form element string into validated (AI, value) pairs.

    ``check_associations=False`` checks each value alone (what a scanner
    decoding one of several symbols on a pack can check)."""
    if s.startswith("("):
        pairs = _parse_bracketed(s, permit_unknown_ais)
        return validate_pairs(pairs, associations=check_associations, permit_unknown_ais=permit_unknown_ais)
    for prefix in (*SYMBOLOGY_IDENTIFIERS, "^", GS):
        if s.startswith(prefix):
            pairs = _parse_fnc1(s[len(prefix) :].replace(GS, "^"))
            if check_associations:
                validate_associations(pairs)
            return pairs
    raise GS1Error(
        "gs1.syntax-start",
        gettext_noop("la chaîne d'éléments « %(start)s » doit commencer par « ( » (entre parenthèses) ou par un FNC1 "
                     "(« ^ », GS, « ]C1 »…)"),
        start=s[:20],
        rule="syntax",
    )


def _parse_bracketed(s: str, permit_unknown_ais: bool) -> Pairs:
    pairs: Pairs = []
    pos = 0
    while pos < len(s):
        if s[pos] != "(":
            raise GS1Error("gs1.syntax-bracket", gettext_noop("« ( » attendu en position %(position)s de « %(text)s »"),
                           position=pos + 1, text=s, rule="syntax")
        close = s.find(")", pos)
        if close < 0:
            raise GS1Error(
                "gs1.syntax-unterminated", gettext_noop("IA non refermé en position %(position)s de « %(text)s »"),
                position=pos + 1, text=s, rule="syntax")
        ai = s[pos + 1 : close]
        resolve_ai(ai, permit_unknown_ais=permit_unknown_ais)
        pos = close + 1
        value = []
        while True:
            nxt = s.find("(", pos)
            if nxt < 0:
                nxt = len(s)
            if nxt < len(s) and s[nxt - 1] == "\\":
                value.append(s[pos : nxt - 1] + "(")
                pos = nxt + 1
                continue
            value.append(s[pos:nxt])
            pos = nxt
            break
        text = "".join(value)
        if "^" in text:
            message = gettext_noop("IA (%(ai)s) : « ^ » est interdit dans une valeur (il représente le FNC1)")
            raise GS1Error("gs1.syntax-fnc1", message, ai=ai, value=text, rule="syntax")
        pairs.append((ai, text))
    return pairs


def _parse_fnc1(data: str) -> Pairs:
    """Split scanner data ("^" = FNC1) using each AI's length from the dictionary."""
    if not data:
        raise GS1Error("gs1.empty", gettext_noop("la chaîne d'éléments ne porte aucune donnée IA"), rule="empty")
    table = ai_table()
    pairs: Pairs = []
    pos = 0
    while pos < len(data):
        entry = next((table[data[pos : pos + n]] for n in (2, 3, 4) if data[pos : pos + n] in table), None)
        if entry is None:
            raise GS1Error("gs1.ai-unknown", gettext_noop("aucun IA connu ne commence les données « %(start)s »…"),
                           start=data[pos : pos + 4], rule="ai")
        pos += len(entry.ai)
        end = data.find("^", pos)
        if end < 0:
            end = len(data)
        used = consume_components(entry, data[pos:end])
        value = data[pos : pos + used]
        pos += used
        if entry.fnc1_required and pos < len(data) and data[pos] != "^":
            value = data[pos - used : end]
            raise GS1Error("gs1.value-too-long", gettext_noop("IA (%(ai)s) : la valeur « %(value)s » est trop longue"),
                           ai=entry.ai, value=value, rule="length")
        if pos < len(data) and data[pos] == "^":
            pos += 1
        pairs.append((entry.ai, value))
    return pairs


def build_element_string(
    pairs: Sequence[tuple[str, str]], *, fnc1: str | None = None, check_associations: bool = True
) -> str:
    """Write validated pairs as a bracketed element string, or, given ``fnc1`` ("^" or GS),
    in scanner form: FNC1 first, then after each variable-length value that is not last."""
    pairs = validate_pairs(pairs, associations=check_associations)
    if fnc1 is None:
        return "".join(f"({ai}){value.replace('(', chr(92) + '(')}" for ai, value in pairs)
    out = [fnc1]
    for i, (ai, value) in enumerate(pairs):
        out.append(ai + value)
        if resolve_ai(ai).fnc1_required and i < len(pairs) - 1:
            out.append(fnc1)
    return "".join(out)


__all__ = ["parse_element_string", "build_element_string", "validate_value"]
