"""Forms for declaring equipment and asking to book it; calendar rules surface as field errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import calendar
from .models import Equipment

WINDOW_ERRORS = {
    "bad_line": _("Ligne %(line)s : écrivez deux dates, par exemple 2026-03-02 2026-03-20."),
    "bad_date": _("Ligne %(line)s : date inexistante."),
    "dates_order": _("Ligne %(line)s : la fin précède le début."),
    "too_many": _("Cinquante périodes au plus."),
}
REQUEST_ERRORS = {
    "in_the_past": _("La réservation ne peut pas commencer dans le passé."),
    "too_long": _("Une réservation dure un an au plus."),
    "outside_windows": _("Ces dates sortent des périodes de disponibilité de l'équipement."),
    "overlap": _("Ces dates chevauchent une réservation déjà acceptée (%(detail)s)."),
    "already_decided": _("Cette demande a déjà reçu une réponse."),
    "dates_order": _("La fin doit suivre le début."),
}


def error_text(table, error: calendar.CalendarError) -> str:
    return str(table.get(error.code, error.code)) % {"line": error.line or "", "detail": error.detail}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EquipmentForm(forms.ModelForm):
    windows_text = forms.CharField(label=_("Périodes de disponibilité"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("Une période par ligne : 2026-03-02 2026-03-20. Vide : toujours disponible."))

    class Meta:
        model = Equipment
        fields = ["site", "direction", "name", "category", "description", "conditions", "price", "price_unit",
                  "capacity", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "conditions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label = _("Site")
        self.fields["price"].min_value = 0
        if self.instance.pk:
            self.fields["windows_text"].initial = calendar.to_text(self.instance.window_periods())

    def clean_price(self):
        price = self.cleaned_data.get("price")
        if price is not None and price < 0:
            raise forms.ValidationError(_("Le prix ne peut pas être négatif."))
        return price

    def clean_windows_text(self):
        try:
            return calendar.parse_windows(self.cleaned_data["windows_text"])
        except calendar.CalendarError as error:
            raise forms.ValidationError(error_text(WINDOW_ERRORS, error)) from None

    def clean(self):
        data = super().clean()
        if data.get("price") is not None and not data.get("price_unit"):
            self.add_error("price_unit", _("Précisez si le prix est par heure ou par jour."))
        return data

    def save(self, commit=True):
        equipment = super().save(commit=False)
        equipment.company_id = self.cleaned_data["site"].company_id
        equipment.windows = calendar.to_json(self.cleaned_data["windows_text"])
        if commit:
            equipment.save()
        return equipment


class BookingForm(forms.Form):
    company = forms.TypedChoiceField(label=_("Au nom de"), coerce=int)
    starts_on = forms.DateField(label=_("Du"), widget=DateInput())
    ends_on = forms.DateField(label=_("Au"), widget=DateInput())
    message = forms.CharField(label=_("Message"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("La fin doit suivre le début."))
        return data
