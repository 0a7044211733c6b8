"""The calculation behind a suggestion's estimate, term by term, with the row each factor comes from.

Shown only when the quantities may be seen (both sides known to the reader): each term's
activity is a quantity. The figures are recomputed by the impact engine with the same inputs
as the matching (the offer's current route, the temperatures, the quantity stored at scoring:
what the declared need, or the receiving site's declared scale, can take), so they add up to
the estimate on the card.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from boucle.impact.engine import term_name
from boucle.impact.ranges import format_range
from boucle.messages import in_sentence, translate
from .words import distance_figure



# How each term is computed, in words (the figures are in the row's « Calcul » cell).
FORMULAS = {
    "virgin_avoided": _("quantité remplacée × émissions de production de la matière vierge (ou de la chaleur d'une "
                        "chaudière au gaz)"),
    "disposal_avoided": _("quantité × émissions du devenir actuel (mise en décharge, incinération…)"),
    "processing": _("quantité × émissions de la préparation avant réemploi"),
    "transport": _("tonnes × kilomètres × émissions du mode de transport"),
    "heat_pump_electricity": _("électricité consommée par la pompe à chaleur × émissions du mix électrique"),
    "avoided_disposal_fee": _("quantité × redevance d'élimination du devenir actuel"),
    "avoided_purchase": _("quantité remplacée × prix de la matière vierge"),
    "processing_cost": _("quantité × coût de préparation"),
    "transport_cost": _("tonnes × kilomètres × coût du transport"),
    "heat_pump_electricity_cost": _("électricité consommée × prix de l'électricité"),
    "heat_network_cost": _("longueur du réseau × coût annualisé par kilomètre"),
    "fuel_displaced": _("énergie du combustible fossile remplacé, pour la même énergie utile (pouvoir calorifique de "
                        "la matière, rendements) × émissions de ce combustible"),
    "fuel_combustion": _("quantité brûlée × émissions de sa combustion (le CO₂ biogénique du bois n'est pas compté, "
                         "comme dans les facteurs DESNZ)"),
    "avoided_fuel_purchase": _("chaleur utile × prix de la chaleur d'une chaudière au gaz"),
}
LEGIFRANCE_DOUANES = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006071570/"
DESNZ_2025 = "https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025"
GLEC = "https://www.smartfreightcentre.org/en/our-programs/global-logistics-emissions-council/"
ADEME_BASE = "https://base-empreinte.ademe.fr/"
MPA = "https://www.concretecentre.com/"
CNR = "https://www.cnr.org/"
EU_2015_2402 = "https://eur-lex.europa.eu/eli/reg_del/2015/2402/oj"
# The cited documents a price or factor row's source names, by a word of its citation: (marker,
# French name, English name, link). The first that matches wins; an uncited figure says so.
SOURCES = (
    ("Code des douanes", _("Code des douanes, art. 266 nonies (TGAP), et ordre de grandeur"),
     LEGIFRANCE_DOUANES),
    ("CNR", _("ordre de grandeur d'après les indices du Comité national routier (CNR)"), CNR),
    ("DESNZ", _("facteurs d'émission DESNZ 2025 (Royaume-Uni)"), DESNZ_2025),
    ("GLEC", _("GLEC Framework v3.0 (Smart Freight Centre, 2023)"), GLEC),
    ("ADEME Base Empreinte", _("Base Empreinte de l'ADEME"), ADEME_BASE),
    ("MPA The Concrete Centre", _("MPA The Concrete Centre (2019), fiche 18"), MPA),
    ("Commission Delegated Regulation (EU) 2015/2402", _("règlement délégué (UE) 2015/2402, annexe II"), EU_2015_2402),
    ("SEMHACH", _("ordre de grandeur du coût d'un réseau de chaleur (SEMHACH ; DECC 2050 Calculator)"), ""),
    ("Uncited order of magnitude", _("ordre de grandeur non sourcé, à ajuster pour votre territoire"), ""),
    ("Boucle method", _("méthode de Boucle (hypothèse sans source citée)"), ""),
)


def source_name(citation: str) -> tuple[str, str]:
    """(name a reader understands, link or "") for a price or factor row's citation."""
    for marker, name, url in SOURCES:
        if marker in (citation or ""):
            return str(name), url
    return (str(_("source citée dans les données de Boucle")) if citation else ""), ""


def _decimal_mark(text: str, lang: str) -> str:
    """French reads a decimal comma (« 0,16 », « 269,5 »); the range formatter writes small figures with a point."""
    return text.replace(".", ",") if lang == "fr" else text


def _factor(value: float, lang: str) -> str:
    """A factor with four significant digits, never in exponent notation (« 269,5 », « 0,1016 », « 25 000 »)."""
    if abs(value) >= 1000:
        return _number(value, lang)
    return _decimal_mark(f"{value:.4g}" if abs(value) >= 1e-3 else f"{value:.6f}".rstrip("0"), lang)


