"""Each role's home after login, and the facilitator's paged synergy list.

The dashboards answer "what needs me today?": synergies waiting for the facilitator,
companies that answered, new flows; for a company, its flows, the new proposals and
the answers it still owes. Territory-wide figures come from one place
(``territory_potential``) and are kept per data version (``boucle.web.snapshots``).
"""

import datetime as dt

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boucle.accounts.access import facilitated_q, member_company_ids
from boucle.flows.models import Flow, takeable_offer
from boucle.matching import lifecycle, services
from boucle.matching.models import Synergy

from .present import KIND_LABELS, STATUS_LABELS, material_classes, material_label, synergy_card
from .snapshots import remembered

PAGE_SIZE = 25
RECENT_DAYS = 30
_RANK = {s: i for i, s in enumerate(lifecycle.STATUSES)}
# key → (label, sort key over a list row); a leading "-" in ?tri= reverses the order.
# Row: (id, score, co2e, tonnes, distance_km, epci name, status, updated_at, offer_interest, need_interest)
SORTS = {
    "score": (_("pertinence"), lambda r: (-r[1], r[0])),
    "co2e": (_("CO₂e évitées"), lambda r: (r[2] is None, -(r[2] or 0), r[0])),
    "tonnes": (_("tonnes"), lambda r: (r[3] is None, -(r[3] or 0), r[0])),
    "distance": (_("distance"), lambda r: (r[4], r[0])),
    "epci": (_("EPCI"), lambda r: (r[5] is None, (r[5] or "").casefold(), r[0])),
    "status": (_("statut"), lambda r: (_RANK.get(r[6], 99), -r[1], r[0])),
    "date": (_("date"), lambda r: (-r[7].timestamp(), -r[0])),
}


def _list_rows(user) -> list[tuple]:
    """The sortable columns of every synergy the user may open, read in one query.

    Filtering the territory through sites, communes and départements costs a region's
    facilitator a few hundred milliseconds per query, paging and sorting included; the
    rows are read once per data version (``remembered``) and every page, sort and status
    filter is then cut from them in memory.
    """
    qs = services.visible_synergies(user).filter(stale=False).select_related(None)
    return list(qs.values_list("id", "score", "co2e_avoided_t", "tonnes_diverted", "distance_km",
                               "offer__site__commune__epci__name", "status", "updated_at", "offer_interest",
                               "need_interest"))


def territory_potential(user) -> dict:
    """The territory's figures and potential: the one place the dashboards ask for them.

    One territory: its own potential (``boucle.matching.territory_potential``, the figure of
    its card and of the observatory); several: the platform's allocation, of which the
    exchanges among the synergies this facilitator sees. Kept per data version, grants and
    language (the totals carry formatted text).
    """
    from django.utils.translation import get_language

    from boucle.matching.territory_potential import potential_of
    from boucle.territories.refs import TerritoryError, resolve

    from .impact import impact_summary
    from .indicators import territory_indicators

    def compute():
        refs = []
        for facilitation in user.facilitations.all():
            try:
                refs.append(resolve(facilitation.ref))
            except TerritoryError:
                continue
        potential = potential_of(refs[0]) if len(refs) == 1 else None
        # running synergies counted where the offering site is, as the observatory counts them
        where = _territory_sites_q(user, "offer__site__commune__")
        return {"impact": impact_summary(services.visible_synergies(user), potential=potential, running_where=where),
                "indicators": [territory_indicators(ref, disclose_all=True) for ref in refs]}

    return remembered("territory-potential", user, compute, get_language())


def _territory_sites_q(user, prefix):
    return Q() if user.is_superuser else facilitated_q(user, prefix=prefix)


def _material_keys(text: str) -> list[str]:
    text = text.lower()
    return [k for k, v in material_classes().items()
            if text in k or text in v["label_fr"].lower() or text in v["label_en"].lower()]


def search_synergies(qs, text: str):
    """Material (French or English label), company, site or EPCI name containing ``text``."""
    text = text.strip()
    if not text:
        return qs
    q = (Q(offer__site__company__name__icontains=text) | Q(need_site__company__name__icontains=text)
         | Q(offer__site__name__icontains=text) | Q(need_site__name__icontains=text)
         | Q(offer__site__commune__epci__name__icontains=text) | Q(need_site__commune__epci__name__icontains=text)
         | Q(offer__label__icontains=text))
    keys = _material_keys(text)
    if keys:
        q |= Q(material_class__in=keys)
    return qs.filter(q)


def _short(side: dict) -> str:
    site = side["site"]
    if site["anonymous"]:
        return f"{site['label']}, {site['area']}" if site.get("area") else str(site["label"])
    return f"{site['company']} — {site['commune']}" if site.get("commune") else site["company"]


