"""Matching engine: which offers could serve which needs, as plain arrays.

Everything here works on integer indices (sites, material classes) so that the
engine knows nothing about Django, text classification or the class table; the
pipeline translates records to arrays and back. Each dataclass holds one numpy
array per attribute, row ``i`` being flow ``i``: this keeps a million flows in a
few contiguous arrays and every rule a vectorised mask.

Public API (stable for the pipeline):

- :class:`Sites`, :class:`Offers`, :class:`Needs`, :class:`ClassInfo`,
  :class:`Compatibility`, :class:`Candidates`
- :func:`find_candidates` -> :class:`Candidates`
- :func:`score_candidates` (from :mod:`.scoring`) -> score per candidate
- :func:`top_k_per` -> positions of the k best per group

Around it, each in its own module: :mod:`.nearest` (exact top-k per need at a
million flows without enumerating pairs), :mod:`.explain` (score broken down
for display), :mod:`.allocation` (the territory's optimal assignment, min-cost
flow), :mod:`.pooling` (groups of sites sharing a flow) and :mod:`.spatial`
(sphere geometry).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from .scoring import ScoreWeights, default_impact, score_candidates  # noqa: F401 (public API)
from .spatial import chord_to_km, km_to_chord, to_xyz

KINDS = ("material", "heat", "water", "gas", "equipment", "service")
# Heat is worth moving only a few km (pipe losses, trench cost); water a few tens.
# Classes may be stricter (steam: 3 km) through ClassInfo.max_distance_km.
DEFAULT_MAX_DISTANCE_KM = {"heat": 5.0, "water": 20.0}


def _column(value, n: int, dtype, fill) -> np.ndarray:
    if value is None:
        return np.full(n, fill, dtype=dtype)
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        arr = np.full(n, arr, dtype=dtype)
    if arr.shape != (n,):
        raise ValueError(f"expected an array of length {n}, got shape {arr.shape}")
    return arr


def _set(obj, name: str, value) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True, eq=False)
class Sites:
    """Site coordinates in WGS84 degrees; flows refer to sites by row index."""

    lat: np.ndarray
    lon: np.ndarray

    def __post_init__(self):
        lat = np.asarray(self.lat, dtype=np.float64).reshape(-1)
        _set(self, "lat", lat)
        _set(self, "lon", _column(self.lon, lat.size, np.float64, np.nan))

    def __len__(self) -> int:
        return self.lat.size

    @cached_property
    def xyz(self) -> np.ndarray:
        return to_xyz(self.lat, self.lon)


@dataclass(frozen=True, eq=False)
class Offers:
    """What sites give away. ``confidence`` is the classification's certainty
    that ``cls`` is right (1 when a person chose the class). ``nearest_km``: for a hazardous offer, the
    distance to the nearest installation that may receive it (NaN: none, or not a hazardous offer); its
    pairs' distance decay counts from there (``scoring.score_terms``: proximity principle)."""

    site: np.ndarray
    cls: np.ndarray
    quantity_t: np.ndarray
    temperature_c: np.ndarray | None = None
    hazardous: np.ndarray | None = None
    confidence: np.ndarray | None = None
    nearest_km: np.ndarray | None = None

    def __post_init__(self):
        site = np.asarray(self.site, dtype=np.int64).reshape(-1)
        n = site.size
        _set(self, "site", site)
        _set(self, "cls", _column(self.cls, n, np.int64, 0))
        _set(self, "quantity_t", _column(self.quantity_t, n, np.float64, np.nan))
        _set(self, "temperature_c", _column(self.temperature_c, n, np.float64, np.nan))
        _set(self, "hazardous", _column(self.hazardous, n, bool, False))
        _set(self, "confidence", _column(self.confidence, n, np.float64, 1.0))
        _set(self, "nearest_km", _column(self.nearest_km, n, np.float64, np.nan))

    def __len__(self) -> int:
        return self.site.size


