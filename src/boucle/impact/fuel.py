"""A material burnt as a fuel by its receiver: the fossil fuel it displaces, not a virgin material.

A cement kiln that burns waste oil, or a dairy's boiler that burns sawdust, does not avoid producing
virgin oil or timber: it burns less coal or natural gas. The exchange is valued as

    dCO2e = E.EF_displaced - Q.EF_combustion + Q.EF_disposal(route) - Q.d.EF_transport

with ``E`` the displaced fuel's energy for the same useful energy: ``Q`` x the material's energy
content (kWh net CV a tonne, ``fuel_energy.csv``, DESNZ per-tonne / per-kWh factors of the same fuel),
energy for energy in a kiln, times the ratio of boiler efficiencies in a boiler (the same useful heat).
``EF_combustion`` is DESNZ's factor of burning the material: fossil CO2, CH4 and N2O; the biogenic CO2
of wood is outside DESNZ's scopes and is not counted, as DESNZ does. The receivers and the fuel each
displaces are data (``fuel_use_receivers.csv``, each row citing its source); a receiver whose displaced
fuel is not known, or a material without a published energy content, gives no figure (unknown), never a
guessed one. Pure Python: no Django.
"""

from __future__ import annotations

from boucle.messages import Message
from boucle.messages import gettext_noop as _

from .engine import Term, _co2_term, _cost_term, _m, _zero_term, disposal_factor_id
from .factors import FuelReceiver, MaterialInfo, Recipe, Tables

NO_ENERGY = Message("impact.fuel-no-energy", _("pouvoir calorifique de cette matière à préciser (aucune valeur "
                                                "publiée dans les données de Boucle)"))
NO_EFFICIENCY = Message("impact.fuel-no-efficiency", _("rendement de cette matière en chaudière à préciser (aucune "
                                                        "valeur publiée dans les données de Boucle)"))
NO_FUEL_PRICE = Message("impact.fuel-no-price", _("prix du combustible remplacé à préciser (aucun prix par défaut)"))


def no_displaced_fuel(receiver: FuelReceiver) -> Message:
    return Message("impact.fuel-no-displaced", _("combustible remplacé chez ce receveur à préciser"),
                   {"detail": receiver.displaced_fuel_source})


def receiver_of(tables: Tables, nace: str | None, class_key: str) -> FuelReceiver | None:
    """The activity row (longest NACE prefix of ``nace``, normalised « 23.51 ») that burns ``class_key`` (listed
    by key or by its group), or None: the receiver does not burn it as a fuel."""
    if not nace:
        return None
    info = tables.materials.get(class_key)
    group = info.group if info else ""
    best = None
    for prefix, row in tables.fuel_receivers.items():
        if nace.startswith(prefix) and (class_key in row.burns or (group and group in row.burns)):
            if best is None or len(prefix) > len(best.naf_prefix):
                best = row
    return best


def burnable(tables: Tables, class_key: str) -> bool:
    """Some receiver burns the class as a fuel (a cheap filter before :func:`receiver_of`)."""
    info = tables.materials.get(class_key)
    group = info.group if info else ""
    return any(class_key in r.burns or (group and group in r.burns) for r in tables.fuel_receivers.values())


def displaced_kwh_per_t(tables: Tables, info: MaterialInfo,
                        receiver: FuelReceiver) -> tuple[float | None, Message | None, str]:
    """kWh (net CV) of the displaced fuel a tonne of the material replaces, or None and why; with how, in words."""
    energy = tables.fuel_energy.get(info.key)
    if energy is None:
        return None, NO_ENERGY, ""
    if not receiver.displaced_fuel_factor_id or tables.factor(receiver.displaced_fuel_factor_id) is None:
        return None, no_displaced_fuel(receiver), ""
    if receiver.appliance == "kiln":
        return energy.kwh_net_per_t, None, (f"{receiver.activity_en}: energy for energy, {energy.kwh_net_per_t:g} "
                                            f"kWh net CV a tonne ({energy.source})")
    if receiver.appliance == "boiler":
        eta, eta_ref = energy.boiler_efficiency_net_cv, receiver.displaced_boiler_efficiency_net_cv
        if not eta or not eta_ref:
            return None, NO_EFFICIENCY, ""
        return energy.kwh_net_per_t * eta / eta_ref, None, (
            f"{receiver.activity_en}: the same useful heat, {energy.kwh_net_per_t:g} kWh net CV a tonne x boiler "
            f"efficiency {eta:.0%} / {eta_ref:.0%} of the displaced boiler ({energy.source}; "
            f"{energy.boiler_efficiency_source})")
    return None, no_displaced_fuel(receiver), ""


