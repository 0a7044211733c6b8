"""The flow form shared by the company space and the workshop: one validation for both.

It mirrors the import format's rules (unit fits the kind, a hazardous waste code
cannot be declared non-hazardous) so a flow typed on screen and one imported from
a file end up identical.
"""

import re

from django import forms
from django.core.validators import MinValueValidator
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from boucle.flows import bounds, units
from boucle.flows import fields as F
from boucle.flows.fields import CellError
from boucle.flows.importers import CHOSEN_CONFIDENCE, class_chosen, classify, flow_identity, hazardous_code_quoted
from boucle.flows.models import Flow
from boucle.reference.models import WasteCode
from boucle.reference.validators import normalise_ewc

from .present import _lang, material_classes, material_label


def material_key(text: str) -> str | None:
    """The class a typed text names: its key, or its French or English label (any case)."""
    text = (text or "").strip()
    classes = material_classes()
    if text in classes:
        return text
    folded = text.casefold()
    for key, info in classes.items():
        if folded in (info["label_fr"].casefold(), info["label_en"].casefold()):
            return key
    return None


def material_options() -> list[str]:
    """The class labels offered by the material picker, in the reader's language, sorted."""
    label = "label_en" if _lang() == "en" else "label_fr"
    return sorted((info[label] for info in material_classes().values()), key=str.casefold)

def route_choices() -> list[tuple[str, str]]:
    """The named routes, then the recovery and disposal operations, in the user's language."""
    from boucle.impact.routes import routes
    from boucle.reference.operations import operation_wording

    lang = get_language() or "fr"
    en = lang.startswith("en")
    named = [(r.key, r.label_en if en else r.label_fr) for r in routes().values() if r.credit != "unknown"]
    ops = []
    for r in routes().values():
        for code in r.rd_codes:
            # the annex's words, as on the waste contract (« R4 — Recyclage ou récupération des métaux… »)
            ops.append((code, f"{code} — {operation_wording(code, lang) or (r.label_en if en else r.label_fr)}"))
    ops.sort(key=lambda c: (c[0][0], int("".join(ch for ch in c[0] if ch.isdigit()))))
    # Two groups: a company knows its route in words, a waste contract names its R/D code;
    # listed together, « Mise en décharge » and « D1 — Mise en décharge » read as duplicates.
    return [("", _("Inconnu (hypothèse documentée)")), (_("Devenir"), named),
            (_("Code d'opération du bordereau (R1 à R13, D1 à D15)"), ops)]


UNIT_CHOICES = [("", "—"), ("t", "t"), ("kg", "kg"), ("m3", "m³"), ("L", "L"), ("MWh", "MWh"), ("kWh", "kWh"),
                ("GJ", "GJ"), ("unit", _("unité")), ("h", "h")]


_EN_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
# « 12,5 t », « 1 200 kg », « 3 m³ », « 90 °C »: a number typed with its unit, as a person writes it on paper.
_WITH_UNIT = re.compile(r"\s*(?P<number>-?\d[\d\s\u202f\xa0.,]*?)\s*(?P<unit>[^\d\s.,-][^\d]*?\d?)\s*")
# What a person types after the number → the form's unit (``UNIT_CHOICES``).
TYPED_UNITS = {"t": "t", "tonne": "t", "tonnes": "t", "kg": "kg", "m3": "m3", "m³": "m3", "l": "L", "litre": "L",
               "litres": "L", "mwh": "MWh", "kwh": "kWh", "gj": "GJ", "h": "h", "heures": "h", "hours": "h",
               "unité": "unit", "unités": "unit", "unit": "unit", "units": "unit", "pièces": "unit"}
_DEGREES = {"°c", "° c", "°", "degrés", "degres", "c"}


def split_unit(text: str) -> tuple[str, str] | None:
    """« 12,5 t » → (« 12,5 », « t »): the number and the unit typed after it (lower case), else None."""
    match = _WITH_UNIT.fullmatch(text or "")
    if not match:
        return None
    return match["number"].strip(), match["unit"].strip().lower()


