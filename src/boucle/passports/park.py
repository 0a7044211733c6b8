"""The machine park of a territory and the items near their end of life: plain data in and out.

- Machine park: production machines (passports marked ``production_equipment``) with the date of
  their commissioning event; per EPCI their number, median age and the machines at least
  ``RETROFIT_YEARS`` old — candidates for a retrofit (new numerical control, drives, sensors)
  rather than a replacement. 15 years is the average age the regions' declaration worries about
  (seed 004 §1.3.1).
- End-of-life alert: an item whose remaining-life estimate gives at least a 10 % chance of
  failure within ``horizon_hours`` (the 10th percentile of its remaining life is below it).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

RETROFIT_YEARS = 15
ALERT_HORIZON_HOURS = 2000  # about six months of a two-shift machine (11 h a day)


@dataclass(frozen=True)
class Machine:
    handle: str
    name: str
    epci: str
    epci_name: str
    commissioned: dt.date | None


def age_years(commissioned: dt.date, today: dt.date) -> float:
    return round((today - commissioned).days / 365.25, 1)


def park_by_epci(machines: list[Machine], today: dt.date, retrofit_years: float = RETROFIT_YEARS) -> list[dict]:
    """Per EPCI: machines, known ages, median age, and the retrofit candidates (oldest first)."""
    groups: dict[str, list[Machine]] = {}
    for m in machines:
        groups.setdefault(m.epci, []).append(m)
    out = []
    for epci, items in groups.items():
        aged = sorted(((age_years(m.commissioned, today), m) for m in items if m.commissioned), key=lambda x: (-x[0], x[1].handle))
        ages = [a for a, _m in aged]
        out.append({"epci": epci, "name": items[0].epci_name, "machines": len(items), "with_age": len(ages),
                    "median_age_years": round(statistics.median(ages), 1) if ages else None,
                    "median_age_whole": math.floor(statistics.median(ages)) if ages else None,
                    "retrofit_candidates": [{"handle": m.handle, "name": m.name, "age_years": a, "age_whole": math.floor(a)}
                                            for a, m in aged if a >= retrofit_years]})
    return sorted(out, key=lambda r: (-len(r["retrofit_candidates"]), -(r["median_age_years"] or 0), r["name"]))


def needs_alert(remaining: dict | None, horizon_hours: float = ALERT_HORIZON_HOURS) -> bool:
    """True when at least 10 % of items like this one fail within ``horizon_hours``."""
    return bool(remaining) and remaining["unit"] == "h" and remaining["low"] <= horizon_hours
