"""Low-high ranges of estimated figures, and rounding to the digits that mean something.

An estimate from a declared yearly quantity and UK average factors is not known to
five digits. Each estimated CO2e carries a range from two independent relative
uncertainties (``data/uncertainty.csv``): the quantity's and the factors'. The gross
gain (virgin + disposal - processing) and the freight term are uncertain separately:

    sigma^2 = (u_q^2 + u_f^2) * gain^2 + (u_q^2 + u_t^2) * transport^2
    range   = value -/+ sigma

Euros take their range from the low and high columns of ``prices.csv`` instead (the
most favourable and least favourable combination of the terms). Verified figures are
measured, not estimated: they carry no range.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def uncertainties() -> dict[str, tuple[float, str]]:
    with (DATA_DIR / "uncertainty.csv").open(newline="", encoding="utf-8") as fh:
        return {r["component"]: (float(r["relative_uncertainty"]), r["source"]) for r in csv.DictReader(fh)}


def u(component: str) -> float:
    return uncertainties()[component][0]


def co2e_sigma(gain_t, transport_t):
    """One-sigma of an estimated CO2e from its gross gain and freight term (t CO2e, arrays ok)."""
    g = np.asarray(gain_t, dtype=np.float64)
    t = np.asarray(transport_t, dtype=np.float64)
    uq, uf, ut = u("quantity_declared"), u("emission_factor"), u("transport_factor")
    return np.sqrt((uq ** 2 + uf ** 2) * g ** 2 + (uq ** 2 + ut ** 2) * t ** 2)


def co2e_range(value, gain_t, transport_t):
    s = co2e_sigma(gain_t, transport_t)
    v = np.asarray(value, dtype=np.float64)
    return v - s, v + s


def meaningful(value: float | None, low: float | None = None, high: float | None = None,
               digits: int = 2) -> float | None:
    """``value`` rounded to the precision its range allows (the first significant digit of the
    half-width: 1,770.6 +/- 397 gives 1,800), or to ``digits`` significant digits without a range."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    if low is not None and high is not None and math.isfinite(low) and math.isfinite(high) and high > low:
        step = 10 ** math.floor(math.log10((high - low) / 2))
    else:
        step = 10 ** (math.floor(math.log10(abs(value))) - (digits - 1))
    rounded = round(value / step) * step
    return float(round(rounded, max(0, -int(math.floor(math.log10(step))))))


def format_range(value: float | None, low: float | None, high: float | None, unit: str = "",
                 lang: str = "fr", with_range: bool = True) -> str:
    """``1 800 t CO2e (1 400 – 2 100)`` in French, ``1,800 t CO2e (1,400–2,100)`` in English; without the
    bracket (``with_range=False``) the same rounded figure, for a table column."""
    if value is None:
        return "inconnu" if lang == "fr" else "unknown"
    v, lo, hi = (meaningful(x, low, high) for x in (value, low, high))

    def num(x: float) -> str:
        text = f"{x:,.{_decimals(x, low, high)}f}"
        # French groups with a narrow space and reads a decimal comma (« 7,7 t CO₂e », not « 7.7 »)
        return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text

    out = num(v) + (f" {unit}" if unit else "")
    if with_range and lo is not None and hi is not None and high is not None and low is not None and high > low:
        out += f" ({num(lo)} – {num(hi)})" if lang == "fr" else f" ({num(lo)}–{num(hi)})"
    return out


def shown(value: float | None, kind: str, low: float | None = None, high: float | None = None) -> float | None:
    """An estimate as every page and export shows it, so that one figure reads the same on a card, in a
    total and in a CSV: CO2e (``kind`` « co2e ») to the precision of its range (else two significant
    digits), euros (« eur ») to two significant digits, quantities (« quantity »: t, MWh, m3) as
    ``figures.quantity`` (to the unit from 100, a tenth from 0.1, two significant digits below). Measured (verified) figures are not estimates: they are shown as
    recorded."""
    if value is None or not math.isfinite(value):
        return None
    if kind == "co2e":
        return meaningful(value, low, high)
    if kind == "eur":
        return meaningful(value)
    if kind == "quantity":
        from boucle.figures import quantity

        return quantity(value)
    raise ValueError(f"unknown kind of estimate {kind!r}")


def _decimals(x: float, low, high) -> int:
    if low is not None and high is not None and high > low:
        return max(0, -int(math.floor(math.log10((high - low) / 2))))
    if not x:
        return 0
    return max(0, 1 - int(math.floor(math.log10(abs(x)))))