def _term_number(value, lang):
    """A term of the calculation or its quantity to three significant digits (« 1 640 », « -99,9 »): the
    terms then add up to the total above them (1 640 - 99,9 + 2 130 = 3 670, shown « 3 700 ») where two
    digits (1 600 - 100 + 2 100 = 3 600) did not."""
    import math

    from boucle.impact.ranges import meaningful

    if value is None:
        return "—"
    v = meaningful(value, digits=3)
    decimals = max(0, 2 - int(math.floor(math.log10(abs(v))))) if v else 0
    text = f"{v:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _number(value, lang):
    return _decimal_mark(format_range(value, None, None, "", lang).strip(), lang) if value is not None else "—"


def _unit(unit: str) -> str:
    """« EUR/t » reads « €/t », « kg CO2e/m3 » « kg CO₂e/m³ »."""
    from .words import unit_label

    return unit_label(unit)


def _price_range(term, lang: str) -> str:
    """The price's low-high range the euro total is computed over (« 90 à 160 €/t »), when it has one."""
    import re

    m = re.match(r"^range ([0-9.]+)-([0-9.]+) EUR/(\S+)$", term.note or "")
    if not m:
        return ""
    return str(_("fourchette %(low)s à %(high)s %(unit)s")) % {
        "low": _factor(float(m.group(1)), lang), "high": _factor(float(m.group(2)), lang), "unit": f"€/{m.group(3)}"}


# The engine's reason when no substitution is known for a material (``impact.engine.NO_RECIPE``): the
# production footprint (or price) of what it would replace at the receiver is in none of the cited data.
NO_SUBSTITUTE = ("impact.no-recipe", "impact.no-recipe-for")


def why_unknown(reason, kind: str, material: str, lang: str) -> str | None:
    """Why the CO2e (``kind`` « co2e ») or the euros (« eur ») of an exchange are not computed, in words."""
    from django.utils.translation import gettext

    if reason is None:
        return None
    if reason.code in NO_SUBSTITUTE:
        if kind == "co2e":
            return str(_("les facteurs d'émission cités par Boucle (par défaut, la base britannique DESNZ 2025) "
                         "ne donnent pas l'empreinte de production de ce que « %(material)s » remplacerait chez le "
                         "receveur ; sans ce terme, le bilan reste non chiffré plutôt que sous-estimé.")) % {
                "material": material}
        return str(_("aucun prix cité de ce que « %(material)s » remplacerait chez le receveur ; sans ce terme, le "
                     "gain net reste non chiffré plutôt que sous-estimé.")) % {"material": material}
    text = reason.render(gettext, lang).strip()  # after « … ne sont pas chiffrées : », like the sentence above
    return in_sentence(text) + ("" if text.endswith(".") else ".")


