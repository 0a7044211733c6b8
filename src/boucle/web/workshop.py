"""Workshop mode: a facilitator types the flows of several companies during a meeting.

Facilitators run these meetings with paper cards, one card per flow; the page
mirrors that: one row per card, any site of the territory on any row, rows added
as the cards come. Every row is validated like the company form; valid rows are
saved and invalid ones come back with their errors, so nothing typed is lost.
"""

import re

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boucle.accounts.access import sites_in_full_view

from .facilitator_views import facilitator_required
from .flow_forms import FlowForm, material_options

MAX_ROWS = 60
INITIAL_ROWS = 3


SITES_LIST_ID = "workshop-sites"


class WorkshopRowForm(FlowForm):
    """A card: the site is typed and picked from one shared list (a territory has over a thousand sites)."""

    use_required_attribute = False  # blank rows are ignored, so the browser must not block them

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("confidential")
        self.sites = self.fields["site"].queryset
        self.fields["site"] = forms.CharField(
            label=_("Entreprise — site"), max_length=400,
            widget=forms.TextInput(attrs={"list": SITES_LIST_ID, "autocomplete": "off",
                                          "placeholder": _("Tapez un nom…")}))
        self.fields["material_class"].widget.attrs.update({"list": "material-options", "autocomplete": "off"})
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean_site(self):
        text = self.cleaned_data["site"].strip()
        sites = self.sites
        site = None
        if text.isdigit():  # a site's number, as scripts and older pages send it
            site = sites.filter(pk=int(text)).first()
        if site is None:
            found = re.search(r"\(([^()]+)\)\s*$", text)
            if found:
                site = sites.filter(site_id=found.group(1).strip()).first()
        if site is None:
            raise forms.ValidationError(_("Choisissez l'entreprise et le site dans la liste proposée."))
        return site

    def clean(self):
        data = super().clean()
        data["confidential"] = True  # a card filled in a meeting is confidential until the company says otherwise
        return data

    def is_blank(self) -> bool:
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in ("label", "quantity", "ewc"))


def _site_labels(sites) -> list[str]:
    rows = sites.values_list("company__name", "name", "site_id")
    return [f"{company} — {name} ({site_id})" for company, name, site_id in rows]


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
        return render(request, "web/facilitator/workshop.html", {
            "rows": kept, "next_index": max(indexes) + 1, "site_labels": _site_labels(sites),
            "sites_list_id": SITES_LIST_ID, "material_options": material_options()})
    rows = [_row(None, i, sites) for i in range(INITIAL_ROWS)]
    return render(request, "web/facilitator/workshop.html", {
        "rows": rows, "next_index": INITIAL_ROWS, "site_labels": _site_labels(sites), "sites_list_id": SITES_LIST_ID,
        "material_options": material_options()})


@facilitator_required
def workshop_row(request):
    """One empty row, for htmx to append."""
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 10_000))
    except ValueError:
        index = 0
    form = _row(None, index, sites_in_full_view(request.user).select_related("company"))
    return render(request, "web/facilitator/workshop_row.html", {"row": form})


