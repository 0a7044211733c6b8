"""Parsers for one cell of an import file. Each raises ``CellError`` with a message naming the column."""

import datetime as dt

from django.utils.translation import gettext as _
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from boucle.reference.validators import normalise_ewc, normalise_naf


class CellError(ValueError):
    pass


def quoted(value) -> str:
    """A cell's text as a refusal shows it: « 50,6 N », between French quotation marks, not a Python repr."""
    return f"« {str(value).strip()} »"


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
    raise CellError(_("%(column)s: %(text)s n'est pas un booléen (true/false, oui/non)")
                    % {"column": column, "text": quoted(text)})


def number(column: str, text: str, *, minimum=None):
    value = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not value:
        return None
    from .bounds import ascii_digits

    ascii_digits(column, value)
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    try:
        result = float(value)
    except ValueError:
        raise CellError(_("%(column)s: %(text)s n'est pas un nombre")
                        % {"column": column, "text": quoted(text)}) from None
    if result != result or result in (float("inf"), float("-inf")):
        raise CellError(_("%(column)s: %(text)s n'est pas un nombre fini") % {"column": column, "text": quoted(text)})
    if minimum is not None and result < minimum:
        if minimum == 0:
            raise CellError(_("%(column)s: %(text)s est négatif") % {"column": column, "text": text})
        raise CellError(_("%(column)s: %(text)s < %(minimum)s") % {"column": column, "text": text, "minimum": minimum})
    return result


def date(column: str, text: str):
    value = text.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise CellError(_("%(column)s: %(text)s n'est pas une date ISO (AAAA-MM-JJ)")
                        % {"column": column, "text": quoted(text)}) from None


def choice(column: str, text: str, choices: dict, default=None, expected=None):
    """``expected``: the accepted words as the reader writes them (« offre ou besoin »); the keys otherwise."""
    value = text.strip().lower()
    expected = str(expected) if expected is not None else "|".join(sorted(set(choices.values())))
    if not value:
        if default is None:
            raise CellError(_("%(column)s: valeur obligatoire (%(choices)s)") % {"column": column, "choices": expected})
        return default
    if value not in choices:
        raise CellError(_("%(column)s: %(text)s inconnu, attendu %(choices)s")
                        % {"column": column, "text": quoted(text), "choices": expected})
    return choices[value]


def site_id(text: str) -> tuple[str, str]:
    """A 14-digit French id must be a valid SIRET; anything else is an external id."""
    value = text.strip()
    compact = value.replace(" ", "").replace(".", "")
    if not value:
        raise CellError(_("%(column)s: valeur obligatoire") % {"column": "site_id"})
    if compact.isdigit() and len(compact) == 14:
        if not stdnum_siret.is_valid(compact):
            raise CellError(_("site_id: SIRET %(value)s invalide (clé de contrôle)") % {"value": value})
        return compact, "siret"
    if len(value) > 64:
        raise CellError(_("site_id: plus de 64 caractères"))
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
        raise CellError(_("ewc_code: %(text)s n'est pas un code déchet (6 chiffres, ex. 17 04 05)")
                        % {"text": quoted(text)}) from None


def naf(text: str):
    if not text.strip():
        return None
    try:
        return normalise_naf(text)
    except ValueError:
        raise CellError(_("naf_code: %(text)s n'est pas un code NAF (ex. 23.51Z)") % {"text": quoted(text)}) from None


def country(text: str, column: str = "country") -> str:
    """ISO 3166-1 alpha-2 of a country written as a code (alpha-2 or alpha-3) or a name; empty = France."""
    from boucle.reference.countries import country_code

    if not text.strip():
        return "FR"
    code = country_code(text)
    if code is None:
        raise CellError(_("%(column)s: %(text)s n'est pas un pays reconnu (code ISO à 2 ou 3 lettres comme DE ou "
                          "DEU, ou nom du pays en français, en anglais ou en allemand)")
                        % {"column": column, "text": quoted(text)})
    return code


def current_route(text: str, column: str = "current_route"):
    """What happens to the flow today: an operation code (``R4``, ``D 1``) kept as its code, or a
    route name (``landfill``, ``déjà vendu pour recyclage``…) kept as its key; empty = unknown.

    The one validation of a declared current route: importer, flow form and API call it.
    """
    from boucle.impact.routes import normalise_operation, operation_route, parse_route, routes

    value = (text or "").strip()
    if not value:
        return ""
    code = normalise_operation(value)
    if code is not None and operation_route(code) is not None:
        return code
    try:
        return parse_route(value)
    except ValueError:
        from django.utils.translation import get_language

        en = (get_language() or "fr").startswith("en")
        # the words a person may write (the flow form's list), not the stored keys (landfill, incineration…)
        words = ", ".join(f"« {(r.label_en if en else r.label_fr).lower()} »" for r in routes().values()
                          if r.credit != "unknown")
        raise CellError(_("%(column)s: %(text)s n'est ni un code d'opération (R1 à R13, D1 à D15) ni une "
                          "filière connue (%(choices)s)")
                        % {"column": column, "text": quoted(text), "choices": words}) from None
