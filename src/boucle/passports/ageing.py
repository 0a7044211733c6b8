"""Remaining life of a passport's item, from the usage events of its component class.

A component class is the passports sharing a GTIN (one product model): their events' sensor
data give each item's running hours, failures and replacements; ``life`` fits the model.
"""

from .life import UsageError, fleet_estimate, item_history
from .models import ChainEntry, Passport


def class_histories(gtin: str) -> dict:
    """Item handle → (hours, ended) or None, for every item passport of ``gtin``."""
    items = dict(Passport.objects.filter(gtin=gtin, level=Passport.Level.ITEM).values_list("pk", "handle"))
    events: dict[int, list[dict]] = {pk: [] for pk in items}
    for passport_id, data in (ChainEntry.objects.filter(passport_id__in=list(items))
                              .values_list("passport_id", "event__data")):
        events[passport_id].append(data)
    out = {}
    for pk, handle in items.items():
        try:
            out[handle] = item_history(events[pk])
        except UsageError:  # refused at capture; an older bad reading leaves the item out
            out[handle] = None
    return out


def remaining_life_of(passport: Passport) -> tuple[dict | None, str]:
    """``(remaining_life, "")`` or ``(None, reason)`` for one passport."""
    if passport.level != Passport.Level.ITEM or not passport.gtin:
        return None, "remaining life is estimated for serialised items of a GTIN only"
    return fleet_estimate(class_histories(passport.gtin), passport.handle)
