"""Compiled exact top-k search of :mod:`.nearest`, for impact models linear in tonnes.

Why a compiled kernel: at a million flows the answer needs some 25 to 100
pairs per need looked at, and in numpy each pair costs a dozen array passes, KD-tree
result matrices and row sorts (about 1 µs per pair all included); a loop
compiled by numba scores a pair in a few tens of nanoseconds and prunes per
tree node, per need, with a bound that is exact for that need.

The search is a best-first branch and bound. Offers of each class form one
binary tree (:func:`_build_forest`) whose nodes are split at the median of
place, ln quantity or ln confidence, whichever makes the score bound vary most
across the node. A node knows its box, its quantity range and its best
confidence, hence an upper bound of the score of any of its offers for a given
need (:func:`_node_bound`: the merit at the node's best quantity and at its
nearest possible distance, times the decay at that distance). Per need, a heap
holds the roots of the trees of every compatible offer class; the node with
the highest bound is opened (children pushed, or a leaf's offers scored) until
that bound falls below the running k-th best score: every offer left can then
only score less, so the top k is exact. Best first, no node is opened whose
bound is below the final k-th score. Equal scores are broken by offer index.

Scores are computed with the operations of :func:`.scoring.score_terms` in the
same order, so they equal the numpy path's but for the last bits of ``exp``
and ``arcsin`` (tests compare both paths with a full enumeration; the
benchmark compares with a pairwise baseline). Bounds may be looser than exact
(fast ``exp``, reciprocals) but are always rounded up (``BOUND_SLACK``).

Needs are spread over threads in chunks (the kernel releases the GIL), sorted
by class then Z-order so that a chunk keeps the same tree nodes in cache.
Compiled functions are cached on disk (``cache=True``): the first run on a
machine compiles for some seconds, later processes load the machine code.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from .engine import HEAT_PUMP_MAX_NEED_C, class_pair_allowed, pair_radius_km
from .scoring import LinearImpact, ScoreWeights
from .spatial import EARTH_RADIUS_KM, km_to_chord

LEAF_SIZE = 12
# How much a factor e in quantity moves the score bound, against a factor e of
# decay (decay_km of distance): the merit depends on the quantity through the
# fit and the saturated impact, and is damped by the base term.
QUANTITY_SPLIT_WEIGHT = 0.5
CONFIDENCE_SPLIT_WEIGHT = 1.0
BOUND_SLACK = 1.0 + 1e-9  # bounds are rounded up so float error never prunes a winner
_TWO_R = 2.0 * EARTH_RADIUS_KM
_HALF_POWERS = np.ldexp(1.0, -np.arange(1100))  # 2^-n; 0 beyond float range


# What the kernels read of a need's hazard rules (engine.flow_rules_mask), as bits of one small integer: it may
# receive hazardous waste; only a hazardous offer may meet it (hazardous_intake.csv). The rule that a hazardous
# offer meets a stand-in need only with its own class (``Needs.hazardous_same_class``) is left to the rescoring of
# the found pairs, as the pipeline applies every rule of flow_rules_mask to them.
HAZ_ACCEPTS = 1
HAZ_ONLY = 2


def hazard_codes(needs) -> np.ndarray:
    return (needs.accepts_hazardous.astype(np.int8) * HAZ_ACCEPTS
            | needs.hazardous_only.astype(np.int8) * HAZ_ONLY).astype(np.int8)


@njit(cache=True, nogil=True)
def _morton(xyz, bits):
    """Z-order code of 3-D points (``bits`` per axis): near codes, near points."""
    n = xyz.shape[0]
    lo = np.empty(3)
    span = 0.0
    for d in range(3):
        lo[d] = xyz[:, d].min()
        span = max(span, xyz[:, d].max() - lo[d])
    if span == 0.0:
        span = 1.0
    scale = ((1 << bits) - 1) / span
    code = np.zeros(n, dtype=np.int64)
    for i in range(n):
        c = 0
        for d in range(3):
            v = int((xyz[i, d] - lo[d]) * scale)
            for b in range(bits):
                c |= ((v >> b) & 1) << (3 * b + d)
        code[i] = c
    return code


@njit(cache=True, nogil=True)
def _select(perm, a, b, nth, keys, dim):
    """Reorder ``perm[a:b]`` so that ``perm[nth]`` has the rank it would have
    sorted by ``keys[:, dim]`` (smaller before, larger after): quickselect."""
    lo, hi = a, b - 1
    while hi > lo:
        mid = (lo + hi) // 2
        # median of three as pivot
        x, y, z = keys[perm[lo], dim], keys[perm[mid], dim], keys[perm[hi], dim]
        pivot = max(min(x, y), min(max(x, y), z))
        i, j = lo, hi
        while i <= j:
            while keys[perm[i], dim] < pivot:
                i += 1
            while keys[perm[j], dim] > pivot:
                j -= 1
            if i <= j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
        if nth <= j:
            hi = j
        elif nth >= i:
            lo = i
        else:
            break


@njit(cache=True, nogil=True)
def _build_forest(keys, q, conf, seg_start, seg_end, leaf, weights, perm):
    """One tree per segment ``perm[seg_start[g]:seg_end[g]]`` (the offers of a
    class) over ``keys`` = (x, y, z, ln q, ln confidence): each node is split
    at the median of the key along which the score bound varies most across
    the node: space (box extent over the decay length), quantity or
    confidence (their log-range, scaled by ``weights``). ``perm`` is reordered
    in place so that each node covers a slice of it. Returns one row per node
    of (box low xyz, box high xyz, lowest and highest quantity, best
    confidence) and of (first, end offer position, first child or -1), and
    the root of each segment."""
    n_groups = seg_start.size
    cap = 0
    for g in range(n_groups):
        cap += 2 * (seg_end[g] - seg_start[g])
    nd = np.empty((cap, 9))
    ni = np.full((cap, 3), -1, dtype=np.int64)
    root = np.full(n_groups, -1, dtype=np.int64)
    stack = np.empty(cap, dtype=np.int64)
    kmin = np.empty(5)
    kmax = np.empty(5)
    nn = 0
    for g in range(n_groups):
        if seg_end[g] == seg_start[g]:
            continue
        root[g] = nn
        ni[nn, 0] = seg_start[g]
        ni[nn, 1] = seg_end[g]
        stack[0] = nn
        nn += 1
        top = 1
        while top > 0:
            top -= 1
            j = stack[top]
            a, b = ni[j, 0], ni[j, 1]
            kmin[:] = np.inf
            kmax[:] = -np.inf
            qlo, qhi, cmax = np.inf, -np.inf, -np.inf
            for t in range(a, b):
                p = perm[t]
                for d in range(5):
                    kmin[d] = min(kmin[d], keys[p, d])
                    kmax[d] = max(kmax[d], keys[p, d])
                qlo = min(qlo, q[p])
                qhi = max(qhi, q[p])
                cmax = max(cmax, conf[p])
            for d in range(3):
                nd[j, d] = kmin[d]
                nd[j, 3 + d] = kmax[d]
            nd[j, 6] = qlo
            nd[j, 7] = qhi
            nd[j, 8] = cmax
            if b - a <= leaf:
                continue
            best, dim = -1.0, 0
            for d in range(5):
                spread = (kmax[d] - kmin[d]) * weights[d]
                if spread > best:
                    best, dim = spread, d
            mid = (a + b) // 2
            _select(perm, a, b, mid, keys, dim)
            ni[j, 2] = nn  # children are nn and nn + 1
            ni[nn, 0] = a
            ni[nn, 1] = mid
            ni[nn + 1, 0] = mid
            ni[nn + 1, 1] = b
            stack[top] = nn
            stack[top + 1] = nn + 1
            top += 2
            nn += 2
    return nd[:nn], ni[:nn], root


@njit(cache=True, nogil=True)
def _compact(out_s, out_o, out_d, out_w, out_n):
    """The filled slots of the (needs x k) matrices, as flat arrays by need."""
    total = 0
    for i in range(out_n.size):
        total += out_n[i]
    need = np.empty(total, dtype=np.int64)
    offer = np.empty(total, dtype=np.int64)
    score = np.empty(total)
    km = np.empty(total)
    w = np.empty(total)
    t = 0
    for i in range(out_n.size):
        for j in range(out_n[i]):
            need[t] = i
            offer[t] = out_o[i, j]
            score[t] = out_s[i, j]
            km[t] = out_d[i, j]
            w[t] = out_w[i, j]
            t += 1
    return offer, need, km, w, score


@njit(cache=True, nogil=True, inline="always")
def _saturate(x, scale):
    if x > 0.0:  # fmax(x, 0): NaN counts 0 (and skips two divisions)
        y = x / scale
        return y / (1.0 + y)
    return 0.0


@njit(cache=True, nogil=True, inline="always")
def _saturate_times(x, inv_scale):
    if x > 0.0:
        y = x * inv_scale
        return y / (1.0 + y)
    return 0.0


@njit(cache=True, nogil=True, inline="always")
def _impact(tonnes, km, ga, gb, dv, ea, eb, wt):
    """``scoring.impact_term`` of a linear model, same operations and order."""
    co2 = tonnes * (ga - km * gb) / 1000.0
    term = wt[3] * _saturate(co2, wt[6]) + wt[4] * _saturate(tonnes * dv, wt[7]) + wt[5] * _saturate(tonnes * (ea - km * eb), wt[8])
    return term / (wt[3] + wt[4] + wt[5])


@njit(cache=True, nogil=True, inline="always")
def _fit(supply, demand, known, wt):
    """``scoring.quantity_fit`` of a supply (>= 0) for a demand (``known``: finite)."""
    if known and supply > 0.0:
        return min(supply, demand) / max(supply, demand)
    if supply > 0.0:
        return wt[10]
    return 0.0


@njit(cache=True, nogil=True, inline="always")
def _merit(fit, tonnes, km, ga, gb, dv, ea, eb, wt):
    """The merit factor of ``scoring.score_terms``, same operations and order (the score is the
    plausibility times it)."""
    imp = _impact(tonnes, km, ga, gb, dv, ea, eb, wt)
    return (wt[0] * imp + wt[1] * fit + wt[2]) / (wt[0] + wt[1] + wt[2])


@njit(cache=True, nogil=True, inline="always")
def _keep_best(out_v, out_i, out_d, out_w, row, cnt, k, v, idx, km, w):
    """Insert (``v``, ``idx``, ``km``, ``w``) into row ``row`` of a running top ``k`` holding ``cnt``
    entries, ordered by value descending then index ascending; returns the new count (the same
    when the entry does not enter)."""
    if cnt == k and (v < out_v[row, k - 1] or (v == out_v[row, k - 1] and idx > out_i[row, k - 1])):
        return cnt
    j = cnt if cnt < k else k - 1
    while j > 0 and (out_v[row, j - 1] < v or (out_v[row, j - 1] == v and out_i[row, j - 1] > idx)):
        out_v[row, j] = out_v[row, j - 1]
        out_i[row, j] = out_i[row, j - 1]
        out_d[row, j] = out_d[row, j - 1]
        out_w[row, j] = out_w[row, j - 1]
        j -= 1
    out_v[row, j] = v
    out_i[row, j] = idx
    out_d[row, j] = km
    out_w[row, j] = w
    return cnt + 1 if cnt < k else k


@njit(cache=True, nogil=True, inline="always")
def _upper_impact(t_lo, t_hi, km, r_km, ga, gb, dv, ea, eb, wt):
    """Largest impact term for tonnes in [t_lo, t_hi] and distance in [km, r_km]:
    each figure is linear in tonnes (extreme at an end) and in distance."""
    d_co2 = km if gb >= 0.0 else r_km
    d_eur = km if eb >= 0.0 else r_km
    co2 = max(t_hi * (ga - d_co2 * gb), t_lo * (ga - d_co2 * gb)) / 1000.0
    div = max(t_hi * dv, t_lo * dv)
    eur = max(t_hi * (ea - d_eur * eb), t_lo * (ea - d_eur * eb))
    # Reciprocals (wt[12:]) instead of divisions: a bound needs no last-bit agreement.
    term = wt[3] * _saturate_times(co2, wt[12]) + wt[4] * _saturate_times(div, wt[13]) + wt[5] * _saturate_times(eur, wt[14])
    return term * wt[16]


@njit(cache=True, nogil=True, inline="always")
def _exp_upper(x):
    """exp(-x) for x >= 0, from above, in a few multiplications (libm's exp
    is the largest cost of a node bound): 2^-n times the Taylor series of
    e^-t, t < ln 2, cut after a positive term, which overestimates (by less
    than 3e-5; rounding, ~1e-14 either way, is covered by BOUND_SLACK)."""
    y = x * 1.4426950408889634
    n = math.floor(y)
    t = (y - n) * 0.6931471805599453
    p = 1.0 + t * (-1.0 + t * (0.5 + t * (-1.0 / 6.0 + t * (1.0 / 24.0 + t * (-1.0 / 120.0 + t * (1.0 / 720.0))))))
    return p * _HALF_POWERS[min(int(n), _HALF_POWERS.size - 1)]  # math.ldexp is an out-of-line call


@njit(cache=True, nogil=True, inline="always")
def _node_bound(node, px, py, pz, demand, need_part, w, r_chord, r_km, ga, gb, dv, ea, eb, nd, wt):
    """Upper bound of the score of any offer of ``node`` for this need; -inf
    when the node's box is out of reach."""
    chord = _box_chord(node, px, py, pz, nd)
    if chord > r_chord:
        return -np.inf
    km = EARTH_RADIUS_KM * chord  # an arc is longer than its chord: a lower bound, without asin
    a, b = nd[node, 6], nd[node, 7]
    known = math.isfinite(demand)
    if known:
        imp = _upper_impact(min(a, demand), min(b, demand), km, r_km, ga, gb, dv, ea, eb, wt)
        s = min(max(demand, a), b)  # the supply closest to the demand fits best
        fit = max(min(s, demand) / max(s, demand), 0.0) if s > 0.0 else 0.0
    else:
        imp = _upper_impact(a, b, km, r_km, ga, gb, dv, ea, eb, wt)
        fit = wt[10] if b > 0.0 else 0.0
    merit = (wt[0] * max(imp, 0.0) + wt[1] * fit + wt[2]) * wt[17]
    return w * nd[node, 8] * need_part * _exp_upper(km * wt[15]) * merit * BOUND_SLACK


