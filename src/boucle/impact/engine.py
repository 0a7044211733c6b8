"""Scalar impact of one exchange, with every term traceable to a factor row.

Method (Eckelman & Chertow 2013, as used to report industrial-symbiosis programmes):

    dCO2e = Q.s.EF_virgin(m') + Q.EF_disposal(m, route) - Q.EF_processing(m->m') - Q.d.EF_transport(mode)

A figure that cannot be computed is ``None`` with an entry in ``reasons``: a zero
would read as "no impact" on a dashboard, which is a different claim.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from boucle.messages import EngineError, Label, Message, in_sentence, render
from boucle.messages import gettext_noop as _

from .factors import MODE_FACTOR_IDS, NONE_ID, Factor, MaterialInfo, Recipe, Tables, default_tables
from .units import BASE_UNIT, to_base

METHOD = "Eckelman & Chertow (2013) avoided-burden balance; Boucle impact method v1"
BASES = ("estimated", "verified")
# kg CO2e per factor unit -> kg CO2e per base unit of the flow
_UNIT_SCALE = {("t", "t"): 1.0, ("t.km", "t.km"): 1.0, ("m3", "m3"): 1.0, ("kWh", "MWh"): 1000.0, ("MWh", "MWh"): 1.0}


@dataclass
class Term:
    name: str
    value: float | None
    value_unit: str
    factor: float | None = None
    unit: str = ""
    factor_id: str = ""
    source: str = ""
    vintage: str = ""
    geography: str = ""
    activity: float | None = None
    activity_unit: str = ""
    note: str = ""
    reason: Message | None = None


@dataclass
class Breakdown:
    material: str
    material_label: str
    flow_kind: str
    replaces: str | None
    substitution_ratio: float | None
    quantity: float
    unit: str
    quantity_base: float | None
    base_unit: str
    distance_km: float
    mode: str
    baseline_route: str
    basis: str
    co2e_avoided_t: float | None
    tonnes_diverted: float | None
    virgin_avoided_t: float | None
    water_saved_m3: float | None
    energy_recovered_mwh: float | None
    eur_saved: float | None
    breakeven_distance_km: float | None
    terms: list[Term] = field(default_factory=list)
    cost_terms: list[Term] = field(default_factory=list)
    reasons: dict[str, Message] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    method: str = METHOD
    # The counterfactual: the route the flow follows today (declared, or a documented default).
    current_route: str = ""
    current_route_label: str = ""
    route_assumed: bool = False
    route_source: str = ""
    assumptions: list[Message] = field(default_factory=list)
    # What the material is worth on its market: information, never part of eur_saved.
    market_value_eur: float | None = None
    # Estimated figures' low-high ranges (None for verified figures or when not computable).
    co2e_low_t: float | None = None
    co2e_high_t: float | None = None
    eur_low: float | None = None
    eur_high: float | None = None
    heat: dict[str, Any] = field(default_factory=dict)

    @property
    def computable(self) -> bool:
        return self.co2e_avoided_t is not None

    def to_dict(self, gettext=None, language: str = "fr") -> dict[str, Any]:
        """Plain data for JSON: reasons and assumptions as text (French, or through ``gettext`` at the
        shell), their stable codes in ``reason_codes``."""
        reasons, assumptions, heat = self.reasons, self.assumptions, self.heat
        reasons_by_term = [t.reason for t in self.terms + self.cost_terms]
        d = asdict(replace(self, reasons={}, assumptions=[], heat={},
                           terms=[replace(t, reason=None) for t in self.terms],
                           cost_terms=[replace(t, reason=None) for t in self.cost_terms]))
        d["reasons"] = {k: m.render(gettext, language) for k, m in reasons.items()}
        d["reason_codes"] = {k: m.code for k, m in reasons.items()}
        # a data table's own explanation (English, with its citation), when the reason has one
        d["reason_details"] = {k: m.params["detail"] for k, m in reasons.items() if m.params.get("detail")}
        d["assumptions"] = [m.render(gettext, language) for m in assumptions]
        for row, reason in zip(d["terms"] + d["cost_terms"], reasons_by_term):
            row["reason"] = render(reason, gettext, language)
        d["heat"] = render(heat, gettext, language)
        return d


#: The terms of a breakdown in words (``Term.name`` is their stable key).
TERM_NAMES = {
    "virgin_avoided": _("production de matière vierge évitée"),
    # the same term for heat: what the receiver's gas boiler would have made
    "virgin_avoided_heat": _("chaleur d'une chaudière au gaz évitée"),
    "disposal_avoided": _("élimination évitée (devenir actuel)"),
    "processing": _("préparation de la matière"),
    "transport": _("transport"),
    "heat_pump_electricity": _("électricité de la pompe à chaleur"),
    "avoided_disposal_fee": _("coût d'élimination évité"),
    "avoided_purchase": _("achat évité"),
    "processing_cost": _("coût de préparation"),
    "transport_cost": _("coût du transport"),
    "heat_pump_electricity_cost": _("électricité de la pompe à chaleur"),
    "heat_network_cost": _("réseau de chaleur (investissement annualisé)"),
    "fuel_displaced": _("combustible fossile remplacé chez le receveur"),
    "fuel_combustion": _("émissions de la combustion de la matière"),
    "avoided_fuel_purchase": _("achat de chaleur utile évité"),
}


def term_name(name: str, heat: bool = False) -> Message:
    """A term in words; ``heat``: the breakdown of heat, whose avoided production is a gas boiler's heat."""
    if heat and name == "virgin_avoided":
        name = "virgin_avoided_heat"
    return Message("impact.term." + name, TERM_NAMES.get(name, name))


