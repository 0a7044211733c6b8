"""The backup file: one zip archive, one JSON-lines member per table, a manifest with checksums.

Framework-free, so the format is read and written the same whatever the database. Each table
is streamed into its member (``tables/<app>.<model>.jsonl``: one JSON array per row, values in
the manifest's column order) while its SHA-256 and row count are taken; ``manifest.json``,
written last, records them with the format version, the Boucle version and the migration state,
and a restore checks every member against it before touching the database. Memory stays
bounded: rows go through in chunks, never a whole table at once.

Values JSON has no type for travel as text: datetimes, dates and times in ISO 8601, decimals
and UUIDs as strings, durations as Django writes them, bytes in base64. The reader hands them
back as text; the database layer turns them into field values (``backup.py``).
"""

import base64
import datetime as dt
import decimal
import hashlib
import json
import os
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field

FORMAT = "boucle-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue (Django's own marker, without importing Django)."""
    return message


class ArchiveError(Exception):
    """The file is not a Boucle backup this version can read, or it was altered.

    ``template`` is a French message (a msgid: the command line translates it) and ``params`` its values.
    """

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template, self.params = template, params


def _duration(value: dt.timedelta) -> str:
    days, seconds, micro = value.days, value.seconds, value.microseconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{days} {hours:02d}:{minutes:02d}:{secs:02d}"
    return text + (f".{micro:06d}" if micro else "")


