"""Validators and normalisers for reference codes, shared by forms, importers and the API."""

import re

from django.core.exceptions import ValidationError

_EWC_RE = re.compile(r"^\s*(\d{2})\s*(\d{2})\s*(\d{2})\s*\*?\s*$")
_NAF_RE = re.compile(r"^\d{2}(\.\d{1,2}[A-Z]?)?$")


def normalise_ewc(value: str) -> str:
    """``170405``, ``17 04 05`` and ``17 04 05*`` all name the same entry; return its six digits."""
    match = _EWC_RE.match(str(value or ""))
    if not match:
        raise ValueError(f"{value!r} is not a waste code (6 digits, e.g. 17 04 05)")
    return "".join(match.groups())


def normalise_naf(value: str) -> str:
    """Accept ``2351Z``, ``23.51z``, ``23.51``, ``23.5`` or ``23``; return the dotted upper-case form."""
    text = str(value or "").strip().upper().replace(" ", "")
    if re.fullmatch(r"\d{4}[A-Z]?", text):
        text = f"{text[:2]}.{text[2:]}"
    if not _NAF_RE.match(text):
        raise ValueError(f"{value!r} is not a NAF code (e.g. 23.51Z, 23.51, 23.5 or 23)")
    return text


def validate_ewc_code6(value):
    if not re.fullmatch(r"\d{6}", value or ""):
        raise ValidationError("%(value)s is not a six-digit waste code", params={"value": value})


def validate_naf_code(value):
    if not _NAF_RE.match(value or ""):
        raise ValidationError("%(value)s is not a NAF code", params={"value": value})
