"""Observatory endpoints (a router for ``boucle.api.api``: ``api.add_router("/observatory", router)``).

The figures come from ``boucle.observatory.queries.territory_indicators``: the public
version (disclosure rule applied) for everyone, the full one for the territory's
facilitators and the administrator, exactly as on the pages.
"""

from django.http import Http404
from ninja import Router

from boucle.observatory.queries import territory_indicators
from boucle.observatory.toile import territory_sankey
from boucle.observatory.views import can_view_territory
from boucle.territories.refs import TerritoryError, resolve

router = Router(tags=["observatory"])


def _ref(ref: str):
    try:
        return resolve(ref)
    except TerritoryError:
        raise Http404 from None


@router.get("/{ref}/indicators", auth=None)
def indicators(request, ref: str, period: int | None = None, public: bool = False):
    """Every indicator of a territory; figures behind too few companies are null unless the caller facilitates it."""
    territory = _ref(ref)
    full = not public and can_view_territory(request.user, territory)
    return territory_indicators(territory, public=not full, period=period)


@router.get("/{ref}/toile", auth=None)
def toile(request, ref: str, material: str | None = None, statuses: str = "open"):
    """The toile industrielle (facilitators only: it names flows of single companies)."""
    territory = _ref(ref)
    if not can_view_territory(request.user, territory):
        raise Http404
    return territory_sankey(territory, material, statuses)
