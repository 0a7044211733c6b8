"""The vectorised indicators against the definitions read one row at a time, on random territories.

``queries`` codes text columns, joins in numpy, sorts packed integers and builds one KD-tree
per material; each of those is a place to miscount. Here every figure of a territory is
recomputed the slow, obvious way from the ORM objects (per flow, per synergy, per outcome)
and must match: a regression in any shortcut shows as a wrong figure, not as a slower page.
Random worlds cover what a hand-built one forgets: closed sites, sites without a commune,
flows without a quantity or a material, stale suggestions, needs without a flow, several
outcomes per synergy, a company with sites in several communes.
"""

from collections import defaultdict

import numpy as np
import pytest

from boucle.observatory.disclosure import disclose
from boucle.observatory.queries import territory_indicators
from boucle.territories.refs import resolve

pytestmark = pytest.mark.django_db

# Every pair of these places is either under 160 km or over 240 km apart: no need sits on the 200 km edge.
PLACES = {"59350": (50.632, 3.047), "59009": (50.632, 3.153), "59183": (51.030, 2.337),
          "62041": (50.290, 2.766), "62193": (50.952, 1.874), "57463": (49.108, 6.196), None: (None, None)}
MATERIALS = ["fly_ash", "slag", "foundry_sand", "process_water", ""]
# producers of fly ash (35.11), slag (24.10) and foundry sand (24.51) for the directory's sources; none
NAFS = ["35.11Z", "24.10Z", "24.51Z", "17.12Z", None, None]
STATUSES = ["suggested", "contacted", "in_discussion", "trial", "running", "stopped", "declined"]
ENGAGED = {"contacted", "in_discussion", "trial", "running", "stopped"}
OPEN = {"suggested", "contacted", "in_discussion", "trial", "running"}
METRICS = ("tonnes_diverted", "co2e_avoided_t", "eur_saved", "water_m3", "mwh", "m3")
KIND_UNIT = {"material": "t", "energy": "MWh", "water": "m3"}


def _world(seed):
    from boucle.flows.models import Site
    from boucle.matching.models import Synergy, VerifiedOutcome
    from boucle.testing import make_flow, make_site

    rng = np.random.default_rng(seed)
    naf_rng = np.random.default_rng(seed + 1000)  # activities drawn apart: the rest of the world stays the same
    sites = []
    for i in range(14):
        commune = list(PLACES)[rng.integers(0, len(PLACES))]
        owner = sites[rng.integers(0, len(sites))].company if sites and rng.random() < 0.4 else None
        site = make_site(f"Site {i}", lat=PLACES[commune][0], lon=PLACES[commune][1], commune=commune,
                         company=owner, naf=NAFS[naf_rng.integers(0, len(NAFS))])
        if rng.random() < 0.1:
            Site.objects.filter(pk=site.pk).update(closed=True)
        sites.append(site)
    flows = []
    for i in range(70):
        kind = ("material", "energy", "water")[rng.integers(0, 3)]
        unit = {"material": "t", "energy": "MWh", "water": "m3"}[kind]
        if kind == "energy" and rng.random() < 0.3:
            unit = "GJ"  # written by hand or by an older importer: no label the observatory knows
        quantity = None if rng.random() < 0.1 else float(rng.integers(1, 5) * 10 ** rng.integers(0, 4))
        amount = {"quantity": quantity} if unit == "t" else {"quantity_base": quantity, "base_unit": unit}
        flows.append(make_flow(sites[rng.integers(0, len(sites))], f"Flux {i}", kind=kind,
                               direction=("offer", "need")[rng.integers(0, 2)], unit="t" if unit == "t" else "",
                               material_class=MATERIALS[rng.integers(0, len(MATERIALS))], **amount))
    offers = [f for f in flows if f.direction == "offer"]
    needs = [f for f in flows if f.direction == "need"]
    seen = set()
    for _ in range(40):
        offer, need = offers[rng.integers(0, len(offers))], needs[rng.integers(0, len(needs))]
        if (offer.pk, need.site_id) in seen:
            continue
        seen.add((offer.pk, need.site_id))

        def value():
            return None if rng.random() < 0.2 else float(rng.integers(0, 50))

        synergy = Synergy.objects.create(
            offer=offer, need=need if rng.random() < 0.9 else None, need_site=need.site,
            material_class=offer.material_class, distance_km=float(rng.choice([20.0, 150.0, 260.0])), score=0.5,
            status=STATUSES[rng.integers(0, len(STATUSES))], stale=bool(rng.random() < 0.2),
            quantity_t=value(), tonnes_diverted=value(), co2e_avoided_t=value(), eur_saved=value())
        if synergy.status in ("running", "stopped"):
            for _ in range(int(rng.integers(0, 3))):
                VerifiedOutcome.objects.create(synergy=synergy, tonnes_per_year=value(),
                                               co2e_avoided_t_per_year=value(), eur_per_year=value())


