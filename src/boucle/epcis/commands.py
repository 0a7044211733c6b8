"""``boucle epcis …``: validate EPCIS files, compute event hashes, expand JSON-LD offline.

Useful before importing a partner's file, or to show why two systems disagree on an event
hash (``--prehash`` prints the canonical string that was hashed). No database needed.

The validator, the JSON-LD processor and their schemas are imported by the handlers: every
``boucle`` command builds this parser, and most never read an EPCIS file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from boucle.cli import gettext_lazy as _


def _read(path: str):
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    return json.loads(text)


def _events_and_context(doc: dict):
    from .document import split_document
    from .validation import EVENT_TYPES as EPCIS_EVENT_TYPES

    if doc.get("type") in EPCIS_EVENT_TYPES:
        return [doc], doc.get("@context")
    header, events = split_document(doc)
    return events, header.get("@context")


def _validate(args) -> int:
    from django.utils.translation import gettext

    from boucle.cli import read_error, use_language
    from boucle.messages import translate

    from .validation import EVENT_TYPES as EPCIS_EVENT_TYPES
    from .validation import EPCISValidationError, validate_document, validate_event

    use_language()
    failures = 0
    for path in args.files:
        try:
            doc = _read(path)
        except (OSError, ValueError) as err:  # one unreadable file among several: said, then the next one
            failures += 1
            print(gettext("%(path)s : %(error)s") % {"path": path, "error": read_error(err)}, file=sys.stderr)
            continue
        try:
            if doc.get("type") in EPCIS_EVENT_TYPES:
                validate_event(doc, standalone=True)
            else:
                validate_document(doc)
            errors = []
        except EPCISValidationError as err:
            errors = [translate(m) for m in err.messages]  # French, English with BOUCLE_LANG=en
        failures += bool(errors)
        if args.json:
            print(json.dumps({"file": path, "valid": not errors, "errors": errors}))
        else:
            print(gettext("%(path)s : %(error)s") % {"path": path,
                                                     "error": gettext("valide") if not errors else gettext("INVALIDE")},
                  file=sys.stderr)
            for line in errors:
                print(f"  {line}", file=sys.stderr)
    return 1 if failures else 0


def _hash(args) -> int:
    from .hashing import event_hash, pre_hash_string

    events, context = _events_and_context(_read(args.file))
    for index, event in enumerate(events):
        row = {"index": index, "eventID": event.get("eventID"), "hash": event_hash(event, context)}
        if args.prehash:
            row["prehash"] = pre_hash_string(event, context)
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(row["hash"])
            if args.prehash:
                print(row["prehash"], file=sys.stderr)
    return 0


def _expand(args) -> int:
    from .jsonld import expand

    print(json.dumps(expand(_read(args.file)), indent=2, ensure_ascii=False))
    return 0


def _guard(handler):
    def run(args) -> int:
        from pyld.jsonld import JsonLdError

        try:
            return handler(args)
        except (OSError, ValueError, JsonLdError) as err:  # unreadable file, bad JSON, bad JSON-LD
            from django.utils.translation import gettext

            from boucle.cli import read_error

            print(gettext("erreur : %(error)s") % {"error": read_error(err)}, file=sys.stderr)
            return 1
    return run


def register(subparsers) -> None:
    p = subparsers.add_parser("epcis", help=_("fichiers EPCIS 2.0 : validation, identifiants d'empreinte des "
                                              "événements, expansion JSON-LD"))
    sub = p.add_subparsers(dest="epcis_command", metavar="ACTION", required=True)

    validate = sub.add_parser("validate",
                              help=_("vérifier des documents EPCIS ou des événements seuls avec le schéma GS1"))
    validate.add_argument("files", nargs="+", metavar=_("FICHIER"), help=_("fichier JSON/JSON-LD, ou - pour l'entrée "
                                                                     "standard"))
    validate.add_argument("--json", action="store_true", help=_("une ligne JSON par fichier sur la sortie standard"))
    validate.set_defaults(func=_guard(_validate), needs_db=False)

    hashing = sub.add_parser("hash", help=_("identifiant d'empreinte CBV 2.0 de chaque événement, dans l'ordre du "
                                            "document"))
    hashing.add_argument("file", metavar=_("FICHIER"), help=_("fichier JSON/JSON-LD, ou - pour l'entrée standard"))
    hashing.add_argument("--prehash", action="store_true", help=_("donner aussi la chaîne canonique avant empreinte"))
    hashing.add_argument("--json", action="store_true", help=_("une ligne JSON par événement sur la sortie standard"))
    hashing.set_defaults(func=_guard(_hash), needs_db=False)

    expanding = sub.add_parser("expand", help=_("expansion JSON-LD avec les contextes GS1 fournis (hors ligne)"))
    expanding.add_argument("file", metavar=_("FICHIER"), help=_("fichier JSON/JSON-LD, ou - pour l'entrée standard"))
    expanding.set_defaults(func=_guard(_expand), needs_db=False)
