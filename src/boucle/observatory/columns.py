"""The observatory's files in the reader's words: column headers and enumerated values.

The keys (``territory_level``, ``declared_quantity``, ``offer``…) are the interface of
``docs/open-data-schema.md``: ``boucle export``, ``GET /api/territories/{ref}/export/{what}`` and the
public open-data file keep them, so a script reading them never breaks. A facilitator who downloads
a file from the observatory page reads it in a spreadsheet: there the header row and the coded
values are words in their language, and an XLSX lists each header with its stable key.
"""

from __future__ import annotations


from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEADERS = {
    # indicators (long table)
    "schema_version": gettext_lazy("version du schéma"),
    "territory_level": gettext_lazy("niveau du territoire"),
    "territory_code": gettext_lazy("code du territoire"),
    "territory_name": gettext_lazy("territoire"),
    "period": gettext_lazy("année"),
    "indicator": gettext_lazy("indicateur"),
    "direction": gettext_lazy("sens"),
    "kind": gettext_lazy("nature"),
    "material_class": gettext_lazy("matière"),
    "status": gettext_lazy("statut de la synergie"),
    "basis": gettext_lazy("base du chiffre"),
    "unit": gettext_lazy("unité"),
    "value": gettext_lazy("valeur"),
    "source": gettext_lazy("source (registre)"),
    # flows
    "flow_id": gettext_lazy("n° du flux"),
    "label": gettext_lazy("libellé"),
    "ewc": gettext_lazy("code déchet (liste européenne)"),
    "quantity_per_year": gettext_lazy("quantité par an"),
    "illustrative": gettext_lazy("exemple illustratif"),
    "confidential": gettext_lazy("confidentiel"),
    "site_id": gettext_lazy("identifiant du site"),
    "site_name": gettext_lazy("site"),
    "company": gettext_lazy("entreprise"),
    "naf": gettext_lazy("code NAF"),
    "commune": gettext_lazy("commune (code INSEE)"),
    "epci": gettext_lazy("intercommunalité (SIREN)"),
    "lat": gettext_lazy("latitude"),
    "lon": gettext_lazy("longitude"),
    "hazardous": gettext_lazy("dangereux"),
    "declared_total": gettext_lazy("total annuel sur plusieurs déchets (information, pas une offre)"),
    # synergies
    "synergy_id": gettext_lazy("n° de la synergie"),
    "offer_site": gettext_lazy("identifiant du site de l'offre"),
    "offer_company": gettext_lazy("entreprise de l'offre"),
    "offer_commune": gettext_lazy("commune de l'offre (code INSEE)"),
    "need_site": gettext_lazy("identifiant du site du besoin"),
    "need_company": gettext_lazy("entreprise du besoin"),
    "need_commune": gettext_lazy("commune du besoin (code INSEE)"),
    "inferred": gettext_lazy("besoin déduit de l'activité"),
    "distance_km": gettext_lazy("distance (km)"),
    "quantity_t": gettext_lazy("quantité par an (dans l'unité)"),
    "estimated_tonnes_diverted": gettext_lazy("tonnes détournées par an, estimation"),
    "estimated_co2e_avoided_t": gettext_lazy("t CO2e évitées par an, estimation"),
    "estimated_eur_saved": gettext_lazy("euros économisés par an, estimation"),
    "score": gettext_lazy("pertinence (0 à 1)"),
    "estimate_basis": gettext_lazy("base de l'estimation"),
    # critical raw materials
    "crm": gettext_lazy("code"),
    "name": gettext_lazy("matière première critique"),
    "strategic": gettext_lazy("stratégique"),
    "offers_t": gettext_lazy("offres (t/an)"),
    "needs_t": gettext_lazy("besoins (t/an)"),
    "companies": gettext_lazy("entreprises"),
    "classes": gettext_lazy("matières déclarées"),
}

#: Columns holding a schema key whose words are in the next column (``crm``: « copper » beside « Cuivre »): a
#: readable file leaves them out, the files with the schema's keys keep them.
KEYS_ONLY = {"crm"}

INDICATORS = {
    "declared_quantity": gettext_lazy("quantité déclarée par an"),
    "declared_flows": gettext_lazy("flux déclarés"),
    "synergies": gettext_lazy("synergies dans ce statut"),
    "synergies_reached": gettext_lazy("synergies ayant atteint ce stade"),
    "tonnes_diverted": gettext_lazy("tonnes détournées par an"),
    "co2e_avoided_t": gettext_lazy("t CO2e évitées par an"),
    "eur_saved": gettext_lazy("euros économisés par an"),
    "water_m3": gettext_lazy("eau réutilisée (m³/an)"),
    "mwh": gettext_lazy("énergie échangée (MWh/an)"),
    "declared_total_quantity": gettext_lazy("déchets déclarés en total annuel (quantité par an)"),
    "declared_total_flows": gettext_lazy("déchets déclarés en total annuel (déclarations)"),
    "needs": gettext_lazy("besoins déclarés"),
    "needs_with_local_source": gettext_lazy("besoins avec une source à moins de 200 km"),
    "local_sourcing_share": gettext_lazy("part des besoins avec une source à moins de 200 km"),
    "companies_declaring": gettext_lazy("entreprises déclarantes"),
    "companies_in_synergies": gettext_lazy("entreprises engagées dans une synergie"),
}

# the words of the pages' tables (``web/_figure_definitions.html``), lower-cased
BASES = {"estimated": gettext_lazy("estimé (synergies en fonctionnement)"),
         "potential": gettext_lazy("potentiel (meilleure répartition des suggestions ouvertes)"),
         "verified": gettext_lazy("vérifié (mesuré)")}

ESTIMATE_BASES = {"declared_need": gettext_lazy("besoin déclaré"),
                  "site_scale": gettext_lazy("au plus l'offre, et au plus le plus gros besoin déclaré du receveur, pour une "
                                              "autre matière ou énergie"),
                  "whole_offer": gettext_lazy("au plus l'offre entière"),
                  "to_agree": gettext_lazy("à préciser avec le receveur")}


def header(key: str) -> str:
    return str(HEADERS[key]) if key in HEADERS else key


def _words(column: str, value):
    from boucle.matching import lifecycle
    from boucle.matching.wording import material_label
    from boucle.web.words import DIRECTION_LABELS, KIND_LABELS, LEVEL_LABELS

    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if value in (None, ""):
        return value
    if column == "material_class":
        return material_label(value)
    if column == "classes":
        return ", ".join(material_label(k) for k in str(value).split())
    if column == "status":
        return _(lifecycle.LABELS_FR[value]) if value in lifecycle.LABELS_FR else value
    table = {"territory_level": LEVEL_LABELS, "direction": DIRECTION_LABELS, "kind": KIND_LABELS,
             "indicator": INDICATORS, "basis": BASES, "estimate_basis": ESTIMATE_BASES}.get(column)
    if table is not None and value in table:
        return str(table[value]) if column != "territory_level" else str(table[value]).lower()
    return value


def csv_number(value, french: bool):
    """A number as a spreadsheet of the reader's language reads it in CSV: no « .0 », a decimal comma in
    French; anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    from boucle import figures

    value = figures.exact(value)  # a sum of floats prints 12830,000000000004: twelve digits say what was declared
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = figures.plain(value)  # never « 1e-05 »
    return text.replace(".", ",") if french else text


def in_words(rows: list[dict], columns: list[str]) -> list[dict]:
    """Rows with their coded values as words (numbers, names and codes unchanged), keyed by header."""
    return [{header(c): _words(c, r.get(c)) for c in columns} for r in rows]
