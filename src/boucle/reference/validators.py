"""Validators and normalisers for reference codes, shared by forms, importers and the API."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from boucle.materials.classify import ewc_digits

_NAF_RE = re.compile(r"^\d{2}(\.\d{1,2}[A-Z]?)?$")


def normalise_ewc(value: str) -> str:
    """``170405``, ``17 04 05``, ``17.04.05`` and ``17 04 05*`` all name the same entry; return its
    six digits (the taxonomy's parser, with a translated message for forms and import reports)."""
    code6 = ewc_digits(str(value or ""))
    if code6 is None:
        raise ValueError(_("%(value)s n'est pas un code déchet (6 chiffres, ex. 17 04 05)") % {"value": repr(value)})
    return code6


def normalise_naf(value: str) -> str:
    """Accept ``2351Z``, ``23.51z``, ``23.51``, ``23.5`` or ``23``; return the dotted upper-case form."""
    text = str(value or "").strip().upper().replace(" ", "")
    if re.fullmatch(r"\d{4}[A-Z]?", text):
        text = f"{text[:2]}.{text[2:]}"
    if not _NAF_RE.match(text):
        raise ValueError(_("%(value)s n'est pas un code NAF (ex. 23.51Z, 23.51, 23.5 ou 23)") % {"value": repr(value)})
    return text


def validate_ewc_code6(value):
    if not re.fullmatch(r"\d{6}", value or ""):
        raise ValidationError(_("%(value)s n'est pas un code déchet à six chiffres"), params={"value": value})


def validate_naf_code(value):
    if not _NAF_RE.match(value or ""):
        raise ValidationError(_("%(value)s n'est pas un code NAF"), params={"value": value})
