"""Remaining life of a passport's item, from the usage events of its component class.

A component class is the passports sharing a GTIN (one product model): their events' sensor
data give each item's running hours, failures and replacements; ``life`` fits the model.
"""

from .life import NOT_AN_ITEM, UsageError, fleet_estimate, item_history
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
    """``(remaining_life, "")`` or ``(None, reason)`` for one passport (the class's fit is kept until
    a new event of the class arrives: a page view never refits)."""
    if passport.level != Passport.Level.ITEM or not passport.gtin:
        return None, NOT_AN_ITEM
    estimate = class_estimates(passport.gtin).get(passport.handle)
    if estimate is not None:
        return estimate, ""
    return fleet_estimate(class_histories(passport.gtin), passport.handle)  # no fit: says why


def class_estimates(gtin: str) -> dict:
    """Handle → remaining life (or None) for every item of ``gtin``, with one model fit per class,
    kept in the cache under the class's last event: a new event gives a new key, hence a new fit."""
    from django.core.cache import cache
    from django.db.models import Count, Max

    seen = ChainEntry.objects.filter(passport__gtin=gtin, passport__level=Passport.Level.ITEM).aggregate(
        last=Max("id"), n=Count("id"))
    key = f"boucle:remaining-life:{gtin}:{seen['last']}:{seen['n']}"
    found = cache.get(key)
    if found is None:
        found = _class_estimates(gtin)
        cache.set(key, found, 7 * 24 * 3600)
    return found


def _class_estimates(gtin: str) -> dict:
    from .life import MIN_FAILURES, MIN_FLEET, fit_weibull, remaining_life

    histories = class_histories(gtin)
    known = [h for h in histories.values() if h is not None]
    if len(known) < MIN_FLEET or sum(1 for _h, e in known if e) < MIN_FAILURES:
        return {handle: None for handle in histories}
    fit = fit_weibull([h for h, _e in known], [e for _h, e in known])
    return {handle: (remaining_life(fit, h[0]) if h is not None and not h[1] else None)
            for handle, h in histories.items()}


def end_of_life_alerts(horizon_hours: float | None = None, passports=None) -> list[tuple[Passport, dict]]:
    """Items with a 10 % or greater chance of failing within ``horizon_hours``, soonest first."""
    from .park import ALERT_HORIZON_HOURS, needs_alert

    horizon = ALERT_HORIZON_HOURS if horizon_hours is None else horizon_hours
    items = passports if passports is not None else Passport.objects.filter(level=Passport.Level.ITEM).exclude(gtin="")
    by_handle = {p.handle: p for p in items.select_related("site")}
    out = []
    for gtin in sorted({p.gtin for p in by_handle.values()}):
        for handle, remaining in class_estimates(gtin).items():
            if handle in by_handle and needs_alert(remaining, horizon):
                out.append((by_handle[handle], remaining))
    return sorted(out, key=lambda pr: (pr[1]["low"], pr[0].handle))


def machine_park(territory: str, today=None) -> dict:
    """The production machines of ``territory`` per EPCI (``park.park_by_epci``)."""
    import datetime as dt

    from boucle.epcis.query import parse_time
    from boucle.epcis.vocab import bizstep_word
    from boucle.territories.refs import resolve

    from .park import RETROFIT_YEARS, Machine, park_by_epci

    ref = resolve(territory)
    communes = set(ref.communes().values_list("insee", flat=True))
    machines = list(Passport.objects.filter(production_equipment=True, site__commune_id__in=communes)
                    .select_related("site__commune__epci"))
    commissioned: dict[int, dt.date] = {}
    for passport_id, data in (ChainEntry.objects.filter(passport__in=machines).values_list("passport_id", "event__data")):
        step = data.get("bizStep") or ""
        if bizstep_word(step) == "commissioning":
            when = parse_time(data["eventTime"]).date()
            commissioned[passport_id] = min(when, commissioned.get(passport_id, when))
    rows = [Machine(p.handle, p.name, p.site.commune.epci_id or "", p.site.commune.epci.name if p.site.commune.epci_id else "",
                    commissioned.get(p.pk)) for p in machines]
    today = today or dt.date.today()
    return {"territory": str(ref), "territory_name": ref.name, "retrofit_years": RETROFIT_YEARS,
            "reference_date": today.isoformat(), "epcis": park_by_epci(rows, today)}
