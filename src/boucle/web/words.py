"""Words, not keys: how enums, territories, numbers and the engine's explanations read on a page.

Every page and the API's human-readable fields go through these functions, so a key such as
``waste_oil``, ``region:32`` or a number such as ``1e+06`` never reaches a reader.
"""

from __future__ import annotations

import math
import re

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boucle.matching.wording import unit_label  # one rule for printed units

KIND_LABELS = {"material": gettext_lazy("matière"), "energy": gettext_lazy("énergie / chaleur"),
               "water": gettext_lazy("eau"), "equipment": gettext_lazy("équipement"), "service": gettext_lazy("service")}
DIRECTION_LABELS = {"offer": gettext_lazy("offre"), "need": gettext_lazy("besoin")}
LEVEL_LABELS = {"region": gettext_lazy("Région"), "departement": gettext_lazy("Département"),
                "epci": gettext_lazy("Intercommunalité"), "commune": gettext_lazy("Commune")}
PERIOD_LABELS = {"year": gettext_lazy("par an"), "month": gettext_lazy("par mois"), "week": gettext_lazy("par semaine"),
                 "day": gettext_lazy("par jour"), "once": gettext_lazy("une fois")}
PER_PERIOD = {"year": gettext_lazy("/an"), "month": gettext_lazy("/mois"), "week": gettext_lazy("/semaine"),
              "day": gettext_lazy("/jour"), "once": gettext_lazy(" (une fois)")}


def number(value, digits: int = 0) -> str:
    """A figure with the locale's grouping and decimal mark: ``1 234 567`` / ``1,234,567``; never ``1e+06``."""
    if value is None:
        return "—"
    value = float(value)
    if not math.isfinite(value):
        return "—"
    value = round(value, digits)
    if digits and value == int(value):
        digits = 0
    return number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)


def distance_figure(km) -> str:
    """A distance in km as the pages show it, one decimal: « 7,2 », « 7,0 »; two sites at one address (or a few metres
    apart) read « < 0,1 », never « 0 » or « 0,0 »."""
    if km is None:
        return "—"
    if float(km) < 0.05:
        return f"< {number(0.1, 1)}"
    # always one decimal (« 7,0 », not « 7 »): a column of distances reads aligned
    return number_format(round(float(km), 1), decimal_pos=1, use_l10n=True, force_grouping=True)


def estimate_text(value, kind: str = "co2e", low=None, high=None) -> str:
    """An engine estimate as text, to the digits ``impact.ranges.shown`` keeps (the cards', totals' and
    exports' rule): CO2e to its range's precision or two significant digits, euros to two, quantities to a
    tenth below 100. « — » when unknown."""
    from django.utils.translation import get_language

    from boucle.impact.ranges import format_range, shown

    try:
        value = None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return "—"
    if value is None or not math.isfinite(value):
        return "—"
    if kind == "quantity":
        from boucle.figures import quantity_decimals

        return number(shown(value, kind), quantity_decimals(value))
    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    return format_range(value, low if kind == "co2e" else None, high if kind == "co2e" else None, "", lang,
                        with_range=False).strip()


def _scaled(value: float, unit: str) -> tuple[str, str]:
    """Euros read as k€ / M€ from ten thousand on ("1 à 10 M€"), other units keep their grouping."""
    if unit.startswith("€"):
        for factor, prefix in ((1e9, "Md€"), (1e6, "M€"), (1e3, "k€")):
            if value >= factor:
                return number(value / factor, 0 if value / factor >= 1 else 1), prefix + unit[1:]
    return number(value), unit


def flow_quantity(quantity, unit: str, period: str) -> str:
    """A declared quantity as its company wrote it: "2 300 t/an", "773,2 t/an", "12 m³/an", "0,6 kg (une fois)".

    At most two decimals and no trailing zero ("773,20 t" reads as a false precision); the stored
    unit and period keys (``m3``, ``unit``, ``once``) become words."""
    if quantity is None or quantity == "":
        return ""
    value = round(float(quantity), 2)
    digits = 0 if value == int(value) else (1 if round(value, 1) == value else 2)
    if unit == "unit":
        shown_unit = _("unités") if value > 1 else _("unité")
    else:
        shown_unit = unit_label(unit)
    text = f"{number(value, digits)} {shown_unit}".strip()
    return text + str(PER_PERIOD.get(period, ""))