@njit(cache=True, nogil=True, inline="always")
def _box_chord(node, px, py, pz, nd):
    """Chord from a point to the nearest point of a node's box (0 inside)."""
    dx = max(nd[node, 0] - px, 0.0, px - nd[node, 3])
    dy = max(nd[node, 1] - py, 0.0, py - nd[node, 4])
    dz = max(nd[node, 2] - pz, 0.0, pz - nd[node, 5])
    return math.sqrt(dx * dx + dy * dy + dz * dz)


@njit(cache=True, nogil=True, inline="always")
def _heap_pop(hb, hn, he, size):
    """Drop the top of the max-heap held in ``hb, hn, he`` (read it first); returns the new size."""
    size -= 1
    lb, ln, le = hb[size], hn[size], he[size]
    j = 0
    while True:
        ch = 2 * j + 1
        if ch >= size:
            break
        if ch + 1 < size and hb[ch + 1] > hb[ch]:
            ch += 1
        if hb[ch] <= lb:
            break
        hb[j], hn[j], he[j] = hb[ch], hn[ch], he[ch]
        j = ch
    if size > 0:
        hb[j], hn[j], he[j] = lb, ln, le
    return size


@njit(cache=True, nogil=True, inline="always")
def _heap_push(hb, hn, he, size, bound, node, entry):
    """Push (bound, node, entry) on the max-heap on the bound held in ``hb, hn, he``; returns the new size."""
    j = size
    while j > 0:
        p = (j - 1) >> 1
        if hb[p] >= bound:
            break
        hb[j], hn[j], he[j] = hb[p], hn[p], he[p]
        j = p
    hb[j], hn[j], he[j] = bound, node, entry
    return size + 1


