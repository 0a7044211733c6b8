"""Why a proposal is made, in words: French, English with BOUCLE_LANG=en.

The pipeline stores a language-neutral explanation (classes, the rule that made the receiver a
candidate and its source, hazard, distance); this module says it as a person would: what the
receiver does with the material, where that rule comes from, how far, and what the hazard
implies. It never shows the engine's factor names nor its numbers (plausibility, decay...).
Used by ``boucle match`` (field ``explanation.text`` and the table) and by the synergy cards.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from boucle.messages import in_sentence

from .citations import document_names
from .knowledge.infer import is_unknown_receiver

NAF_CSV = Path(__file__).resolve().parents[1] / "data" / "reference" / "naf.csv"
CLASSES_CSV = Path(__file__).resolve().parents[1] / "materials" / "data" / "classes.csv"
GRADES_CSV = Path(__file__).resolve().parent / "knowledge" / "data" / "recipe_grades.csv"


def _en() -> bool:
    return (get_language() or "fr").startswith("en")


@lru_cache(maxsize=1)
def _naf() -> dict[str, tuple[str, str]]:
    with NAF_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: (r["label_fr"], r["label_en"] or r["label_fr"]) for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _classes() -> dict[str, tuple[str, str]]:
    with CLASSES_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["key"]: (r["label_fr"], r["label_en"]) for r in csv.DictReader(fh)}


def activity_label(code: str | None) -> str:
    labels = _naf().get(code or "")
    if not labels:
        return code or ""
    return labels[1] if _en() else labels[0]


def material_label(key: str | None) -> str:
    labels = _classes().get(key or "")
    if not labels:
        return key or ""
    return labels[1] if _en() else labels[0]


def _rule_activity(explanation: dict) -> str | None:
    code = explanation.get("receiver_activity")
    if not code:  # explanations stored before the field existed: in:<nace prefix>:<class>
        m = re.match(r"^in:([0-9.]+):", explanation.get("rule_id") or "")
        code = m.group(1) if m else None
    return code


@lru_cache(maxsize=1)
def _grades() -> dict[str, tuple[str, str]]:
    """Process-recipe grade (as written in process_recipes.csv) -> (French wording, role): "use"
    says what the activity does with the class, "note" qualifies the rule (« un incinérateur
    produit sa propre vapeur »)."""
    with GRADES_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["grade"]: (r["label_fr"], r["role"]) for r in csv.DictReader(fh)}


def _split_grade(explanation: dict) -> tuple[str | None, str | None]:
    """(source, grade): explanations stored before the grade had its own field carry it at the end
    of the source (« EU BREF …: alkylation catalyst »)."""
    source, grade = explanation.get("source"), explanation.get("grade")
    if source and not grade and (explanation.get("rule_id") or "").startswith("recipe:") and ": " in source:
        head, tail = source.rsplit(": ", 1)
        if tail in _grades():
            return head, tail
    return source, grade


def grade_label(grade: str | None) -> tuple[str, str] | None:
    """(wording, role) of a recipe grade in the reader's language; None when it has no French wording
    yet (then it is left out rather than shown in English)."""
    if not grade:
        return None
    known = _grades().get(grade)
    if _en():
        return grade, known[1] if known else "use"
    return known


def source_label(source: str | None) -> str:
    """The documents a rule's citation names, in the reader's language (« BREF CLM 2013 (ciment,
    chaux et magnésie) ; directive 2008/98/CE »); the full citation stays in the data."""
    if not source:
        return ""
    names = document_names(source, "en" if _en() else "fr")
    if not names:
        return _("référence citée dans la base de connaissances (texte complet dans le champ « source »)")
    return ("; " if _en() else " ; ").join(names)


def unit_label(unit: str | None) -> str:
    """A stored unit as it is printed: « m3 » reads « m³ », « CO2e » « CO₂e », « EUR » « € » (also inside
    a compound unit: « kg CO2e/m3 » reads « kg CO₂e/m³ »); the engines' « /yr » reads « /an » in French."""
    unit = re.sub(r"\bm3\b", "m³", unit or "")
    unit = re.sub(r"/yr\b", "/" + _("an"), unit)
    return unit.replace("CO2e", "CO₂e").replace("EUR", "€")


