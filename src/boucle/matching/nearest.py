"""Exact top-k offers per need without scoring every pair in the radius.

At a million flows a 200 km radius holds hundreds of millions of pairs, far
too many to score. But the score never exceeds
``compat_weight x max offer confidence x need confidence x inferred_factor x
exp(-d / decay_km)`` (every other factor is <= 1, see :mod:`.scoring`), and
that bound only falls with distance. So for each need we score its ``pool``
nearest offers of each compatible class (one KD-tree query for all needs of a
class); a need whose k-th best score already beats the bound at its farthest
scored offer is provably done, the others are queried again with four times
the pool, until done or the radius is exhausted. The result is exactly the
top-k of :func:`engine.find_candidates` + :func:`score_candidates`, ties
included (broken by offer index), which a test checks.
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
    top_k_per,
)
from .scoring import ScoreWeights, score_terms, score_upper_bound
from .spatial import chord_to_km, km_to_chord


@dataclass(frozen=True, eq=False)
class TopMatches:
    """Best offers per need, ordered by need then score descending."""

    candidates: Candidates
    score: np.ndarray
    pairs_scored: int  # pairs whose score was computed (the work done)
    requeried_needs: int  # (need, class pair) searches that needed a wider pool


def _query(tree: cKDTree, points: np.ndarray, k: int, chord: float, workers: int):
    dist, idx = tree.query(points, k=k, distance_upper_bound=chord, workers=workers)
    return dist.reshape(points.shape[0], k), idx.reshape(points.shape[0], k)


def best_offers_per_need(
    sites: Sites,
    offers: Offers,
    needs: Needs,
    classinfo: ClassInfo,
    compat: Compatibility | None = None,
    radius_km: float = 200.0,
    k: int = 10,
    pool: int = 32,
    impact_fn=None,
    weights: ScoreWeights = ScoreWeights(),
    workers: int = -1,
) -> TopMatches:
    compat = Compatibility.identity(len(classinfo)) if compat is None else compat
    empty = TopMatches(Candidates.empty(), np.zeros(0), 0, 0)
    if len(offers) == 0 or len(needs) == 0 or len(compat) == 0 or k <= 0:
        return empty
    xyz = sites.xyz
    offers_by_cls, needs_by_cls = group_positions(offers.cls), group_positions(needs.cls)
    trees: dict[int, cKDTree] = {}
    kept: list[tuple[np.ndarray, ...]] = []
    pairs_scored = requeried = 0

    for oc, nc, w in zip(compat.offer_cls.tolist(), compat.need_cls.tolist(), compat.weight.tolist()):
        o_pos, n_pos = offers_by_cls.get(oc), needs_by_cls.get(nc)
        if o_pos is None or n_pos is None or not class_pair_allowed(classinfo, oc, nc):
            continue
        if oc not in trees:
            trees[oc] = cKDTree(xyz[offers.site[o_pos]])
        tree, n_off = trees[oc], o_pos.size
        chord = float(km_to_chord(pair_radius_km(classinfo, oc, nc, radius_km)))
        best_conf = float(offers.confidence[o_pos].max())
        left, size = n_pos, max(pool, k)
        while left.size:
            size = min(size, n_off)
            dist, col = _query(tree, xyz[needs.site[left]], size, chord, workers)
            found = col < n_off
            rows, cols = np.nonzero(found)
            oi, ni = o_pos[col[rows, cols]], left[rows]
            ok = flow_rules_mask(offers, needs, classinfo, oi, ni)
            rows, cols, oi, ni = rows[ok], cols[ok], oi[ok], ni[ok]
            d_km = chord_to_km(dist[rows, cols])
            score = score_terms(oi, ni, d_km, np.full(oi.size, w), offers, needs, impact_fn, weights)["score"]
            pairs_scored += oi.size

            matrix = np.full(dist.shape, -np.inf)
            matrix[rows, cols] = score
            kth = -np.partition(-matrix, k - 1, axis=1)[:, k - 1] if size >= k else np.full(left.size, -np.inf)
            last = dist[:, -1]
            exhausted = (size == n_off) | ~np.isfinite(last)
            bound = score_upper_bound(best_conf, needs.confidence[left], needs.inferred[left], w, chord_to_km(np.where(np.isfinite(last), last, 0.0)), weights)
            done = exhausted | (kth > bound)

            take = done[rows]
            sel = top_k_per(ni[take], score[take], k, tie=oi[take])
            kept.append((oi[take][sel], ni[take][sel], d_km[take][sel], score[take][sel], np.full(sel.size, w)))
            left = left[~done]
            requeried += left.size
            size *= 4

    if not kept:
        return empty
    oi, ni, d_km, score, wt = (np.concatenate(part) for part in zip(*kept))
    sel = top_k_per(ni, score, k, tie=oi)
    return TopMatches(Candidates(oi[sel], ni[sel], d_km[sel], wt[sel]), score[sel], pairs_scored, requeried)
