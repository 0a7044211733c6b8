"""What a given person may see of a site, a flow or a synergy — the confidentiality layer.

Pages and the API both build their output from these dictionaries, never from the
models directly, so an identity can only reach a screen through ``site_card``,
which hands out the name, SIRET and exact location only to those allowed
(members, the territory's facilitators, the administrator, both parties after a
double opt-in, or anyone when the company published its profile). Everyone else
gets the material, an order-of-magnitude quantity range and the EPCI.
"""

import csv
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boucle.matching import lifecycle

from boucle.accounts.access import can_see_site, point_shown, shown_by_name
from boucle.territories import coarse
from boucle.paths import PACKAGE_DIR

from .words import (KIND_LABELS, decade_range, distance_figure,  # noqa: F401  (KIND_LABELS re-exported)
                    explanation_sentences, explanation_sources)

CLASSES_CSV = PACKAGE_DIR / "materials" / "data" / "classes.csv"
STATUS_LABELS = {
    lifecycle.SUGGESTED: gettext_lazy("suggérée"), lifecycle.CONTACTED: gettext_lazy("contact pris"),
    lifecycle.IN_DISCUSSION: gettext_lazy("en discussion"), lifecycle.TRIAL: gettext_lazy("essai"),
    lifecycle.RUNNING: gettext_lazy("en fonctionnement"), lifecycle.STOPPED: gettext_lazy("arrêtée"),
    lifecycle.DECLINED: gettext_lazy("abandonnée"),
}


@lru_cache(maxsize=1)
def material_classes() -> dict[str, dict]:
    """key → {label_fr, label_en, kind}; empty when the taxonomy is absent."""
    if not CLASSES_CSV.exists():
        return {}
    with CLASSES_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["key"]: {"label_fr": r["label_fr"], "label_en": r["label_en"], "kind": r.get("kind", "")}
                for r in csv.DictReader(fh)}


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def material_label(key: str) -> str:
    info = material_classes().get(key or "")
    if not info:
        return key or ""
    return info["label_en"] if _lang() == "en" else info["label_fr"]


def ewc_label(code) -> str:
    if code is None:
        return ""
    return code.label_en if _lang() == "en" else code.label_fr


def quantity_range(value: float | None, unit: str) -> str:
    """A decade bracket (e.g. "10–100 t/an"): enough to judge relevance, too coarse to identify a plant."""
    if value is None or not unit:
        return _("quantité non précisée")
    return decade_range(value, unit) + _("/an")


def site_card(user, site, *, revealed: bool = False) -> dict:
    """The site as this user may see it; ``anonymous`` tells the template which half to show."""
    commune = site.commune
    epci = commune.epci.name if commune is not None and commune.epci_id else ""
    full = revealed or can_see_site(user, site)
    if not (full or shown_by_name(site)):
        return {"anonymous": True, "id": None, "label": _("Entreprise anonyme"), "epci": epci}
    # A published company's profile (or a public register entry) is public, not its exact point: 3 decimals
    # (≈ 100 m) for outsiders.
    lat, lon = point_shown(user, site, revealed=revealed, public=True)  # named: see above
    return {"anonymous": False, "id": site.pk, "label": site.name, "company": site.company.name,
            "site_id": site.site_id, "commune": str(commune) if commune else "", "epci": epci,
            "lat": lat, "lon": lon}


def flow_card(user, flow, *, revealed: bool = False) -> dict:
    """The flow as this user may see it. A company that published its profile shows its name and sites,
    not what it marked « Confidentiel »: such a flow's label and exact quantity (``exact``) go only to
    those who may see the site anyway, and to both parties after the double opt-in."""
    site = site_card(user, flow.site, revealed=revealed)
    exact = not site["anonymous"] and (not flow.confidential or revealed or can_see_site(user, flow.site))
    card = {"direction": flow.direction, "kind": flow.kind, "material": material_label(flow.material_class),
            "material_class": flow.material_class, "ewc": flow.ewc.code if flow.ewc_id else "",
            "quantity_range": quantity_range(flow.quantity_base, flow.base_unit), "site": site, "exact": exact}
    if exact:
        from .words import flow_quantity, utility_kind

        # who may see the label sees the quantity as declared (« 2 300 t/an »), not a bracket of it; an energy or
        # water flow's label is followed by what it is (« Chaleur de l'incinération (chaleur fatale moyenne
        # température, 130 °C) »)
        card.update({"id": flow.pk, "label": flow.label, "quantity": flow.quantity, "unit": flow.unit,
                     "period": flow.period, "quantity_text": flow_quantity(flow.quantity, flow.unit, flow.period),
                     "label_kind": _label_with_kind(flow.label, utility_kind(flow.material_class, flow.kind,
                                                                              flow.temperature_c, flow.label))})
    return card


