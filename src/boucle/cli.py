"""The ``boucle`` command line.

Each domain registers its own subcommands (a module with ``register(subparsers)``).
A subcommand that needs the database gets one brought up to date first
(``boucle.bootstrap``). Output meant for programs goes to stdout alone; progress,
logs and the bootstrap write to stderr.

Help texts go through the one translation path of the interface (Django's catalogues,
French msgids): a domain writes ``from boucle.cli import gettext_lazy as _`` and
``help=_("…")``. The text is only looked up when argparse prints it, so a command that
needs no database does not pay for setting Django up, and ``BOUCLE_LANG=en`` gives
English. argparse's own words (usage, errors) are mapped to French msgids below.
"""

import argparse
import importlib
import os
import sys

from django.utils.functional import Promise, lazy

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
    "boucle.jobs.commands",
]


def lang() -> str:
    value = os.environ.get("BOUCLE_LANG") or os.environ.get("LANGUAGE") or os.environ.get("LANG") or "fr"
    return "en" if value.lower().startswith("en") else "fr"


def use_language() -> bool:
    """Make the catalogues usable in the language of ``lang()`` without a database (a command that needs
    none, or help being printed); False when the settings cannot be loaded, so texts stay French."""
    from django.apps import apps

    if not apps.ready:
        from boucle.bootstrap import setup_django

        try:
            setup_django()
        except Exception:  # settings refused by the environment: help in French rather than no help
            return False
    from django.utils import translation

    translation.activate(lang())
    return True


def _translated(cli_msgid: str) -> str:
    if not use_language():
        return cli_msgid
    from django.utils.translation import gettext

    return gettext(cli_msgid)


# The CLI's gettext: a French msgid, looked up in the language of ``lang()`` when shown.
gettext_lazy = lazy(_translated, str)


def number(value: float, digits: int = 0) -> str:
    """A figure in the reader's grouping and decimal mark ("2,8 km" in French), for a command's text output."""
    if not use_language():
        return f"{value:,.{digits}f}"
    from django.utils.formats import number_format

    return number_format(round(float(value), digits), decimal_pos=digits, use_l10n=True, force_grouping=True)


def gettext_noop(message: str) -> str:
    """Marks a msgid for the catalogue without needing Django's settings at import time."""
    return message


def read_error(err: Exception) -> str:
    """Why a file given on the command line could not be read, in the reader's language rather than Python's."""
    import json

    from django.utils.translation import gettext

    use_language()
    if isinstance(err, FileNotFoundError):
        return gettext("fichier introuvable")
    if isinstance(err, json.JSONDecodeError):
        return gettext("JSON invalide, ligne %(line)d colonne %(column)d") % {"line": err.lineno, "column": err.colno}
    if isinstance(err, UnicodeDecodeError):
        return gettext("le fichier n'est pas du texte UTF-8")
    if isinstance(err, IsADirectoryError):
        return gettext("c'est un dossier, pas un fichier")
    if isinstance(err, OSError):
        return gettext("fichier illisible")
    return str(err)


# argparse's own English messages (Python 3.11+) → the French msgid that stands for each in the catalogue.
ARGPARSE_WORDS = {
    "usage: ": gettext_noop("utilisation : "),
    "positional arguments": gettext_noop("arguments"),
    "options": gettext_noop("options"),
    "show this help message and exit": gettext_noop("afficher cette aide et quitter"),
    "%(prog)s: error: %(message)s\n": gettext_noop("%(prog)s : erreur : %(message)s\n"),
    "argument %(argument_name)s: %(message)s": gettext_noop("argument %(argument_name)s : %(message)s"),
    "unrecognized arguments: %s": gettext_noop("arguments non reconnus : %s"),
    "the following arguments are required: %s": gettext_noop("arguments obligatoires manquants : %s"),
    "one of the arguments %s is required": gettext_noop("un des arguments %s est obligatoire"),
    "not allowed with argument %s": gettext_noop("incompatible avec l'argument %s"),
    "ignored explicit argument %r": gettext_noop("valeur ignorée : %r"),
    "expected one argument": gettext_noop("une valeur attendue"),
    "expected at most one argument": gettext_noop("au plus une valeur attendue"),
    "expected at least one argument": gettext_noop("au moins une valeur attendue"),
    "ambiguous option: %(option)s could match %(matches)s":
        gettext_noop("option ambiguë : %(option)s peut désigner %(matches)s"),
    "invalid %(type)s value: %(value)r": gettext_noop("valeur invalide (%(type)s) : %(value)r"),
    "invalid choice: %(value)r (choose from %(choices)s)":
        gettext_noop("choix invalide : %(value)r (choix possibles : %(choices)s)"),
    "can't open '%(filename)s': %(error)s": gettext_noop("impossible d'ouvrir « %(filename)s » : %(error)s"),
}


def _argparse_gettext(message):
    return gettext_lazy(ARGPARSE_WORDS[message]) if message in ARGPARSE_WORDS else message


def _argparse_ngettext(singular, plural, n):
    if singular == "expected %s argument" and use_language():
        from django.utils.translation import ngettext

        return ngettext("%s valeur attendue", "%s valeurs attendues", n)
    return singular if n == 1 else plural


# argparse looks these names up in its module at call time; other argparse users in the process only
# see a difference for the messages above, and only in French.
argparse._ = _argparse_gettext
argparse.ngettext = _argparse_ngettext
_argparse_action_name = argparse._get_action_name


def _action_name(argument):
    """argparse joins these names into its messages: a translated metavar must be text by then."""
    name = _argparse_action_name(argument)
    return None if name is None else str(name)


argparse._get_action_name = _action_name


class _SubParsers(argparse._SubParsersAction):
    def add_parser(self, name, **kwargs):
        kwargs.setdefault("description", kwargs.get("help"))  # `boucle X --help` says what X does
        return super().add_parser(name, **kwargs)


class _Formatter(argparse.HelpFormatter):
    """Resolves the lazy texts before argparse's regular expressions see them."""

    def _fill_text(self, text, width, indent):
        return super()._fill_text(str(text), width, indent)

    def _split_lines(self, text, width):
        return super()._split_lines(str(text), width)

    def _format_args(self, action, default_metavar):
        if default_metavar is None and isinstance(action.metavar, Promise):
            return ""  # add_argument's check of a metavar tuple: a translated metavar is one word, nothing to check
        return super()._format_args(action, default_metavar)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _SubParsers)


def build_parser() -> argparse.ArgumentParser:
    _ = gettext_lazy
    parser = Parser(prog="boucle", description=_("Boucle — écologie industrielle territoriale"))
    parser.add_argument("--version", action="version", version=f"boucle {__import__('boucle').__version__}",
                        help=_("afficher la version et quitter"))
    subparsers = parser.add_subparsers(dest="command", metavar=_("COMMANDE"))
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(subparsers)
    manage = subparsers.add_parser("manage", help=_("lancer une commande d'administration Django "
                                                    "(migrate, createsuperuser…)"))
    manage.add_argument("args", nargs=argparse.REMAINDER, help=_("la commande et ses arguments"))
    manage.set_defaults(func=_manage, needs_db=False)
    return parser


def _manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["boucle manage", *args.args])
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "needs_db", False) or args.func is _manage:
        from boucle.bootstrap import ensure_database, setup_django

        setup_django()
        use_language()
        if args.needs_db:
            ensure_database()
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `boucle … | head`: the reader stopped reading; no traceback, and the exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # status of a process killed by SIGPIPE
        return 141


if __name__ == "__main__":
    sys.exit(main())
