"""The GS1 Application Identifier table, loaded from GS1's Barcode Syntax Dictionary.

The AI table is never typed by hand: GS1 publishes it as a machine-readable text
file (shipped in ``data/gs1-syntax-dictionary.txt``, Apache-2.0) whose format
is documented in its own header. Loading it, rather than copying it, means a new
dictionary release is one file replacement away, and every rule we enforce
(lengths, character sets, linters, DL key qualifiers, AI associations) can be
traced back to a line GS1 wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from itertools import combinations

DICTIONARY_FILE = "gs1-syntax-dictionary.txt"

_COMPONENT_RE = re.compile(
    r"^(?P<open>\[)?(?P<cset>[NXYZ])(?P<range>\.\.)?(?P<len>\d+)(?P<close>\])?(?P<linters>(?:,\w+)*)$"
)


@dataclass(frozen=True)
class Component:
    """One slice of an AI value: its character set, length bounds and linters."""

    cset: str  # N numeric, X CSET 82, Y CSET 39, Z base64url
    min_length: int
    max_length: int
    optional: bool
    linters: tuple[str, ...]


@dataclass(frozen=True)
class AIEntry:
    ai: str
    fnc1_required: bool  # False for the predefined-length AIs ("*" flag)
    dl_attribute: bool  # "?" flag: allowed in the query string of a DL URI
    components: tuple[Component, ...]
    req: tuple[tuple[tuple[str, ...], ...], ...]  # each req= : alternatives, each a "+" group of patterns
    ex: tuple[str, ...]
    dl_qualifier_alternatives: tuple[tuple[str, ...], ...] | None  # None: not a DL primary key
    title: str

    @property
    def is_dl_primary_key(self) -> bool:
        return self.dl_qualifier_alternatives is not None

    @cached_property
    def min_length(self) -> int:
        return sum(c.min_length for c in self.components if not c.optional)

    @cached_property
    def max_length(self) -> int:
        return sum(c.max_length for c in self.components)

    @property
    def fixed_length(self) -> int | None:
        """The value length when every value of this AI has the same length."""
        if all(not c.optional and c.min_length == c.max_length for c in self.components):
            return self.max_length
        return None


def _parse_component(token: str) -> Component:
    m = _COMPONENT_RE.match(token)
    if not m or bool(m["open"]) != bool(m["close"]):
        raise ValueError(f"bad component specification {token!r}")
    length = int(m["len"])
    return Component(
        cset=m["cset"],
        min_length=1 if m["range"] else length,
        max_length=length,
        optional=bool(m["open"]),
        linters=tuple(x for x in m["linters"].split(",") if x),
    )


def _expand_ais(spec: str) -> list[str]:
    if "-" not in spec:
        return [spec]
    first, last = spec.split("-")
    width = len(first)
    return [str(n).zfill(width) for n in range(int(first), int(last) + 1)]


def parse_dictionary(text: str) -> dict[str, AIEntry]:
    """Parse the syntax dictionary text into entries keyed by AI (ranges expanded)."""
    table: dict[str, AIEntry] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line, _, title = raw.partition("#")
        tokens = line.split()
        if not tokens:
            continue
        ai_spec, rest = tokens[0], tokens[1:]
        flags = ""
        if rest and not _COMPONENT_RE.match(rest[0]):
            flags, rest = rest[0], rest[1:]
        components: list[Component] = []
        req: list[tuple[tuple[str, ...], ...]] = []
        ex: list[str] = []
        dlpkey: list[tuple[str, ...]] | None = None
        for token in rest:
            if _COMPONENT_RE.match(token) and not (req or ex or dlpkey is not None):
                components.append(_parse_component(token))
            elif token.startswith("req="):
                req.append(tuple(tuple(group.split("+")) for group in token[4:].split(",")))
            elif token.startswith("ex="):
                ex.extend(token[3:].split(","))
            elif token == "dlpkey":
                dlpkey = [()]
            elif token.startswith("dlpkey="):
                dlpkey = [tuple(alt.split(",")) for alt in token[7:].split("|")]
            else:
                raise ValueError(f"line {lineno}: unexpected token {token!r}")
        if not components:
            raise ValueError(f"line {lineno}: AI {ai_spec} has no format specification")
        for ai in _expand_ais(ai_spec):
            table[ai] = AIEntry(
                ai=ai,
                fnc1_required="*" not in flags,
                dl_attribute="?" in flags,
                components=tuple(components),
                req=tuple(req),
                ex=tuple(ex),
                dl_qualifier_alternatives=tuple(dlpkey) if dlpkey is not None else None,
                title=title.strip(),
            )
    return table


@lru_cache(maxsize=1)
def ai_table() -> dict[str, AIEntry]:
    """The AI table of the shipped dictionary, parsed once per process."""
    text = resources.files("boucle.gs1").joinpath("data", DICTIONARY_FILE).read_text(encoding="utf-8")
    return parse_dictionary(text)


def lookup(ai: str) -> AIEntry | None:
    return ai_table().get(ai)


@lru_cache(maxsize=1)
def ai_length_by_prefix() -> dict[str, int]:
    """All AIs sharing their first two digits have the same length (GS1 General Specifications)."""
    lengths: dict[str, int] = {}
    for ai in ai_table():
        lengths.setdefault(ai[:2], len(ai))
    return lengths


@lru_cache(maxsize=1)
def dl_path_sequences() -> frozenset[tuple[str, ...]]:
    """Every valid DL path AI sequence: a primary key then an in-order subset of one qualifier alternative."""
    sequences: set[tuple[str, ...]] = set()
    for entry in ai_table().values():
        for alternative in entry.dl_qualifier_alternatives or ():
            for size in range(len(alternative) + 1):
                for subset in combinations(alternative, size):
                    sequences.add((entry.ai, *subset))
    return frozenset(sequences)
