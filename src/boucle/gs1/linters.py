"""Content checks ("linters") named by the GS1 Barcode Syntax Dictionary.

The dictionary names, for each component of an AI value, the routines that
validate its content beyond character set and length (check digits, dates,
codes from closed lists ...). GS1 publishes reference implementations in C;
these are their Python equivalents, keyed by the same names so that the
dictionary drives them. Each returns ``None`` when the component is fine, or a
message saying what is wrong.

Country and currency codes are checked against ISO 3166-1 and ISO 4217 as
published by pycountry (the Debian iso-codes data). Linters whose closed list
is not available here (UN/ECE package types, North American coupon syntax)
check the character set and length only; they are named in ``UNCHECKED_LISTS``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from functools import lru_cache

from .checkdigits import CSET82, check_alphanumeric_pair, check_mod10
from .errors import GS1Error

CSET39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CSET64 = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_CSETS = {"N": "0123456789", "X": CSET82, "Y": CSET39, "Z": CSET64}
_CSET_NAMES = {"N": "numeric", "X": "CSET 82", "Y": "CSET 39", "Z": "CSET 64 (base64url)"}
GCP_MIN_LENGTH = 4  # the shortest GS1 Company Prefix

UNCHECKED_LISTS = frozenset({"packagetype", "couponcode", "couponposoffer"})


def check_cset(cset: str, value: str) -> str | None:
    allowed = _CSETS[cset]
    if cset == "Z":  # base64url may end with up to two "=" of padding
        stripped = value.rstrip("=")
        if len(value) - len(stripped) > 2 or len(value) % 4 and stripped != value:
            return f"bad base64url padding in {value!r}"
        value = stripped
    for i, c in enumerate(value):
        if c not in allowed:
            return f"character {c!r} at position {i + 1} is not {_CSET_NAMES[cset]}"
    return None


def _csum(v: str) -> str | None:
    try:
        check_mod10(v)
    except GS1Error as e:
        return str(e)
    return None


def _csumalpha(v: str) -> str | None:
    try:
        check_alphanumeric_pair(v)
    except GS1Error as e:
        return str(e)
    return None


def _gcppos(offset: int) -> Callable[[str], str | None]:
    def lint(v: str) -> str | None:
        prefix = v[offset : offset + GCP_MIN_LENGTH]
        if len(prefix) < GCP_MIN_LENGTH or not prefix.isdigit():
            return f"does not start with a GS1 Company Prefix at position {offset + 1}"
        return None

    return lint


def _date(v: str, *, century: bool, day_zero: bool) -> str | None:
    n = 8 if century else 6
    if len(v) != n or not v.isdigit():
        return f"{v!r} is not a date ({'YYYYMMDD' if century else 'YYMMDD'})"
    year = int(v[:4]) if century else 2000 + int(v[:2])
    month, day = int(v[-4:-2]), int(v[-2:])
    if not 1 <= month <= 12:
        return f"invalid month {v[-4:-2]} in {v!r}"
    if day == 0 and day_zero:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"invalid day {v[-2:]} in {v!r}"
    return None


def _range(name: str, low: int, high: int, width: int) -> Callable[[str], str | None]:
    def lint(v: str) -> str | None:
        if len(v) != width or not v.isdigit() or not low <= int(v) <= high:
            return f"{v!r} is not a valid {name} ({low:0{width}d}-{high:0{width}d})"
        return None

    return lint


def _hhmi(v: str) -> str | None:
    return _range("hour", 0, 23, 2)(v[:2]) or _range("minute", 0, 59, 2)(v[2:])


def _one_of(name: str, allowed: set[str]) -> Callable[[str], str | None]:
    def lint(v: str) -> str | None:
        return None if v in allowed else f"{v!r} is not a valid {name} ({', '.join(sorted(allowed))})"

    return lint


@lru_cache(maxsize=1)
def _iso_codes() -> dict[str, frozenset[str]]:
    import pycountry

    return {
        "numeric": frozenset(c.numeric for c in pycountry.countries),
        "alpha2": frozenset(c.alpha_2 for c in pycountry.countries),
        "currency": frozenset(c.numeric for c in pycountry.currencies if getattr(c, "numeric", None)),
    }


def _in_list(name: str, kind: str, extra: frozenset[str] = frozenset()) -> Callable[[str], str | None]:
    def lint(v: str) -> str | None:
        return None if v in _iso_codes()[kind] or v in extra else f"{v!r} is not {name}"

    return lint


def _pieceoftotal(v: str) -> str | None:
    piece, total = int(v[: len(v) // 2]), int(v[len(v) // 2 :])
    if piece == 0 or total == 0 or piece > total:
        return f"{v!r}: piece {piece} of total {total} is not a valid piece number"
    return None


def _pcenc(v: str) -> str | None:
    for m in re.finditer("%", v):
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", v[m.start() + 1 : m.start() + 3]):
            return f"invalid percent-encoding at position {m.start() + 1} of {v!r}"
    return None


def _iban(v: str) -> str | None:
    from stdnum import iban

    return None if iban.is_valid(v) else f"{v!r} is not a valid IBAN"


def _posinseqslash(v: str) -> str | None:
    m = re.fullmatch(r"([1-9][0-9]*)/([1-9][0-9]*)", v)
    if not m or int(m[1]) > int(m[2]):
        return f"{v!r} is not a position in sequence (n/total)"
    return None


LINTERS: dict[str, Callable[[str], str | None]] = {
    "csum": _csum,
    "csumalpha": _csumalpha,
    "key": _gcppos(0),
    "gcppos1": _gcppos(0),
    "gcppos2": _gcppos(1),
    "yymmdd": lambda v: _date(v, century=False, day_zero=False),
    "yymmd0": lambda v: _date(v, century=False, day_zero=True),
    "yyyymmdd": lambda v: _date(v, century=True, day_zero=False),
    "yyyymmd0": lambda v: _date(v, century=True, day_zero=True),
    "hhmi": _hhmi,
    "hh": _range("hour", 0, 23, 2),
    "mi": _range("minute", 0, 59, 2),
    "ss": _range("second", 0, 59, 2),
    "zero": _one_of("zero digit", {"0"}),
    "nonzero": lambda v: f"{v!r} must not be zero" if set(v) <= {"0"} else None,
    "nozeroprefix": lambda v: f"{v!r} must not start with 0" if len(v) > 1 and v[0] == "0" else None,
    "hasnondigit": lambda v: f"{v!r} must contain a non-digit character" if v.isdigit() else None,
    "winding": _one_of("winding direction", {"0", "1", "9"}),
    "yesno": _one_of("yes/no flag", {"0", "1"}),
    "hyphen": _one_of("hyphen", {"-"}),
    "iso5218": _one_of("ISO 5218 sex code", {"0", "1", "2", "9"}),
    "mediatype": _one_of("AIDC media type", {f"{n:02d}" for n in [*range(1, 11), *range(80, 100)]}),
    "importeridx": lambda v: None if len(v) == 1 and v in CSET64 else f"{v!r} is not a valid importer index",
    "latitude": lambda v: None if v.isdigit() and int(v) <= 1800000000 else f"{v!r} is not a latitude",
    "longitude": lambda v: None if v.isdigit() and int(v) <= 3600000000 else f"{v!r} is not a longitude",
    "pieceoftotal": _pieceoftotal,
    "pcenc": _pcenc,
    "iban": _iban,
    "posinseqslash": _posinseqslash,
    "iso3166": _in_list("an ISO 3166 numeric country code", "numeric"),
    "iso3166999": _in_list("an ISO 3166 numeric country code or 999", "numeric", frozenset({"999"})),
    "iso4217": _in_list("an ISO 4217 numeric currency code", "currency"),
    "iso3166alpha2": _in_list("an ISO 3166 alpha-2 country code", "alpha2"),
    "packagetype": lambda v: None,
    "couponcode": lambda v: None,
    "couponposoffer": lambda v: None,
}
