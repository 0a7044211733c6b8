"""Workshop mode: a facilitator types the flows of several companies during a meeting.

Facilitators run these meetings with paper cards, one card per flow; the page
mirrors that: one row per card, any site of the territory on any row, rows added
as the cards come. Every row is validated like the company form; valid rows are
saved and invalid ones come back with their errors, so nothing typed is lost.
"""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boucle.accounts.access import sites_in_full_view

from .facilitator_views import facilitator_required
from .flow_forms import FlowForm

MAX_ROWS = 60
INITIAL_ROWS = 3


class WorkshopRowForm(FlowForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("confidential")
        self.fields["site"].label_from_instance = lambda s: f"{s.company.name} — {s.name}"
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean(self):
        data = super().clean()
        data["confidential"] = True  # a card filled in a meeting is confidential until the company says otherwise
        return data

    def is_blank(self) -> bool:
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in ("label", "quantity", "ewc"))


def _sites(user):
    return sites_in_full_view(user).select_related("company").order_by("company__name", "name")[:2000]


def _row(data, index, sites):
    return WorkshopRowForm(data, sites=sites, prefix=f"row-{index}")


@facilitator_required
def workshop(request):
    sites = sites_in_full_view(request.user).select_related("company").order_by("company__name", "name")
    if request.method == "POST":
        indexes = sorted({int(k.split("-")[1]) for k in request.POST if k.startswith("row-") and
                          k.split("-")[1].isdigit()})[:MAX_ROWS]
        rows = [_row(request.POST, i, sites) for i in indexes]
        filled = [r for r in rows if not r.is_blank()]
        valid = []
        for row in (r for r in filled if r.is_valid()):
            try:
                with transaction.atomic():  # a savepoint per card: a duplicate card fails alone
                    row.save(source="workshop", author=request.user)
                valid.append(row)
            except IntegrityError:
                row.add_error(None, _("Ce site déclare déjà ce flux (même sens, type, libellé et code)."))
        kept = [r for r in filled if r not in valid]
        if valid:
            messages.success(request, ngettext("%(n)d flux enregistré.", "%(n)d flux enregistrés.", len(valid))
                             % {"n": len(valid)})
        if not kept:
            return redirect("workshop")
        messages.error(request, ngettext("%(n)d ligne à corriger.", "%(n)d lignes à corriger.", len(kept))
                       % {"n": len(kept)})
        return render(request, "web/facilitator/workshop.html", {"rows": kept, "next_index": max(indexes) + 1})
    rows = [_row(None, i, sites) for i in range(INITIAL_ROWS)]
    return render(request, "web/facilitator/workshop.html", {"rows": rows, "next_index": INITIAL_ROWS})


@facilitator_required
def workshop_row(request):
    """One empty row, for htmx to append."""
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 10_000))
    except ValueError:
        index = 0
    form = _row(None, index, sites_in_full_view(request.user).select_related("company"))
    return render(request, "web/facilitator/workshop_row.html", {"row": form})