def calculation(synergy, hidden: bool) -> dict | None:
    """The CO2e and euro terms of the synergy's estimate, or None when hidden or not computable."""
    from boucle.impact.engine import exchange_breakdown
    from boucle.impact.factors import default_tables

    offer, need = synergy.offer, synergy.need
    tables = default_tables()
    info = tables.materials.get(synergy.material_class)
    if hidden or info is None or info.flow_kind not in ("material", "water", "heat"):
        return None
    base = {"material": "t", "water": "m3", "heat": "MWh"}[info.flow_kind]
    if offer.quantity_base is None or (offer.base_unit or base) != base:
        return None
    # The quantity the stored figures are for (decided at scoring: additionality.estimated_quantity), so the
    # terms add up to the card: none for heat or water to a site that declared no need in the unit.
    explanation = synergy.explanation if isinstance(synergy.explanation, dict) else {}
    # burnt as a fuel: the terms of the fuel it displaces at the receiver (boucle.impact.fuel), as at scoring
    fuel_receiver = explanation.get("fuel_receiver") if explanation.get("fuel_use") else None
    if explanation.get("fuel_use") and not fuel_receiver:
        return None  # stored before fuels were valued: the next matching values it
    quantity = synergy.quantity_t if synergy.quantity_t is not None else (
        None if explanation.get("estimate_basis") == "to_agree" else offer.quantity_base)
    if quantity is None:
        return None
    if need is not None and need.quantity_base is not None and (need.base_unit or base) == base:
        quantity = min(quantity, need.quantity_base)
    need_c = need.temperature_c if need is not None else explanation.get("need_temperature_c")
    try:
        b = exchange_breakdown(synergy.material_class, quantity, base, synergy.distance_km,
                               baseline_route=offer.current_route or None, ewc=offer.ewc_id,
                               supply_temperature_c=offer.temperature_c, need_temperature_c=need_c,
                               fuel_receiver=fuel_receiver, waste_receiver=bool(explanation.get("waste_receiver")),
                               disposal_receiver=bool(explanation.get("disposal_receiver")))
    except (KeyError, ValueError):
        return None
    if fuel_receiver and b.co2e_avoided_t is None:
        return None  # the energy content or the displaced fuel is to be specified: the card says so, no terms
    lang = "en" if (get_language() or "fr").startswith("en") else "fr"

    def rows(terms):
        out = []
        for t in terms:
            how = ""
            if t.activity is not None and t.factor:
                # a distance reads as on the card (« < 0,1 km » for two sites at one place, never « 0 km »)
                activity = (distance_figure(t.activity) if t.activity_unit == "km"
                            else _term_number(t.activity, lang))
                how = f"{activity} {_unit(t.activity_unit)} × {_factor(t.factor, lang)} {_unit(t.unit)}"
            elif explanation.get("disposal_receiver") and t.name in ("avoided_disposal_fee", "avoided_purchase",
                                                                      "processing_cost", "virgin_avoided",
                                                                      "disposal_avoided", "processing"):
                # a disposal operator bills its own fee, recycles nothing: the card above says it in full, the
                # rows point to it (the full sentence in five rows read as a wall of repeats)
                how = str(_("le receveur traite et élimine des déchets : non compté (voir plus haut)"))
            elif t.name == "avoided_purchase" and explanation.get("waste_receiver"):
                how = str(waste_receiver_note())  # a waste operator resells it: no virgin purchase avoided
            elif t.name == "processing_cost" and explanation.get("waste_receiver"):
                how = str(waste_receiver_preparation_note())  # paid by that resale, not counted either
            cited = bool(t.factor_id) and t.factor_id != "NONE"
            name, url = source_name(t.source) if cited else ("", "")
            out.append({"label": translate(term_name(t.name, heat=bool(b.heat))), "value": _term_number(t.value, lang),
                        "how": how, "source_name": name, "source_url": url,
                        "row": t.factor_id if cited else "",  # the data row, for checks (not shown)
                        "formula": str(FORMULAS.get(t.name, "")) if cited else "",
                        "vintage": t.vintage if cited and t.vintage and t.vintage not in name else "", "range": _price_range(t, lang) if cited else ""})
        return out

    from boucle.matching.wording import waste_receiver_note, waste_receiver_preparation_note

    from .present import co2e_text, eur_text

    def same(stored, computed) -> bool:
        return stored is not None and computed is not None and abs(stored - computed) <= 1e-3 * max(1.0, abs(stored))

    # When the terms add up to the stored figure (the flows have not changed since the matching), the total is
    # written as the synergy's card writes it (the same rounding and range): a facilitator reads one figure on
    # the card and here. Otherwise the terms of today's data, with their own total, until the next matching.
    from .present import material_label

    material = material_label(synergy.material_class)
    return {"co2e": rows(b.terms), "eur": rows(b.cost_terms),
            "co2e_total": (str(_("non chiffrées")) if b.co2e_avoided_t is None
                           else co2e_text(synergy) if same(synergy.co2e_avoided_t, b.co2e_avoided_t)
                           else format_range(b.co2e_avoided_t, b.co2e_low_t, b.co2e_high_t, "t CO₂e", lang)),
            "eur_total": (str(_("non chiffré")) if b.eur_saved is None
                          else eur_text(synergy.eur_saved) if same(synergy.eur_saved, b.eur_saved)
                          else format_range(b.eur_saved, b.eur_low, b.eur_high, "€", lang)),
            # why a total is not computed, in words (« inconnu » alone left a facilitator guessing)
            "co2e_why": why_unknown(b.reasons.get("co2e_avoided_t") if b.co2e_avoided_t is None else None,
                                    "co2e", material, lang),
            "eur_why": why_unknown(b.reasons.get("eur_saved") if b.eur_saved is None else None, "eur", material, lang),
            "market_value": None if b.market_value_eur is None else _number(b.market_value_eur, lang),
            # a total the engine cannot compute (a factor or price is missing), above terms that are known
            "unknown_total": b.co2e_avoided_t is None or b.eur_saved is None,
            # heat: the terms count the heat delivered, the card the heat offered; the pipe's losses in between
            "heat_delivered": _heat_delivered(b.heat, quantity, synergy.distance_km, lang)}


def _heat_delivered(heat: dict, offered, distance_km, lang: str) -> str | None:
    """« 10 400 MWh livrés par an sur 11 000 offerts : 600 MWh perdus dans 2,5 km de canalisation » (the card
    shows the offered heat, the rows of the calculation the delivered heat: the difference said, not left)."""
    delivered, loss = heat.get("delivered_mwh"), heat.get("loss_mwh")
    if delivered is None or loss is None or offered is None or not heat.get("feasible", True):
        return None
    return str(_("Chaleur livrée : %(delivered)s MWh par an sur %(offered)s MWh offerts ; %(loss)s MWh perdus dans "
                 "%(distance)s km de conduite enterrée.")) % {
        "delivered": _term_number(delivered, lang), "offered": _term_number(offered, lang),
        "loss": _term_number(loss, lang), "distance": distance_figure(distance_km) if distance_km is not None else "—"}