@dataclass(frozen=True, eq=False)
class Needs:
    """What sites look for. ``quantity_t`` is nan when unknown; ``inferred``
    marks needs guessed from the activity (NAF) rather than declared;
    ``accepts_hazardous`` says the site is authorised to receive hazardous waste; ``resale`` that the
    site is a waste operator, which prepares the material and sells it on: no virgin purchase avoided
    in the euros of its pairs (``LinearImpact``'s ``eur_resale_per_unit``); ``disposal`` that it treats and
    disposes of waste (NACE 38.21, 38.22): a material's CO2e and euros unknown in its pairs, as on the synergy page
    (``LinearImpact``'s disposal coefficients, ``impact.vector.score_exchanges``' ``disposal``);
    ``hazardous_only`` marks a need that only a hazardous offer may meet (a hazardous-waste
    treater takes the insulation or tar-bound asphalt with dangerous substances, not the inert kind);
    ``hazardous_same_class``, one a hazardous offer meets only with its own class: the site may
    receive the class needed (hydrochloric acid for a plating shop) but not each hazardous waste
    that could stand in for it (spent pickling acid), which is what would arrive; ``same_class_only``, one any
    offer meets only with its own class: the activity needs that material of its own purity, and the near classes
    that stand in for it elsewhere are no substitutes there (a glass furnace's sand is no foundry sand)."""

    site: np.ndarray
    cls: np.ndarray
    quantity_t: np.ndarray | None = None
    temperature_c: np.ndarray | None = None
    inferred: np.ndarray | None = None
    confidence: np.ndarray | None = None
    accepts_hazardous: np.ndarray | None = None
    resale: np.ndarray | None = None
    disposal: np.ndarray | None = None
    hazardous_only: np.ndarray | None = None
    hazardous_same_class: np.ndarray | None = None
    same_class_only: np.ndarray | None = None

    def __post_init__(self):
        site = np.asarray(self.site, dtype=np.int64).reshape(-1)
        n = site.size
        _set(self, "site", site)
        _set(self, "cls", _column(self.cls, n, np.int64, 0))
        _set(self, "quantity_t", _column(self.quantity_t, n, np.float64, np.nan))
        _set(self, "temperature_c", _column(self.temperature_c, n, np.float64, np.nan))
        _set(self, "inferred", _column(self.inferred, n, bool, False))
        _set(self, "confidence", _column(self.confidence, n, np.float64, 1.0))
        _set(self, "accepts_hazardous", _column(self.accepts_hazardous, n, bool, False))
        _set(self, "resale", _column(self.resale, n, bool, False))
        _set(self, "disposal", _column(self.disposal, n, bool, False))
        _set(self, "hazardous_only", _column(self.hazardous_only, n, bool, False))
        _set(self, "hazardous_same_class", _column(self.hazardous_same_class, n, bool, False))
        _set(self, "same_class_only", _column(self.same_class_only, n, bool, False))

    def __len__(self) -> int:
        return self.site.size


def take_rows(table, rows):
    """The rows ``rows`` of an :class:`Offers` or :class:`Needs` table (a tile's, a search's subset)."""
    return type(table)(**{f.name: np.asarray(getattr(table, f.name))[rows] for f in fields(table)})


@dataclass(frozen=True, eq=False)
class ClassInfo:
    """Per material class: kind (one of :data:`KINDS`), water quality grade
    (higher = cleaner; only compared between water classes) and a maximum
    transport distance (nan = only the search radius applies)."""

    kind: np.ndarray
    water_grade: np.ndarray | None = None
    max_distance_km: np.ndarray | None = None

    def __post_init__(self):
        kind = np.asarray(self.kind, dtype=object).reshape(-1).astype(str)
        bad = set(np.unique(kind)) - set(KINDS)
        if bad:
            raise ValueError(f"unknown class kinds: {sorted(bad)}")
        n = kind.size
        _set(self, "kind", kind)
        _set(self, "water_grade", _column(self.water_grade, n, np.int64, 0))
        maxd = _column(self.max_distance_km, n, np.float64, np.nan).copy()
        for k, km in DEFAULT_MAX_DISTANCE_KM.items():
            maxd[np.isnan(maxd) & (kind == k)] = km
        _set(self, "max_distance_km", maxd)

    def __len__(self) -> int:
        return self.kind.size

    @cached_property
    def is_heat(self) -> np.ndarray:
        return self.kind == "heat"

    @classmethod
    def uniform(cls, n_classes: int, kind: str = "material") -> "ClassInfo":
        return cls(kind=np.full(n_classes, kind))


