"""Importers for sites and flows in Boucle's public format (see README, "Import format").

Every importer works in two passes: first it parses and validates every row,
collecting rejections with their line numbers; then, only if nothing was
rejected (or ``partial`` is asked), it writes everything in one transaction.
So a bad file never leaves the database half-written, and importing the same
file twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boucle.reference.models import ActivityCode, WasteCode
from boucle.territories.models import Commune

from . import bounds as B
from . import fields as F
from . import units
from .corrections import latest_corrections
from .models import Company, Flow, Site
from .tabular import FileFormatError, read_table, with_known_headers

SITE_COLUMNS = ["site_id", "name", "naf_code", "activity", "latitude", "longitude", "commune_insee", "country"]
FLOW_COLUMNS = ["site_id", "direction", "label", "kind", "ewc_code", "quantity", "unit", "period", "temperature_c",
                "hazardous", "available_from", "available_to", "confidential", "external_id", "illustrative",
                "current_route", "material_class"]
# Headers of a French spreadsheet (SIRENE, a CCI or intercommunality file), as ``tabular.header_key`` reduces
# them: the same columns, renamed before reading, so a facilitator's own export imports as it is.
SITE_HEADERS = {
    "siret": "site_id", "numero_siret": "site_id", "n_siret": "site_id", "identifiant": "site_id",
    "identifiant_site": "site_id", "id_site": "site_id",
    "nom": "name", "raison_sociale": "name", "denomination": "name", "nom_du_site": "name",
    "nom_etablissement": "name", "etablissement": "name", "entreprise": "name", "enseigne": "name",
    "code_naf": "naf_code", "naf": "naf_code", "code_ape": "naf_code", "ape": "naf_code", "naf_ape": "naf_code",
    "code_naf_ape": "naf_code", "activite_principale_etablissement": "naf_code",
    "activite": "activity", "description": "activity", "description_activite": "activity",
    "lat": "latitude", "lon": "longitude", "lng": "longitude", "long": "longitude",
    "code_commune": "commune_insee", "code_insee": "commune_insee", "insee": "commune_insee",
    "code_insee_commune": "commune_insee", "code_commune_insee": "commune_insee",
    "code_commune_etablissement": "commune_insee", "pays": "country",
}
FLOW_HEADERS = {
    "siret": "site_id", "numero_siret": "site_id", "n_siret": "site_id", "identifiant_site": "site_id",
    "id_site": "site_id",
    "sens": "direction", "offre_ou_besoin": "direction", "offre_besoin": "direction",
    "libelle": "label", "designation": "label", "description": "label",
    "type": "kind", "nature": "kind", "type_de_flux": "kind",
    "code_dechet": "ewc_code", "code_ced": "ewc_code", "ced": "ewc_code", "code_ler": "ewc_code", "ler": "ewc_code",
    "code_europeen_des_dechets": "ewc_code",
    "quantite": "quantity", "unite": "unit", "periode": "period", "frequence": "period",
    "temperature": "temperature_c", "temperature_degc": "temperature_c",
    "dangereux": "hazardous", "dechet_dangereux": "hazardous",
    "disponible_a_partir_du": "available_from", "disponible_du": "available_from", "debut": "available_from",
    "disponible_jusqu_au": "available_to", "fin": "available_to",
    "confidentiel": "confidential", "identifiant_externe": "external_id", "reference": "external_id",
    "illustratif": "illustrative", "filiere_actuelle": "current_route", "matiere": "material_class",
    "classe_de_matiere": "material_class",
}
DIRECTIONS = {"offer": "offer", "offre": "offer", "need": "need", "besoin": "need", "demande": "need"}
KINDS = {"material": "material", "matiere": "material", "matière": "material", "energy": "energy",
         "energie": "energy", "énergie": "energy", "heat": "energy", "chaleur": "energy", "water": "water",
         "eau": "water", "equipment": "equipment", "equipement": "equipment", "équipement": "equipment",
         "service": "service"}
PERIODS = {"year": "year", "an": "year", "annee": "year", "année": "year", "month": "month", "mois": "month",
           "week": "week", "semaine": "week", "day": "day", "jour": "day", "once": "once", "ponctuel": "once"}
# The words a refusal lists, in the reader's language: a French file is written « offre », « matière », « an »
# (the template and its help say so), so « attendu need|offer » named keys nobody had typed. Each word of
# either language is one the dictionaries above accept (tests/foundation/test_import_english.py).
CHOICE_WORDS = {"direction": gettext_lazy("offre ou besoin"),
                "kind": gettext_lazy("matière, énergie, eau, équipement ou service"),
                "period": gettext_lazy("an, mois, semaine, jour ou ponctuel")}


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    written: bool = False
    # line -> [(column or None, message)]: every field error of a rejected line (sites and flows imports)
    fields: dict[int, list[tuple[str | None, str]]] = field(default_factory=dict)

    def reject(self, line: int, exc: "F.CellError") -> None:
        """A rejected line: its reason (every field error, joined) and each error with its column."""
        errors = getattr(exc, "errors", None) or [(getattr(exc, "column", None), str(exc))]
        self.rejected.append((line, str(exc)))
        self.fields[line] = list(errors)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def to_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": [{"line": n, "reason": r,
                              "fields": [{"field": c, "reason": m} for c, m in self.fields.get(n, [])]}
                             for n, r in self.rejected],
                "unknown_columns": self.unknown_columns, "written": self.written}

    def lines(self, lang: str | None = None) -> list[str]:
        """The report in words, in ``lang`` or else the active language."""
        if lang is None:
            from django.utils.translation import get_language

            lang = "en" if (get_language() or "fr").startswith("en") else "fr"
        if lang == "en":
            out = [f"created: {self.created}, updated: {self.updated}, unchanged: {self.unchanged}, "
                   f"rejected: {len(self.rejected)}"]
            out += [f"line {n}: {r}" for n, r in self.rejected]
            if self.unknown_columns:
                out.append("unknown columns (ignored): " + ", ".join(self.unknown_columns))
            if self.rejected and not self.written:
                out.append("nothing was written (use --partial to import the valid rows)")
        else:
            out = [f"créés : {self.created}, mis à jour : {self.updated}, inchangés : {self.unchanged}, "
                   f"rejetés : {len(self.rejected)}"]
            out += [f"ligne {n} : {r}" for n, r in self.rejected]
            if self.unknown_columns:
                out.append("colonnes inconnues (ignorées) : " + ", ".join(self.unknown_columns))
            if self.rejected and not self.written:
                out.append("rien n'a été écrit (--partial pour importer les lignes valides)")
        return out


@dataclass(frozen=True)
class Scope:
    """The territory an import may write in (a facilitator's import job): the INSEE codes of its
    communes and the ``site_id`` of the sites already located there. A row naming a site outside it,
    or placing a new site outside it, is rejected with its line number like any other bad row."""

    communes: frozenset
    sites: frozenset
    own: bool = False  # a company's import: its own sites, no commune to create sites in
    name: str = ""  # the territory's name, said in a refusal

    @classmethod
    def of(cls, territory) -> "Scope":
        communes = territory.communes()
        return cls(frozenset(communes.values_list("insee", flat=True)),
                   frozenset(Site.objects.filter(commune__in=communes).values_list("site_id", flat=True)),
                   name=getattr(territory, "name", "") or str(territory))

    @classmethod
    def own_sites(cls, sites) -> "Scope":
        """The sites a company member may edit (``sites`` a queryset of them): flows of those sites only."""
        return cls(frozenset(), frozenset(sites.values_list("site_id", flat=True)), own=True)


SEPARATOR = " ; "


class RowRejected(F.CellError):
    """Every independent field error of one row: ``errors`` [(column, message)], the message all of them
    joined; ``column`` the first field at fault (for a door that names one)."""

    def __init__(self, errors: list[tuple[str | None, str]]):
        super().__init__(SEPARATOR.join(message for _c, message in errors))
        self.errors = errors
        self.column = errors[0][0]


class RowErrors:
    """Checks each field of a row and keeps every error with its column, so a rejected line names all
    its faults at once; a check that depends on a field already at fault is skipped (``ok``)."""

    def __init__(self):
        self.errors: list[tuple[str | None, str]] = []

    def check(self, column: str, parse, default=None):
        try:
            return parse()
        except F.CellError as exc:
            self.add(getattr(exc, "column", None) or column, str(exc))
            return default

    def add(self, column: str | None, message: str) -> None:
        self.errors.append((column, message))

    def ok(self, *columns: str) -> bool:
        """None of these fields is at fault."""
        return not any(column in columns for column, _m in self.errors)

    def raise_any(self) -> None:
        if self.errors:
            raise RowRejected(self.errors)


def _existing_site_ids(site_ids) -> set[str]:
    """Which of these ``site_id`` already exist, asked in batches (a file may name tens of thousands)."""
    ids, found = list(site_ids), set()
    for start in range(0, len(ids), 500):
        found.update(Site.objects.filter(site_id__in=ids[start:start + 500]).values_list("site_id", flat=True))
    return found


def _length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _check_header(header, known, required, report):
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c and c not in known]
    if missing:
        text = _("colonnes obligatoires manquantes : %(columns)s") % {"columns": ", ".join(missing)}
        if unknown:  # most often the missing one, misspelt: say which the file has instead
            text += " " + _("(colonnes du fichier que Boucle ne connaît pas : %(columns)s)") % {
                "columns": ", ".join(unknown[:10])}
        raise FileFormatError(text)
    report.unknown_columns = unknown


def identified_rows(table, report: "Report", parse, *, max_rows: int | None = None) -> list[tuple[str, dict]]:
    """(identifier, values) of each row of a table of records kept by their external ``identifier``
    (aids, places, land entries, training offers): the identifier required, bounded and unique in the file,
    ``parse(row)`` for the values; a refused row goes to ``report`` with its line number."""
    parsed, seen = [], {}
    for line, row in table.rows:
        if max_rows is not None and len(parsed) + len(report.rejected) >= max_rows:
            report.rejected.append((line, _("plus de %(max)d lignes : coupez le fichier") % {"max": max_rows}))
            break
        try:
            identifier = B.text("identifier", row.get("identifier", "").strip(), max_chars=120, identifier=True)
            if not identifier:
                raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "identifier"})
            if identifier in seen:
                raise F.CellError(_("identifier %(value)s en double (déjà ligne %(line)d)")
                                  % {"value": identifier, "line": seen[identifier]})
            seen[identifier] = line
            parsed.append((identifier, parse(row)))
        except F.CellError as exc:
            report.rejected.append((line, str(exc)))
    return parsed


@transaction.atomic
def write_identified(model, parsed: list[tuple[str, dict]], report: "Report", *, stamp: dict | None = None,
                     corrected=lambda record: ()) -> None:
    """Create or update ``model`` records by ``identifier``; the imported snapshot decides whether
    anything changed, so the same file imported again changes nothing. ``stamp``: fields written with
    every change (who imported); ``corrected(record)``: fields a facilitator fixed, which the source
    no longer overwrites."""
    now = timezone.now()
    stamp = stamp or {}
    existing = model.objects.in_bulk([identifier for identifier, _v in parsed], field_name="identifier")
    for identifier, values in parsed:
        snapshot = _jsonable(values)
        found = existing.get(identifier)
        if found is None:
            model.objects.create(identifier=identifier, imported_values=snapshot, imported_at=now, **stamp, **values)
            report.created += 1
        elif found.imported_values == snapshot:
            report.unchanged += 1
        else:
            kept = set(corrected(found))
            for name, value in {**values, **stamp}.items():
                if name not in kept:
                    setattr(found, name, value)
            found.imported_values, found.imported_at = snapshot, now
            found.save()
            report.updated += 1
    report.written = True


def _jsonable(values: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def _upsert(model, existing, key_values, values, report, now, source):
    """Create or update one record; the imported snapshot decides whether anything changed."""
    snapshot = _jsonable(values)
    obj = existing
    if obj is None:
        obj = model(**key_values, **values, imported_values=snapshot, imported_at=now, source=source)
        report.created += 1
        return obj, "create"
    if obj.imported_values == snapshot:
        report.unchanged += 1
        return obj, None
    corrected = latest_corrections(obj)
    for name, value in values.items():
        if name not in corrected:
            setattr(obj, name, value)
    obj.imported_values = snapshot
    obj.imported_at = now
    report.updated += 1
    return obj, "update"


# --- sites -------------------------------------------------------------------------------------

class _CommuneFinder:
    """Nearest commune centre for sites given by coordinates only (France, shipped communes)."""

    def __init__(self):
        import numpy as np

        rows = list(Commune.objects.values_list("insee", "lat", "lon"))
        self.codes = [r[0] for r in rows]
        self.tree = None
        if rows:
            from scipy.spatial import cKDTree

            lat = np.radians([r[1] for r in rows])
            lon = np.radians([r[2] for r in rows])
            self.tree = cKDTree(np.c_[np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])

    def nearest(self, lat, lon, max_km=15.0):
        import math

        if self.tree is None:
            return None
        la, lo = math.radians(lat), math.radians(lon)
        dist, idx = self.tree.query([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
        return self.codes[idx] if dist * 6371.0 <= max_km else None


class SiteRow:
    """The one validation of a site: a row of the import file, or the API's body read as one.

    ``parse`` raises ``CellError`` whose ``column`` names the field at fault."""

    def __init__(self):
        self.nafs = set(ActivityCode.objects.values_list("code", flat=True))
        self.communes = {c: (lat, lon) for c, lat, lon in Commune.objects.values_list("insee", "lat", "lon")}
        self.finder = None

    @staticmethod
    def _fail(column, message):
        error = F.CellError(message)
        error.column = column
        return error

    def parse(self, row: dict, seen: dict | None = None, line: int | None = None) -> tuple[str, str, dict]:
        """(site_id, id kind, values of the Site's fields) from a row of text cells; ``RowRejected``
        naming every field at fault. ``seen``: the ``site_id`` of a file's earlier lines (by ``line``)."""
        def cell(column, parse):
            try:
                return parse()
            except F.CellError as exc:
                exc.column = getattr(exc, "column", None) or column
                raise

        # bounds first: a cell too long or with control characters is not read further
        cell("site_id", lambda: B.identifier("site_id", (row.get("site_id") or "").strip()))
        B.row({k: v for k, v in row.items() if isinstance(v, str)})  # the same bounds as the importer's
        errors = RowErrors()
        sid, kind = errors.check("site_id", lambda: F.site_id(row.get("site_id", "")), default=(None, None))
        if sid and seen is not None:
            if sid in seen:
                errors.add("site_id", _("site_id %(value)s en double (déjà ligne %(line)d)")
                           % {"value": sid, "line": seen[sid]})
            else:
                seen[sid] = line
        name = errors.check("name", lambda: B.label("name", row.get("name", "").strip(), _length(Site, "name")),
                            default="")
        if not name and errors.ok("name"):
            errors.add("name", _("%(column)s: valeur obligatoire") % {"column": "name"})
        naf = errors.check("naf_code", lambda: F.naf(row.get("naf_code", "")))
        if naf and naf not in self.nafs:
            errors.add("naf_code", _("naf_code: %(code)s absent de la NAF rév. 2") % {"code": naf})
        lat = errors.check("latitude", lambda: F.number("latitude", row.get("latitude", "")))
        lon = errors.check("longitude", lambda: F.number("longitude", row.get("longitude", "")))
        coordinates = errors.ok("latitude", "longitude")
        if coordinates and (lat is None) != (lon is None):
            errors.add("latitude" if lat is None else "longitude", _("latitude et longitude vont ensemble"))
        elif coordinates and lat is not None:
            for column, value, bound in (("latitude", lat, 90), ("longitude", lon, 180)):
                if not -bound <= value <= bound:
                    errors.add(column, _("%(column)s: %(value)s hors limites (de -%(bound)d à %(bound)d, en degrés "
                                         "décimaux)") % {"column": column, "value": value, "bound": bound})
        country = errors.check("country", lambda: F.country(row.get("country", "") or ""))
        commune = row.get("commune_insee", "").strip() or None
        if commune and commune not in self.communes:
            errors.add("commune_insee", _("commune_insee: %(code)s inconnue") % {"code": commune})
        elif lat is None and not commune and errors.ok("latitude", "longitude"):
            errors.add("commune_insee", _("ni coordonnées (latitude, longitude) ni code commune INSEE (colonne commune_insee)"))
        activity = errors.check("activity", lambda: B.label("activity", row.get("activity", "").strip(),
                                                             _length(Site, "activity")))
        errors.raise_any()
        if lat is None:
            lat, lon = self.communes[commune]
        elif not commune and country == "FR":
            self.finder = self.finder or _CommuneFinder()
            commune = self.finder.nearest(lat, lon)
        return sid, kind, {"name": name, "naf_id": naf, "activity": activity, "lat": lat, "lon": lon,
                           "commune_id": commune, "country": country}


@dataclass
class Checked:
    """A file read and every row checked, not written yet: ``report`` holds the refused lines; ``write()`` (in the
    caller's transaction) writes the rows, or nothing when a line was refused and the import is not ``partial``.
    A background job checks first, telling its progress, then writes in one transaction (``jobs.imports``)."""

    report: Report
    _write: Callable[[], None]
    partial: bool = False

    @property
    def writable(self) -> bool:
        return self.partial or self.report.ok

    def write(self) -> Report:
        if self.writable:
            self._write()
        return self.report


#: How often (rows) a long check tells its progress: ``progress(rows done, rows in the file)``.
PROGRESS_EVERY = 500


def _rows_told(table, progress):
    """The table's rows, telling ``progress`` every ``PROGRESS_EVERY`` rows (the total read once, up front)."""
    if progress is None:
        yield from table.rows
        return
    rows = list(table.rows)
    progress(0, len(rows))
    for i, item in enumerate(rows, 1):
        yield item
        if i % PROGRESS_EVERY == 0 or i == len(rows):
            progress(i, len(rows))


def import_sites(path, *, partial=False, source="import", within: Scope | None = None, progress=None) -> Report:
    return check_sites(path, partial=partial, source=source, within=within, progress=progress).write()


def check_sites(path, *, partial=False, source="import", within: Scope | None = None, progress=None) -> Checked:
    report = Report()
    table = with_known_headers(read_table(path), SITE_COLUMNS, SITE_HEADERS)
    _check_header(table.header, SITE_COLUMNS, ["site_id", "name"], report)
    if not ({"latitude", "longitude"} <= set(table.header) or "commune_insee" in table.header):
        raise FileFormatError(_("il faut les colonnes latitude et longitude, ou commune_insee"))
    parser = SiteRow()
    parsed, seen = [], {}
    for line, row in _rows_told(table, progress):
        try:
            parsed.append((line, *parser.parse(row, seen, line)))
        except F.CellError as exc:
            report.reject(line, exc)
    if within is not None:
        parsed = _within(parsed, within, report)
    return Checked(report, lambda: _write_sites(parsed, report, source), partial)


def _within(parsed, scope: Scope, report: Report) -> list:
    """The parsed sites an import limited to ``scope`` may write: its own sites, and new sites in its
    communes; a site of another territory is neither moved nor renamed from here."""
    elsewhere = _existing_site_ids(sid for _line, sid, _kind, _values in parsed if sid not in scope.sites)
    kept, outside = [], []
    for line, sid, kind, values in parsed:
        if sid in elsewhere:
            report.reject(line, SiteRow._fail("site_id", _("site_id: le site %(value)s est hors du territoire "
                                                           "de l'import") % {"value": sid}))
        elif sid not in scope.sites and values["commune_id"] not in scope.communes:
            outside.append((line, sid, values))
        else:
            kept.append((line, sid, kind, values))
    if outside:
        _reject_outside(outside, scope, report)
    report.rejected.sort()
    return kept


def _reject_outside(outside, scope: Scope, report: Report) -> None:
    """Refuse new sites placed outside the import's territory, saying where they fell: the commune by
    its name, or the coordinates, with the likely slip of a spreadsheet (latitude and longitude swapped)."""
    names = dict(Commune.objects.filter(insee__in={v["commune_id"] for _l, _s, v in outside if v["commune_id"]})
                 .values_list("insee", "name"))
    finder = None
    for line, sid, values in outside:
        code, lat, lon = values["commune_id"], values["lat"], values["lon"]
        words = {"value": sid, "commune": names.get(code, code), "code": code, "lat": lat, "lon": lon,
                 "territory": scope.name or "?"}
        if code:
            text = _("site %(value)s : sa commune, %(commune)s (%(code)s), est hors du territoire de l'import "
                     "(%(territory)s)") % words
        else:
            finder = finder or _CommuneFinder()
            if -90 <= lon <= 90 and finder.nearest(lon, lat) in scope.communes:
                text = _("site %(value)s : les coordonnées (%(lat)s, %(lon)s) ne tombent dans aucune commune du "
                         "territoire de l'import (%(territory)s) : latitude et longitude inversées ?") % words
            else:
                text = _("site %(value)s : les coordonnées (%(lat)s, %(lon)s) ne tombent dans aucune commune du "
                         "territoire de l'import (%(territory)s)") % words
        report.reject(line, SiteRow._fail("commune_insee" if code else "latitude", text))


def _companies_for(new) -> dict:
    """{(site id, id kind): Company} of new sites: the SIREN's company, or one of its own for a site without SIRET,
    in a few queries (a file of 16,000 new sites took a get-or-create and a save per row, a minute of the
    import's one transaction)."""
    keys = {(sid, kind): ("siren", sid[:9]) if kind == "siret" else ("external_key", f"site:{sid}")
            for sid, kind, _n in new}
    found = {}
    for field_name in ("siren", "external_key"):
        wanted = {value for name, value in keys.values() if name == field_name}
        found.update({(field_name, getattr(c, field_name)): c
                      for c in Company.objects.filter(**{f"{field_name}__in": wanted})} if wanted else {})
    missing = {}
    for sid, kind, name in new:  # the first site of a company names it, as ``get_or_create`` did
        key = keys[(sid, kind)]
        if key not in found and key not in missing:
            missing[key] = Company(name=name, **{key[0]: key[1]})
    Company.objects.bulk_create(missing.values(), batch_size=500)
    for field_name in ("siren", "external_key"):  # read back: not every database returns the new keys
        wanted = {value for name, value in missing if name == field_name}
        found.update({(field_name, getattr(c, field_name)): c
                      for c in Company.objects.filter(**{f"{field_name}__in": wanted})} if wanted else {})
    return {site: found[key] for site, key in keys.items()}


@transaction.atomic
def _write_sites(parsed, report, source):
    now = timezone.now()
    existing = Site.objects.in_bulk([p[1] for p in parsed], field_name="site_id")
    created = []
    for _line, sid, kind, values in parsed:
        site = existing.get(sid)
        obj, action = _upsert(Site, site, {"site_id": sid, "id_kind": kind}, values, report, now, source)
        if action == "create":
            created.append((sid, kind, obj))
        elif action:
            obj.save()
    companies = _companies_for([(sid, kind, obj.name) for sid, kind, obj in created])
    for sid, kind, obj in created:
        obj.company = companies[(sid, kind)]
    Site.objects.bulk_create([obj for _sid, _kind, obj in created], batch_size=500)
    report.written = True


# --- flows -------------------------------------------------------------------------------------

def flow_identity(direction, kind, label, ewc, external_id) -> str:
    if external_id:
        return f"ext:{external_id}"
    return "|".join([direction, kind, label, ewc or ""])


# Who decided a flow's class, as its stored ``material_confidence`` says it: a class a person chose (in the
# flow form, in an imported file's ``material_class`` column, or a facilitator's correction) is stored at
# CHOSEN_CONFIDENCE and the engine takes it as given (``matching.service_run.pipeline_inputs``); a class the
# classifier read from the label or the waste code is a reading, never above READ_CONFIDENCE_MAX, which the
# engine weighs again with the provider's activity (an ash by its source, an organic-only label by what the
# provider gives off). A label that is exactly a dictionary synonym is still a reading, not a person's choice.
CHOSEN_CONFIDENCE = 1.0
READ_CONFIDENCE_MAX = 0.99


def class_chosen(confidence: float | None) -> bool:
    """Whether a stored class confidence is a person's choice (the form, a file's ``material_class``)."""
    return confidence is not None and confidence >= CHOSEN_CONFIDENCE


def class_named(text: str) -> str | None:
    """The class a person names: its key, or its French or English label (any case); None if none."""
    from boucle.materials.taxonomy import load_classes

    text = (text or "").strip()
    folded = text.casefold()
    for c in load_classes():
        if text == c.key or folded in (c.label_fr.casefold(), c.label_en.casefold()):
            return c.key
    return None


def classify(label: str, ewc_code: str | None, kind: str | None = None,
             temperature_c: float | None = None) -> tuple[str, float | None]:
    """Material class of one flow, from its waste code when given, else its label."""
    return classify_many([(label, ewc_code)], [kind], [temperature_c])[0]


def classify_many(items: list[tuple[str, str | None]], kinds=None, temperatures=None) -> list[tuple[str, float | None]]:
    """Material classes for many (label, EWC code) pairs; labels are classified in one batch.

    With the declared ``kinds``, a flow declared as energy or water gets a class of that kind (heat
    graded by its stated temperature), or none: its quantity is in MWh or m3, never a material's.
    """
    try:
        from boucle.materials import classify as materials
        from boucle.materials.taxonomy import load_classes
    except ImportError:  # the taxonomy is optional for the importer
        return [("", None)] * len(items)
    out: list[tuple[str, float | None]] = [("", None)] * len(items)
    by_label = []
    for i, (label, ewc_code) in enumerate(items):
        if ewc_code:
            try:
                out[i] = (materials.class_for_ewc(ewc_code), 1.0)
                continue
            except (ValueError, KeyError, LookupError):
                pass
        by_label.append(i)
    if by_label:
        keys = [c.key for c in load_classes()]
        idx, conf = materials.classify_labels([items[i][0] for i in by_label])
        for i, pos, c in zip(by_label, idx, conf):
            if pos >= 0:
                out[i] = (keys[pos], round(float(c), 3))
    kind_of = {c.key: c.kind for c in load_classes()}
    for i, kind in enumerate(kinds or []):
        temperature = (temperatures or [None] * len(items))[i]
        if kind not in materials.KIND_BOUND or (kind_of.get(out[i][0]) == kind and temperature is None):
            continue
        if out[i][1] == 1.0 and kind_of.get(out[i][0]) == kind:
            continue  # the declarant's own waste code decided
        match = materials.class_of_kind(items[i][0], kind, temperature)
        out[i] = (match.key, round(float(match.confidence), 3)) if match else ("", None)
    # a reading, however exact, is not a person's choice (CHOSEN_CONFIDENCE)
    return [(key, min(conf, READ_CONFIDENCE_MAX) if conf is not None else None) for key, conf in out]


def import_flows(path, *, partial=False, source="import", within: Scope | None = None, progress=None) -> Report:
    return check_flows(path, partial=partial, source=source, within=within, progress=progress).write()


def check_flows(path, *, partial=False, source="import", within: Scope | None = None, progress=None) -> Checked:
    report = Report()
    table = with_known_headers(read_table(path), FLOW_COLUMNS, FLOW_HEADERS)
    _check_header(table.header, FLOW_COLUMNS, ["site_id", "direction", "label"], report)
    site_ids = dict(Site.objects.values_list("site_id", "pk"))
    waste = dict(WasteCode.objects.values_list("code6", "hazardous"))
    parsed, seen = [], {}
    for line, row in _rows_told(table, progress):
        try:
            # bounds first: a cell too long or with control characters is not read further
            raw_sid = B.identifier("site_id", row.get("site_id", "").strip())
            B.row(row)
            parsed.append((line, *_flow_row(row, raw_sid, line, seen, site_ids, waste, within, table.header)))
        except F.CellError as exc:
            report.reject(line, exc)
    if report.rejected and not partial:
        return Checked(report, lambda: None, partial)
    classes = classify_many([(values["label"], values["ewc_id"]) for _l, _s, _i, values in parsed],
                            [values["kind"] for _l, _s, _i, values in parsed],
                            [values["temperature_c"] for _l, _s, _i, values in parsed])
    for (_line, _site, _identity, values), (key, confidence) in zip(parsed, classes):
        if values["material_class"]:  # named in the file: a person's choice
            values["material_confidence"] = CHOSEN_CONFIDENCE
        else:
            values["material_class"], values["material_confidence"] = key, confidence
    return Checked(report, lambda: _write_flows(parsed, report, source), partial)


def hazardous_code_quoted(label: str | None, waste: dict[str, bool] | None = None) -> str | None:
    """The hazardous List-of-Waste code a label quotes, as six digits, or None: hazard is a property of the code
    (Decision 2000/532/EC), typed in the code column or in the label (``materials.hazard.quoted_code``)."""
    from boucle.materials.hazard import quoted_code

    return quoted_code(label, waste)


def _flow_row(row, raw_sid, line, seen, site_ids, waste, within, header) -> tuple[int, str, dict]:
    """(site pk, identity, values) of one row of a flows file, or ``RowRejected`` naming every field at
    fault; a check that needs a field already at fault (a unit against an unreadable kind) is skipped."""
    errors = RowErrors()
    sid = raw_sid.replace(" ", "") if raw_sid.replace(" ", "").isdigit() else raw_sid
    if not sid:
        errors.add("site_id", _("%(column)s: valeur obligatoire") % {"column": "site_id"})
    elif within is not None and within.own and sid not in within.sites:
        errors.add("site_id", _("site_id: le site %(value)s n'est pas l'un de vos sites") % {"value": sid})
    elif sid not in site_ids:
        errors.add("site_id", _("site_id: site %(value)s inconnu (importez d'abord le fichier des sites)")
                   % {"value": sid})
    elif within is not None and sid not in within.sites:
        errors.add("site_id", _("site_id: le site %(value)s est hors du territoire de l'import") % {"value": sid})
    direction = errors.check("direction", lambda: F.choice("direction", row.get("direction", ""), DIRECTIONS,
                                                                 expected=CHOICE_WORDS["direction"]))
    label = errors.check("label", lambda: B.label("label", row.get("label", "").strip(), _length(Flow, "label")),
                         default="")
    if not label and errors.ok("label"):
        errors.add("label", _("%(column)s: valeur obligatoire") % {"column": "label"})
    kind = errors.check("kind", lambda: F.choice("kind", row.get("kind", ""), KINDS, default="material",
                                                       expected=CHOICE_WORDS["kind"]))
    ewc = errors.check("ewc_code", lambda: F.ewc(row.get("ewc_code", "")))
    if ewc and ewc not in waste:
        errors.add("ewc_code", _("ewc_code: %(code)s absent de la liste européenne des déchets")
                   % {"code": row["ewc_code"].strip()})
        ewc = None
    quantity = errors.check("quantity", lambda: F.number("quantity", row.get("quantity", ""), minimum=0))
    unit_text = row.get("unit", "").strip()
    unit = ""
    if unit_text:
        try:
            unit = units.canonical(unit_text)
        except ValueError as exc:
            errors.add("unit", f"unit: {exc}")
        if unit and errors.ok("kind") and units.dimension(unit) not in units.KIND_DIMENSIONS[kind]:
            from boucle.web.words import kind_label  # the kind in the reader's words, not its key

            errors.add("unit", _("unit: %(unit)s ne convient pas à un flux de type « %(kind)s » ; unités "
                                 "possibles : %(units)s")
                       % {"unit": unit, "kind": kind_label(kind), "units": ", ".join(units.units_for_kind(kind))})
    elif quantity is not None:
        errors.add("unit", _("unit: obligatoire quand quantity est donnée"))
    period = errors.check("period", lambda: F.choice("period", row.get("period", ""), PERIODS, default="year",
                                                           expected=CHOICE_WORDS["period"]))
    temperature = errors.check("temperature_c",
                               lambda: F.number("temperature_c", row.get("temperature_c", ""), minimum=-273.15))
    hazardous = errors.check("hazardous", lambda: F.boolean("hazardous", row.get("hazardous", "")))
    if hazardous is None and ewc:
        hazardous = waste[ewc]
    if hazardous is False and ewc and waste[ewc]:
        errors.add("hazardous", _("hazardous: le code %(code)s est un déchet dangereux (*)") % {"code": ewc})
    quoted = hazardous_code_quoted(label, waste) if not ewc and errors.ok("hazardous") else None
    if quoted and hazardous is None:
        hazardous = True  # the code the label quotes says it, as the code column would
    elif quoted and hazardous is False:
        errors.add("hazardous", _("hazardous: le libellé cite le code %(code)s, un déchet dangereux (*)")
                   % {"code": f"{quoted[:2]} {quoted[2:4]} {quoted[4:]}*"})
    start = errors.check("available_from", lambda: F.date("available_from", row.get("available_from", "")))
    end = errors.check("available_to", lambda: F.date("available_to", row.get("available_to", "")))
    if start and end and end < start:
        errors.add("available_to", _("available_to est antérieure à available_from"))
    confidential = errors.check("confidential",
                                lambda: F.boolean("confidential", row.get("confidential", ""), default=True))
    illustrative = errors.check("illustrative",
                                lambda: F.boolean("illustrative", row.get("illustrative", ""), default=False))
    route = errors.check("current_route", lambda: F.current_route(row.get("current_route", "")))
    named = row.get("material_class", "").strip()
    chosen = class_named(named) if named else ""
    if chosen is None:
        errors.add("material_class", _("material_class: %(value)s n'est pas une matière de la liste (nom ou clé)")
                   % {"value": named})
    external_id = errors.check("external_id", lambda: B.identifier("external_id", row.get("external_id", "").strip(),
                                                                    max_chars=120))
    if quantity is not None and unit and errors.ok("quantity", "unit", "kind", "period"):
        base, base_unit = units.to_base(quantity, unit, period)
        errors.check("quantity", lambda: B.quantity("quantity", quantity, base, base_unit))
    else:
        base, base_unit = None, ""
    errors.raise_any()
    identity = flow_identity(direction, kind, label, ewc, external_id)
    key = (sid, identity)
    if key in seen:
        raise F.CellError(_("flux en double (même site, sens, type, libellé et code déchet que la ligne %(line)d)")
                          % {"line": seen[key]})
    seen[key] = line
    return site_ids[sid], identity, {
        "direction": direction, "kind": kind, "label": label, "ewc_id": ewc,
        "quantity": quantity, "unit": unit, "period": period, "quantity_base": base, "base_unit": base_unit,
        "temperature_c": temperature, "hazardous": hazardous, "available_from": start, "available_to": end,
        "confidential": confidential, "illustrative": illustrative, "external_id": external_id,
        # only when the file has the column, so files without it re-import as unchanged
        **({"current_route": route} if "current_route" in header else {}),
        "material_class": chosen}


@transaction.atomic
def _write_flows(parsed, report, source):
    now = timezone.now()
    existing = {}
    site_pks = {p[1] for p in parsed}
    for flow in Flow.objects.filter(site_id__in=site_pks):
        existing[(flow.site_id, flow.identity)] = flow
    creates = []
    for _line, site_pk, identity, values in parsed:
        obj, action = _upsert(Flow, existing.get((site_pk, identity)), {"site_id": site_pk, "identity": identity},
                              values, report, now, source)
        if action == "create":
            creates.append(obj)
        elif action == "update":
            obj.save()
    for obj in creates:  # bulk_create does not call save()
        obj.refresh_declared_total()
    Flow.objects.bulk_create(creates, batch_size=500)
    report.written = True