def _m(code: str, msgid: str, **params) -> Message:
    return Message("impact." + code, msgid, params)


PRICE_KINDS = {k: Message("impact.price-kind", v) for k, v in {
    "disposal_fee": _("redevance d'élimination"), "virgin_price": _("prix de la matière vierge"),
    "processing_cost": _("coût de préparation"), "transport_cost": _("coût du transport"),
    "energy_price": _("prix de l'énergie"), "secondary_price": _("prix de marché")}.items()}
QTY_MISSING = _m("quantity-missing", _("quantité non calculable"))
NO_RECIPE = _("aucune recette de substitution pour cette matière (pas de facteur d'émission publié pour ce qu'elle "
              "remplacerait)")
SAME_PREPARATION = "the same preparation happens on the current route"
TREATER_FEE = ("the receiver treats and disposes of waste (NACE 38.21, 38.22): it bills its own gate fee in place "
               "of today's disposal fee, so the saving depends on its price")
TREATER_FEE_REASON = _m("treater-fee", _("le receveur traite et élimine des déchets : il facture son propre prix à la "
                                         "place de l'élimination d'aujourd'hui, l'économie dépend de son tarif"))
DISPOSED = ("the receiver treats and disposes of the waste (NACE 38.21, 38.22: incineration, physico-chemical "
            "treatment, landfill), it does not recycle or regenerate it: no virgin material is avoided, and its "
            "own treatment replaces today's route, whose difference no shipped factor gives")
DISPOSED_REASON = _m("disposal-receiver", _("le receveur traite et élimine le déchet sans le recycler : aucun crédit "
                                            "de recyclage n'est compté, et l'écart avec la filière d'aujourd'hui "
                                            "n'est pas connu"))
RESOLD = ("the receiver is a waste operator: it prepares the material and sells it on, it does not buy the virgin "
          "material, and its preparation is paid by the resale; the saving is the avoided disposal")


def _factor_per_base(f: Factor, base: str) -> float | None:
    scale = _UNIT_SCALE.get((f.unit, base))
    return None if scale is None else f.kgco2e_per_unit * scale


def _co2_term(name: str, sign: float, factor_id: str, activity: float | None, activity_unit: str,
              base: str, tables: Tables, missing: Message, note: str = "") -> Term:
    """A term = sign x activity x factor; missing factor or activity -> value None."""
    if factor_id == NONE_ID:
        return Term(name, 0.0, "t CO2e", 0.0, "", NONE_ID, tables.factors[NONE_ID].source,
                    activity=activity, activity_unit=activity_unit, note=note)
    f = tables.factor(factor_id)
    if f is None:
        return Term(name, None, "t CO2e", factor_id=factor_id, activity=activity,
                    activity_unit=activity_unit, note=note, reason=missing)
    per = _factor_per_base(f, base)
    unit = f"kg CO2e/{f.unit}"
    term = Term(name, None, "t CO2e", f.kgco2e_per_unit, unit, f.factor_id, f.source, f.vintage,
                f.geography, activity, activity_unit, note)
    if per is None:
        term.reason = _m("factor-unit", _("le facteur %(factor)s est par %(unit)s, le flux est compté en %(base)s"),
                         factor=f.factor_id, unit=f.unit, base=base)
    elif activity is None:
        term.reason = missing
    else:
        term.value = sign * activity * per / 1000.0
    return term


