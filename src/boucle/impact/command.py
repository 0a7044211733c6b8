"""``boucle impact``: the impact breakdown of one exchange, for people or programs.

No database: the factor tables ship with the package, so the command works on a
fresh clone and gives the same figures as the platform.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .engine import exchange_breakdown
from .ranges import format_range
from .factors import MODES
from .units import ACCEPTED_UNITS

from boucle.cli import gettext_lazy as _

HEADLINE = ("co2e_avoided_t", "tonnes_diverted", "virgin_avoided_t", "water_saved_m3",
            "energy_recovered_mwh", "eur_saved", "breakeven_distance_km")


def normalise_ewc(value: str) -> str:
    """``170405``, ``17 04 05`` and ``17 04 05*`` name the same entry (the importer's parser)."""
    from boucle.materials.classify import ewc_digits

    code6 = ewc_digits(str(value or ""))
    if code6 is None:
        raise ValueError(str(_("%(value)r n'est pas un code déchet (6 chiffres, par exemple 17 04 05)"))
                         % {"value": value})
    return code6


def class_for_ewc(code: str) -> str:
    code6 = normalise_ewc(code)
    try:  # the taxonomy's own resolver when it exists
        from boucle.materials.classify import class_for_ewc as resolve  # type: ignore
        key = resolve(code6)
    except ImportError:
        from boucle.materials.taxonomy import ewc_table
        key = (ewc_table().get(code6) or (None,))[0]
    if not key:
        raise ValueError(str(_("le code déchet %(code)s n'a pas de classe de matière")) % {"code": code6})
    return key if isinstance(key, str) else key.key


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "impact", help=_("CO2e, tonnes détournées et coût d'un échange (méthode : docs/impact-method.md)"))
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--material", metavar=_("CLÉ"), help=_("clé de classe de matière (boucle materials list)"))
    what.add_argument("--ewc", metavar="CODE", help=_("code déchet européen : 170405, '17 04 05' ou '17 04 05*'"))
    p.add_argument("--quantity", type=float, required=True, help=_("quantité par an"))
    p.add_argument("--unit", required=True, choices=ACCEPTED_UNITS, help=_("unité de la quantité"))
    p.add_argument("--distance-km", type=float, required=True, help=_("distance entre les deux sites, en km"))
    p.add_argument("--mode", choices=MODES, default=None,
                   help=_("mode de transport (par défaut : route pour les matières, canalisation pour l'eau et la "
                          "chaleur)"))
    p.add_argument("--route", default=None,
                   help=_("ce que devient le flux aujourd'hui : un code d'opération (R1-R13, D1-D15) ou une filière "
                          "(landfill, incineration, incineration_recovery, recycling, composting, sewer…) ; par "
                          "défaut : la filière documentée de la matière et du code déchet, affichée comme hypothèse"))
    p.add_argument("--supply-temperature", type=float, default=None, metavar="C", help=_("chaleur : température "
                                                                                         "fournie (°C)"))
    p.add_argument("--need-temperature", type=float, default=None, metavar="C", help=_("chaleur : température "
                                                                                       "requise (°C)"))
    p.add_argument("--receiver-naf", default=None, metavar="CODE",
                   help=_("activité du receveur (code NAF, 23.51Z) : une matière qu'il brûle comme combustible est "
                          "comptée par le combustible fossile qu'elle remplace ; un opérateur de déchets (NAF 38, 39, "
                          "46.77) la revend : aucun achat de matière vierge évité"))
    p.add_argument("--replaces", default=None, help=_("matière vierge remplacée, quand une classe en a plusieurs"))
    p.add_argument("--basis", choices=("estimated", "verified"), default="estimated",
                   help=_("quantité estimée (par défaut) ou vérifiée"))
    p.add_argument("--json", action="store_true", help=_("un objet JSON sur la sortie standard"))
    p.set_defaults(func=handle, needs_db=False)


