"""Exact top-k offers per need without scoring every pair in the radius.

At a million flows a 200 km radius holds over a billion offer-need pairs: far
too many to score. The search is pruned by upper bounds of the score (see
:mod:`.scoring`: every factor is <= 1, the impact term is non-decreasing in
tonnes and non-increasing in distance, which holds for any "saving per tonne
minus transport per t.km" model once negative impacts count as zero).

Two implementations, same answer (tests compare both with a full enumeration):

- **compiled** (:mod:`.nearest_kernel`, numba), used when the impact model is
  linear in tonnes and says so, i.e. is a :class:`.scoring.LinearImpact` (the
  platform's model exposes its coefficients, see
  ``boucle.impact.vector.linear_coefficients``) or is left to the default.
  Per need, a best-first branch and bound over one tree per offer class
  (boxes split on place, quantity or confidence) opens ~40 nodes and scores
  ~24 pairs per need at 1M flows and 300 classes (against ~2,900 pairs in the
  radius), at a few tens of nanoseconds each.
- **numpy** (below), for any other impact function, which can only be called
  on arrays: offers of a class are split into *bands* (a factor 4 in tonnes
  times three confidence tiers) and

      score(o, n) <= B(band(o), n) * exp(-d(o, n) / decay_km)

  where ``B`` uses the band's largest quantity and confidence, the need's
  demand, confidence and inferred flag, and the quantity fit at best inside
  the band. Per (offer class, need class) pair: (1) seed: score each need's
  ``pool`` nearest offers of the class; the k-th best score found, ``kth``, is
  a lower bound of the true k-th best; (2) bands, most promising first: only
  offers within ``r = decay_km * ln(B / kth)`` can enter the top k; collect
  them with KD-tree queries (widened four-fold until the farthest neighbour
  returned lies beyond ``r``) and merge them into the running top k, whose
  k-th score then raises ``kth`` for the next bands. Class pairs run in
  threads, one need class per task (numpy and the KD-tree release the GIL).
  About 110 scored pairs per need at 1M flows, ~1 µs each all included.

The result is exactly the top-k of :func:`engine.find_candidates` +
:func:`score_candidates`, ties broken by offer index.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

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
from .scoring import LinearImpact, ScoreWeights, impact_term, quantity_fit, score_terms
from .spatial import chord_to_km, km_to_chord

if TYPE_CHECKING:  # imported where the numpy path builds its trees: `boucle match` runs the compiled one
    from scipy.spatial import cKDTree

_NO_OFFER = np.iinfo(np.int64).max
BAND_RATIO = 4.0
CONFIDENCE_TIERS = np.array([0.75, 0.999])
GROUP_MIN_NEEDS = 4096  # below this, one KD-tree query per round is cheaper


@dataclass(frozen=True, eq=False)
class TopMatches:
    """Best offers per need, ordered by need, score descending, offer index."""

    candidates: Candidates
    score: np.ndarray
    pairs_scored: int  # pairs whose score was computed (the work done)
    queries: int  # search steps: KD-tree query rounds, or tree nodes opened by the compiled search (diagnostic)


def _take(mat: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``np.take_along_axis`` for (rows x width) matrices, without its checks
    (it is called thousands of times on the hot path)."""
    return mat[np.arange(mat.shape[0])[:, None], cols]


