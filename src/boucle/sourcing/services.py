"""Local sourcing over the database: resolve the place, turn the query into codes, fetch and rank.

The search reads ``flows.Site`` (SIRENE directory entries and platform sites alike): a code
filter on the indexed ``naf`` column and a bounding box, then exact distances in numpy.
Closed establishments are left out (they are kept in the directory, flagged, but supply nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import engine

NEAR_FORMS = "commune:INSEE, site:SITE_ID, LAT,LON"
MAX_RADIUS_KM = 1000.0


class SourcingError(ValueError):
    """A query the user must fix; the message lists what is accepted."""


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[str, str]]:
    from boucle.reference.models import ActivityCode

    return {c: (fr, en or fr) for c, fr, en in ActivityCode.objects.values_list("code", "label_fr", "label_en")}


def material_keys() -> list[str]:
    from boucle.matching.knowledge.infer import input_rules, output_rules

    return sorted({r.class_key for r in (*input_rules(), *output_rules())})


def near_forms() -> str:
    return NEAR_FORMS + ", " + _("un nom de commune (ex. Bailleul (59)), un code postal ou un code INSEE")


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    label: str


def _may_start_from(site, user) -> bool:
    """A site is a starting point for ``user`` (None: the command line) only if its place is no secret
    to them: a public register entry (``accounts.access.public_register_entry``), a published company, or a
    site they see in full. Otherwise the search centred on it, with exact distances to directory entries, would give its place away."""
    from boucle.accounts.access import can_see_site, shown_by_name

    return user is None or can_see_site(user, site) or shown_by_name(site)


def resolve_near(text: str, user=None) -> Place:
    from boucle.flows.models import Site
    from boucle.territories.models import Commune

    value = (text or "").strip()
    kind, _sep, ref = value.partition(":")
    if kind == "commune" and ref:
        commune = Commune.objects.filter(insee=ref.strip()).first()
        if commune is None and not re.fullmatch(r"\s*[0-9AB]{5}\s*", ref, re.I):
            return _commune_place(ref)  # commune:Arras
        if commune is None:
            raise SourcingError(_("commune %(code)s inconnue : donnez un code INSEE de commune à 5 caractères "
                                  "(ex. commune:59350). Formes acceptées : %(forms)s")
                                % {"code": ref, "forms": near_forms()})
        return Place(commune.lat, commune.lon, f"{commune.name} ({commune.insee})")
    if kind == "site" and ref:
        site = Site.objects.filter(site_id=ref.strip()).select_related("company").first()
        if site is None or not _may_start_from(site, user):
            raise SourcingError(_("site %(id)s inconnu : donnez le site_id tel qu'importé (SIRET ou identifiant). "
                                  "Formes acceptées : %(forms)s") % {"id": ref, "forms": near_forms()})
        if site.lat is None or site.lon is None:
            raise SourcingError(_("le site %(id)s n'a pas de coordonnées ; prenez sa commune (commune:INSEE) "
                                  "ou un point LAT,LON") % {"id": ref})
        if user is not None and site.site_id not in _exact_site_ids({site.site_id}, user):
            # exact distances from its exact point would place it more finely than its published position
            from boucle.territories.coarse import public_point

            return Place(*public_point(site.lat, site.lon), f"{site.name} ({site.site_id})")
        return Place(site.lat, site.lon, f"{site.name} ({site.site_id})")
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*", value)
    if m and -90 <= float(m.group(1)) <= 90 and -180 <= float(m.group(2)) <= 180:
        return Place(float(m.group(1)), float(m.group(2)), f"{float(m.group(1)):.5f}, {float(m.group(2)):.5f}")
    if value and not m and not (kind in ("commune", "site") and _sep):
        return _commune_place(value)
    raise SourcingError(_("lieu %(value)s illisible. Formes acceptées : %(forms)s (ex. commune:59350, "
                          "site:12345678900012, 50.63,3.06, Arras, 62000)") % {"value": value, "forms": near_forms()})


def _commune_place(value: str) -> Place:
    """A commune typed by name, postcode or INSEE code; several of that name in several
    départements is an error listing them (the user adds the département)."""
    from boucle.territories.refs import communes_matching

    found = communes_matching(value)
    if not found:
        raise SourcingError(_("aucune commune ne s'appelle %(value)s et ce n'est ni un code postal ni un code "
                              "INSEE connus. Formes acceptées : %(forms)s") % {"value": value, "forms": near_forms()})
    departements = sorted({c.departement_id for c in found})
    if len(departements) > 1:
        choices = ", ".join(f"{c.name} ({c.departement_id})" for c in
                            sorted(found, key=lambda c: (c.departement_id, c.insee))[:12])
        raise SourcingError(_("plusieurs communes s'appellent %(value)s : précisez le département, par exemple "
                              "« %(example)s ». Communes : %(choices)s") % {
            "value": value, "example": f"{found[0].name} ({found[0].departement_id})", "choices": choices})
    commune = found[0]  # one département: the most populous (a postcode shared by several communes)
    return Place(commune.lat, commune.lon, f"{commune.name} ({commune.insee})")


def check_radius(radius_km) -> float:
    try:
        radius = float(radius_km)
    except (TypeError, ValueError):
        radius = float("nan")
    if not (0 < radius <= MAX_RADIUS_KM):
        raise SourcingError(_("rayon %(value)s refusé : un nombre de km strictement positif, au plus %(max)s")
                            % {"value": radius_km, "max": int(MAX_RADIUS_KM)})
    return radius


def codes_for(*, naf=None, material=None, text=None) -> dict[str, engine.Reason]:
    """Codes answering the query with their reason; a SourcingError names what is accepted."""
    given = [v for v in (naf, material, text) if v]
    if len(given) != 1:
        raise SourcingError(_("donnez exactement un critère : un code NAF, une matière ou un texte"))
    catalogue = _catalogue()
    if naf:
        try:
            code = engine.normalise_code(naf)
            return {c: engine.Reason("naf", code) for c in engine.codes_under(code, catalogue)}
        except engine.QueryError:
            raise SourcingError(_("code NAF %(value)s inconnu. Accepté : un code NAF rév. 2 / NACE de la "
                                  "nomenclature, à tout niveau : division (38), groupe (38.3), classe (38.32) "
                                  "ou sous-classe (38.32Z)") % {"value": naf}) from None
    if material:
        from boucle.matching.knowledge.infer import input_rules, output_rules

        keys = material_keys()
        if material not in keys:
            close = [k for k in keys if material.lower() in k] or keys[:20]
            raise SourcingError(_("matière %(value)s inconnue. Clés acceptées (extrait) : %(keys)s — la liste "
                                  "complète : boucle materials list") % {"value": material, "keys": ", ".join(close)})
        return engine.material_codes(material, output_rules(), input_rules(), catalogue)
    try:
        found = engine.text_codes(text, catalogue)
    except engine.QueryError:
        found = {}
    if not found:
        raise SourcingError(_("aucune activité NAF ne correspond à %(value)s : essayez des mots des libellés NAF "
                              "(ex. « recyclage », « emballages ») ou un code NAF") % {"value": text})
    return found


def cited(source: str, lang: str, fallback: bool = True) -> str:
    """A data table's citation as a reader reads it. The tables cite in English, for maintainers
    (« Regulation (EU) 2024/1252 Annex II Section 1 »); a reader gets the documents it names in their
    language (« règlement (UE) 2024/1252 »). A citation naming no document ``matching.citations``
    knows is shown as written to an English reader, and as « cited » to a French one (the full
    text stays in ``source``); without ``fallback``, as nothing (a note beside each item of a list)."""
    from boucle.matching.citations import document_names

    if not source:
        return ""
    names = document_names(source, lang)
    if names:
        return ("; " if lang == "en" else " ; ").join(names)
    if not fallback:
        return ""
    return source if lang == "en" else _("source citée dans les données de Boucle")


def _material_words(key: str, language: str) -> str:
    """A material class by its name in the reader's language (« laitier d'aciérie »), never its key."""
    from boucle.materials.taxonomy import class_index, get_class
    from boucle.messages import in_sentence

    return in_sentence(get_class(key).label(language)) if key in class_index() else key


def _why(reason: engine.Reason, code: str, labels) -> str:
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    label = labels.get(code, ("", ""))[1 if language == "en" else 0]
    if reason.kind == "naf":
        return _("activité %(code)s « %(label)s », dans le code demandé %(query)s") % {
            "code": code, "label": label, "query": reason.detail}
    if reason.kind in ("produces", "uses"):
        material = _material_words(reason.detail, language)
    if reason.kind == "produces":
        return _("activité %(code)s « %(label)s » : produit habituellement %(material)s (source : %(source)s)") % {
            "code": code, "label": label, "material": material,
            "source": cited(reason.source, language)}
    if reason.kind == "uses":
        return _("activité %(code)s « %(label)s » : utilise habituellement %(material)s (source : %(source)s)") % {
            "code": code, "label": label, "material": material,
            "source": cited(reason.source, language)}
    return _("activité %(code)s « %(label)s » : libellé NAF correspondant au texte") % {"code": code, "label": label}


def search(*, naf=None, material=None, text=None, near: str, radius_km, limit: int | None = 50,
           include_closed=False, user=None, kinds: tuple[str, ...] | None = None) -> list[dict]:
    """Establishments within ``radius_km`` of ``near`` whose activity answers the query, nearest first
    (``user``: who asks, for the starting point and the sites it may not see; None for the command line;
    ``kinds``: keep only the codes answering for these reasons, e.g. ``("produces",)``).

    For a user, a site ``for_viewer`` anonymises answers by its NAF division, not by its code: it is listed
    when its division holds a code answering the query, whatever its own code. Otherwise two queries that
    differ by one subclass would tell which subclass an anonymous company declared."""
    from boucle.flows.models import Flow, Site

    radius = check_radius(radius_km)
    place = resolve_near(near, user)
    reasons = codes_for(naf=naf, material=material, text=text)
    if kinds is not None:
        reasons = {c: r for c, r in reasons.items() if r.kind in kinds}
    labels = _catalogue()
    lat0, lat1, lon0, lon1 = _box(place, radius, user)
    box = Q(lat__gte=lat0, lat__lte=lat1, lon__gte=lon0, lon__lte=lon1) & (Q() if include_closed else Q(closed=False))
    answers = Q(naf_id__in=list(reasons))
    if user is not None:
        divisions = {c[:2] for c in reasons}
        family = [c for c in labels if c[:2] in divisions and c not in reasons]
        if family:  # directory entries answer by their own code, but a site of a company taking part in Boucle
            # (the platform's sites, and the directory entries of their companies) by its division, anonymously
            answers |= Q(naf_id__in=family) & _taking_part()
    # one query, one round trip: whether the site declared flows comes with it (an index probe per row of the box),
    # and for a user whether it is shown by name (``_public``)
    qs = Site.objects.filter(box, answers).annotate(declared=Exists(Flow.objects.filter(site_id=OuterRef("pk"))))
    fields = ["pk", "site_id", "name", "naf_id", "lat", "lon", "closed", "source", "commune_id", "declared"]
    if user is not None:
        qs = qs.annotate(public=_public())
        fields.append("public")
    rows = list(qs.order_by().values_list(*fields))
    sight = None
    if user is not None:
        sight = _sight(rows, user, site_id=1, public=10)
        rows = [r for r in rows if r[3] in reasons or sight[r[1]] == HIDDEN]
    lats, lons = _positions_seen(rows, sight, site_id=1, lat=4, lon=5)
    hits = engine.within(place.lat, place.lon, radius, lats, lons, None if sight else limit)
    if sight and limit is not None:
        # ``limit`` named rows and ``limit`` anonymous ones: the division's anonymous companies do not push the
        # establishments of the exact code out of the list
        hidden = [h for h in hits if sight[rows[h[0]][1]] == HIDDEN][:limit]
        hits = sorted(hidden + [h for h in hits if sight[rows[h[0]][1]] != HIDDEN][:limit], key=lambda h: (h[1], h[0]))
    lang = 1 if (get_language() or "fr").startswith("en") else 0
    out = []
    for i, distance in hits:
        pk, site_id, name, naf_code, lat, lon, closed, source, commune, declared = rows[i][:10]
        if sight is not None and sight[site_id] == HIDDEN:
            reason, why = "division", ""  # ``for_viewer`` words it from the division alone
        else:
            reason, why = reasons[naf_code].kind, _why(reasons[naf_code], naf_code, labels)
        out.append({"site_id": site_id, "name": name, "naf": naf_code,
                    "naf_label": labels.get(naf_code, ("", ""))[lang],
                    "distance_km": round(distance, 3), "lat": lat, "lon": lon, "commune": commune,
                    "closed": closed, "on_platform": declared, "directory": source == "sirene",
                    "reason": reason, "why": why})
        if sight is not None:
            out[-1].update(_sight=sight[site_id], _radius_km=radius)  # ``for_viewer`` cuts the band at the radius
    return out


#: The rule of what a search shows of an establishment, one place for the page, its map, its CSV/XLSX
#: shortlist and the API (the command line, an operator's tool, reads the directory as it is):
#:
#: - ``open``: a site the reader sees in full (own company, facilitated territory, administrator; ``accounts.access``),
#:   a partner of a synergy whose both sides agreed to meet, or a company that chose to be public: as it is, its
#:   position exact only to those who see it in full, to ``coarse.PUBLIC_DECIMALS`` for the others
#:   (``accounts.access.point_shown``, the rule of every page, map and export);
#: - ``directory``: a SIRENE entry whose company takes no part in Boucle (``accounts.access.public_register_entry``),
#:   the public directory as INSEE publishes it, placed to ``coarse.PUBLIC_DECIMALS`` as well; an entry of a
#:   company that takes part is that company's site, ``anonymous`` like on its synergy cards;
#: - ``anonymous``: any other site (a company on the platform that stays private): no more than its synergy card
#:   shows (``web.present.site_card``: « Entreprise anonyme » and the area ``territories.secrecy`` tells: its
#:   intercommunality where enough establishments of its division share it, else its département), the activity at the
#:   division level only — it is listed when its division answers the query, whatever its own code —, the
#:   distance as a band (``territories.coarse``), no commune, no identifier, no position.
OPEN, DIRECTORY, ANONYMOUS = "open", "directory", "anonymous"
#: How a site is seen by a signed-in reader: its exact point, its public point, or not at all.
EXACT, PUBLIC, HIDDEN = "exact", "public", "hidden"


def _taking_part() -> Q:
    """A site whose company takes part in Boucle (``accounts.access.taking_part`` as a filter)."""
    from boucle.accounts.models import Membership
    from boucle.flows.models import Flow, Site

    return (Q(Exists(Membership.objects.filter(company_id=OuterRef("company_id"))))
            | Q(Exists(Flow.objects.filter(site__company_id=OuterRef("company_id"))))
            | Q(Exists(Site.objects.filter(company_id=OuterRef("company_id")).exclude(source="sirene"))))


def _public() -> ExpressionWrapper:
    """Whether a site is shown by name to anyone (``accounts.access.shown_by_name`` as a column): its company
    chose to be public, or it is a public register entry (``accounts.access.public_register_entry``: a SIRENE
    entry whose company takes no part in Boucle). The taking-part probes run only for the SIRENE entries of
    unpublished companies, each an index probe, in the query that reads the row."""
    return ExpressionWrapper(Q(company__published=True) | (Q(source="sirene") & ~_taking_part()),
                             output_field=BooleanField())


def _box(place: Place, radius: float, user) -> tuple[float, float, float, float]:
    """The bounding box of the search, widened by a grid step when a user asks: a hidden site is kept or
    left out on its grid cell's centre (``coarse.grid_point``), which may lie outside the box of its exact point."""
    from boucle.territories.coarse import GRID_DEG

    lat0, lat1, lon0, lon1 = engine.bounding_box(place.lat, place.lon, radius)
    pad = 0 if user is None else GRID_DEG
    return lat0 - pad, lat1 + pad, lon0 - pad, lon1 + pad


