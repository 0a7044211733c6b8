"""Exact top-k offers per need without scoring every pair in the radius.

At a million flows a 200 km radius holds over a billion offer-need pairs: far
too many to score. The search is pruned by an upper bound on the score that
does not depend on the pair's distance (see :mod:`.scoring`: every factor is
<= 1, the impact term is non-decreasing in tonnes and non-increasing in
distance, which holds for any "saving per tonne minus transport per t.km"
model once negative impacts count as zero):

    score(o, n) <= B(band(o), n) * exp(-d(o, n) / decay_km)

where offers of a class are split into *quantity bands* (factor 4 in tonnes)
and ``B`` uses the band's largest quantity and confidence, the need's demand,
confidence and inferred flag, and the quantity fit at best inside the band.

Two phases per (offer class, need class) pair:

1. seed: score each need's ``pool`` nearest offers of the class; the k-th best
   score found, ``kth``, is a lower bound of the true k-th best;
2. each band: only offers with ``B * exp(-d / decay_km) >= kth`` can enter the
   top k, i.e. those within ``r = decay_km * ln(B / kth)``; collect them all
   with KD-tree queries (widened four-fold until the farthest neighbour
   returned lies beyond ``r``) and keep the k best.

The result is exactly the top-k of :func:`engine.find_candidates` +
:func:`score_candidates`, ties broken by offer index (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .engine import (
    Candidates,
    ClassInfo,
    Compatibility,
    Needs,
    Offers,
    Sites,
    class_pair_allowed,
    flow_rules_mask,
    group_positions,
    pair_radius_km,
)
from .scoring import ScoreWeights, impact_term, quantity_fit, score_terms
from .spatial import chord_to_km, km_to_chord

_NO_OFFER = np.iinfo(np.int64).max
BAND_RATIO = 4.0


@dataclass(frozen=True, eq=False)
class TopMatches:
    """Best offers per need, ordered by need, score descending, offer index."""

    candidates: Candidates
    score: np.ndarray
    pairs_scored: int  # pairs whose score was computed (the work done)
    queries: int  # KD-tree query rounds (diagnostic)


def _row_sort(score: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """Column order per row: score descending, then offer index (missing last)."""
    return np.lexsort((offer, -score), axis=1)


def _row_top(score: np.ndarray, offer: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k best per row, exact on ties at the k-th score."""
    if score.shape[1] <= k:
        return np.broadcast_to(np.arange(score.shape[1]), score.shape)
    cols = np.argpartition(-score, k - 1, axis=1)[:, :k]
    kth = np.take_along_axis(score, cols, axis=1).min(axis=1)
    tied = np.flatnonzero(np.isfinite(kth) & ((score >= kth[:, None]).sum(axis=1) > k))
    if tied.size:
        cols[tied] = _row_sort(score[tied], offer[tied])[:, :k]
    return cols


class _Best:
    """Running top-k per need as (needs x k) matrices; score -inf = empty slot."""

    def __init__(self, n_needs: int, k: int):
        self.k = k
        self.s = np.full((n_needs, k), -np.inf)
        self.o = np.full((n_needs, k), _NO_OFFER, dtype=np.int64)
        self.d = np.zeros((n_needs, k))
        self.w = np.zeros((n_needs, k))

    def merge(self, rows, s, o, d, w) -> None:
        """Fold new (rows x width) results in; each row's new offers must not
        already be present (bands and class pairs partition the offers)."""
        if rows.size == 0:
            return
        cs = np.concatenate([self.s[rows], s], axis=1)
        co = np.concatenate([self.o[rows], o], axis=1)
        cd = np.concatenate([self.d[rows], d], axis=1)
        cw = np.concatenate([self.w[rows], np.full(s.shape, w)], axis=1)
        top = _row_top(cs, co, self.k)
        for name, mat in (("s", cs), ("o", co), ("d", cd), ("w", cw)):
            getattr(self, name)[rows] = np.take_along_axis(mat, top, axis=1)

    def result(self):
        order = _row_sort(self.s, self.o)
        s, o, d, w = (np.take_along_axis(m, order, axis=1) for m in (self.s, self.o, self.d, self.w))
        rows, cols = np.nonzero(np.isfinite(s))
        return Candidates(o[rows, cols], rows.astype(np.int64), d[rows, cols], w[rows, cols]), s[rows, cols]


