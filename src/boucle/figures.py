"""How a figure is written out: free of floating-point noise, never in exponent notation, and, for a
person, to the digits that mean something. Framework-free; the one implementation the exports, the
spreadsheet writer and the pages' quantity filters share.

- ``exact``: the stored figure without binary noise (a sum of floats or a unit conversion gives
  ``2882.4000000000005`` or ``0.00011999999999999999``): twelve significant digits, far beyond any
  declared or measured figure, so sums made from an open-data file stay exact.
- ``plain``: a number as CSV text, ``.`` before decimals, never ``1e-05`` (a spreadsheet or a reader
  takes ``1e-05`` for text or a formula).
- ``quantity``: a quantity as a person reads it (t, MWh, m³, kg), the pages' rule: to the unit from 100 on
  (``2882.4`` → ``2882``), to a tenth from 0.1 (``12.345`` → ``12.3``), and below that to two significant
  digits (``0.00048`` → ``0.00048``, where a page used to read « < 0,1 » and a file ``0.00047999999999999996``).
  Estimates of CO₂e and euros have their own rule (``impact.ranges.shown``: the range's precision or two
  significant digits), which this one keeps.
"""

from __future__ import annotations

import math
from decimal import Decimal

DIGITS = 12
READABLE_DIGITS = 3


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def exact(value):
    """A float without its binary noise; anything else unchanged."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.{DIGITS}g}")
    return value


def significant(value, digits: int = READABLE_DIGITS):
    """A quantity to ``digits`` significant digits, its whole units always kept; anything else unchanged."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    value = exact(value)
    if value == 0:
        return 0.0
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return round(value, decimals)


def quantity(value):
    """A quantity (t, MWh, m³, kg…) as the pages and the reading downloads show it; anything else unchanged."""
    if not _is_number(value) or not math.isfinite(value):
        return value
    value = exact(float(value))
    if abs(value) >= 100:
        return float(round(value))
    if abs(value) >= 0.1 or value == 0:
        return round(value, 1)
    return significant(value, 2)


def quantity_decimals(value) -> int:
    """The decimals ``quantity`` leaves on ``value``: 0 from 100 on, 1 from 0.1, more below."""
    if not _is_number(value) or not math.isfinite(value):
        return 0
    shown = quantity(value)
    if abs(shown) >= 100:
        return 0
    if abs(shown) >= 0.1 or shown == 0:
        return 1
    return len(plain(shown).partition(".")[2].rstrip("0"))


def plain(value) -> str:
    """A number as text: dot decimal, no exponent, no noise (``12.3``, ``0.00001``, ``11000.0``)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        text = format(Decimal(repr(exact(value))), "f")
        return text if "." in text else text + ".0"
    return str(value)