def _exact_site_ids(site_ids, user) -> set:
    """The sites of ``site_ids`` that ``user`` sees exactly: in full view, or on the other side of a synergy of
    the user's company whose both sides agreed to meet (as its card shows it)."""
    from boucle.accounts.access import member_company_ids, sites_in_full_view
    from boucle.flows.models import Site
    from boucle.matching.models import Synergy

    if not site_ids:
        return set()
    visible = Q(pk__in=sites_in_full_view(user).values("pk"))
    companies = member_company_ids(user) if user is not None else set()
    if companies:
        met = Synergy.objects.filter(revealed_at__isnull=False)
        visible |= Q(pk__in=met.filter(offer__site__company_id__in=companies).values("need_site_id"))
        visible |= Q(pk__in=met.filter(need_site__company_id__in=companies).values("offer__site_id"))
    return set(Site.objects.filter(site_id__in=list(site_ids)).filter(visible).values_list("site_id", flat=True))


def _sight(rows, user, *, site_id: int, public: int) -> dict:
    """``EXACT``, ``PUBLIC`` (a public register entry, a published company) or ``HIDDEN`` for each row's site;
    ``rows[i][public]``: the row's ``_public()`` column, read with it.

    A SIRENE entry is public only while its company takes no part in Boucle (``accounts.access.taking_part``):
    once it does, the entry is that company's site and stays as anonymous as its synergy cards say."""
    exact = _exact_site_ids({r[site_id] for r in rows}, user)  # one round trip
    return {r[site_id]: EXACT if r[site_id] in exact else PUBLIC if r[public] else HIDDEN for r in rows}


