"""QR Codes carrying GS1 Digital Link URIs, for printed labels and passports.

GS1 recommends error correction level M as the minimum for a DL URI in a QR
Code on a printed label (it survives scuffs and small stains without making the
symbol much larger); segno raises the level further when that costs no extra
module. The payload is the URI exactly, in byte mode, with the four-module
quiet zone the symbology requires. By default the URI is validated first, so a
label can never carry an identifier a resolver would reject.
"""

from __future__ import annotations

import io

import segno

from .digital_link import parse_digital_link

ERROR_LEVEL = "m"


def qr_code(uri: str, *, validate: bool = True) -> segno.QRCode:
    """The QR Code symbol for ``uri`` (raises GS1Error for an invalid DL URI when validating)."""
    if validate:
        parse_digital_link(uri)
    return segno.make_qr(uri, error=ERROR_LEVEL, mode="byte")


def qr_svg(uri: str, *, scale: int = 4, border: int = 4, validate: bool = True) -> str:
    """An SVG document of the QR Code, titled with the URI (read out by screen readers)."""
    buffer = io.BytesIO()
    qr_code(uri, validate=validate).save(buffer, kind="svg", scale=scale, border=border, title=uri, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def qr_png(uri: str, *, scale: int = 4, border: int = 4, validate: bool = True) -> bytes:
    """A PNG image of the QR Code."""
    buffer = io.BytesIO()
    qr_code(uri, validate=validate).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
