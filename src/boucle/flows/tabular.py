"""Read the CSV and XLSX files people actually have.

French spreadsheets export CSV with ``;`` and Latin-1 as often as with ``,`` and
UTF-8, so both are sniffed. Line numbers are the file's own: the header is line 1.
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from django.utils.translation import gettext as _


class FileFormatError(ValueError):
    """The file as a whole cannot be read (not a row-level problem)."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]  # (line number, column → text)


#: An XLSX is a zip: its parts are checked before openpyxl reads a byte of them, so a small file
#: that inflates to gigabytes (a zip bomb) or holds millions of cells is refused at once.
MAX_XLSX_UNCOMPRESSED_BYTES = 50_000_000
MAX_XLSX_CELLS = 1_000_000
MAX_XLSX_PARTS = 1000

_BOMS = [(b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xfe\xff", "utf-16-be"),
         (b"\xff\xfe", "utf-16-le")]


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: every other byte of ASCII text is zero."""
    head = raw[:400]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) * 0.4 and even == 0:
        return "utf-16-le"
    if even > len(head) * 0.4 and odd == 0:
        return "utf-16-be"
    return None


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 (as Excel's "Unicode text" saves), else Latin-1."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _decode_as(raw[len(bom):], encoding)
    encoding = _utf16_without_bom(raw)
    if encoding:
        return _decode_as(raw, encoding)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode_as(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileFormatError(_("fichier %(encoding)s illisible (octet %(position)d) : enregistrez-le en UTF-8")
                              % {"encoding": encoding.upper(), "position": exc.start}) from None


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _clean_header(header) -> list[str]:
    return [str(h or "").strip().lstrip("\ufeff").strip().lower() for h in header]


def read_csv_text(text: str) -> Table:
    # Fields of any length are read (the file's size is bounded by the caller), then each row's
    # fields are checked by ``bounds.row`` with a line-numbered refusal; csv's own 128 KiB limit
    # would abort the whole file with an exception instead.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))

    def step():
        try:
            return next(reader)
        except csv.Error as exc:
            raise FileFormatError(_("ligne %(line)d : %(error)s") % {"line": reader.line_num, "error": exc}) from None

    try:
        header = _clean_header(step())
    except StopIteration:
        raise FileFormatError(_("le fichier est vide")) from None
    _check_header_cells(header)

    def rows():
        line_no = 1
        while True:
            try:
                values = step()
            except StopIteration:
                return
            line_no += 1
            if not any(v.strip() for v in values):
                continue
            yield line_no, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}

    return Table(header, rows())


def _check_header_cells(header: list[str]) -> None:
    too_long = [h for h in header if len(h) > 200]
    if too_long:
        raise FileFormatError(_("ligne 1 : nom de colonne de plus de 200 caractères"))


def check_xlsx(path: Path) -> None:
    """Refuse a workbook whose parts inflate beyond ``MAX_XLSX_UNCOMPRESSED_BYTES`` or whose first
    sheet holds more than ``MAX_XLSX_CELLS`` cells, reading only the zip directory and counting
    cell tags in a bounded stream."""
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileFormatError(_("lecture du classeur impossible : %(error)s") % {"error": exc}) from None
    with archive:
        parts = archive.infolist()
        total = sum(p.file_size for p in parts)
        if len(parts) > MAX_XLSX_PARTS or total > MAX_XLSX_UNCOMPRESSED_BYTES:
            raise FileFormatError(_("classeur refusé : %(size)s Mo une fois décompressé (%(max)s Mo au plus)")
                                  % {"size": f"{total / 1e6:.0f}", "max": f"{MAX_XLSX_UNCOMPRESSED_BYTES / 1e6:.0f}"})
        sheets = sorted(p.filename for p in parts if p.filename.startswith("xl/worksheets/") and p.filename.endswith(".xml"))
        cells = 0
        for name in sheets[:1]:
            with archive.open(name) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    data = tail + chunk
                    cells += data.count(b"<c ") + data.count(b"<c>")
                    tail = data[-2:]
                    if cells > MAX_XLSX_CELLS:
                        raise FileFormatError(_("classeur refusé : plus de %(max)s cellules")
                                              % {"max": f"{MAX_XLSX_CELLS:,}".replace(",", "\u202f")})


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FileFormatError(_("lecture du classeur impossible : %(error)s") % {"error": exc}) from None
    def damaged(exc):
        return FileFormatError(_("lecture du classeur impossible : %(error)s") % {"error": exc})

    try:
        sheet = workbook.worksheets[0]
        header = _clean_header(next(sheet.iter_rows(values_only=True, max_row=1)))
    except StopIteration:
        raise FileFormatError(_("le classeur est vide")) from None
    except Exception as exc:
        raise damaged(exc) from None
    while header and not header[-1]:
        header.pop()  # a stated dimension of 16,384 columns gives as many empty header cells
    _check_header_cells(header)
    it = sheet.iter_rows(values_only=True, min_row=2, max_col=max(1, len(header)))

    def text(value):
        if value is None:
            return ""
        if hasattr(value, "date") and hasattr(value, "hour"):
            return value.date().isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    def rows():
        line_no = 1
        while True:
            try:
                values = next(it)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet fails while it is read, not when it is opened
                raise damaged(exc) from None
            line_no += 1
            if not any(v not in (None, "") for v in values):
                continue
            yield line_no, {h: text(values[i]) if i < len(values) else "" for i, h in enumerate(header) if h}

    return Table(header, rows())


def existing_file(path) -> Path:
    """The one check every importer makes first; the command that reports the error names the file."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(_("fichier introuvable"))
    return path


def _json_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(_json_text(v) for v in value)
    if isinstance(value, dict):  # an open-data API nests a perimeter or a financer as an object
        return str(value.get("code") or value.get("name") or value.get("id") or "")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def read_json_text(raw: bytes, key: str) -> Table:
    """A JSON list of objects, or ``{key: [...]}`` / ``{"results": [...]}`` as open-data APIs page them. Keys are
    columns (lower-cased); a list becomes ``a|b``, a nested object its code, name or id; line n is the n-th object."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileFormatError(_("JSON illisible : %(error)s") % {"error": exc}) from None
    if isinstance(data, dict):
        data = data.get(key, data.get("results"))
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise FileFormatError(_("le JSON doit être une liste d'objets (ou {\"%(key)s\": [...]})") % {"key": key})
    header = sorted({str(k).strip().lower() for row in data for k in row})
    return Table(header, ((n, {str(k).strip().lower(): _json_text(v) for k, v in row.items()})
                          for n, row in enumerate(data, start=1)))


def with_aliases(table: Table, aliases: dict[str, str]) -> Table:
    """The same table with each column known under another name (French header, open-data field) renamed."""
    header = list(dict.fromkeys(aliases.get(h, h) for h in table.header))
    return Table(header, ((n, {aliases.get(k, k): v for k, v in row.items()}) for n, row in table.rows))


def header_key(name: str) -> str:
    """A header as a spreadsheet user may write it, reduced to compare: « Raison sociale » and
    « raison_sociale », « Activité » and « activite », « Température (°C) » and « temperature_c »."""
    from boucle.materials.text import fold

    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")


def with_known_headers(table: Table, known, aliases: dict[str, str]) -> Table:
    """The table with each column the reader recognises renamed to its column of ``known``: the name
    itself written otherwise (case, accents, spaces), or one of ``aliases`` (keys as ``header_key``
    gives them). A column already present keeps its place; a second column for it stays unknown."""
    known = list(known)
    exact = {header_key(c): c for c in known}
    taken, renames = {h for h in table.header if h in known}, {}
    for h in table.header:
        if h in known:
            continue
        target = exact.get(header_key(h)) or aliases.get(header_key(h))
        if target and target not in taken:
            renames[h] = target
            taken.add(target)
    return with_aliases(table, renames) if renames else table


def read_table(path, *, json_key: str | None = None) -> Table:
    """CSV or XLSX; JSON too when the importer names the key its list may stand under (``json_key``)."""
    path = existing_file(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if json_key and path.suffix.lower() == ".json":
        return read_json_text(path.read_bytes(), json_key)
    return read_csv_text(_decode(path.read_bytes()))
