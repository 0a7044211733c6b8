"""Parsers for one cell of an import file. Each raises ``CellError`` with a message naming the column."""

import datetime as dt

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from boucle.reference.validators import normalise_ewc, normalise_naf


class CellError(ValueError):
    pass


TRUE = {"true", "1", "yes", "y", "oui", "o", "vrai", "x"}
FALSE = {"false", "0", "no", "n", "non", "faux"}


def boolean(column: str, text: str, default=None):
    value = text.strip().lower()
    if not value:
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise CellError(f"{column}: {text!r} n'est pas un booléen (true/false, oui/non)")


def number(column: str, text: str, *, minimum=None):
    value = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not value:
        return None
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    try:
        result = float(value)
    except ValueError:
        raise CellError(f"{column}: {text!r} n'est pas un nombre") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise CellError(f"{column}: {text!r} n'est pas un nombre fini")
    if minimum is not None and result < minimum:
        raise CellError(f"{column}: {text} est négatif" if minimum == 0 else f"{column}: {text} < {minimum}")
    return result


def date(column: str, text: str):
    value = text.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise CellError(f"{column}: {text!r} n'est pas une date ISO (AAAA-MM-JJ)") from None


def choice(column: str, text: str, choices: dict, default=None):
    value = text.strip().lower()
    if not value:
        if default is None:
            raise CellError(f"{column}: valeur obligatoire ({'|'.join(sorted(set(choices.values())))})")
        return default
    if value not in choices:
        raise CellError(f"{column}: {text!r} inconnu, attendu {'|'.join(sorted(set(choices.values())))}")
    return choices[value]


def site_id(text: str) -> tuple[str, str]:
    """A 14-digit French id must be a valid SIRET; anything else is an external id."""
    value = text.strip()
    compact = value.replace(" ", "").replace(".", "")
    if not value:
        raise CellError("site_id: valeur obligatoire")
    if compact.isdigit() and len(compact) == 14:
        if not stdnum_siret.is_valid(compact):
            raise CellError(f"site_id: SIRET {value} invalide (clé de contrôle)")
        return compact, "siret"
    if len(value) > 64:
        raise CellError("site_id: plus de 64 caractères")
    return value, "external"


def siren_of(siret: str) -> str:
    siren = siret[:9]
    return siren if stdnum_siren.is_valid(siren) else siren


def ewc(text: str):
    if not text.strip():
        return None
    try:
        return normalise_ewc(text)
    except ValueError:
        raise CellError(f"ewc_code: {text!r} n'est pas un code déchet (6 chiffres, ex. 17 04 05)") from None


def naf(text: str):
    if not text.strip():
        return None
    try:
        return normalise_naf(text)
    except ValueError:
        raise CellError(f"naf_code: {text!r} n'est pas un code NAF (ex. 23.51Z)") from None