def _positions_seen(rows, sight, *, site_id: int, lat: int, lon: int) -> tuple[list, list]:
    """Latitudes and longitudes the distances are measured to, no finer than the position the reader may see:
    a public site at its public point (``coarse.public_point``), a site ``for_viewer`` anonymises at the centre
    of its grid cell (``coarse.grid_point``, a few km), so that whether it falls within a radius (small circles
    moved around it) tells no more than the distance band shown. ``sight`` None (the command line): exact."""
    from boucle.territories.coarse import grid_point, public_point

    lats, lons = [r[lat] for r in rows], [r[lon] for r in rows]
    if sight is None:
        return lats, lons
    for i, r in enumerate(rows):
        seen = sight[r[site_id]]
        if seen != EXACT and r[lat] is not None and r[lon] is not None:
            lats[i], lons[i] = (public_point if seen == PUBLIC else grid_point)(r[lat], r[lon])
    return lats, lons


def _areas(site_ids) -> dict:
    """{site_id: (intercommunality or « », area in words)} of anonymised sites: the area ``territories.secrecy``
    tells of each (its intercommunality at most, where enough establishments of its division share it)."""
    from boucle.flows.models import Site
    from boucle.territories.secrecy import areas_told

    sites = list(Site.objects.filter(site_id__in=list(site_ids))
                 .select_related("commune__epci", "commune__departement__region"))
    told = areas_told(sites, finest="epci")
    return {s.site_id: ((told[s.pk].words if told[s.pk].level == "epci" else "", told[s.pk].words)
                        if told[s.pk] else ("", "")) for s in sites}


