"""The skills pages.

- Facilitators: for one of their territories, the needs with the training offers within
  commuting distance, the pools (several companies sharing one need) and the unmet needs per EPCI.
- Company members: their sites' needs and offers, a form to declare one, the training offers near
  each need, and — without any name — whether other companies nearby share the need.
- Everyone signed in: the list of training offers and apprenticeships.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from boucle.accounts.access import member_company_ids
from boucle.flows import fields as F
from boucle.flows.models import Site

from . import services
from .models import LEVEL_CHOICES, SkillDeclaration, TrainingOffer


def can_view_territory(user, ref) -> bool:
    from boucle.observatory.views import can_view_territory as allowed

    return allowed(user, ref)


def _facilitator_refs(user) -> list[tuple[str, str]]:
    from boucle.territories.refs import TerritoryError, resolve

    out = []
    for f in user.facilitations.all():
        try:
            ref = resolve(f.ref)
        except TerritoryError:
            continue
        out.append((str(ref), ref.name))
    return out


def _company_view(user, doc_by_region) -> list[dict]:
    """The member's own needs, each with its training offers, anonymous offers and pool size."""
    own = set(member_company_ids(user))
    rows = []
    for doc in doc_by_region:
        pools = {p["id"]: p for p in doc["pools"]}
        for need in doc["needs"]:
            if need["company_id"] not in own:
                continue
            pool = pools.get(need["pool"])
            rows.append({**need, "offers": [{"label": o["label"], "distance_km": o["distance_km"]} for o in need["offers"]],
                         "pool_companies": (pool["companies"] - 1) if pool else 0})
    return rows


def _regions_with_needs() -> list[tuple[str, str]]:
    from boucle.territories.models import Region

    codes = SkillDeclaration.objects.filter(site__commune__isnull=False).values_list(
        "site__commune__departement__region_id", flat=True).distinct()
    return [(f"region:{r.code}", r.name) for r in Region.objects.filter(code__in=set(codes)).order_by("name")]


@login_required
def skills_page(request):
    user = request.user
    refs = _facilitator_refs(user) if not user.is_superuser else _regions_with_needs()
    chosen = request.GET.get("territory") or (refs[0][0] if refs else "")
    context = {"refs": refs, "chosen": chosen, "doc": None, "error": None, "own": [], "form": None,
               "levels": LEVEL_CHOICES, "romes": sorted(services.rome_labels().items())}
    if refs:
        from boucle.territories.refs import TerritoryError, resolve

        try:
            ref = resolve(chosen)
            if not can_view_territory(user, ref):
                raise TerritoryError(chosen)
            context["doc"] = services.for_viewer(services.match_territory(chosen), user)
        except (TerritoryError, services.SkillsError):
            context["error"] = _("Territoire inconnu ou hors de vos territoires.")
    companies = member_company_ids(user)
    if companies:
        sites = Site.objects.filter(company_id__in=companies).select_related("commune__departement")
        regions = sorted({s.commune.departement.region_id for s in sites if s.commune_id})
        docs = [services.match_territory(f"region:{code}") for code in regions]
        context["own"] = _company_view(user, docs)
        context["own_offers"] = SkillDeclaration.objects.filter(site__company_id__in=companies, direction="offer")
        context["sites"] = sites
    return render(request, "skills/skills.html", context)


@login_required
def declare(request):
    """A company member declares a need or an offer for one of the company's sites (POST)."""
    if request.method != "POST":
        return redirect("skills:home")
    site = Site.objects.filter(site_id=request.POST.get("site_id", ""), company_id__in=member_company_ids(request.user)).first()
    if site is None:  # the form lists the company's own sites only: anything else is refused
        raise Http404
    try:
        values = services.clean_declaration(request.POST.dict())
    except F.CellError as exc:
        messages.error(request, str(exc))
        return redirect("skills:home")
    services.save_declarations([(site, values)], source="form", user=request.user)
    messages.success(request, _("Besoin enregistré.") if values["direction"] == "need" else _("Compétence enregistrée."))
    return redirect("skills:home")


@login_required
def trainings_page(request):
    trainings = list(TrainingOffer.objects.select_related("commune").order_by("commune__name", "title"))
    for t in trainings:
        t.jobs = [f"{services.rome_label(code)} ({code})" if services.rome_label(code) else code for code in t.rome_codes]
    return render(request, "skills/trainings.html", {"trainings": trainings})
