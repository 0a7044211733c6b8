"""Remaining life: the Weibull fit recovers a known law under censoring (coverage over repeated
draws), usage readings are validated, and an item's estimate is conditional on its age."""

import time

import numpy as np
import pytest

from boucle.passports.life import (UsageError, conditional_quantile, fit_weibull, fleet_estimate, item_history,
                                   usage_hours)

SHAPE, SCALE = 2.0, 10_000.0


def _fleet(rng, n=60):
    life = SCALE * rng.weibull(SHAPE, n)
    censor = rng.uniform(2_000, 20_000, n)  # items still running when observed (about a third)
    return np.minimum(life, censor), life <= censor


def test_intervals_cover_the_true_parameters_over_repeated_draws():
    rng = np.random.default_rng(16)
    fit_weibull(*_fleet(np.random.default_rng(0)))  # warm up (library import), outside the time bound
    started, draws, covered_shape, covered_scale, censored = time.process_time(), 60, 0, 0, []
    for _ in range(draws):
        durations, observed = _fleet(rng)
        censored.append(1 - observed.mean())
        fit = fit_weibull(durations, observed)
        covered_shape += fit.shape_ci[0] <= SHAPE <= fit.shape_ci[1]
        covered_scale += fit.scale_ci[0] <= SCALE <= fit.scale_ci[1]
    assert 0.2 < np.mean(censored) < 0.5  # censoring really present
    assert covered_shape / draws >= 0.90 and covered_scale / draws >= 0.90, (covered_shape, covered_scale)
    assert time.process_time() - started < 30  # CPU seconds: the shared machine's load does not count
    print(f"coverage over {draws} fleets of 60: shape {covered_shape / draws:.0%}, scale {covered_scale / draws:.0%}")


def test_ignoring_censoring_would_be_caught():
    """The same check fails when censored items are counted as failures (scale biased low)."""
    rng = np.random.default_rng(7)
    covered = 0
    for _ in range(15):
        durations, _observed = _fleet(rng)
        fit = fit_weibull(durations, np.ones_like(durations, dtype=bool))
        covered += fit.scale_ci[0] <= SCALE <= fit.scale_ci[1]
    assert covered / 15 < 0.5


def test_remaining_life_is_conditional_on_age():
    rng = np.random.default_rng(3)
    durations, observed = _fleet(rng, 200)
    fit = fit_weibull(durations, observed)
    young, old = conditional_quantile(fit, 1_000, 0.5), conditional_quantile(fit, 12_000, 0.5)
    assert old < young  # wear-out (shape > 1): an older item has less left
    assert conditional_quantile(fit, 5_000, 0.1) < conditional_quantile(fit, 5_000, 0.5) < conditional_quantile(fit, 5_000, 0.9)


def _reading(hours, uom="HUR", when="2026-01-01T00:00:00Z", **extra):
    return {"type": "ObjectEvent", "eventTime": when,
            "sensorElementList": [{"sensorReport": [{"type": "gs1:Time", "value": hours, "uom": uom}]}], **extra}


def test_usage_readings_are_validated():
    assert usage_hours(_reading(120)) == 120 and usage_hours(_reading(2, "DAY")) == 48
    with pytest.raises(UsageError, match="uom"):
        usage_hours(_reading(5, "furlong"))
    with pytest.raises(UsageError, match="négatif"):
        usage_hours(_reading(-1))
    assert usage_hours({"type": "ObjectEvent"}) is None


def test_fleet_estimate_for_running_failed_and_unused_items():
    rng = np.random.default_rng(5)
    durations, observed = _fleet(rng, 40)
    histories = {f"i{i}": (float(d), bool(o)) for i, (d, o) in enumerate(zip(durations, observed))}
    histories["new"] = None
    running = next(k for k, v in histories.items() if v and not v[1])
    failed = next(k for k, v in histories.items() if v and v[1])
    estimate, reason = fleet_estimate(histories, running)
    assert reason == "" and estimate["low"] <= estimate["estimate"] <= estimate["high"]
    assert estimate["unit"] == "h" and estimate["n"] == 40 and "Weibull" in estimate["method"]
    assert fleet_estimate(histories, failed)[0] is None and "failed" in fleet_estimate(histories, failed)[1]
    assert fleet_estimate(histories, "new") == (None, "no usage event for this item")
    assert item_history([_reading(10), _reading(30, when="2026-02-01T00:00:00Z", disposition="damaged")]) == (30, True)