def _km(a, b):
    (la1, lo1), (la2, lo2) = (np.radians(a), np.radians(b))
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def _by_definition(communes: set[str], radius_km: float = 200.0) -> dict:
    """Each figure as its definition reads, per company, from the ORM objects one by one."""
    from boucle.flows.models import Flow
    from boucle.matching.models import Synergy, VerifiedOutcome

    def inside(site):
        return site.commune_id in communes

    per = defaultdict(lambda: defaultdict(float))  # figure -> company -> value
    counted = Synergy.objects.exclude(stale=True, status="suggested").select_related("offer__site", "need_site")
    offers = [f for f in Flow.objects.filter(direction="offer", site__closed=False).select_related("site")
              if f.material_class and f.site.lat is not None]
    from boucle.flows.models import Site as _Site
    from boucle.matching.knowledge.infer import output_rules

    # the directory's producers (sourcing): an open establishment whose NAF code falls under a rule
    # « this activity usually produces that material », other than the need's own site
    directory = list(_Site.objects.filter(closed=False, lat__isnull=False))

    def producing(material):
        return [r.naf_prefix for r in output_rules() if r.class_key == material]

    for flow in Flow.objects.filter(site__closed=False).select_related("site"):
        if not inside(flow.site):
            continue
        key = (flow.direction, flow.kind, flow.material_class, flow.base_unit)
        company = flow.site.company_id
        per[("flow", key)][company] += flow.quantity_base or 0.0
        per[("flows", key)][company] += 1
        per[("declaring",)][company] = 1
        per[("direction_n", flow.direction)][company] += 1
        if flow.direction == "need":
            per[("needs",)][company] += 1
            synergy = any(s.need_id == flow.pk and s.distance_km <= radius_km and s.status != "declined"
                          for s in counted)
            offer = flow.material_class and flow.site.lat is not None and any(
                o.material_class == flow.material_class
                and _km((flow.site.lat, flow.site.lon), (o.site.lat, o.site.lon)) <= radius_km for o in offers)
            producer = flow.material_class and flow.site.lat is not None and any(
                s.pk != flow.site_id and s.naf_id and any(s.naf_id.startswith(p) for p in producing(flow.material_class))
                and _km((flow.site.lat, flow.site.lon), (s.lat, s.lon)) <= radius_km for s in directory)
            if synergy or offer or producer:
                per[("local",)][company] += 1
    from boucle.flows.models import Site

    for site in Site.objects.filter(closed=False):
        if inside(site):
            per[("sites",)][site.company_id] += 1
            per[("with_sites",)][site.company_id] = 1
    best = {}
    for s in counted.order_by("id"):
        if s.need_site.commune_id in communes and s.status in ENGAGED:
            per[("in_synergies",)][s.need_site.company_id] = 1
        if not inside(s.offer.site):
            continue
        company = s.offer.site.company_id
        per[("status", s.status)][company] += 1
        if s.status in ENGAGED:
            per[("in_synergies",)][company] = 1
        kind = s.offer.kind
        values = (s.tonnes_diverted if kind == "material" else None, s.co2e_avoided_t, s.eur_saved,
                  s.quantity_t if kind == "water" else None, s.quantity_t if kind == "energy" else None,
                  s.quantity_t if kind == "water" else None)
        if s.status == "running":
            for metric, v in zip(METRICS, values):
                per[("estimated", metric)][company] += v or 0.0
        if (s.status in OPEN and not s.offer.site.closed and not s.need_site.closed
                and KIND_UNIT.get(kind) == s.offer.base_unit and (s.offer.quantity_base or 0) > 0):
            best[s.pk] = s
    per[("potential", "co2e_avoided_t")] = {"all": _optimum(list(best.values()))}
    latest = {}
    for outcome in VerifiedOutcome.objects.order_by("recorded_at", "id").select_related("synergy__offer__site"):
        latest[outcome.synergy_id] = outcome
    for o in latest.values():
        if inside(o.synergy.offer.site):
            company = o.synergy.offer.site.company_id
            for metric, v in zip(METRICS, (o.tonnes_per_year, o.co2e_avoided_t_per_year, o.eur_per_year,
                                           o.water_m3_per_year)):
                per[("verified", metric)][company] += v or 0.0
    return per


