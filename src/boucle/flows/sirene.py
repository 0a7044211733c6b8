"""Import INSEE's SIRENE ``StockEtablissement`` CSV, streamed (the whole country is ~40M rows).

One streaming pass inside one transaction, memory bounded by one batch (``BATCH`` rows), never by
the file. Every row is parsed and checked (SIRET and its check digits, readable coordinates); the
valid ones are converted and loaded batch by batch:

- on PostgreSQL, ``COPY`` into a temporary staging table, then merged at the end in a few
  statements (``INSERT … SELECT … ON CONFLICT DO NOTHING`` for the new establishments, one
  ``UPDATE … FROM`` for the ones that moved);
- on SQLite, batched ``bulk_create`` (one multi-row INSERT per 2,000 rows).

A bad row (at line 900,000 as well as line 2) rolls the whole transaction back unless ``--partial``
is given: the database is untouched and the report lists every bad line (after the first one,
the rest of the file is only checked, not loaded). A crash or an interruption also leaves nothing
behind; running the same command again starts over, and it is idempotent: an establishment
already there is compared with the values it was last imported with and left alone (its
``imported_at`` too) when nothing changed, so re-importing the same file changes nothing, and a
newer extract updates only what moved (a facilitator's correction of a field wins over the
import, as for every other import).

Coordinates come in Lambert-93 (EPSG:2154) and are converted to WGS84 with pyproj, one batch
at a time. Closed establishments (``etatAdministratifEtablissement = F``) are kept and flagged,
so a facilitator sees that a known site has closed.
"""

import csv
import io
import os
import re
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
from .tabular import existing_file

REQUIRED = ["siret", "activiteprincipaleetablissement", "codecommuneetablissement", "etatadministratifetablissement"]
KNOWN = REQUIRED + ["siren", "enseigne1etablissement", "denominationusuelleetablissement",
                    "coordonneelambertabscisseetablissement", "coordonneelambertordonneeetablissement",
                    "statutdiffusionetablissement"]
#: What INSEE does not disseminate of an establishment « à diffusion partielle » (statutDiffusionEtablissement
#: = P, its file carrying « [ND] » there): its names and its address below the commune. Boucle keeps it so: no
#: name (« Établissement SIRET »), placed at its commune's centre, like an establishment without coordinates.
NOT_DISSEMINATED = ("enseigne1etablissement", "denominationusuelleetablissement",
                    "coordonneelambertabscisseetablissement", "coordonneelambertordonneeetablissement")
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


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)


def _number(column: str, text: str):
    """A coordinate: the common plain decimal read at once, anything else through ``fields.number``."""
    if not text:
        return None
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    return F.number(column, text)


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

    def rows(self, bar=None):
        delimiter, header = self.header()
        idx = {h: i for i, h in enumerate(header)}
        cols = [(c, idx.get(c)) for c in KNOWN]
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
                n = len(values)
                row = {c: (values[i].strip() if i is not None and i < n else "") for c, i in cols}
                if row["statutdiffusionetablissement"].upper() == "P":
                    row.update(dict.fromkeys(NOT_DISSEMINATED, ""))
                try:
                    sid, kind = row["siret"], "siret"
                    for column in ("siret", "enseigne1etablissement", "denominationusuelleetablissement"):
                        if row[column]:
                            B.label(column, row[column])
                    if not _fast_siret(sid):  # the slow path names the fault (and knows La Poste's exception)
                        sid, kind = F.site_id(sid)
                    if kind != "siret":
                        raise F.CellError(_("siret: %(value)s n'est pas un SIRET à 14 chiffres")
                                          % {"value": repr(row["siret"])})
                    x = _number("coordonneeLambertAbscisseEtablissement", row["coordonneelambertabscisseetablissement"])
                    y = _number("coordonneeLambertOrdonneeEtablissement", row["coordonneelambertordonneeetablissement"])
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


class _Abandon(Exception):
    """A rejected row without ``--partial``: the transaction is rolled back, nothing is written."""


def import_sirene(path, *, partial=False, progress=True) -> Report:
    report = Report()
    reader = _Reader(existing_file(path))
    reader.header()  # a file without the SIRENE columns is refused before any pass
    report.unknown_columns = []  # SIRENE has ~50 columns; the unused ones are expected, not unknown
    bar = tqdm(total=os.path.getsize(path), unit="B", unit_scale=True, desc=_("import"), file=sys.stderr,
               disable=not progress)
    # One streaming pass in one transaction: rows are checked and loaded batch by batch; a rejected
    # row without --partial stops the loading (the rest is only checked, to list every bad line)
    # and the transaction is rolled back.
    try:
        with transaction.atomic():
            writer = _CopyWriter(report) if connection.vendor == "postgresql" else _BulkWriter(report)
            batch = []
            for line_no, sid, row in reader.rows(bar):
                if sid is None:
                    report.rejected.append((line_no, row))
                    batch = [] if not partial else batch
                    continue
                if report.rejected and not partial:
                    continue
                batch.append((line_no, sid, row))
                if len(batch) >= BATCH:
                    writer.load(batch)
                    batch = []
            if report.rejected and not partial:
                raise _Abandon
            if batch:
                writer.load(batch)
            writer.finish()
    except _Abandon:
        report.created = report.updated = report.unchanged = 0
        return report
    finally:
        bar.close()
    report.written = True
    return report