def _row_sort(score: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """Column order per row: score descending, then offer index (missing last)."""
    return np.lexsort((offer, -score), axis=1)


def _row_top(score: np.ndarray, offer: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k best per row, exact on ties at the k-th score."""
    if score.shape[1] <= k:
        return np.broadcast_to(np.arange(score.shape[1]), score.shape)
    cols = np.argpartition(-score, k - 1, axis=1)[:, :k]
    kth = _take(score, cols).min(axis=1)
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
            getattr(self, name)[rows] = _take(mat, top)

    def result(self):
        order = _row_sort(self.s, self.o)
        s, o, d, w = (_take(m, order) for m in (self.s, self.o, self.d, self.w))
        rows, cols = np.nonzero(np.isfinite(s))
        return Candidates(o[rows, cols], rows.astype(np.int64), d[rows, cols], w[rows, cols]), s[rows, cols]


class _Search:
    """KD-tree queries of one offer set for many needs, scored, as matrices."""

    def __init__(self, ctx, o_pos: np.ndarray, tree: cKDTree, w: float, chord: float):
        self.ctx, self.o_pos, self.tree, self.w, self.chord = ctx, o_pos, tree, w, chord

    def query(self, need_rows: np.ndarray, size: int, max_km: np.ndarray | None = None):
        """Score the ``size`` nearest offers of each need (within the radius and
        ``max_km``). Returns the score matrix (-inf: nothing), the column
        matrix (positions in this offer set, increasing with offer index), the
        chord matrix and the km of the farthest neighbour looked at (inf when
        fewer were in reach)."""
        c = self.ctx
        n_off = self.o_pos.size
        size = min(size, n_off)
        chord = self.chord if max_km is None else min(self.chord, float(km_to_chord(max_km.max())) * (1 + 1e-9) + 1e-12)
        dist, col = self.tree.query(c.xyz[c.needs.site[need_rows]], k=size, distance_upper_bound=chord)
        dist, col = dist.reshape(need_rows.size, size), col.reshape(need_rows.size, size)
        c.queries += 1
        if max_km is None:
            found = col < n_off
        else:
            found = dist <= (km_to_chord(max_km) * (1 + 1e-12))[:, None]  # inf (missing) never passes
        rows, cols = np.nonzero(found)
        oi, ni = self.o_pos[col[rows, cols]], need_rows[rows]
        ok = flow_rules_mask(c.offers, c.needs, c.classinfo, oi, ni)
        rows, cols, oi, ni = rows[ok], cols[ok], oi[ok], ni[ok]
        score = score_terms(oi, ni, chord_to_km(dist[rows, cols]), self.w, c.offers, c.needs, c.impact_fn, c.weights)["score"]
        c.pairs_scored += oi.size
        s_mat = np.full(dist.shape, -np.inf)
        s_mat[rows, cols] = score
        last = chord_to_km(dist[:, -1]) if size < n_off else np.full(need_rows.size, np.inf)
        return s_mat, col, dist, last

    def collect(self, need_rows: np.ndarray, max_km: np.ndarray, pool: int, best: _Best) -> None:
        """Every offer within ``max_km`` of each need, merged into ``best``.
        Needs are queried in groups of similar reach: the KD-tree prunes by
        one distance per query, so a far-reaching need would make it search
        wide for all the others."""
        if need_rows.size < GROUP_MIN_NEEDS:
            return self._collect(need_rows, max_km, pool, best)
        order = np.argsort(max_km, kind="stable")
        for part in np.array_split(order, 4):
            self._collect(need_rows[part], max_km[part], pool, best)

    def _collect(self, need_rows: np.ndarray, max_km: np.ndarray, pool: int, best: _Best) -> None:
        size = pool
        while need_rows.size:
            s, col, dist, last = self.query(need_rows, size, max_km)
            done = last > max_km
            s, col, dist = s[done], col[done], dist[done]
            top = _row_top(s, col, best.k)
            top_s = _take(s, top)
            top_c = _take(col, top)
            filled = np.isfinite(top_s)
            offer = np.where(filled, self.o_pos[np.where(filled, top_c, 0)], _NO_OFFER)
            km = np.where(filled, chord_to_km(np.where(filled, _take(dist, top), 0.0)), 0.0)
            rows = need_rows[done]
            # Only rows where something new can enter (>=: equal scores tie-break by offer).
            new_best = top_s.max(axis=1) if top_s.shape[1] else np.full(rows.size, -np.inf)
            useful = np.isfinite(new_best) & (new_best >= best.s[rows].min(axis=1))
            best.merge(rows[useful], top_s[useful], offer[useful], km[useful], self.w)
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


@dataclass(frozen=True, eq=False)
class _Band:
    """Offers of one class within a factor ``BAND_RATIO`` of quantity and one
    confidence tier; ``group`` numbers the quantity band (tiers share it)."""

    pos: np.ndarray
    tree: cKDTree
    group: int
    lo_t: float
    hi_t: float
    best_confidence: float


def _bands(ctx: _Context, o_pos: np.ndarray) -> list[_Band]:
    from scipy.spatial import cKDTree

    q = np.fmax(ctx.offers.quantity_t[o_pos], 0.0)
    with np.errstate(divide="ignore"):
        qband = np.where(q > 0, np.floor(np.log(q) / np.log(BAND_RATIO)), -(2**20)).astype(np.int64)
    # Confidence tiers too: a sure offer may score twice an unsure one.
    tier = np.searchsorted(CONFIDENCE_TIERS, ctx.offers.confidence[o_pos], side="right")
    out = []
    for g, (qb, part_q) in enumerate(group_positions(qband).items()):
        lo, hi = float(q[part_q].min()), float(q[part_q].max())
        for part in group_positions(tier[part_q]).values():
            pos = o_pos[part_q[part]]
            out.append(_Band(pos, cKDTree(ctx.xyz[ctx.offers.site[pos]]), g, lo, hi, float(ctx.offers.confidence[pos].max())))
    return out


def _band_bounds(ctx: _Context, oc: int, w: float, bands: list[_Band], n_pos: np.ndarray) -> np.ndarray:
    """B(band, need), bands x needs: the score bound at zero distance for any
    offer of the band. The merit part is shared by the tiers of a quantity band."""
    wt, needs = ctx.weights, ctx.needs
    demand = needs.quantity_t[n_pos]
    known = np.isfinite(demand)
    need_part = w * needs.confidence[n_pos] * np.where(needs.inferred[n_pos], wt.inferred_factor, 1.0)
    merits: dict[int, np.ndarray] = {}
    out = np.empty((len(bands), n_pos.size))
    for i, band in enumerate(bands):
        if band.group not in merits:
            moved = np.where(known, np.minimum(band.hi_t, demand), band.hi_t)
            imp = impact_term(ctx.impact_fn, np.full(n_pos.size, oc), moved, np.zeros(n_pos.size), wt,
                              resale=needs.resale[n_pos])
            fit = quantity_fit(np.where(known, np.clip(demand, band.lo_t, band.hi_t), band.hi_t), demand, wt.unknown_fit)
            merits[band.group] = need_part * (wt.impact * imp + wt.fit * fit + wt.base) / (wt.impact + wt.fit + wt.base)
        out[i] = band.best_confidence * merits[band.group]
    return out


def _kth(s: np.ndarray, k: int) -> np.ndarray:
    if s.shape[1] < k:
        return np.full(s.shape[0], -np.inf)
    return -np.partition(-s, k - 1, axis=1)[:, k - 1]


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
    min_score: float = 0.0,
) -> TopMatches:
    """The ``k`` best offers of each need (see module docstring), only those
    scoring at least ``min_score``: a display threshold known in advance (the
    pipeline's calibrated one) prunes the search much further. Offers whose decay counts from their
    nearest receiver (``Offers.nearest_km``) are not searched here: :func:`best_needs_per_offer` does."""
    if np.isfinite(offers.nearest_km).any():
        raise ValueError("the per-need search ranks every offer by its plain distance decay; "
                         "drop Offers.nearest_km or search per offer")
    compat = Compatibility.identity(len(classinfo)) if compat is None else compat
    if len(offers) == 0 or len(needs) == 0 or len(compat) == 0 or k <= 0:
        return TopMatches(Candidates.empty(), np.zeros(0), 0, 0)
    linear = _linear_model(impact_fn, int(max(len(classinfo), offers.cls.max() + 1)))
    if linear is not None and len(linear) <= offers.cls.max():
        raise ValueError(f"the impact model has {len(linear)} materials, offers use class {offers.cls.max()}")
    if linear is not None and min(offers.confidence.min(), needs.confidence.min()) >= 0:
        try:
            from . import nearest_kernel
        except ImportError:  # numba missing: the numpy search below gives the same answer, slower
            nearest_kernel = None
        if nearest_kernel is not None and nearest_kernel.usable(weights):
            return _compiled(nearest_kernel, sites, offers, needs, classinfo, compat, radius_km, k, linear, weights, workers, min_score)
    ctx = _Context(sites.xyz, offers, needs, classinfo, impact_fn, weights, workers)
    offers_by_cls, needs_by_cls = group_positions(offers.cls), group_positions(needs.cls)
    best = _Best(len(needs), k)
    pool = max(pool, k)

    from scipy.spatial import cKDTree

    band_cache: dict[int, list[_Band]] = {}
    class_trees: dict[int, cKDTree] = {}

    def one_need_class(entries) -> tuple[int, int]:
        """All class pairs of one need class: tasks touch disjoint rows of ``best``."""
        local = replace(ctx, pairs_scored=0, queries=0)
        for oc, nc, w in entries:
            o_pos, n_pos = offers_by_cls[oc], needs_by_cls[nc]
            if oc not in band_cache:
                band_cache[oc] = _bands(local, o_pos)
            bands = band_cache[oc]
            radius = pair_radius_km(classinfo, oc, nc, radius_km)
            chord = float(km_to_chord(radius))
            bound = _band_bounds(local, oc, w, bands, n_pos)
            # Phase 1: a lower bound of each need's k-th best score, from its
            # nearest offers of the class.
            kth = np.full(n_pos.size, np.nextafter(min_score, -np.inf) if min_score > 0 else -np.inf)
            seek = np.flatnonzero(bound.max(axis=0) >= kth)
            if seek.size:
                if oc not in class_trees:
                    class_trees[oc] = cKDTree(ctx.xyz[offers.site[o_pos]])
                found = _kth(_Search(local, o_pos, class_trees[oc], w, chord).query(n_pos[seek], pool)[0], k)
                kth[seek] = np.maximum(kth[seek], found)
            # Phase 2: bands from the most to the least promising, each collecting
            # what could still beat the running k-th score.
            for j in np.argsort(-bound.mean(axis=1), kind="stable").tolist():
                b = bands[j]
                kth = np.maximum(kth, best.s[n_pos].min(axis=1))
                with np.errstate(divide="ignore", invalid="ignore"):
                    reach = np.where(kth > 0, weights.decay_km * np.log(bound[j] / kth), radius)
                reach = np.minimum(np.where(np.isnan(reach), -1.0, reach), radius)
                go = reach >= 0
                if go.any():
                    _Search(local, b.pos, b.tree, w, chord).collect(n_pos[go], reach[go] * (1 + 1e-9) + 1e-9, pool, best)
        return local.pairs_scored, local.queries

    tasks: dict[int, list] = {}
    for oc, nc, w in zip(compat.offer_cls.tolist(), compat.need_cls.tolist(), compat.weight.tolist()):
        if oc in offers_by_cls and nc in needs_by_cls and class_pair_allowed(classinfo, oc, nc):
            tasks.setdefault(nc, []).append((oc, nc, w))
    # Largest first so the threads finish together; numpy and the KD-tree
    # release the GIL for the heavy parts.
    order = sorted(tasks, key=lambda nc: -needs_by_cls[nc].size)
    n_threads = os.cpu_count() if workers == -1 else max(1, workers)
    if n_threads > 1 and len(order) > 1:
        with ThreadPoolExecutor(n_threads) as pool_exec:
            counts = list(pool_exec.map(one_need_class, (tasks[nc] for nc in order)))
    else:
        counts = [one_need_class(tasks[nc]) for nc in order]
    ctx.pairs_scored = sum(c[0] for c in counts)
    ctx.queries = sum(c[1] for c in counts)

    cands, score = best.result()
    if min_score > 0:
        keep = np.flatnonzero(score >= min_score)
        cands, score = cands.take(keep), score[keep]
    return TopMatches(cands, score, ctx.pairs_scored, ctx.queries)


def _linear_model(impact_fn, n_classes: int) -> LinearImpact | None:
    """The impact model as coefficients when it is linear in tonnes (the
    default stand-in is); None for any other function. (The compiled search
    also needs confidences >= 0 and the usual signs of the weights, on which
    its bounds rest; otherwise the numpy search runs.)"""
    if impact_fn is None:
        return LinearImpact.tonnes_only(n_classes)
    return impact_fn if isinstance(impact_fn, LinearImpact) else None


def _compiled(kernel, sites, offers, needs, classinfo, compat, radius_km, k, linear, weights, workers, min_score) -> TopMatches:
    (o, n, d, w, score), pairs, opened = kernel.search(sites, offers, needs, classinfo, compat, radius_km, k, linear, weights, workers, min_score)
    cands = Candidates(o, n, d, w)
    if min_score > 0:
        keep = np.flatnonzero(score >= min_score)
        cands, score = cands.take(keep), score[keep]
    return TopMatches(cands, score, pairs, opened)


@dataclass(frozen=True, eq=False)
class TopReceivers:
    """Best needs per offer, ordered by offer (as searched), rank value descending, need index;
    ``cut`` per searched offer: the lowest rank value kept when more needs may qualify than
    were kept (nothing left out ranks above it), -inf when every qualifying need is kept."""

    candidates: Candidates
    value: np.ndarray
    cut: np.ndarray
    pairs_scored: int
    queries: int


def compiled_search_usable(offers: Offers, needs: Needs, weights: ScoreWeights = ScoreWeights()) -> bool:
    """Whether :func:`best_needs_per_offer` can run (numba present, bounds' assumptions hold)."""
    try:
        from . import nearest_kernel
    except ImportError:
        return False
    confidences = [a.min() for a in (offers.confidence, needs.confidence) if a.size]
    return nearest_kernel.usable(weights) and min(confidences, default=0.0) >= 0


def best_needs_per_offer(
    sites: Sites,
    offers: Offers,
    needs: Needs,
    classinfo: ClassInfo,
    compat: Compatibility | None = None,
    radius_km: float = 200.0,
    k: int = 5,
    impact_fn: LinearImpact | None = None,
    weights: ScoreWeights = ScoreWeights(),
    workers: int = -1,
    threshold: float = 0.0,
    rows: np.ndarray | None = None,
    by_plausibility: bool = False,
    apart: tuple[np.ndarray, np.ndarray] | None = None,
    reach_km: np.ndarray | None = None,
) -> TopReceivers:
    """The ``k`` best needs of each offer (of ``rows``, default all) whose plausibility (compat
    weight x confidences x inferred factor x distance decay) reaches ``threshold``, ranked by
    score (or by plausibility), ties by need index: compiled best-first search over trees of
    needs, the symmetric of :func:`best_offers_per_need`; memory grows with the flows and
    ``k``, never with the pairs in reach. ``impact_fn`` must be linear (None: tonnes only).
    ``apart``: (per offer, per need) flags; a flagged offer and a flagged need make no pair (a rule
    of the caller's, such as the resale filter of :func:`.pipeline.resale_filter`, applied in the
    search so that the ``k`` kept are pairs the caller can use). ``reach_km``: per offer, the distance
    beyond which the caller drops every pair of it (inf: none; the break-even distance of
    :func:`.pipeline.gain_reach_km`), likewise left out by the search."""
    compat = Compatibility.identity(len(classinfo)) if compat is None else compat
    rows = np.arange(len(offers)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(offers) == 0 or len(needs) == 0 or len(compat) == 0 or k <= 0 or rows.size == 0:
        return TopReceivers(Candidates.empty(), np.zeros(0), np.full(rows.size, -np.inf), 0, 0)
    if not compiled_search_usable(offers, needs, weights):
        raise RuntimeError("the compiled search needs numba, non-negative confidences and the usual weight signs")
    from . import nearest_kernel

    linear = _linear_model(impact_fn, int(max(len(classinfo), offers.cls.max() + 1)))
    if linear is None:
        raise TypeError("best_needs_per_offer needs an impact model linear in tonnes (a LinearImpact)")
    if len(linear) <= offers.cls.max():
        raise ValueError(f"the impact model has {len(linear)} materials, offers use class {offers.cls.max()}")
    near = offers.nearest_km[rows]
    relative = np.isfinite(near)
    if not relative.any():
        (o, n, d, w, value), cut, pairs, opened = nearest_kernel.search_needs(
            sites, offers, needs, classinfo, compat, radius_km, k, linear, weights, workers, threshold, rows,
            by_plausibility, apart, reach_km)
        return TopReceivers(Candidates(o, n, d, w), value, cut, pairs, opened)
    # A hazardous offer's decay counts from its nearest receiver (scoring.decay_distance): each of its rank
    # values is the plain one times exp(nearest / decay_km), one factor per offer, so its order is the plain
    # search's; searched with the threshold lowered by the largest factor, its values and cut scaled back.
    # (max(d - near, 0) equals d - near on every pair: no receiver is nearer than the nearest.)
    factor = np.exp(near[relative] / weights.decay_km)
    found, cut, pairs, opened = [], np.full(rows.size, -np.inf), 0, 0
    for mask, scale, limit in ((~relative, None, threshold), (relative, factor, threshold / float(factor.max()))):
        if not mask.any():
            continue
        (o, n, d, w, value), part_cut, p, q = nearest_kernel.search_needs(
            sites, offers, needs, classinfo, compat, radius_km, k, linear, weights, workers, limit, rows[mask],
            by_plausibility, apart, reach_km)
        if scale is not None:
            per_offer = np.ones(len(offers))
            per_offer[rows[mask]] = scale
            value = value * per_offer[o]
            part_cut = part_cut * scale
        found.append((o, n, d, w, value))
        cut[mask] = part_cut
        pairs, opened = pairs + p, opened + q
    o, n, d, w, value = (np.concatenate(a) for a in zip(*found))
    pos = np.empty(len(offers), dtype=np.int64)
    pos[rows] = np.arange(rows.size)
    order = np.argsort(pos[o], kind="stable")  # by offer as searched, each offer's needs in rank order
    return TopReceivers(Candidates(o[order], n[order], d[order], w[order]), value[order], cut, pairs, opened)
