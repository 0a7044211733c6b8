"""Bring any database up to date before a command runs: migrations, then reference data.

So ``DATABASE_URL=sqlite:///new.sqlite3 boucle import sites sites.csv`` works on a
file that does not exist yet. For SQLite, a fresh database is copied from a
pre-migrated template kept in the data directory (keyed by the migration set), which
turns a cold start of several seconds into a file copy.
"""

import hashlib
import os
import shutil
import sys
from pathlib import Path


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boucle.settings")
    import django

    django.setup()


def _migrations_fingerprint() -> str:
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.glob("*/migrations/0*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update((root / "data" / "geo" / "communes.csv").read_bytes()[:4096])
    return digest.hexdigest()[:16]


def _sqlite_path():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("sqlite3"):
        return None
    name = str(db["NAME"])
    return None if name in (":memory:", "") or name.startswith("file:") else Path(name)


def _migrate_and_load(quiet: bool):
    from django.core.management import call_command

    from boucle.reference.loader import is_loaded, load_reference

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1, stdout=sys.stderr)
    call_command("createcachetable", verbosity=0)  # the login limiter's shared counters (a no-op with Redis)
    if not is_loaded():
        from django.utils.translation import gettext

        print(gettext("Chargement des données de référence…"), file=sys.stderr)
        load_reference()


def ensure_database(quiet: bool = True) -> None:
    """Migrate and load reference data if needed; cheap when already done."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    path = _sqlite_path()
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        path.parent.mkdir(parents=True, exist_ok=True)
        template = Path(settings.SQLITE_TEMPLATES_DIR) / f"boucle-{_migrations_fingerprint()}.sqlite3"
        if template.exists():
            connection.close()
            shutil.copyfile(template, path)
            # the template's flows table is empty: its readings are today's, whatever rules made the template
            from boucle.flows.readings import ensure_current

            ensure_current()
        else:
            _migrate_and_load(quiet)
            connection.close()
            template.parent.mkdir(parents=True, exist_ok=True)
            # a name of this process's own: two commands starting at once on new files both write one
            tmp = template.with_name(f"{template.name}.{os.getpid()}.tmp")
            shutil.copyfile(path, tmp)
            tmp.replace(template)
            return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        _migrate_and_load(quiet)
        return
    from boucle.reference.loader import is_loaded, load_reference

    if not is_loaded():
        from django.utils.translation import gettext

        print(gettext("Chargement des données de référence…"), file=sys.stderr)
        load_reference()
