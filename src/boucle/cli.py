"""The ``boucle`` command line.

Each domain registers its own subcommands (a module with ``register(subparsers)``).
A subcommand that needs the database gets one brought up to date first
(``boucle.bootstrap``). Output meant for programs goes to stdout alone; progress,
logs and the bootstrap write to stderr.
"""

import argparse
import importlib
import os
import sys

# Domain modules that add subcommands. A module that is absent (an optional part not
# installed) is skipped, so one missing piece never breaks the whole command line.
COMMAND_MODULES = [
    "boucle.flows.commands",
    "boucle.impact.command",
    "boucle.matching.commands",
    "boucle.matching.command_evaluate",
    "boucle.observatory.commands",
    "boucle.passports.commands",
    "boucle.places.commands",
    "boucle.materials.commands",
    "boucle.gs1.commands",
    "boucle.epcis.commands",
    "boucle.web.commands",
    "boucle.sourcing.commands",
    "boucle.aids.commands",
    "boucle.land.commands",
    "boucle.skills.commands",
    "boucle.ops.commands",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boucle", description="Boucle — écologie industrielle territoriale / territorial industrial ecology")
    parser.add_argument("--version", action="version", version=f"boucle {__import__('boucle').__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(subparsers)
    manage = subparsers.add_parser("manage", help="run a Django management command (migrate, createsuperuser…)")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_manage, needs_db=False)
    return parser


def _manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["boucle manage", *args.args])
    return 0


def lang() -> str:
    value = os.environ.get("BOUCLE_LANG") or os.environ.get("LANGUAGE") or os.environ.get("LANG") or "fr"
    return "en" if value.lower().startswith("en") else "fr"


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "needs_db", False) or args.func is _manage:
        from boucle.bootstrap import ensure_database, setup_django

        setup_django()
        from django.utils import translation

        translation.activate(lang())
        if args.needs_db:
            ensure_database()
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