class _Search:
    """KD-tree queries of one offer set for many needs, scored, as matrices."""

    def __init__(self, ctx, o_pos: np.ndarray, w: float, chord: float):
        self.ctx, self.o_pos, self.w, self.chord = ctx, o_pos, w, chord
        self.tree = cKDTree(ctx.xyz[ctx.offers.site[o_pos]])

    def query(self, need_rows: np.ndarray, size: int, max_km: np.ndarray | None = None):
        """Score the ``size`` nearest offers of each need (within the radius and
        ``max_km``); returns score, offer, distance matrices and the distance
        of the farthest neighbour looked at (inf when fewer were in reach)."""
        c = self.ctx
        size = min(size, self.o_pos.size)
        chord = self.chord if max_km is None else min(self.chord, float(km_to_chord(max_km.max())) * (1 + 1e-9) + 1e-12)
        workers = c.workers if need_rows.size > 2000 else 1
        dist, col = self.tree.query(c.xyz[c.needs.site[need_rows]], k=size, distance_upper_bound=chord, workers=workers)
        dist, col = dist.reshape(need_rows.size, size), col.reshape(need_rows.size, size)
        c.queries += 1
        found = col < self.o_pos.size
        km = chord_to_km(np.where(found, dist, 0.0))
        if max_km is not None:
            found &= km <= max_km[:, None]
        rows, cols = np.nonzero(found)
        oi, ni = self.o_pos[col[rows, cols]], need_rows[rows]
        ok = flow_rules_mask(c.offers, c.needs, c.classinfo, oi, ni)
        rows, cols, oi, ni = rows[ok], cols[ok], oi[ok], ni[ok]
        score = score_terms(oi, ni, km[rows, cols], self.w, c.offers, c.needs, c.impact_fn, c.weights)["score"]
        c.pairs_scored += oi.size
        s_mat = np.full(dist.shape, -np.inf)
        s_mat[rows, cols] = score
        o_mat = np.full(dist.shape, _NO_OFFER, dtype=np.int64)
        o_mat[rows, cols] = oi
        d_mat = np.zeros(dist.shape)
        d_mat[rows, cols] = km[rows, cols]
        last = np.where(col[:, -1] < self.o_pos.size, chord_to_km(dist[:, -1]), np.inf)
        if size == self.o_pos.size:
            last[:] = np.inf
        return s_mat, o_mat, d_mat, last

    def collect(self, need_rows: np.ndarray, max_km: np.ndarray, pool: int, best: _Best) -> None:
        """Every offer within ``max_km`` of each need, merged into ``best``."""
        size = pool
        while need_rows.size:
            s, o, d, last = self.query(need_rows, size, max_km)
            done = last > max_km
            top = _row_top(s[done], o[done], best.k)
            best.merge(need_rows[done], *(np.take_along_axis(m[done], top, axis=1) for m in (s, o, d)), self.w)
            need_rows, max_km = need_rows[~done], max_km[~done]
            size *= 4


@dataclass
class _Context:
    xyz: np.ndarray
    offers: Offers
    needs: Needs
    classinfo: ClassInfo
    impact_fn: object
    weights: ScoreWeights
    workers: int
    pairs_scored: int = 0
    queries: int = 0


def _bands(quantity_t: np.ndarray) -> np.ndarray:
    q = np.nan_to_num(quantity_t, nan=0.0)
    with np.errstate(divide="ignore"):
        band = np.floor(np.log(q) / np.log(BAND_RATIO))
    return np.where(q > 0, band, -(2**31)).astype(np.int64)


def _band_bound(ctx: _Context, oc: int, w: float, o_pos: np.ndarray, n_pos: np.ndarray) -> np.ndarray:
    """B(band, need): the score bound at zero distance for any offer of the band."""
    wt, offers, needs = ctx.weights, ctx.offers, ctx.needs
    q = np.nan_to_num(offers.quantity_t[o_pos], nan=0.0)
    lo, hi = q.min(), q.max()
    demand = needs.quantity_t[n_pos]
    known = np.isfinite(demand)
    moved = np.where(known, np.minimum(hi, demand), hi)
    imp = impact_term(ctx.impact_fn, np.full(n_pos.size, oc), moved, np.zeros(n_pos.size), wt)
    fit = quantity_fit(np.where(known, np.clip(demand, lo, hi), hi), demand, wt.unknown_fit)
    merit = (wt.impact * imp + wt.fit * fit + wt.base) / (wt.impact + wt.fit + wt.base)
    inferred = np.where(needs.inferred[n_pos], wt.inferred_factor, 1.0)
    return w * offers.confidence[o_pos].max() * needs.confidence[n_pos] * inferred * merit


def best_offers_per_need(
    sites: Sites,
    offers: Offers,
    needs: Needs,
    classinfo: ClassInfo,
    compat: Compatibility | None = None,
    radius_km: float = 200.0,
    k: int = 10,
    pool: int = 16,
    impact_fn=None,
    weights: ScoreWeights = ScoreWeights(),
    workers: int = -1,
) -> TopMatches:
    compat = Compatibility.identity(len(classinfo)) if compat is None else compat
    if len(offers) == 0 or len(needs) == 0 or len(compat) == 0 or k <= 0:
        return TopMatches(Candidates.empty(), np.zeros(0), 0, 0)
    ctx = _Context(sites.xyz, offers, needs, classinfo, impact_fn, weights, workers)
    offers_by_cls, needs_by_cls = group_positions(offers.cls), group_positions(needs.cls)
    best = _Best(len(needs), k)
    pool = max(pool, k)

    for oc, nc, w in zip(compat.offer_cls.tolist(), compat.need_cls.tolist(), compat.weight.tolist()):
        o_pos, n_pos = offers_by_cls.get(oc), needs_by_cls.get(nc)
        if o_pos is None or n_pos is None or not class_pair_allowed(classinfo, oc, nc):
            continue
        radius = pair_radius_km(classinfo, oc, nc, radius_km)
        chord = float(km_to_chord(radius))
        # Phase 1: a lower bound of each need's k-th best score.
        s, _, _, _ = _Search(ctx, o_pos, w, chord).query(n_pos, pool)
        kth = -np.partition(-s, k - 1, axis=1)[:, k - 1] if s.shape[1] >= k else np.full(n_pos.size, -np.inf)
        # Phase 2: per quantity band, everything that could beat it.
        for part in group_positions(_bands(offers.quantity_t[o_pos])).values():
            b_pos = o_pos[part]
            bound = _band_bound(ctx, oc, w, b_pos, n_pos)
            with np.errstate(divide="ignore", invalid="ignore"):
                reach = np.where(kth > 0, weights.decay_km * np.log(bound / kth), radius)
            reach = np.minimum(np.nan_to_num(reach, nan=-1.0), radius)
            go = reach >= 0
            if go.any():
                _Search(ctx, b_pos, w, chord).collect(n_pos[go], reach[go] * (1 + 1e-9) + 1e-9, pool, best)

    cands, score = best.result()
    return TopMatches(cands, score, ctx.pairs_scored, ctx.queries)
