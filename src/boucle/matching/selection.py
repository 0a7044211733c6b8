"""Which candidate pairs the platform shows: the default output of ``boucle match``.

One pure function, used by ``pipeline.propose`` (and so by ``boucle match``, the web pages and
``boucle evaluate``); any other engine path (partitioned runs, compiled top-k search) must give
the same rows, so it calls this function or reproduces it exactly:

1. a candidate is shown only if its *plausibility* reaches ``threshold`` (calibrated for
   precision on documented exchanges, see ``DEFAULT_THRESHOLD``);
2. per offer, at most ``max_per_offer`` receivers are shown: the most plausible ones, ties broken
   by the higher score (merit of the exchange), then by ``tie`` (stable input order when omitted).

Rows are candidate (offer, receiving site, need) proposals already reduced to one per receiving
site and need; an offer's key groups them.
"""

from __future__ import annotations

import numpy as np

# Calibrated by `boucle evaluate maestri` (evaluate.calibrate_threshold): the plausibility cut that
# maximises pooled F1 of offer -> receiving-site pairs on the MAESTRI development cases, with the
# at-most-K rule below applied; judged leave-one-case-out (each case with the cut fitted on the
# others) in `boucle evaluate`. Re-run the evaluation after changing the rule tables.
DEFAULT_THRESHOLD = 0.30
# What a facilitator can read and act on for one offer (issue 11: "at most a few").
MAX_RECEIVERS_PER_OFFER = 5


def select_default(offer_key: np.ndarray, plausibility: np.ndarray, score: np.ndarray, *,
                   threshold: float = DEFAULT_THRESHOLD, max_per_offer: int | None = MAX_RECEIVERS_PER_OFFER,
                   tie: np.ndarray | None = None) -> np.ndarray:
    """Positions of the rows shown, grouped by offer, each offer's rows best first."""
    offer_key = np.asarray(offer_key)
    plausibility = np.asarray(plausibility, dtype=float)
    score = np.asarray(score, dtype=float)
    tie = np.arange(offer_key.size) if tie is None else np.asarray(tie)
    live = np.flatnonzero(plausibility >= threshold)
    if live.size == 0:
        return live
    order = live[np.lexsort((tie[live], -score[live], -plausibility[live], offer_key[live]))]
    if max_per_offer is None:
        return order
    keys = offer_key[order]
    start = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    rank = np.arange(order.size) - np.repeat(start, np.diff(np.r_[start, order.size]))
    return order[rank < max_per_offer]