def for_viewer(rows: list[dict], user) -> list[dict]:
    """What ``user`` may see of search results (page, map, shortlist, API): see ``OPEN``/``DIRECTORY``/``ANONYMOUS``.
    ``rows`` come from :func:`search` or :func:`offered_nearby` called with the same ``user``.

    Every row gets ``shown`` (which of the three) and ``distance`` (the distance as shown: « 6,3 km » or a
    band, cut at the search's radius: « 20–30 km » in a 30 km search, never « 20–50 km »). An anonymised row is built from the keys it may carry, not blanked: what is not there cannot leak.
    """
    from boucle.territories.coarse import distance_band, exact_point, public_point
    from boucle.web.words import distance_figure, number

    if not rows:
        return []
    hidden = {r["site_id"] for r in rows if r["_sight"] == HIDDEN}
    areas = _areas(hidden) if hidden else {}
    labels = _catalogue()
    lang = 1 if (get_language() or "fr").startswith("en") else 0
    out = []
    for r in rows:
        row = {k: v for k, v in r.items() if not k.startswith("_")}
        if r["_sight"] == PUBLIC:
            row["lat"], row["lon"] = public_point(r["lat"], r["lon"])
        elif r["_sight"] == EXACT:
            row["lat"], row["lon"] = exact_point(r["lat"], r["lon"])
        if r["_sight"] == EXACT or (r["_sight"] == PUBLIC and not r["directory"]):
            out.append(dict(row, shown=OPEN, distance=f"{distance_figure(r['distance_km'])} km"))
        elif r["_sight"] == PUBLIC:  # a public register entry (``_sight``)
            out.append(dict(row, shown=DIRECTORY, on_platform=False,
                            distance=f"{distance_figure(r['distance_km'])} km"))
        else:
            division = (r["naf"] or "")[:2]
            label = labels.get(division, ("", ""))[lang] if division else ""
            epci, area = areas.get(r["site_id"], ("", ""))
            out.append({"site_id": None, "name": _("Entreprise anonyme"), "epci": epci, "area": area,
                        "naf": division, "naf_label": label,
                        "distance_km": None, "lat": None,
                        "distance": distance_band(r["distance_km"], r.get("_radius_km"), lambda km: number(km, 1)), "lon": None,
                        "commune": None, "closed": r["closed"], "on_platform": None, "directory": False,
                        "reason": "division" if r["reason"] != "offers" else "offers",
                        "why": _division_why(division, label) if r["reason"] != "offers" else r["why"],
                        "shown": ANONYMOUS})
    return out