# The headline figures in words; the keys stay in --json.
HEADLINE_WORDS = {"co2e_avoided_t": _("CO2e évité"), "tonnes_diverted": _("tonnes détournées"),
                  "virgin_avoided_t": _("matière vierge évitée"), "water_saved_m3": _("eau économisée"),
                  "energy_recovered_mwh": _("énergie récupérée"), "eur_saved": _("euros économisés"),
                  "breakeven_distance_km": _("distance d'équilibre")}
MODE_WORDS = {"road": _("route"), "rail": _("rail"), "barge": _("voie d'eau"), "pipe": _("canalisation")}
BASIS_WORDS = {"estimated": _("quantité estimée"), "verified": _("quantité vérifiée")}


def _number(v: float) -> str:
    """The reader's grouping and decimal mark ("15 380", "0,122"): three decimals only where they count."""
    from django.utils.formats import number_format

    from django.utils.formats import get_format

    digits = 0 if abs(v) >= 100 or v == 0 else (1 if abs(v) >= 10 else 3)
    text = number_format(round(v, digits), decimal_pos=digits, use_l10n=True, force_grouping=True)
    return text.rstrip("0").rstrip(get_format("DECIMAL_SEPARATOR")) if digits else text


def _factor(v: float) -> str:
    """A factor as its source gives it, in the reader's decimal mark: "269,504", "120", "0,1"."""
    from django.utils.formats import number_format

    v = float(f"{v:g}")
    return number_format(int(v) if v == int(v) else v, use_l10n=True)


def _unit(unit: str) -> str:
    return unit.replace("EUR", "€").replace("m3", "m³")


def _fmt(v: float | None, unit: str) -> str:
    return str(_("non calculable")) if v is None else f"{_number(v)} {_unit(unit)}"


def _route_label(key: str | None, language: str) -> str:
    from .routes import routes

    route = routes().get(key or "")
    if route is None:
        return key or ""
    return (route.label_en if language == "en" else route.label_fr) or key


def _text(d: dict[str, Any], language: str) -> str:
    """The breakdown for people, in the reader's language: the engine's reasons and assumptions come
    translated in ``d`` (see ``handle``), its term keys are named in words here."""
    from django.utils.translation import gettext

    from boucle.matching.wording import material_label

    from .engine import term_name

    quantity_base = _number(d["quantity_base"]) if d["quantity_base"] is not None else "?"
    lines = [str(_("%(key)s (%(label)s) → %(replaces)s : %(quantity)s %(unit)s = %(base)s %(base_unit)s, %(km)s km "
                   "par %(mode)s, filière de référence %(route)s, %(basis)s")) % {
        "key": d["material"], "label": material_label(d["material"]),
        "replaces": material_label(d["replaces"]) if d["replaces"] else _("aucune recette"),
        "quantity": _factor(d["quantity"]), "unit": _unit(d["unit"]),
        "base": quantity_base, "base_unit": _unit(d["base_unit"]), "km": _factor(d["distance_km"]),
        "mode": MODE_WORDS.get(d["mode"], d["mode"]), "route": _route_label(d["baseline_route"], language),
        "basis": BASIS_WORDS.get(d["basis"], d["basis"])}]
    units = {"co2e_avoided_t": "t CO2e", "tonnes_diverted": "t", "virgin_avoided_t": "t",
             "water_saved_m3": "m³", "energy_recovered_mwh": "MWh", "eur_saved": "€",
             "breakeven_distance_km": "km"}
    for k in HEADLINE:
        reason = f"  ({d['reasons'][k]})" if k in d["reasons"] else ""
        lines.append(f"  {str(HEADLINE_WORDS[k]):28} {_fmt(d[k], units[k])}{reason}")
    if d.get("co2e_low_t") is not None:
        lines.append(f"  {str(_('CO2e (arrondi, fourchette)')):28} "
                     f"{format_range(d['co2e_avoided_t'], d['co2e_low_t'], d['co2e_high_t'], 't CO2e', language)}")
    if d.get("eur_low") is not None:
        lines.append(f"  {str(_('euros (arrondi, fourchette)')):28} "
                     f"{format_range(d['eur_saved'], d['eur_low'], d['eur_high'], '€', language)}")
    route_label = _route_label(d.get("current_route"), language)
    lines.append(f"  {str(_('filière actuelle')):28} {route_label} "
                 + str(_("(supposée)") if d.get("route_assumed") else _("(déclarée)")))
    for a in d.get("assumptions") or []:
        lines.append("  " + str(_("hypothèse : %(text)s")) % {"text": a})
    lines.append("  " + str(_("termes du calcul :")))
    for t in d["terms"] + d["cost_terms"]:
        val = _fmt(t["value"], t["value_unit"])
        activity = "?" if t["activity"] is None else _number(t["activity"])  # unknown when the quantity is
        fac = ("" if t["factor"] is None
               else f" = {activity} {_unit(t['activity_unit'])} × {_factor(t['factor'])} {_unit(t['unit'])}")
        lines.append(f"    {term_name(t['name'], heat=bool(d.get('heat'))).render(gettext):26} {val}{fac}  [{t['factor_id'] or '-'}]"
                     + (f"  ({t['reason']})" if t["reason"] else ""))
    return "\n".join(lines)