def _label_with_kind(label: str, kind: str) -> str:
    """A flow's label followed by what it is, between brackets: « Chaleur de l'incinération (chaleur fatale
    moyenne température, 130 °C) »; inside the label's own closing bracket rather than a second pair
    (« Chaleur fatale basse température (campagne ; 55 °C) »)."""
    label = (label or "").strip()
    if not kind:
        return label
    if label.endswith(")"):
        return f"{label[:-1]} ; {kind})" if not _english() else f"{label[:-1]}; {kind})"
    return f"{label} ({kind})"


def _english() -> bool:
    return (get_language() or "fr").startswith("en")


def synergy_card(user, synergy) -> dict:
    """Both sides of a synergy as the user may see them, with its estimated impact and the user's rights."""
    from boucle.matching import services

    sides = services.sides_of(user, synergy)
    revealed = bool(synergy.revealed_at) and bool(sides)
    offer = flow_card(user, synergy.offer, revealed=revealed)
    if synergy.need_id:
        need = flow_card(user, synergy.need, revealed=revealed)
    else:
        need = {"direction": "need", "material": material_label(synergy.material_class),
                "quantity_range": (_("activité inconnue : à vérifier")
                                   if (synergy.explanation or {}).get("unknown_activity") else
                                   _("besoin déduit de l'activité")),
                "site": site_card(user, synergy.need_site, revealed=revealed)}
    # the exchange is the smaller of the two quantities: an exact estimate would give a hidden one away
    hidden = not offer["exact"] or not need.get("exact", not need["site"]["anonymous"])
    # To a party that may not see the other site, the distance is a band: an exact figure, read
    # from one's own known site, draws a circle through the other one.
    distance_km = None if hidden else round(synergy.distance_km, 1)
    mine = "offer" if "offer" in sides else ("need" if "need" in sides else "")
    # Energy and water are exchanged in MWh and m³, not diverted tonnes (which are 0 for them).
    unit = {"MWh": "MWh", "m3": "m³"}.get(synergy.offer.base_unit or "", "t")
    moved = synergy.tonnes_diverted if unit == "t" else synergy.quantity_t
    basis, note = estimate_basis_of(synergy)
    my_answer = synergy.offer_interest if mine == "offer" else (synergy.need_interest if mine == "need" else None)
    return {
        "id": synergy.pk, "status": synergy.status, "status_label": str(STATUS_LABELS[synergy.status]),
        "material": material_label(synergy.material_class), "distance_km": distance_km,
        # two sites at one address (or a few metres apart) read « < 0,1 km », not « 0,0 km »
        "distance": (f"{distance_figure(distance_km)} km" if distance_km is not None
                     else coarse.distance_band(synergy.distance_km)),
        # The score is the product of the shown terms and exp(-distance / decay): with them it gives the
        # exact distance back, so it goes with the distance.
        "score": None if hidden else round(synergy.score, 3), "offer": offer, "need": need,
        "inferred": synergy.inferred,
        # An exact estimate would give away the other side's quantity (the exchange is the smaller of the two).
        # What the figures are for when not plainly the declared need (an upper bound, or unknown): in
        # words, without a figure, so shown to both sides.
        "estimated": ({"tonnes": None, "co2e_t": None, "eur": None, "unit": unit, "basis": basis, "note": note,
                       "brackets": [b for b in (bracket(moved, unit, at_most=_own_quantity(synergy, mine, unit)),
                                                bracket(synergy.co2e_avoided_t, "t CO₂e"),
                                                _net_gain(bracket(synergy.eur_saved, "€"))) if b]}
                      if hidden else {"tonnes": moved, "unit": unit, "co2e_t": synergy.co2e_avoided_t,
                                      "eur": synergy.eur_saved, "basis": basis, "note": note, "brackets": []}),
        "explanation": explanation_sentences(synergy.explanation, hide_quantities=hidden,
                                             receiver_hidden=need["site"]["anonymous"], origins=class_origins(synergy),
                                             # the need's own words, to whom may read its label
                                             need_label=need.get("label") if need.get("exact") else None,
                                             sources_apart=True),
        # the documents behind the rule, each a short name that opens the whole document
        "sources": explanation_sources(synergy.explanation, receiver_hidden=need["site"]["anonymous"],
                                       need_label=need.get("label") if need.get("exact") else None),
        "co2e_text": None if hidden else co2e_text(synergy, per_year=True),
        "co2e_figure": None if hidden else co2e_text(synergy, with_range=False),
        "eur_text": None if hidden or synergy.eur_saved is None else eur_text(synergy.eur_saved),
        "assumption": route_assumption(synergy.explanation),
        "route_unchanged": route_unchanged(synergy.explanation),
        "revealed": revealed or (not offer["site"]["anonymous"] and not need["site"]["anonymous"]),
        # no figure at all (no quantity diverted, no CO2e, no gain estimated): the card says so in words
        "estimated_nothing": all(v is None for v in (moved, synergy.co2e_avoided_t, synergy.eur_saved)) and not note,
        "side": mine, "my_answer": my_answer, "can_answer": bool(sides),
        "can_steer": services.can_steer(user, synergy),
    }


