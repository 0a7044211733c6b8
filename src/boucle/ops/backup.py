"""``boucle backup`` and ``boucle restore``: the whole database through ``archive``, whatever the engine.

Rows are read and written through the models *as they were at the database's migration
state* (historical models from the migration graph), so an archive made by an older Boucle
restores into a database migrated to that state, then migrated forward. Values go through the
fields' own conversions (``to_python`` / ``get_db_prep_save``), which is what makes SQLite →
PostgreSQL → SQLite give back the same rows.

A restore checks every checksum first, refuses a database holding data unless forced, then
empties and loads every table inside one transaction (foreign keys are deferred to the commit
on both engines), in dependency order, and sets PostgreSQL's id sequences past the loaded ids.
"""

import datetime as dt
import json
import sys
import time

from django.conf import settings

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_noop

import boucle

from .archive import ArchiveError, ArchiveReader, ArchiveWriter, Manifest, TableEntry

CHUNK_ROWS = 5000
PROGRESS_EVERY = 200_000  # rows: a line on stderr while a large table goes through


def _counted(rows, label, progress):
    """The rows, saying every PROGRESS_EVERY rows how far a large table has got."""
    for n, row in enumerate(rows, 1):
        if progress and n % PROGRESS_EVERY == 0:
            progress(f"{label}: {n}…")
        yield row