@njit(cache=True, nogil=True)
def _search(
    r0, r1, need_idx, n_xyz, n_site, n_cls, n_q, n_conf, n_inferred, n_temp, n_acc_haz, n_resale, n_disposal,
    o_xyz, o_idx, o_site, o_q, o_conf, o_haz, o_temp,
    nd, ni,
    e_ptr, e_oc, e_w, e_rkm, e_rchord, e_heat, r_ptr, roots,
    ga_plain_c, gb_c, dv_c, ea_plain_c, eb_c, ea_resale_c, ga_disposal_c, ea_disposal_c, wt, k, threshold, heap_cap,
    out_s, out_o, out_d, out_w, out_n,
):
    """Top ``k`` offers of needs ``r0:r1`` of the ``n_*`` arrays (needs in
    processing order, so that they are read in sequence), written into the
    ``out_*`` rows ``need_idx[r]``. Returns (pairs scored, nodes opened)."""
    hb = np.empty(heap_cap)
    hn = np.empty(heap_cap, dtype=np.int64)
    he = np.empty(heap_cap, dtype=np.int64)
    pairs = 0
    opened = 0
    for r in range(r0, r1):
        i = need_idx[r]
        si = n_site[r]
        px, py, pz = n_xyz[r, 0], n_xyz[r, 1], n_xyz[r, 2]
        demand = n_q[r]
        known = math.isfinite(demand)
        conf_n = n_conf[r]
        infl = wt[11] if n_inferred[r] else 1.0
        need_part = conf_n * infl
        temp_n = n_temp[r]
        acc_haz = n_acc_haz[r]
        # a waste operator resells what it receives: the euros of its pairs count no virgin purchase
        ea_c = ea_resale_c if n_resale[r] else ea_plain_c
        ga_c = ga_plain_c
        if n_disposal[r]:  # a treatment and disposal operator: a material's CO2e and euros unknown
            ga_c, ea_c = ga_disposal_c, ea_disposal_c
        cnt = 0
        kth = threshold
        size = 0
        c = n_cls[r]
        for e in range(e_ptr[c], e_ptr[c + 1]):
            oc = e_oc[e]
            for rr in range(r_ptr[e], r_ptr[e + 1]):
                node = roots[rr]
                b = _node_bound(node, px, py, pz, demand, need_part, e_w[e], e_rchord[e], e_rkm[e],
                                ga_c[oc], gb_c[oc], dv_c[oc], ea_c[oc], eb_c[oc], nd, wt)
                if b >= kth:
                    size = _heap_push(hb, hn, he, size, b, node, e)
        while size > 0:
            b, node, e = hb[0], hn[0], he[0]
            if b < kth:
                break
            size = _heap_pop(hb, hn, he, size)
            opened += 1
            oc = e_oc[e]
            w = e_w[e]
            ga, gb, dv, ea, eb = ga_c[oc], gb_c[oc], dv_c[oc], ea_c[oc], eb_c[oc]
            first_child = ni[node, 2]
            if first_child >= 0:
                for child in (first_child, first_child + 1):
                    cb = _node_bound(child, px, py, pz, demand, need_part, w, e_rchord[e], e_rkm[e],
                                     ga, gb, dv, ea, eb, nd, wt)
                    if cb >= kth:
                        size = _heap_push(hb, hn, he, size, cb, child, e)
                continue
            # Offers farther than ``reach`` cannot reach kth: the bound b holds
            # at the box's nearest point and decays from there.
            box = _box_chord(node, px, py, pz, nd)
            reach2 = e_rchord[e] * e_rchord[e]
            if kth > 0.0:
                reach = box + wt[9] * math.log(b / kth) / EARTH_RADIUS_KM
                reach2 = min(reach2, reach * reach * BOUND_SLACK)
            # The leaf's impact bound, for each offer's own bound below.
            a, bq = nd[node, 6], nd[node, 7]
            if known:
                imp_leaf = _upper_impact(min(a, demand), min(bq, demand), EARTH_RADIUS_KM * box, e_rkm[e], ga, gb, dv, ea, eb, wt)
            else:
                imp_leaf = _upper_impact(a, bq, EARTH_RADIUS_KM * box, e_rkm[e], ga, gb, dv, ea, eb, wt)
            imp_leaf = max(imp_leaf, 0.0)
            heat = e_heat[e]
            for p in range(ni[node, 0], ni[node, 1]):
                dx = o_xyz[p, 0] - px
                dy = o_xyz[p, 1] - py
                dz = o_xyz[p, 2] - pz
                chord2 = dx * dx + dy * dy + dz * dz
                if chord2 > reach2:  # the most selective test first
                    continue
                if o_site[p] == si:
                    continue
                if o_haz[p]:
                    if not acc_haz & HAZ_ACCEPTS:
                        continue
                elif acc_haz & HAZ_ONLY:
                    continue  # engine.flow_rules_mask: a need that only a hazardous offer meets
                if heat and math.isfinite(o_temp[p]) and math.isfinite(temp_n) and o_temp[p] < temp_n and temp_n > HEAT_PUMP_MAX_NEED_C:
                    continue
                chord = math.sqrt(chord2)
                if chord > e_rchord[e]:
                    continue
                supply = o_q[p] if o_q[p] > 0.0 else 0.0
                fit = _fit(supply, demand, known, wt)
                if kth > 0.0:
                    # This offer's own bound (its confidence and fit, the leaf's
                    # impact, the decay at the chord) is cheaper than its score.
                    ub = w * o_conf[p] * need_part * (wt[0] * imp_leaf + wt[1] * max(fit, 0.0) + wt[2]) * wt[17]
                    if ub * _exp_upper(EARTH_RADIUS_KM * chord * wt[15]) * BOUND_SLACK < kth:
                        continue
                pairs += 1
                km = _TWO_R * math.asin(min(chord, 2.0) / 2.0)
                # scoring.score_terms, same operations in the same order
                merit = _merit(fit, min(supply, demand) if known else supply, km, ga, gb, dv, ea, eb, wt)
                score = w * (o_conf[p] * conf_n) * infl * math.exp(-km / wt[9]) * merit
                cnt = _keep_best(out_s, out_o, out_d, out_w, i, cnt, k, score, o_idx[p], km, w)
                if cnt == k:
                    kth = max(threshold, out_s[i, k - 1])
        out_n[i] = cnt
    return pairs, opened


