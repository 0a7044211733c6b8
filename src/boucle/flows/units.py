"""Declared units and their base unit per kind of quantity (pint does the arithmetic).

Mass is counted in tonnes, volume in m3, energy in MWh, counts in units and time
in hours. The importer stores the declared value and unit, plus the quantity per
year in the base unit, which is what the engines compute with.
"""

from boucle.impact.units import scale

UNITS = {  # declared unit → (dimension, pint expression)
    "t": ("mass", "tonne"),
    "kg": ("mass", "kilogram"),
    "m3": ("volume", "meter**3"),
    "l": ("volume", "liter"),
    "mwh": ("energy", "megawatt_hour"),
    "kwh": ("energy", "kilowatt_hour"),
    "gj": ("energy", "gigajoule"),
    "unit": ("count", None),
    "h": ("time", "hour"),
}
BASE = {"mass": ("t", "tonne"), "volume": ("m3", "meter**3"), "energy": ("MWh", "megawatt_hour"),
        "count": ("unit", None), "time": ("h", "hour")}
ALIASES = {"tonne": "t", "tonnes": "t", "tons": "t", "m³": "m3", "litre": "l", "litres": "l", "liter": "l",
           "unité": "unit", "unite": "unit", "units": "unit", "u": "unit", "heure": "h", "hours": "h"}
DISPLAY = {"l": "L", "mwh": "MWh", "kwh": "kWh", "gj": "GJ"}
PER_YEAR = {"year": 1, "month": 12, "week": 52, "day": 365, "once": 1}
# The unit each kind is counted in by the engines and every total: never added across kinds.
KIND_BASE_UNIT = {"material": "t", "energy": "MWh", "water": "m3"}
KIND_DIMENSIONS = {
    "material": {"mass", "volume", "count"},
    "energy": {"energy"},
    "water": {"volume", "mass"},
    "equipment": {"count", "time"},
    "service": {"count", "time"},
}


def canonical(unit: str) -> str:
    """The unit as the import format spells it (``t``, ``kg``, ``m3``, ``L``, ``MWh`` …), or ValueError."""
    from django.utils.translation import gettext as _

    key = unit.strip().lower()
    key = ALIASES.get(key, key)
    if key not in UNITS:
        raise ValueError(_("unité %(unit)s inconnue, attendu t, kg, m3, L, MWh, kWh, GJ, unit ou h")
                         % {"unit": f"« {unit.strip()} »"})
    return DISPLAY.get(key, key)


def units_for_kind(kind: str) -> list[str]:
    """The units a flow of this kind may be declared in, as the import format spells them."""
    return [DISPLAY.get(key, key) for key, (dim, _expr) in UNITS.items() if dim in KIND_DIMENSIONS.get(kind, ())]


def dimension(unit: str) -> str:
    return UNITS[canonical(unit).lower()][0]


def to_base(quantity: float, unit: str, period: str = "year") -> tuple[float, str]:
    """Quantity per year (or for a one-off, as is) in the base unit of its dimension."""
    key = canonical(unit).lower()
    dim, expr = UNITS[key]
    base_name, base_expr = BASE[dim]
    if expr is None:
        value = float(quantity)
    else:  # the impact package's registry: one per process, and each conversion factor computed once
        value = quantity * scale(expr, base_expr)
    return float(value) * PER_YEAR[period], base_name