def utility_kind(material_class: str | None, kind: str, temperature_c=None, label: str = "") -> str:
    """What an energy or water flow is, for a line that shows the company's own label (« Chaleur de
    l'incinération » says neither steam nor hot water, nor how hot): its class in words, with the declared
    temperature where there is one -- « chaleur fatale moyenne température, 130 °C ». The class's bracket
    (its band « (100–250 °C) », « (eau glacée) ») gives way to a declared temperature, else reads after a comma,
    since the words go between brackets. Empty for a material, or when the label already says all of it."""
    from boucle.matching.wording import material_label
    from boucle.messages import in_sentence

    if kind not in ("energy", "water") or not material_class:
        return ""
    has_temperature = isinstance(temperature_c, (int, float)) and not isinstance(temperature_c, bool)
    if has_temperature and material_class.startswith("waste_heat_"):
        # the band the matching reads from the declared temperature (a flow saved as « basse température » at
        # 200 °C is matched as medium-temperature heat): the words agree with the card's title
        from boucle.matching.pipeline import HEAT_GRADES

        material_class = next(k for k, limit in HEAT_GRADES if temperature_c < limit)
    text = material_label(material_class)
    if text == material_class:  # a class the taxonomy does not know: no words for it
        text = ""
    head, _sep, rest = text.partition(" (")
    rest = rest.rstrip(")")
    # a declared temperature says more than the class's bracket: its band, or « eau glacée » for cold at -150 °C
    words = [w for w in (head, "" if has_temperature else rest) if w]
    # what the label already says is not said twice (« Chaleur fatale basse température »)
    words = [w for w in words if w.lower() not in (label or "").lower()]
    if has_temperature:
        words.append(f"{number(temperature_c)}\u00a0°C")  # the figure and its unit on one line
    return in_sentence(", ".join(words)) if words else ""


def site_reference(site_id: str) -> str:
    """A site's identifier as a reader knows it: "SIRET 123…", "iREP n° 7001311"; another key stays as is."""
    site_id = site_id or ""
    if re.fullmatch(r"\d{14}", site_id):
        return f"SIRET {site_id}"
    if site_id.startswith("irep:"):
        return _("iREP n° %(number)s") % {"number": site_id[5:]}
    return site_id


def decade_range(value: float | None, unit: str, at_most: float | None = None) -> str | None:
    """An order of magnitude in words: "1 000 à 10 000 t", "1 à 10 M€/an", "< 1 t". ``at_most``: a bound the
    reader already knows (its own quantity, when the figure is the smaller of two): the bracket stops there,
    « 1 000 à 1 400 t » rather than up to ten times it."""
    if value is None:
        return None
    unit = unit_label(unit)
    value = float(value)
    if not math.isfinite(value) or value < 0:
        return None
    if value < 1:
        return _("moins de 1 %(unit)s") % {"unit": unit} if unit else _("moins de 1")
    low = 10 ** math.floor(math.log10(value))
    high = low * 10
    if at_most is not None and math.isfinite(at_most) and low < at_most < high and value <= at_most:
        high = at_most
    if unit.startswith("€") and low >= 1e4:
        low_text, low_unit = _scaled(low, unit)
        high_text, high_unit = _scaled(high, unit)
        if low_unit != high_unit:  # 100 k€ à 1 M€
            return _("%(low)s à %(high)s") % {"low": f"{low_text} {low_unit}", "high": f"{high_text} {high_unit}"}
        return _("%(low)s à %(high)s %(unit)s") % {"low": low_text, "high": high_text, "unit": low_unit}
    text = _("%(low)s à %(high)s %(unit)s") % {"low": number(low), "high": number(high), "unit": unit}
    return text.strip()


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, "")) or _("autre")


def direction_label(direction: str) -> str:
    return str(DIRECTION_LABELS.get(direction, "")) or "—"


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, "")) or _("Territoire")


def territory_label(ref) -> str:
    """"Hauts-de-France (région)" rather than ``region:32``; accepts a TerritoryRef or a "level:code" text."""
    if isinstance(ref, str):
        from boucle.territories.refs import TerritoryError, resolve

        try:
            ref = resolve(ref)
        except TerritoryError:
            return ref
    return f"{ref.name} ({level_label(ref.level).lower()})"


def status_label(status: str) -> str:
    from .present import STATUS_LABELS

    return str(STATUS_LABELS.get(status, "")) or "—"


