"""Quantities in declared units, computed in one base unit per flow kind.

Offers and needs are declared in whatever unit the company uses (kg, m3, kWh, GJ);
the impact method works per tonne (materials), per m3 (water) and per MWh (heat).
Volume and mass only meet through a density, which may be unknown: that case is
reported, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from boucle.messages import EngineError, Message, gettext_noop

BASE_UNIT = {"material": "t", "water": "m3", "heat": "MWh"}
ACCEPTED_UNITS = ("t", "kg", "m3", "L", "MWh", "kWh", "GJ")


#: The dimension of each accepted unit, as pint reads it (tests/impact check the two agree): pint's
#: registry takes about a second to build, and a run of `boucle match` whose flows are all in base
#: units needs only these.
DIMENSIONS = {"t": "mass", "kg": "mass", "m3": "volume", "L": "volume", "MWh": "energy", "kWh": "energy",
              "GJ": "energy"}


@lru_cache(maxsize=1)
def registry() -> "pint.UnitRegistry":  # noqa: F821 (imported here: pint is slow to import and build)
    import pint

    ureg = pint.UnitRegistry()
    ureg.define("m3 = meter ** 3")
    return ureg


@lru_cache(maxsize=None)
def _dimension(unit: str) -> str:
    if unit in DIMENSIONS:
        return DIMENSIONS[unit]
    return _pint_dimension(unit)


def _pint_dimension(unit: str) -> str:
    dim = registry().parse_units(unit).dimensionality
    if dim == registry().parse_units("kg").dimensionality:
        return "mass"
    if dim == registry().parse_units("m3").dimensionality:
        return "volume"
    if dim == registry().parse_units("J").dimensionality:
        return "energy"
    raise EngineError("impact.unit", gettext_noop("unité non prise en charge : %(unit)s"), unit=unit)


@lru_cache(maxsize=None)
def scale(unit: str, target: str) -> float:
    """Multiplier from ``unit`` to ``target``; cached because pint is slow per call."""
    return registry().Quantity(1.0, unit).to(target).magnitude


def convert(value: float, unit: str, target: str) -> float:
    """Same-dimension conversion (kg -> t, GJ -> MWh, L -> m3)."""
    return value if unit == target else value * scale(unit, target)


#: The flow kinds in words, for messages.
FLOW_KINDS = {k: Message("impact.flow-kind." + k, v) for k, v in {
    "material": gettext_noop("matière"), "water": gettext_noop("eau"), "heat": gettext_noop("chaleur")}.items()}

@dataclass(frozen=True)
class BaseQuantity:
    value: float | None
    unit: str
    reason: Message | None = None


def to_base(value: float, unit: str, flow_kind: str, density_t_per_m3: float | None) -> BaseQuantity:
    """Convert a declared quantity to the base unit of its flow kind.

    Raises ValueError for a unit that can never fit the flow (MWh of steel);
    returns a null value with a reason when a needed density is unknown.
    """
    if flow_kind not in BASE_UNIT:
        raise EngineError("impact.flow-kind", gettext_noop("pas de méthode d'impact pour ce type de flux (%(kind)s)"),
                          kind=flow_kind)
    base = BASE_UNIT[flow_kind]
    if unit not in ACCEPTED_UNITS:
        raise EngineError(
            "impact.unit", gettext_noop("unité %(unit)s refusée ; unités possibles : %(units)s"), unit=unit,
            units=", ".join(ACCEPTED_UNITS))
    dim, base_dim = _dimension(unit), _dimension(base)
    if dim == base_dim:
        return BaseQuantity(convert(value, unit, base), base)
    if {dim, base_dim} == {"mass", "volume"}:
        if density_t_per_m3 is None or not density_t_per_m3 > 0:
            why = gettext_noop("masse volumique inconnue : impossible de convertir %(unit)s en %(base)s")
            return BaseQuantity(None, base, Message("impact.density", why, {"unit": unit, "base": base}))
        if dim == "volume":
            return BaseQuantity(convert(value, unit, "m3") * density_t_per_m3, base)
        return BaseQuantity(convert(value, unit, "t") / density_t_per_m3, base)
    raise EngineError("impact.unit-kind", gettext_noop("un flux de type %(kind)s ne peut pas être déclaré en %(unit)s"),
                      kind=FLOW_KINDS.get(flow_kind, flow_kind), unit=unit)
