"""Input and output shapes of the API; pydantic turns bad input into 422 errors naming the field."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from boucle.matching import lifecycle

Status = Literal[tuple(lifecycle.STATUSES)]


class Error(Schema):
    detail: str


class ValidationErrors(Schema):
    """Django Ninja's 422 body: one item per invalid field (``loc``, ``msg``, ``type``)."""

    detail: list[dict]


class SiteOut(Schema):
    id: int
    site_id: str
    name: str
    company: str
    naf: str | None = None
    commune: str | None = None
    epci: str | None = None
    lat: float | None = None
    lon: float | None = None
    closed: bool


class FlowIn(Schema):
    site: int = Field(description="Id of a site you may edit (see GET /sites).")
    direction: Literal["offer", "need"]
    kind: Literal["material", "energy", "water", "equipment", "service"] = "material"
    label: str = Field(min_length=1, max_length=300)
    ewc_code: str | None = Field(None, description="European List of Waste code, e.g. 10 01 02")
    material_class: str | None = None
    quantity: float | None = Field(None, ge=0)
    unit: str | None = None
    period: Literal["year", "month", "week", "day", "once"] = "year"
    confidential: bool = True
    temperature_c: float | None = Field(None, ge=-273.15, description="Heat and water: temperature of the offer, "
                                        "or the temperature the need requires (°C).")
    current_route: str | None = Field(
        None, description="What happens to the flow today: an operation code (R1-R13, D1-D15) or a route "
                          "(landfill, incineration, incineration_recovery, recycling = already sold for recycling, "
                          "composting, anaerobic_digestion, land_spreading, sewer, discharge_treated, dissipation). "
                          "Empty: unknown, a documented default applies (docs/impact-method.md). An offer's "
                          "field: ignored (stored empty) for a need.")


class FlowOut(Schema):
    id: int
    site: int
    direction: str
    kind: str
    label: str
    ewc_code: str | None = None
    material_class: str
    quantity: float | None = None
    unit: str
    period: str
    quantity_per_year_base: float | None = None
    base_unit: str
    confidential: bool
    illustrative: bool
    temperature_c: float | None = None
    current_route: str = ""
    declared_total: bool = Field(
        False, description="A yearly total over several wastes (e.g. iREP's « Déchets dangereux (total déclaré) »): "
                           "information, not an offer anyone can take; left out of the matching and of the "
                           "observatory's figures by material.")


class PartySite(Schema):
    anonymous: bool
    label: str
    epci: str
    area: str | None = Field(None, description="For an anonymous site, where it is said to be: its intercommunality "
                                                "when at least three establishments of its activity share it, else its "
                                                "département or region (INSEE's « secret statistique » frequency rule)")
    id: int | None = None
    company: str | None = None
    site_id: str | None = None
    commune: str | None = None


class Party(Schema):
    """One side of a synergy as the page shows it (``web.present.flow_card``): the reader's own side, and the
    other once it may be seen, exact (``exact``, ``label``, ``quantity_text``); else a decade bracket only."""

    material: str
    quantity_range: str
    site: PartySite
    label: str | None = None
    exact: bool = Field(False, description="Whether the label and the declared quantity below are given.")
    quantity: float | None = Field(None, description="The quantity as declared, in ``unit`` per ``period``.")
    unit: str | None = None
    period: str | None = None
    quantity_text: str | None = Field(None, description="The declared quantity as the page shows it "
                                                        "(« 1 400 t/an »).")


class Estimate(Schema):
    """Exact figures once identities are visible; decade brackets while the other company is anonymous."""

    tonnes: float | None = None
    co2e_t: float | None = None
    eur: float | None = None
    unit: str | None = Field(None, description="The unit of tonnes: t, MWh or m³.")
    basis: str | None = Field(None, description="What the figures are for: declared_need (the smaller of offer "
                                                "and declared need), site_scale (a need inferred from the "
                                                "receiver's activity, bounded by the largest need the site "
                                                "declared in the unit), whole_offer (inferred, no declared "
                                                "scale: an upper bound) or to_agree (heat or water to a site "
                                                "that declared no need in the unit: figures null).")
    note: str | None = Field(None, description="The basis in words when it is not the declared need.")
    brackets: list[str] = []


class SynergyOut(Schema):
    id: int
    status: str
    material: str
    distance_km: float | None = Field(None, description="Exact distance; null while the other company is anonymous.")
    distance: str = Field(description="The distance as shown: exact (\"6,3 km\") or a band (\"5–20 km\") "
                                      "while the other company is anonymous.")
    score: float | None = Field(None, description="Null while the other company is anonymous (with the other "
                                                "terms it would give the exact distance back).")
    offer: Party
    need: Party
    estimated: Estimate
    revealed: bool
    side: str
    my_answer: bool | None = None


class TransitionIn(Schema):
    target: Status
    reason: str = Field("", max_length=2000)


class InterestIn(Schema):
    interested: bool


class RunIn(Schema):
    territory: str = Field(description="e.g. epci:200093201")
    radius_km: float = Field(50, ge=1, le=500)  # the bounds a matching job accepts (jobs.services.clean_parameters)


class RunOut(Schema):
    id: int
    territory: str
    radius_km: float
    started_at: datetime
    finished_at: datetime | None = None
    proposals: int
    created: int
    updated: int
    job: str | None = Field(None, description="the job that made this run (POST only)")
    status_url: str | None = Field(None, description="GET it for the job's state (POST only)")


class RunAccepted(Schema):
    """A matching run queued for a worker (``BOUCLE_BROKER_URL`` set): follow its job."""

    job: str
    status_url: str = Field(description="GET /api/jobs/{id}: state, progress, then result.matching_run")
    state: str = Field(description="queued (or running)")


class DeclaredTotal(Schema):
    """Yearly totals over several wastes declared by sites (iREP's « Déchets dangereux (total déclaré) »):
    information about the sites, never offers. One entry per hazard, kind, unit and register; each quantity in
    its own unit, never summed across units nor across directions."""

    direction: str = Field("offer", description="offer: a total of what the sites give off; need: of what they "
                                                 "take in (a treater's admitted waste), never added to the offers'")
    hazard: str = Field(description="hazardous, non_hazardous, or empty when the declaration says neither")
    kind: str = Field("material", description="material, energy or water")
    unit: str = Field(description="t, MWh or m3 (per year); empty: declarations that gave no quantity")
    source: str = Field(description="the register named in the declaration (iREP, GEREP, E-PRTR), else empty")
    quantity: float | None = Field(None, description="quantity per year in ``unit``; null without a unit, or "
                                                     "withheld by the disclosure rule")
    flows: float | None = Field(None, description="number of declarations (no unit)")
    companies: int | None = None


class Indicators(Schema):
    territory: str
    name: str
    min_companies: int
    disclosed_all: bool
    companies: int | None = None
    sites: int | None = None
    offers: int | None = None
    needs: int | None = None
    synergies_running: int | None = None
    declared_totals: list[DeclaredTotal] = []
    verified_tonnes_per_year: float | None = None
    verified_eur_per_year: float | None = None
    verified_mwh_per_year: float | None = None  # measured heat and water, in their own units
    verified_m3_per_year: float | None = None
    # The territory's potential: the optimal allocation of its open suggestions (never their sum),
    # each quantity in the unit of its kind.
    potential_co2e_avoided_t_per_year: float | None = None
    potential_tonnes_per_year: float | None = None
    potential_mwh_per_year: float | None = None
    potential_m3_per_year: float | None = None
    potential_eur_per_year: float | None = None
    potential_illustrative_share: float | None = None  # part of the potential's tCO2e resting on illustrative flows