def transition_sentence(from_status: str, to_status: str) -> str:
    """A status change as a reader says it: "passée de « suggérée » à « contact pris »"."""
    if not from_status:
        return _("créée avec le statut « %(to)s »") % {"to": status_label(to_status)}
    return _("passée de « %(from)s » à « %(to)s »") % {"from": status_label(from_status), "to": status_label(to_status)}


def _confidence_word(value) -> str | None:
    """How sure a reading is, in words; never « certain »: only a person's choice is (``_class_reading``)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if value >= 0.9:
        return _("avec une forte confiance")
    if value >= 0.6:
        return _("avec une bonne confiance")
    return _("avec un doute, à vérifier")


# Who decided a side's class (``flow_forms.class_origin``), as the sentence says it: one side, and both
# sides when they share it. A reading (a waste code's mapping, a label, an activity) is never « certain »,
# however high the classifier's score; only a person's choice goes without a confidence.
ORIGIN_ONE = {"chosen": gettext_lazy("choisie par l'entreprise ou l'animateur"),
              "waste_code": gettext_lazy("lue d'après le code déchet"),
              "label": gettext_lazy("lue dans le libellé"),
              "activity": gettext_lazy("déduite de l'activité du site"),
              None: gettext_lazy("reconnue")}
ORIGIN_BOTH = {"chosen": gettext_lazy("choisies par les entreprises ou l'animateur"),
               "waste_code": gettext_lazy("lues d'après le code déchet"),
               "label": gettext_lazy("lues dans le libellé"),
               "activity": gettext_lazy("déduites de l'activité des sites"),
               None: gettext_lazy("reconnues")}


def _class_reading(origin, confidence, both: bool = False) -> str | None:
    """« lue d'après le code déchet, avec une forte confiance », « choisie par l'entreprise ou l'animateur »."""
    words = (ORIGIN_BOTH if both else ORIGIN_ONE).get(origin if origin in ORIGIN_ONE else None)
    if origin == "chosen":
        return str(words)
    confidence = _confidence_word(confidence)
    if confidence is None:
        return None
    return f"{words}, {confidence}" if origin in ORIGIN_ONE and origin is not None else f"{words} {confidence}"


QUANTITY = re.compile(r"\d[\d\s\u202f\xa0.,]*\s*(?:t|tonnes?|kg|MWh|kWh|GWh|m3|m³|l|litres?)(?:/an|/yr|\b)", re.I)

DISTANCE = re.compile(r"\d[\d\s\u202f\xa0.,]*\s*km\b", re.I)


def explanation_sources(explanation, receiver_hidden: bool = False, need_label: str | None = None) -> list[dict]:
    """The documents the card's « Source » parts name (:func:`explanation_sentences` with ``sources_apart``
    leaves those parts out), each short (« BREF STS 2020 », « directive 2008/98/CE »), with what it is about
    where its name does not say (a BREF's title, a NACE code's activity) and the address to read it whole."""
    from boucle.matching.citations import documents
    from boucle.matching.wording import (activity_label, explanation_parts, rule_source, source_label,
                                         stated_use_source)
    from boucle.messages import in_sentence

    if not isinstance(explanation, dict) or _engine_text(explanation):
        return []
    cited = {str(_("Source")): rule_source(explanation), str(_("Source de l'usage")): stated_use_source(explanation)}
    lang = "en" if _english() else "fr"
    shown: dict[str, dict] = {}
    for heading, text in explanation_parts(explanation, receiver_hidden=receiver_hidden, need_label=need_label):
        citation = cited.get(str(heading))
        if citation is None:
            continue
        found = documents(citation, lang)
        if not found:  # a citation naming no document this module knows: said so, in words
            shown.setdefault(text, {"name": source_label(citation), "subject": "", "url": ""})
        for d in found:
            subject = d.subject or (in_sentence(activity_label(d.code)) if d.code and activity_label(d.code) != d.code
                                    else "")
            shown.setdefault(d.name, {"name": d.name, "subject": subject, "url": d.url})
    return list(shown.values())


def _engine_text(explanation: dict) -> bool:
    """Whether the engine wrote the explanation's sentences itself (``sentences`` / ``summary`` / ``text``)."""
    own = explanation.get("sentences")
    return (isinstance(own, (list, tuple)) and any(isinstance(x, str) and x.strip() for x in own)) or any(
        isinstance(explanation.get(k), str) and explanation[k].strip() for k in ("summary", "text"))