def class_origins(synergy) -> dict:
    """Who decided each side's class (``flow_forms.class_origin``): a need the matching deduced from the
    receiver's activity has no flow, its class is the activity's."""
    from .flow_forms import class_origin, classes_chosen

    e = synergy.explanation if isinstance(synergy.explanation, dict) else {}
    offer_class = e.get("offer_class") or synergy.material_class
    chosen = classes_chosen([synergy.offer, synergy.need] if synergy.need_id else [synergy.offer])
    return {"offer": class_origin(synergy.offer, offer_class, synergy.offer.pk in chosen),
            "need": (class_origin(synergy.need, e.get("need_class") or offer_class, synergy.need.pk in chosen)
                     if synergy.need_id else "activity")}


def estimate_basis_of(synergy) -> tuple[str | None, str | None]:
    """What a suggestion's stored figures are for (``additionality.BASIS_*``, decided at scoring) and, when
    it is not plainly the declared need, its words (``wording.estimate_note``)."""
    from boucle.matching.wording import disposal_receiver_note, estimate_note, fuel_use_note, waste_receiver_note

    e = synergy.explanation if isinstance(synergy.explanation, dict) else {}
    basis = e.get("estimate_basis")
    fuel = fuel_use_note(synergy.co2e_avoided_t is not None) if e.get("fuel_use") else None
    resold = (disposal_receiver_note() if e.get("disposal_receiver") else
              waste_receiver_note() if e.get("waste_receiver") else None)
    notes = [estimate_note(basis, synergy.offer.base_unit or "t"), fuel, resold]
    notes = [str(n) for n in notes if n]
    # two sentences: the template capitalises the first and ends the last with a full stop
    return basis, ". ".join([notes[0], *(n[:1].upper() + n[1:] for n in notes[1:])]) if notes else None


def co2e_text(synergy, with_range: bool = True, per_year: bool = False) -> str | None:
    """The estimated CO2e rounded to the digits its range allows, with the range: « 1 800 t CO₂e (1 400 – 2 200) »;
    ``per_year`` (a card's line): « 1 800 t CO₂e/an (1 400 – 2 200) », the year with the unit, before the range;
    without unit and range (« 1 800 ») for a list's column, which so shows the card's figure."""
    from boucle.impact.ranges import format_range

    if synergy.co2e_avoided_t is None:
        return None
    e = synergy.explanation if isinstance(synergy.explanation, dict) else {}
    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    return format_range(synergy.co2e_avoided_t, e.get("co2e_low_t"), e.get("co2e_high_t"),
                        ("t CO₂e/" + _("an") if per_year else "t CO₂e") if with_range else "", lang,
                        with_range=with_range)