class _Writer:
    """What both databases share: converting one batch of checked rows to the site's fields."""

    def __init__(self, report):
        from pyproj import Transformer

        self.report = report
        self.now = timezone.now()
        self.nafs = set(ActivityCode.objects.values_list("code", flat=True))
        self.communes = {c: (lat, lon) for c, lat, lon in Commune.objects.values_list("insee", "lat", "lon")}
        self.to_wgs84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
        self.naf_cache = {}

    def _naf(self, raw):
        if raw not in self.naf_cache:
            try:
                naf = normalise_naf(raw)
            except ValueError:
                naf = None  # older nomenclatures (NAF 1993, 2003) are not NAF rév. 2
            self.naf_cache[raw] = naf if naf in self.nafs else None
        return self.naf_cache[raw]

    def _values(self, batch):
        """(line, site id, values) for one batch, with the Lambert-93 coordinates converted at once."""
        import numpy as np

        with_xy = [i for i, (_line, _sid, row) in enumerate(batch) if row["x"] is not None and row["y"] is not None]
        lonlat = {}
        if with_xy:
            lon, lat = self.to_wgs84.transform(np.array([batch[i][2]["x"] for i in with_xy], dtype=float),
                                               np.array([batch[i][2]["y"] for i in with_xy], dtype=float))
            lonlat = dict(zip(with_xy, zip(lon.tolist(), lat.tolist())))
        out = []
        for i, (line, sid, row) in enumerate(batch):
            naf = self._naf(row["activiteprincipaleetablissement"]) if row["activiteprincipaleetablissement"] else None
            commune = row["codecommuneetablissement"] or None
            if i in lonlat:
                lon, lat = lonlat[i]
            elif commune in self.communes:
                lat, lon = self.communes[commune]
            else:
                lat = lon = None
            name = (row["enseigne1etablissement"] or row["denominationusuelleetablissement"]
                    or f"Établissement {sid}")
            out.append((line, sid, {"name": name[:200], "naf_id": naf, "lat": lat, "lon": lon,
                                    "commune_id": commune if commune in self.communes else None,
                                    "closed": row["etatadministratifetablissement"] == "F", "country": "FR"}))
        return out

    def _update(self, parsed):
        """Establishments whose imported values moved: the path of every import (corrections kept)."""
        existing = Site.objects.in_bulk(list(parsed), field_name="site_id")
        updates = []
        for sid, values in parsed.items():
            obj, action = _upsert(Site, existing[sid], {"site_id": sid, "id_kind": "siret"}, values,
                                  self.report, self.now, "sirene")
            if action == "update":
                updates.append(obj)
        if updates:
            Site.objects.bulk_update(updates, [*SITE_FIELDS, "imported_values", "imported_at"])


class _BulkWriter(_Writer):
    """SQLite: each batch compared with the last imported values in Python, new ones by ``bulk_create``."""

    def load(self, batch):
        parsed = {}
        for _line, sid, values in self._values(batch):
            parsed[sid] = values  # a SIRET twice in one file: the later row wins
        sids = list(parsed)
        known = {}
        for start in range(0, len(sids), 5000):
            known.update(Site.objects.filter(site_id__in=sids[start:start + 5000])
                         .values_list("site_id", "imported_values"))
        creates, changed = [], {}
        for sid, values in parsed.items():
            snapshot = _jsonable(values)
            if sid not in known:
                creates.append(Site(site_id=sid, id_kind="siret", **values, imported_values=snapshot,
                                    imported_at=self.now, source="sirene"))
            elif known[sid] == snapshot:
                self.report.unchanged += 1
            else:
                changed[sid] = values
        self.report.created += len(creates)
        sirens = {s.site_id[:9]: s.name for s in reversed(creates)}
        companies = {c.siren: c for c in Company.objects.filter(siren__in=list(sirens))}
        missing = [Company(siren=siren, name=name) for siren, name in sirens.items() if siren not in companies]
        Company.objects.bulk_create(missing)
        companies.update({c.siren: c for c in Company.objects.filter(siren__in=[c.siren for c in missing])})
        for obj in creates:
            obj.company = companies[obj.site_id[:9]]
        Site.objects.bulk_create(creates, batch_size=2000)
        if changed:
            self._update(changed)

    def finish(self):
        pass


#: The snapshot of the imported values, built by PostgreSQL from the staged columns: the same JSON
#: object as ``_jsonable(values)`` (jsonb compares numbers by value, keys in any order).
_SNAPSHOT = ("jsonb_build_object('name', name, 'naf_id', naf_id, 'lat', lat, 'lon', lon, "
             "'commune_id', commune_id, 'closed', closed, 'country', country)")