def _unit_words(unit: str | None) -> str:
    return _("tonnes") if unit == "t" else unit_label(unit)


def _to_agree_why(unit: str) -> str:
    # not « s'utilisent sur place »: the suggestion may be to pipe the heat or water to a site kilometres away
    return _("ce qu'un site prend de chaleur ou d'eau dépend de ses propres usages, et le site receveur n'a déclaré "
             "aucun besoin en %(unit)s ; l'impact sera estimé une fois la quantité connue") % {"unit": unit}


def estimate_note(basis: str | None, unit: str | None) -> str | None:
    """What a suggestion's figures are for, in words, when it is not plainly the declared need
    (``additionality.BASIS_*``, stored as ``explanation["estimate_basis"]``); no figure in it, so it
    may be shown to a company that sees only brackets."""
    from .additionality import BASIS_SITE_SCALE, BASIS_TO_AGREE, BASIS_WHOLE_OFFER

    unit = _unit_words(unit)
    if basis == BASIS_TO_AGREE:
        return _("quantité à préciser avec le receveur : %(why)s") % {"why": _to_agree_why(unit)}
    if basis == BASIS_WHOLE_OFFER:
        return _("au plus : l'offre entière, le site receveur n'ayant déclaré aucun besoin chiffré en "
                 "%(unit)s") % {"unit": unit}
    if basis == BASIS_SITE_SCALE:
        return _("au plus l'offre, et au plus le plus gros besoin en %(unit)s que le site receveur a déclaré pour une "
                 "autre matière ou énergie : il n'a pas déclaré ce besoin-ci, et ce chiffre donne la taille du site"
                 ) % {"unit": unit}
    return None


def fuel_use_note(valued: bool = False) -> str:
    """What a suggestion to a receiver that burns the material as a fuel is valued by (``explanation["fuel_use"]``,
    ``additionality.fuel_receivers``): the fossil fuel it displaces there, or nothing yet when the material's
    energy content or the displaced fuel is not known (``valued`` False: no CO2e)."""
    if valued:
        return _("le receveur brûle cette matière comme combustible : le CO₂e évité est celui du combustible fossile "
                 "qu'elle remplace, net des émissions de sa combustion, et non celui d'une matière vierge")
    return _("le receveur brûle cette matière comme combustible : cela n'évite pas de produire de la matière vierge, "
             "et son pouvoir calorifique ou le combustible qu'elle remplace chez ce receveur est à préciser ; ni "
             "CO₂e ni euros ne sont comptés")


def waste_receiver_note() -> str:
    """Why a suggestion to a waste operator (``explanation["waste_receiver"]``, ``additionality.value_pairs``)
    counts no avoided purchase of virgin material in its euros."""
    return _("le receveur est un opérateur de déchets : il prépare la matière et la revend, il n'achète pas la "
             "matière vierge ; l'économie est celle de l'élimination évitée")


def disposal_receiver_note() -> str:
    """Why a suggestion to a treatment and disposal operator (NACE 38.21, 38.22; ``explanation["disposal_receiver"]``,
    ``additionality.value_pairs``) counts no euros and no CO2e: its own gate fee replaces today's disposal fee, and
    it does not recycle the material (``impact.engine.TREATER_FEE_REASON``, ``DISPOSED_REASON``)."""
    return _("le receveur traite et élimine des déchets : il facture son propre prix à la place de l'élimination "
             "d'aujourd'hui et ne recycle pas la matière, ni l'économie ni le CO₂e évité ne sont donc calculés")


def waste_receiver_preparation_note() -> str:
    """Why the preparation of a material sent to a waste operator is not counted in its euros either."""
    return _("la préparation est l'affaire de l'opérateur de déchets, payée par la revente de la matière : ni l'une "
             "ni l'autre n'est comptée ici")


