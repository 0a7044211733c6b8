"""Write CSV and XLSX files that a spreadsheet opens as data, never as formulas.

Labels, names and identifiers are typed or imported by companies and are accepted as they were
written (``=HYPERLINK(…)`` is a legal label). A spreadsheet would run such text as a formula
(CSV injection, OWASP), so every export goes through :func:`safe_cell`: text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``; numbers lose only their
floating-point noise and exponent (``figures``); XLSX text cells are written as text. CSV rows end with CRLF (RFC 4180), which also makes
the writer quote a field holding a lone carriage return. Framework-free.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence

from boucle import figures

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet must store it: formula-like text neutralised, numbers kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def csv_text(rows: Iterable[Sequence], *, header: Sequence[str] | None = None, delimiter: str = ",",
             lineterminator: str = "\r\n") -> str:
    """Rows (lists of values) as CSV text, every cell through :func:`safe_cell`."""
    buffer = io.StringIO()
    write_csv(buffer, rows, header=header, delimiter=delimiter, lineterminator=lineterminator)
    return buffer.getvalue()


def write_csv(out, rows: Iterable[Sequence], *, header: Sequence[str] | None = None, delimiter: str = ",",
              lineterminator: str = "\r\n") -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    if header is not None:
        writer.writerow(safe_row(header))
    for row in rows:
        # a float as its figure reads (``figures.plain``): never ``2882.4000000000005`` nor ``1e-05``
        writer.writerow([figures.plain(v) if isinstance(v, float) else v for v in safe_row(row)])


def dict_rows(rows: Iterable[dict], columns: Sequence[str]) -> Iterable[list]:
    """Dicts as lists in ``columns`` order (missing keys empty)."""
    for r in rows:
        yield [r.get(c, "") for c in columns]


def xlsx_bytes(sheets: Sequence[tuple[str, Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per ``(title, rows)``; text cells are text, numbers are numbers."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            values = [_xlsx_value(v) for v in row]
            sheet.append(values)
            # the cells just written, looked up by position: ``sheet[sheet.max_row]`` scans every cell of the
            # sheet, which made a 3,000-row export take over a minute
            for column, value in enumerate(values, start=1):
                if isinstance(value, str):
                    sheet.cell(row=number, column=column).data_type = "s"  # never a formula, whatever the text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None  # no cell for a non-finite number (XLSX has none)
    return figures.exact(safe_cell(value))
