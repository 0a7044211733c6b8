"""Import INSEE's SIRENE ``StockEtablissement`` CSV, streamed (the whole country is ~40M rows).

Two streaming passes over the file, memory bounded by one batch (``BATCH`` rows), never by the file:

1. **Validate.** Every row is parsed and checked (SIRET and its check digit); nothing is kept but
   the rejected lines. A bad row at line 900,000 is found here, before anything is written: the
   file is rejected as a whole and the database is untouched, unless ``--partial`` is given (then
   the valid rows are written and the bad ones listed).
2. **Write.** The file is read again and written batch by batch inside one transaction, so a
   crash or an interruption half-way leaves nothing behind; running the same command again
   starts over. New establishments go through ``COPY`` into a temporary table on PostgreSQL
   (``bulk_create`` on SQLite); an establishment already there is compared with the values it was
   last imported with and left alone when nothing changed, so re-importing the same file changes
   nothing (idempotent), and a newer extract updates only what moved (a facilitator's correction
   of a field wins over the import, as for every other import).

Coordinates come in Lambert-93 (EPSG:2154) and are converted to WGS84 with pyproj, one batch
at a time. Closed establishments (``etatAdministratifEtablissement = F``) are kept and flagged,
so a facilitator sees that a known site has closed.
"""

import csv
import io
import json
import os
import sys

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from boucle.reference.models import ActivityCode
from boucle.reference.validators import normalise_naf
from boucle.territories.models import Commune

from . import bounds as B
from . import fields as F
from .importers import FileFormatError, Report, _jsonable, _upsert
from .models import Company, Site

REQUIRED = ["siret", "activiteprincipaleetablissement", "codecommuneetablissement", "etatadministratifetablissement"]
KNOWN = REQUIRED + ["siren", "enseigne1etablissement", "denominationusuelleetablissement",
                    "coordonneelambertabscisseetablissement", "coordonneelambertordonneeetablissement"]
BATCH = 50_000
SITE_FIELDS = ["name", "naf_id", "lat", "lon", "commune_id", "closed", "country"]


def _open_text(path):
    raw = open(path, "rb")
    head = raw.read(4096)
    raw.seek(0)
    try:
        head.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "latin-1"
    return raw, io.TextIOWrapper(raw, encoding=encoding, newline="")


_DOUBLED = str.maketrans("0123456789", "0246813579")  # digit → digit sum of its double


def _luhn(digits: str) -> bool:
    return (sum(map(int, digits[-1::-2])) + sum(map(int, digits[-2::-2].translate(_DOUBLED)))) % 10 == 0


def _fast_siret(value: str) -> bool:
    """A plain 14-digit SIRET whose SIRET and SIREN check digits hold (the common case, checked fast)."""
    return len(value) == 14 and value.isdigit() and value.isascii() and _luhn(value) and _luhn(value[:9])


class _Reader:
    """One streaming pass: yields (line number, site id, row dict) or (line number, None, error)."""

    def __init__(self, path):
        self.path = path

    def header(self):
        raw, text = _open_text(self.path)
        with raw, text:
            first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter))]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise FileFormatError(_("colonnes SIRENE manquantes : %(columns)s") % {"columns": ", ".join(missing)})
        return delimiter, header

    def rows(self, bar=None, checked=None):
        """``checked``: the lines already rejected by a first pass; the others need no second check."""
        delimiter, header = self.header()
        idx = {h: i for i, h in enumerate(header)}
        cols = {c: idx.get(c) for c in KNOWN}
        raw, text = _open_text(self.path)
        # Fields of any length are read, then refused per line by the bounds (as in ``tabular``).
        csv.field_size_limit(max(csv.field_size_limit(), os.path.getsize(self.path) + 1))
        with raw, text:
            text.readline()
            last = 0
            for line_no, values in _lines(csv.reader(text, delimiter=delimiter)):
                if bar is not None and line_no % 10_000 == 0:
                    pos = raw.tell()
                    bar.update(pos - last)
                    last = pos
                row = {c: (values[i].strip() if i is not None and i < len(values) else "") for c, i in cols.items()}
                try:
                    sid, kind = row["siret"], "siret"
                    if checked is not None:  # second pass: the line was checked by the first
                        if line_no in checked:
                            continue
                        if not _fast_siret(sid):
                            sid = F.site_id(sid)[0]
                    else:
                        for column in ("siret", "enseigne1etablissement", "denominationusuelleetablissement"):
                            B.label(column, row[column])
                        if not _fast_siret(sid):  # the slow path names the fault (and knows La Poste's exception)
                            sid, kind = F.site_id(sid)
                    if kind != "siret":
                        raise F.CellError(_("siret: %(value)s n'est pas un SIRET à 14 chiffres")
                                          % {"value": repr(row["siret"])})
                    x = F.number("coordonneeLambertAbscisseEtablissement", row["coordonneelambertabscisseetablissement"])
                    y = F.number("coordonneeLambertOrdonneeEtablissement", row["coordonneelambertordonneeetablissement"])
                except F.CellError as exc:
                    yield line_no, None, str(exc)
                    continue
                row["x"], row["y"] = x, y
                yield line_no, sid, row