class _CopyWriter(_Writer):
    """PostgreSQL: every batch ``COPY``'d into a staging table, then merged at the end in a few statements.

    ``finish`` keeps the last row of each SIRET, sorts each one as new, unchanged or moved by
    comparing its snapshot with the stored one, inserts the new legal units and establishments
    (``INSERT … SELECT … ON CONFLICT DO NOTHING``), updates in one statement the moved
    establishments nobody corrected, and sends the few corrected ones through ``_upsert``.
    Unchanged rows are not touched: their ``imported_at`` stays.
    """

    STAGE = "boucle_sirene_stage"
    MERGE = "boucle_sirene_merge"

    def __init__(self, report):
        super().__init__(report)
        with connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '128MB'")
            # ON COMMIT DROP is not enough when the import runs inside a caller's transaction (tests)
            cur.execute(f"DROP TABLE IF EXISTS {self.STAGE}, {self.MERGE}")
            cur.execute(f"CREATE TEMP TABLE {self.STAGE} (line integer, site_id varchar(64), siren varchar(9), "
                        "name varchar(200), naf_id varchar(10), lat double precision, lon double precision, "
                        "commune_id varchar(5), closed boolean, country varchar(2)) ON COMMIT DROP")

    def load(self, batch):
        with connection.cursor() as cur, cur.cursor.copy(f"COPY {self.STAGE} FROM STDIN") as copy:
            for line, sid, v in self._values(batch):
                copy.write_row((line, sid, sid[:9], v["name"], v["naf_id"], v["lat"], v["lon"], v["commune_id"],
                                v["closed"], v["country"]))

    def finish(self):
        site_table, company_table = Site._meta.db_table, Company._meta.db_table
        m = self.MERGE
        with connection.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE {m} ON COMMIT DROP AS "
                        "SELECT n.*, s.id AS site_pk, CASE WHEN s.id IS NULL THEN 'n' "
                        "WHEN s.imported_values = n.snapshot THEN 's' ELSE 'c' END AS state "
                        f"FROM (SELECT DISTINCT ON (site_id) *, {_SNAPSHOT} AS snapshot FROM {self.STAGE} "
                        "ORDER BY site_id, line DESC) n "
                        f"LEFT JOIN {site_table} s ON s.site_id = n.site_id")
            cur.execute(f"DROP TABLE {self.STAGE}")
            cur.execute(f"SELECT state, count(*) FROM {m} GROUP BY state")
            counts = dict(cur.fetchall())
            self.report.created += counts.get("n", 0)
            self.report.unchanged += counts.get("s", 0)
            if counts.get("n"):
                cur.execute(f"INSERT INTO {company_table} (siren, name, published) "
                            f"SELECT DISTINCT ON (siren) siren, name, false FROM {m} WHERE state = 'n' "
                            "ORDER BY siren, site_id ON CONFLICT (siren) DO NOTHING")
                cur.execute(
                    f"INSERT INTO {site_table} (company_id, site_id, id_kind, name, naf_id, activity, lat, lon, "
                    "commune_id, country, closed, source, imported_at, imported_values) "
                    "SELECT c.id, m.site_id, 'siret', m.name, m.naf_id, '', m.lat, m.lon, m.commune_id, m.country, "
                    f"m.closed, 'sirene', %s, m.snapshot FROM {m} m JOIN {company_table} c ON c.siren = m.siren "
                    "WHERE m.state = 'n' ON CONFLICT (site_id) DO NOTHING", [self.now])
            if counts.get("c"):
                self._merge_moved(cur)
            cur.execute(f"DROP TABLE {m}")

    def _merge_moved(self, cur):
        """Establishments whose imported values moved: one UPDATE for those nobody corrected."""
        site_table, m = Site._meta.db_table, self.MERGE
        correction_table = Site._meta.get_field("corrections").related_model._meta.db_table
        # moved, never corrected: one UPDATE
        cur.execute(f"UPDATE {site_table} s SET name = m.name, naf_id = m.naf_id, lat = m.lat, lon = m.lon, "
                    "commune_id = m.commune_id, closed = m.closed, country = m.country, "
                    "imported_values = m.snapshot, imported_at = %s "
                    f"FROM {m} m WHERE m.state = 'c' AND s.id = m.site_pk "
                    f"AND NOT EXISTS (SELECT 1 FROM {correction_table} k WHERE k.site_id = s.id)", [self.now])
        self.report.updated += cur.rowcount
        # moved and corrected by someone: field by field, the correction wins
        cur.execute(f"SELECT site_id, name, naf_id, lat, lon, commune_id, closed, country FROM {m} m "
                    f"WHERE m.state = 'c' AND EXISTS (SELECT 1 FROM {correction_table} k "
                    "WHERE k.site_id = m.site_pk)")
        while rows := cur.fetchmany(5000):
            self._update({r[0]: dict(zip(SITE_FIELDS, (r[1], r[2], r[3], r[4], r[5], r[6], r[7])))
                          for r in rows})