def eur_text(eur: float) -> str:
    """Net euros rounded to two significant digits: an estimate from orders of magnitude is not exact to the euro."""
    from boucle.impact.ranges import format_range

    return format_range(eur, None, None, "€", "en" if (get_language() or "fr").startswith("en") else "fr")


def route_assumption(explanation) -> str | None:
    """What the offer is assumed to become today when the company did not say, in words; when that is
    already a recovery (recycled, spread), what it means for the exchange."""
    from boucle.impact.routes import routes

    if not isinstance(explanation, dict) or not explanation.get("current_route_assumed"):
        return None
    route = routes().get(explanation.get("current_route") or "")
    if route is None:
        return None
    label = route.label_en if (get_language() or "fr").startswith("en") else route.label_fr
    text = _("devenir actuel non déclaré, supposé : %(route)s") % {"route": label.lower()}
    if route.credit == "none":
        text = _("%(assumption)s ; si c'est bien le cas, l'échange ne change pas son traitement : il n'évite ni "
                 "matière vierge ni élimination") % {"assumption": text}
    return text


def route_unchanged(explanation) -> str | None:
    """For an offer its company declared already recovered (an R code of recycling, spreading) whose
    quantity is unknown (with one, a pair gaining nothing is left out): that the exchange changes nothing."""
    from boucle.impact.routes import routes

    if not isinstance(explanation, dict) or explanation.get("current_route_assumed"):
        return None
    route = routes().get(explanation.get("current_route") or "")
    if route is None or route.credit != "none":
        return None
    label = route.label_en if (get_language() or "fr").startswith("en") else route.label_fr
    return _("%(route)s aujourd'hui (déclaré par l'entreprise) : l'échange ne change pas son traitement, il "
             "n'évite ni matière vierge ni élimination") % {"route": label}


def reason_text(reason: dict) -> str | None:
    code = reason.get("code")
    if code == "same_class":
        return _("même classe de matière")
    if code == "substitution":
        return _("%(offer)s peut remplacer %(need)s") % {"offer": material_label(reason.get("offer_class", "")),
                                                        "need": material_label(reason.get("need_class", ""))}
    if code == "inferred_need":
        return _("besoin déduit de l'activité du site receveur")
    if code == "hazardous_to_authorised_site":
        return _("déchet dangereux : le site receveur doit être autorisé")
    if code == "demand_unknown":
        return _("quantité demandée inconnue")
    if code == "heat":
        return _("chaleur : température offerte et demandée compatibles")
    if code == "water_grade":
        return _("qualité d'eau compatible")
    return None


def bracket(value: float | None, unit: str, at_most: float | None = None) -> str | None:
    """An estimate as a decade bracket, for cards where the other company is still anonymous; ``at_most``: the
    reader's own quantity, where the bracket stops (``words.decade_range``)."""
    return decade_range(value, unit, at_most)


def _net_gain(text: str | None) -> str | None:
    """Euros on a card said for what they are, as the detail says them: « gain net 10 à 100 k€ »."""
    return None if text is None else f"{_('gain net')} {text}"


def _own_quantity(synergy, mine: str, unit: str) -> float | None:
    """The yearly quantity of the reader's own side of a synergy, in the unit of its exchanged figure: the exchange
    is at most that (the smaller of offer and need), which the reader knows already. None when not its side or not
    that unit."""
    flow = synergy.offer if mine == "offer" else (synergy.need if mine == "need" and synergy.need_id else None)
    if flow is None or flow.quantity_base is None:
        return None
    return flow.quantity_base if {"m3": "m³"}.get(flow.base_unit or "t", flow.base_unit or "t") == unit else None