def quantity_words(basis: str | None, quantity: float | None, unit: str | None) -> str | None:
    """The « Quantité » part of a suggestion: the quantity its figures are for and what bounds it;
    None without a unit (nothing known of the quantity's kind)."""
    from .additionality import BASIS_TO_AGREE

    if not unit:
        return None
    if basis == BASIS_TO_AGREE:  # after the heading « Quantité »
        return _("à préciser avec le receveur : %(why)s") % {"why": _to_agree_why(_unit_words(unit))}
    if quantity is None:
        return _("non déclarée")
    return _figure_words(basis, _number(quantity), unit)


def _figure_words(basis: str | None, number: str, unit: str) -> str:
    """:func:`quantity_words` of a known quantity, written ``number``."""
    from .additionality import BASIS_SITE_SCALE, BASIS_WHOLE_OFFER

    figure = _("%(quantity)s %(unit)s par an") % {"quantity": number, "unit": unit_label(unit)}
    if basis == BASIS_WHOLE_OFFER:
        return _("au plus %(figure)s : l'offre entière, le site receveur n'ayant déclaré aucun besoin chiffré en "
                 "%(unit)s") % {"figure": figure, "unit": _unit_words(unit)}
    if basis == BASIS_SITE_SCALE:
        # the smaller of the offer and the site's scale (additionality.estimated_quantity): most often the whole
        # offer, so the sentence names both bounds rather than only the receiver's
        return _("%(figure)s au plus : le site receveur n'a pas déclaré ce besoin ; l'estimation ne dépasse ni "
                 "l'offre ni son plus gros besoin déclaré en %(unit)s, pour une autre matière ou énergie, qui donne "
                 "la taille du site") % {"figure": figure, "unit": _unit_words(unit)}
    return figure


def is_waste_trade(code: str | None) -> bool:
    """Recovery, treatment, remediation and scrap trade (NACE 38, 39, 46.77): they treat or recover
    what they take in rather than use it in a process."""
    return bool(code) and (code[:2] in ("38", "39") or code.startswith("46.77"))


def _number(value: float, en: bool | None = None) -> str:
    """``en``: whether the reader reads English (None: the active language says). A quantity too small for one
    decimal keeps two significant digits (0.48 kg is « 0,00048 t », not « 0 t »)."""
    if 0 < abs(value) < 0.05:
        text = f"{value:.2g}"
        text = f"{float(text):.12f}".rstrip("0") if "e" in text else text
    else:
        text = f"{value:,.1f}".rstrip("0").rstrip(".")
    if en is None:
        en = _en()
    return text.replace(",", " ") if en else text.replace(",", "\u202f").replace(".", ",")


def use_label(name: str) -> str:
    """A use a label may state (``pipeline.STATED_USES``), in the reader's language."""
    words = {
        "land": _("épandage ou amendement des sols"),
        "feed": _("alimentation animale"),
        "fuel": _("combustible"),
        "cooling": _("refroidissement"),
        "aggregate": _("granulats"),
        "landfill": _("aménagement de décharge"),
        "remediation": _("dépollution des sols"),
        "binder": _("constituant du ciment ou du béton"),
        "neutralisation": _("neutralisation ou carbonatation"),
        "warm_return": _("eau tiède pour la pisciculture ou la regazéification du GNL"),
        "zinc_recovery": _("récupération du zinc (four Waelz) ou traitement de déchets dangereux"),
    }
    return words.get(name, "")


def _named_uses(explanation: dict) -> tuple[list[str], list[str]]:
    """(uses the card names, those the receiver makes): the ones it makes, else every use the label states."""
    stated = [u for u in explanation.get("stated_use") or () if use_label(u)]
    made = [u for u in explanation.get("stated_use_made") or () if u in stated]
    return made or stated, made


def stated_use_source(explanation: dict) -> str:
    """The citations of the documents that define the uses the card names (« Source de l'usage »), joined."""
    from .pipeline import STATED_USES

    named, _made = _named_uses(explanation)
    return "; ".join(u.source for u in STATED_USES if u.name in named and u.source)


