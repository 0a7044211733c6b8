"""``boucle gs1 …``: check, convert and print GS1 identifiers from the command line.

Useful when labelling: paste what a scanner returned (element string or DL
URI, compressed or not) to see its AIs and why it is invalid, build the DL URI
of a product, or write the QR Code to print. No database needed.
"""

from __future__ import annotations

import json
import sys

from .compression import decompress_digital_link
from .digital_link import CANONICAL_STEM, build_digital_link, parse_digital_link
from .dictionary import lookup
from .element_string import build_element_string, parse_element_string
from .errors import GS1Error


def read_pairs(text: str) -> list[tuple[str, str]]:
    """AI pairs of an element string or a DL URI (compressed or not)."""
    text = text.strip()
    if text.lower().startswith(("http://", "https://")):
        try:
            return parse_digital_link(text)
        except GS1Error as err:
            if err.rule != "dl-path":
                raise
            return parse_digital_link(decompress_digital_link(text))
    return parse_element_string(text)


def _parse(args) -> int:
    pairs = read_pairs(args.text)
    if args.json:
        doc = {
            "pairs": [[ai, value] for ai, value in pairs],
            "element_string": build_element_string(pairs),
            "digital_link": build_digital_link(pairs, args.stem) if _has_key(pairs) else None,
        }
        print(json.dumps(doc, ensure_ascii=False))
    else:
        for ai, value in pairs:
            print(f"({ai}) {value}\t{lookup(ai).title}")
    return 0


def _has_key(pairs) -> bool:
    return any(lookup(ai).is_dl_primary_key for ai, _ in pairs)


def _link(args) -> int:
    pairs = []
    for item in args.pairs:
        if item.startswith("("):
            pairs.extend(parse_element_string(item, check_associations=False))
            continue
        ai, sep, value = item.partition("=")
        if not sep:
            raise GS1Error(f"expected AI=VALUE or (AI)VALUE, got {item!r}", rule="syntax")
        pairs.append((ai, value))
    print(build_digital_link(pairs, args.stem))
    return 0


def _qr(args) -> int:
    from .qr import qr_png, qr_svg

    pairs = read_pairs(args.text)
    uri = build_digital_link(pairs, args.stem)
    data = qr_png(uri, scale=args.scale) if args.format == "png" else qr_svg(uri, scale=args.scale).encode()
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as f:
            f.write(data)
        print(f"{args.output}: {uri}", file=sys.stderr)
    return 0


def _guard(handler):
    def run(args) -> int:
        try:
            return handler(args)
        except GS1Error as err:
            print(f"error: {err}", file=sys.stderr)
            return 1

    return run


def register(subparsers) -> None:
    p = subparsers.add_parser("gs1", help="GS1 identifiers: parse, build Digital Link URIs, QR Codes")
    sub = p.add_subparsers(dest="gs1_command", metavar="ACTION", required=True)

    parse = sub.add_parser(
        "parse", help="show the AIs of an element string or a Digital Link URI, or why it is invalid"
    )
    parse.add_argument("text", help="(01)…(10)… or ^01… or https://…/01/…")
    parse.add_argument("--json", action="store_true", help="machine-readable output")
    parse.add_argument("--stem", default=CANONICAL_STEM, help="stem of the Digital Link URI in --json output")
    parse.set_defaults(func=_guard(_parse), needs_db=False)

    link = sub.add_parser("link", help="build a Digital Link URI from AI=VALUE pairs")
    link.add_argument("pairs", nargs="+", metavar="AI=VALUE", help="e.g. 01=09520123456788 21=X1, or (01)…(21)…")
    link.add_argument("--stem", default=CANONICAL_STEM)
    link.set_defaults(func=_guard(_link), needs_db=False)

    qr = sub.add_parser("qr", help="write the QR Code of a Digital Link URI (SVG or PNG)")
    qr.add_argument("text", help="element string or Digital Link URI")
    qr.add_argument("--format", choices=("svg", "png"), default="svg")
    qr.add_argument("--scale", type=int, default=4)
    qr.add_argument("--stem", default=CANONICAL_STEM)
    qr.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    qr.set_defaults(func=_guard(_qr), needs_db=False)
