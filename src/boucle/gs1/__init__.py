"""GS1 identifiers for Boucle: Application Identifiers, element strings, Digital Link URIs.

Pure Python (no Django): the AI table is loaded from GS1's Barcode Syntax
Dictionary shipped in ``data/``, so every rule enforced here comes from a line
GS1 published. Invalid input raises :class:`GS1Error` (a ``ValueError``) whose
message names the AI, the value and the rule.

Resolver helpers (``boucle.gs1.linkset``, ``boucle.gs1.resolver``) and QR
rendering (``boucle.gs1.qr``) are separate modules so that importing this
package stays cheap.
"""

from .checkdigits import check_pair, gtin_check_digit, is_valid_gmn, is_valid_gtin
from .compression import compress_digital_link, decompress_digital_link
from .digital_link import CANONICAL_STEM, build_digital_link, parse_digital_link
from .element_string import build_element_string, parse_element_string
from .errors import GS1Error
from .validate import validate_associations, validate_pairs, validate_value

__all__ = [
    "CANONICAL_STEM",
    "GS1Error",
    "build_digital_link",
    "build_element_string",
    "check_pair",
    "compress_digital_link",
    "decompress_digital_link",
    "gtin_check_digit",
    "is_valid_gmn",
    "is_valid_gtin",
    "parse_digital_link",
    "parse_element_string",
    "validate_associations",
    "validate_pairs",
    "validate_value",
]