def _optimum(suggestions) -> float:
    """tCO2e of the best use of the suggestions, by a linear program (scipy's HiGHS, not the min-cost flow
    the observatory uses): each offer's quantity and each declared need's quantity used at most once."""
    from scipy.optimize import linprog

    value = []
    for s in suggestions:
        q = s.quantity_t if s.quantity_t is not None else s.offer.quantity_base
        if s.need_id and s.need.base_unit == s.offer.base_unit and s.need.quantity_base is not None:
            q = min(q, s.need.quantity_base)  # the estimate is for what the declared need can take
        value.append((s.co2e_avoided_t / q) if (s.co2e_avoided_t is not None and q) else 0.0)
    arcs = [i for i, v in enumerate(value) if v > 0]
    if not arcs:
        return 0.0

    def inferred_limit(s):
        """An inferred need takes at most the largest need its site declared in the offer's unit; with none,
        nothing of heat or water, and a material what the supplies bring (no row)."""
        declared = [f.quantity_base for f in s.need_site.flows.all()
                    if f.direction == "need" and f.base_unit == s.offer.base_unit and (f.quantity_base or 0) > 0]
        return max(declared) if declared else (0.0 if s.offer.kind in ("energy", "water") else None)

    rows, bounds = {}, []
    for j, i in enumerate(arcs):
        s = suggestions[i]
        rows.setdefault(("offer", s.offer_id), (s.offer.quantity_base, []))[1].append(j)
        if s.need_id and s.need.base_unit == s.offer.base_unit and s.need.quantity_base is not None:
            rows.setdefault(("need", s.need_id), (s.need.quantity_base, []))[1].append(j)
        elif not s.need_id and (limit := inferred_limit(s)) is not None:
            rows.setdefault(("site", s.need_site_id, s.material_class), (limit, []))[1].append(j)
    a = np.zeros((len(rows), len(arcs)))
    b = np.zeros(len(rows))
    for r, (limit, cols) in enumerate(rows.values()):
        a[r, cols] = 1.0
        b[r] = limit
    res = linprog(-np.array([value[i] for i in arcs]), A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    return float(-res.fun)


def _check(doc, per, public):
    def expect(figure):
        values = per.get(figure, {})
        return disclose(values) if public else float(sum(values.values()))

    def same(got, want):
        assert (got is None) == (want is None), (got, want)
        if want is not None:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-9)

    keys = {f[1] for f in per if f[0] == "flow"}
    assert {(r["direction"], r["kind"], r["material_class"], r["unit"]) for r in doc["flows"]} == keys
    for row in doc["flows"]:
        key = (row["direction"], row["kind"], row["material_class"], row["unit"])
        same(row["quantity"], expect(("flow", key)))
        same(row["flows"], expect(("flows", key)))
        if not public:
            assert row["companies"] == sum(1 for v in per[("flow", key)].values() if v)
    for status, n in doc["synergies"]["by_status"].items():
        same(n, expect(("status", status)))
    for basis, metrics in doc["impacts"].items():
        for metric, value in metrics.items():
            if basis == "potential":
                continue  # the optimum's split between companies is not unique: its total is checked below
            same(value, expect((basis, metric)))
    if not public:
        got, want = doc["impacts"]["potential"]["co2e_avoided_t"], expect(("potential", "co2e_avoided_t"))
        assert got == pytest.approx(want, rel=1e-6, abs=1e-3)
    same(doc["local_sourcing"]["needs"], expect(("needs",)))
    same(doc["local_sourcing"]["needs_with_local_source"], expect(("local",)))
    same(doc["companies"]["declaring"], expect(("declaring",)))
    same(doc["companies"]["in_synergies"], expect(("in_synergies",)))
    same(doc["companies"]["with_sites"], expect(("with_sites",)))
    same(doc["sites"], expect(("sites",)))
    for direction in ("offer", "need"):
        same(doc["flow_counts"][direction], expect(("direction_n", direction)))


@pytest.mark.parametrize("seed", range(4))
def test_observatory_figures_match_their_definitions_on_random_territories(seed):
    _world(seed)
    for text in ("region:32", "departement:59", "epci:200093201", "commune:62193", "region:44"):
        ref = resolve(text)
        per = _by_definition(set(ref.communes().values_list("insee", flat=True)))
        for public in (False, True):
            _check(territory_indicators(ref, public=public), per, public)
