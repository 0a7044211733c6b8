"""Content checks ("linters") named by the GS1 Barcode Syntax Dictionary.

The dictionary names, for each component of an AI value, the routines that
validate its content beyond character set and length (check digits, dates,
codes from closed lists ...). GS1 publishes reference implementations in C;
these are their Python equivalents, keyed by the same names so that the
dictionary drives them. Each returns ``None`` when the component is fine, or a
:class:`~boucle.messages.Message` saying what is wrong (French msgid, translated by the shell).

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
from boucle.messages import Message

from .errors import GS1Error
from .errors import gettext_noop as _

CSET39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CSET64 = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_CSETS = {"N": "0123456789", "X": CSET82, "Y": CSET39, "Z": CSET64}
_CSET_NAMES = {"N": Message("gs1.cset", _("numérique")), "X": "CSET 82", "Y": "CSET 39", "Z": "CSET 64 (base64url)"}
GCP_MIN_LENGTH = 4  # the shortest GS1 Company Prefix

UNCHECKED_LISTS = frozenset({"packagetype", "couponcode", "couponposoffer"})


def check_cset(cset: str, value: str) -> Message | None:
    allowed = _CSETS[cset]
    if cset == "Z":  # base64url may end with up to two "=" of padding
        stripped = value.rstrip("=")
        if len(value) - len(stripped) > 2 or len(value) % 4 and stripped != value:
            return Message("gs1.cset", _("remplissage base64url incorrect dans « %(value)s »"), {"value": value})
        value = stripped
    for i, c in enumerate(value):
        if c not in allowed:
            return Message(
                "gs1.cset", _("le caractère « %(char)s » en position %(position)s n'est pas dans le jeu %(cset)s"),
                {"char": c, "position": i + 1, "cset": _CSET_NAMES[cset]})
    return None


def _csum(v: str) -> Message | None:
    try:
        check_mod10(v)
    except GS1Error as e:
        return e.message
    return None


def _csumalpha(v: str) -> Message | None:
    try:
        check_alphanumeric_pair(v)
    except GS1Error as e:
        return e.message
    return None


def _gcppos(offset: int) -> Callable[[str], Message | None]:
    def lint(v: str) -> Message | None:
        prefix = v[offset : offset + GCP_MIN_LENGTH]
        if len(prefix) < GCP_MIN_LENGTH or not prefix.isdigit():
            return Message("gs1.gcp", _("ne commence pas par un préfixe d'entreprise GS1 en position %(position)s"),
                           {"position": offset + 1})
        return None

    return lint


def _date(v: str, *, century: bool, day_zero: bool) -> Message | None:
    n = 8 if century else 6
    if len(v) != n or not v.isdigit():
        return Message("gs1.date", _("« %(value)s » n'est pas une date (%(format)s)"),
                       {"value": v, "format": "AAAAMMJJ" if century else "AAMMJJ"})
    year = int(v[:4]) if century else 2000 + int(v[:2])
    month, day = int(v[-4:-2]), int(v[-2:])
    if not 1 <= month <= 12:
        return Message("gs1.date", _("mois %(month)s invalide dans « %(value)s »"), {"month": v[-4:-2], "value": v})
    if day == 0 and day_zero:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return Message("gs1.date", _("jour %(day)s invalide dans « %(value)s »"), {"day": v[-2:], "value": v})
    return None


def _range(name: Message, low: int, high: int, width: int) -> Callable[[str], Message | None]:
    def lint(v: str) -> Message | None:
        if len(v) != width or not v.isdigit() or not low <= int(v) <= high:
            return Message("gs1.range", _("« %(value)s » n'est pas un(e) %(name)s valide (%(low)s-%(high)s)"),
                           {"value": v, "name": name, "low": f"{low:0{width}d}", "high": f"{high:0{width}d}"})
        return None

    return lint


def _hhmi(v: str) -> Message | None:
    return _HOUR(v[:2]) or _MINUTE(v[2:])


def _one_of(name: Message, allowed: set[str]) -> Callable[[str], Message | None]:
    def lint(v: str) -> Message | None:
        if v in allowed:
            return None
        return Message("gs1.one-of", _("« %(value)s » n'est pas un(e) %(name)s valide (%(allowed)s)"),
                       {"value": v, "name": name, "allowed": ", ".join(sorted(allowed))})

    return lint


@lru_cache(maxsize=1)
def _iso_codes() -> dict[str, frozenset[str]]:
    import pycountry

    return {
        "numeric": frozenset(c.numeric for c in pycountry.countries),
        "alpha2": frozenset(c.alpha_2 for c in pycountry.countries),
        "currency": frozenset(c.numeric for c in pycountry.currencies if getattr(c, "numeric", None)),
    }


def _in_list(name: Message, kind: str, extra: frozenset[str] = frozenset()) -> Callable[[str], Message | None]:
    def lint(v: str) -> Message | None:
        if v in _iso_codes()[kind] or v in extra:
            return None
        return Message("gs1.iso-list", _("« %(value)s » n'est pas %(name)s"), {"value": v, "name": name})

    return lint


def _pieceoftotal(v: str) -> Message | None:
    piece, total = int(v[: len(v) // 2]), int(v[len(v) // 2 :])
    if piece == 0 or total == 0 or piece > total:
        return Message(
            "gs1.piece", _("« %(value)s » : la pièce %(piece)s sur %(total)s n'est pas un numéro de pièce valide"),
            {"value": v, "piece": piece, "total": total})
    return None


def _pcenc(v: str) -> Message | None:
    for m in re.finditer("%", v):
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", v[m.start() + 1 : m.start() + 3]):
            return Message(
                "gs1.percent-encoding", _("encodage-pourcent invalide en position %(position)s de « %(value)s »"),
                {"position": m.start() + 1, "value": v})
    return None


def _iban(v: str) -> Message | None:
    from stdnum import iban

    return None if iban.is_valid(v) else Message("gs1.iban", _("« %(value)s » n'est pas un IBAN valide"), {"value": v})


def _posinseqslash(v: str) -> Message | None:
    m = re.fullmatch(r"([1-9][0-9]*)/([1-9][0-9]*)", v)
    if not m or int(m[1]) > int(m[2]):
        return Message("gs1.position", _("« %(value)s » n'est pas une position dans une suite (n/total)"), {"value": v})
    return None


def _says(code: str, msgid: str, test: Callable[[str], bool]) -> Callable[[str], Message | None]:
    """A linter that reports ``msgid`` (about ``%(value)s``) when ``test`` is true of the value."""
    return lambda v: Message(code, msgid, {"value": v}) if test(v) else None


_HOUR = _range(Message("gs1.word", _("heure")), 0, 23, 2)
_MINUTE = _range(Message("gs1.word", _("minute")), 0, 59, 2)

LINTERS: dict[str, Callable[[str], Message | None]] = {
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
    "hh": _HOUR,
    "mi": _MINUTE,
    "ss": _range(Message("gs1.word", _("seconde")), 0, 59, 2),
    "zero": _one_of(Message("gs1.word", _("chiffre zéro")), {"0"}),
    "nonzero": _says("gs1.nonzero", _("« %(value)s » ne doit pas être nul"), lambda v: set(v) <= {"0"}),
    "nozeroprefix": _says("gs1.nozeroprefix", _("« %(value)s » ne doit pas commencer par 0"),
                          lambda v: len(v) > 1 and v[0] == "0"),
    "hasnondigit": _says("gs1.hasnondigit", _("« %(value)s » doit contenir un caractère non numérique"),
                         lambda v: v.isdigit()),
    "winding": _one_of(Message("gs1.word", _("sens d'enroulement")), {"0", "1", "9"}),
    "yesno": _one_of(Message("gs1.word", _("indicateur oui/non")), {"0", "1"}),
    "hyphen": _one_of(Message("gs1.word", _("trait d'union")), {"-"}),
    "iso5218": _one_of(Message("gs1.word", _("code de sexe ISO 5218")), {"0", "1", "2", "9"}),
    "mediatype": _one_of(Message("gs1.word", _("type de support AIDC")),
                         {f"{n:02d}" for n in [*range(1, 11), *range(80, 100)]}),
    "importeridx": _says("gs1.importeridx", _("« %(value)s » n'est pas un index d'importateur valide"),
                         lambda v: not (len(v) == 1 and v in CSET64)),
    "latitude": _says("gs1.latitude", _("« %(value)s » n'est pas une latitude"),
                      lambda v: not (v.isdigit() and int(v) <= 1800000000)),
    "longitude": _says("gs1.longitude", _("« %(value)s » n'est pas une longitude"),
                       lambda v: not (v.isdigit() and int(v) <= 3600000000)),
    "pieceoftotal": _pieceoftotal,
    "pcenc": _pcenc,
    "iban": _iban,
    "posinseqslash": _posinseqslash,
    "iso3166": _in_list(Message("gs1.word", _("un code pays numérique ISO 3166")), "numeric"),
    "iso3166999": _in_list(Message("gs1.word", _("un code pays numérique ISO 3166 ni 999")), "numeric",
                           frozenset({"999"})),
    "iso4217": _in_list(Message("gs1.word", _("un code de devise numérique ISO 4217")), "currency"),
    "iso3166alpha2": _in_list(Message("gs1.word", _("un code pays ISO 3166 alpha-2")), "alpha2"),
    "packagetype": lambda v: None,
    "couponcode": lambda v: None,
    "couponposoffer": lambda v: None,
}