@dataclass(frozen=True, eq=False)
class Compatibility:
    """Sparse list of (offer class, need class, weight in (0, 1]): which class
    of offer can serve which class of need, and how well (a substitute such as
    FGD gypsum for natural gypsum gets less than 1)."""

    offer_cls: np.ndarray
    need_cls: np.ndarray
    weight: np.ndarray

    def __post_init__(self):
        oc = np.asarray(self.offer_cls, dtype=np.int64).reshape(-1)
        nc = _column(self.need_cls, oc.size, np.int64, 0)
        w = _column(self.weight, oc.size, np.float64, 1.0)
        keep = w > 0
        oc, nc, w = oc[keep], nc[keep], w[keep]
        # One weight per pair (the best), in a fixed order: results must not
        # depend on the order the pipeline listed substitutions in.
        order = np.lexsort((-w, nc, oc))
        oc, nc, w = oc[order], nc[order], w[order]
        first = np.ones(oc.size, dtype=bool)
        first[1:] = (oc[1:] != oc[:-1]) | (nc[1:] != nc[:-1])
        _set(self, "offer_cls", oc[first])
        _set(self, "need_cls", nc[first])
        _set(self, "weight", w[first])

    def __len__(self) -> int:
        return self.offer_cls.size

    @classmethod
    def identity(cls, n_classes: int) -> "Compatibility":
        idx = np.arange(n_classes)
        return cls(idx, idx, np.ones(n_classes))

    def plus(self, offer_cls, need_cls, weight) -> "Compatibility":
        """This table with extra pairs (e.g. substitutions on top of identity)."""
        return Compatibility(
            np.concatenate([self.offer_cls, np.atleast_1d(offer_cls)]),
            np.concatenate([self.need_cls, np.atleast_1d(need_cls)]),
            np.concatenate([self.weight, np.broadcast_to(weight, np.atleast_1d(offer_cls).shape)]),
        )


@dataclass(frozen=True, eq=False)
class Candidates:
    """Offer/need pairs that pass every hard rule, sorted by (need, offer)."""

    offer_idx: np.ndarray
    need_idx: np.ndarray
    distance_km: np.ndarray
    compat_weight: np.ndarray

    def __len__(self) -> int:
        return self.offer_idx.size

    def take(self, positions) -> "Candidates":
        p = np.asarray(positions)
        return Candidates(self.offer_idx[p], self.need_idx[p], self.distance_km[p], self.compat_weight[p])

    @classmethod
    def empty(cls) -> "Candidates":
        i = np.zeros(0, dtype=np.int64)
        f = np.zeros(0, dtype=np.float64)
        return cls(i, i.copy(), f, f.copy())


def group_positions(cls_values: np.ndarray) -> dict[int, np.ndarray]:
    """Row positions per class value, each in increasing order."""
    if cls_values.size == 0:
        return {}
    order = np.argsort(cls_values, kind="stable")
    sorted_vals = cls_values[order]
    cuts = np.flatnonzero(np.diff(sorted_vals)) + 1
    starts = np.concatenate(([0], cuts))
    return {int(sorted_vals[s]): part for s, part in zip(starts, np.split(order, cuts))}


def pair_radius_km(classinfo: ClassInfo, oc: int, nc: int, radius_km: float) -> float:
    """The strictest of the search radius and both classes' own limits."""
    limits = classinfo.max_distance_km[[oc, nc]]
    return float(np.nanmin(np.concatenate(([radius_km], limits))))


def class_pair_allowed(classinfo: ClassInfo, oc: int, nc: int) -> bool:
    """Rules that depend on classes only: water must not be downgraded into a
    use needing cleaner water."""
    if classinfo.kind[oc] == "water" and classinfo.kind[nc] == "water":
        return bool(classinfo.water_grade[oc] >= classinfo.water_grade[nc])
    return True


# boucle/impact/data/heat_physics.csv: heat_pump_max_sink_c (100 °C) minus the 5 K approach
HEAT_PUMP_MAX_NEED_C = 95.0