def _weights_vector(wt: ScoreWeights) -> np.ndarray:
    return np.array([
        wt.impact, wt.fit, wt.base, wt.impact_co2e, wt.impact_tonnes, wt.impact_eur,
        wt.co2e_scale_t, wt.tonnes_scale_t, wt.eur_scale, wt.decay_km, wt.unknown_fit, wt.inferred_factor,
        # reciprocals for the bounds
        1 / wt.co2e_scale_t, 1 / wt.tonnes_scale_t, 1 / wt.eur_scale, 1 / wt.decay_km,
        1 / (wt.impact_co2e + wt.impact_tonnes + wt.impact_eur), 1 / (wt.impact + wt.fit + wt.base),
    ], dtype=np.float64)


def usable(weights: ScoreWeights) -> bool:
    """The bounds assume non-negative weights, positive scales and decay."""
    w = weights
    shares = (w.impact, w.fit, w.base, w.impact_co2e, w.impact_tonnes, w.impact_eur, w.unknown_fit, w.inferred_factor)
    scales = (w.co2e_scale_t, w.tonnes_scale_t, w.eur_scale, w.decay_km,
              w.impact_co2e + w.impact_tonnes + w.impact_eur, w.impact + w.fit + w.base)
    return all(x >= 0 for x in shares) and all(x > 0 for x in scales)


def _small_ints(values: np.ndarray, n: int) -> np.ndarray:
    """As int16 when it fits: numpy sorts those by radix, in linear time."""
    return values.astype(np.int16) if n < 2**15 else values


def _in_threads(n_threads: int, fn, parts: list) -> list:
    if n_threads > 1 and len(parts) > 1:
        with ThreadPoolExecutor(n_threads) as ex:
            return list(ex.map(fn, parts))
    return [fn(p) for p in parts]


