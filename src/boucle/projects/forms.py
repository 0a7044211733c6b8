"""Forms for calls, answers and assessments; every rule of ``rules`` is also a field error here."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from boucle.flows.models import Company, Flow
from boucle.matching.models import Synergy
from boucle.territories.refs import TerritoryError, resolve

from . import rules
from .access import can_facilitate_territory
from .models import Answer, Assessment, Call


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CallForm(forms.ModelForm):
    territory = forms.CharField(label=_("Territoire"), max_length=30,
                                help_text=_("Par exemple epci:200093201 ou region:32."))
    questions_text = forms.CharField(label=_("Questions du dossier de réponse"), widget=forms.Textarea(attrs={"rows": 7}),
                                     help_text=_("Une question par ligne."))

    class Meta:
        model = Call
        fields = ["title", "summary", "themes", "opens_on", "closes_on"]
        widgets = {"opens_on": DateInput(), "closes_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.order_fields(["title", "summary", "themes", "territory", "opens_on", "closes_on", "questions_text"])
        call = self.instance
        self.fields["questions_text"].initial = "\n".join(call.questions if call.pk else rules.DEFAULT_QUESTIONS)
        if call.pk:
            self.fields["territory"].initial = call.territory_ref
        else:
            first = user.facilitations.first()
            self.fields["territory"].initial = first.ref if first else ""

    def clean_territory(self):
        try:
            ref = resolve(self.cleaned_data["territory"])
        except TerritoryError:
            raise forms.ValidationError(_("Territoire inconnu : écrivez par exemple epci:200093201.")) from None
        if not can_facilitate_territory(self.user, ref.level, ref.code):
            raise forms.ValidationError(_("Vous n'animez pas ce territoire."))
        return ref

    def clean_questions_text(self):
        questions = [line.strip() for line in self.cleaned_data["questions_text"].splitlines() if line.strip()]
        if not questions:
            raise forms.ValidationError(_("Au moins une question."))
        if len(questions) > 30:
            raise forms.ValidationError(_("Trente questions au plus."))
        return questions

    def clean(self):
        data = super().clean()
        try:
            rules.check_dates(data.get("opens_on"), data.get("closes_on"))
        except rules.RuleError:
            self.add_error("closes_on", _("La clôture doit suivre l'ouverture."))
        return data

    def save(self, commit=True):
        call = super().save(commit=False)
        ref = self.cleaned_data["territory"]
        call.territory_level, call.territory_code, call.territory_name = ref.level, ref.code, ref.name
        call.questions = self.cleaned_data["questions_text"]
        if commit:
            call.save()
        return call


def partner_choices(company):
    """Companies a member may name as partners without learning anything confidential:
    those that published their profile."""
    return Company.objects.filter(published=True).exclude(pk=company.pk).order_by("name")


def synergy_choices(company):
    return (Synergy.objects.filter(Q(offer__site__company=company) | Q(need_site__company=company))
            .select_related("offer__site", "need").order_by("-score", "id"))


class SynergyChoice(forms.ModelMultipleChoiceField):
    def __init__(self, company, **kwargs):
        super().__init__(queryset=synergy_choices(company), **kwargs)
        self.company = company

    def label_from_instance(self, synergy):
        """The material in words, the company's own flow and where the synergy stands; never the
        other company (an answer's form is no place to learn who it is)."""
        from boucle.web.present import STATUS_LABELS, material_label

        mine_offer = synergy.offer.site.company_id == self.company.pk
        own = synergy.offer if mine_offer else synergy.need
        if own is None:
            own_text = _("besoin déduit de votre activité")
        elif mine_offer:
            own_text = _("votre offre « %(label)s »") % {"label": own.label}
        else:
            own_text = _("votre besoin « %(label)s »") % {"label": own.label}
        material = material_label(synergy.material_class) or _("matière non classée")
        return f"{material} — {own_text} ({STATUS_LABELS.get(synergy.status, '')})"


class AnswerForm(forms.Form):
    partner_companies = forms.ModelMultipleChoiceField(label=_("Partenaires inscrits sur la plateforme"),
                                                       queryset=Company.objects.none(), required=False,
                                                       help_text=_("Entreprises au profil public."),
                                                       widget=forms.CheckboxSelectMultiple)
    partners_text = forms.CharField(label=_("Autres partenaires"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    flows = forms.ModelMultipleChoiceField(label=_("Flux de l'entreprise concernés"), queryset=Flow.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)

    MAX_SECTION = 10000

    def __init__(self, *args, call: Call, company: Company, answer: Answer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call, self.company = call, company
        previous = {s["question"]: s["text"] for s in (answer.sections if answer else [])}
        self.question_fields = []
        for index, question in enumerate(call.questions):
            name = f"q{index}"
            self.fields[name] = forms.CharField(label=question, required=False, max_length=self.MAX_SECTION,
                                                initial=previous.get(question, ""),
                                                widget=forms.Textarea(attrs={"rows": 4}))
            self.question_fields.append(name)
        self.fields["partner_companies"].queryset = partner_choices(company)
        self.fields["synergies"] = SynergyChoice(company, label=_("Synergies de l'entreprise concernées"),
                                                 required=False, widget=forms.CheckboxSelectMultiple)
        self.fields["flows"].queryset = Flow.objects.filter(site__company=company).order_by("label")
        for name in ("partner_companies", "synergies", "flows"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]  # nothing to choose: an empty list would only puzzle
        self.order_fields(self.question_fields + ["partner_companies", "partners_text", "synergies", "flows"])
        if answer and answer.pk and not self.is_bound:
            for name in ("partner_companies", "synergies", "flows"):
                if name in self.fields:
                    self.fields[name].initial = list(getattr(answer, name).values_list("pk", flat=True))
            self.fields["partners_text"].initial = answer.partners_text

    def sections(self):
        return [{"question": q, "text": self.cleaned_data.get(f"q{i}", "")} for i, q in enumerate(self.call.questions)]


class AssessmentForm(forms.Form):
    decision = forms.ChoiceField(label=_("Décision"), required=False, choices=[
        ("", _("pas encore décidée")), (rules.RETAINED, _("retenue")), (rules.NOT_RETAINED, _("non retenue")),
        (rules.REDIRECTED, _("orientée vers un dispositif de financement"))])
    funding_scheme = forms.CharField(label=_("Dispositif de financement"), required=False, max_length=200,
                                     help_text=_("Par exemple FRATRI, PO FEDER, Fonds de transition juste."))
    aid = forms.ModelChoiceField(label=_("Dispositif du catalogue des aides"), required=False, queryset=None,
                                 help_text=_("Facultatif : la fiche du catalogue vers laquelle la réponse est orientée."))
    comment = forms.CharField(label=_("Commentaire"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, answer: Answer, **kwargs):
        super().__init__(*args, **kwargs)
        from boucle.aids.models import Aid

        self.fields["aid"].queryset = Aid.objects.filter(archived=False) | Aid.objects.filter(pk=answer.aid_id or 0)
        current = {a.criterion: a.score for a in answer.assessments.all()}
        for criterion, label in Assessment.Criterion.choices:
            self.fields[f"score_{criterion}"] = forms.IntegerField(
                label=label, required=False, min_value=rules.SCORE_MIN, max_value=rules.SCORE_MAX,
                initial=current.get(criterion))
        if not self.is_bound:
            self.fields["decision"].initial = answer.status if answer.status in rules.DECISIONS else ""
            self.fields["funding_scheme"].initial = answer.funding_scheme
            self.fields["aid"].initial = answer.aid_id
            self.fields["comment"].initial = answer.decision_comment

    def scores(self):
        return {c: self.cleaned_data.get(f"score_{c}") for c in rules.CRITERIA}

    def clean(self):
        data = super().clean()
        if data.get("decision") == rules.REDIRECTED and data.get("aid") and not (data.get("funding_scheme") or "").strip():
            data["funding_scheme"] = data["aid"].name[:200]  # the catalogue entry names the scheme
        if data.get("decision") == rules.REDIRECTED and not (data.get("funding_scheme") or "").strip():
            self.add_error("funding_scheme", _("Nommez le dispositif vers lequel la réponse est orientée."))
        return data
