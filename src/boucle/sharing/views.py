"""Pages of shared equipment: the anonymised catalogue, declaring, booking, and the facilitators'
micro-factory view (equipment per EPCI and category)."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boucle.accounts.access import is_facilitator, member_company_ids, sites_in_full_view
from boucle.flows.models import Company, Site

from . import access, calendar, services
from .forms import REQUEST_ERRORS, BookingForm, EquipmentForm, error_text
from .models import Booking, Equipment

MAX_LISTED = 300


def _equipment():
    return Equipment.objects.select_related("site__commune__epci", "company")


@login_required
def equipment_list(request):
    """Every active offer and need, anonymised unless the user may see it in full; nearest first."""
    category = request.GET.get("category", "")
    qs = _equipment().filter(Q(active=True) | Q(company_id__in=member_company_ids(request.user)))
    if category in Equipment.Category.values:
        qs = qs.filter(category=category)
    points = access.origins(request.user)
    cards = [access.card(e, request.user, points) for e in qs[:MAX_LISTED]]
    cards.sort(key=lambda c: (c["distance_rank"], c["pk"]))
    return render(request, "sharing/list.html", {
        "offers": [c for c in cards if c["direction"] == "offer"],
        "needs": [c for c in cards if c["direction"] == "need"],
        "categories": Equipment.Category.choices, "category": category,
        "can_declare": bool(member_company_ids(request.user)), "is_facilitator": is_facilitator(request.user)})


def _own_sites(user):
    return Site.objects.filter(company_id__in=member_company_ids(user)).select_related("company").order_by("name")


@login_required
def equipment_create(request):
    sites = _own_sites(request.user)
    if not sites.exists():
        raise PermissionDenied
    form = EquipmentForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        equipment = form.save()
        messages.success(request, _("Équipement enregistré."))
        return redirect("sharing:detail", pk=equipment.pk)
    return render(request, "sharing/form.html", {"form": form}, status=400 if form.errors else 200)


def _visible(request, pk):
    equipment = get_object_or_404(_equipment(), pk=pk)
    if not equipment.active and not access.is_owner(request.user, equipment) and access.level(
            request.user, equipment) != "full":
        raise Http404
    return equipment


@login_required
def equipment_detail(request, pk):
    equipment = _visible(request, pk)
    return _detail_page(request, equipment, None)


def _detail_page(request, equipment, form, status=200):
    user = request.user
    companies = Company.objects.filter(pk__in=access.requesting_companies(user, equipment)).order_by("name")
    if form is None and companies:
        form = BookingForm(companies=companies)
    owner = access.is_owner(user, equipment)
    level = access.level(user, equipment)
    if level == "full":
        bookings = equipment.bookings.select_related("company")
    else:
        bookings = equipment.bookings.filter(company_id__in=member_company_ids(user)).select_related("company")
    bookings = list(bookings.select_related("equipment"))
    access.requester_names(user, bookings)
    return render(request, "sharing/detail.html", {
        "card": access.card(equipment, user, lvl=level), "equipment": equipment, "owner": owner,
        "form": form if companies else None, "bookings": bookings}, status=status)


@login_required
def equipment_edit(request, pk):
    equipment = get_object_or_404(_equipment(), pk=pk)
    if not access.is_owner(request.user, equipment):
        raise PermissionDenied
    form = EquipmentForm(request.POST or None, instance=equipment, sites=_own_sites(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Équipement modifié."))
        return redirect("sharing:detail", pk=equipment.pk)
    return render(request, "sharing/form.html", {"form": form, "equipment": equipment},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def booking_request(request, pk):
    equipment = _visible(request, pk)
    companies = Company.objects.filter(pk__in=access.requesting_companies(request.user, equipment))
    if not companies.exists():
        raise PermissionDenied
    form = BookingForm(request.POST, companies=companies)
    if form.is_valid():
        try:
            services.request_booking(equipment, companies.get(pk=form.cleaned_data["company"]), request.user,
                                     starts_on=form.cleaned_data["starts_on"], ends_on=form.cleaned_data["ends_on"],
                                     message=form.cleaned_data["message"])
            messages.success(request, _("Demande envoyée au propriétaire."))
            return redirect("sharing:detail", pk=equipment.pk)
        except calendar.CalendarError as error:
            form.add_error("ends_on" if error.code in ("overlap", "outside_windows", "too_long") else "starts_on",
                           error_text(REQUEST_ERRORS, error))
    return _detail_page(request, equipment, form, status=400)


@login_required
def booking_list(request):
    """Requests the user's companies sent and received."""
    companies = member_company_ids(request.user)
    sent = (Booking.objects.filter(company_id__in=companies).select_related("equipment__site__commune__epci",
                                                                            "equipment__company", "company"))
    received = (Booking.objects.filter(equipment__company_id__in=companies)
                .select_related("equipment", "company").order_by("status", "starts_on"))
    points = access.origins(request.user)
    sent_rows = [(b, access.card(b.equipment, request.user, points)) for b in sent]
    return render(request, "sharing/bookings.html", {"sent": sent_rows, "received": received})


@login_required
@require_POST
def booking_decide(request, pk):
    """The owner accepts or declines; the requester may cancel its own request."""
    booking = get_object_or_404(Booking.objects.select_related("equipment"), pk=pk)
    if not access.can_read_booking(request.user, booking):
        raise Http404
    action = request.POST.get("action", "")
    owner = access.is_owner(request.user, booking.equipment)
    requester = booking.company_id in member_company_ids(request.user)
    if not (action in ("accept", "decline") and owner or action == "cancel" and requester):
        raise PermissionDenied
    try:
        if action == "cancel":
            services.cancel(booking, request.user)
        else:
            services.decide(booking, request.user, accept=action == "accept")
        messages.success(request, _("Réservation mise à jour."))
    except calendar.CalendarError as error:
        messages.error(request, error_text(REQUEST_ERRORS, error))
    return redirect("sharing:detail", pk=booking.equipment_id)


@login_required
def microfactory(request):
    """Equipment of the facilitator's territories per EPCI and category: the shared means of a micro-factory."""
    if not is_facilitator(request.user):
        raise PermissionDenied
    equipment = list(_equipment().filter(site__in=sites_in_full_view(request.user))
                     .order_by("site__commune__epci__name", "category", "name"))
    table = defaultdict(lambda: defaultdict(lambda: {"offer": 0, "need": 0}))
    for e in equipment:
        epci = e.site.commune.epci.name if e.site.commune and e.site.commune.epci else "—"
        table[epci][e.get_category_display()][e.direction] += 1
    rows = [(epci, sorted(cats.items())) for epci, cats in sorted(table.items())]
    bookings = list(Booking.objects.filter(equipment__in=[e.pk for e in equipment])
                    .select_related("equipment", "company").order_by("-starts_on")[:200])
    access.requester_names(request.user, bookings)
    return render(request, "sharing/microfactory.html", {"rows": rows, "equipment": equipment, "bookings": bookings})