def _division_why(division: str, label: str) -> str:
    """Why an anonymous company is listed, from its division alone: the same words whatever the query."""
    if not division:
        return _("activité non précisée ; elle n'est dévoilée qu'après la mise en relation")
    return _("division %(code)s « %(label)s », où figurent des activités qui répondent à la recherche ; son activité "
             "exacte n'est dévoilée qu'après la mise en relation") % {"code": division, "label": label}


def producers(material_keys: list[str]):
    """Open, located establishments whose activity usually produces each material class: the
    sources ``search(material=…)`` lists as « produit habituellement », for many classes at once.

    Returns numpy arrays (index into ``material_keys``, site pk, lat, lon), one row per
    (class, establishment)."""
    import numpy as np

    from boucle.flows.models import Site
    from boucle.matching.knowledge.infer import input_rules, output_rules

    catalogue, outputs, inputs = _catalogue(), output_rules(), input_rules()
    by_code: dict[str, list[int]] = {}
    for i, key in enumerate(material_keys):
        for code, reason in engine.material_codes(key, outputs, inputs, catalogue).items():
            if reason.kind == "produces":
                by_code.setdefault(code, []).append(i)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
    if not by_code:
        return empty
    rows = list(Site.objects.filter(naf_id__in=list(by_code), closed=False, lat__isnull=False, lon__isnull=False)
                .order_by().values_list("naf_id", "pk", "lat", "lon"))
    out = [(k, pk, lat, lon) for naf, pk, lat, lon in rows for k in by_code[naf]]
    if not out:
        return empty
    key, pk, lat, lon = zip(*out)
    return (np.array(key, dtype=np.int64), np.array(pk, dtype=np.int64), np.array(lat, dtype=float),
            np.array(lon, dtype=float))


