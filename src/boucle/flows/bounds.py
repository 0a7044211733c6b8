"""The bounds every external value must respect, whichever door it comes through.

The importer, the web forms and the API call these functions (the forms and the API through
``FlowForm``), so a value refused in a file is refused on screen and through the API too:

- text: no NUL and no control character (tab and line breaks allowed in free text only, not in a
  label), at most ``MAX_FIELD_CHARS`` characters, a label at most ``MAX_LABEL_CHARS``;
- identifiers (site ids, external ids): also no bidirectional-override or invisible formatting
  character, which would make two ids look alike or reorder what a reader sees;
- numbers: ASCII digits only (Python's ``float`` reads "١٢" as 12), finite;
- quantities: at most a plausible maximum per year per base unit, from
  ``data/quantity_limits.csv`` with its sources — ``1e308`` t is finite but two of them sum to
  infinity, and the public figures would stop being valid JSON.

Each check raises ``CellError`` naming the column.
"""

import csv
import math
import re
import unicodedata
from functools import lru_cache

from django.utils.translation import gettext as _

from boucle.paths import PACKAGE_DIR

from .fields import CellError, quoted

MAX_LABEL_CHARS = 1000
MAX_FIELD_CHARS = 10_000
LIMITS_CSV = PACKAGE_DIR / "flows" / "data" / "quantity_limits.csv"

#: C0/C1 controls but tab and line breaks; the same with them; bidirectional embeddings, overrides and
#: isolates; then every invisible formatting character (Unicode Cf) and the line/paragraph separators.
#: Regular expressions, not a loop over characters: an import may hold millions of cells.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROLS_ALL = re.compile("[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@lru_cache(maxsize=1)
def _invisible() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x110000)
                                    if unicodedata.category(chr(c)) == "Cf") + "\u2028\u2029]")


def _bad_character(text: str, identifier: bool, single_line: bool = False) -> str | None:
    """The first forbidden character of ``text`` as ``NUL`` or ``U+`` and its hex code, else None."""
    for pattern in ((_CONTROLS_ALL, _invisible()) if identifier else
                    (_CONTROLS_ALL, _BIDI) if single_line else (_CONTROLS, _BIDI)):
        found = pattern.search(text)
        if found:
            ch = found.group()
            return "NUL" if ch == "\x00" else f"U+{ord(ch):04X}"
    return None


def text(column: str, value: str, *, max_chars: int = MAX_FIELD_CHARS, identifier: bool = False,
         single_line: bool = False) -> str:
    """``value`` if it is acceptable text for ``column``; else ``CellError``."""
    if len(value) > max_chars:
        raise CellError(_("%(column)s: plus de %(max)s caractères (%(n)s)")
                        % {"column": column, "max": f"{max_chars:,}".replace(",", "\u202f"),
                           "n": f"{len(value):,}".replace(",", "\u202f")})
    bad = _bad_character(value, identifier, single_line)
    if bad:
        if identifier:
            raise CellError(_("%(column)s: caractère de contrôle ou invisible interdit dans un identifiant (%(char)s)")
                            % {"column": column, "char": bad})
        raise CellError(_("%(column)s: caractère de contrôle interdit (%(char)s)") % {"column": column, "char": bad})
    return value


def label(column: str, value: str, max_chars: int = MAX_LABEL_CHARS) -> str:
    """A short text on one line (a label, a name): ``max_chars`` is the database column's length when
    shorter. A line break here is most often a quote left open in a CSV file, swallowing the next rows."""
    return text(column, value, max_chars=min(max_chars, MAX_LABEL_CHARS), single_line=True)


def identifier(column: str, value: str, max_chars: int = 64) -> str:
    return text(column, value, max_chars=max_chars, identifier=True)


def row(values: dict[str, str]) -> None:
    """Every field of an imported row: no field over ``MAX_FIELD_CHARS``, no NUL or control character."""
    for column, value in values.items():
        text(column, value)


def ascii_digits(column: str, value: str) -> str:
    """Refuse digits other than 0–9 (Arabic-Indic, full-width…), which ``float`` would read."""
    if any((ch.isdigit() or unicodedata.category(ch) == "Nd") and not "0" <= ch <= "9" for ch in value):
        raise CellError(_("%(column)s: %(text)s contient des chiffres non ASCII (0-9 attendus)")
                        % {"column": column, "text": quoted(value)})
    return value


def finite(column: str, value: float) -> float:
    if not math.isfinite(value):
        raise CellError(_("%(column)s: %(text)s n'est pas un nombre fini") % {"column": column, "text": quoted(value)})
    return value


@lru_cache(maxsize=1)
def quantity_limits() -> dict[str, float]:
    """Base unit → the largest plausible quantity per year for one flow (see the CSV's sources)."""
    with LIMITS_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["base_unit"]: float(r["max_per_year"]) for r in csv.DictReader(fh)}


def quantity(column: str, declared: float, base_per_year: float | None, base_unit: str) -> None:
    """A declared quantity must be finite and, converted to its base unit per year, plausible."""
    finite(column, declared)
    if base_per_year is None:
        return
    finite(column, base_per_year)
    limit = quantity_limits().get(base_unit)
    if limit is not None and abs(base_per_year) > limit:
        raise CellError(_("%(column)s: %(value)s %(unit)s par an dépasse le maximum plausible pour un flux "
                          "(%(limit)s %(unit)s par an)")
                        % {"column": column, "value": readable(base_per_year), "unit": base_unit,
                           "limit": readable(limit)})


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readable(value: float) -> str:
    """A figure as a person reads it, in the active language: « 1 000 000 000 », « 12 500 000 » (three significant
    digits), never « 1e+09 »; beyond a thousand million millions, « 1,0 × 10¹⁸ »."""
    from django.utils.formats import number_format

    if value == 0:
        return "0"
    if abs(value) >= 1e15:
        mantissa, exponent = f"{value:.1e}".split("e")
        return (f"{number_format(float(mantissa), decimal_pos=1, use_l10n=True)} × 10"
                + str(int(exponent)).translate(_SUPERSCRIPT))
    rounded = float(f"{value:.3g}")
    rounded = int(rounded) if rounded == int(rounded) else rounded
    return number_format(rounded, use_l10n=True, force_grouping=True)
