"""Template filters that turn keys and raw numbers into words: ``{% load words %}``."""

from django import template

from boucle.figures import quantity_decimals
from boucle.web import words

register = template.Library()


@register.filter
def num(value, digits=0):
    """``{{ 1234567|num }}`` → "1 234 567" (grouping and decimal mark of the page's language).

    A positive figure too small for the digits shown reads "< 0,1" (or "< 1"), never a bare 0:
    "0 t" would say nothing is there."""
    try:
        digits = int(digits)
        if value is not None and value != "" and 0 < float(value) < 0.5 * 10 ** -digits:
            return "< " + words.number(10 ** -digits, digits)
        return words.number(value, digits)
    except (TypeError, ValueError):
        return value if value not in (None, "") else "—"


@register.filter
def measured(value):
    """``{{ verified.co2e_avoided_t|measured }}``: a measured figure as the impact table and the synergy page show it
    (``impact._display``): one decimal below 100 (« 85,5 », « 2,5 »), none above (« 773 573 ») — never 85,5 on
    one page and 86 on the next."""
    try:
        return num(value, quantity_decimals(float(value)))
    except (TypeError, ValueError):
        return num(value)


@register.filter
def km(value):
    """``{{ synergy.distance_km|km }}`` → "7,2", "< 0,1" for two sites at one place (``words.distance_figure``)."""
    return words.distance_figure(value)


@register.filter
def estimate(value, kind="co2e"):
    """``{{ total|estimate:"co2e" }}``, ``{{ total|estimate:"eur" }}``: an engine estimate rounded as the cards
    round it (``impact.ranges.shown``: two significant digits without a range), « 570 000 », never « 568 360 »."""
    return words.estimate_text(value, kind)


@register.filter
def flow_quantity(flow):
    """``{{ flow|flow_quantity }}`` → "2 300 t/an", "0,6 kg (une fois)": the declared quantity in words."""
    return words.flow_quantity(flow.quantity, flow.unit, flow.period)


@register.filter
def site_ref(site_id):
    return words.site_reference(site_id)


@register.filter
def tonnes(value):
    """A tonnage as every page and reading download shows it (``figures.quantity``): "2 880", "12,5", "0,00048"."""
    try:
        return num(value, quantity_decimals(float(value)) if value is not None else 0)
    except (TypeError, ValueError):
        return num(value)


@register.filter
def quantity(value):
    """``{{ row.quantity|quantity }}``: a quantity in any unit (t, MWh, m³) as the reading downloads write it
    (``figures.quantity``): "2 882", "12,3", "0,00012" -- a page and its CSV never disagree."""
    return tonnes(value)


@register.simple_tag
def colon():
    """The colon between a label and its value: « Offre : intéressée » in French, « Offer: interested »
    in English (the French space before it reads as a typo in English)."""
    from django.utils.translation import get_language

    return ": " if (get_language() or "fr").startswith("en") else " : "


@register.filter
def unit(value):
    """``{{ "m3"|unit }}`` → "m³"."""
    return words.unit_label(value)


@register.filter
def decade(value, unit=""):
    return words.decade_range(value, unit) or "—"


@register.filter
def kind_label(value):
    return words.kind_label(value)


@register.filter
def direction_label(value):
    return words.direction_label(value)


@register.filter
def status_label(value):
    return words.status_label(value)


@register.filter
def level_label(value):
    return words.level_label(value)


@register.filter
def territory_label(value):
    return words.territory_label(value)


@register.simple_tag
def semicolon():
    """« ; » between two clauses: with a space before it in French, none in English (``colon``)."""
    from django.utils.translation import get_language

    return "; " if (get_language() or "fr").startswith("en") else " ; "


@register.simple_tag
def transition(from_status, to_status):
    return words.transition_sentence(from_status, to_status)


MAIN_PATH = ("suggested", "contacted", "in_discussion", "trial", "running")


@register.simple_tag
def synergy_steps(status):
    """The lifecycle's main path as (label, state) pairs, state being "done", "current" or "todo"."""
    reached = MAIN_PATH.index(status) if status in MAIN_PATH else (len(MAIN_PATH) if status == "stopped" else -1)
    return [(words.status_label(step), "done" if i < reached else ("current" if i == reached else "todo"))
            for i, step in enumerate(MAIN_PATH)]


@register.filter
def percent(share, digits=0):
    """A share between 0 and 1 as "45 %" in French, "45%" in English (empty share: "—")."""
    from django.utils.translation import get_language

    if share is None or share == "":
        return "—"
    sign = "%" if (get_language() or "fr").startswith("en") else "\u00a0%"
    return words.number(float(share) * 100, int(digits)) + sign


@register.filter
def material_label(key):
    """A material class key (``waste_oil``) as its label in the page's language."""
    from boucle.web.present import material_label as label

    return label(key) or "—"


@register.filter
def critical_materials(key):
    """The EU critical raw materials (Regulation (EU) 2024/1252) a material class contains:
    ``[{"name": "Cobalt", "strategic": True}, ...]``, strategic ones first; empty when none."""
    from django.utils.translation import get_language

    from boucle.materials.crm import crm_of_class

    lang = "en" if (get_language() or "fr").startswith("en") else "fr"
    return [{"name": c.crm.name(lang), "strategic": c.crm.strategic} for c in crm_of_class(key)]
