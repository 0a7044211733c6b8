"""The one write path for aids (import from CSV or JSON, a facilitator's form, the API) and the
queries pages, API and command line share.

Every value goes through ``parse_row`` — the import's row check, which the form and the API call
too — so a value refused in a file is refused on screen and through the API. An import checks
every row first, with its line number (a JSON entry's number), and writes nothing unless all rows
pass (or ``partial`` is asked); re-importing the same file changes nothing, and a field a
facilitator corrected (``Aid.corrected``) is left as they wrote it by later imports.
"""

import datetime as dt
import unicodedata
from urllib.parse import urlparse

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boucle.flows import bounds as B
from boucle.flows import fields as F
from boucle.flows.importers import Report, _check_header, _jsonable, identified_rows, write_identified
from boucle.flows.tabular import FileFormatError, existing_file, read_table, with_aliases

from . import engine
from .models import AID_TYPE_LABELS, BENEFICIARY_LABELS, RECURRENCE_LABELS, THEME_LABELS, Aid, scope_label

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_LIST_ITEMS = 50
COLUMNS = ["identifier", "name", "url", "description", "financers", "perimeter", "beneficiaries", "themes",
           "scope", "aid_types", "deadline", "recurrence", "origin", "note", "to_verify", "written_on"]
REQUIRED = ["identifier", "name", "url", "financers", "perimeter", "beneficiaries", "themes", "origin"]
#: Aides-territoires' export (and French headers) read as ours.
ALIASES = {"id": "identifier", "slug": "identifier", "nom": "name", "intitule": "name", "intitulé": "name",
           "lien": "url", "origin_url": "url", "financeurs": "financers", "porteurs": "financers",
           "perimetre": "perimeter", "périmètre": "perimeter", "targeted_audiences": "beneficiaries",
           "beneficiaires": "beneficiaries", "bénéficiaires": "beneficiaries", "categories": "themes",
           "thematiques": "themes", "thématiques": "themes", "types": "aid_types", "types_d_aide": "aid_types",
           "submission_deadline": "deadline", "date_limite": "deadline", "recurrence": "recurrence",
           "récurrence": "recurrence", "source": "origin", "origine": "origin", "a_verifier": "to_verify",
           "à_vérifier": "to_verify", "redige_le": "written_on", "rédigé_le": "written_on",
           "portee": "scope", "portée": "scope", "finance": "scope", "matieres": "scope", "matières": "scope"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'").replace("-", " ").replace("_", " ")


class Words(dict):
    """Folded word → key, and the key's label (for the error that lists what is accepted)."""

    def __init__(self, words: dict, labels: dict):
        super().__init__(words)
        self.labels = labels


def _words(keys, labels: dict, extra: dict) -> Words:
    """Every way to write a key: the key, its label in French and in English, a few usual words. Both
    languages, whatever the language of the session importing the file: a file reads the same for all."""
    from django.utils import translation

    out = {_fold(k): k for k in keys}
    for language in ("en", "fr"):
        with translation.override(language):
            out.update({_fold(str(labels[k])): k for k in keys})
    out.update({_fold(w): k for w, k in extra.items()})
    return Words(out, labels)


THEME_WORDS = _words(engine.THEMES, THEME_LABELS, {
    "economie circulaire": "circular_economy", "circular economy": "circular_economy", "recyclage": "circular_economy",
    "reemploi": "circular_economy", "dechets": "waste", "waste": "waste", "energie": "energy", "chaleur": "energy",
    "energy": "energy", "heat": "energy", "water": "water", "industry": "industry", "decarbonation": "decarbonisation",
    "climat": "decarbonisation", "emploi": "skills", "competences": "skills", "formation": "skills",
    "emploi competences": "skills", "emploi/competences": "skills", "skills": "skills", "innovation": "innovation"})
BENEFICIARY_WORDS = _words(engine.BENEFICIARIES, BENEFICIARY_LABELS, {
    "entreprises": "company", "entreprise": "company", "private company": "company", "private_sector": "company",
    "collectivites": "local_authority", "commune": "local_authority", "epci": "local_authority",
    "public_cies": "local_authority", "associations": "association", "researcher": "research",
    "laboratoire": "research", "public_org": "public_body"})
AID_TYPE_WORDS = _words(engine.AID_TYPES, AID_TYPE_LABELS, {
    "subvention": "grant", "pret": "loan", "avance recuperable": "recoverable_advance", "avance": "recoverable_advance",
    "ingenierie": "engineering", "accompagnement": "engineering", "technical": "engineering",
    "financial": "grant", "garantie": "guarantee"})
RECURRENCE_WORDS = _words(engine.RECURRENCES, RECURRENCE_LABELS, {
    "permanent": "permanent", "ongoing": "permanent", "recurrent": "recurring", "ponctuel": "one_off",
    "oneoff": "one_off"})
class _ScopeLabels(dict):
    def __missing__(self, key):
        return scope_label(key)


#: A scope value by its key, the name of a flow kind or of a material family (French or English),
#: a few usual words. The names are those of ``web.words.KIND_LABELS`` and ``materials.labels``.
SCOPE_WORDS = _words(engine.scope_values(), _ScopeLabels(), {
    "matiere": "material", "matieres": "material", "toutes matieres": "material", "any material": "material",
    "energie": "energy", "chaleur": "energy", "froid": "energy", "energy": "energy", "heat": "energy",
    "eau": "water", "water": "water", "equipements": "equipment", "services": "service",
    "plastique": "plastics", "metal": "metals", "verre": "glass", "papier": "paper", "carton": "paper",
    "textile": "textiles", "boue": "sludges", "mineraux": "minerals", "scories": "ashes_slags",
    "laitiers": "ashes_slags", "cendres": "ashes_slags"})
PERIMETER_WORDS = {"fr": "FR", "france": "FR", "national": "FR", "nationale": "FR", "eu": "EU", "ue": "EU",
                   "europe": "EU", "europeen": "EU", "union europeenne": "EU"}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", "|").replace("\n", "|").split("|") if part.strip()]


def _keys(column: str, text: str, words: dict, *, required: bool) -> list[str]:
    out = []
    parts = _split(text)
    if len(parts) > MAX_LIST_ITEMS:
        raise F.CellError(_("%(column)s: plus de %(max)d valeurs") % {"column": column, "max": MAX_LIST_ITEMS})
    for word in parts:
        key = words.get(_fold(word))
        if key is None:
            raise F.CellError(_("%(column)s: %(word)s inconnu, attendu %(choices)s")
                              % {"column": column, "word": repr(word),
                                 "choices": ", ".join(sorted(str(words.labels[k]) for k in set(words.values())))})
        if key not in out:
            out.append(key)
    if required and not out:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": column})
    return out


class Territories:
    """The territory codes that exist, read once per import (a commune list is 35,000 short strings)."""

    def __init__(self):
        from boucle.territories.models import Commune, Departement, Epci, Region

        self.codes = {"region": set(Region.objects.values_list("code", flat=True)),
                      "departement": set(Departement.objects.values_list("code", flat=True)),
                      "epci": set(Epci.objects.values_list("siren", flat=True)),
                      "commune": set(Commune.objects.values_list("insee", flat=True))}

    def ref(self, word: str) -> str:
        folded = _fold(word)
        if folded in PERIMETER_WORDS:
            return PERIMETER_WORDS[folded]
        level, sep, code = word.partition(":")
        level = {"reg": "region", "région": "region", "dep": "departement", "département": "departement",
                 "department": "departement", "com": "commune"}.get(level.strip().lower(), level.strip().lower())
        code = code.strip().upper()
        if not sep or level not in engine.LEVELS:
            raise F.CellError(_("perimeter: %(word)s n'est pas une référence de territoire (FR, EU, region:32, "
                                "departement:59, epci:SIREN, commune:INSEE)") % {"word": repr(word)})
        if code not in self.codes[level]:
            raise F.CellError(_("perimeter: %(word)s inconnu") % {"word": repr(word)})
        return f"{level}:{code}"


def parse_row(row: dict, territories: Territories) -> dict:
    """One aid's values from one row of text, or ``CellError`` naming the column."""
    B.row({k: v for k, v in row.items() if isinstance(v, str)})
    name = B.label("name", row.get("name", "").strip(), 250)
    if not name:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "name"})
    url = B.label("url", row.get("url", "").strip(), 500)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
        raise F.CellError(_("url: %(url)s n'est pas une adresse http(s)") % {"url": repr(url)})
    financers = [B.label("financers", f, 200) for f in _split(row.get("financers", ""))]
    if not financers:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "financers"})
    if len(financers) > MAX_LIST_ITEMS:
        raise F.CellError(_("%(column)s: plus de %(max)d valeurs") % {"column": "financers", "max": MAX_LIST_ITEMS})
    perimeter = []
    for word in _split(row.get("perimeter", "")):
        ref = territories.ref(word)
        if ref not in perimeter:
            perimeter.append(ref)
    if not perimeter:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "perimeter"})
    if len(perimeter) > 200:
        raise F.CellError(_("%(column)s: plus de %(max)d valeurs") % {"column": "perimeter", "max": 200})
    origin = B.label("origin", row.get("origin", "").strip(), 300)
    if not origin:
        raise F.CellError(_("%(column)s: valeur obligatoire") % {"column": "origin"})
    recurrence = row.get("recurrence", "").strip()
    recurrence = _keys("recurrence", recurrence, RECURRENCE_WORDS, required=False) if recurrence else []
    if len(recurrence) > 1:
        raise F.CellError(_("recurrence: une seule valeur"))
    deadline = F.date("deadline", row.get("deadline", ""))
    values = {
        "name": name, "url": url, "description": B.text("description", row.get("description", "").strip(), max_chars=5000),
        "financers": financers, "perimeter": perimeter,
        "beneficiaries": _keys("beneficiaries", row.get("beneficiaries", ""), BENEFICIARY_WORDS, required=True),
        "themes": _keys("themes", row.get("themes", ""), THEME_WORDS, required=True),
        "scope": _keys("scope", row.get("scope", ""), SCOPE_WORDS, required=False),
        "aid_types": _keys("aid_types", row.get("aid_types", ""), AID_TYPE_WORDS, required=False),
        "deadline": deadline,
        "recurrence": recurrence[0] if recurrence else ("one_off" if deadline else "permanent"),
        "origin": origin, "note": B.text("note", row.get("note", "").strip(), max_chars=2000),
        "to_verify": F.boolean("to_verify", row.get("to_verify", ""), default=True),
        "written_on": F.date("written_on", row.get("written_on", "")),
    }
    return values


