"""The impact of one exchange (``boucle impact``) in the API: no company data, any signed-in caller.

Inputs go through the platform's validators (``flows.fields``: waste code, current route) and the
engine's own tables (units, modes, material classes), so an error names its field in the caller's
language; the figures are ``impact.engine.exchange_breakdown``'s, as printed by the command.
"""

from typing import Literal

from django.utils.translation import gettext
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from boucle.api.common import DENIED, INVALID, Invalid
from boucle.flows import fields as F
from boucle.impact.command import class_for_ewc, receiver
from boucle.impact.engine import exchange_breakdown
from boucle.impact.factors import MODES
from boucle.impact.units import ACCEPTED_UNITS
from boucle.messages import shell_language, translate

router = Router(tags=["impact"])


class ImpactQuery(Schema):
    material: str | None = Field(None, max_length=80, description="material class key; or give ewc")
    ewc: str | None = Field(None, max_length=12, description="European waste code, e.g. 17 04 05")
    quantity: float = Field(ge=0, le=1e12, description="quantity per year")
    unit: Literal[tuple(ACCEPTED_UNITS)]
    distance_km: float = Field(ge=0, le=20000)
    mode: Literal[tuple(MODES)] | None = None
    route: str | None = Field(None, max_length=80, description="current route: R1-R13, D1-D15 or a route name")
    supply_temperature_c: float | None = Field(None, ge=-273.15, le=2000)
    need_temperature_c: float | None = Field(None, ge=-273.15, le=2000)
    replaces: str | None = Field(None, max_length=80)
    basis: Literal["estimated", "verified"] = "estimated"
    receiver_naf: str | None = Field(
        None, max_length=12, description="the receiver's activity (NAF code, e.g. 38.32Z): a waste operator (NACE 38, "
        "39, 46.77) resells the material, so no virgin purchase is avoided in the euros (nor its preparation counted); "
        "a receiver that burns it as a fuel is valued by the fuel it displaces. The figures of the synergy page and of "
        "`boucle impact --receiver-naf`")


@router.get("/impact", response={200: dict, **DENIED, **INVALID})
def impact(request, q: Query[ImpactQuery]):
    """CO2e, tonnes diverted and cost of one exchange, term by term with each factor's source."""
    if bool(q.material) == bool(q.ewc):
        raise Invalid({"material": [_("material : donnez une classe de matière ou un code déchet (ewc), pas les deux")]},
                      where="query")
    try:
        ewc = F.ewc(q.ewc) if q.ewc else None
        route = F.current_route(q.route or "", column="route") or None
    except F.CellError as exc:
        raise Invalid({"ewc" if str(exc).startswith("ewc") else "route": [str(exc)]}, where="query") from None
    try:
        by_receiver = receiver(q.receiver_naf)
    except ValueError as exc:
        raise Invalid({"receiver_naf": [_("%(field)s : %(error)s") % {"field": "receiver_naf", "error": exc}]},
                      where="query") from None
    try:
        key = q.material or class_for_ewc(ewc)
    except (KeyError, ValueError):
        raise Invalid({"ewc": [_("ewc : ce code déchet n'a pas de classe de matière")]}, where="query") from None
    try:
        b = exchange_breakdown(key, q.quantity, q.unit, q.distance_km, mode=q.mode, baseline_route=route,
                               replaces=q.replaces, basis=q.basis, ewc=ewc,
                               supply_temperature_c=q.supply_temperature_c, need_temperature_c=q.need_temperature_c,
                               **by_receiver)
    except (KeyError, ValueError) as exc:
        message = translate(exc) if not isinstance(exc, KeyError) else exc.args[0]
        field = "replaces" if q.replaces and q.replaces in str(message) else "material"
        raise Invalid({field: [_("%(field)s : %(error)s") % {"field": field, "error": message}]},
                      where="query") from None
    d = b.to_dict(gettext, shell_language())  # the engine's reasons in the caller's language
    if ewc:
        d["ewc"] = ewc
    return d
