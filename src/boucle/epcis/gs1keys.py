"""Rewrite any URI that carries a GS1 key into one constrained GS1 Digital Link URI.

Why: CBV 2.0 hashes an event independently of how its identifiers were written (EPC URN,
EPC class or pattern URN, Digital Link on any domain, with short names or a query string).
All of them collapse to ``https://id.gs1.org/<AI>/<key>[/<AI>/<qualifier>]`` with the finest
level of identification only (a serial wins over a lot, the CPV is dropped).

Anything that is not a GS1 key is returned unchanged by :func:`normalise_gs1_uri`.
"""

from __future__ import annotations

import re
from functools import lru_cache

CANONICAL = "https://id.gs1.org/"

# Characters the Digital Link standard (table 7-1) wants percent-encoded that EPC URNs allow raw.
_DL_ESCAPES = {"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"}

_SHORT_NAMES = {
    "gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017",
    "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402",
    "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21", "glnx": "254",
    "tpx": "235", "cpsn": "8011",
}
_PRIMARY_KEYS = {"01", "8006", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401",
                 "402", "8003", "8004"}


def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit: weights 3,1,3,... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _with_check(digits: str) -> str:
    return digits + check_digit(digits)


def _enc(value: str) -> str:
    return "".join(_DL_ESCAPES.get(c, c) for c in value)


def _gtin(company: str, itemref: str) -> str:
    """GTIN-14 from an EPC (company prefix, indicator digit + item reference)."""
    return _with_check(itemref[:1] + company + itemref[1:])


def _split(body: str, n: int) -> list[str] | None:
    parts = body.split(".", n - 1)
    return parts if len(parts) == n else None


def _digits(*parts: str) -> bool:
    return all(p.isdigit() or p == "" for p in parts)


def _epc_id(scheme: str, body: str) -> str | None:
    """EPC pure-identity URN body -> Digital Link path (without the domain)."""
    if scheme in ("sgtin", "upui"):
        p = _split(body, 3)
        if not p or not _digits(p[0], p[1]) or len(p[0]) + len(p[1]) != 13:
            return None
        qualifier = "21" if scheme == "sgtin" else "235"
        return f"01/{_gtin(p[0], p[1])}/{qualifier}/{_enc(p[2])}"
    if scheme == "sscc":
        p = _split(body, 2)
        if not p or not _digits(*p) or len(p[0]) + len(p[1]) != 17:
            return None
        return "00/" + _with_check(p[1][:1] + p[0] + p[1][1:])
    if scheme == "sgln":
        p = _split(body, 3)
        if not p or not _digits(p[0], p[1]) or len(p[0]) + len(p[1]) != 12:
            return None
        gln = _with_check(p[0] + p[1])
        return f"414/{gln}" if p[2] == "0" else f"414/{gln}/254/{_enc(p[2])}"
    if scheme in ("grai", "gdti", "sgcn"):
        p = _split(body, 3)
        if not p or not _digits(p[0], p[1]) or len(p[0]) + len(p[1]) != 12:
            return None
        key = {"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
        base = _with_check(("0" if scheme == "grai" else "") + p[0] + p[1])
        return f"{key}/{base}{_enc(p[2])}"
    if scheme in ("giai", "ginc"):
        p = _split(body, 2)
        if not p or not p[0].isdigit():
            return None
        return f"{'8004' if scheme == 'giai' else '401'}/{p[0]}{_enc(p[1])}"
    if scheme in ("gsrn", "gsrnp", "gsin", "pgln"):
        p = _split(body, 2)
        size = {"gsrn": 17, "gsrnp": 17, "gsin": 16, "pgln": 12}[scheme]
        if not p or not _digits(*p) or len(p[0]) + len(p[1]) != size:
            return None
        key = {"gsrn": "8018", "gsrnp": "8017", "gsin": "402", "pgln": "417"}[scheme]
        return f"{key}/{_with_check(p[0] + p[1])}"
    if scheme == "cpi":
        company, _, rest = body.partition(".")
        cpref, dot, serial = rest.rpartition(".")
        if not company.isdigit() or not dot or not serial.isdigit():
            return None
        return f"8010/{_enc(company + cpref)}/8011/{serial}"
    if scheme == "itip":
        p = _split(body, 5)
        if not p or not _digits(*p[:4]) or len(p[0]) + len(p[1]) != 13:
            return None
        return f"8006/{_gtin(p[0], p[1])}{p[2]}{p[3]}/21/{_enc(p[4])}"
    return None


def _epc_pattern(scheme: str, body: str) -> str | None:
    """EPC class (lgtin) or ID pattern (``...*``) URN body -> Digital Link path."""
    if not body.endswith(".*"):
        return None
    body = body[:-2]
    p = body.split(".")
    if scheme in ("sgtin", "upui") and len(p) == 2 and _digits(*p) and len(p[0]) + len(p[1]) == 13:
        return "01/" + _gtin(p[0], p[1])
    if scheme == "itip" and len(p) == 4 and _digits(*p) and len(p[0]) + len(p[1]) == 13:
        return f"8006/{_gtin(p[0], p[1])}{p[2]}{p[3]}"
    if scheme in ("grai", "gdti", "sgcn") and len(p) == 2 and _digits(*p):
        key = {"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
        return f"{key}/" + _with_check(("0" if scheme == "grai" else "") + p[0] + p[1])
    if scheme == "cpi" and len(p) == 2 and p[0].isdigit():
        return "8010/" + _enc(p[0] + p[1])
    return None


def _from_urn(uri: str) -> str | None:
    m = re.fullmatch(r"urn:epc:(id|idpat|class):([a-z]+):(.+)", uri)
    if not m:
        return None
    kind, scheme, body = m.groups()
    if kind == "id":
        path = _epc_id(scheme, body)
    elif kind == "idpat":
        path = _epc_pattern(scheme, body)
    else:
        p = _split(body, 3)
        ok = scheme == "lgtin" and p and _digits(p[0], p[1]) and len(p[0]) + len(p[1]) == 13
        path = f"01/{_gtin(p[0], p[1])}/10/{_enc(p[2])}" if ok else None
    return CANONICAL + path if path else None


def _from_digital_link(uri: str) -> str | None:
    m = re.match(r"https?://[^/?#]+(/[^?#]*)", uri)
    if not m:
        return None
    raw = [s for s in m.group(1).split("/") if s]
    # The key may sit under a custom path prefix (https://brand.example/products/01/...).
    for start in range(len(raw) - 1):
        if _SHORT_NAMES.get(raw[start], raw[start]) in _PRIMARY_KEYS and re.match(r"\d{4}", raw[start + 1]):
            break
    else:
        return None
    path = raw[start:]
    if len(path) % 2:
        return None
    pairs = [(_SHORT_NAMES.get(a, a), b) for a, b in zip(path[::2], path[1::2])]
    key, value = pairs[0]
    if key == "01" and value.isdigit() and len(value) in (8, 12, 13):
        value = value.zfill(14)
    qualifiers = dict(pairs[1:])
    qualifiers.pop("22", None)
    if "21" in qualifiers:
        qualifiers.pop("10", None)
    out = [key, value] + [x for pair in qualifiers.items() for x in pair]
    return CANONICAL + "/".join(out)


@lru_cache(maxsize=65536)
def normalise_gs1_uri(value: str) -> str:
    """Constrained canonical Digital Link for a GS1 key URI; other strings are returned as is."""
    if value.startswith("urn:epc:"):
        return _from_urn(value) or value
    if value.startswith(("http://", "https://")):
        return _from_digital_link(value) or value
    return value