def encode(value):
    """``json.dumps``'s ``default``: the values JSON has no type for."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _duration(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot store a {type(value).__name__} in a backup")


@dataclass
class TableEntry:
    model: str  # app_label.model_name
    table: str
    columns: list[str]
    file: str = ""
    rows: int = 0
    sha256: str = ""

    def to_dict(self) -> dict:
        return {"model": self.model, "table": self.table, "columns": self.columns, "file": self.file,
                "rows": self.rows, "sha256": self.sha256}


@dataclass
class Manifest:
    boucle_version: str
    created_at: str
    database: str
    migrations: dict[str, list[str]]
    tables: list[TableEntry] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict:
        return {"format": self.format, "format_version": self.format_version, "boucle_version": self.boucle_version,
                "created_at": self.created_at, "database": self.database, "migrations": self.migrations,
                "tables": [t.to_dict() for t in self.tables]}

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ArchiveError(gettext_noop(
                "ce fichier n'est pas une sauvegarde Boucle (pas de manifeste au format boucle-backup)"))
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ArchiveError(gettext_noop(
                "format de sauvegarde version %(version)s : cette version de Boucle lit jusqu'à la version "
                "%(supported)s"), version=repr(version), supported=FORMAT_VERSION)
        try:
            tables = [TableEntry(model=t["model"], table=t["table"], columns=list(t["columns"]), file=t["file"],
                                 rows=int(t["rows"]), sha256=t["sha256"]) for t in data["tables"]]
            return cls(boucle_version=data["boucle_version"], created_at=data["created_at"], database=data["database"],
                       migrations={app: list(names) for app, names in data["migrations"].items()}, tables=tables,
                       format=data["format"], format_version=version)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ArchiveError(gettext_noop("manifeste incomplet (%(detail)s)"), detail=repr(exc)) from None


class TableWriter:
    def __init__(self, stream, entry: TableEntry, buffer_rows: int = 2000):
        self.stream, self.entry, self.buffer_rows = stream, entry, buffer_rows
        self.digest = hashlib.sha256()
        self.pending: list[str] = []

    def write(self, row) -> None:
        self.pending.append(json.dumps(row, default=encode, ensure_ascii=False, separators=(",", ":")))
        if len(self.pending) >= self.buffer_rows:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            data = ("\n".join(self.pending) + "\n").encode("utf-8")
            self.digest.update(data)
            self.stream.write(data)
            self.entry.rows += len(self.pending)
            self.pending = []


class ArchiveWriter:
    """Writes ``path`` through a ``.partial`` file renamed at the end: a failed backup leaves no archive."""

    def __init__(self, path: str | os.PathLike, manifest: Manifest, compresslevel: int = 1):
        self.path = os.fspath(path)
        self.partial = self.path + ".partial"
        self.manifest = manifest
        self.zip = zipfile.ZipFile(self.partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel,
                                   allowZip64=True)

    def add_table(self, entry: TableEntry, rows) -> TableEntry:
        entry.file = f"tables/{entry.model}.jsonl"
        with self.zip.open(entry.file, "w", force_zip64=True) as stream:
            writer = TableWriter(stream, entry)
            for row in rows:
                writer.write(row)
            writer.flush()
        entry.sha256 = writer.digest.hexdigest()
        self.manifest.tables.append(entry)
        return entry

    def close(self) -> None:
        self.zip.writestr(MANIFEST, json.dumps(self.manifest.to_dict(), ensure_ascii=False, indent=1))
        self.zip.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        self.zip.close()
        try:
            os.unlink(self.partial)
        except FileNotFoundError:
            pass


class ArchiveReader:
    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
            raw = self.zip.read(MANIFEST)
        except FileNotFoundError:
            raise ArchiveError(gettext_noop("fichier introuvable")) from None
        except KeyError:
            raise ArchiveError(gettext_noop(
                "pas de manifest.json : ce n'est pas une sauvegarde Boucle, ou une sauvegarde interrompue")) from None
        except (zipfile.BadZipFile, zlib.error, OSError) as exc:
            raise ArchiveError(gettext_noop("archive zip illisible (%(detail)s)"), detail=str(exc)) from None
        try:
            self.manifest = Manifest.from_dict(json.loads(raw))
        except json.JSONDecodeError as exc:
            raise ArchiveError(gettext_noop("manifest.json n'est pas du JSON (%(detail)s)"), detail=str(exc)) from None
        names = set(self.zip.namelist())
        for entry in self.manifest.tables:
            if entry.file not in names:
                raise ArchiveError(gettext_noop("table %(table)s : le fichier %(file)s manque dans l'archive"),
                                   table=entry.model, file=entry.file)

    def close(self) -> None:
        self.zip.close()

    def _chunks(self, entry: TableEntry, size: int = 1 << 20):
        try:
            with self.zip.open(entry.file) as stream:
                while chunk := stream.read(size):
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise ArchiveError(gettext_noop("table %(table)s : le fichier %(file)s est endommagé (%(detail)s)"),
                               table=entry.model, file=entry.file, detail=str(exc)) from None

    def verify(self, progress=None) -> None:
        """Every member's SHA-256 and row count against the manifest; raises ArchiveError on the first difference."""
        for entry in self.manifest.tables:
            digest, lines = hashlib.sha256(), 0
            for chunk in self._chunks(entry):
                digest.update(chunk)
                lines += chunk.count(b"\n")
            if digest.hexdigest() != entry.sha256:
                raise ArchiveError(gettext_noop(
                    "table %(table)s : la somme de contrôle diffère du manifeste (archive modifiée ou endommagée)"),
                    table=entry.model)
            if lines != entry.rows:
                raise ArchiveError(gettext_noop(
                    "table %(table)s : %(found)d lignes, le manifeste en annonce %(expected)d"),
                    table=entry.model, found=lines, expected=entry.rows)
            if progress:
                progress(entry)

    def rows(self, entry: TableEntry, chunk_rows: int = 2000):
        """The table's rows (lists of JSON values), in chunks of ``chunk_rows``."""
        tail, batch = b"", []
        for chunk in self._chunks(entry):
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for line in lines:
                batch.append(json.loads(line))
                if len(batch) >= chunk_rows:
                    yield batch
                    batch = []
        if tail.strip():
            batch.append(json.loads(tail))
        if batch:
            yield batch
