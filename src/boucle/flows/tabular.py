"""Read the CSV and XLSX files people actually have.

French spreadsheets export CSV with ``;`` and Latin-1 as often as with ``,`` and
UTF-8, so both are sniffed. Line numbers are the file's own: the header is line 1.
"""

import csv
import io
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


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _clean_header(header) -> list[str]:
    return [str(h or "").strip().lstrip("\ufeff").strip().lower() for h in header]


def read_csv_text(text: str) -> Table:
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        header = _clean_header(next(reader))
    except StopIteration:
        raise FileFormatError(_("le fichier est vide")) from None

    def rows():
        for line_no, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield line_no, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}

    return Table(header, rows())


def read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FileFormatError(_("lecture du classeur impossible : %(error)s") % {"error": exc}) from None
    sheet = workbook.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        header = _clean_header(next(it))
    except StopIteration:
        raise FileFormatError(_("le classeur est vide")) from None

    def text(value):
        if value is None:
            return ""
        if hasattr(value, "date") and hasattr(value, "hour"):
            return value.date().isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    def rows():
        for line_no, values in enumerate(it, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield line_no, {h: text(values[i]) if i < len(values) else "" for i, h in enumerate(header) if h}

    return Table(header, rows())


def read_table(path) -> Table:
    path = Path(path)
    if not path.exists():
        raise FileFormatError(_("%(path)s : fichier introuvable (no such file)") % {"path": path})
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    return read_csv_text(_decode(path.read_bytes()))