class TypedNumberField(forms.FloatField):
    """A number as a French company types it: « 12,5 », « 1 200 », « 1 200,5 » as well as « 12.5 » — the import
    format's one rule (``boucle.flows.fields.number``). A text box with a decimal keypad, not ``type=number``: a
    browser's number box drops a comma it does not expect (« 12,5 » sent as 125) or empties the field."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, negative_message=None, unit_message=None, **kwargs):
        super().__init__(**kwargs)
        self.unit_message = unit_message
        if negative_message is not None:
            for validator in self.validators:
                if isinstance(validator, MinValueValidator):
                    validator.message = negative_message

    def widget_attrs(self, widget):
        return {}  # no min / step: those belong to a number box

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        if isinstance(value, (int, float)):
            return float(value)
        try:
            bounds.ascii_digits("", str(value))
        except CellError as exc:  # « ١٢ »: its own message, as in a file
            raise forms.ValidationError(str(exc).split(": ", 1)[-1], code="invalid") from None
        text = str(value).strip()
        if (get_language() or "").startswith("en") and _EN_THOUSANDS.fullmatch(text):
            text = text.replace(",", "")  # « 1,200 » typed in English is twelve hundred, not 1.2
        try:
            return F.number("", text)
        except CellError:
            if self.unit_message and split_unit(text):
                raise forms.ValidationError(self.unit_message, code="invalid") from None
            raise forms.ValidationError(_("Saisissez un nombre, par exemple 12,5 ou 1 200."), code="invalid") from None

    def prepare_value(self, value):
        """A stored number shown as typed, with the reader's decimal mark: « 12,5 », « 60000 »."""
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        if isinstance(value, float):
            return number_format(value, use_l10n=True, force_grouping=False)
        return value


class SiteChoiceField(forms.ModelChoiceField):
    """A site as its user knows it: its name and commune, with the SIRET only when it is one
    (an imported site's key such as « irep:7005681 » means nothing to them)."""

    def label_from_instance(self, site):
        commune = f" — {site.commune}" if site.commune_id else ""
        siret = f" (SIRET {site.site_id})" if site.id_kind == "siret" else ""
        return f"{site.name}{commune}{siret}"


def classes_chosen(flows) -> set:
    """The pks of those ``flows`` whose class a person chose: in the form or a file (stored as chosen), or by a
    correction (one query for them all)."""
    chosen = {f.pk for f in flows if f.material_class and class_chosen(f.material_confidence)}
    pending = [f.pk for f in flows if f.material_class and f.pk is not None and f.pk not in chosen]
    if pending:
        from boucle.flows.models import Correction

        chosen |= set(Correction.objects.filter(flow_id__in=pending, field="material_class")
                      .values_list("flow_id", flat=True))
    return chosen


def class_chosen_for(flow: Flow) -> bool:
    """Whether a person chose this flow's class: in the form or a file (stored as chosen), or by a correction."""
    return bool(flow.material_class) and (class_chosen(flow.material_confidence) or flow.pk in classes_chosen([flow]))


def class_origin(flow: Flow, key: str, chosen: bool | None = None) -> str:
    """Who decided that ``flow`` is of class ``key``: ``chosen`` by a person (``class_chosen_for``; ``chosen``
    when the caller already knows), else a reading: ``waste_code`` when its waste code's mapping gives that
    class, ``label`` otherwise. Only the first is certain; a mapping's reading of a code (a foundry's furnace
    slag read as steel slag) is not."""
    if key and key == flow.material_class and (class_chosen_for(flow) if chosen is None else chosen):
        return "chosen"
    if flow.ewc_id:
        from boucle.materials.classify import class_for_ewc

        try:
            if class_for_ewc(flow.ewc_id) == key:
                return "waste_code"
        except (KeyError, ValueError, LookupError):
            pass
    return "label"


