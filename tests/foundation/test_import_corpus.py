"""A corpus of malformed import files, generated here (no fixtures on disk): every one must give a
clean refusal through ``boucle import`` — exit code 1, a message, no exception (a traceback on the
command line), nothing written — and the few well-formed oddities (formula-like text) must import
as written. The summary line (files tried / clean refusals / crashes / partial writes) is printed
with ``-s``.
"""

import argparse
import functools
import gzip
import io
import random
import zipfile

import pytest
from django.utils import translation

from boucle.flows.commands import run_import
from boucle.flows.models import Company, Flow, Site
from boucle.testing import make_site

pytestmark = pytest.mark.django_db

FLOWS = "site_id,direction,label,quantity,unit,period,notes"
SITES = "site_id,name,latitude,longitude,commune_insee"
GOOD_FLOW = "EXT-1,offer,Sable,3,t,year,"


def _flow(row, header=FLOWS):
    return f"{header}\n{GOOD_FLOW}\n{row}\n"


def _xlsx(rows, inflate_mb=0, parts=0, garbage_sheet=False, truncate=False):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if inflate_mb:
                    data = data.replace(b"<sheetData>", b"<!--" + b" " * (inflate_mb << 20) + b"--><sheetData>")
                if garbage_sheet:
                    data = data[: len(data) // 2] + b"<<<not xml"
            dst.writestr(item, data)
        for i in range(parts):
            dst.writestr(f"xl/media/extra{i}.bin", b"")
    data = out.getvalue()
    return data[: len(data) // 2] if truncate else data


def corpus():
    """(name, importer, file name, bytes, expected): expected is "refuse" or "accept"."""
    rng = random.Random(14)
    files = []

    def add(name, data, what="flows", suffix=".csv", expected="refuse"):
        files.append((name, what, f"{name}{suffix}", data if isinstance(data, bytes) else data.encode("utf-8"),
                      expected))

    # Encodings and non-text bytes.
    add("empty", b"")
    add("bom-only", b"\xef\xbb\xbf")
    add("utf16-bom-only", b"\xff\xfe")
    add("utf16-odd-byte", b"\xff\xfe" + FLOWS.encode("utf-16-le") + b"\x41")
    add("utf16-lone-surrogate", b"\xff\xfe" + FLOWS.encode("utf-16-le") + b"\n\x00" + b"\x00\xd8A\x00")
    add("utf32-garbage", b"\x00\x00\xfe\xff" + b"\x00\x00\xd8\x00" * 8)
    for i in range(6):
        add(f"random-bytes-{i}", bytes(rng.randrange(256) for _ in range(2000)))
    add("gzip-as-csv", gzip.compress(_flow("EXT-1,offer,X,1,t,year,").encode()))
    add("png-as-csv", b"\x89PNG\r\n\x1a\n" + bytes(200))
    add("nul-everywhere", _flow("EXT-1,offer,X,1,t,year,").replace(",", ",\x00"))
    add("header-only-commas", ",,,,\n,,,\n")
    add("header-only", FLOWS + "\n", expected="accept")  # nothing to import: not an error
    # Huge fields, in every kind of column.
    for size in (10_001, 131_073, 1_048_577):
        for column, row in (("label", "EXT-1,offer,{},1,t,year,"), ("site_id", "{},offer,X,1,t,year,"),
                            ("unit", "EXT-1,offer,X,1,{},year,"), ("direction", "EXT-1,{},X,1,t,year,"),
                            ("notes", "EXT-1,offer,X,1,t,year,{}")):
            add(f"huge-{column}-{size}", _flow(row.format("x" * size)))
    add("huge-header", "a" * 200_000 + "," + FLOWS + "\n" + GOOD_FLOW + "\n")
    add("five-thousand-columns", FLOWS + "," + ",".join(f"c{i}" for i in range(5000)) + "\n" + GOOD_FLOW + ",x" * 5000
        + "\nEXT-1,offer,Y,1e309,t,year,\n")
    # Zip bombs and broken workbooks.
    header = FLOWS.split(",")
    add("xlsx-bomb-60mb", _xlsx([header], inflate_mb=60), suffix=".xlsx")
    add("xlsx-bomb-200mb", _xlsx([header], inflate_mb=200), suffix=".xlsx")
    add("xlsx-two-thousand-parts", _xlsx([header], parts=2000), suffix=".xlsx")
    add("xlsx-truncated", _xlsx([header, GOOD_FLOW.split(",")], truncate=True), suffix=".xlsx")
    add("xlsx-garbage-sheet", _xlsx([header], garbage_sheet=True), suffix=".xlsx")
    add("xlsx-not-a-zip", b"PK\x03\x04" + bytes(300), suffix=".xlsx")
    add("xlsx-csv-inside", _flow("EXT-1,offer,X,1,t,year,"), suffix=".xlsx")
    add("xlsx-empty", _xlsx([]), suffix=".xlsx")
    add("xlsx-nonfinite", _xlsx([header, ["EXT-1", "offer", "X", 1e308, "t", "year"]]), suffix=".xlsx")
    add("xlsx-bidi-site-id", _xlsx([header, ["EXT\u202e-1", "offer", "X", 1, "t", "year"]]), suffix=".xlsx")
    add("xlsx-formula-cell", _xlsx([header, ["EXT-1", "offer", "=1+1", "=1/0", "t", "year"]]), suffix=".xlsx")
    add("xlsx-huge-label", _xlsx([header, ["EXT-1", "offer", "x" * 20_000, 1, "t", "year"]]), suffix=".xlsx")
    # Control, bidi and invisible characters.
    for name, char in (("nul", "\x00"), ("soh", "\x01"), ("bell", "\x07"), ("esc", "\x1b"), ("del", "\x7f"),
                       ("c1", "\x85"), ("rlo", "\u202e"), ("lri", "\u2066"), ("tab", "\t")):
        add(f"label-{name}", _flow(f"EXT-1,offer,Sa{char}ble,1,t,year,"))
    add("label-newline", _flow('EXT-1,offer,"Sa\nble",1,t,year,'))
    add("label-lrm", _flow("EXT-1,offer,Sa\u200eble,1,t,year,"), expected="accept")  # marks mixed-direction text
    for name, char in (("nul", "\x00"), ("rlo", "\u202e"), ("zwsp", "\u200b"), ("bom", "\ufeff"), ("tab", "\t"),
                       ("line-sep", "\u2028")):
        add(f"site-id-{name}", _flow(f"EXT{char}-1,offer,Sable2,1,t,year,"))
    # Formula-like text: accepted as written (neutralised only on export).
    for i, text in enumerate(("=1+1", "+33 1 23", "-gravats", "@SUM(A1)", '"=HYPERLINK(""http://x"",""y"")"')):
        add(f"formula-{i}", _flow(f"EXT-1,offer,{text},1,t,year,"), expected="accept")
    # Non-finite, implausible and non-ASCII numbers.
    for i, value in enumerate(("inf", "-inf", "nan", "Infinity", "1e309", "1e400", "1e308", "5e9", "-1", "1e300",
                               "١٢", "۱۲", "１２", "߁߂", "१२", "12\u00b2", "0x10", "1,2,3", "--1", "1e")):
        add(f"quantity-{i}", _flow(f"EXT-1,offer,X{i},{value},t,year,"))
    add("per-day-implausible", _flow("EXT-1,offer,X,3e6,t,day,"))
    add("energy-implausible", _flow("EXT-1,offer,Chaleur,2e9,MWh,year,").replace("offer,Chaleur", "offer,Chaleur"))
    add("temperature-nonfinite", _flow("EXT-1,offer,X,1,t,year,", header=FLOWS) .replace(
        "notes", "temperature_c").replace("EXT-1,offer,X,1,t,year,", "EXT-1,offer,X,1,t,year,nan"))
    # Wrong columns and shapes.
    add("missing-direction", "site_id,label,quantity,unit\nEXT-1,X,1,t\n")
    add("missing-label", "site_id,direction,quantity\nEXT-1,offer,1\n")
    add("missing-site-id", "direction,label\noffer,X\n")
    add("semicolon-header-comma-rows", FLOWS.replace(",", ";") + "\nEXT-1,offer,X,1,t,year,\n")
    add("unknown-site", _flow("NOPE,offer,X,1,t,year,"))
    add("bad-direction", _flow("EXT-1,sideways,X,1,t,year,"))
    add("bad-unit", _flow("EXT-1,offer,X,1,furlongs,year,"))
    add("unit-kind-mismatch", _flow("EXT-1,offer,X,1,MWh,year,"))
    add("quantity-without-unit", _flow("EXT-1,offer,X,1,,year,"))
    add("bad-period", _flow("EXT-1,offer,X,1,t,fortnight,"))
    add("unterminated-quote", _flow('EXT-1,offer,"X,1,t,year,') + "EXT-1,offer,Y,1,t,year,\n" * 3)
    add("cr-only-lines", _flow("EXT-1,offer,X,1e309,t,year,").replace("\n", "\r"))
    add("many-blank-lines", FLOWS + "\n" + "\n" * 10_000 + "EXT-1,offer,X,inf,t,year,\n")
    add("duplicate-rows", _flow(GOOD_FLOW))
    # Sites.
    for i, row in enumerate(("EXT-9,Usine,1e308,3,", "EXT-9,Usine,nan,3,", "EXT-9,Usine,٥٠,3,", "EXT-9,Usine,91,3,",
                             "EXT-9,Usine,50,inf,", "EXT-9,Us\x00ine,50,3,", "EXT-9," + "n" * 201 + ",50,3,",
                             "EXT\u202e-9,Usine,50,3,", "EXT-9,Usine,,,", "EXT-9,Usine,50,,",
                             "EXT-9," + "n" * 200_000 + ",50,3,", "x" * 65 + ",Usine,50,3,",
                             "EXT-9,Usine,50,3,99999", "12345678901234,Usine,50,3,", "EXT-9,,50,3,")):
        add(f"site-{i}", f"{SITES}\nEXT-8,Bonne usine,50.1,3.1,\n{row}\n", what="sites")
    add("site-xlsx-bomb", _xlsx([SITES.split(",")], inflate_mb=80), what="sites", suffix=".xlsx")
    return files


CORPUS = functools.lru_cache(maxsize=1)(corpus)


def _counts():
    return Site.objects.count(), Flow.objects.count(), Company.objects.count()


def test_the_corpus_is_large_enough():
    assert len(CORPUS()) >= 100
    assert len({name for name, *_ in CORPUS()}) == len(CORPUS())


def test_every_malformed_file_is_refused_cleanly_and_writes_nothing(tmp_path, capsys):
    make_site("Centrale", external_id="EXT-1")
    tried = refused = crashes = partial = accepted = 0
    problems = []
    for name, what, filename, data, expected in CORPUS():
        path = tmp_path / filename
        path.write_bytes(data)
        before = _counts()
        tried += 1
        try:
            with translation.override("fr"):
                code = run_import(argparse.Namespace(what=what, file=str(path), partial=False, json=False))
        except BaseException as exc:  # noqa: BLE001 — a traceback is exactly what this test hunts
            crashes += 1
            problems.append(f"{name}: crash {type(exc).__name__}: {str(exc)[:120]}")
            capsys.readouterr()
            continue
        out = capsys.readouterr()
        changed = _counts() != before
        message = (out.out + out.err).strip()
        if expected == "refuse":
            if code == 1 and message and not changed:
                refused += 1
            else:
                if changed:
                    partial += 1
                problems.append(f"{name}: exit {code}, changed={changed}: {message[:160]}")
            line_level = "ligne " in out.out and "rien n'a été écrit" in out.out
            if code == 1 and not (line_level or out.err.strip()):
                problems.append(f"{name}: refused without a reason: {message[:160]}")
        else:
            accepted += code == 0
            if code != 0:
                problems.append(f"{name}: expected to import, exit {code}: {message[:160]}")
        Flow.objects.exclude(label="Sable").delete()  # accepted files start the next one from the same base
    print(f"\nmalformed-import corpus: {tried} files tried, {refused} clean refusals, {accepted} accepted as "
          f"expected, {crashes} crashes, {partial} partial writes")
    assert not problems, "\n".join(problems)
    assert crashes == 0 and partial == 0
