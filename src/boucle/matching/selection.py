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

# Both values chosen on the MAESTRI development cases only, judged leave-one-case-out (each case
# with the values fitted on the others; `boucle evaluate maestri`); the literature check set is
# not used to choose them.
# - the plausibility cut that maximises pooled F1 of offer -> receiving-site pairs of this default
#   output: 0.2629 with NACE codes and with activity text only (evaluate.calibrate_threshold);
# - at most 3 receivers per offer: leave-one-case-out F1 0.543 with 3, 0.503 with 5, 0.471 with 2
#   (codes; activity text only 0.516 / 0.514 / 0.487). Within a park several receivers often tie
#   on plausibility, so a cut at 5 keeps arbitrary ones; 3 is also what a facilitator reads.
DEFAULT_THRESHOLD = 0.263
MAX_RECEIVERS_PER_OFFER = 3


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