def per_base_kg(tables: Tables, factor_id: str, base: str) -> float | None:
    """kg CO2e per base unit for a factor id; None when missing or unit-incompatible."""
    if factor_id == NONE_ID:
        return 0.0
    f = tables.factor(factor_id)
    return None if f is None else _factor_per_base(f, base)


def _mass_t_per_base(info: MaterialInfo) -> float | None:
    if info.flow_kind == "material":
        return 1.0
    if info.flow_kind == "water":
        return info.density_t_per_m3 if info.density_t_per_m3 else 1.0
    return 0.0  # heat is not trucked


def _pick_recipe(tables: Tables, key: str, replaces: str | None) -> Recipe | None:
    for r in tables.recipes.get(key, []):
        if replaces is None or r.replaces_key == replaces:
            return r
    return None


def disposal_factor_id(info: MaterialInfo, recipe: Recipe | None, route: str) -> str:
    if recipe is not None and route == info.baseline_route and recipe.disposal_factor_id:
        return recipe.disposal_factor_id
    return info.disposal_factor_ids.get(route, "")


def processing_price_key(tables: Tables, recipe: Recipe) -> str:
    if tables.price("processing_cost", recipe.material_key) is not None:
        return recipe.material_key
    return recipe.replaces_key


def _cost_term(name: str, sign: float, tables: Tables, kind: str, key: str, activity: float | None,
               activity_unit: str) -> Term:
    p = tables.price(kind, key)
    if p is None:
        return Term(name, None, "EUR", activity=activity, activity_unit=activity_unit,
                    reason=_m("no-price", _("aucun prix par défaut (%(kind)s) pour %(key)s"),
                              kind=PRICE_KINDS.get(kind, kind), key=_price_words(key)))
    t = Term(name, None, "EUR", p.eur_default, f"EUR/{p.unit}", f"{kind}:{key}", p.source, p.vintage,
             p.territory, activity, activity_unit, f"range {p.eur_low}-{p.eur_high} EUR/{p.unit}")
    if activity is None:
        t.reason = QTY_MISSING
    else:
        t.value = sign * activity * p.eur_default
        lo = p.eur_low if p.eur_low is not None else p.eur_default
        hi = p.eur_high if p.eur_high is not None else p.eur_default
        # the least and most favourable value of the term, kept for the EUR range
        t._range = sorted((sign * activity * lo, sign * activity * hi))  # type: ignore[attr-defined]
    return t


def _zero_term(name: str, value_unit: str, note: str, activity: float | None = None,
               activity_unit: str = "") -> Term:
    """A term the counterfactual removes (already recycled, already treated): 0, with the reason."""
    return Term(name, 0.0 if activity is not None else None, value_unit, 0.0, "", NONE_ID, "Boucle method",
                activity=activity, activity_unit=activity_unit, note=note,
                reason=None if activity is not None else QTY_MISSING)


def _eur_range(terms: list[Term]) -> tuple[float | None, float | None]:
    if any(t.value is None for t in terms):
        return None, None
    lo = sum(getattr(t, "_range", (t.value, t.value))[0] for t in terms)
    hi = sum(getattr(t, "_range", (t.value, t.value))[1] for t in terms)
    return lo, hi


def _sum(terms: list[Term]) -> float | None:
    if any(t.value is None for t in terms):
        return None
    return sum(t.value for t in terms)


def _first_reason(terms: list[Term]) -> Message:
    """Why some terms could not be computed, each named in words."""
    return _m("terms-missing", "%(reasons)s", reasons=tuple(
        _m("term-missing", _("%(term)s : %(reason)s"), term=term_name(t.name), reason=t.reason)
        for t in terms if t.reason))


def _material(key: str | None) -> Label | str | None:
    """A material class named in a reason, in words in both languages (``materials.taxonomy``), not its key."""
    from boucle.materials.taxonomy import get_class

    try:
        c = get_class(key)
    except (KeyError, TypeError):
        return key
    return Label(in_sentence(c.label_fr or key), in_sentence(c.label_en or c.label_fr or key))


def _price_words(key: str) -> Label | str:
    """A price's key in words: a material class, or a route (« landfill:inert » names the route)."""
    from .routes import routes

    head = key.split(":", 1)[0]
    route = routes().get(head)
    if route is not None:
        return Label(in_sentence(route.label_fr or head), in_sentence(route.label_en or route.label_fr or head))
    named = _material(key)
    return named if named is not None else key