def rule_source(explanation: dict) -> str | None:
    """The citation of the rule that made the receiver a candidate (« Source »), without a recipe's grade."""
    return _split_grade(explanation)[0]


def stated_use_parts(explanation: dict, receiver_hidden: bool = False) -> list[tuple[str, str]]:
    """What the use the offer's label states (« … utilisé comme amendement », "(solid biofuel)") did to
    this proposal, as (heading, sentence) pairs: the receiver makes it (it came first) or does not (it
    counts half its plausibility, ``pipeline.STATED_USE_OTHER``, a quarter for a land use,
    ``pipeline.STATED_LAND_USE_OTHER``), then the documents that define the use.
    Empty when the label states no use or the receiver declared its need (``explanation["stated_use"]``
    and ``["stated_use_made"]``, ``pipeline.stated_use_fields``)."""
    named, made = _named_uses(explanation)
    if not named:
        return []
    uses = (_(" ou ") if len(named) > 1 else "").join(use_label(u) for u in named)
    if made:
        text = _("l'offre précise son usage (%(use)s) et le site receveur en fait") % {"use": uses}
    else:
        text = _("l'offre précise un usage (%(use)s) que le site receveur ne fait pas : proposition moins "
                 "probable") % {"use": uses}
    parts = [(_("Usage prévu"), text)]
    sources = stated_use_source(explanation)
    if sources and not receiver_hidden:  # the NACE codes of the source would name the receiver's activity
        parts.append((_("Source de l'usage"), source_label(sources)))
    return parts