def needs_with_source(radius_km: float, need_key, need_site, lat, lon, material_keys: list[str], offers):
    """For each need, a source within ``radius_km``: an offer of its material on the platform
    (``offers``: arrays of material index, lat, lon) or an establishment of the directory, other
    than the need's own site, whose activity usually produces it (``producers``). ``need_key``
    indexes ``material_keys`` (negative: no material). The observatory's local-sourcing share."""
    import numpy as np

    need_key, lat, lon = np.asarray(need_key), np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    found = np.zeros(need_key.size, dtype=bool)
    located = ~np.isnan(lat) & (need_key >= 0)
    if not located.any():
        return found
    rows = np.flatnonzero(located)
    if offers is not None:
        o_key, o_lat, o_lon = (np.asarray(a) for a in offers)
        ok = ~np.isnan(o_lat.astype(float)) & (o_key >= 0)
        found[rows] = engine.any_within(lat[rows], lon[rows], need_key[rows], o_lat[ok], o_lon[ok], o_key[ok],
                                        radius_km)
    rest = rows[~found[rows]]
    if rest.size:
        wanted = sorted({int(k) for k in need_key[rest]})
        p_key, p_site, p_lat, p_lon = producers([material_keys[k] for k in wanted])
        if p_key.size:
            p_key = np.asarray(wanted, dtype=np.int64)[p_key]
            found[rest] = engine.any_within(lat[rest], lon[rest], need_key[rest], p_lat, p_lon, p_key, radius_km,
                                            need_site=np.asarray(need_site)[rest], src_site=p_site)
    return found


def resolve_class(what: str) -> str:
    """A material class key, or the class of a label (« aimants NdFeB »); a SourcingError otherwise."""
    from boucle.materials.classify import classify_label
    from boucle.materials.taxonomy import class_index

    value = (what or "").strip()
    if value in class_index():
        return value
    matches = classify_label(value)
    if matches and matches[0].confidence >= 0.5:
        return matches[0].key
    raise SourcingError(_("matière %(value)s non reconnue : donnez une clé de classe (boucle materials list) "
                          "ou un libellé plus précis") % {"value": value})


