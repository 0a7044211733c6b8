"""Statistical secrecy: when may a territory figure be published?

A published total must not let anyone read off one company's quantities. Statistical
offices use two tests, and so do we, on every public page, API answer and export:

* the *frequency* rule: at least ``MIN_COMPANIES`` companies stand behind the figure;
* the *dominance* rule: no single company makes up more than ``MAX_SHARE`` of it
  (otherwise the total is, within a few percent, that company's figure).

Pure: no Django, values in, value (or ``None``, "suppressed") out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

MIN_COMPANIES = 3
MAX_SHARE = 0.85


def disclose(values_by_company: Mapping | Iterable[float] | np.ndarray) -> float | None:
    """The total if it may be published, else ``None``.

    ``values_by_company`` maps each contributing company to its share of the figure
    (a mapping company → value, or the values alone). A company whose contribution
    is zero does not count towards the three: it reveals nothing, but it protects
    no one either. A figure no company contributes to is a true zero and is
    published: it says nothing is declared, not how much anyone declared. Negative contributions are not expected; their magnitude is used
    for the dominance test so a sign cannot hide a dominant contributor.
    """
    if isinstance(values_by_company, Mapping):
        values = np.fromiter((float(v or 0.0) for v in values_by_company.values()), dtype=float)
    else:
        values = np.asarray(list(values_by_company) if not isinstance(values_by_company, np.ndarray)
                            else values_by_company, dtype=float)
    values = values[np.nan_to_num(values) != 0.0]
    if values.size == 0:
        return 0.0
    if values.size < MIN_COMPANIES:
        return None
    magnitude = np.abs(values)
    if magnitude.max() > MAX_SHARE * magnitude.sum():
        return None
    return float(values.sum())
