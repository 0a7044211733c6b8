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
from .errors import gettext_noop as _
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
        raise GS1Error(
            "gs1.ai-syntax", _("(%(ai)s) n'est pas un identifiant d'application (IA) : 2 à 4 chiffres attendus"),
            ai=ai, rule="ai")
    if permit_unknown_ais:
        clash = any(ai.startswith(k) or k.startswith(ai) for k in ai_table())
        expected_len = ai_length_by_prefix().get(ai[:2])
        if not clash and expected_len in (None, len(ai)):
            return AIEntry(ai, True, True, _UNKNOWN_COMPONENTS, (), (), None, "UNKNOWN")
    raise GS1Error("gs1.ai-unknown", _("identifiant d'application (IA) inconnu : (%(ai)s)"), ai=ai, rule="ai")


def consume_components(entry: AIEntry, data: str, ai: str | None = None) -> int:
    """Validate the components of ``entry`` against the start of ``data``; return how much was used.

    Each component takes as many characters as it may; optional trailing
    components are skipped once the data is exhausted, but a partial one is an
    error (GS1 syntax dictionary rules)."""
    ai = ai or entry.ai
    if not data:
        raise GS1Error("gs1.value-empty", _("IA (%(ai)s) : valeur vide"), ai=ai, value=data, rule="length")
    pos = 0
    for comp in entry.components:
        part = data[pos : pos + comp.max_length]
        if comp.optional and not part:
            continue
        if len(part) < comp.min_length:
            raise GS1Error("gs1.value-too-short", _("IA (%(ai)s) : la valeur « %(value)s » est trop courte"), ai=ai,
                           value=data, rule="length")
        rule = comp.cset
        problem = check_cset(comp.cset, part)
        for linter in comp.linters:
            if problem:
                break
            rule, problem = linter, LINTERS[linter](part)
        if problem:
            raise GS1Error(problem.code, _("IA (%(ai)s) : %(problem)s"), ai=ai, value=data, rule=rule, problem=problem)
        pos += len(part)
    return pos


def validate_value(ai: str, value: str, *, permit_unknown_ais: bool = False) -> AIEntry:
    """Raise GS1Error unless ``value`` is a valid value of ``ai``."""
    entry = resolve_ai(ai, permit_unknown_ais=permit_unknown_ais)
    if len(value) < entry.min_length:
        message = _("IA (%(ai)s) : la valeur « %(value)s » est trop courte (%(min)s caractères au moins)")
        raise GS1Error("gs1.value-too-short", message, ai=ai, value=value, rule="length", min=entry.min_length)
    if len(value) > entry.max_length:
        message = _("IA (%(ai)s) : la valeur « %(value)s » est trop longue (%(max)s caractères au plus)")
        raise GS1Error("gs1.value-too-long", message, ai=ai, value=value, rule="length", max=entry.max_length)
    if consume_components(entry, value, ai) != len(value):
        raise GS1Error("gs1.value-too-long", _("IA (%(ai)s) : la valeur « %(value)s » est trop longue"), ai=ai,
                       value=value, rule="length")
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
            message = _("l'IA (%(ai)s) est répété avec des valeurs différentes : « %(first)s » et « %(value)s »")
            raise GS1Error("gs1.ai-repeated", message, ai=ai, value=value, rule="repeat", first=seen[ai])
        seen.setdefault(ai, value)
    ais = list(seen)
    for ai in ais:
        entry = resolve_ai(ai, permit_unknown_ais=permit_unknown_ais)
        for pattern in entry.ex:
            other = _exists(pattern, ai, ais)
            if other:
                raise GS1Error(
                    "gs1.ai-excluded", _("l'IA (%(ai)s) ne doit pas être utilisé avec l'IA (%(other)s)"), ai=ai,
                    other=other, rule="ex")
        for alternatives in entry.req:
            if not any(all(_exists(p, ai, ais) for p in group) for group in alternatives):
                wanted = " | ".join("+".join(f"({p})" for p in group) for group in alternatives)
                raise GS1Error("gs1.ai-requires", _("l'IA (%(ai)s) exige %(wanted)s"), ai=ai, wanted=wanted, rule="req")
    if "8030" in seen:
        for key in ("253", "255", "8003"):
            if key in seen:
                entry = resolve_ai(key)
                if len(seen[key]) <= entry.min_length:
                    raise GS1Error(
                        "gs1.digsig-serial",
                        _("une signature numérique (8030) exige une clé sérialisée : l'IA (%(ai)s) « %(value)s » "
                          "n'a pas de composante de série"),
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
        raise GS1Error("gs1.empty", _("aucune donnée IA"), rule="empty")
    if associations:
        validate_associations(out, permit_unknown_ais=permit_unknown_ais)
    return out