def _lines(reader):
    """(line, values) of a csv reader; a line csv cannot read (a field over its size limit, …) refuses
    the file with its number instead of a traceback."""
    line_no = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileFormatError(_("ligne %(line)d : %(error)s") % {"line": line_no + 1, "error": exc}) from None
        line_no += 1
        yield line_no, values


def import_sirene(path, *, partial=False, progress=True) -> Report:
    report = Report()
    reader = _Reader(path)
    reader.header()  # a file without the SIRENE columns is refused before any pass
    report.unknown_columns = []  # SIRENE has ~50 columns; the unused ones are expected, not unknown
    size = os.path.getsize(path)
    # Pass 1: validate the whole file, keep only the rejections.
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=_("vérification"), file=sys.stderr, disable=not progress)
    for line_no, sid, row in reader.rows(bar):
        if sid is None:
            report.rejected.append((line_no, row))
    bar.close()
    if report.rejected and not partial:
        return report
    # Pass 2: write, batch by batch, in one transaction.
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=_("écriture"), file=sys.stderr, disable=not progress)
    with transaction.atomic():
        writer = _Writer(report)
        batch = []
        for _line, sid, row in reader.rows(bar, checked={n for n, _r in report.rejected}):
            if sid is None:
                continue
            batch.append((sid, row))
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
        if batch:
            writer.write(batch)
    bar.close()
    report.written = True
    return report