def explanation_sentences(explanation, hide_quantities: bool = False, receiver_hidden: bool = False,
                          origins: dict | None = None, need_label: str | None = None,
                          sources_apart: bool = False) -> list[str]:
    """Why a synergy is proposed, in sentences, from whatever the engine's explanation carries.

    Sentences the engine writes itself (``sentences`` / ``text`` / each reason's ``text``) are shown as
    they are; otherwise known fields are put into words. Numbers of unknown meaning and every quantity
    (each side's exact tonnage would undo the range shown to the other company) are left out.
    """
    if not isinstance(explanation, dict):
        return []
    sentences: list[str] = []
    own = explanation.get("sentences")
    if isinstance(own, (list, tuple)):
        sentences += [s.strip() for s in own if isinstance(s, str) and s.strip()]
    for key in ("summary", "text"):
        if isinstance(explanation.get(key), str) and explanation[key].strip():
            sentences.append(explanation[key].strip())
    if sentences:
        # While the other company is anonymous neither its exact quantity nor the exact distance (read from
        # one's own site, it draws a circle through the other) may reach the page: the engine's parts
        # (« … · Quantité : 60 000 t par an · Distance : 6,3 km ») that carry either are left out.
        if not hide_quantities:
            return sentences
        kept = [" · ".join(p for p in s.split(" · ") if not (QUANTITY.search(p) or DISTANCE.search(p)))
                for s in sentences]
        return [s for s in kept if s]
    from boucle.matching.wording import explanation_parts

    from .present import material_label, reason_text

    # The matching's own wording first (use, source of the rule, substitution, hazard), without the
    # distance (on the card) or any quantity; then what it leaves out, in the same plain words.
    apart = {str(_("Source")), str(_("Source de l'usage"))} if sources_apart else set()
    for heading, text in explanation_parts(explanation, receiver_hidden=receiver_hidden, need_label=need_label):
        if str(heading) in apart:  # listed on their own, with their links (explanation_sources)
            continue
        # After its heading a part keeps its lower-case start (« Usage : le site receveur… »).
        text = text.strip() + ("" if text.strip().endswith((".", "!", "?")) else ".")
        sentences.append(f"{heading} : {text}" if not _english() else f"{heading}: {text}")
    offer_class, need_class = explanation.get("offer_class"), explanation.get("need_class")
    if not sentences and offer_class and need_class:
        if offer_class == need_class:
            sentences.append(_("L'offre et le besoin portent sur la même matière : %(m)s.")
                             % {"m": material_label(offer_class)})
        else:
            sentences.append(_("%(offer)s peut remplacer %(need)s chez le receveur.")
                             % {"offer": material_label(offer_class), "need": material_label(need_class)})
    origins = origins or {}
    offer_conf, need_conf = explanation.get("offer_class_confidence"), explanation.get("need_confidence")
    offer_read = _class_reading(origins.get("offer"), offer_conf)
    need_read = _class_reading(origins.get("need"), need_conf)
    unknown = bool(explanation.get("unknown_activity"))
    inferred = explanation.get("inferred_factor")
    inferred = isinstance(inferred, (int, float)) and not isinstance(inferred, bool) and inferred < 1
    deduced = None  # how sure the need read from the activity is, said once, in the sentence that says it is read
    if inferred and not unknown and origins.get("need") == "activity" and need_read:
        deduced, need_read = _confidence_word(need_conf), None
    if unknown or not need_read:
        # no activity was read (the need's material is the offer's, put forward for the site to confirm), or how
        # the need was read is said with its sentence below
        if offer_read:
            sentences.append(_("La matière de l'offre est %(offer)s.") % {"offer": offer_read})
    elif offer_read and need_read and offer_read == need_read:
        # « …lue dans le libellé, avec une forte confiance ; celle du besoin, lue dans le libellé… » reads as a stammer
        sentences.append(_("Les matières de l'offre et du besoin sont toutes deux %(reading)s.")
                         % {"reading": _class_reading(origins.get("offer"), offer_conf, both=True)})
    elif offer_read and need_read:
        sentences.append(_("La matière de l'offre est %(offer)s ; celle du besoin, %(need)s.")
                         % {"offer": offer_read, "need": need_read})
    compatibility = explanation.get("compatibility")
    if isinstance(compatibility, (int, float)) and not isinstance(compatibility, bool) and compatibility < 1:
        sentences.append(_("Les deux matières ne sont compatibles que sous conditions (qualité, préparation)."))
    if unknown:
        sentences.append(_("Le besoin n'est pas déclaré et l'activité du site receveur est inconnue : à vérifier "
                           "auprès de lui."))
    elif inferred and deduced:
        sentences.append(_("Le besoin n'est pas déclaré : il est déduit de l'activité du site receveur, %(confidence)s.")
                         % {"confidence": deduced})
    elif inferred:
        sentences.append(_("Le besoin n'est pas déclaré : il est déduit de l'activité du site receveur."))
    temperature = heat_temperature_sentence(explanation, receiver_hidden)
    if temperature:
        sentences.append(temperature)
    breakeven = explanation.get("heat_breakeven_km")
    if isinstance(breakeven, (int, float)) and not isinstance(breakeven, bool):
        if hide_quantities:
            # A proposal is only made within this distance: « au-delà de 0,1 km » next to a « < 5 km » band would
            # tell the still anonymous side that the other site is next door (and the distance follows from
            # the quantities). The reason stays, without the figure.
            sentences.append(_("La chaleur ne se transporte que sur une courte distance : plus loin, le réseau de "
                               "chaleur coûterait plus qu'il ne rapporterait."))
        else:
            sentences.append(_("Au-delà de %(km)s km, le réseau de chaleur coûterait plus qu'il ne rapporterait.")
                             % {"km": number(breakeven, 1)})
    # The rule's source is worded by explanation_parts (the documents it names, never the raw citation).
    for reason in explanation.get("reasons", []) or []:
        if isinstance(reason, dict):
            text = reason.get("text") if isinstance(reason.get("text"), str) else reason_text(reason)
            if text:
                sentences.append(_sentence(text))
    return list(dict.fromkeys(sentences))


