"""A facilitator's form for one aid: its fields are read back through the import's row check
(``services.parse_row``), so the screen refuses what a file would."""

from django import forms
from django.utils.translation import gettext_lazy as _

from boucle.flows.fields import CellError

from . import engine, services
from .models import AID_TYPE_LABELS, BENEFICIARY_LABELS, RECURRENCE_LABELS, THEME_LABELS, scope_label


#: A browser's date field reads and writes ISO dates, whatever the page's language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(keys, labels):
    return [(k, labels[k]) for k in keys]


class AidForm(forms.Form):
    name = forms.CharField(label=_("Nom du dispositif"), max_length=250)
    url = forms.CharField(label=_("Adresse de la page publique"), max_length=500,
                          help_text=_("La page du financeur qui décrit le dispositif (https://…)."))
    financers = forms.CharField(label=_("Financeurs"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("Un par ligne (par exemple ADEME, Région Hauts-de-France)."))
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    perimeter = forms.CharField(label=_("Périmètre"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("Un territoire par ligne : FR (national), EU (européen), region:32, "
                                            "departement:59, epci:SIREN ou commune:INSEE."))
    beneficiaries = forms.MultipleChoiceField(label=_("Bénéficiaires"), widget=forms.CheckboxSelectMultiple,
                                              choices=_choices(engine.BENEFICIARIES, BENEFICIARY_LABELS))
    themes = forms.MultipleChoiceField(label=_("Thèmes"), widget=forms.CheckboxSelectMultiple,
                                       choices=_choices(engine.THEMES, THEME_LABELS))
    scope = forms.MultipleChoiceField(
        label=_("Ce que l'aide finance"), widget=forms.CheckboxSelectMultiple, required=False,
        choices=lambda: [(k, scope_label(k)) for k in engine.scope_values()],
        help_text=_("Les flux ou familles de matières que le dispositif finance, d'après sa description officielle "
                    "(par exemple « plastiques » pour une aide au recyclage des plastiques). Rien de coché : toute "
                    "matière ; l'aide n'est alors pas écartée d'une synergie pour sa matière."))
    aid_types = forms.MultipleChoiceField(label=_("Formes d'aide"), widget=forms.CheckboxSelectMultiple,
                                          required=False, choices=_choices(engine.AID_TYPES, AID_TYPE_LABELS))
    deadline = forms.DateField(
        label=_("Date limite"), required=False, widget=DATE,
        help_text=_("Vide pour un dispositif permanent ou dont la prochaine session n'est pas annoncée."))
    recurrence = forms.ChoiceField(label=_("Récurrence"), choices=_choices(engine.RECURRENCES, RECURRENCE_LABELS))
    origin = forms.CharField(
        label=_("Origine de la fiche"), max_length=300,
        help_text=_("D'où vient l'information (page consultée, Aides-territoires, échange avec le financeur)."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    to_verify = forms.BooleanField(label=_("À vérifier"), required=False, initial=True)
    written_on = forms.DateField(label=_("Fiche rédigée le"), required=False,
                                 widget=DATE)

    FIELDS = ("name", "url", "financers", "description", "perimeter", "beneficiaries", "themes", "scope", "aid_types",
              "deadline", "recurrence", "origin", "note", "to_verify", "written_on")

    @classmethod
    def initial_for(cls, aid) -> dict:
        initial = {name: getattr(aid, name) for name in cls.FIELDS}
        initial["financers"] = "\n".join(aid.financers)
        initial["perimeter"] = "\n".join(aid.perimeter)
        return initial

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.parsed = services.parse_row(services.as_row({k: data.get(k) for k in self.FIELDS}),
                                             services.Territories())
        except CellError as exc:
            message = str(exc)
            field = message.split(":", 1)[0].strip()
            self.add_error(field if field in self.fields else None, message)
        return data

    def values(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.FIELDS}