def explanation_parts(explanation: dict, *, distance_km: float | None = None, quantity: float | None = None,
                      unit: str | None = None, receiver_hidden: bool = False,
                      need_label: str | None = None) -> list[tuple[str, str]]:
    """(heading, sentence) pairs, most important first: what the receiver does with the offer, the
    documents its rule comes from, substitution, hazard, the use the offer's label states (and its
    documents), then quantity and distance. ``quantity``
    only where the reader may see the offer's exact figure (the command line, the offering company);
    with ``unit`` and no quantity the offer's quantity is said to be undeclared. ``receiver_hidden``:
    the reader may not know the receiving site yet, so its activity and the NACE code of the rule's
    source are not named (with the EPCI, « Fabrication de ciment » can name the only plant around).
    ``need_label``: the declared need's own words, where the reader may see them; what the receiver declared is
    then said in its words (« Eau de lavage »), not as the class the engine read (a class name the receiver
    never wrote, « effluents riches en nutriments », read as its declaration)."""
    if not isinstance(explanation, dict):
        return []
    parts: list[tuple[str, str]] = []
    offer_class, need_class = explanation.get("offer_class"), explanation.get("need_class")
    if explanation.get("offer_component"):
        # a label that lists several materials: which one this receiver is for
        parts.append((_("Composant"), _("« %(component)s », l'une des matières que l'offre énumère")
                      % {"component": explanation["offer_component"]}))
    need = in_sentence(material_label(need_class))
    source, grade = _split_grade(explanation)
    if explanation.get("declared_need") or (explanation.get("declared_need") is None and not explanation.get("rule_id")
                                            and need_class):
        if need_label and explanation.get("declared_need") is not False and need_label.strip():
            parts.append((_("Usage"), _("le site receveur a déclaré un besoin : « %(label)s »")
                          % {"label": need_label.strip()}))
        else:
            parts.append((_("Usage"), _("le site receveur a déclaré un besoin : %(material)s") % {"material": need}))
        if explanation.get("rule_id"):
            # the declared need is met by a material its use tolerates (cooling make-up: treated wastewater)
            worded = grade_label(grade)
            parts.append((_("Précision"), _("ce besoin accepte aussi : %(material)s") % {"material": need}
                          + (_(", comme %(use)s") % {"use": worded[0]} if worded else "")))
            if source and not receiver_hidden:
                parts.append((_("Source"), source_label(source)))
    elif need_class and (explanation.get("unknown_activity") or is_unknown_receiver(explanation.get("rule_id"))):
        # a site whose code, activity and name say nothing, proposed as a last resort (pipeline.UNKNOWN_PRIOR)
        parts.append((_("Usage"), _("aucun site d'activité connue alentour ne reçoit cette offre ; ce site, dont "
                                    "l'activité est inconnue, pourrait utiliser : %(material)s") % {"material": need}))
        parts.append((_("Précision"), _("ni code d'activité, ni activité décrite, ni mot de métier dans son nom : "
                                        "demandez-lui ce qu'il fait avant de proposer l'échange")))
    elif need_class:
        code = _rule_activity(explanation)
        trade = bool(code) and is_waste_trade(code)
        if receiver_hidden:
            code = None
        confidence = explanation.get("need_confidence")
        sure = not isinstance(confidence, (int, float)) or confidence >= 0.5
        worded = grade_label(grade)
        if code and trade:
            text = (_("une activité « %(activity)s » traite ou valorise habituellement : %(material)s") if sure else
                    _("une activité « %(activity)s » peut traiter ou valoriser : %(material)s"))
        elif trade:
            text = (_("le site receveur traite ou valorise habituellement : %(material)s") if sure else
                    _("le site receveur peut traiter ou valoriser : %(material)s"))
        elif code:
            text = (_("une activité « %(activity)s » utilise habituellement : %(material)s") if sure else
                    _("une activité « %(activity)s » peut utiliser : %(material)s"))
        else:
            text = (_("le site receveur utilise habituellement : %(material)s") if sure else
                    _("le site receveur peut utiliser : %(material)s"))
        text %= {"activity": activity_label(code) if code else "", "material": need}
        if worded and worded[1] == "use":
            text += _(", pour : %(use)s") % {"use": worded[0]}
        parts.append((_("Usage"), text))
        if worded and worded[1] == "note":
            parts.append((_("Précision"), worded[0]))
        deduced = explanation.get("deduced_from")
        if deduced and not receiver_hidden:
            # the receiver is known by a name only: its activity was read from what it offers
            parts.append((_("Précision"), _("activité déduite de ce que le site déclare : %(materials)s → %(activity)s")
                          % {"materials": ", ".join(in_sentence(material_label(k)) for k in deduced),
                             "activity": in_sentence(activity_label(explanation.get("deduced_activity")))}))
        if source and not receiver_hidden:
            parts.append((_("Source"), source_label(source)))
    if offer_class and need_class and offer_class != need_class:
        parts.append((_("Substitution"), _("« %(offer)s » peut remplacer « %(need)s »")
                      % {"offer": material_label(offer_class), "need": material_label(need_class)}))
    if explanation.get("hazardous"):
        parts.append((_("Danger"), _("déchet dangereux, proposé seulement à une activité qui traite ce type de "
                                     "déchet ; son autorisation est à vérifier avant tout échange")))
    parts += stated_use_parts(explanation, receiver_hidden)
    words = quantity_words(explanation.get("estimate_basis"), quantity, unit)
    if words:
        parts.append((_("Quantité"), words))
    if distance_km is not None:
        parts.append((_("Distance"), _("%(km)s km") % {"km": _number(distance_km)}))
    return parts


def explanation_text(explanation: dict, **kwargs) -> str:
    """The parts as one line: « Usage : … · Source : … · Distance : 12,3 km »."""
    return " · ".join(f"{head} : {text}" if not _en() else f"{head}: {text}"
                      for head, text in explanation_parts(explanation, **kwargs))