class FlowForm(forms.Form):
    site = SiteChoiceField(label=_("Site"), queryset=None)
    direction = forms.ChoiceField(label=_("Sens"), choices=[("offer", _("offre")), ("need", _("besoin"))])
    kind = forms.ChoiceField(label=_("Type"), choices=[
        ("material", _("matière")), ("energy", _("énergie / chaleur")), ("water", _("eau")),
        ("equipment", _("équipement")), ("service", _("service"))])
    label = forms.CharField(label=_("Libellé"), max_length=300)
    ewc = forms.CharField(label=_("Code déchet (liste européenne)"), required=False, max_length=12)
    material_class = forms.CharField(
        label=_("Matière"), required=False, max_length=200,
        help_text=_("Choisissez dans la liste ou décrivez la matière avec vos mots : elle sera classée automatiquement."))
    quantity = TypedNumberField(
        label=_("Quantité"), required=False, min_value=0,
        negative_message=_("Une quantité ne peut pas être négative."),
        unit_message=_("Saisissez le nombre seul (par exemple 12,5) et choisissez son unité dans la liste « Unité » "
                       "ci-dessous."))
    unit = forms.ChoiceField(label=_("Unité"), choices=UNIT_CHOICES, required=False)
    period = forms.ChoiceField(label=_("Période"), initial="year", choices=[
        ("year", _("par an")), ("month", _("par mois")), ("week", _("par semaine")), ("day", _("par jour")),
        ("once", _("une fois"))])
    confidential = forms.BooleanField(
        label=_("Confidentiel"), required=False, initial=True,
        help_text=_("Libellé et quantité exacte réservés à l'animateur, puis à l'autre entreprise quand vous êtes "
                    "toutes deux intéressées ; décoché, ils sont visibles si votre entreprise a publié son profil."))
    temperature_c = TypedNumberField(
        label=_("Température (°C)"), required=False, min_value=-273.15,
        negative_message=_("Une température ne descend pas sous le zéro absolu (-273,15 °C)."),
        help_text=_("Pour la chaleur et l'eau : la température de l'offre, ou celle dont le besoin a besoin."))
    # A list to pick from on screen, but any spelling the import accepts (« r 4 », « décharge ») is
    # valid: the one rule is boucle.flows.fields.current_route.
    current_route = forms.CharField(
        label=_("Devenir actuel"), required=False, max_length=80, widget=forms.Select,
        help_text=_("Pour une offre : ce que devient ce flux aujourd'hui, sans l'échange ; le gain n'est compté que "
                    "par rapport à ce devenir. Inconnu : une hypothèse documentée s'applique. Sans objet pour un "
                    "besoin."))

    # Fields that belong to one direction only: shown for it alone (``direction_shown``, and the page's script
    # when the direction changes), ignored when the other is sent. A need has no current fate to avoid.
    FOR_DIRECTION = {"current_route": "offer"}

    def __init__(self, *args, sites=None, instance: Flow | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self._units_typed_in_numbers(self.data)
        self.fields["site"].queryset = sites
        if sites is not None and sites.count() == 1:
            self.fields["site"].empty_label = None  # one site, chosen (the views' initial): no « --------- »
        self.fields["current_route"].widget.choices = route_choices()
        for name, direction in self.FOR_DIRECTION.items():
            self.fields[name].for_direction = direction
        self.instance = instance
        if instance is not None and instance.pk is not None and instance.material_class \
                and not class_chosen_for(instance):
            self.fields["material_class"].help_text = _(
                "Lue automatiquement dans le libellé ou le code déchet : laissée telle quelle, elle suit le libellé "
                "et la mise en relation peut la préciser selon l'activité du site ; choisissez-en une autre pour la "
                "fixer.")

    def _units_typed_in_numbers(self, data):
        """« 12,5 t » typed as the quantity with « t » (or no unit) chosen is 12,5 t: the unit goes to its list; a
        unit that differs from the one chosen is left for the field to refuse (which of the two is meant?).
        « 90 °C » as the temperature is 90."""
        name, unit_name, temp_name = self.add_prefix("quantity"), self.add_prefix("unit"), \
            self.add_prefix("temperature_c")
        changed = {}
        typed = split_unit(str(data.get(name) or ""))
        if typed and typed[1] in TYPED_UNITS:
            chosen, unit = data.get(unit_name) or "", TYPED_UNITS[typed[1]]
            if chosen in ("", unit):
                changed.update({name: typed[0], unit_name: unit})
        typed = split_unit(str(data.get(temp_name) or ""))
        if typed and typed[1] in _DEGREES:
            changed[temp_name] = typed[0]
        if not changed:
            return data
        data = data.copy()
        for key, value in changed.items():
            data[key] = value
        return data

    @property
    def direction_shown(self) -> str:
        """The direction the form shows: the one sent, else the initial one, else an offer (the select's first)."""
        sent = self.data.get(self.add_prefix("direction")) if self.is_bound else None
        chosen = sent or self.initial.get("direction") or (self.instance.direction if self.instance else "")
        return chosen if chosen in ("offer", "need") else "offer"

    def clean_label(self):
        return self._bounded(bounds.label, "label", self.cleaned_data["label"], 300)

    def clean_quantity(self):
        # The raw text too: Django's FloatField, like Python's float, reads "١٢" (Arabic-Indic digits) as 12.
        raw = str(self.data.get(self.add_prefix("quantity"), "") or "")
        self._bounded(bounds.ascii_digits, "quantity", raw)
        return self.cleaned_data["quantity"]

    @staticmethod
    def _bounded(check, column, value, *extra):
        """The importer's checks (``boucle.flows.bounds``), their message shown on the field."""
        try:
            return check(column, value, *extra)
        except CellError as exc:
            raise forms.ValidationError(str(exc).split(": ", 1)[-1]) from None

    def clean_current_route(self):
        try:
            return F.current_route(self.cleaned_data.get("current_route") or "")
        except F.CellError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_ewc(self):
        text = self.cleaned_data["ewc"].strip()
        if not text:
            return None
        try:
            code6 = normalise_ewc(text)
        except ValueError:
            raise forms.ValidationError(_("Code déchet à 6 chiffres attendu, ex. 10 01 02.")) from None
        code = WasteCode.objects.filter(pk=code6).first()
        if code is None:
            raise forms.ValidationError(_("Ce code n'existe pas dans la liste européenne des déchets."))
        return code

    def clean_material_class(self):
        """A class from the list, or free words the classifier reads together with the label."""
        text = self.cleaned_data["material_class"].strip()
        self.material_words = ""
        if not text:
            return ""
        key = material_key(text)
        if key is None:
            self.material_words = text
            return ""
        return key

    def clean(self):
        data = super().clean()
        for name, direction in self.FOR_DIRECTION.items():
            if data.get("direction") and data["direction"] != direction and name in self.fields:
                data[name] = None if isinstance(self.fields[name], forms.FloatField) else ""
                self.errors.pop(name, None)  # a value the other direction would refuse does not matter here
        quantity, unit, kind = data.get("quantity"), data.get("unit"), data.get("kind")
        if quantity is not None and not unit:
            self.add_error("unit", _("Précisez l'unité de la quantité."))
        if unit and kind and units.dimension(unit) not in units.KIND_DIMENSIONS[kind]:
            shown = dict(UNIT_CHOICES)  # the units as the list of the form names them
            self.add_error("unit", _("Cette unité ne convient pas à ce type de flux : choisissez %(units)s.")
                           % {"units": ", ".join(str(shown.get(u, u)) for u in units.units_for_kind(kind))})
        elif quantity is not None and unit and data.get("period"):
            try:
                bounds.quantity("quantity", quantity, *units.to_base(quantity, unit, data["period"]))
            except CellError as exc:
                self.add_error("quantity", str(exc).split(": ", 1)[-1])
        if data.get("site") and data.get("label") and not self.errors:
            ewc = data.get("ewc")
            external = self.instance.external_id if self.instance else ""
            identity = flow_identity(data["direction"], kind, data["label"], ewc.code6 if ewc else None, external)
            clash = Flow.objects.filter(site=data["site"], identity=identity)
            if self.instance is not None and self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("Ce site déclare déjà ce flux (même sens, type, libellé et code)."))
        return data

    def save(self, source: str = "web", author=None) -> Flow:
        data = self.cleaned_data
        flow = self.instance
        ewc = data["ewc"]
        material_class = data["material_class"]
        if material_class and not self._class_read_and_kept(material_class):
            confidence = CHOSEN_CONFIDENCE  # the person chose it: the engine takes it as given
        else:  # none given, or the automatic reading the form showed left as it was: read again
            words = getattr(self, "material_words", "")
            text = f"{words} {data['label']}" if words else data["label"]
            material_class, confidence = classify(text, ewc.code6 if ewc else None, data["kind"],
                                                  data.get("temperature_c"))
            if flow is not None and flow.imported_at and material_class != flow.material_class:
                # a reading of the corrected words, not a person's correction of the class: stored as read
                # (the engine reads the label itself), never recorded as a facilitator's choice
                flow.material_class, flow.material_confidence = material_class, confidence
                flow.save(update_fields=["material_class", "material_confidence"])
        base, base_unit = (units.to_base(data["quantity"], data["unit"], data["period"])
                           if data["quantity"] is not None else (None, ""))
        values = {"site": data["site"], "direction": data["direction"], "kind": data["kind"], "label": data["label"],
                  "ewc": ewc, "material_class": material_class, "material_confidence": confidence,
                  "quantity": data["quantity"], "unit": data["unit"] or "", "period": data["period"],
                  "quantity_base": base, "base_unit": base_unit,
                  "hazardous": ewc.hazardous if ewc else (True if hazardous_code_quoted(data["label"]) else None),
                  "confidential": data["confidential"],
                  "current_route": data.get("current_route") or "", "temperature_c": data.get("temperature_c")}
        if flow is None:
            flow = Flow(source=source)
        if flow.imported_at:
            from boucle.flows.corrections import CORRECTABLE, correct

            for name, value in values.items():
                field = name + "_id" if name == "ewc" else name
                value = value.pk if name == "ewc" and value is not None else value
                if field in CORRECTABLE[Flow] and getattr(flow, field) != value:
                    correct(flow, field, value, author=author, reason=source)
            return flow
        for name, value in values.items():
            setattr(flow, name, value)
        flow.identity = flow_identity(flow.direction, flow.kind, flow.label, ewc.code6 if ewc else None,
                                      flow.external_id)
        flow.save()
        return flow

    def _class_read_and_kept(self, material_class: str) -> bool:
        """Whether the class submitted is the stored automatic reading the form showed, left unchanged."""
        flow = self.instance
        return (flow is not None and flow.pk is not None and material_class == flow.material_class
                and not class_chosen_for(flow))

    @classmethod
    def initial_for(cls, flow: Flow) -> dict:
        return {"site": flow.site_id, "direction": flow.direction, "kind": flow.kind, "label": flow.label,
                "ewc": flow.ewc.code if flow.ewc_id else "", "material_class": material_label(flow.material_class),
                "quantity": _plain(flow.quantity), "unit": flow.unit, "period": flow.period,
                "confidential": flow.confidential, "current_route": flow.current_route,
                "temperature_c": _plain(flow.temperature_c)}


def _plain(value):
    """A stored float as its company typed it: « 2300 », not « 2300.0 » (a number field shows the value as is)."""
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else value
