"""Which candidate pairs the platform shows: the default output of ``boucle match``.

One pure function, used by ``pipeline.propose`` (and so by ``boucle match``, the web pages and
``boucle evaluate``); any other engine path (partitioned runs, compiled top-k search) must give
the same rows, so it calls this function or reproduces it exactly:

1. a candidate is shown only if its *plausibility* reaches ``threshold`` (calibrated for
   precision on documented exchanges, see ``DEFAULT_THRESHOLD``);
2. per offer, at most ``max_per_offer`` receivers are shown (fewer for the classes of
   ``CLASS_CAPS``: an electricity surplus, two): the most plausible ones, ties broken
   by the higher score (merit of the exchange), then by ``tie`` (stable input order when omitted),
   and only those whose plausibility is at least ``RELATIVE_CUT`` times the offer's best;
3. past the second, a receiver whose activity is already shown for the offer (``trade``) ends the
   offer's list, unless it ties with a shown one (``SAME_TRADE_KEPT``).

Rows are candidate (offer, receiving site, need) proposals already reduced to one per receiving
site and need; an offer's key groups them.
"""

from __future__ import annotations

import numpy as np

# The values are fitted jointly (scripts/fit_selection.py, evaluate.calibrate) on the development
# cases: MAESTRI, the process check set and the literature check set without its blind cases
# (case numbers multiple of 3, never used to fit), each case described with NACE code + activity
# text and with activity text only, each offer by its label only (as held-out parks are imported),
# maximising pooled F1 of offer -> receiving-site pairs of this default output; judged
# leave-one-case-out (each case, in both descriptions, with the values fitted on the others):
# - plausibility threshold 0.1543 with a relative cut of 0.7: leave-one-case-out F1 0.570 with
#   codes, 0.548 with words (MAESTRI 0.490 / 0.443, process 0.640 / 0.645, literature 0.595 /
#   0.561; everyone-to-everyone 0.304, 0.326, 0.241), against 0.537 / 0.513 for the best
#   threshold alone (0.361, no relative cut); the 6 blind literature cases, never fitted on:
#   0.617 / 0.547 (0.529 / 0.488 without the relative cut; everyone-to-everyone 0.224). A finer
#   grid of relative cuts (up to 0.9) fits each fold's noise (evaluate.RELATIVE_GRID);
# - at most 3 receivers per offer: leave-one-case-out F1 (codes / words) 0.571 / 0.546 with 3,
#   0.560 / 0.531 with 2, 0.570 / 0.547 with 4, 0.563 / 0.546 with 5, each cap with its own fitted
#   cuts (knowledge of 2026-12-06 before the heavy-industry recipes). 4 is as good; 3 is fewer
#   proposals and what a facilitator reads.
DEFAULT_THRESHOLD = 0.1543
MAX_RECEIVERS_PER_OFFER = 3
# 3. a receiver is shown only if its plausibility is at least this share of its offer's best
#    receiver's: one far below the best is a weaker reading of the activity, not a partner of the
#    same standing; with it the threshold can be lower, so an offer whose receivers are all
#    inferred from words (no code) still shows its best ones.
RELATIVE_CUT = 0.7
# 4. beyond the first SAME_TRADE_KEPT receivers, a receiver is shown only if its receiving activity
#    (the activity whose rule makes it a receiver, ``trade``) is not already shown for the offer:
#    the first one that repeats a shown activity ends the offer's list. A third site of an activity
#    already proposed twice is a weaker reading of the same use, not another use of the material
#    (one exactly as plausible as a shown site of its activity is shown: a tie is not split by ids).
#    Over the held-out protocol's 5 sets x 3 descriptions (main cb1f54c, shipped threshold and cut,
#    blind literature cases left out), the third receivers shown of an activity already shown were
#    documented in 7 of 48 (15 %), those of another activity in 28 of 121 (23 %; 33 % on the MAESTRI
#    and literature parks); a pair raises pooled F1 only if documented more often than F1 / 2
#    (~0.3). Nothing fitted; figures before/after in docs/matching-quality.md (third receivers).
SAME_TRADE_KEPT = 2
# (A fifth rule, the inferred users of a network utility counted as one activity so that a third
#  user of one surplus ends the list, was merged in session 17 and taken out the same day: the
#  blind fourth check set, larger parks, lost 0.018 F1 with codes and 0.019 with words with it,
#  and issue 11 names utilities between heavy-industry sites as the largest share of the
#  held-out misses; docs/matching-quality.md, « Precision round ».)
# 5. a few classes reach fewer receivers than MAX_RECEIVERS_PER_OFFER (``limit``, the cap of the
#    class of the offer's best receiver): electricity, 2. A power surplus leaves a generating site
#    by the grid, or by a direct line to a consumer (Directive (EU) 2019/944, art. 2(41) and art. 7);
#    supplying more consumers on a site is a closed distribution system (art. 38), which the
#    platform does not propose. Second and third electricity receivers shown on the development
#    sets were documented in 0 of 8 pairs with codes (2 of 11 with words). Nothing fitted; figures
#    before/after in docs/matching-quality.md (« selection (s18) »).
CLASS_CAPS = {"electricity": 2}
NO_CLASS_CAP = 1 << 30


