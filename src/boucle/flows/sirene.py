"""Import INSEE's SIRENE ``StockEtablissement`` CSV (streamed: a whole region is ~1M rows).

Coordinates come in Lambert-93 (EPSG:2154) and are converted to WGS84 with pyproj
in chunks. Closed establishments (``etatAdministratifEtablissement = F``) are kept
and flagged, so a facilitator sees that a known site has closed.
"""

import csv
import io
import os
import sys

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from boucle.reference.models import ActivityCode
from boucle.reference.validators import normalise_naf
from boucle.territories.models import Commune

from . import bounds as B
from . import fields as F
from .importers import FileFormatError, Report, _upsert
from .models import Company, Site

REQUIRED = ["siret", "activiteprincipaleetablissement", "codecommuneetablissement", "etatadministratifetablissement"]
KNOWN = REQUIRED + ["siren", "enseigne1etablissement", "denominationusuelleetablissement",
                    "coordonneelambertabscisseetablissement", "coordonneelambertordonneeetablissement"]


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


def import_sirene(path, *, partial=False, progress=True) -> Report:
    from pyproj import Transformer

    report = Report()
    size = os.path.getsize(path)
    raw, text = _open_text(path)
    with raw, text:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter))]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise FileFormatError(_("colonnes SIRENE manquantes : %(columns)s") % {"columns": ", ".join(missing)})
        report.unknown_columns = []  # SIRENE has ~50 columns; the unused ones are expected, not unknown
        nafs = set(ActivityCode.objects.values_list("code", flat=True))
        communes = {c: (lat, lon) for c, lat, lon in Commune.objects.values_list("insee", "lat", "lon")}
        to_wgs84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
        parsed = []
        bar = tqdm(total=size, unit="B", unit_scale=True, desc="SIRENE", file=sys.stderr, disable=not progress)
        # Fields of any length are read, then refused per line by the bounds (as in ``tabular``).
        csv.field_size_limit(max(csv.field_size_limit(), size + 1))
        reader = csv.reader(text, delimiter=delimiter)
        for line_no, values in _rows(reader):
            bar.update(sum(len(v) for v in values) + len(values))
            row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
            try:
                for column in ("siret", "enseigne1etablissement", "denominationusuelleetablissement"):
                    B.label(column, row.get(column, ""))
                sid, kind = F.site_id(row["siret"])
                if kind != "siret":
                    raise F.CellError(_("siret: %(value)s n'est pas un SIRET à 14 chiffres")
                                      % {"value": repr(row["siret"])})
                naf = None
                if row["activiteprincipaleetablissement"]:
                    try:
                        naf = normalise_naf(row["activiteprincipaleetablissement"])
                    except ValueError:
                        naf = None  # older nomenclatures (NAF 1993, 2003) are not NAF rév. 2
                    if naf not in nafs:
                        naf = None
                commune = row["codecommuneetablissement"] or None
                x = F.number("coordonneeLambertAbscisseEtablissement", row.get("coordonneelambertabscisseetablissement", ""))
                y = F.number("coordonneeLambertOrdonneeEtablissement", row.get("coordonneelambertordonneeetablissement", ""))
                if x is not None and y is not None:
                    lon, lat = to_wgs84.transform(x, y)
                elif commune in communes:
                    lat, lon = communes[commune]
                else:
                    lat = lon = None
                name = (row.get("enseigne1etablissement") or row.get("denominationusuelleetablissement")
                        or f"Établissement {sid}")
                parsed.append((sid, {
                    "name": name[:200], "naf_id": naf, "lat": lat, "lon": lon,
                    "commune_id": commune if commune in communes else None,
                    "closed": row["etatadministratifetablissement"] == "F", "country": "FR"}))
            except F.CellError as exc:
                report.rejected.append((line_no, str(exc)))
        bar.close()
    if report.rejected and not partial:
        return report
    _write(parsed, report, progress)
    return report


def _rows(reader):
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


@transaction.atomic
def _write(parsed, report, progress):
    now = timezone.now()
    batch = 2000
    for start in tqdm(range(0, len(parsed), batch), desc=_("écriture"), file=sys.stderr, disable=not progress):
        chunk = parsed[start:start + batch]
        existing = Site.objects.in_bulk([sid for sid, _ in chunk], field_name="site_id")
        sirens = {sid[:9] for sid, _ in chunk}
        companies = {c.siren: c for c in Company.objects.filter(siren__in=sirens)}
        creates, updates = [], []
        for sid, values in chunk:
            obj, action = _upsert(Site, existing.get(sid), {"site_id": sid, "id_kind": "siret"}, values, report, now, "sirene")
            if action == "create":
                company = companies.get(sid[:9])
                if company is None:
                    company = companies[sid[:9]] = Company.objects.create(siren=sid[:9], name=values["name"])
                obj.company = company
                creates.append(obj)
            elif action == "update":
                updates.append(obj)
        Site.objects.bulk_create(creates)
        if updates:
            Site.objects.bulk_update(updates, ["name", "naf_id", "lat", "lon", "commune_id", "closed", "country",
                                               "imported_values", "imported_at"])
    report.written = True
