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
from .errors import GS1Error, gettext_noop

from boucle.cli import gettext_lazy as _


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
            print(f"({ai}) {value}\t{_ai_words(ai)}")
    return 0


def _ai_words(ai: str) -> str:
    """The AI in the reader's words. French needs no catalogue (the msgids are French), so the command
    stays free of Django then; English loads the catalogues."""
    from boucle.cli import lang

    from .words import ai_name

    if lang() != "en":
        return ai_name(ai).render()
    from boucle.cli import use_language
    from boucle.messages import translate

    use_language()
    return translate(ai_name(ai))


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
            raise GS1Error(
                "gs1.cli-pair", gettext_noop("IA=VALEUR ou (IA)VALEUR attendu, reçu « %(item)s »"), item=item,
                rule="syntax")
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
        except GS1Error as err:  # the engine's French message, translated here (English with BOUCLE_LANG=en)
            from django.utils.translation import gettext

            from boucle.cli import use_language
            from boucle.messages import translate

            use_language()
            print(gettext("erreur : %(error)s") % {"error": translate(err)}, file=sys.stderr)
            return 1

    return run


def register(subparsers) -> None:
    p = subparsers.add_parser("gs1", help=_("identifiants GS1 : lecture, construction d'URI Digital Link, QR Codes"))
    sub = p.add_subparsers(dest="gs1_command", metavar="ACTION", required=True)

    parse = sub.add_parser(
        "parse", help=_("montrer les AI d'une chaîne d'éléments ou d'une URI Digital Link, ou pourquoi elle est "
                        "invalide")
    )
    parse.add_argument("text", help=_("(01)…(10)… ou ^01… ou https://…/01/…"))
    parse.add_argument("--json", action="store_true", help=_("sortie lisible par un programme"))
    parse.add_argument("--stem", default=CANONICAL_STEM, help=_("racine de l'URI Digital Link dans la sortie --json"))
    parse.set_defaults(func=_guard(_parse), needs_db=False)

    link = sub.add_parser("link", help=_("construire une URI Digital Link à partir de paires AI=VALEUR"))
    link.add_argument("pairs", nargs="+", metavar=_("AI=VALEUR"), help=_("par exemple 01=09520123456788 21=X1, ou "
                                                                     "(01)…(21)…"))
    link.add_argument("--stem", default=CANONICAL_STEM, help=_("racine de l'URI (par défaut %(default)s)"))
    link.set_defaults(func=_guard(_link), needs_db=False)

    qr = sub.add_parser("qr", help=_("écrire le QR Code d'une URI Digital Link (SVG ou PNG)"))
    qr.add_argument("text", help=_("chaîne d'éléments ou URI Digital Link"))
    qr.add_argument("--format", choices=("svg", "png"), default="svg", help=_("format de l'image (svg par défaut)"))
    qr.add_argument("--scale", type=int, default=4, help=_("taille d'un module en pixels (4 par défaut)"))
    qr.add_argument("--stem", default=CANONICAL_STEM, help=_("racine de l'URI (par défaut %(default)s)"))
    qr.add_argument("--output", "-o", default="-", help=_("fichier à écrire (par défaut : la sortie standard)"))
    qr.set_defaults(func=_guard(_qr), needs_db=False)