def receiver(code: str | None) -> dict:
    """What the receiver's activity (a NAF code in any form, « 2351Z », « 23.51Z ») changes in an exchange's
    figures, as ``exchange_breakdown``'s keywords, the matching's rules: ``fuel_receiver`` (it may burn the
    material as a fuel, ``fuel_use_receivers.csv``) and ``waste_receiver`` (a waste operator, which prepares the
    material and sells it on: no virgin purchase avoided in its euros, ``additionality.value_pairs``) and
    ``disposal_receiver`` (it treats and disposes of waste, NACE 38.21 or 38.22: its own gate fee replaces today's
    disposal fee, no euros known, and no recycling credit claimed). One reading
    for ``boucle impact --receiver-naf`` and ``/api/impact?receiver_naf=``; ValueError (in words) for a code that
    is not a NAF code (``reference.validators.normalise_naf``, the forms' and importers' check)."""
    from boucle.matching.knowledge.infer import is_disposal_receiver, is_waste_operator
    from boucle.matching.knowledge.naf import normalise_naf
    from boucle.reference.validators import normalise_naf as checked

    if not code or not str(code).strip():
        return {"fuel_receiver": None, "waste_receiver": False, "disposal_receiver": False}
    code = checked(code)
    return {"fuel_receiver": normalise_naf(code) or None, "waste_receiver": bool(is_waste_operator(code, None)),
            "disposal_receiver": bool(is_disposal_receiver(code, None))}


def handle(args) -> int:
    from boucle.cli import use_language

    use_language()  # the receiver's NAF code is checked with the forms' message, in the user's language
    try:
        key = args.material or class_for_ewc(args.ewc)
        b = exchange_breakdown(key, args.quantity, args.unit, args.distance_km, mode=args.mode,
                               baseline_route=args.route, replaces=args.replaces, basis=args.basis,
                               ewc=normalise_ewc(args.ewc) if args.ewc else None,
                               supply_temperature_c=args.supply_temperature,
                               need_temperature_c=args.need_temperature,
                               **receiver(args.receiver_naf))
    except (KeyError, ValueError) as exc:
        from boucle.messages import translate

        print(f"boucle impact : {translate(exc) if not isinstance(exc, KeyError) else exc.args[0]}", file=sys.stderr)
        return 2
    from django.utils.translation import gettext

    from boucle.cli import lang

    d = b.to_dict(gettext, lang())  # reasons and assumptions in French, English with BOUCLE_LANG=en
    if args.ewc:
        d["ewc"] = normalise_ewc(args.ewc)
    if args.json:
        json.dump(d, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(_text(d, lang()))
    return 0
