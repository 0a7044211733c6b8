"""The archive format alone: what goes in comes out, and any alteration is caught before a restore."""

import datetime as dt
import decimal
import json
import uuid
import zipfile

import pytest

from boucle.ops.archive import ArchiveError, ArchiveReader, ArchiveWriter, Manifest, TableEntry


def _write(path, rows, chunk=3):
    manifest = Manifest(boucle_version="0.1.0", created_at="2026-12-06T05:00:00+00:00", database="sqlite",
                        migrations={"flows": ["0001_initial"]})
    writer = ArchiveWriter(path, manifest)
    entry = writer.add_table(TableEntry(model="flows.flow", table="flows_flow", columns=["id", "v"]), iter(rows))
    writer.close()
    return entry


def test_rows_come_back_in_order_with_their_types_as_text(tmp_path):
    when = dt.datetime(2026, 12, 6, 5, 0, tzinfo=dt.timezone.utc)
    rows = [(1, "é\nnewline"), (2, when), (3, decimal.Decimal("1.50")), (4, uuid.UUID(int=7)), (5, b"\x00\xff"),
            (6, {"a": [1, None]}), (7, None), (8, dt.timedelta(days=1, microseconds=5))]
    entry = _write(tmp_path / "b.zip", rows)
    reader = ArchiveReader(tmp_path / "b.zip")
    reader.verify()
    back = [row for batch in reader.rows(reader.manifest.tables[0], chunk_rows=3) for row in batch]
    assert entry.rows == 8 and len(back) == 8
    assert back[0] == [1, "é\nnewline"] and back[1][1] == "2026-12-06T05:00:00+00:00" and back[2][1] == "1.50"
    assert back[4][1] == "AP8=" and back[5][1] == {"a": [1, None]} and back[6][1] is None
    assert back[7][1] == "1 00:00:00.000005"


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, change(item.filename, zin.read(item.filename)))


def test_an_altered_row_is_refused_by_its_checksum(tmp_path):
    _write(tmp_path / "b.zip", [(i, f"row {i}") for i in range(10)])
    _rewrite(tmp_path / "b.zip", tmp_path / "bad.zip",
             lambda name, data: data.replace(b"row 7", b"row 9") if name.startswith("tables/") else data)
    with pytest.raises(ArchiveError, match="somme de contrôle"):
        ArchiveReader(tmp_path / "bad.zip").verify()


def test_a_dropped_row_with_a_recomputed_checksum_is_still_caught_by_the_count(tmp_path):
    import hashlib

    _write(tmp_path / "b.zip", [(i, "x") for i in range(4)])

    def drop(name, data):
        if name.startswith("tables/"):
            return b"\n".join(data.split(b"\n")[1:])
        manifest = json.loads(data)
        with zipfile.ZipFile(tmp_path / "b.zip") as z:
            kept = b"\n".join(z.read("tables/flows.flow.jsonl").split(b"\n")[1:])
        manifest["tables"][0]["sha256"] = hashlib.sha256(kept).hexdigest()
        return json.dumps(manifest).encode()

    _rewrite(tmp_path / "b.zip", tmp_path / "bad.zip", drop)
    with pytest.raises(ArchiveError, match="4"):
        ArchiveReader(tmp_path / "bad.zip").verify()


def test_not_an_archive_or_a_newer_format_is_refused_with_a_reason(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(ArchiveError, match="zip"):
        ArchiveReader(tmp_path / "x.zip")
    _write(tmp_path / "b.zip", [(1, "a")])
    _rewrite(tmp_path / "b.zip", tmp_path / "new.zip", lambda name, data: data if name.startswith("tables/")
             else json.dumps({**json.loads(data), "format_version": 99}).encode())
    with pytest.raises(ArchiveError, match="99"):
        ArchiveReader(tmp_path / "new.zip")
    with pytest.raises(ArchiveError, match="introuvable"):
        ArchiveReader(tmp_path / "missing.zip")


def test_a_failed_backup_leaves_no_archive(tmp_path):
    def rows():
        yield (1, "a")
        raise RuntimeError("database gone")

    writer = ArchiveWriter(tmp_path / "b.zip", Manifest("0.1.0", "now", "sqlite", {}))
    with pytest.raises(RuntimeError):
        writer.add_table(TableEntry("flows.flow", "flows_flow", ["id", "v"]), rows())
    writer.abort()
    assert list(tmp_path.iterdir()) == []