def _with_links(indicators: dict) -> dict:
    """The territory's figures with where their method and the observatory's page are (one click away)."""
    from django.urls import reverse

    level, _sep, code = indicators["territory"].partition(":")
    return {**indicators, "method_url": reverse("observatory:territory-report", args=[level, code]) + "#method",
            "observatory_url": reverse("observatory:territory", args=[level, code])}


def synergy_rows(user, ids) -> list[dict]:
    """Cards for these synergy ids, in this order, with the short labels and answers lists show."""
    rows = services._with_sites(Synergy.objects.select_related("offer", "need").in_bulk(ids))
    out = []
    for i in ids:
        if i not in rows:
            continue
        synergy = rows[i]
        commune = synergy.offer.site.commune
        card = synergy_card(user, synergy)
        partner = card["need"] if card["side"] == "offer" else card["offer"]
        card.update({"updated_at": synergy.updated_at, "from": _short(card["offer"]), "to": _short(card["need"]),
                     "partner": _short(partner) if card["side"] else "",
                     # where an anonymous partner is, for a line grouping several of them
                     "partner_anonymous": bool(card["side"]) and partner["site"]["anonymous"],
                     "partner_area": (partner["site"].get("area") or "") if card["side"] and partner["site"]["anonymous"]
                     else "",
                     # the offering site's intercommunality, as its card tells it (none for an anonymous site
                     # whose area is wider)
                     "epci": (card["offer"]["site"].get("epci") or "") if card["offer"]["site"]["anonymous"]
                     else commune.epci.name if commune is not None and commune.epci_id else "",
                     "offer_interest": synergy.offer_interest, "need_interest": synergy.need_interest})
        out.append(card)
    return out


def synergy_list(request):
    """All the synergies of the facilitator's territories, 25 a page, sortable and searchable."""
    user = request.user
    rows = remembered("synergy-list-rows", user, lambda: _list_rows(user))
    status = request.GET.get("statut", "")
    if status in lifecycle.STATUSES:
        rows = [r for r in rows if r[6] == status]
    text = request.GET.get("q", "")[:100].strip()
    if text:
        matched = set(search_synergies(Synergy.objects.filter(stale=False), text).values_list("id", flat=True))
        rows = [r for r in rows if r[0] in matched]
    sort = request.GET.get("tri", "score")
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "score", "score"
    rows = sorted(rows, key=SORTS[key][1], reverse=sort.startswith("-"))
    paginator = Paginator(rows, PAGE_SIZE)
    number = request.GET.get("page") or 1
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    except (ValueError, TypeError, PageNotAnInteger):
        page = paginator.page(1)
    cards = synergy_rows(user, [r[0] for r in page.object_list])
    params = {k: v for k, v in (("q", text), ("statut", status), ("tri", sort)) if v}
    columns = [(k, label, sort.lstrip("-") == k) for k, (label, _o) in SORTS.items()]
    return render(request, "web/facilitator/synergies.html", {
        "rows": cards, "page": page, "paginator": paginator, "q": text, "status": status, "sort": sort,
        "columns": columns, "params": params,
        "statuses": [(s, STATUS_LABELS[s]) for s in lifecycle.STATUSES]})


def facilitator_dashboard(request):
    user = request.user
    rows = remembered("synergy-list-rows", user, lambda: _list_rows(user))
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    answered = sorted((r for r in rows if r[8] is not None or r[9] is not None), key=SORTS["date"][1])
    # Waiting for the facilitator: a company said yes, and the synergy has not moved past first contact, or it is
    # in discussion while the other company's yes (needed for a trial) is still missing: she chases it or invites
    # someone from that company.
    waiting_ids = [r[0] for r in answered if (r[8] or r[9]) and (
        r[6] in (lifecycle.SUGGESTED, lifecycle.CONTACTED) or (r[6] == lifecycle.IN_DISCUSSION and not (r[8] and r[9])))][:10]
    answered_ids = [r[0] for r in answered if r[7] >= since][:10]
    best_ids = [r[0] for r in sorted((r for r in rows if r[6] == lifecycle.SUGGESTED), key=SORTS["score"][1])[:5]]
    flows_q = _territory_sites_q(user, "site__commune__")
    new_flows = []
    if flows_q is not None:
        new_flows = list(Flow.objects.filter(flows_q, declared_at__gte=since).exclude(source="demo")
                         .select_related("site__company", "site__commune").order_by("-declared_at", "-id")[:10])
    for flow in new_flows:
        flow.material = material_label(flow.material_class) or flow.label
        flow.kind_label = KIND_LABELS.get(flow.kind, flow.kind)
    return render(request, "web/facilitator/dashboard.html", {
        "waiting": synergy_rows(user, waiting_ids), "answered": synergy_rows(user, answered_ids),
        "best": synergy_rows(user, best_ids), "new_flows": new_flows, "recent_days": RECENT_DAYS})


