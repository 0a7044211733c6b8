"""The one write path for skills (a company's form, the API and file imports all call
``clean_declaration`` then ``save_declarations``; training offers come from files) and the
matching pages, API and command line share.

Every row or form is checked first, naming its line or field; nothing is written unless all rows
pass (or ``partial`` is asked). A site is named by its ``site_id`` as imported.
"""

import csv
import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from boucle.flows import bounds
from boucle.flows import fields as F
from boucle.flows.importers import Report, _check_header, identified_rows, write_identified
from boucle.flows.tabular import read_table

from . import engine
from .models import LEVEL_CHOICES, SkillDeclaration, TrainingOffer

ROME_CSV = Path(__file__).parent / "data" / "rome_codes.csv"
ROME_PATTERN = re.compile(r"^[A-N][0-9]{4}$")
LEVELS = {code for code, _label in LEVEL_CHOICES}
MAX_ROWS = 100_000
DIRECTION_WORDS = {"need": "need", "besoin": "need", "": "need", "offer": "offer", "offre": "offer",
                   "disponible": "offer", "competence disponible": "offer"}
NEED_COLUMNS = ["site_id", "direction", "rome_code", "label", "level", "headcount", "horizon_months", "note",
                "illustrative"]
TRAINING_COLUMNS = ["identifier", "organisation", "title", "rncp", "rome_codes", "level", "apprenticeship",
                    "commune_insee", "latitude", "longitude", "start_date", "end_date", "seats", "url", "source",
                    "illustrative"]


class SkillsError(ValueError):
    """A request that cannot run (unknown territory, bad radius): the message says what is accepted."""


@lru_cache(maxsize=1)
def rome_labels() -> dict[str, tuple[str, str]]:
    """ROME code → (French title, English title) for the codes Boucle ships (see the CSV's source)."""
    with ROME_CSV.open(encoding="utf-8") as fh:
        return {r["rome_code"]: (r["label_fr"], r["label_en"]) for r in csv.DictReader(fh)}


def rome_label(code: str) -> str:
    found = rome_labels().get(code)
    if not found:
        return ""
    return found[1] if (get_language() or "fr").startswith("en") else found[0]


def _rome(column: str, text: str) -> str:
    code = text.strip().upper()
    if code and not ROME_PATTERN.match(code):
        raise F.CellError(_("%(column)s : %(value)s n'est pas un code ROME (une lettre A à N et 4 chiffres, "
                            "par exemple H2913)") % {"column": column, "value": repr(text)})
    return code


def _level(text: str) -> str:
    value = text.strip().lower().removeprefix("niveau").strip()
    if value not in LEVELS:
        raise F.CellError(_("level : %(value)s inconnu (3 à 8, nomenclature nationale des certifications)")
                          % {"value": repr(text)})
    return value


def clean_declaration(row: dict) -> dict:
    """A need's or an offer's values from text fields (file row, form or API), or ``CellError``."""
    direction = DIRECTION_WORDS.get(engine.fold(row.get("direction", "")).strip())
    if direction is None:
        raise F.CellError(_("direction : %(value)s inconnue (need/besoin, offer/offre)") % {"value": repr(row.get("direction"))})
    rome = _rome("rome_code", row.get("rome_code", ""))
    label = bounds.label("label", row.get("label", "").strip(), 200) or rome_label(rome)
    if not label:
        raise F.CellError(_("label : le métier en mots, ou un code ROME connu"))
    headcount = F.number("headcount", str(row.get("headcount", "") or "1"), minimum=1)
    if headcount != int(headcount) or headcount > 10_000:
        raise F.CellError(_("headcount : un nombre entier de personnes, de 1 à 10 000"))
    horizon = F.number("horizon_months", str(row.get("horizon_months", "") or "6"), minimum=0)
    if horizon != int(horizon) or horizon > 60:
        raise F.CellError(_("horizon_months : un nombre entier de mois, de 0 à 60"))
    return {"direction": direction, "rome_code": rome, "label": label, "level": _level(row.get("level", "")),
            "headcount": int(headcount), "horizon_months": int(horizon),
            "note": bounds.text("note", row.get("note", "").strip(), max_chars=2000),
            "illustrative": F.boolean("illustrative", str(row.get("illustrative", "")), default=False)}


@transaction.atomic
def save_declarations(items, *, source: str, user=None) -> tuple[int, int, int]:
    """Create or update (site, values) pairs; a line is one site, direction, code and label."""
    created = updated = unchanged = 0
    for site, values in items:
        key = {k: values[k] for k in ("direction", "rome_code", "label")}
        rest = {k: v for k, v in values.items() if k not in key}
        found = SkillDeclaration.objects.filter(site=site, **key).first()
        if found is None:
            SkillDeclaration.objects.create(site=site, source=source, created_by=user, **key, **rest)
            created += 1
        elif all(getattr(found, k) == v for k, v in rest.items()):
            unchanged += 1
        else:
            for k, v in rest.items():
                setattr(found, k, v)
            found.save()
            updated += 1
    return created, updated, unchanged