def _route_texts(choice) -> list[Message]:
    """The assumed current route, named by the route table in both languages, with its source (a citation)."""
    if not choice.assumed:
        return []
    from .routes import METHOD_DEFAULT

    r = choice.route
    route = Label(r.label_fr or r.key, r.label_en or r.key)
    if choice.source == METHOD_DEFAULT:
        text = [_m("route-method-default", _("filière actuelle supposée : %(route)s, la filière de référence de la "
                                             "méthode pour cette matière (aucune filière documentée pour cette "
                                             "matière et ce code déchet)"), route=route)]
    else:  # a documented default: its source is a citation (regulation, list of waste)
        text = [_m("route-assumed", _("filière actuelle supposée : %(route)s (source : %(source)s)"), route=route,
                   source=choice.source)]
    if choice.declared:
        text.append(_m("route-intermediate", _("%(declared)s est une étape intermédiaire : la filière finale est "
                                               "supposée"), declared=choice.declared))
    return text


def exchange_breakdown(material_key: str, quantity: float, unit: str, distance_km: float,
                       mode: str | None = None, baseline_route: str | None = None,
                       replaces: str | None = None, basis: str = "estimated",
                       labels: dict[str, Any] | None = None, tables: Tables | None = None, *,
                       ewc: str | None = None, supply_temperature_c: float | None = None,
                       need_temperature_c: float | None = None, fuel_receiver: str | None = None,
                       waste_receiver: bool = False, disposal_receiver: bool = False) -> Breakdown:
    """Full breakdown of one exchange, ready to display or serialise.

    ``baseline_route`` is the flow's current route as declared (a route key such as
    ``landfill`` or ``recycling``, or an operation code R1-R13 / D1-D15); without it the
    documented default for the material and ``ewc`` code applies and is listed in
    ``assumptions``. Heat takes the supply and need temperatures (docs/impact-method.md).
    ``fuel_receiver``: the receiver's activity (NACE code, normalised « 23.51 »); where it burns the
    material as a fuel (``fuel_use_receivers.csv``), the exchange is valued by the fuel it displaces
    (``boucle.impact.fuel``), not by a virgin material avoided.
    ``waste_receiver``: the receiver is a waste operator (recycler, waste trader) that prepares the material and
    sells it on: it would never buy the virgin material, so no avoided purchase is counted in euros, nor its
    preparation, paid by the resale (the avoided disposal fee and the transport are); the CO2e keeps the recycling credit of the chain (docs/impact-method.md).
    ``disposal_receiver``: the receiver treats and disposes of waste (NACE 38.21, 38.22: landfill, incineration,
    physico-chemical treatment): it charges its own gate fee, the very fee ``prices.csv`` gives for today's disposal,
    so no disposal fee is avoided and the euros are not computable (they depend on its price against today's); and
    it does not recycle or regenerate the material, so no recycling credit is claimed: the CO2e is not computable
    either (its treatment against today's route). A material only; it takes precedence over ``fuel_receiver`` and
    ``waste_receiver`` (``impact.vector.score_exchanges``' ``disposal``, the same rule).
    """
    from . import heat as H
    from .fuel import fuel_terms, receiver_of
    from .ranges import co2e_range
    from .routes import resolve_route

    tables = tables or default_tables()
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}")
    info = tables.materials.get(material_key)
    if info is None:
        raise EngineError("impact.material", _("classe de matière inconnue : %(key)s"), key=material_key)
    if info.flow_kind not in BASE_UNIT:
        raise EngineError("impact.no-method", _("%(key)s : pas de méthode d'impact pour cette matière"),
                          key=material_key, detail=info.no_recipe_reason)
    mode = mode or ("road" if info.flow_kind == "material" else "pipe")
    if mode not in MODE_FACTOR_IDS:
        raise EngineError("impact.mode", _("mode de transport inconnu : %(mode)s"), mode=mode)
    base = BASE_UNIT[info.flow_kind]
    choice = resolve_route(material_key, baseline_route, ewc, info.baseline_route)
    credit = choice.route.credit
    route = choice.route.impact_route or choice.route.key
    assumptions = _route_texts(choice)
    reasons: dict[str, Message] = {}
    q = to_base(quantity, unit, info.flow_kind, info.density_t_per_m3)
    Q = q.value
    recipe = _pick_recipe(tables, material_key, replaces)
    s = recipe.substitution_ratio if recipe else None
    mass = _mass_t_per_base(info)
    qty_missing = q.reason or QTY_MISSING
    is_mat, is_water, is_heat = (info.flow_kind == k for k in ("material", "water", "heat"))
    already = "already on a recovery route today: " + (choice.route.note or "no avoided burden")
    disposed = disposal_receiver and info.flow_kind == "material"
    fuel = receiver_of(tables, fuel_receiver, material_key) if info.flow_kind == "material" and not disposed else None
    # already recovered today (recycled, spread): nothing avoided whatever the recipe, only the transport counts
    already_recovered = credit == "none" and info.flow_kind == "material"
    valued = recipe is not None or fuel is not None or already_recovered or disposed
    # a waste operator (not a disposal site) takes the material to prepare and resell it: without a substitution
    # recipe there is no CO2e to count, but the offer's site still saves its avoided disposal fee (RESOLD)
    resold_no_recipe = recipe is None and waste_receiver and not disposal_receiver and fuel is None and \
        info.flow_kind == "material" and not already_recovered

    terms: list[Term] = []
    cost_terms: list[Term] = []
    heat_info: dict[str, Any] = {}
    breakeven = None
    delivered = Q
    if disposed:  # treated or disposed of, not recycled: no credit claimed, the difference with today's unknown
        terms.append(_zero_term("virgin_avoided", "t CO2e", DISPOSED, Q, base))
        terms.append(Term("disposal_avoided", None, "t CO2e", activity=Q, activity_unit=base, note=DISPOSED,
                          reason=DISPOSED_REASON))
    elif fuel is not None:  # burnt as a fuel: the fuel it displaces (boucle.impact.fuel)
        fuel_co2, fuel_cost = fuel_terms(tables, info, fuel, recipe, Q, credit, route, choice.route.note, already,
                                         qty_missing)
        terms.extend(fuel_co2)
        cost_terms.extend(fuel_cost)
    elif already_recovered:
        terms.append(_zero_term("virgin_avoided", "t CO2e", already, Q, base))
        terms.append(_zero_term("disposal_avoided", "t CO2e", already, Q, base))
        terms.append(_zero_term("processing", "t CO2e", SAME_PREPARATION, Q, base))
    elif recipe is None:
        if replaces and tables.recipes.get(material_key):
            why = _m("no-recipe-for", _("aucune recette de substitution ne remplace %(replaces)s"), replaces=_material(replaces))
        else:  # the table's own explanation (cited data, English) stays in material_factors.csv
            why = _m("no-recipe", NO_RECIPE, detail=info.no_recipe_reason)
        reasons["co2e_avoided_t"] = why
    elif is_heat:
        delivered, breakeven = _heat_terms(H, tables, info, recipe, Q, distance_km, supply_temperature_c,
                                           need_temperature_c, terms, cost_terms, heat_info, assumptions,
                                           reasons, qty_missing)
    elif credit == "none":
        terms.append(_zero_term("virgin_avoided", "t CO2e", already, Q, base))
        terms.append(_zero_term("disposal_avoided", "t CO2e", already, Q, base))
        terms.append(_zero_term("processing", "t CO2e", SAME_PREPARATION, Q, base))
    else:
        q_s = None if Q is None else Q * s
        terms.append(_co2_term("virgin_avoided", +1, recipe.virgin_factor_id, q_s, base, base, tables,
                               _m("no-virgin-factor", _("aucun facteur pour la matière vierge %(replaces)s"),
                                  replaces=_material(recipe.replaces_key)) if Q is not None else qty_missing,
                               recipe.note))
        if credit == "virgin_only":
            terms.append(_zero_term("disposal_avoided", "t CO2e", choice.route.note, Q, base))
        else:
            d_id = disposal_factor_id(info, recipe, route)
            terms.append(_co2_term("disposal_avoided", +1, d_id, Q, base, base, tables,
                                   _m("no-disposal-factor", _("aucun facteur d'élimination pour la filière %(route)s"),
                                      route=_price_words(route))
                                   if Q is not None else qty_missing))
        terms.append(_co2_term("processing", -1, recipe.processing_factor_id, Q, base, base, tables,
                               _m("no-processing-factor", _("aucun facteur de préparation pour %(material)s → "
                                                            "%(replaces)s"), material=_material(material_key),
                                  replaces=_material(recipe.replaces_key)) if Q is not None else qty_missing))
    t_km = None if Q is None else Q * mass * distance_km
    if is_heat:
        transport = _co2_term("transport", -1, NONE_ID, t_km, "t.km", "t.km", tables, qty_missing,
                              "heat travels through a network, not by freight")
    else:
        transport = _co2_term("transport", -1, MODE_FACTOR_IDS[mode], t_km, "t.km", "t.km", tables,
                              qty_missing if Q is None else _m("no-freight-factor", _("aucun facteur de fret pour le "
                                                                                       "mode %(mode)s"), mode=mode))
    terms.append(transport)

    co2 = _sum(terms) if valued else None
    if valued and co2 is None:
        reasons["co2e_avoided_t"] = q.reason or _first_reason(terms)

    # break-even: distance at which the transport term eats the whole gain (heat: the pipe's cost)
    if is_heat:
        if breakeven is None:
            reasons.setdefault("breakeven_distance_km", reasons.get("co2e_avoided_t", _m(
                "heat-not-deliverable", _("chaleur non livrable"))))
    elif co2 is None:
        reasons["breakeven_distance_km"] = reasons.get("co2e_avoided_t", _m("co2e-missing", _("CO2e non calculable")))
    else:
        per_unit_gain = sum(t.value for t in terms if t.name != "transport") / Q * 1000.0 if Q else 0.0
        per_km = (mass or 0.0) * (transport.factor or 0.0)
        if per_km <= 0:
            reasons["breakeven_distance_km"] = _m("no-freight-term", _("pas de terme de fret pour ce flux ou ce mode"))
        elif per_unit_gain <= 0:
            reasons["breakeven_distance_km"] = _m("no-gain", _("aucun gain de CO2 même à distance nulle"))
        else:
            breakeven = per_unit_gain / per_km

    def metric(name: str, applies: bool, value_if: float | None, why_missing: Message) -> float | None:
        if not applies:
            return 0.0
        if value_if is None:
            reasons[name] = why_missing
        return value_if

    avoided = None if Q is None or (s is None and not already_recovered) else (0.0 if credit == "none" else Q * s)
    if disposed:  # disposed of: no virgin material avoided
        avoided = None if Q is None else 0.0
    if fuel is not None:  # burnt: no virgin material avoided
        avoided = None if Q is None else 0.0
    tonnes_diverted = metric("tonnes_diverted", is_mat, None if Q is None else (0.0 if credit == "none" else Q),
                             qty_missing)
    no_recipe = reasons.get("co2e_avoided_t", _m("no-recipe", NO_RECIPE))
    virgin_t = metric("virgin_avoided_t", is_mat, avoided, qty_missing if Q is None else no_recipe)
    water = metric("water_saved_m3", is_water, avoided, qty_missing if Q is None else no_recipe)
    energy = metric("energy_recovered_mwh", is_heat, None if recipe is None else delivered,
                    qty_missing if Q is None else no_recipe)

    if fuel is not None:
        pass  # its cost terms are the fuel's (boucle.impact.fuel.fuel_terms)
    elif not is_heat:
        if disposal_receiver and is_mat:
            # a hazardous-waste treater bills its own gate fee (the disposal_fee rows of prices.csv are those fees):
            # what the offer's site would save is the difference with today's, which no shipped price says
            cost_terms.append(Term("avoided_disposal_fee", None, "EUR", activity=Q, activity_unit=base,
                                   note=TREATER_FEE, reason=TREATER_FEE_REASON))
        elif credit in ("none", "virgin_only"):
            cost_terms.append(_zero_term("avoided_disposal_fee", "EUR", already if credit == "none"
                                         else choice.route.note, Q, base))
        else:
            cost_terms.append(_cost_term("avoided_disposal_fee", +1, tables, "disposal_fee",
                                         f"{route}:{info.fee_class}", Q, base))
        if disposed:  # no purchase avoided, no preparation: the receiver disposes of it
            cost_terms.append(_zero_term("avoided_purchase", "EUR", DISPOSED, Q, base))
            cost_terms.append(_zero_term("processing_cost", "EUR", DISPOSED, Q, base))
        elif recipe is not None or already_recovered:
            if credit == "none":
                cost_terms.append(_zero_term("avoided_purchase", "EUR", already, Q, base))
                cost_terms.append(_zero_term("processing_cost", "EUR", SAME_PREPARATION, Q, base))
            else:
                if waste_receiver and is_mat:
                    # a waste operator resells it: it would never buy the virgin material, and its preparation is
                    # paid by what it sells the material for, which is not counted either
                    cost_terms.append(_zero_term("avoided_purchase", "EUR", RESOLD, Q, base))
                    cost_terms.append(_zero_term("processing_cost", "EUR", RESOLD, Q, base))
                else:
                    cost_terms.append(_cost_term("avoided_purchase", +1, tables, "virgin_price", recipe.replaces_key,
                                                 None if Q is None else Q * s, base))
                    cost_terms.append(_cost_term("processing_cost", -1, tables, "processing_cost",
                                                 processing_price_key(tables, recipe), Q, base))
        elif resold_no_recipe:
            cost_terms.append(_zero_term("avoided_purchase", "EUR", RESOLD, Q, base))
            cost_terms.append(_zero_term("processing_cost", "EUR", RESOLD, Q, base))
    if not is_heat:
        cost_terms.append(_cost_term("transport_cost", -1, tables, "transport_cost", mode, t_km, "t.km"))
    eur = _sum(cost_terms) if valued or resold_no_recipe else None
    if not (valued or resold_no_recipe):
        reasons["eur_saved"] = no_recipe
    elif eur is None:
        reasons["eur_saved"] = q.reason or _first_reason(cost_terms)

    market = tables.price("secondary_price", material_key)
    market_value = None if market is None or Q is None else Q * market.eur_default
    if market_value is None:
        reasons["market_value_eur"] = (_m("no-market-price", _("aucun prix de marché cité de cette matière "
                                                               "secondaire n'est fourni")) if Q is not None
                                       else qty_missing)

    co2_lo = co2_hi = eur_lo = eur_hi = None
    if basis == "estimated" and co2 is not None:
        gross = sum(t.value for t in terms if t.name != "transport")
        if fuel is not None:  # a small net of large terms (coal displaced, oil burnt): each term's uncertainty counts
            gross = math.sqrt(sum(t.value ** 2 for t in terms if t.name != "transport"))
        lo, hi = co2e_range(co2, gross, transport.value or 0.0)
        co2_lo, co2_hi = float(lo), float(hi)
    if basis == "estimated" and eur is not None:
        eur_lo, eur_hi = _eur_range(cost_terms)

    return Breakdown(
        material=material_key, material_label=info.label_en, flow_kind=info.flow_kind,
        replaces=recipe.replaces_key if recipe else None, substitution_ratio=s,
        quantity=quantity, unit=unit, quantity_base=Q, base_unit=base, distance_km=distance_km,
        mode=mode, baseline_route=route, basis=basis, co2e_avoided_t=co2,
        tonnes_diverted=tonnes_diverted, virgin_avoided_t=virgin_t, water_saved_m3=water,
        energy_recovered_mwh=energy, eur_saved=eur, breakeven_distance_km=breakeven,
        terms=terms, cost_terms=cost_terms, reasons=reasons, labels=dict(labels or {}),
        current_route=choice.route.key, current_route_label=choice.route.label_en,
        route_assumed=choice.assumed, route_source=choice.source, assumptions=assumptions,
        market_value_eur=market_value, co2e_low_t=co2_lo, co2e_high_t=co2_hi, eur_low=eur_lo, eur_high=eur_hi,
        heat=heat_info)