def class_cap(class_key: str | None) -> int:
    """At most how many receivers an offer whose best reading is ``class_key`` shows (rule 5), on
    top of the cap per offer; ``NO_CLASS_CAP`` for most classes."""
    return CLASS_CAPS.get(class_key, NO_CLASS_CAP) if class_key else NO_CLASS_CAP


def select_default(offer_key: np.ndarray, plausibility: np.ndarray, score: np.ndarray, *,
                   threshold: float = DEFAULT_THRESHOLD, max_per_offer: int | None = MAX_RECEIVERS_PER_OFFER,
                   tie: np.ndarray | None = None, relative: float | None = None,
                   part: np.ndarray | None = None, trade: np.ndarray | None = None,
                   limit: np.ndarray | None = None) -> np.ndarray:
    """Positions of the rows shown, grouped by offer, each offer's rows best first
    (``relative``: the relative cut, ``RELATIVE_CUT`` when None).

    ``part`` (small non-negative ints, 0 for an offer of one material): the material of an offer
    whose label lists several (« papier, carton et plastiques »). The relative cut compares a
    receiver with the best receiver of the same material, not of another one: the users of
    plastics are not weaker readings of the users of paper. The cap stays per offer, filled by
    plausibility (sharing it out among the materials, each one's best first, showed weak users of
    a minor material before strong users of the main one: MAESTRI F1 0.528 -> 0.513).

    ``trade`` (ints; negative: unknown, never a repeat): the receiving activity of each row. Beyond
    ``SAME_TRADE_KEPT`` receivers, one whose activity is already shown for the offer ends its list.

    ``limit`` (ints, :func:`class_cap` of each row's class): an offer shows at most the limit of
    its best row (after the relative cut), when lower than ``max_per_offer``."""
    relative = RELATIVE_CUT if relative is None else relative
    offer_key = np.asarray(offer_key)
    plausibility = np.asarray(plausibility, dtype=float)
    score = np.asarray(score, dtype=float)
    live = np.flatnonzero(plausibility >= threshold)
    if live.size == 0:
        return live
    # lexsort is stable: rows tied on every key stay in their order, the default ``tie`` (one sort fewer)
    keys = (-score[live], -plausibility[live], offer_key[live])
    order = live[np.lexsort(keys if tie is None else (np.asarray(tie)[live], *keys))]
    keys = offer_key[order]
    start = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    size = np.diff(np.r_[start, order.size])
    if relative > 0 and part is not None and np.any(part[order]):
        part = np.asarray(part, dtype=np.int64)
        group = offer_key[order].astype(np.int64) * (int(part.max()) + 1) + part[order]
        uniq, inv = np.unique(group, return_inverse=True)
        best = np.full(uniq.size, -np.inf)
        np.maximum.at(best, inv, plausibility[order])
        order = order[plausibility[order] >= relative * best[inv]]
        if max_per_offer is None or order.size == 0:
            return order
        keys = offer_key[order]
        start = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
        size = np.diff(np.r_[start, order.size])
    elif relative > 0:  # the offer's best receiver comes first in its group
        order = order[plausibility[order] >= relative * np.repeat(plausibility[order[start]], size)]
        if max_per_offer is None or order.size == 0:
            return order
        keys = offer_key[order]
        start = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
        size = np.diff(np.r_[start, order.size])
    if max_per_offer is None:
        return order
    rank = np.arange(order.size) - np.repeat(start, size)
    cap = np.full(start.size, max_per_offer, dtype=np.int64)  # per offer
    if limit is not None:
        cap = np.minimum(cap, np.asarray(limit, dtype=np.int64)[order[start]])
    keep = rank < np.repeat(cap, size)
    order, rank, cap = order[keep], rank[keep], cap[cap > 0]
    if trade is None or max_per_offer <= SAME_TRADE_KEPT:
        return order
    return order[_new_trades(order, rank, np.asarray(trade), plausibility, cap)]


def _new_trades(order: np.ndarray, rank: np.ndarray, trade: np.ndarray, plausibility: np.ndarray,
                cap: np.ndarray) -> np.ndarray:
    """Mask of ``order`` (rows grouped by offer, best first, ``rank`` within it, below its offer's ``cap``):
    every row up to ``SAME_TRADE_KEPT``, then the rows before the first that repeats a shown
    activity -- less plausible than a shown receiver of it: an exact tie is not split."""
    first = np.flatnonzero(rank == 0)
    ends = np.r_[first[1:], order.size]
    t, p = trade[order], plausibility[order]
    stop = cap.copy()  # the rank that ends each offer's list
    for j in range(SAME_TRADE_KEPT, int(cap.max(initial=0))):
        idx = np.flatnonzero((stop == cap) & (first + j < ends))
        at = first[idx] + j
        repeat = np.zeros(idx.size, dtype=bool)
        for i in range(j):
            repeat |= (t[at] >= 0) & (t[at] == t[first[idx] + i]) & (p[at] < p[first[idx] + i])
        stop[idx[repeat]] = j
    return rank < np.repeat(stop, ends - first)


def floor_of(best_plausibility, threshold: float, relative: float | None = None):
    """The lowest plausibility an offer whose best receiver has ``best_plausibility`` can show."""
    relative = RELATIVE_CUT if relative is None else relative
    return np.maximum(threshold, relative * np.asarray(best_plausibility, dtype=float))