def heat_temperature_sentence(explanation: dict, receiver_hidden: bool = False) -> str | None:
    """The receiver's heat temperature the proposal is valued at, saying where it comes from: the need the
    receiver declared, or -- for a need read from its activity, or a site of unknown activity -- a typical
    value from ``need_temperatures.csv`` (« chaleur vers 150 °C, typique de cette activité (source) »), which
    the receiver never said. While the receiver is anonymous the source is left out, as the rule's is
    (a regulation on milk pasteurisation names a dairy)."""
    from boucle.matching.citations import documents
    from boucle.matching.knowledge.infer import need_temperature_origin
    from boucle.matching.wording import material_label, source_label
    from boucle.messages import in_sentence

    temperature = explanation.get("need_temperature_c")
    if not isinstance(temperature, (int, float)) or isinstance(temperature, bool):
        return None
    factor = explanation.get("inferred_factor")
    inferred = (explanation.get("declared_need") is False or bool(explanation.get("unknown_activity"))
                # an explanation stored before « declared_need » existed: the engine's factor for an inferred need
                or (explanation.get("declared_need") is None and isinstance(factor, (int, float)) and factor < 1))
    if not inferred:
        return _("Le receveur a déclaré un besoin de chaleur à %(t)s °C.") % {"t": number(temperature)}
    activity = explanation.get("deduced_activity") or explanation.get("receiver_activity")
    origin = need_temperature_origin(explanation.get("need_class"), float(temperature), activity)
    values = {"t": number(temperature)}
    if origin is None:
        return _("Température non déclarée : chaleur vers %(t)s °C, estimée d'après l'activité du receveur, "
                 "à confirmer avec lui.") % values
    prefix, source = origin
    if receiver_hidden:
        cited = ""
    elif source.startswith("Boucle assumption"):
        # the table says it: an order of magnitude of Boucle, no document behind the figure
        cited = " (%s)" % _("hypothèse de Boucle, sans source citée")
    else:
        # the documents' short names: « (BREF FDM 2019) », not a title in brackets inside the brackets
        names = [d.name for d in documents(source, "en" if _english() else "fr")]
        cited = " (%s)" % ((", " if _english() else " ; ").join(names) if names else source_label(source))
    if prefix == "*":
        text = _("Température non déclarée : chaleur vers %(t)s °C, valeur type pour « %(heat)s »%(source)s, "
                 "à confirmer avec le receveur.")
    else:
        text = _("Température non déclarée : chaleur vers %(t)s °C, typique de cette activité%(source)s, "
                 "à confirmer avec le receveur.")
    return text % {**values, "source": cited, "heat": in_sentence(material_label(explanation.get("need_class")))}


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "fr").startswith("en")