def _heat_terms(H, tables: Tables, info: MaterialInfo, recipe: Recipe, Q: float | None, distance_km: float,
                supply_c: float | None, need_c: float | None, terms: list[Term], cost_terms: list[Term],
                heat_info: dict, assumptions: list[Message], reasons: dict, qty_missing: Message):
    """Heat: boiler displaced at the need's temperature (or heat-pump lift), pipe losses and cost."""
    if supply_c is None:
        rep = H.class_temperatures().get(info.key)
        if rep is not None:
            supply_c = rep[0]
            assumptions.append(_m("supply-temperature", _("température fournie supposée : %(temperature)s °C "
                                                          "(valeur représentative de cette classe de chaleur)"),
                                  temperature=f"{rep[0]:g}", source=rep[1]))
    if need_c is None:
        assumptions.append(_m("need-temperature", _("température requise inconnue : une chaudière au gaz à eau "
                                                    "chaude est supposée remplacée")))
    boiler = per_base_kg(tables, recipe.virgin_factor_id, "MWh")
    elec = per_base_kg(tables, "FR_ELEC_MIX_2022", "MWh")
    heat_price = tables.price("virgin_price", recipe.replaces_key)
    elec_price = tables.price("energy_price", "electricity")
    if boiler is None or supply_c is None:
        reasons["co2e_avoided_t"] = _m("no-boiler", _("pas de facteur de chaudière ni de température fournie pour "
                                                      "cette chaleur"))
        terms.append(Term("virgin_avoided", None, "t CO2e", factor_id=recipe.virgin_factor_id,
                          reason=reasons["co2e_avoided_t"]))
        return None, None
    prices = H.HeatPrices(heat_price.eur_default if heat_price else float("nan"),
                          elec_price.eur_default if elec_price else float("nan"))
    nan = float("nan")
    r = H.evaluate([Q if Q is not None else nan], [distance_km], [supply_c],
                   [need_c if need_c is not None else nan], boiler, elec if elec is not None else nan, prices)
    cop = float(r["cop"][0])
    feasible = bool(r["feasible"][0])
    eff = float(H.boiler_efficiency([need_c if need_c is not None else nan])[0])
    ef_boiler = boiler * H.p("boiler_efficiency_hot_water_net_cv") / eff
    delivered = None if Q is None else float(r["delivered_mwh"][0])
    loss = None if Q is None else float(r["loss_mwh"][0])
    be = float(r["breakeven_km"][0])
    heat_info.update({
        "supply_temperature_c": supply_c, "need_temperature_c": need_c,
        "use": "heat_pump" if cop == cop else "direct", "cop": None if cop != cop else cop,
        "feasible": feasible, "boiler_efficiency_net_cv": eff,
        "loss_mwh_per_km_year": float(H.loss_mwh_per_km_year([supply_c])[0]),
        "loss_mwh": loss, "delivered_mwh": delivered,
        "network_cost_eur_per_km_year": H.network_cost_eur_per_km_year(),
        "source": "boucle/impact/data/heat_physics.csv"})
    if not feasible:
        reasons["co2e_avoided_t"] = _m("heat-pump-lift", _("une pompe à chaleur ne peut pas porter une chaleur à "
                                                           "%(supply)s °C jusqu'à %(need)s °C (au plus %(max)s °C)"),
                                       supply=f"{supply_c:g}", need=f"{need_c:g}",
                                       max=f"{H.p('heat_pump_max_sink_c'):g}")
        reasons["breakeven_distance_km"] = reasons["co2e_avoided_t"]
    f = tables.factor(recipe.virgin_factor_id)
    terms.append(Term("virgin_avoided", None if delivered is None else delivered * ef_boiler / 1000.0, "t CO2e",
                      ef_boiler / 1000.0, "kg CO2e/kWh", f.factor_id, f.source, f.vintage, f.geography,
                      delivered, "MWh", f"gas boiler, {eff:.0%} net-CV reference efficiency (EU 2015/2402); "
                      f"heat delivered after {loss if loss is not None else '?'} MWh of pipe losses",
                      None if delivered is not None else qty_missing))
    if cop == cop and feasible:
        ef = tables.factor("FR_ELEC_MIX_2022")
        use = None if delivered is None else delivered / cop
        terms.append(Term("heat_pump_electricity", None if use is None or elec is None else -use * elec / 1000.0,
                          "t CO2e", ef.kgco2e_per_unit if ef else None, "kg CO2e/kWh",
                          "FR_ELEC_MIX_2022", ef.source if ef else "", ef.vintage if ef else "",
                          ef.geography if ef else "", use, "MWh", f"COP {cop:.2f}",
                          None if use is not None and elec is not None
                          else _m("no-electricity-factor", _("aucun facteur pour l'électricité"))))
        if elec_price:
            cost_terms.append(_cost_term("heat_pump_electricity_cost", -1, tables, "energy_price", "electricity",
                                         use, "MWh"))
    terms.append(_zero_term("disposal_avoided", "t CO2e", "dissipated heat has no disposal burden", Q, "MWh"))
    cost_terms.append(_cost_term("avoided_purchase", +1, tables, "virgin_price", recipe.replaces_key,
                                 delivered, "MWh"))
    k = H.network_cost_eur_per_km_year()
    net = Term("heat_network_cost", -k * distance_km, "EUR", k, "EUR/km/yr", "heat_physics:network_capex_eur_per_m",
               H.params()["network_capex_eur_per_m"].source, "", "FR", distance_km, "km",
               f"annualised over {H.p('network_lifetime_years'):g} years at {H.p('network_discount_rate'):.0%}")
    k_lo, k_hi = H.network_cost_eur_per_km_year("low"), H.network_cost_eur_per_km_year("high")
    net._range = (-k_hi * distance_km, -k_lo * distance_km)  # type: ignore[attr-defined]
    cost_terms.append(net)
    if be == be:
        heat_info["breakeven_reason"] = _m("heat-breakeven", _("distance à laquelle le coût annualisé de la "
                                                               "canalisation et la valeur de la chaleur perdue "
                                                               "égalent la valeur de la chaleur livrée"))
        return delivered, be
    if feasible:
        reasons["breakeven_distance_km"] = qty_missing if Q is None else _m(
            "heat-no-value", _("la chaleur n'a pas de valeur positive"))
    return delivered, None