def import_declarations(path, *, partial: bool = False, source: str = "import") -> Report:
    """Import skill needs and offers (CSV or XLSX), one per line with its ``site_id``."""
    from boucle.flows.models import Site

    report = Report()
    table = read_table(path)
    _check_header(table.header, NEED_COLUMNS, ["site_id"], report)
    if "label" not in table.header and "rome_code" not in table.header:
        from boucle.flows.tabular import FileFormatError

        raise FileFormatError(_("colonnes obligatoires manquantes : label ou rome_code"))
    sites = {s.site_id: s for s in Site.objects.all().only("pk", "site_id")}
    parsed = []
    for line, row in table.rows:
        if len(parsed) + len(report.rejected) >= MAX_ROWS:
            report.rejected.append((line, _("plus de %(max)d lignes : coupez le fichier") % {"max": MAX_ROWS}))
            break
        try:
            sid = bounds.text("site_id", row.get("site_id", "").strip(), max_chars=64, identifier=True)
            if sid not in sites:
                raise F.CellError(_("site_id: site %(value)s inconnu (importez d'abord le fichier des sites)")
                                  % {"value": sid})
            parsed.append((sites[sid], clean_declaration(row)))
        except F.CellError as exc:
            report.rejected.append((line, str(exc)))
    if report.rejected and not partial:
        return report
    report.created, report.updated, report.unchanged = save_declarations(parsed, source=source)
    report.written = True
    return report


def _training_row(row: dict, communes: dict) -> dict:
    organisation = bounds.label("organisation", row.get("organisation", "").strip(), 200)
    title = bounds.label("title", row.get("title", "").strip(), 300)
    if not organisation or not title:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "organisation" if not organisation else "title"})
    romes = []
    for part in re.split(r"[|;,]", row.get("rome_codes", "")):
        code = _rome("rome_codes", part)
        if code and code not in romes:
            romes.append(code)
    insee = row.get("commune_insee", "").strip()
    if insee not in communes:
        raise F.CellError(_("commune_insee: %(code)s inconnue") % {"code": insee or "—"})
    lat = F.number("latitude", row.get("latitude", ""))
    lon = F.number("longitude", row.get("longitude", ""))
    if (lat is None) != (lon is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)):
        raise F.CellError(_("latitude, longitude : les deux en degrés, ou aucune (centre de la commune)"))
    if lat is None:
        lat, lon = communes[insee]
    start, end = F.date("start_date", row.get("start_date", "")), F.date("end_date", row.get("end_date", ""))
    if start and end and end < start:
        raise F.CellError(_("end_date : avant start_date"))
    seats = F.number("seats", row.get("seats", ""), minimum=1)
    if seats is not None and (seats != int(seats) or seats > 10_000):
        raise F.CellError(_("seats : un nombre entier de places, de 1 à 10 000"))
    url = row.get("url", "").strip()
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        raise F.CellError(_("url : %(url)s n'est pas une adresse http(s)") % {"url": repr(url)})
    source = bounds.label("source", row.get("source", "").strip(), 200)
    if not source:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "source"})
    return {"organisation": organisation, "title": title, "rncp": bounds.label("rncp", row.get("rncp", "").strip(), 20),
            "rome_codes": romes, "level": _level(row.get("level", "")),
            "apprenticeship": F.boolean("apprenticeship", row.get("apprenticeship", ""), default=False),
            "commune_id": insee, "lat": lat, "lon": lon, "start_date": start, "end_date": end,
            "seats": int(seats) if seats is not None else None, "url": url, "source": source,
            "illustrative": F.boolean("illustrative", row.get("illustrative", ""), default=False)}


def import_trainings(path, *, partial: bool = False) -> Report:
    """Import training offers and apprenticeships (CSV or XLSX); all or nothing unless ``partial``."""
    from boucle.territories.models import Commune

    report = Report()
    table = read_table(path)
    _check_header(table.header, TRAINING_COLUMNS, ["identifier", "organisation", "title", "commune_insee", "source"], report)
    communes = {insee: (lat, lon) for insee, lat, lon in Commune.objects.values_list("insee", "lat", "lon")}
    parsed = identified_rows(table, report, lambda row: _training_row(row, communes), max_rows=MAX_ROWS)
    if report.rejected and not partial:
        return report
    write_identified(TrainingOffer, parsed, report)
    return report


# --- matching ----------------------------------------------------------------------------------

def _radius(value, default: float) -> float:
    if value in (None, ""):
        return default
    try:
        km = float(value)
    except (TypeError, ValueError):
        raise SkillsError(_("rayon : un nombre de km entre 1 et 200")) from None
    if not 1 <= km <= 200:
        raise SkillsError(_("rayon : un nombre de km entre 1 et 200"))
    return km


def resolve_territory(text: str):
    """The territory a user names, or SkillsError listing the accepted forms."""
    from boucle.territories.refs import TerritoryError, resolve

    try:
        return resolve(text)
    except TerritoryError as exc:
        raise SkillsError(_("territoire inconnu (%(error)s) : region:32, departement:59, epci:SIREN ou "
                            "commune:INSEE") % {"error": exc}) from None