def fuel_terms(tables: Tables, info: MaterialInfo, receiver: FuelReceiver, recipe: Recipe | None, Q: float | None,
               credit: str, route: str, route_note: str, already: str,
               qty_missing: Message) -> tuple[list[Term], list[Term]]:
    """The CO2e and euro terms (before transport) of burning ``Q`` tonnes at ``receiver``."""
    base = "t"
    if credit == "none":  # already recovered today: the exchange avoids nothing
        return ([_zero_term(n, "t CO2e", already, Q, base) for n in ("fuel_displaced", "fuel_combustion",
                                                                      "disposal_avoided")],
                [_zero_term(n, "EUR", already, Q, base) for n in ("avoided_disposal_fee", "avoided_fuel_purchase")])
    energy = tables.fuel_energy.get(info.key)
    per_t, why, how = displaced_kwh_per_t(tables, info, receiver)
    f = tables.factor(receiver.displaced_fuel_factor_id)
    if per_t is None or f is None:
        displaced = Term("fuel_displaced", None, "t CO2e", factor_id=receiver.displaced_fuel_factor_id,
                         note=receiver.displaced_fuel_source, reason=why)
    else:
        mwh = None if Q is None else Q * per_t / 1000.0
        displaced = Term("fuel_displaced", None if mwh is None else mwh * f.kgco2e_per_unit, "t CO2e",
                         f.kgco2e_per_unit * 1000.0, "kg CO2e/MWh", f.factor_id, f.source, f.vintage, f.geography,
                         mwh, "MWh", f"{f.item} displaced; {how}; {receiver.displaced_fuel_source}",
                         None if mwh is not None else qty_missing)
    if energy is None:
        burnt = Term("fuel_combustion", None, "t CO2e", reason=NO_ENERGY)
    else:
        row = tables.factor(energy.per_t_factor_id)
        biogenic = (f"; biogenic CO2 of {energy.biogenic_co2_kg_per_t_not_counted:g} kg a tonne (DESNZ "
                    f"{energy.biogenic_co2_factor_id}, outside of scopes) not counted"
                    if energy.biogenic_co2_kg_per_t_not_counted else "")
        burnt = Term("fuel_combustion", None if Q is None else -Q * energy.combustion_kgco2e_per_t / 1000.0,
                     "t CO2e", energy.combustion_kgco2e_per_t, "kg CO2e/t", energy.per_t_factor_id,
                     row.source if row else energy.source, row.vintage if row else "", row.geography if row else "",
                     Q, base, f"emissions of burning it (fossil CO2, CH4, N2O){biogenic}",
                     None if Q is not None else qty_missing)
    if credit == "virgin_only":
        disposal = _zero_term("disposal_avoided", "t CO2e", route_note, Q, base)
        fee = _zero_term("avoided_disposal_fee", "EUR", route_note, Q, base)
    else:
        disposal = _co2_term("disposal_avoided", +1, disposal_factor_id(info, recipe, route), Q, base, base, tables,
                             _m("no-disposal-factor", _("aucun facteur d'élimination pour la filière %(route)s"),
                                route=route) if Q is not None else qty_missing)
        fee = _cost_term("avoided_disposal_fee", +1, tables, "disposal_fee", f"{route}:{info.fee_class}", Q, base)
    if per_t is None or not receiver.displaced_price_key:
        purchase = Term("avoided_fuel_purchase", None, "EUR", reason=why or NO_FUEL_PRICE)
    else:
        # priced as the heat of the displaced boiler (the price row of recovered heat), or the displaced fuel
        eta_ref = receiver.displaced_boiler_efficiency_net_cv or 1.0
        purchase = _cost_term("avoided_fuel_purchase", +1, tables, "virgin_price", receiver.displaced_price_key,
                              None if Q is None else Q * per_t * eta_ref / 1000.0, "MWh")
    return [displaced, burnt, disposal], [fee, purchase]


def score_fuel(material_keys, fuel_receivers, route_keys, quantity, distance_km, tables: Tables | None = None):
    """The figures of exchanges burnt as fuels, as arrays (NaN: unknown), for the matching: per pair the
    material, the receiver's activity (normalised NACE), the current route's key, the quantity (t) and the
    distance (km). Each distinct (material, receiver, route) is valued once by ``exchange_breakdown`` for a
    tonne at 0 km; the figures are linear in the quantity and the distance, so a pair's are those its
    calculation page shows (the same terms, the same range)."""
    import numpy as np

    from .engine import exchange_breakdown
    from .factors import MODE_FACTOR_IDS, default_tables
    from .ranges import co2e_range

    tables = tables or default_tables()
    q = np.asarray(quantity, dtype=float)
    d = np.asarray(distance_km, dtype=float)
    n = len(q)
    gain, spread, eur0 = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    memo: dict[tuple, tuple[float, float, float]] = {}
    for i, key in enumerate(zip(material_keys, fuel_receivers, route_keys)):
        if key not in memo:
            b = exchange_breakdown(key[0], 1.0, "t", 0.0, baseline_route=key[2] or None, tables=tables,
                                   fuel_receiver=key[1])
            nan = float("nan")
            values = [t.value for t in b.terms if t.name != "transport"]
            known = b.co2e_avoided_t is not None
            memo[key] = (b.co2e_avoided_t * 1000.0 if known else nan,
                         float(np.sqrt(sum(v * v for v in values))) * 1000.0 if known else nan,
                         nan if b.eur_saved is None else b.eur_saved)
        gain[i], spread[i], eur0[i] = memo[key]
    road = tables.factor(MODE_FACTOR_IDS["road"])
    t_kg = road.kgco2e_per_unit if road else np.nan
    price = tables.price("transport_cost", "road")
    t_eur = price.eur_default if price else np.nan
    co2 = q * (gain - d * t_kg) / 1000.0
    low, high = co2e_range(co2, q * spread / 1000.0, q * d * t_kg / 1000.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        breakeven = np.where(gain > 0, gain / t_kg, np.nan)
    return {"co2e_avoided_t": co2, "co2e_low_t": low, "co2e_high_t": high, "eur_saved": q * (eur0 - d * t_eur),
            "breakeven_km": breakeven}