# --- import ------------------------------------------------------------------------------------

def import_aids(path, *, partial: bool = False, user=None) -> Report:
    """Import aids from a CSV, XLSX or JSON file; all or nothing unless ``partial``."""
    path = existing_file(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileFormatError(_("fichier refusé : %(size)s Mo (%(max)s Mo au plus)")
                              % {"size": f"{size / 1e6:.1f}", "max": f"{MAX_FILE_BYTES / 1e6:.0f}"})
    table = read_table(path, json_key="aids")
    table = with_aliases(table, ALIASES)
    report = Report()
    _check_header(table.header, COLUMNS, REQUIRED, report)
    territories = Territories()
    parsed = identified_rows(table, report, lambda row: parse_row(row, territories), max_rows=MAX_ROWS)
    if report.rejected and not partial:
        return report
    write_identified(Aid, parsed, report, stamp={"updated_by": user}, corrected=lambda aid: aid.corrected)
    return report


# --- a facilitator's edits ---------------------------------------------------------------------

def as_row(values: dict) -> dict:
    """Form or API values (lists, dates, booleans) as the text of an import row, for ``parse_row``."""
    def text(value):
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            return "|".join(str(v) for v in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    return {k: text(v) for k, v in values.items()}


def _new_identifier(name: str) -> str:
    from django.utils.text import slugify

    base = ("boucle-" + slugify(name))[:100] or "boucle-aide"
    candidate, n = base, 1
    while Aid.objects.filter(identifier=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def save_aid(values: dict, user, aid: Aid | None = None) -> Aid:
    """Create or update one aid from a facilitator's values (raises ``CellError`` naming the field)."""
    parsed = parse_row(as_row(values), Territories())
    if aid is None:
        aid = Aid(identifier=_new_identifier(parsed["name"]))
    imported = aid.imported_values or {}
    changed = {name for name, value in _jsonable(parsed).items() if imported and imported.get(name) != value}
    aid.corrected = sorted(set(aid.corrected) | changed)
    for name, value in parsed.items():
        setattr(aid, name, value)
    aid.updated_by = user
    aid.save()
    return aid


def set_archived(aid: Aid, user, archived: bool = True) -> Aid:
    aid.archived, aid.updated_by = archived, user
    aid.save(update_fields=["archived", "updated_by", "updated_at"])
    return aid


# --- reading -----------------------------------------------------------------------------------

def _label_list(keys, labels) -> list[str]:
    return [str(labels.get(k, k)) for k in keys]


def perimeter_names(refs) -> dict[str, str]:
    """``region:32`` → « Hauts-de-France », in a few queries for a whole page."""
    from boucle.territories.models import Commune, Departement, Epci, Region

    by_level: dict[str, set] = {}
    for ref in refs:
        level, _sep, code = ref.partition(":")
        by_level.setdefault(level, set()).add(code)
    names = {"FR": _("France entière"), "EU": _("Union européenne")}
    for level, model, key in (("region", Region, "code"), ("departement", Departement, "code"),
                              ("epci", Epci, "siren"), ("commune", Commune, "insee")):
        if by_level.get(level):
            for code, name in model.objects.filter(**{f"{key}__in": by_level[level]}).values_list(key, "name"):
                names[f"{level}:{code}"] = name
    return names


def status(aid: Aid, today: dt.date) -> str:
    """open, next_session (recurring, last deadline passed) or closed (one-off, deadline passed)."""
    if aid.deadline is None or aid.deadline >= today:
        return "open"
    return "closed" if aid.recurrence == "one_off" else "next_session"


STATUS_LABELS = {"open": gettext_lazy("ouverte"), "next_session": gettext_lazy("prochaine session à confirmer"),
                 "closed": gettext_lazy("clôturée")}


def aid_dict(aid: Aid, today: dt.date, names: dict | None = None) -> dict:
    names = names if names is not None else perimeter_names(aid.perimeter)
    state = status(aid, today)
    return {"id": aid.pk, "identifier": aid.identifier, "name": aid.name, "url": aid.url,
            "description": aid.description, "financers": list(aid.financers),
            "perimeter": list(aid.perimeter), "perimeter_names": [str(names.get(r, r)) for r in aid.perimeter],
            "beneficiaries": list(aid.beneficiaries), "themes": list(aid.themes), "scope": list(aid.scope), "aid_types": list(aid.aid_types),
            "deadline": aid.deadline.isoformat() if aid.deadline else None, "recurrence": aid.recurrence,
            "status": state, "open": state != "closed",
            "origin": aid.origin, "note": aid.note, "to_verify": aid.to_verify,
            "written_on": aid.written_on.isoformat() if aid.written_on else None, "archived": aid.archived}


def labelled(row: dict) -> dict:
    """A dict of ``aid_dict`` with the words a page shows."""
    row["theme_labels"] = _label_list(row["themes"], THEME_LABELS)
    row["scope_labels"] = [scope_label(k) for k in row.get("scope", ())]
    row["type_labels"] = _label_list(row["aid_types"], AID_TYPE_LABELS)
    row["beneficiary_labels"] = _label_list(row["beneficiaries"], BENEFICIARY_LABELS)
    row["recurrence_label"] = str(RECURRENCE_LABELS.get(row["recurrence"], row["recurrence"]))
    row["status_label"] = str(STATUS_LABELS[row["status"]])
    row["deadline_date"] = dt.date.fromisoformat(row["deadline"]) if row["deadline"] else None
    row["written_on_date"] = dt.date.fromisoformat(row["written_on"]) if row["written_on"] else None
    return row


def search(*, text: str = "", theme: str = "", aid_type: str = "", territory: str = "", beneficiary: str = "",
           include_closed: bool = False, include_archived: bool = False, today: dt.date | None = None) -> list[Aid]:
    """The catalogue filtered in Python (a few hundred rows; JSON lists filter alike on SQLite and PostgreSQL).

    ``territory`` is a reference (``region:32``, ``epci:…``): aids whose perimeter contains it
    (the same level or a larger one holding it, national and European included)."""
    today = today or timezone.localdate()
    aids = Aid.objects.all() if include_archived else Aid.objects.filter(archived=False)
    if text:
        aids = [a for a in aids if _fold(text) in _fold(f"{a.name} {a.description} {' '.join(a.financers)}")]
    aids = list(aids)
    if theme:
        aids = [a for a in aids if theme in a.themes]
    if aid_type:
        aids = [a for a in aids if aid_type in a.aid_types]
    if beneficiary:
        aids = [a for a in aids if beneficiary in a.beneficiaries]
    if territory:
        places = set(places_of_ref(territory))
        aids = [a for a in aids if places.intersection(a.perimeter) or "FR" in a.perimeter or "EU" in a.perimeter]
    if not include_closed:
        aids = [a for a in aids if status(a, today) != "closed"]
    return aids


def places_of_ref(ref: str) -> list[str]:
    """A territory reference and every larger one holding it (a commune's EPCI, département, région)."""
    from boucle.territories.models import Commune, Departement

    level, _sep, code = ref.partition(":")
    if level == "commune":
        commune = Commune.objects.select_related("departement").filter(insee=code).first()
        return _commune_places(commune) if commune else [ref]
    if level == "departement":
        dep = Departement.objects.filter(code=code).first()
        return [ref] + ([f"region:{dep.region_id}"] if dep else [])
    if level == "epci":
        regions = set()
        deps = set()
        for dep_code, region in Commune.objects.filter(epci_id=code).values_list("departement_id",
                                                                                 "departement__region_id"):
            deps.add(f"departement:{dep_code}")
            regions.add(f"region:{region}")
        return [ref] + sorted(deps) + sorted(regions)
    return [ref]


def _commune_places(commune, *, precise: bool = True) -> list[str]:
    out = [f"commune:{commune.insee}"] if precise else []
    if commune.epci_id:
        out.append(f"epci:{commune.epci_id}")
    out += [f"departement:{commune.departement_id}", f"region:{commune.departement.region_id}"]
    return out


# --- matching ----------------------------------------------------------------------------------

def _site_places(site, precise: bool = True) -> list[str]:
    """The territories a site stands in; for a reader who may not see it (``precise`` False), only from the area
    its anonymous card tells up (``territories.secrecy``: its EPCI where three establishments of its activity
    share it, else its département or region): an aid of a smaller territory would tell where it is."""
    if not site.commune_id:
        return []
    places = _commune_places(site.commune, precise=precise)
    if precise:
        return places
    from boucle.territories.coarse import AREA_LEVELS
    from boucle.territories.secrecy import area_told

    area = area_told(site, finest="epci")
    kept = AREA_LEVELS[AREA_LEVELS.index(area.level):] if area else ()
    return [ref for ref in places if ref.partition(":")[0] in kept]


def _reason_text(code: str, values: dict, names: dict) -> str:
    if code == "territory":
        level, ref = values["level"], values["ref"]
        if level == "FR":
            return _("dispositif national")
        if level == "EU":
            return _("programme européen ouvert à la France")
        what = {"commune": _("commune"), "epci": _("intercommunalité"), "departement": _("département"),
                "region": _("région")}[level]
        return _("périmètre : %(name)s (%(level)s)") % {"name": names.get(ref, ref), "level": what}
    if code == "beneficiary":
        return _("ouvert aux %(who)s") % {"who": {"company": _("entreprises"), "local_authority": _("collectivités"),
                                                   "association": _("associations"), "research": _("organismes de recherche"),
                                                   "public_body": _("établissements publics")}[values["beneficiary"]]}
    if code == "scope":
        return _("finance des projets sur : %(what)s") % {"what": ", ".join(scope_label(k) for k in values["scope"])}
    if code == "scope_unchecked":
        return _("ne finance que : %(what)s — la matière échangée n'est pas encore identifiée, à vérifier") % {
            "what": ", ".join(scope_label(k) for k in values["scope"])}
    if code == "themes":
        return _("thème : %(themes)s") % {"themes": ", ".join(str(THEME_LABELS[t]) for t in values["themes"])}
    if code == "no_deadline":
        return (_("sans date limite (dispositif permanent)") if values["recurrence"] == "permanent"
                else _("sans date limite connue (sessions successives)"))
    if code == "deadline":
        return _("date limite le %(date)s") % {"date": values["date"].isoformat()}
    if code == "next_session":
        return _("session close le %(date)s, prochaine session à confirmer") % {"date": values["date"].isoformat()}
    return code


def _matches(subject: engine.Subject, today: dt.date | None, limit: int | None) -> list[dict]:
    today = today or timezone.localdate()
    # The curation of the territories the subject stands in: hidden aids are not offered there,
    # pinned ones come first.
    views = curations_for(subject.places)
    hidden = [k for k, v in views.items() if v.hidden]
    # Only what the matcher reads, for the whole catalogue; the full rows for the matches alone.
    fields = ("pk", "name", "perimeter", "beneficiaries", "themes", "aid_types", "deadline", "recurrence", "scope")
    catalogue = [engine.Aid(pk, name, tuple(perimeter), tuple(beneficiaries), tuple(themes), tuple(types), deadline,
                            recurrence, tuple(scope or ()))
                 for pk, name, perimeter, beneficiaries, themes, types, deadline, recurrence, scope
                 in Aid.objects.filter(archived=False).exclude(pk__in=hidden).values_list(*fields)]
    found = engine.match(catalogue, subject, today, limit=limit)
    order = {k: i for i, k in enumerate(engine.pinned_first([m.aid.key for m in found], views))}
    found.sort(key=lambda m: order[m.aid.key])
    rows = Aid.objects.in_bulk([m.aid.key for m in found])
    names = perimeter_names({r for m in found for r in m.aid.perimeter} | set(subject.places))
    worded: dict = {}  # the same reasons recur across aids: each is translated once

    def word(code, values):
        key = (code, repr(sorted(values.items())))
        if key not in worded:
            worded[key] = _reason_text(code, values, names)
        return worded[key]

    out = []
    separator = _(" ; ")  # French puts a space before the semicolon, English does not
    for m in found:
        row = aid_dict(rows[m.aid.key], today, names)
        row["why"] = separator.join(word(code, values) for code, values in m.reasons)
        row["score"] = m.score
        out.append(row)
    return curated_rows(out, views)


def materials_of(pairs) -> tuple[tuple[str, str], ...]:
    """(flow kind, material family) of (kind, material class key) pairs, once each; the family is ""
    for a material not classified (the scope of an aid then cannot be checked)."""
    out: list[tuple[str, str]] = []
    for kind, material_class in pairs:
        item = (kind or "material", engine.family_of(material_class or ""))
        if item not in out:
            out.append(item)
    return tuple(out)


def subject_for_sites(sites, *, kinds=(), extra_themes=(), precise_sites=None, materials=()) -> engine.Subject:
    """Where a set of sites stands and what it is about. ``precise_sites``: the sites whose commune
    may count (for the others, the area their anonymous card tells and larger only: ``_site_places``).
    ``materials``: (kind, material class key) of what is exchanged (``materials_of``)."""
    places: list[str] = []
    for site in sites:
        precise = precise_sites is None or site.pk in precise_sites
        for ref in _site_places(site, precise):
            if ref not in places:
                places.append(ref)
    countries = tuple(sorted({s.country or "FR" for s in sites})) or ("FR",)
    themes = engine.themes_for(kinds, [s.naf_id for s in sites], extra_themes)
    return engine.Subject(tuple(places), countries, "company", themes, materials_of(materials))


def for_site(site, *, today=None, limit=None) -> list[dict]:
    pairs = list(dict.fromkeys(site.flows.values_list("kind", "material_class")))
    kinds = list(dict.fromkeys(kind for kind, _c in pairs))
    return _matches(subject_for_sites([site], kinds=kinds or ["material"], materials=pairs),
                    today, limit)


def for_flow(flow, *, today=None, limit=None) -> list[dict]:
    return _matches(subject_for_sites([flow.site], kinds=[flow.kind], materials=[(flow.kind, flow.material_class)]),
                    today, limit)


def synergy_materials(synergy) -> list[tuple[str, str]]:
    """What a synergy exchanges: the class it was matched on, the offer's and the need's (each with
    its flow's kind); classes unknown to the taxonomy count as not classified."""
    pairs = [(synergy.offer.kind, synergy.material_class), (synergy.offer.kind, synergy.offer.material_class)]
    if synergy.need_id:
        pairs.append((synergy.need.kind, synergy.need.material_class))
    known = [(k, c) for k, c in pairs if engine.family_of(c or "")]
    return known or [(synergy.offer.kind, "")]


def _synergy_sites(synergy):
    from boucle.flows.models import Site

    return list(Site.objects.select_related("commune__departement").filter(
        pk__in=[synergy.offer.site_id, synergy.need_site_id]))


def for_synergy(synergy, *, user=None, today=None, limit=None) -> list[dict]:
    """Aids for a synergy: the territories of both sites (a site the user may not see in full counts
    from the area its anonymous card tells up: ``_site_places``), the themes of what is exchanged."""
    sites = _synergy_sites(synergy)
    precise = None
    if user is not None:
        from boucle.accounts.access import can_see_site

        precise = {s.pk for s in sites if can_see_site(user, s)}
    kinds = [synergy.offer.kind] + ([synergy.need.kind] if synergy.need_id else [])
    return _matches(subject_for_sites(sites, kinds=kinds, precise_sites=precise, materials=synergy_materials(synergy)),
                    today, limit)


CALL_THEME_WORDS = {"circulaire": "circular_economy", "recycl": "circular_economy", "réemploi": "circular_economy",
                    "déchet": "waste", "dechet": "waste", "énergie": "energy", "energie": "energy",
                    "chaleur": "energy", "eau": "water", "industri": "industry", "décarbon": "decarbonisation",
                    "decarbon": "decarbonisation", "innov": "innovation", "emploi": "skills", "compétence": "skills",
                    "formation": "skills"}


def for_answer(answer, *, today=None, limit=None) -> list[dict]:
    """Aids for an answer to a call: its company's sites (those of its flows and synergies first), the
    themes of what it exchanges and of the call's own themes."""
    from boucle.flows.models import Site

    site_ids = set(answer.flows.values_list("site_id", flat=True))
    pairs = list(answer.flows.values_list("kind", "material_class"))
    kinds = [kind for kind, _c in pairs]
    for s in answer.synergies.select_related("offer", "need"):
        site_ids.update({s.offer.site_id, s.need_site_id})
        kinds.append(s.offer.kind)
        pairs += synergy_materials(s)
    sites = Site.objects.select_related("commune__departement")
    sites = list(sites.filter(pk__in=site_ids, company_id=answer.company_id) if site_ids
                 else sites.filter(company_id=answer.company_id))
    call_text = _fold(f"{answer.call.themes} {answer.call.title}")
    extra = [theme for word, theme in CALL_THEME_WORDS.items() if _fold(word) in call_text]
    subject = subject_for_sites(sites, kinds=kinds or ["material"], extra_themes=extra,
                                materials=pairs)
    if answer.call.territory_ref not in subject.places:
        subject = engine.Subject(subject.places + tuple(places_of_ref(answer.call.territory_ref)), subject.countries,
                                 subject.beneficiary, subject.themes, subject.materials)
    return _matches(subject, today, limit)


# --- a territory's curation (hide, pin, annotate) ------------------------------------------------

class CurationError(ValueError):
    """A curation refused: ``field`` is the value refused, the message names it in words."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _split_ref(ref: str) -> tuple[str, str]:
    level, _sep, code = (ref or "").partition(":")
    return level, code


def curatable_territories(user) -> list[tuple[str, str]]:
    """(ref, name) of the territories the user curates: those they facilitate."""
    if not user.is_authenticated:
        return []
    refs = [f"{level}:{code}" for level, code in user.facilitations.values_list("level", "code")]
    names = perimeter_names(refs)
    return [(ref, str(names.get(ref, ref))) for ref in refs]


def may_curate(user, ref: str) -> bool:
    """The facilitators of the territory or of one holding it (a région's for its EPCIs), and the
    platform administrator: the rule that says who steers a call for projects there."""
    from boucle.projects.access import can_facilitate_territory

    level, code = _split_ref(ref)
    return level in engine.LEVELS and bool(code) and can_facilitate_territory(user, level, code)


def viewer_places(user) -> set[str]:
    """The territories whose curation a user sees: where their companies' sites stand (commune up to
    région), and the territories they facilitate with those holding them. Anonymous: none (the
    national catalogue as it is)."""
    if not user.is_authenticated:
        return set()
    from boucle.accounts.access import member_company_ids
    from boucle.flows.models import Site

    places: set[str] = set()
    sites = Site.objects.filter(company_id__in=member_company_ids(user), commune__isnull=False)
    for insee, epci, dep, region in sites.values_list("commune_id", "commune__epci_id", "commune__departement_id",
                                                      "commune__departement__region_id").distinct():
        places.update({f"commune:{insee}", f"departement:{dep}", f"region:{region}"})
        if epci:
            places.add(f"epci:{epci}")
    for level, code in user.facilitations.values_list("level", "code"):
        places.update(places_of_ref(f"{level}:{code}"))
    return places


def curations_for(places, aid_ids=None) -> dict:
    """aid id → ``engine.Curated`` for a viewer standing in ``places``."""
    from django.db.models import Q

    from .models import AidCuration

    q = Q()
    for ref in places:
        level, code = _split_ref(ref)
        q |= Q(territory_level=level, territory_code=code)
    if not q:
        return {}
    rows = AidCuration.objects.filter(q)
    if aid_ids is not None:
        rows = rows.filter(aid_id__in=list(aid_ids))
    return engine.curated([engine.Curation(c.aid_id, c.ref, c.hidden, c.pinned, c.note) for c in rows], places)


def curation_dict(view: "engine.Curated | None", names: dict | None = None) -> dict:
    """What a page or the API shows of a viewer's curation of one aid."""
    view = view or engine.Curated()
    refs = [ref for ref, _n in view.notes] + ([view.decided_by] if view.decided_by else [])
    names = names if names is not None else perimeter_names(refs)
    return {"hidden": view.hidden, "pinned": view.pinned,
            "decided_by": str(names.get(view.decided_by, view.decided_by)) if view.decided_by else None,
            "notes": [{"territory": str(names.get(ref, ref)), "note": note} for ref, note in view.notes]}


def curate(aid: Aid, user, ref: str, *, hidden: bool = False, pinned: bool = False, note: str = "",
           operator: bool = False):
    """The one write path of a territory's curation of an aid; the national entry is untouched.

    Raises ``PermissionDenied`` for a territory the user does not facilitate, ``CurationError``
    (naming the field) for a value refused. Clearing everything removes the row. ``operator``: the
    command line (``boucle aids curate``, ``user`` None), which the platform's operator runs for any
    territory; a page or the API never sets it."""
    from django.core.exceptions import PermissionDenied

    from .models import AidCuration

    from boucle.territories.refs import TerritoryError, resolve

    level, code = _split_ref((ref or "").strip())
    try:
        if level not in engine.LEVELS:
            raise TerritoryError(ref)
        resolve(f"{level}:{code}")
    except TerritoryError:
        raise CurationError("territory", _("Territoire : %(ref)s inconnu (region:32, departement:59, epci:SIREN, "
                                           "commune:INSEE)") % {"ref": repr(ref)}) from None
    if not operator and not may_curate(user, f"{level}:{code}"):
        raise PermissionDenied(_("Territoire : vous n'animez pas ce territoire."))
    if hidden and pinned:
        raise CurationError("pinned", _("Mise en avant : une aide masquée ne peut pas être mise en avant ; "
                                        "choisissez l'un ou l'autre."))
    note = (note or "").strip()
    if len(note) > 2000:
        raise CurationError("note", _("Note : 2 000 caractères au plus (%(n)s)") % {"n": len(note)})
    try:
        note = B.text("note", note, max_chars=2000)
    except F.CellError as exc:
        raise CurationError("note", _("Note : %(error)s") % {"error": str(exc).split(":", 1)[-1].strip()}) from None
    with transaction.atomic():
        if not (hidden or pinned or note):
            AidCuration.objects.filter(aid=aid, territory_level=level, territory_code=code).delete()
            return None
        curation, _created = AidCuration.objects.update_or_create(
            aid=aid, territory_level=level, territory_code=code,
            defaults={"hidden": hidden, "pinned": pinned, "note": note, "updated_by": user})
    return curation


def own_curations(user, aid: Aid) -> list[dict]:
    """The curation form's values for each territory the user curates."""
    from .models import AidCuration

    existing = {c.ref: c for c in AidCuration.objects.filter(aid=aid)}
    out = []
    for ref, name in curatable_territories(user):
        c = existing.get(ref)
        out.append({"ref": ref, "name": name, "hidden": bool(c and c.hidden), "pinned": bool(c and c.pinned),
                    "note": c.note if c else ""})
    return out


def with_curation(aids, places, *, include_hidden: bool = False):
    """(aids, views): the aids a viewer standing in ``places`` is offered (hidden ones only if asked),
    pinned first; ``views`` maps an aid id to its ``engine.Curated``."""
    views = curations_for(places, [a.pk for a in aids])
    kept = {a.pk: a for a in aids if include_hidden or not views.get(a.pk, engine.Curated()).hidden}
    return [kept[k] for k in engine.pinned_first(list(kept), views)], views


def curated_rows(rows: list[dict], views: dict) -> list[dict]:
    """Each ``aid_dict`` row with its ``curation`` (names of territories read once for the page)."""
    refs = {ref for v in views.values() for ref, _n in v.notes} | {v.decided_by for v in views.values() if v.decided_by}
    names = perimeter_names(refs)
    for row in rows:
        row["curation"] = curation_dict(views.get(row["id"]), names)
    return rows


def can_edit_aid(user, aid: Aid | None = None, perimeter=None) -> bool:
    """Who writes a catalogue entry itself (seen by every territory): the platform administrator, and
    facilitators for an aid whose whole perimeter lies in territories they facilitate (a local scheme
    they added). National, European and other territories' entries they curate, not edit."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    perimeter = list(perimeter if perimeter is not None else aid.perimeter)
    return bool(perimeter) and all(may_curate(user, ref) for ref in perimeter)
