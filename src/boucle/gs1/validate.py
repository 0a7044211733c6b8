"""Validation of AI values and AI combinations, driven by the syntax dictionary.

Two levels, as in the GS1 General Specifications: each value must fit its AI's
format (components, character sets, lengths, linters), and the set of AIs
carried together must respect the dictionary's associations (``req=`` mandatory
partners, ``ex=`` forbidden partners, one value per repeated AI, and a digital
signature only on a serialised key).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .dictionary import AIEntry, Component, ai_length_by_prefix, ai_table, lookup
from .errors import GS1Error
from .linters import LINTERS, check_cset

Pairs = list[tuple[str, str]]

_UNKNOWN_COMPONENTS = (Component(cset="X", min_length=1, max_length=90, optional=False, linters=()),)


def resolve_ai(ai: str, *, permit_unknown_ais: bool = False) -> AIEntry:
    """The dictionary entry of ``ai``; with ``permit_unknown_ais`` a permissive stand-in for AIs
    GS1 has not allocated yet, as long as they cannot be confused with an allocated one."""
    entry = lookup(ai) if ai.isascii() else None
    if entry is not None:
        return entry
    if not (ai.isascii() and ai.isdigit() and 2 <= len(ai) <= 4):
        raise GS1Error(f"({ai}) is not an Application Identifier: 2 to 4 digits expected", ai=ai, rule="ai")
    if permit_unknown_ais:
        clash = any(ai.startswith(k) or k.startswith(ai) for k in ai_table())
        expected_len = ai_length_by_prefix().get(ai[:2])
        if not clash and expected_len in (None, len(ai)):
            return AIEntry(ai, True, True, _UNKNOWN_COMPONENTS, (), (), None, "UNKNOWN")
    raise GS1Error(f"unknown Application Identifier ({ai})", ai=ai, rule="ai")


def consume_components(entry: AIEntry, data: str, ai: str | None = None) -> int:
    """Validate the components of ``entry`` against the start of ``data``; return how much was used.

    Each component takes as many characters as it may; optional trailing
    components are skipped once the data is exhausted, but a partial one is an
    error (GS1 syntax dictionary rules)."""
    ai = ai or entry.ai
    if not data:
        raise GS1Error(f"AI ({ai}): value is empty", ai=ai, value=data, rule="length")
    pos = 0
    for comp in entry.components:
        part = data[pos : pos + comp.max_length]
        if comp.optional and not part:
            continue
        if len(part) < comp.min_length:
            raise GS1Error(f"AI ({ai}): value {data!r} is too short", ai=ai, value=data, rule="length")
        rule = comp.cset
        problem = check_cset(comp.cset, part)
        for linter in comp.linters:
            if problem:
                break
            rule, problem = linter, LINTERS[linter](part)
        if problem:
            raise GS1Error(f"AI ({ai}): {problem}", ai=ai, value=data, rule=rule)
        pos += len(part)
    return pos


def validate_value(ai: str, value: str, *, permit_unknown_ais: bool = False) -> AIEntry:
    """Raise GS1Error unless ``value`` is a valid value of ``ai``."""
    entry = resolve_ai(ai, permit_unknown_ais=permit_unknown_ais)
    if len(value) < entry.min_length:
        message = f"AI ({ai}): value {value!r} is too short (min {entry.min_length})"
        raise GS1Error(message, ai=ai, value=value, rule="length")
    if len(value) > entry.max_length:
        message = f"AI ({ai}): value {value!r} is too long (max {entry.max_length})"
        raise GS1Error(message, ai=ai, value=value, rule="length")
    if consume_components(entry, value, ai) != len(value):
        raise GS1Error(f"AI ({ai}): value {value!r} is too long", ai=ai, value=value, rule="length")
    return entry


def _exists(pattern: str, own_ai: str, ais: Iterable[str]) -> str | None:
    """An AI matching ``pattern`` (trailing ``n`` = any digit), other than ``own_ai`` itself."""
    digits = pattern.rstrip("n")
    for other in ais:
        if other.startswith(digits) and other[: len(pattern)] != own_ai[: len(pattern)]:
            return other
    return None


def validate_associations(pairs: Sequence[tuple[str, str]], *, permit_unknown_ais: bool = False) -> None:
    """Raise GS1Error if the AIs carried together break the dictionary's association rules."""
    seen: dict[str, str] = {}
    for ai, value in pairs:
        if ai in seen and seen[ai] != value:
            message = f"AI ({ai}) is repeated with different values {seen[ai]!r} and {value!r}"
            raise GS1Error(message, ai=ai, value=value, rule="repeat")
        seen.setdefault(ai, value)
    ais = list(seen)
    for ai in ais:
        entry = resolve_ai(ai, permit_unknown_ais=permit_unknown_ais)
        for pattern in entry.ex:
            other = _exists(pattern, ai, ais)
            if other:
                raise GS1Error(f"AI ({ai}) must not be used with AI ({other})", ai=ai, rule="ex")
        for alternatives in entry.req:
            if not any(all(_exists(p, ai, ais) for p in group) for group in alternatives):
                wanted = " or ".join("+".join(f"({p})" for p in group) for group in alternatives)
                raise GS1Error(f"AI ({ai}) requires {wanted}", ai=ai, rule="req")
    if "8030" in seen:
        for key in ("253", "255", "8003"):
            if key in seen:
                entry = resolve_ai(key)
                if len(seen[key]) <= entry.min_length:
                    raise GS1Error(
                        f"a digital signature (8030) needs a serialised key: "
                        f"AI ({key}) {seen[key]!r} has no serial component",
                        ai=key,
                        value=seen[key],
                        rule="digsig",
                    )


def validate_pairs(
    pairs: Sequence[tuple[str, str]], *, associations: bool = True, permit_unknown_ais: bool = False
) -> Pairs:
    """Validate every value, then (optionally) the combination; return the pairs as a list."""
    out: Pairs = []
    for ai, value in pairs:
        validate_value(ai, value, permit_unknown_ais=permit_unknown_ais)
        out.append((ai, value))
    if not out:
        raise GS1Error("no AI data", rule="empty")
    if associations:
        validate_associations(out, permit_unknown_ais=permit_unknown_ais)
    return out
