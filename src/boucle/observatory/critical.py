"""Critical raw materials flowing in a territory: tonnes per year of the declared flows whose
material class contains a critical raw material of Regulation (EU) 2024/1252, per material.

A flow is counted whole under every critical material its class contains (a tonne of NMC
batteries counts under lithium, nickel, cobalt...): the figure says how much declared material
*carries* the element, not how much of the element it holds (no grade is known). Public figures
go through ``disclosure.disclose`` per company. Pure: no Django.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from .disclosure import MIN_COMPANIES, disclose


def crm_figures(rows: Iterable[tuple[object, str, str, float]], crms_of_class: Mapping[str, Iterable[str]],
                public: bool) -> dict[str, dict]:
    """``rows``: (company, direction 'offer'|'need', class key, tonnes per year).

    Returns crm key -> {offers_t, needs_t, companies, classes}; with ``public`` a tonnage that
    fails the disclosure rule is None, and fewer than three companies are not counted nor their
    materials named (None and [])."""
    per: dict[str, dict] = {}
    for company, direction, key, tonnes in rows:
        for crm in crms_of_class.get(key, ()):
            fig = per.setdefault(crm, {"offer": defaultdict(float), "need": defaultdict(float), "classes": set()})
            if direction in ("offer", "need") and tonnes:
                fig[direction][company] += float(tonnes)
                fig["classes"].add(key)
    out = {}
    for crm, fig in per.items():
        if not fig["classes"]:
            continue
        total = (disclose if public else lambda v: float(sum(v.values())))
        companies = len({c for c, t in (*fig["offer"].items(), *fig["need"].items()) if t})
        hidden = public and companies < MIN_COMPANIES
        out[crm] = {"offers_t": total(fig["offer"]), "needs_t": total(fig["need"]),
                    "companies": None if hidden else companies, "classes": [] if hidden else sorted(fig["classes"])}
    return out