def _forest(xyz, site, cls, q, conf, q_key, n_cls: int, weights: ScoreWeights, n_threads: int, leaf: int = LEAF_SIZE,
            quantity_weight: float = QUANTITY_SPLIT_WEIGHT):
    """Trees of the flows of every class (built in ``n_threads`` threads) over place, ``q_key``
    (ln quantity) and ln ``conf``; returns the node rows (quantity range from ``q``), the flow
    order they refer to, and per class its root (-1: no flow) and node count."""
    counts = np.bincount(cls, minlength=n_cls)
    order = np.argsort(_small_ints(cls, n_cls), kind="stable")
    ends = np.cumsum(counts)
    starts = ends - counts
    with np.errstate(divide="ignore"):
        keys = np.column_stack((xyz[site[order]], q_key[order], np.log(np.fmax(conf[order], 1e-300))))
    split_weights = np.array([EARTH_RADIUS_KM / weights.decay_km] * 3 + [quantity_weight, CONFIDENCE_SPLIT_WEIGHT])
    perm = np.arange(order.size)
    q, conf = np.ascontiguousarray(q[order]), np.ascontiguousarray(conf[order])
    # Classes dealt to threads by decreasing size, so each gets a similar share.
    by_size = np.argsort(-counts, kind="stable")
    shares = [np.sort(by_size[t::n_threads]) for t in range(n_threads)]

    def build(classes):
        return classes, _build_forest(keys, q, conf, starts[classes], ends[classes], leaf, split_weights, perm)

    nds, nis = [], []
    root = np.full(n_cls, -1, dtype=np.int64)
    n_nodes = np.zeros(n_cls, dtype=np.int64)
    offset = 0
    for classes, (nd, ni, r) in _in_threads(n_threads, build, shares):
        ni[:, 2] = np.where(ni[:, 2] >= 0, ni[:, 2] + offset, -1)
        has = r >= 0
        root[classes[has]] = r[has] + offset
        n_nodes[classes[has]] = np.diff(np.append(r[has], nd.shape[0]))
        nds.append(nd)
        nis.append(ni)
        offset += nd.shape[0]
    return np.concatenate(nds), np.concatenate(nis), order[perm], root, n_nodes


def _class_pairs(compat, classinfo, radius_km: float, n_cls: int, root, n_nodes, searched, per_need: bool):
    """The compatible class pairs as CSR arrays by the class of the flows searched (needs when
    ``per_need``, else offers; ``searched``: the classes that have some): per entry the class of
    the trees searched (``root``: its tree, -1 none), the compat weight, the radius in km and as a
    chord, whether heat rules apply, the root; and the largest heap one search may need."""
    entries: list[list[tuple]] = [[] for _ in range(n_cls)]
    for oc, nc, w in zip(compat.offer_cls.tolist(), compat.need_cls.tolist(), compat.weight.tolist()):
        own, other = (nc, oc) if per_need else (oc, nc)
        if root[other] >= 0 and searched[own] and class_pair_allowed(classinfo, oc, nc):
            r = pair_radius_km(classinfo, oc, nc, radius_km)
            heat = bool(classinfo.is_heat[oc] or classinfo.is_heat[nc])
            entries[own].append((other, w, r, float(km_to_chord(r)), heat))
    flat = [e for per in entries for e in per]
    e_ptr = np.zeros(n_cls + 1, dtype=np.int64)
    e_ptr[1:] = np.cumsum([len(per) for per in entries])
    e_cls = np.array([e[0] for e in flat], dtype=np.int64)
    columns = [np.array([e[j] for e in flat], dtype=dtype) for j, dtype in ((1, np.float64), (2, np.float64),
                                                                             (3, np.float64), (4, np.bool_))]
    roots = root[e_cls] if flat else np.zeros(0, dtype=np.int64)
    heap_cap = max([int(n_nodes[[e[0] for e in per]].sum()) for per in entries if per] + [1])
    return (e_ptr, e_cls, *columns, roots, heap_cap)


def _coefficients(linear: LinearImpact, n_cls: int) -> list[np.ndarray]:
    """The linear impact model's coefficients per class (nan for classes it lacks: never read): the five of
    a pair, then the euros per unit of a pair to a waste operator (``LinearImpact.eur_resale_per_unit``), then the
    CO2e and euros per unit of a pair to a treatment and disposal operator (``LinearImpact``'s disposal ones)."""
    coef = [np.full(n_cls, np.nan) for _ in range(8)]
    m = min(len(linear), n_cls)
    for arr, src in zip(coef, (linear.co2e_kg_per_unit, linear.co2e_kg_per_unit_km, linear.diverted_t_per_unit,
                               linear.eur_per_unit, linear.eur_per_unit_km, linear.eur_resale_per_unit,
                               linear.co2e_disposal_kg_per_unit, linear.eur_disposal_per_unit)):
        arr[:m] = src[:m]
    return coef