class ExplanationWriter:
    """:func:`explanation_text` for the many proposals of one run, same text: the parts that depend
    on the classes and the rule are worded once per combination, the quantity and distance per row."""

    def __init__(self):
        self.en = _en()
        self.static_parts: dict[tuple, str] = {}
        self.numbers: dict[float, str] = {}
        self.quantity_heading = (_("Quantité"), _("%(quantity)s %(unit)s par an"))
        self.no_quantity = (_("Quantité"), _("non déclarée"))
        self.bounded: dict[tuple, str] = {}
        self.distance_heading = (_("Distance"), _("%(km)s km"))
        self.unit_words: dict[str, str] = {}  # unit -> its words (unit_label), translated once

    def _part(self, head: str, text: str) -> str:
        return f"{head}: {text}" if self.en else f"{head} : {text}"

    def _number(self, value: float) -> str:
        text = self.numbers.get(value)
        if text is None:
            text = self.numbers[value] = _number(value, self.en)
        return text

    def static(self, offer_class, hazardous, component, need_class, declared_need, rule_id, receiver_activity, source,
               grade, need_confidence, deduced_from=(), deduced_activity=None, need_label=None) -> str:
        """The parts that depend on the classes and the rule only, joined (empty when none)."""
        sure = need_confidence is None or need_confidence >= 0.5
        key = (offer_class, need_class, declared_need, rule_id, receiver_activity, source, grade, sure, hazardous,
               component, tuple(deduced_from), deduced_activity, need_label if declared_need else None)
        said = self.static_parts.get(key)
        if said is None:
            explanation = {"offer_class": offer_class, "need_class": need_class, "declared_need": declared_need,
                           "rule_id": rule_id, "receiver_activity": receiver_activity, "source": source,
                           "grade": grade, "need_confidence": 1.0 if sure else 0.0, "hazardous": hazardous,
                           "offer_component": component}
            if deduced_from:
                explanation.update(deduced_from=list(deduced_from), deduced_activity=deduced_activity)
            said = self.static_parts[key] = " · ".join(
                self._part(h, t) for h, t in explanation_parts(explanation, need_label=key[-1]))
        return said

    def stated_use(self, stated_use=(), stated_use_made=()) -> str | None:
        """The stated use's parts (:func:`stated_use_parts`), joined; None without a stated use."""
        if not stated_use:
            return None
        key = ("use", tuple(stated_use), tuple(stated_use_made))
        said = self.static_parts.get(key)
        if said is None:
            explanation = {"stated_use": list(stated_use), "stated_use_made": list(stated_use_made)}
            said = self.static_parts[key] = " · ".join(self._part(h, t) for h, t in stated_use_parts(explanation))
        return said or None

    def quantity(self, basis, quantity, unit) -> str | None:
        """The « Quantité » part, None without a unit."""
        from .additionality import BASIS_TO_AGREE

        if unit and basis not in (None, "declared_need"):  # bounded or unknown
            if quantity is None or basis == BASIS_TO_AGREE:
                key = (basis, quantity, unit)
                words = self.bounded.get(key)
                if words is None:
                    words = self.bounded[key] = self._part(_("Quantité"), quantity_words(basis, quantity, unit))
                return words
            # the sentence of each basis and unit translated once, the figure put in it
            template = self.bounded.get((basis, unit))
            if template is None:
                template = self.bounded[(basis, unit)] = self._part(_("Quantité"), _figure_words(basis, "\0", unit))
            return template.replace("\0", _number(quantity, self.en))
        if unit and quantity is not None:
            head, text = self.quantity_heading
            unit_words = self.unit_words.get(unit)
            if unit_words is None:
                unit_words = self.unit_words[unit] = unit_label(unit)
            return self._part(head, text % {"quantity": self._number(quantity), "unit": unit_words})
        if unit:
            return self._part(*self.no_quantity)
        return None

    def distance(self, distance_km) -> str | None:
        if distance_km is None:
            return None
        head, text = self.distance_heading
        return self._part(head, text % {"km": self._number(distance_km)})

    def __call__(self, offer_class, need_class, declared_need, rule_id, receiver_activity, source, grade=None,
                 need_confidence=None, *, hazardous=False, distance_km=None, quantity=None, unit=None,
                 basis=None, component=None, stated_use=(), stated_use_made=(), need_label=None) -> str:
        said = (self.static(offer_class, hazardous, component, need_class, declared_need, rule_id, receiver_activity,
                            source, grade, need_confidence, need_label=need_label),
                self.stated_use(stated_use, stated_use_made), self.quantity(basis, quantity, unit),
                self.distance(distance_km))
        return " · ".join([w for w in said if w])
