"""What a declared total is a total of, and who collected it.

A yearly total over several wastes (``Flow.declared_total``) is only meaningful with its hazard and
its source: iREP publishes « Déchets dangereux » and « Déchets non dangereux » totals per site and
year, two figures that describe different streams, and a reader must know which register a figure
comes from before comparing it with anything. The declared hazard (``Flow.hazardous``) wins; a total
declared without one is read from its own words, since the hazard is what the line is a total of.

Pure: strings in, strings out.
"""

from __future__ import annotations

import re

from boucle.materials.text import fold

HAZARDOUS, NON_HAZARDOUS, UNKNOWN = "hazardous", "non_hazardous", ""
HAZARDS = (HAZARDOUS, NON_HAZARDOUS, UNKNOWN)
#: The side of a declared total: what a site gives off (``Flow.Direction.OFFER``) or takes in (``NEED``), never summed
#: together (a treater's « déchets dangereux admis » is no waste it offers).
OFFER, NEED = "offer", "need"
SIDES = (OFFER, NEED)

_NON_HAZARDOUS = re.compile(r"\b(?:non[ -]?dangereu[xs]e?s?|non[ -]?hazardous|nicht[ -]?gefahrlich\w*|ungefahrlich\w*)\b")
_HAZARDOUS = re.compile(r"\b(?:dangereu[xs]e?s?|hazardous|gefahrlich\w*)\b")
# Registers whose published totals sites re-declare; the name as their publisher writes it.
_REGISTERS = ((re.compile(r"\birep\b"), "iREP"), (re.compile(r"\bgerep\b"), "GEREP"),
              (re.compile(r"\be-?prtr\b"), "E-PRTR"))


def hazard_of(hazardous: bool | None, label: str | None) -> str:
    """``hazardous``, ``non_hazardous`` or ``""`` (not said) for a declared total."""
    if hazardous is not None:
        return HAZARDOUS if hazardous else NON_HAZARDOUS
    text = fold(label or "")
    if _NON_HAZARDOUS.search(text):
        return NON_HAZARDOUS
    return HAZARDOUS if _HAZARDOUS.search(text) else UNKNOWN


def side_of(direction: str | None) -> str:
    """``need`` for a total of what a site takes in, ``offer`` otherwise (what it gives off)."""
    return NEED if direction == NEED else OFFER


def source_of(label: str | None) -> str:
    """The register a total was taken from, named in its label (« … (total déclaré iREP 2017) »), else ``""``:
    the site's own declaration."""
    text = fold(label or "")
    return next((name for pattern, name in _REGISTERS if pattern.search(text)), "")