def search(sites, offers, needs, classinfo, compat, radius_km: float, k: int, linear: LinearImpact,
           weights: ScoreWeights, workers: int, min_score: float):
    """Run the compiled search; returns the top-k as flat arrays (offer, need,
    km, compat weight, score; by need, score descending, offer index), the
    pairs scored and the nodes opened."""
    xyz = np.ascontiguousarray(sites.xyz)
    n_needs = len(needs)
    n_cls = int(max(len(classinfo), offers.cls.max() + 1, needs.cls.max() + 1))
    n_threads = (os.cpu_count() or 1) if workers == -1 else max(1, workers)
    supply = np.fmax(offers.quantity_t, 0.0)  # as scoring does: NaN and negatives move nothing
    with np.errstate(divide="ignore"):
        q_key = np.log(np.fmax(supply, 1e-300))
    nd, ni, order, root, n_nodes = _forest(xyz, offers.site, offers.cls, supply, offers.confidence, q_key, n_cls,
                                           weights, n_threads)

    # Compatible (offer class, weight, radius) per need class, as CSR arrays.
    e_ptr, e_oc, e_w, e_rkm, e_rchord, e_heat, roots, heap_cap = _class_pairs(
        compat, classinfo, radius_km, n_cls, root, n_nodes, np.bincount(needs.cls, minlength=n_cls) > 0, True)
    r_ptr = np.arange(e_oc.size + 1, dtype=np.int64)  # one root per entry (one tree per class)
    coef = _coefficients(linear, n_cls)

    # Needs by class then place (Z-order), so a chunk reuses the same tree
    # nodes in cache; their figures gathered in that order, read in sequence.
    n_xyz = np.ascontiguousarray(xyz[needs.site])
    need_order = np.argsort((needs.cls.astype(np.int64) << 45) | _morton(n_xyz, 15))
    has_entries = np.diff(e_ptr)[needs.cls[need_order]] > 0
    need_order = need_order[has_entries]
    need_args = (need_order, np.ascontiguousarray(n_xyz[need_order]),
                 *(np.ascontiguousarray(a[need_order]) for a in (needs.site, needs.cls, needs.quantity_t, needs.confidence,
                                                                 needs.inferred, needs.temperature_c, hazard_codes(needs),
                                                                 needs.resale, needs.disposal)))

    # Slots past out_n are never read: no need to fill them.
    out_s = np.empty((n_needs, k))
    out_o = np.empty((n_needs, k), dtype=np.int64)
    out_d = np.empty((n_needs, k))
    out_w = np.empty((n_needs, k))
    out_n = np.zeros(n_needs, dtype=np.int64)
    threshold = float(min_score) if min_score > 0 else -np.inf
    args = (
        *need_args,
        np.ascontiguousarray(xyz[offers.site[order]]), order.astype(np.int64), offers.site[order], supply[order],
        offers.confidence[order], offers.hazardous[order], offers.temperature_c[order],
        nd, ni,
        e_ptr, e_oc, e_w, e_rkm, e_rchord, e_heat, r_ptr, roots,
        *coef, _weights_vector(weights), k, threshold, heap_cap,
        out_s, out_o, out_d, out_w, out_n,
    )
    n_chunks = 8 * n_threads if n_threads > 1 else 1
    cuts = np.linspace(0, need_order.size, n_chunks + 1).astype(np.int64)
    counts = _in_threads(n_threads, lambda c: _search(cuts[c], cuts[c + 1], *args), list(range(n_chunks)))
    return _compact(out_s, out_o, out_d, out_w, out_n), sum(c[0] for c in counts), sum(c[1] for c in counts)


# --------------------------------------------------------------------------- best needs per offer
#
# The same best-first branch and bound with the roles swapped: per offer, the trees hold the needs of
# every compatible class, split on place, ln demand (unknown demands apart, as +inf) and ln of the
# need's confidence x inferred factor. This is what ``boucle match`` shows (at most a few receivers
# per offer above the plausibility threshold), so it is the search the command runs.

UNKNOWN_DEMAND_KEY = 80.0  # ln-demand key of the needs whose demand is unknown (above any real one)
# Needs per leaf: rejecting a need by its own bound is cheaper than opening a node (the threshold prunes most).
NEED_LEAF_SIZE = 32


@njit(cache=True, nogil=True, inline="always")
def _need_node_bound(node, px, py, pz, supply, c_o, w, r_chord, r_km, ga, gb, dv, ea, eb, nd, wt, threshold, by_plaus):
    """Upper bound of the rank (score, or plausibility when ``by_plaus``) of any need of ``node``
    for this offer; -inf when the node is out of reach or cannot clear the plausibility threshold."""
    chord = _box_chord(node, px, py, pz, nd)
    if chord > r_chord:
        return -np.inf
    km = EARTH_RADIUS_KM * chord
    plaus = w * c_o * nd[node, 8] * _exp_upper(km * wt[15]) * BOUND_SLACK
    if plaus < threshold:
        return -np.inf
    if by_plaus:
        return plaus
    a, b = nd[node, 6], nd[node, 7]  # demand range; +inf: some demand unknown
    if supply > 0.0:
        imp = _upper_impact(min(supply, a), min(supply, b), km, r_km, ga, gb, dv, ea, eb, wt)
        if a == np.inf:
            fit = wt[10]
        else:
            d = min(max(supply, a), b)
            fit = min(supply, d) / max(supply, d)
            if b == np.inf:
                fit = max(fit, wt[10])
    else:
        imp = _upper_impact(0.0, 0.0, km, r_km, ga, gb, dv, ea, eb, wt)
        fit = 0.0
    return plaus * (wt[0] * max(imp, 0.0) + wt[1] * fit + wt[2]) * wt[17]