def territory_figures(request):
    """The territory's figures, apart from the dashboard: summing a region's synergies takes seconds
    after a change, and the dashboard's lists should not wait for it (htmx loads this block)."""
    figures = territory_potential(request.user)
    impact = figures["impact"]
    context = {"impact": impact, "indicators": [_with_links(t) for t in figures["indicators"]],
               "by_status": [(STATUS_LABELS[s], impact["by_status"].get(s, 0)) for s in lifecycle.STATUSES]}
    if request.headers.get("HX-Request"):
        return render(request, "web/facilitator/_figures.html", context)
    return render(request, "web/facilitator/figures.html", context)


NEW_PROPOSALS_READ, NEW_PROPOSAL_LINES = 30, 6  # read a few more than shown, to group them


def proposal_lines(rows: list[dict]) -> list[dict]:
    """New proposals as a company manager reads them: those that read alike (same material, same side,
    same partner as shown — often « Entreprise anonyme » of one intercommunality — same distance) are one
    line with their count, the best first; three identical lines told nothing more than one."""
    lines: dict[tuple, dict] = {}
    for row in rows:
        key = (row["material"], row["side"], row["partner"] or (row["from"], row["to"]), row["distance"])
        line = lines.setdefault(key, {**row, "count": 0})
        line["count"] += 1
    for line in lines.values():
        if line["count"] > 1:  # n ≥ 2: one plural form in French and English
            towards = line["side"] != "need"
            if line["partner_area"]:
                # the area after a dash: « de Nord (59) » would not read, whatever the area's kind
                text = (_("%(n)d propositions vers des entreprises non nommées — %(area)s") if towards
                        else _("%(n)d propositions depuis des entreprises non nommées — %(area)s"))
            elif line["partner_anonymous"]:
                text = (_("%(n)d propositions vers des entreprises non nommées") if towards
                        else _("%(n)d propositions depuis des entreprises non nommées"))
            else:
                text = _("%(n)d propositions vers %(partner)s") if towards else _("%(n)d propositions depuis %(partner)s")
            line["summary"] = str(text) % {"n": line["count"], "area": line["partner_area"], "partner": line["partner"]}
    return list(lines.values())


def company_dashboard(request):
    from django.db.models import Count

    from boucle.accounts.access import admin_company_ids
    from boucle.flows.models import Company, Site

    user = request.user
    companies = Company.objects.filter(pk__in=member_company_ids(user)).order_by("name")
    company_ids = member_company_ids(user)
    sites = (Site.objects.filter(company__in=company_ids).select_related("company", "commune")
             .annotate(n_offers=Count("flows", filter=takeable_offer("flows__")),
                       n_needs=Count("flows", filter=Q(flows__direction="need"))).order_by("company__name", "name"))
    mine = (services.visible_synergies(user).filter(stale=False)
            .filter(Q(offer__site__company_id__in=company_ids) | Q(need_site__company_id__in=company_ids)))
    awaiting = mine.select_related(None).exclude(status__in=[lifecycle.DECLINED, lifecycle.STOPPED]).filter(
        (Q(offer__site__company_id__in=company_ids) & Q(offer_interest__isnull=True))
        | (Q(need_site__company_id__in=company_ids) & Q(need_interest__isnull=True)))
    # put in touch and still without this company's yes: contact taken, and also in discussion (a company invited
    # then, or whose yes was withdrawn), the trial waiting for it
    awaiting_ids = list(awaiting.filter(status__in=lifecycle.ACTIVE).order_by("-updated_at")
                        .values_list("id", flat=True)[:10])
    new_ids = list(awaiting.filter(status=lifecycle.SUGGESTED).order_by("-score", "id")
                   .values_list("id", flat=True)[:NEW_PROPOSALS_READ])
    flows = list(Flow.objects.filter(site__company_id__in=company_ids).select_related("site")
                 .order_by("-id")[:15])
    for flow in flows:
        flow.material = material_label(flow.material_class)
        flow.kind_label = KIND_LABELS.get(flow.kind, flow.kind)
    from .company_views import company_impact_summary

    return render(request, "web/company/home.html", {
        "companies": companies, "sites": sites, "admin_ids": admin_company_ids(user),
        "awaiting": synergy_rows(user, awaiting_ids), "flows": flows,
        "new": proposal_lines(synergy_rows(user, new_ids))[:NEW_PROPOSAL_LINES],
        "impact": company_impact_summary(user), "n_flows": Flow.objects.filter(site__company_id__in=company_ids).count(),
        # the same synergies as the "Synergies proposées" page, not the potential's exchanges
        "n_proposed": mine.count()})
