"""Remaining life of a component from its class's usage history: a Weibull survival model.

Framework-free: plain EPCIS 2.0 event dicts and numbers in, plain dicts out. Usage is read from
the events' sensor data (``sensorElementList``: running hours, ``gs1:Time`` in ``HUR``); an item
whose last event says it failed or was replaced (disposition ``damaged`` or ``destroyed``, or
business step ``decommissioning``) contributes an observed life; an item still in use
contributes a right-censored one. The fit is lifelines' ``WeibullFitter`` (maximum likelihood,
censoring handled; parameters with 95 % Wald intervals).

The estimate for one item is the median of its remaining life given that it has survived its
current age; ``low`` and ``high`` are the 10th and 90th percentiles of that conditional law, so
80 % of items like it end within the interval — an interval on the item, not on the mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from boucle.messages import EngineError, gettext_noop

#: Units of usage counters the model reads (UN/ECE Rec. 20 codes) → hours.
HOURS_PER_UNIT = {"HUR": 1.0, "MIN": 1 / 60, "SEC": 1 / 3600, "DAY": 24.0}
USAGE_TYPES = {"gs1:Time", "https://gs1.org/voc/MeasurementType-Time", "Time"}
END_DISPOSITIONS = ("damaged", "destroyed")
END_STEPS = ("decommissioning",)
MIN_FLEET, MIN_FAILURES = 10, 3


class UsageError(EngineError):
    """A usage reading the model cannot accept (unknown unit, negative counter); a French message the
    shell translates (``boucle.messages.translate``)."""


def usage_hours(event: dict) -> float | None:
    """The running-hours counter carried by an event's sensor data, or None when it has none."""
    found = None
    for element in event.get("sensorElementList") or []:
        for report in element.get("sensorReport") or []:
            if report.get("type") not in USAGE_TYPES:
                continue
            unit = report.get("uom")
            if unit not in HOURS_PER_UNIT:
                raise UsageError("passports.usage-unit", gettext_noop(
                    "sensorReport uom « %(unit)s » : unité de compteur d'usage inconnue (%(units)s)"),
                    unit=unit, units=", ".join(HOURS_PER_UNIT))
            value = report.get("value")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise UsageError("passports.usage-value", gettext_noop(
                    "sensorReport value %(value)s : un compteur d'usage est un nombre fini"), value=repr(value))
            if value < 0:
                raise UsageError("passports.usage-negative", gettext_noop(
                    "sensorReport value %(value)s : un compteur d'usage ne peut pas être négatif"), value=value)
            found = max(found or 0.0, value * HOURS_PER_UNIT[unit])
    return found


def _ended(event: dict) -> bool:
    disposition = (event.get("disposition") or "").rsplit(":", 1)[-1].rsplit("-", 1)[-1]
    step = (event.get("bizStep") or "").rsplit(":", 1)[-1].rsplit("-", 1)[-1]
    return disposition in END_DISPOSITIONS or step in END_STEPS


def item_history(events: list[dict]) -> tuple[float, bool] | None:
    """(hours reached, ended) for one item from its events in time order; None without usage."""
    hours, ended = None, False
    for event in sorted(events, key=lambda e: e.get("eventTime", "")):
        reading = usage_hours(event)
        if reading is not None:
            hours = max(hours or 0.0, reading)
        if _ended(event):
            ended = True
    return None if hours is None else (hours, ended)


@dataclass(frozen=True)
class WeibullFit:
    shape: float
    scale: float
    shape_ci: tuple[float, float]
    scale_ci: tuple[float, float]
    n: int
    failures: int


def fit_weibull(durations, observed) -> WeibullFit:
    """Maximum-likelihood Weibull with right censoring (``observed`` False = still running)."""
    import warnings

    from lifelines import WeibullFitter

    durations = [max(float(d), 1e-6) for d in durations]
    observed = [bool(o) for o in observed]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter = WeibullFitter().fit(durations, observed)
    table = fitter.summary
    return WeibullFit(shape=float(fitter.rho_), scale=float(fitter.lambda_),
                      shape_ci=(float(table.loc["rho_", "coef lower 95%"]), float(table.loc["rho_", "coef upper 95%"])),
                      scale_ci=(float(table.loc["lambda_", "coef lower 95%"]), float(table.loc["lambda_", "coef upper 95%"])),
                      n=len(durations), failures=sum(observed))


def conditional_quantile(fit: WeibullFit, age: float, p: float) -> float:
    """Remaining time t such that P(T <= age + t | T > age) = p."""
    k, lam = fit.shape, fit.scale
    return lam * ((age / lam) ** k - math.log(1 - p)) ** (1 / k) - age


def remaining_life(fit: WeibullFit, age: float) -> dict:
    """The item's remaining life in hours: median, and the 10th–90th percentile interval."""
    return {"estimate": round(conditional_quantile(fit, age, 0.5)),
            "low": round(conditional_quantile(fit, age, 0.1)),
            "high": round(conditional_quantile(fit, age, 0.9)),
            "unit": "h", "method": (f"Weibull (lifelines WeibullFitter, maximum likelihood with right censoring; "
                                    f"shape {fit.shape:.2f}, scale {fit.scale:.0f} h); median remaining life "
                                    f"given {age:.0f} h reached, 10th–90th percentiles"),
            "n": fit.n, "failures": fit.failures, "age_hours": round(age)}


NO_USAGE = "no usage event for this item"  # reasons without an estimate, words for the commands to translate
ENDED = "this item has failed or been replaced"
NOT_AN_ITEM = "remaining life is estimated for serialised items of a GTIN only"


def fleet_estimate(histories: dict, item) -> tuple[dict | None, str]:
    """``(remaining_life, "")`` for ``item`` from its class's ``histories`` (item → (hours, ended)),
    or ``(None, reason)``."""
    if histories.get(item) is None:
        return None, NO_USAGE
    hours, ended = histories[item]
    if ended:
        return None, ENDED
    known = [h for h in histories.values() if h is not None]
    failures = sum(1 for _h, e in known if e)
    if len(known) < MIN_FLEET or failures < MIN_FAILURES:
        return None, (f"too few items of this class with usage ({len(known)}, at least {MIN_FLEET}) "
                      f"or failures ({failures}, at least {MIN_FAILURES})")
    fit = fit_weibull([h for h, _e in known], [e for _h, e in known])
    return remaining_life(fit, hours), ""
