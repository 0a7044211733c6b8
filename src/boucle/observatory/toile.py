"""The toile industrielle of a territory, read from the database (see ``sankey``)."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from boucle.flows.models import Flow
from boucle.matching import lifecycle
from boucle.matching.models import Synergy
from boucle.reference.models import ActivityCode
from boucle.web.present import material_label

from . import sankey

STATUS_SETS = {
    "open": [lifecycle.SUGGESTED, lifecycle.CONTACTED, lifecycle.IN_DISCUSSION, lifecycle.TRIAL, lifecycle.RUNNING],
    "active": sorted(lifecycle.ACTIVE),
    "running": [lifecycle.RUNNING],
}


@lru_cache(maxsize=2)
def _divisions(lang: str) -> dict[str, str]:
    rows = ActivityCode.objects.filter(level="division").values_list("code", "label_fr", "label_en")
    return {code: (en or fr) if lang == "en" else fr for code, fr, en in rows}


def label(column: int, code: str) -> str:
    if code == sankey.DISPOSAL:
        return _("élimination / filière actuelle")
    if code == sankey.UNKNOWN:
        return _("activité inconnue") if column != 1 else _("matière non classée")
    if column == 1:
        return material_label(code)
    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    return f"{code} {_divisions(lang).get(code, '')}".strip()


def offers_queryset(ref, material: str | None = None):
    qs = Flow.objects.filter(site__commune__in=ref.communes().values("insee"), site__closed=False,
                             direction=Flow.Direction.OFFER, base_unit="t", quantity_base__gt=0)
    return qs.filter(material_class=material) if material else qs


def synergies_queryset(offers, statuses: str = "open"):
    return (Synergy.objects.filter(offer__in=offers, status__in=STATUS_SETS.get(statuses, STATUS_SETS["open"]))
            .exclude(stale=True, status=lifecycle.SUGGESTED))


def territory_sankey(ref, material: str | None = None, statuses: str = "open") -> dict:
    """Tonnes per year from producing activities to materials to receivers or disposal."""
    offers = offers_queryset(ref, material)
    offer_rows = [(pk, (naf or "")[:2], mat, q) for pk, naf, mat, q in
                  offers.values_list("id", "site__naf_id", "material_class", "quantity_base")]
    syn_rows = [(offer, (naf or "")[:2], q) for offer, naf, q in
                synergies_queryset(offers, statuses).values_list("offer_id", "need_site__naf_id", "quantity_t")]
    return sankey.build(offer_rows, syn_rows, label)


def underlying(ref, node: str, material: str | None = None, statuses: str = "open"):
    """The offers behind a node of the diagram (``p:24``, ``m:slag``, ``r:23``, ``r:disposal``)."""
    column, _, code = node.partition(":")
    offers = offers_queryset(ref, material).select_related("site", "site__company", "site__commune")
    synergies = synergies_queryset(offers_queryset(ref, material), statuses)
    code_q = Q() if code == sankey.UNKNOWN else None
    if column == "p":
        offers = offers.filter(Q(site__naf__isnull=True) if code_q is not None else Q(site__naf__code__startswith=code))
    elif column == "m":
        offers = offers.filter(material_class="" if code == sankey.UNKNOWN else code)
    elif column == "r" and code == sankey.DISPOSAL:
        full = {}
        for offer_id, q in synergies.values_list("offer_id", "quantity_t"):
            full[offer_id] = full.get(offer_id, 0.0) + (q if q is not None else float("inf"))
        offers = [o for o in offers if full.get(o.pk, 0.0) < (o.quantity_base or 0)]
    elif column == "r":
        receivers = synergies.filter(Q(need_site__naf__isnull=True) if code_q is not None
                                     else Q(need_site__naf__code__startswith=code))
        offers = offers.filter(pk__in=receivers.values("offer_id"))
    else:
        return []
    return list(offers)[:500]