@njit(cache=True, nogil=True)
def _search_needs(
    r0, r1, offer_idx, o_xyz, o_site, o_cls, o_q, o_conf, o_haz, o_temp, o_apart, o_reach,
    n_xyz, n_idx, n_site, n_q, n_conf, n_infl, n_acc_haz, n_temp, n_resale, n_disposal, n_apart,
    nd, ni, e_ptr, e_w, e_rkm, e_rchord, e_heat, roots,
    ga_c, gb_c, dv_c, ea_c, eb_c, ear_c, gad_c, ead_c, wt, k, threshold, by_plaus, heap_cap, pump_max_c,
    out_v, out_n, out_d, out_w, out_cnt, out_cut,
):
    """Top ``k`` needs of offers ``r0:r1`` (in processing order; ``offer_idx`` gives the output
    row), ranked by score (or plausibility) descending then need index, keeping only pairs whose
    plausibility reaches ``threshold``, never a need flagged in ``n_apart`` for an offer flagged in
    ``o_apart``, nor one farther (chord) than the offer's ``o_reach``. ``out_cut`` is the k-th rank
    value when the row is full (nothing left out ranks above it) and -inf when the row holds every
    qualifying need."""
    hb = np.empty(heap_cap)
    hn = np.empty(heap_cap, dtype=np.int64)
    he = np.empty(heap_cap, dtype=np.int64)
    pairs = 0
    opened = 0
    for r in range(r0, r1):
        i = offer_idx[r]
        si = o_site[r]
        px, py, pz = o_xyz[r, 0], o_xyz[r, 1], o_xyz[r, 2]
        supply = o_q[r]
        c_o = o_conf[r]
        haz = o_haz[r]
        apart = o_apart[r]
        reach_o = o_reach[r]
        temp_o = o_temp[r]
        oc = o_cls[r]
        ga, gb, dv, eb = ga_c[oc], gb_c[oc], dv_c[oc], eb_c[oc]
        ea_plain, ea_resale = ea_c[oc], ear_c[oc]
        # a node may hold waste operators' needs (no virgin purchase in their euros) and others: its bound
        # takes the larger of both
        ea = max(ea_plain, ea_resale) if math.isfinite(ea_plain) and math.isfinite(ea_resale) else ea_plain
        # a treatment and disposal operator's pair: a material's CO2e and euros unknown (NaN, counted 0: below the
        # node bounds read with the others' coefficients)
        ga_disposal, ea_disposal = gad_c[oc], ead_c[oc]
        cnt = 0
        kth = -np.inf  # the k-th rank value once the row is full
        size = 0
        for e in range(e_ptr[oc], e_ptr[oc + 1]):
            node = roots[e]
            b = _need_node_bound(node, px, py, pz, supply, c_o, e_w[e], min(e_rchord[e], reach_o),
                                 e_rkm[e], ga, gb, dv, ea, eb, nd, wt, threshold, by_plaus)
            if b > -np.inf and b >= kth:
                size = _heap_push(hb, hn, he, size, b, node, e)
        node = -1  # >= 0: a node to open next, without going through the heap
        while True:
            if node < 0:
                if size == 0:
                    break
                b, node, e = hb[0], hn[0], he[0]
                if b < kth:
                    break
                size = _heap_pop(hb, hn, he, size)
            opened += 1
            w = e_w[e]
            first_child = ni[node, 2]
            if first_child >= 0:
                # The better child is opened next when no node of the heap beats it (the order of
                # best first, one push and pop fewer per level); the other goes on the heap.
                rc = min(e_rchord[e], reach_o)
                b0 = _need_node_bound(first_child, px, py, pz, supply, c_o, w, rc, e_rkm[e],
                                      ga, gb, dv, ea, eb, nd, wt, threshold, by_plaus)
                b1 = _need_node_bound(first_child + 1, px, py, pz, supply, c_o, w, rc, e_rkm[e],
                                      ga, gb, dv, ea, eb, nd, wt, threshold, by_plaus)
                if b1 > b0:
                    b, node, ob, other = b1, first_child + 1, b0, first_child
                else:
                    b, node, ob, other = b0, first_child, b1, first_child + 1
                if ob > -np.inf and ob >= kth:
                    size = _heap_push(hb, hn, he, size, ob, other, e)
                if not (b > -np.inf and b >= kth):
                    node = -1
                elif size > 0 and hb[0] > b:
                    size = _heap_push(hb, hn, he, size, b, node, e)
                    node = -1
                continue
            # Needs farther than ``reach`` cannot reach kth (nor the threshold): the bound holds at
            # the box's nearest point and decays from there.
            box = _box_chord(node, px, py, pz, nd)
            r_chord = min(e_rchord[e], reach_o)
            reach2 = r_chord * r_chord
            if kth > 0.0:
                reach = box + wt[9] * math.log(b / kth) / EARTH_RADIUS_KM
                reach2 = min(reach2, reach * reach * BOUND_SLACK)
            base = w * c_o  # the plausibility of a need, but for its own confidence and the decay
            if threshold > 0.0:
                pb = base * nd[node, 8] * _exp_upper(EARTH_RADIUS_KM * box * wt[15]) * BOUND_SLACK
                reach = box + wt[9] * math.log(pb / threshold) / EARTH_RADIUS_KM
                reach2 = min(reach2, reach * reach * BOUND_SLACK)
            heat = e_heat[e]
            for p in range(ni[node, 0], ni[node, 1]):
                dx = n_xyz[p, 0] - px
                dy = n_xyz[p, 1] - py
                dz = n_xyz[p, 2] - pz
                chord2 = dx * dx + dy * dy + dz * dz
                if chord2 > reach2:
                    continue
                if n_site[p] == si:
                    continue
                if haz:
                    if not n_acc_haz[p] & HAZ_ACCEPTS:
                        continue
                elif n_acc_haz[p] & HAZ_ONLY:
                    continue  # engine.flow_rules_mask: a need that only a hazardous offer meets
                if apart and n_apart[p]:
                    continue
                if heat and math.isfinite(temp_o) and math.isfinite(n_temp[p]) and temp_o < n_temp[p] \
                        and n_temp[p] > pump_max_c:
                    continue  # engine.flow_rules_mask: too cold, even for a heat pump
                chord = math.sqrt(chord2)
                if chord > r_chord:
                    continue
                if threshold > 0.0 or by_plaus:
                    # this need's own bound (the arc is longer than the chord) is cheaper than its score;
                    # ranked by plausibility, it is also a bound of the rank
                    ub = base * n_conf[p] * n_infl[p] * _exp_upper(EARTH_RADIUS_KM * chord * wt[15]) * BOUND_SLACK
                    if ub < threshold or (by_plaus and ub < kth):
                        continue
                pairs += 1
                km = _TWO_R * math.asin(min(chord, 2.0) / 2.0)
                # scoring.score_terms, same operations in the same order
                plaus = w * (c_o * n_conf[p]) * n_infl[p] * math.exp(-km / wt[9])
                if plaus < threshold:
                    continue
                if by_plaus:
                    v = plaus
                else:
                    demand = n_q[p]
                    known = math.isfinite(demand)
                    if n_disposal[p]:
                        ga_p, ea_p = ga_disposal, ea_disposal
                    else:
                        ga_p, ea_p = ga, ea_resale if n_resale[p] else ea_plain
                    v = plaus * _merit(_fit(supply, demand, known, wt), min(supply, demand) if known else supply,
                                       km, ga_p, gb, dv, ea_p, eb, wt)
                cnt = _keep_best(out_v, out_n, out_d, out_w, i, cnt, k, v, n_idx[p], km, w)
                if cnt == k:
                    kth = out_v[i, k - 1]
            node = -1
        out_cnt[i] = cnt
        out_cut[i] = kth
    return pairs, opened


