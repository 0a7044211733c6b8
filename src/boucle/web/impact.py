"""Impact sums where estimates and verified outcomes are never added together.

Estimates come from the engine and describe what *could* happen; verified outcomes
are measured after the fact. Mixing them would make a territory's report look
better than reality, so each total is computed and shown on its own line.

The potential line is never a sum of suggestions (one offer is suggested to several
receivers): it is the territory's optimal allocation (``boucle.matching.territory_potential``),
or the part of it that involves the synergies shown. Quantities stay in the unit of their
kind: tonnes of material, MWh of energy, m3 of water.
"""

from django.db.models import Count, Q, Sum

from boucle.matching import lifecycle
from boucle.matching.models import VerifiedOutcome


def _own_caps(synergy_ids, own_companies) -> dict:
    """What the reader's own flows in these synergies add up to (a year, per quantity kind): a bracket of a
    total stops there, as each card's bracket stops at the reader's own quantity (``present.bracket``); each
    own flow counts once, however many synergies it is in."""
    from boucle.flows.models import Flow
    from boucle.matching.models import Synergy

    if not own_companies or not synergy_ids:
        return {}
    own = set()
    for offer_id, offer_company, need_id, need_company in Synergy.objects.filter(pk__in=list(synergy_ids)).values_list(
            "offer_id", "offer__site__company_id", "need_id", "need_site__company_id"):
        if offer_company in own_companies:
            own.add(offer_id)
        if need_id and need_company in own_companies:
            own.add(need_id)
    caps = {}
    for quantity, unit in Flow.objects.filter(pk__in=own, quantity_base__isnull=False).values_list(
            "quantity_base", "base_unit"):
        key = {"t": "tonnes", "MWh": "mwh", "m3": "m3"}.get(unit or "t")
        if key:
            caps[key] = caps.get(key, 0.0) + quantity
    return caps


def _display(row: dict, approximate: bool, estimated: bool = False, caps: dict | None = None) -> dict:
    """Cells as text: exact figures, or decade brackets when a total would give away a hidden counterpart.

    An ``estimated`` row (the engine's, not measured) shows its CO2e and euros as the cards do
    (``impact.ranges.shown``: the CO2e to the precision of its summed range ``co2e_low``/``co2e_high``
    when the row has one, else two significant digits), so a total of one synergy reads as its card."""
    from django.utils.formats import number_format

    from .present import bracket
    from .words import estimate_text

    cells = {"n": number_format(row["n"], use_l10n=True, force_grouping=True)}
    for key, digits in (("tonnes", 1), ("co2e", 1), ("eur", 0), ("mwh", 0), ("m3", 0)):
        value = row[key]
        if approximate and value:
            # euros as the cards read them: « 100 k€ à 1 M€ »; quantities no higher than the reader's own
            cells[key] = bracket(value, "€" if key == "eur" else "", (caps or {}).get(key))
        elif estimated and key in ("co2e", "eur"):
            cells[key] = estimate_text(value, key, row.get("co2e_low"), row.get("co2e_high"))
        else:
            # A decimal helps a small measured exchange (2,5 t), not 773 573,2 t: the figures above
            # the table, from the same allocation, read 773 573.
            value = round(value, digits if abs(value) < 100 else 0)
            value = int(value) if value == int(value) else value
            cells[key] = number_format(value, decimal_pos=None, use_l10n=True, force_grouping=True)
    return cells


def potential_row(exchanges, ids, hidden_ids=frozenset(), own_companies=frozenset()) -> dict:
    """The potential line: the exchanges of the optimal allocation among the synergies ``ids``."""
    from boucle.matching.potential import figures

    mine = [e for e in exchanges if e.get("synergy_id") in ids]
    f = figures(mine)
    row = {"n": len(mine), "tonnes": f["tonnes_diverted"], "co2e": f["co2e_avoided_t"], "eur": f["eur_saved"],
           "mwh": f["mwh"], "m3": f["m3"]}
    hidden = any(e["synergy_id"] in hidden_ids for e in mine)
    caps = _own_caps({e["synergy_id"] for e in mine}, own_companies) if hidden else None
    row["display"] = _display(row, hidden, estimated=True, caps=caps)
    return row