def offered_nearby(class_key: str, *, near: str, radius_km, limit: int | None = 50, user=None) -> list[dict]:
    """Sites within the radius with a declared offer of ``class_key`` on the platform, nearest first,
    shaped like :func:`search` rows (``reason`` = ``offers``); pass them through :func:`for_viewer`."""
    from boucle.flows.models import Flow, Site

    radius = check_radius(radius_km)
    place = resolve_near(near, user)
    lat0, lat1, lon0, lon1 = _box(place, radius, user)
    site_pks = Flow.objects.offers().filter(material_class=class_key).values("site_id")
    qs = Site.objects.filter(pk__in=site_pks, closed=False, lat__gte=lat0, lat__lte=lat1, lon__gte=lon0, lon__lte=lon1)
    if user is not None:
        qs = qs.annotate(public=_public())
    rows = list(qs.values_list("site_id", "name", "naf_id", "lat", "lon", "commune_id", "source",
                               *(["public"] if user is not None else [])))
    sight = _sight(rows, user, site_id=0, public=7) if user is not None else None
    lats, lons = _positions_seen(rows, sight, site_id=0, lat=3, lon=4)
    hits = engine.within(place.lat, place.lon, radius, lats, lons, limit)
    labels = _catalogue()
    lang = 1 if (get_language() or "fr").startswith("en") else 0
    return [{"site_id": site_id, "name": name, "naf": naf_code, "naf_label": labels.get(naf_code, ("", ""))[lang],
             "distance_km": round(distance, 3), "lat": lat, "lon": lon, "commune": commune, "closed": False,
             "on_platform": True, "directory": source == "sirene", "reason": "offers",
             "why": _("offre déclarée sur la plateforme"), **({"_sight": sight[site_id], "_radius_km": radius} if sight is not None else {})}
            for (site_id, name, naf_code, lat, lon, commune, source, *_seen), distance in
            ((rows[i], d) for i, d in hits)]


def substitutes(what: str, *, near: str | None = None, radius_km=None, limit: int = 10, user=None) -> dict:
    """What can replace a material (sourced), the critical raw materials each avoids, and, when
    ``near`` is given, the establishments nearby whose activity usually gives off the substitute."""
    from boucle.materials.crm import crm_of_class
    from boucle.materials.substitution import substitutes_for
    from boucle.materials.taxonomy import get_class

    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    key = resolve_class(what)
    place = resolve_near(near, user) if near else None
    if place is not None:
        check_radius(radius_km)
    crm_names = {c.crm.key: c.crm.name(lang) for c in crm_of_class(key)}
    producible = set(material_keys())
    rows = []
    for s in substitutes_for(key):
        offers = None
        if place is not None:
            found = offered_nearby(s.substitute_key, near=near, radius_km=radius_km, limit=limit, user=user)
            if s.substitute_key in producible:
                seen = {r["site_id"] for r in found}
                found += [r for r in search(material=s.substitute_key, near=near, radius_km=radius_km, limit=None,
                                            user=user, kinds=("produces",))
                          if r["site_id"] not in seen]
            found = sorted(found, key=lambda r: r["distance_km"])[:limit]
            offers = for_viewer(found, user) if user is not None else found
        rows.append({"substitute": s.substitute_key, "label": get_class(s.substitute_key).label(lang),
                     "kind": s.kind, "use": s.use(lang), "source": s.source, "source_label": cited(s.source, lang),
                     "avoids": [{"key": k, "name": crm_names[k]} for k in s.avoids],
                     "critical_raw_materials": [{"key": c.crm.key, "name": c.crm.name(lang), "strategic": c.crm.strategic}
                                                for c in crm_of_class(s.substitute_key)],
                     "nearby": offers})
    return {"material": key, "label": get_class(key).label(lang),
            "critical_raw_materials": [{"key": c.crm.key, "name": c.crm.name(lang), "strategic": c.crm.strategic,
                                        "where": c.note(lang), "source": c.source, "source_label": cited(c.source, lang, fallback=False)}
                                       for c in crm_of_class(key)],
            "near": place.label if place else None, "substitutes": rows}
