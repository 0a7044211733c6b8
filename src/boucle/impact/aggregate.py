"""Sum breakdowns per territory, material or any other key.

Two rules make totals honest: a figure that could not be computed is counted,
not added as zero, so a total says how many exchanges it leaves out; and
estimated (ex-ante) and verified (measured) figures are never added together,
so ``basis`` is always part of the group key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .engine import Breakdown

METRICS = ("co2e_avoided_t", "tonnes_diverted", "virgin_avoided_t", "water_saved_m3",
           "energy_recovered_mwh", "eur_saved")

Key = str | Callable[[Any], Any]


def _get(b: Breakdown | Mapping, name: str) -> Any:
    if isinstance(b, Mapping):
        if name in b:
            return b[name]
        return (b.get("labels") or {}).get(name)
    if hasattr(b, name):
        return getattr(b, name)
    return b.labels.get(name)


def _terms(b: Breakdown | Mapping, field: str) -> list:
    items = _get(b, field) or []
    return [t if isinstance(t, Mapping) else t.__dict__ for t in items]


def aggregate(breakdowns: Iterable[Breakdown | Mapping], keys: Sequence[Key]) -> list[dict[str, Any]]:
    """Group ``breakdowns`` by ``keys`` (+ basis) and sum metrics and terms.

    A key is a breakdown field (``material``), a label set by the caller
    (``labels={"epci": ...}``) or a callable. Each group gives, per metric, the
    sum over exchanges where it is computable and ``n_not_computable``; per term
    name, the summed value (t CO2e or EUR) over exchanges where it is known.
    """
    groups: dict[tuple, dict[str, Any]] = {}
    for b in breakdowns:
        key_values = tuple(k(b) if callable(k) else _get(b, k) for k in keys)
        basis = _get(b, "basis") or "estimated"
        gkey = (*key_values, basis)
        g = groups.get(gkey)
        if g is None:
            g = {"key": {(k if isinstance(k, str) else getattr(k, "__name__", f"key{i}")): v
                         for i, (k, v) in enumerate(zip(keys, key_values))},
                 "basis": basis, "n": 0,
                 **{m: 0.0 for m in METRICS},
                 "n_not_computable": {m: 0 for m in METRICS},
                 "terms": {}, "cost_terms": {}}
            groups[gkey] = g
        g["n"] += 1
        for m in METRICS:
            v = _get(b, m)
            if v is None:
                g["n_not_computable"][m] += 1
            else:
                g[m] += v
        for field in ("terms", "cost_terms"):
            for t in _terms(b, field):
                if t.get("value") is not None:
                    g[field][t["name"]] = g[field].get(t["name"], 0.0) + t["value"]
    return list(groups.values())