def search_needs(sites, offers, needs, classinfo, compat, radius_km: float, k: int, linear: LinearImpact,
                 weights: ScoreWeights, workers: int, threshold: float, rows=None, by_plausibility: bool = False,
                 apart=None, reach_km=None):
    """Run the compiled search of the best needs of each offer (of ``rows``, default all); ``apart``:
    (offer flags, need flags), a pair of a flagged offer and a flagged need is never a candidate;
    ``reach_km``: per offer, the distance beyond which none of its pairs is a candidate (inf: none).

    Returns, flat and ordered by ``rows`` then rank, the (offer, need, km, compat weight, rank
    value) arrays of the kept pairs, the cut of each offer of ``rows`` (its k-th rank value when
    more needs may qualify than kept, -inf when all are kept), the pairs scored and the nodes
    opened. Memory: the flows plus ``len(rows) x k`` slots."""
    xyz = np.ascontiguousarray(sites.xyz)
    rows = np.arange(len(offers)) if rows is None else np.asarray(rows, dtype=np.int64)
    n_cls = int(max(len(classinfo), offers.cls.max() + 1, needs.cls.max() + 1))
    n_threads = (os.cpu_count() or 1) if workers == -1 else max(1, workers)
    nd, ni, root, n_nodes, need_args = _need_forest(xyz, needs, n_cls, weights, n_threads, by_plausibility)

    # Compatible (need class, weight, radius) per offer class, as CSR arrays (one root per entry).
    e_ptr, _e_nc, e_w, e_rkm, e_rchord, e_heat, roots, heap_cap = _class_pairs(
        compat, classinfo, radius_km, n_cls, root, n_nodes, np.bincount(offers.cls[rows], minlength=n_cls) > 0, False)
    coef = _coefficients(linear, n_cls)

    # Offers by class then place, so a chunk keeps the same tree nodes in cache.
    o_xyz_all = xyz[offers.site[rows]]
    slot_order = np.argsort((offers.cls[rows].astype(np.int64) << 45) | _morton(np.ascontiguousarray(o_xyz_all), 15))
    slot_order = slot_order[np.diff(e_ptr)[offers.cls[rows[slot_order]]] > 0]  # output row = position in rows
    offer_order = rows[slot_order]
    supply = np.fmax(offers.quantity_t, 0.0)
    o_apart, n_apart = (np.zeros(len(offers), dtype=bool), np.zeros(len(needs), dtype=bool)) if apart is None else apart
    # the reach as a chord of the unit sphere (km = 2 R asin(chord / 2), as the search measures)
    o_reach = (np.full(len(offers), np.inf) if reach_km is None else
               np.where(np.asarray(reach_km, dtype=float) < np.pi * EARTH_RADIUS_KM,
                        2.0 * np.sin(np.minimum(np.asarray(reach_km, dtype=float), np.pi * EARTH_RADIUS_KM)
                                     / (2.0 * EARTH_RADIUS_KM)), np.inf))
    offer_args = (slot_order, np.ascontiguousarray(xyz[offers.site[offer_order]]),
                  *(np.ascontiguousarray(a[offer_order]) for a in (offers.site, offers.cls, supply, offers.confidence,
                                                                   offers.hazardous, offers.temperature_c, o_apart,
                                                                   o_reach)))
    need_args = (*need_args, np.ascontiguousarray(n_apart[need_args[1]]))  # need_args[1]: the needs in tree order
    out_v = np.empty((rows.size, k))
    out_n = np.empty((rows.size, k), dtype=np.int64)
    out_d = np.empty((rows.size, k))
    out_w = np.empty((rows.size, k))
    out_cnt = np.zeros(rows.size, dtype=np.int64)
    out_cut = np.full(rows.size, -np.inf)
    args = (*offer_args, *need_args, nd, ni, e_ptr, e_w, e_rkm, e_rchord, e_heat, roots,
            *coef, _weights_vector(weights), k, float(threshold), bool(by_plausibility), heap_cap,
            float(HEAT_PUMP_MAX_NEED_C),
            out_v, out_n, out_d, out_w, out_cnt, out_cut)
    n_chunks = 8 * n_threads if n_threads > 1 else 1
    cuts = np.linspace(0, offer_order.size, n_chunks + 1).astype(np.int64)
    counts = _in_threads(n_threads, lambda c: _search_needs(cuts[c], cuts[c + 1], *args), list(range(n_chunks)))
    need, slot, km, w, value = _compact(out_v, out_n, out_d, out_w, out_cnt)
    # _compact names its columns for the per-need search: here rows are offers and columns needs.
    return (rows[slot], need, km, w, value), out_cut, sum(c[0] for c in counts), sum(c[1] for c in counts)


def _need_forest(xyz, needs, n_cls: int, weights: ScoreWeights, n_threads: int, by_plausibility: bool = False):
    """The trees of the needs (see :func:`_forest`: node rows, roots and node counts per class) and
    what :func:`_search_needs` reads of the needs, in the trees' order; kept on ``needs`` for the next
    search of the same needs (the pipeline searches again for the offers whose first search was too
    short: a few of them, against the million needs of a dense region)."""
    key = (n_cls, weights.decay_km, weights.inferred_factor, xyz.shape[0], by_plausibility)
    cached = getattr(needs, "_need_forest", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    known = np.isfinite(needs.quantity_t)
    demand = np.where(known, needs.quantity_t, np.inf)  # +inf: unknown (the node bound reads it so)
    with np.errstate(divide="ignore", invalid="ignore"):
        q_key = np.where(known, np.log(np.fmax(needs.quantity_t, 1e-300)), UNKNOWN_DEMAND_KEY)
    n_infl = np.where(needs.inferred, weights.inferred_factor, 1.0)
    # Ranked by plausibility, a need's demand plays no part: its trees split on place and confidence only.
    nd, ni, order, root, n_nodes = _forest(xyz, needs.site, needs.cls, demand, needs.confidence * n_infl, q_key, n_cls,
                                           weights, n_threads, NEED_LEAF_SIZE,
                                           0.0 if by_plausibility else QUANTITY_SPLIT_WEIGHT)
    need_args = (np.ascontiguousarray(xyz[needs.site[order]]), order.astype(np.int64),
                 *(np.ascontiguousarray(a[order]) for a in (needs.site, needs.quantity_t, needs.confidence, n_infl,
                                                            hazard_codes(needs), needs.temperature_c,
                                                            needs.resale, needs.disposal)))
    value = (nd, ni, root, n_nodes, need_args)
    object.__setattr__(needs, "_need_forest", (key, value))  # frozen dataclass: a private cache
    return value
