"""What an expert checks first in a list of proposals, counted (pure: no Django).

`audit` takes the rows of ``boucle match --format jsonl`` and what the database says about the
offers and the sites, and counts the proposals nobody should ever see:

- a hazardous offer sent to a site whose activity is not authorised to receive that waste
  (``knowledge/data/hazardous_receivers.csv``: IED Annex I, ICPE rubriques, BREFs), and in
  particular to a non-hazardous waste operator (NACE 38.11 collection, 38.21 treatment and
  disposal of non-hazardous waste);
- a proposal whose offer is a yearly total over several wastes (iREP's « Déchets dangereux
  (total déclaré) »): information, not a material anyone can take;
- a resale from one recycler or waste operator to another (offer from NACE 38 or 46.77 to a
  receiver in NACE 38, 39 or 46.77): a sorted secondary material goes to a user of it;
- energy or water given in tonnes;
- more receivers per offer than a facilitator can read.

``scripts/audit_match_output.py`` runs it on a database and a jsonl file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .knowledge.infer import may_receive_hazardous
from .knowledge.naf import normalise_naf

WASTE_SECTOR = ("38", "39", "46.77")
NON_HAZARDOUS_OPERATORS = ("38.11", "38.21")


@dataclass(frozen=True)
class OfferFacts:
    hazardous: bool
    kind: str  # material | energy | water | ...
    label: str


@dataclass(frozen=True)
class SiteFacts:
    naf: str | None
    activity: str | None


def _in(naf: str | None, prefixes: tuple[str, ...]) -> bool:
    code = normalise_naf(naf) or ""
    return bool(code) and any(code == p or code.startswith(p + ".") or code.startswith(p) and len(p) == 5
                              for p in prefixes)


def audit(rows: list[dict], offers: dict[str, OfferFacts], sites: dict[str, SiteFacts]) -> dict:
    from boucle.materials.classify import is_total_label

    per_offer: Counter = Counter()
    hazardous_unable = hazardous_to_non_hazardous_operator = from_totals = resales = energy_water_t = 0
    for r in rows:
        offer = offers[str(r["offer_flow_id"])]
        giver, taker = sites[r["offer_site_id"]], sites[r["need_site_id"]]
        per_offer[str(r["offer_flow_id"])] += 1
        if offer.hazardous:
            if not may_receive_hazardous(taker.naf, taker.activity, r["material_class"]):
                hazardous_unable += 1
            if _in(taker.naf, NON_HAZARDOUS_OPERATORS):
                hazardous_to_non_hazardous_operator += 1
        if is_total_label(offer.label):
            from_totals += 1
        if _in(giver.naf, WASTE_SECTOR) and _in(taker.naf, WASTE_SECTOR):
            resales += 1
        if offer.kind in ("energy", "water") and r.get("unit") == "t":
            energy_water_t += 1
    n = len(rows)
    return {
        "proposals": n,
        "offers_with_proposals": len(per_offer),
        "max_proposals_per_offer": max(per_offer.values(), default=0),
        "mean_proposals_per_offer": round(n / len(per_offer), 3) if per_offer else 0.0,
        "hazardous_to_unauthorised_site": hazardous_unable,
        "hazardous_to_non_hazardous_waste_operator": hazardous_to_non_hazardous_operator,
        "from_totals": from_totals,
        "recycler_to_recycler": resales,
        "recycler_to_recycler_share": round(resales / n, 4) if n else 0.0,
        "energy_or_water_in_tonnes": energy_water_t,
    }