def for_viewer(doc: dict, user) -> dict:
    """``doc`` (``match_territory``) as ``user`` may read it: an offer matched across the territory's
    edge, from a site the user does not see in full, is counted with its skill (the ROME title, or the
    need's own words: its label is the company's free text, like a flow's) and its distance to the
    kilometre, never with its site's name or identifier."""
    from boucle.accounts.access import sites_in_full_view

    ids = {o["site_id"] for n in doc["needs"] for o in n["offers"]}
    seen = set(sites_in_full_view(user).filter(site_id__in=ids).values_list("site_id", flat=True)) if ids else set()
    hidden = [o["id"] for n in doc["needs"] for o in n["offers"] if o["site_id"] not in seen]
    romes = dict(SkillDeclaration.objects.filter(pk__in=hidden).values_list("pk", "rome_code")) if hidden else {}

    def offer(o, need):
        if o["site_id"] in seen:
            return o
        return {**o, "site_id": None, "site": _("Entreprise anonyme"), "distance_km": float(round(o["distance_km"])),
                "label": rome_label(romes.get(o["id"], "")) or need["label"]}

    return {**doc, "needs": [{**n, "offers": [offer(o, n) for o in n["offers"]]} for n in doc["needs"]]}


def match_territory(territory: str, *, radius_km=None, pool_km=None, today: dt.date | None = None,
                    declarations=None) -> dict:
    """Needs in ``territory`` with their training offers, other companies' offers and pools, and the
    unmet needs per EPCI: one document (the command line prints it; pages and API read it)."""
    ref = resolve_territory(territory)
    radius, pool = _radius(radius_km, engine.COMMUTE_KM), _radius(pool_km, engine.POOL_KM)
    communes = set(ref.communes().values_list("insee", flat=True))
    rows = declarations if declarations is not None else SkillDeclaration.objects.all()
    rows = list(rows.filter(site__lat__isnull=False).select_related("site__company", "site__commune__epci"))
    needs_rows = [d for d in rows if d.direction == "need" and d.site.commune_id in communes]
    offer_rows = [d for d in rows if d.direction == "offer"]
    trainings = {t.pk: t for t in TrainingOffer.objects.select_related("commune")}
    needs = [engine.Need(d.pk, d.site.company_id, d.rome_code, engine.words(d.label), d.headcount, d.site.lat,
                         d.site.lon, (d.site.commune.epci_id or "") if d.site.commune else "") for d in needs_rows]
    points = [engine.Training(t.pk, tuple(t.rome_codes), engine.words(t.title), t.lat, t.lon, t.start_date, t.end_date)
              for t in trainings.values()]
    offers = [engine.Offer(d.pk, d.site.company_id, d.rome_code, engine.words(d.label), d.site.lat, d.site.lon)
              for d in offer_rows]
    matches, pools = engine.match(needs, points, offers, radius_km=radius, pool_km=pool, today=today)
    by_pk = {d.pk: d for d in rows}
    epci_names = {d.site.commune.epci_id: d.site.commune.epci.name for d in needs_rows
                  if d.site.commune and d.site.commune.epci_id}

    def need_doc(m):
        d = by_pk[m.need]
        return {"id": d.pk, "site_id": d.site.site_id, "site": d.site.name, "company_id": d.site.company_id,
                "rome_code": d.rome_code, "label": d.label, "level": d.level, "headcount": d.headcount,
                "horizon_months": d.horizon_months, "epci": epci_names.get(d.site.commune.epci_id if d.site.commune else None, ""),
                "illustrative": d.illustrative, "pool": m.pool,
                "trainings": [training_doc(trainings[k], km) for k, km in m.trainings],
                "offers": [{"id": k, "site_id": by_pk[k].site.site_id, "site": by_pk[k].site.name, "label": by_pk[k].label,
                            "headcount": by_pk[k].headcount, "distance_km": km} for k, km in m.offers]}

    unmet = engine.unmet_by_epci(needs, matches)
    for row in unmet:
        row["name"] = epci_names.get(row["epci"], _("hors intercommunalité"))
    return {"territory": str(ref), "territory_name": ref.name, "radius_km": radius, "pool_km": pool,
            "needs": [need_doc(m) for m in matches],
            "pools": [{"id": p.key, "rome_code": p.rome, "label": rome_label(p.rome) or by_pk[p.needs[0]].label,
                       "companies": p.companies, "headcount": p.headcount, "needs": list(p.needs),
                       "sites": [by_pk[k].site.site_id for k in p.needs]} for p in pools],
            "unmet_by_epci": unmet}


def training_doc(t: TrainingOffer, km: float | None = None) -> dict:
    return {"id": t.identifier, "organisation": t.organisation, "title": t.title, "rncp": t.rncp,
            "rome_codes": list(t.rome_codes), "level": t.level, "apprenticeship": t.apprenticeship,
            "commune": t.commune.name, "start_date": t.start_date.isoformat() if t.start_date else None,
            "end_date": t.end_date.isoformat() if t.end_date else None, "seats": t.seats, "url": t.url,
            "source": t.source, "illustrative": t.illustrative, "distance_km": km}