# Tables the first start fills by itself (migrations, reference data, cache): a database holding rows
# only there is as good as empty. Apps whose every table is reference data are listed by label.
BOOTSTRAP_TABLES = {"django_migrations", "django_content_type", "auth_permission", "boucle_data_version",
                    "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}
BOOTSTRAP_APPS = {"territories", "reference"}
# Values the drivers take as JSON gives them back (strings, numbers, booleans): no per-value conversion.
_PLAIN = {"CharField", "TextField", "SlugField", "EmailField", "URLField", "IntegerField", "BigIntegerField",
          "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
          "AutoField", "BigAutoField", "SmallAutoField", "FloatField", "BooleanField"}


class RestoreRefused(ArchiveError):
    """The restore would overwrite data, or cannot apply to this database; nothing was changed."""


def _say(progress, text):
    if progress:
        progress(text)


# --- migration state and models ---------------------------------------------------------------

def applied_state(connection) -> dict[str, list[str]]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    state: dict[str, list[str]] = {}
    for app, name in loader.applied_migrations:
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _leaves(loader, nodes: set) -> list[tuple[str, str]]:
    """Per app, the nodes of ``nodes`` no other node of the same app in ``nodes`` comes after."""
    leaves = []
    for node in nodes:
        children = loader.graph.node_map[node].children
        if not any(child in nodes and child[0] == node[0] for child in children):
            leaves.append(node)
    return sorted(leaves)


def models_at(connection, state: dict[str, list[str]]):
    """The concrete tables' models at a migration state, in dependency order (referenced tables first)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    nodes = {(app, name) for app, names in state.items() for name in names}
    unknown = sorted(n for n in nodes if n not in loader.graph.nodes)
    if unknown:
        raise ArchiveError(gettext_noop(
            "migrations inconnues de Boucle %(version)s : %(names)s (archive d'une version plus récente ?)"),
            version=boucle.__version__, names=", ".join(f"{a}.{n}" for a, n in unknown[:5]))
    project = loader.project_state(nodes=_leaves(loader, nodes), at_end=True)
    apps = project.apps
    models = [m for m in apps.get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy and not m._meta.swapped]
    return _dependency_order(models)


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _dependency_order(models):
    by_label = {_label(m): m for m in models}
    needs = {label: set() for label in by_label}
    for label, model in by_label.items():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.remote_field is not None:
                target = _label(f.remote_field.model)
                if target in by_label and target != label:
                    needs[label].add(target)
    ordered, done = [], set()
    while needs:
        ready = sorted(label for label, deps in needs.items() if deps <= done)
        if not ready:  # a cycle (deferred constraints make any order load): break it by name
            ready = [sorted(needs)[0]]
        for label in ready:
            ordered.append(by_label[label])
            done.add(label)
            del needs[label]
    return ordered


# --- backup -----------------------------------------------------------------------------------

def _sqlite_utc_text(slow):
    """SQLite keeps an aware datetime as naive UTC text: rewritten as ISO 8601 with its offset, unparsed."""
    def convert(value, expression, connection):
        if isinstance(value, str) and len(value) in (19, 26) and value[10] == " ":
            return value.replace(" ", "T") + "+00:00"
        value = slow(value, expression, connection)
        return value.isoformat() if value is not None else None
    return convert


def _read_rows(model, connection):
    """The table's rows in key order, each value converted as the ORM converts it (``values_list``), from a
    cursor read in chunks (server side on PostgreSQL)."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    table = model._meta.db_table
    sql = (f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(table)} "
           f"ORDER BY {quote(model._meta.pk.column)}")
    plan = []
    for i, field in enumerate(fields):
        col = field.get_col(table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if (connection.vendor == "sqlite" and settings.USE_TZ and col.output_field.get_internal_type() == "DateTimeField"
                and converters == [connection.ops.convert_datetimefield_value]
                and connection.timezone_name == "UTC"):
            converters = [_sqlite_utc_text(converters[0])]
        if converters:
            plan.append((i, converters, col))
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            for row in rows:
                if plan:
                    row = list(row)
                    for i, converters, col in plan:
                        value = row[i]
                        for convert in converters:
                            value = convert(value, col, connection)
                        row[i] = value
                yield row
    finally:
        cursor.close()


def backup(path, using: str = DEFAULT_DB_ALIAS, progress=None) -> dict:
    """Write the whole database to ``path``; returns the summary (tables, rows, bytes, seconds)."""
    import os

    connection = connections[using]
    started = time.monotonic()
    state = applied_state(connection)
    if not state:
        raise ArchiveError(gettext_noop("la base de données n'a aucune migration appliquée : rien à sauvegarder"))
    models = models_at(connection, state)
    manifest = Manifest(boucle_version=boucle.__version__, created_at=dt.datetime.now(dt.timezone.utc).isoformat(),
                        database=connection.vendor, migrations=state)
    writer = ArchiveWriter(path, manifest)
    try:
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":  # one snapshot for every table, whatever writes meanwhile
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            for model in models:
                fields = model._meta.concrete_fields
                entry = TableEntry(model=_label(model), table=model._meta.db_table, columns=[f.column for f in fields])
                rows = _read_rows(model, connection)
                writer.add_table(entry, _counted(rows, entry.model, progress))
                _say(progress, f"{entry.model}: {entry.rows}")
        writer.close()
    except BaseException:
        writer.abort()
        raise
    total = sum(t.rows for t in manifest.tables)
    return {"file": str(path), "tables": len(manifest.tables), "rows": total, "bytes": os.path.getsize(path),
            "seconds": round(time.monotonic() - started, 2), "database": connection.vendor,
            "boucle_version": boucle.__version__}


# --- restore ----------------------------------------------------------------------------------

def tables_with_data(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Tables holding rows beyond what a first start puts there (reference data, migrations, cache)."""
    from django.apps import apps

    connection = connections[using]
    skip = set(BOOTSTRAP_TABLES)
    skip |= {cfg.get("LOCATION") for cfg in settings.CACHES.values() if "DatabaseCache" in cfg.get("BACKEND", "")}
    for app in BOOTSTRAP_APPS:
        skip |= {m._meta.db_table for m in apps.get_app_config(app).get_models(include_auto_created=True)}
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in skip:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                found.append(table)
    return found


# On PostgreSQL, COPY parses ISO 8601 dates and times, decimals and UUIDs itself: the archive's text goes through.
_PG_TEXT = {"DateTimeField", "DateField", "TimeField", "DecimalField", "UUIDField"}


def _sqlite_datetime(field, connection):
    """An ISO datetime in UTC as Django stores it in SQLite (naive UTC text), without parsing it."""
    slow = _field_converter(field, connection)

    def convert(value):
        if isinstance(value, str) and value.endswith("+00:00") and len(value) in (25, 32):
            return value[:-6].replace("T", " ")
        return slow(value)
    return convert


def _field_converter(field, connection):
    return lambda v: None if v is None else field.get_db_prep_save(field.to_python(v), connection)


def _converter(field, connection):
    """How a value read from the archive becomes a parameter for this field; None: as it is."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in _PLAIN:
        return None
    if field.get_internal_type() == "JSONField":
        if connection.vendor == "postgresql":  # COPY takes the JSON text
            return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
        return lambda v: field.get_db_prep_save(v, connection)
    if connection.vendor == "postgresql" and kind in _PG_TEXT:
        return None
    if connection.vendor == "sqlite" and kind == "DateTimeField" and settings.USE_TZ:
        return _sqlite_datetime(target, connection)
    return _field_converter(field, connection)


def _migrate_to(connection, state, progress):
    """Bring a database to the archive's migration state, forward only."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    wanted = {(app, name) for app, names in state.items() for name in names}
    extra = applied - wanted
    if extra:
        raise RestoreRefused(
            gettext_noop("la base est déjà migrée au-delà de l'archive (%(names)s) : restaurez dans une base vide, Boucle la "
            "mettra ensuite à jour"), names=", ".join(f"{a}.{n}" for a, n in sorted(extra)[:3]))
    if wanted - applied:
        _say(progress, f"migrations: {len(wanted - applied)}")
        executor = MigrationExecutor(connection)
        executor.migrate(_leaves(executor.loader, wanted))


def _insert(connection, model, columns, batches, convert, progress=None, label=""):
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    loaded = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for batch in batches:
                    for row in convert(batch):
                        copy.write_row(row)
                    loaded += len(batch)
                    if progress and loaded % PROGRESS_EVERY == 0:
                        progress(f"{label}: {loaded}…")
            return loaded
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for batch in batches:
            cursor.executemany(sql, convert(batch))
            loaded += len(batch)
            if progress and loaded % PROGRESS_EVERY == 0:
                progress(f"{label}: {loaded}…")
    return loaded


def restore(path, force: bool = False, using: str = DEFAULT_DB_ALIAS, progress=None) -> dict:
    """Replace the database's content by the archive's; returns the summary. Raises ArchiveError or RestoreRefused."""
    from django.core.management import call_command

    started = time.monotonic()
    reader = ArchiveReader(path)
    try:
        manifest = reader.manifest
        _say(progress, f"{len(manifest.tables)} tables, {sum(t.rows for t in manifest.tables)} rows: checksums")
        reader.verify()
        connection = connections[using]
        models = {_label(m): m for m in models_at(connection, manifest.migrations)}
        busy = tables_with_data(using) if applied_state(connection) else []
        if busy and not force:
            raise RestoreRefused(
                gettext_noop("la base de données n'est pas vide (tables %(tables)s) : la restauration remplacerait tout son "
                "contenu. Relancez avec --force pour l'écraser."),
                tables=", ".join(busy[:5]) + ("…" if len(busy) > 5 else ""))
        _migrate_to(connection, manifest.migrations, progress)
        missing = [t.model for t in manifest.tables if t.model not in models]
        if missing:
            raise ArchiveError(gettext_noop("tables inconnues à l'état de migration de l'archive : %(tables)s"),
                               tables=", ".join(missing[:5]))
        counts = {}
        with transaction.atomic(using=using):
            tables = [m._meta.db_table for m in models.values()]
            with connection.cursor() as cursor:
                for sql in connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True):
                    cursor.execute(sql)
            for entry in manifest.tables:
                model = models[entry.model]
                by_column = {f.column: f for f in model._meta.concrete_fields}
                unknown = [c for c in entry.columns if c not in by_column]
                if unknown:
                    raise ArchiveError(gettext_noop(
                        "table %(table)s : colonnes inconnues à l'état de l'archive : %(columns)s"),
                        table=entry.model, columns=", ".join(unknown))
                converters = [(i, c) for i, col in enumerate(entry.columns)
                              if (c := _converter(by_column[col], connection)) is not None]

                def convert(batch, converters=converters):
                    if not converters:
                        return batch
                    for row in batch:
                        for i, conv in converters:
                            row[i] = conv(row[i])
                    return batch

                batches = reader.rows(entry, PROGRESS_EVERY // 40)
                loaded = _insert(connection, model, entry.columns, batches, convert, progress, entry.model)
                if loaded != entry.rows:
                    raise ArchiveError(gettext_noop(
                        "table %(table)s : %(found)d lignes chargées, le manifeste en annonce %(expected)d"),
                        table=entry.model, found=loaded, expected=entry.rows)
                counts[entry.model] = loaded
                _say(progress, f"{entry.model}: {loaded}")
            reset = connection.ops.sequence_reset_sql(no_style(), list(models.values()))
            if reset:
                with connection.cursor() as cursor:
                    for sql in reset:
                        cursor.execute(sql)
        executor = MigrationExecutor(connection)
        migrated = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        if migrated:
            _say(progress, "migrations to this version")
            call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)
        call_command("createcachetable", verbosity=0)
    finally:
        reader.close()
    return {"file": str(path), "tables": len(counts), "rows": sum(counts.values()), "migrated_after": migrated,
            "archive_boucle_version": manifest.boucle_version, "archive_database": manifest.database,
            "database": connections[using].vendor, "seconds": round(time.monotonic() - started, 2)}
