"""GS1 check digits: the mod-10 digit of numeric keys and the check pair of GMN.

Every GS1 numeric key (GTIN, GLN, SSCC, GSRN, GRAI/GDTI/GCN bases, ITIP ...)
ends with the same mod-10 check digit, so one routine serves them all. The
Global Model Number (AI 8013, also AI 8014) instead ends with two characters
computed over the CSET 82 alphabet (GS1 General Specifications 7.9.5).
"""

from __future__ import annotations

from .errors import GS1Error
from .errors import gettext_noop as _

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CSET82_VALUE = {c: i for i, c in enumerate(CSET82)}


def _primes(count: int) -> list[int]:
    primes: list[int] = []
    n = 2
    while len(primes) < count:
        if all(n % p for p in primes if p * p <= n):
            primes.append(n)
        n += 1
    return primes


# The check pair weights are the first 97 primes, the smallest applied to the
# character nearest the check pair; hence the 99-character implementation limit.
_CHECK_PAIR_WEIGHTS = _primes(97)


def gtin_check_digit(digits_without_check_digit: str) -> str:
    """The GS1 mod-10 check digit of a key given without its last digit."""
    digits = digits_without_check_digit
    if not digits or not digits.isascii() or not digits.isdigit():
        raise GS1Error(
            "gs1.check-digit-input",
            _("impossible de calculer la clé de contrôle de « %(value)s » : chiffres attendus"),
            value=digits, rule="csum")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def check_mod10(number: str) -> None:
    """Raise GS1Error unless ``number`` ends with its correct mod-10 check digit."""
    if len(number) < 1:
        raise GS1Error(
            "gs1.check-digit-short", _("trop court pour porter une clé de contrôle"), value=number, rule="csum")
    for i, c in enumerate(number):
        if not ("0" <= c <= "9"):
            raise GS1Error(
                "gs1.non-digit", _("caractère « %(char)s » non numérique en position %(position)s de « %(value)s »"),
                char=c, position=i + 1, value=number, rule="csum")
    if len(number) == 1:
        if number != "0":
            raise GS1Error(
                "gs1.check-digit", _("clé de contrôle incorrecte dans « %(value)s »"), value=number, rule="csum")
        return
    expected = gtin_check_digit(number[:-1])
    if number[-1] != expected:
        raise GS1Error(
            "gs1.check-digit",
            _("clé de contrôle incorrecte dans « %(value)s » : se termine par %(found)s, %(expected)s attendu"),
            found=number[-1],
            expected=expected,
            value=number,
            rule="csum",
        )


def is_valid_gtin(full_number: str) -> bool:
    """True for a GTIN-8, -12, -13 or -14 (digits only) whose check digit is right."""
    if not isinstance(full_number, str) or len(full_number) not in (8, 12, 13, 14):
        return False
    try:
        check_mod10(full_number)
    except GS1Error:
        return False
    return True


def check_pair(data_without_pair: str) -> str:
    """The two-character check pair of a GMN given without its pair."""
    if len(data_without_pair) > len(_CHECK_PAIR_WEIGHTS):
        raise GS1Error(
            "gs1.check-pair-long", _("trop long pour le calcul de la paire de contrôle (97 caractères au plus)"),
            rule="csumalpha")
    total = 0
    for weight, c in zip(_CHECK_PAIR_WEIGHTS, reversed(data_without_pair)):
        if c not in _CSET82_VALUE:
            raise GS1Error("gs1.cset82", _("le caractère « %(char)s » n'est pas dans le jeu CSET 82"), char=c,
                           value=data_without_pair, rule="csumalpha")
        total += weight * _CSET82_VALUE[c]
    total %= 1021
    return CSET32[total >> 5] + CSET32[total & 31]


def check_alphanumeric_pair(value: str) -> None:
    """Raise GS1Error unless ``value`` ends with its correct GMN check pair."""
    if len(value) < 2:
        raise GS1Error(
            "gs1.check-pair-short", _("« %(value)s » est trop court pour porter une paire de contrôle"), value=value,
            rule="csumalpha")
    if len(value) > len(_CHECK_PAIR_WEIGHTS) + 2:
        raise GS1Error("gs1.check-pair-long", _("« %(value)s » est trop long pour le calcul de la paire de contrôle"),
                       value=value, rule="csumalpha")
    for i, c in enumerate(value[:-2]):
        if c not in _CSET82_VALUE:
            raise GS1Error(
                "gs1.cset82", _("le caractère « %(char)s » en position %(position)s n'est pas dans le jeu CSET 82"),
                char=c, position=i + 1, value=value, rule="csumalpha")
    expected = check_pair(value[:-2])
    if value[-2:] != expected:
        raise GS1Error(
            "gs1.check-pair",
            _("paire de contrôle incorrecte dans « %(value)s » : se termine par %(found)s, %(expected)s attendu"),
            found=value[-2:],
            expected=expected,
            value=value,
            rule="csumalpha",
        )


def is_valid_gmn(value: str) -> bool:
    try:
        check_alphanumeric_pair(value)
    except GS1Error:
        return False
    return True