def flow_rules_mask(offers: Offers, needs: Needs, classinfo: ClassInfo, oi: np.ndarray, ni: np.ndarray) -> np.ndarray:
    """Rules that depend on each flow: never the same site; hazardous waste only
    to authorised sites (for the class that arrives), a need only a hazardous waste may meet
    only by one; heat only
    from a source at least as hot as the use, or one a heat pump can lift to it (when both
    temperatures are known)."""
    ok = offers.site[oi] != needs.site[ni]
    ok &= ~offers.hazardous[oi] | needs.accepts_hazardous[ni]
    ok &= offers.hazardous[oi] | ~needs.hazardous_only[ni]
    ok &= ~offers.hazardous[oi] | ~needs.hazardous_same_class[ni] | (offers.cls[oi] == needs.cls[ni])
    ok &= ~needs.same_class_only[ni] | (offers.cls[oi] == needs.cls[ni])
    if classinfo.is_heat.any():
        heat = classinfo.is_heat[offers.cls[oi]] | classinfo.is_heat[needs.cls[ni]]
        to, tn = offers.temperature_c[oi], needs.temperature_c[ni]
        # a cooler source can still serve through a heat pump, up to the pump's maximum sink temperature
        too_cold = heat & np.isfinite(to) & np.isfinite(tn) & (to < tn) & (tn > HEAT_PUMP_MAX_NEED_C)
        ok &= ~too_cold
    return ok


def find_candidates(
    sites: Sites,
    offers: Offers,
    needs: Needs,
    classinfo: ClassInfo,
    compat: Compatibility | None = None,
    radius_km: float = 200.0,
) -> Candidates:
    """Every (offer, need) pair of compatible classes within reach that passes
    the hard rules. One KD-tree per class on unit-sphere xyz, searched by chord
    (exact: the chord is monotone in great-circle distance).

    This enumerates all pairs, which suits a territory (thousands of flows).
    For a million flows use :func:`boucle.matching.nearest.best_offers_per_need`,
    which only visits the pairs needed for an exact top-k.
    """
    if compat is None:
        compat = Compatibility.identity(len(classinfo))
    if len(offers) == 0 or len(needs) == 0 or len(compat) == 0:
        return Candidates.empty()
    from scipy.spatial import cKDTree  # here: `boucle match` runs the compiled search, not this enumeration

    xyz = sites.xyz
    offers_by_cls = group_positions(offers.cls)
    needs_by_cls = group_positions(needs.cls)
    trees: dict[tuple[str, int], cKDTree] = {}

    def tree(side: str, c: int, pos: np.ndarray, site: np.ndarray) -> cKDTree:
        key = (side, c)
        if key not in trees:
            trees[key] = cKDTree(xyz[site[pos]])
        return trees[key]

    parts_o, parts_n, parts_c, parts_w = [], [], [], []
    for oc, nc, w in zip(compat.offer_cls.tolist(), compat.need_cls.tolist(), compat.weight.tolist()):
        o_pos, n_pos = offers_by_cls.get(oc), needs_by_cls.get(nc)
        if o_pos is None or n_pos is None or not class_pair_allowed(classinfo, oc, nc):
            continue
        chord = float(km_to_chord(pair_radius_km(classinfo, oc, nc, radius_km)))
        pairs = tree("o", oc, o_pos, offers.site).sparse_distance_matrix(
            tree("n", nc, n_pos, needs.site), chord, output_type="ndarray"
        )
        if pairs.size == 0:
            continue
        parts_o.append(o_pos[pairs["i"]])
        parts_n.append(n_pos[pairs["j"]])
        parts_c.append(pairs["v"])
        parts_w.append(np.full(pairs.size, w))
    if not parts_o:
        return Candidates.empty()
    oi, ni = np.concatenate(parts_o), np.concatenate(parts_n)
    chord_len, weight = np.concatenate(parts_c), np.concatenate(parts_w)
    keep = flow_rules_mask(offers, needs, classinfo, oi, ni)
    oi, ni, chord_len, weight = oi[keep], ni[keep], chord_len[keep], weight[keep]
    order = np.lexsort((oi, ni))
    return Candidates(oi[order], ni[order], chord_to_km(chord_len[order]), weight[order])


def top_k_per(group_idx: np.ndarray, score: np.ndarray, k: int, tie: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``k`` best scores within each group, ordered by group
    then score descending; equal scores are broken by ``tie`` (default: the
    position) so the result never depends on the sort's mood. NaN scores rank last."""
    group_idx = np.asarray(group_idx)
    score = np.asarray(score, dtype=np.float64)
    if group_idx.size == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    tie = np.arange(group_idx.size) if tie is None else np.asarray(tie)
    neg = np.where(np.isnan(score), np.inf, -score)
    order = np.lexsort((tie, neg, group_idx))
    g = group_idx[order]
    new_group = np.ones(g.size, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    starts = np.flatnonzero(new_group)
    rank = np.arange(g.size) - np.repeat(starts, np.diff(np.append(starts, g.size)))
    return order[rank < k]
