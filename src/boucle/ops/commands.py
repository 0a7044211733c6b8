"""``boucle backup FILE`` and ``boucle restore FILE [--force]``."""

import json
import sys

from boucle.cli import gettext_lazy as _


def register(subparsers):
    p = subparsers.add_parser("backup", help=_("sauvegarder toute la base dans une archive (d'un moteur de base "
                                               "vers n'importe quel autre)"))
    p.add_argument("file", help=_("l'archive à écrire (zip : un manifeste et un fichier JSON-lines par table)"))
    p.add_argument("--json", action="store_true", help=_("afficher le résumé en JSON sur la sortie standard"))
    p.set_defaults(func=run_backup, needs_db=False)
    r = subparsers.add_parser("restore", help=_("charger dans cette base une archive faite par `boucle backup`"))
    r.add_argument("file", help=_("l'archive à charger"))
    r.add_argument("--force", action="store_true", help=_("remplacer le contenu d'une base qui contient déjà des "
                                                          "données"))
    r.add_argument("--json", action="store_true", help=_("afficher le résumé en JSON sur la sortie standard"))
    r.set_defaults(func=run_restore, needs_db=False)


def _setup():
    """Django without the usual start-up migration: a backup reads the database as it is, a restore
    migrates to the archive's own state."""
    from boucle.bootstrap import setup_django
    from boucle.cli import lang

    setup_django()
    from django.utils import translation

    translation.activate(lang())


def _message(exc) -> str:
    """The error's French message, in English with BOUCLE_LANG=en."""
    from django.utils.translation import gettext as _

    return _(exc.template) % exc.params if exc.params else _(exc.template)


def _progress(text):
    print("  " + text, file=sys.stderr, flush=True)


def run_backup(args) -> int:
    _setup()
    from django.utils.translation import gettext as _

    from .archive import ArchiveError
    from .backup import backup

    print(_("Sauvegarde vers %(file)s…") % {"file": args.file}, file=sys.stderr, flush=True)
    try:
        summary = backup(args.file, progress=_progress)
    except ArchiveError as exc:
        print(_("Sauvegarde impossible : %(reason)s") % {"reason": _message(exc)}, file=sys.stderr)
        return 1
    except OSError as exc:
        print(_("Sauvegarde impossible : %(reason)s") % {"reason": exc}, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(_("Sauvegarde terminée : %(tables)d tables, %(rows)d lignes, %(megabytes).1f Mo en %(seconds).1f s")
              % {"tables": summary["tables"], "rows": summary["rows"], "megabytes": summary["bytes"] / 1e6,
                 "seconds": summary["seconds"]}, file=sys.stderr)
    return 0


def run_restore(args) -> int:
    _setup()
    from django.utils.translation import gettext as _

    from django.db import DatabaseError

    from .archive import ArchiveError
    from .backup import RestoreRefused, restore

    print(_("Restauration depuis %(file)s…") % {"file": args.file}, file=sys.stderr, flush=True)
    try:
        summary = restore(args.file, force=args.force, progress=_progress)
    except RestoreRefused as exc:
        print(_("Restauration refusée : %(reason)s") % {"reason": _message(exc)}, file=sys.stderr)
        return 2
    except ArchiveError as exc:
        print(_("Archive refusée, base inchangée : %(reason)s") % {"reason": _message(exc)}, file=sys.stderr)
        return 1
    except DatabaseError as exc:  # the load runs in one transaction: rolled back, the tables are as they were
        print(_("Restauration interrompue, tables inchangées : %(reason)s") % {"reason": exc}, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(_("Restauration terminée : %(tables)d tables, %(rows)d lignes en %(seconds).1f s")
              % {"tables": summary["tables"], "rows": summary["rows"], "seconds": summary["seconds"]},
              file=sys.stderr)
    return 0