class _Writer:
    def __init__(self, report):
        from pyproj import Transformer

        self.report = report
        self.now = timezone.now()
        self.nafs = set(ActivityCode.objects.values_list("code", flat=True))
        self.communes = {c: (lat, lon) for c, lat, lon in Commune.objects.values_list("insee", "lat", "lon")}
        self.to_wgs84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
        self.postgres = connection.vendor == "postgresql"

    def _values(self, batch):
        """(site id, values) for one batch, with the Lambert-93 coordinates converted at once."""
        import numpy as np

        with_xy = [i for i, (_sid, row) in enumerate(batch) if row["x"] is not None and row["y"] is not None]
        lonlat = {}
        if with_xy:
            lon, lat = self.to_wgs84.transform(np.array([batch[i][1]["x"] for i in with_xy], dtype=float),
                                               np.array([batch[i][1]["y"] for i in with_xy], dtype=float))
            lonlat = {i: (float(lo), float(la)) for i, lo, la in zip(with_xy, lon.tolist(), lat.tolist())}
        out = []
        for i, (sid, row) in enumerate(batch):
            naf = None
            if row["activiteprincipaleetablissement"]:
                try:
                    naf = normalise_naf(row["activiteprincipaleetablissement"])
                except ValueError:
                    naf = None  # older nomenclatures (NAF 1993, 2003) are not NAF rév. 2
                if naf not in self.nafs:
                    naf = None
            commune = row["codecommuneetablissement"] or None
            if i in lonlat:
                lon, lat = lonlat[i]
            elif commune in self.communes:
                lat, lon = self.communes[commune]
            else:
                lat = lon = None
            name = (row["enseigne1etablissement"] or row["denominationusuelleetablissement"]
                    or f"Établissement {sid}")
            out.append((sid, {"name": name[:200], "naf_id": naf, "lat": lat, "lon": lon,
                              "commune_id": commune if commune in self.communes else None,
                              "closed": row["etatadministratifetablissement"] == "F", "country": "FR"}))
        return out

    def write(self, batch):
        parsed = {}
        for sid, values in self._values(batch):
            parsed[sid] = values  # a SIRET twice in one file: the later row wins
        if self.postgres:
            changed = self._copy(parsed)
        else:
            changed = self._bulk(parsed)
        if changed:  # rare: the same path as every import (corrections kept), one object at a time
            existing = Site.objects.in_bulk(changed, field_name="site_id")
            updates = []
            for sid in changed:
                obj, action = _upsert(Site, existing[sid], {"site_id": sid, "id_kind": "siret"}, parsed[sid],
                                      self.report, self.now, "sirene")
                if action == "update":
                    updates.append(obj)
            if updates:
                Site.objects.bulk_update(updates, [*SITE_FIELDS, "imported_values", "imported_at"])

    def _bulk(self, parsed):
        """SQLite: compare with the last imported values in Python, bulk_create the new ones."""
        sids = list(parsed)
        known = {}
        for start in range(0, len(sids), 5000):
            known.update(Site.objects.filter(site_id__in=sids[start:start + 5000])
                         .values_list("site_id", "imported_values"))
        creates, changed = [], []
        for sid, values in parsed.items():
            snapshot = _jsonable(values)
            if sid not in known:
                creates.append(Site(site_id=sid, id_kind="siret", **values, imported_values=snapshot,
                                    imported_at=self.now, source="sirene"))
            elif known[sid] == snapshot:
                self.report.unchanged += 1
            else:
                changed.append(sid)
        self.report.created += len(creates)
        sirens = {s.site_id[:9]: s.name for s in reversed(creates)}
        companies = {c.siren: c for c in Company.objects.filter(siren__in=list(sirens))}
        missing = [Company(siren=siren, name=name) for siren, name in sirens.items() if siren not in companies]
        Company.objects.bulk_create(missing)
        companies.update({c.siren: c for c in Company.objects.filter(siren__in=[c.siren for c in missing])})
        for obj in creates:
            obj.company = companies[obj.site_id[:9]]
        Site.objects.bulk_create(creates, batch_size=2000)
        return changed

    def _copy(self, parsed):
        """PostgreSQL: COPY the batch into a temporary table, compare there, one INSERT for the new ones."""
        site_table, company_table = Site._meta.db_table, Company._meta.db_table
        with connection.cursor() as cur:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS boucle_sirene_load ("
                        "site_id varchar(64) PRIMARY KEY, siren varchar(9), name varchar(200), naf_id varchar(10), "
                        "lat double precision, lon double precision, commune_id varchar(5), closed boolean, "
                        "country varchar(2), imported_values jsonb) ON COMMIT DROP")
            cur.execute("TRUNCATE boucle_sirene_load")
            with cur.cursor.copy("COPY boucle_sirene_load FROM STDIN") as copy:
                for sid, v in parsed.items():
                    copy.write_row((sid, sid[:9], v["name"], v["naf_id"], v["lat"], v["lon"], v["commune_id"],
                                    v["closed"], v["country"], json.dumps(_jsonable(v), ensure_ascii=False)))
            cur.execute("ANALYZE boucle_sirene_load")
            cur.execute(f"SELECT count(*) FILTER (WHERE s.id IS NULL), "
                        "count(*) FILTER (WHERE s.imported_values = l.imported_values), "
                        "array_agg(l.site_id) FILTER (WHERE s.imported_values <> l.imported_values) "
                        f"FROM boucle_sirene_load l LEFT JOIN {site_table} s ON s.site_id = l.site_id")
            new, same, changed = cur.fetchone()
            self.report.created += new
            self.report.unchanged += same
            if new:
                cur.execute(f"INSERT INTO {company_table} (siren, name, published) "
                            "SELECT DISTINCT ON (siren) siren, name, false FROM boucle_sirene_load l "
                            f"WHERE NOT EXISTS (SELECT 1 FROM {site_table} s WHERE s.site_id = l.site_id) "
                            "ORDER BY siren, site_id ON CONFLICT (siren) DO NOTHING")
                cur.execute(
                    f"INSERT INTO {site_table} (company_id, site_id, id_kind, name, naf_id, activity, lat, lon, "
                    "commune_id, country, closed, source, imported_at, imported_values) "
                    "SELECT c.id, l.site_id, 'siret', l.name, l.naf_id, '', l.lat, l.lon, l.commune_id, l.country, "
                    "l.closed, 'sirene', %s, l.imported_values FROM boucle_sirene_load l "
                    f"JOIN {company_table} c ON c.siren = l.siren "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {site_table} s WHERE s.site_id = l.site_id)", [self.now])
        return changed or []