def impact_summary(synergies, hidden_ids=frozenset(), potential=None, own_companies=frozenset(),
                   running_where=None) -> dict:
    """Potential, engaged, running and verified totals for a queryset of synergies.

    ``potential`` is the allocation whose exchanges the potential line shows (default: the
    platform's); only its exchanges among ``synergies`` count. ``hidden_ids`` are synergies
    whose other company the viewer may not see yet: a total that includes one is shown as a
    bracket, since with a single synergy the total *is* that synergy's estimate; with
    ``own_companies`` (the reader's), a bracket of quantities stops at their own flows' total.
    ``running_where`` (a Q) narrows the running line as the observatory counts it for a territory: where
    the offering site is (a facilitator's table then reads the observatory's figure).
    """
    from boucle.matching.models import Synergy
    from boucle.matching.territory_potential import potential_of

    qs = Synergy.objects.filter(pk__in=synergies.values("pk"))  # one subquery, not a list of ids

    def sums(q):
        group = qs.filter(q)
        row = {"n": 0, "co2e": 0, "eur": 0, "tonnes": 0, "mwh": 0, "m3": 0}
        for kind, n, co2e, eur, quantity, tonnes in (group.values_list("offer__kind").order_by().annotate(
                Count("id"), Sum("co2e_avoided_t"), Sum("eur_saved"), Sum("quantity_t"), Sum("tonnes_diverted"))):
            row["n"] += n
            row["co2e"] += co2e or 0
            row["eur"] += eur or 0
            if kind == "material":
                row["tonnes"] += tonnes or 0
            elif kind == "energy":
                row["mwh"] += quantity or 0
            elif kind == "water":
                row["m3"] += quantity or 0
        # the CO2e range of the total: the sum of the cards' lows and highs (one synergy: its card's precision)
        lows = highs = 0.0
        for explanation in group.values_list("explanation", flat=True).iterator():
            e = explanation if isinstance(explanation, dict) else {}
            if e.get("co2e_low_t") is None or e.get("co2e_high_t") is None:
                lows = highs = None
                break
            lows, highs = lows + e["co2e_low_t"], highs + e["co2e_high_t"]
        if lows is not None and row["n"]:
            row["co2e_low"], row["co2e_high"] = lows, highs
        pks = set(group.values_list("pk", flat=True))
        hidden = bool(hidden_ids) and bool(hidden_ids & pks)
        row["display"] = _display(row, hidden, estimated=True, caps=_own_caps(pks, own_companies) if hidden else None)
        return row

    latest = {}
    for outcome in VerifiedOutcome.objects.filter(synergy__in=qs).order_by("recorded_at", "id"):
        latest[outcome.synergy_id] = outcome  # the latest measurement of each synergy counts
    verified = {"n": len(latest), "tonnes": sum(o.tonnes_per_year or 0 for o in latest.values()),
                "eur": sum(o.eur_per_year or 0 for o in latest.values()),
                "co2e": sum(o.co2e_avoided_t_per_year or 0 for o in latest.values()),
                "mwh": sum(o.mwh_per_year or 0 for o in latest.values()),
                "m3": sum(o.water_m3_per_year or 0 for o in latest.values())}
    verified["display"] = _display(verified, False)  # measured outcomes are recorded after the reveal
    if potential is None:
        potential = potential_of(None)
    used = [e["synergy_id"] for e in potential.exchanges]
    in_scope = set()
    for start in range(0, len(used), 5000):
        in_scope |= set(qs.filter(pk__in=used[start:start + 5000]).values_list("pk", flat=True))
    return {"potential": potential_row(potential.exchanges, in_scope, hidden_ids, own_companies),
            "engaged": sums(Q(status__in=lifecycle.ACTIVE)),
            # the observatory's, the report's and the exports' « estimé » figure: running synergies only
            "running": sums(Q(status=lifecycle.RUNNING) & (running_where or Q())),
            "verified": verified,
            "by_status": dict(qs.values_list("status").annotate(n=Count("id")).order_by())}
