"""The counterfactual: what happens to a flow today, without the exchange.

An exchange is credited with the difference between the flow's current route and
the proposed use. A flow may declare its route (a recovery or disposal operation
code R1-R13 / D1-D15 of Directive 2008/98/EC, or a named route such as "already
sold for recycling"); when it does not, a documented default per material and
waste code applies and is reported as an assumption, never silently.

Credit kinds (``current_routes.csv``):

- ``virgin_and_route``: the exchange avoids the virgin input and the route's burden;
- ``virgin_only``: it avoids the virgin input, the route has no burden to avoid
  (treated water already discharged);
- ``none``: the material is already recovered today, so moving it elsewhere avoids
  neither production nor disposal (scrap moving from one recycler to another);
- ``unknown``: a grouping or pre-treatment step whose final route is unknown; the
  material's default applies.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CREDITS = ("virgin_and_route", "virgin_only", "none", "unknown")
_RD = re.compile(r"^\s*([RD])\s*0*(\d{1,2})\s*([A-Z]?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    key: str
    impact_route: str   # key of material_factors' disposal_factor_ids ("" when no burden)
    credit: str
    rd_codes: tuple[str, ...]
    label_fr: str
    label_en: str
    source: str
    note: str


@dataclass(frozen=True)
class RouteChoice:
    """The route an exchange is compared with, and why it was chosen."""

    route: Route
    declared: str | None      # what the flow declared, as given ("R4", "recycling"), or None
    assumed: bool             # True when a default was used
    source: str               # where the default comes from (or "declared by the company")
    note: str = ""

    @property
    def key(self) -> str:
        return self.route.key


def _rows(name: str):
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


@lru_cache(maxsize=1)
def routes() -> dict[str, Route]:
    out = {}
    for r in _rows("current_routes.csv"):
        if r["credit"] not in CREDITS:
            raise ValueError(f"current_routes.csv: credit {r['credit']!r} of {r['route_key']} not in {CREDITS}")
        out[r["route_key"]] = Route(r["route_key"], r["impact_route"], r["credit"],
                                    tuple(c for c in r["rd_codes"].split(";") if c), r["label_fr"],
                                    r["label_en"], r["source"], r["note"])
    return out


@lru_cache(maxsize=1)
def _by_operation() -> dict[str, str]:
    return {code: r.key for r in routes().values() for code in r.rd_codes}


@lru_cache(maxsize=1)
def _defaults() -> tuple[tuple[str, str, str, str, str], ...]:
    return tuple((r["material_key"], r["ewc_prefix"], r["route_key"], r["source"], r["note"])
                 for r in _rows("default_routes.csv"))


# Words a person or a file may use for a route, besides its key and its R/D code.
ALIASES = {
    "decharge": "landfill", "décharge": "landfill", "enfouissement": "landfill", "isdnd": "landfill",
    "isdi": "landfill", "isdd": "landfill", "incineration": "incineration", "incinération": "incineration",
    "incineration with recovery": "incineration_recovery", "incinération avec valorisation": "incineration_recovery",
    "energy recovery": "incineration_recovery", "valorisation énergétique": "incineration_recovery",
    "recycled": "recycling", "recyclage": "recycling", "recyclé": "recycling",
    "already sold for recycling": "recycling", "déjà vendu pour recyclage": "recycling",
    "deja vendu pour recyclage": "recycling", "vendu": "recycling", "sold": "recycling",
    "compostage": "composting", "methanisation": "anaerobic_digestion", "méthanisation": "anaerobic_digestion",
    "epandage": "land_spreading", "épandage": "land_spreading", "egout": "sewer", "égout": "sewer",
    "assainissement": "sewer", "rejet": "discharge_treated", "dissipée": "dissipation", "dissipee": "dissipation",
    # the label before it read as a noun like the others (« supposé : dissipation », not « supposé : dissipée »)
    "dissipée (aéroréfrigérant / rejet)": "dissipation", "dissipated (cooling tower / discharge)": "dissipation",
}


def normalise_operation(text: str) -> str | None:
    """``R4``, ``r 04``, ``D 9 F`` -> ``R4``, ``D9F``; None when not an operation code."""
    m = _RD.match(text or "")
    if not m:
        return None
    return f"{m.group(1).upper()}{int(m.group(2))}{m.group(3).upper()}"


def operation_route(code: str) -> str | None:
    """Route key of a recovery or disposal operation code, None if the code is not listed."""
    norm = normalise_operation(code)
    if norm is None:
        return None
    table = _by_operation()
    return table.get(norm) or table.get(norm.rstrip("F"))


def parse_route(text: str) -> str:
    """The route key a declared value stands for; ValueError naming the accepted values.

    The one parser of a declared current route: the importer, the flow form and the
    API all call it (through ``boucle.flows.fields.current_route``).
    """
    value = (text or "").strip()
    if not value:
        raise ValueError("empty route")
    low = value.lower()
    if low in routes():
        return low
    if low in ALIASES:
        return ALIASES[low]
    # the words the flow form lists (« Mise en décharge », « Compostage »…), in either language
    for key, route in routes().items():
        if low in (route.label_fr.lower(), route.label_en.lower()):
            return key
    if normalise_operation(value) is not None:
        key = operation_route(value)
        if key is None:
            raise ValueError(f"{value!r} is not a recovery or disposal operation (R1-R13, D1-D15)")
        return key
    raise ValueError(f"{value!r} is not a route; use an operation code (R1-R13, D1-D15) or one of "
                     + ", ".join(routes()))


def _ewc_digits(ewc: str | None) -> str:
    return "".join(ch for ch in (ewc or "") if ch.isdigit())


METHOD_DEFAULT = ("Boucle method default: the material's baseline route (docs/impact-method.md); no documented "
                  "default for this material and waste code")


def default_route(material_key: str, ewc: str | None, baseline_route: str) -> RouteChoice:
    """The documented default: the most specific row of ``default_routes.csv`` (material and
    longest waste-code prefix first), else the material's baseline route of the method."""
    code = _ewc_digits(ewc)
    best, best_rank = None, (-1, -1)
    for mat, prefix, key, source, note in _defaults():
        if mat not in ("*", material_key):
            continue
        if prefix and not code.startswith(prefix):
            continue
        rank = (len(prefix), 1 if mat == material_key else 0)
        if rank > best_rank:
            best, best_rank = (key, source, note), rank
    if best is not None:
        return RouteChoice(routes()[best[0]], None, True, best[1], best[2])
    route = routes().get(baseline_route) or Route(baseline_route, baseline_route, "virgin_and_route", (),
                                                  baseline_route, baseline_route, "Boucle method", "")
    return RouteChoice(route, None, True, METHOD_DEFAULT)


def resolve_route(material_key: str, declared: str | None, ewc: str | None, baseline_route: str) -> RouteChoice:
    """The route an exchange is compared with: the declared one, else the documented default.

    A declared grouping or pre-treatment step (R12, R13, D13-D15, D8, D9) says nothing
    about the final route: the default applies and says so.
    """
    if declared:
        key = parse_route(declared)
        route = routes()[key]
        if route.credit != "unknown":
            return RouteChoice(route, declared, False, "declared by the company")
        choice = default_route(material_key, ewc, baseline_route)
        return RouteChoice(choice.route, declared, True, choice.source,
                           f"{declared} is an intermediate step; final route assumed")
    return default_route(material_key, ewc, baseline_route)
