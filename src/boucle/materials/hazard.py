"""Why a flow counts as a hazardous waste: one rule for its page and the exports (``boucle export --what flows``).

A flow is hazardous when its List-of-Waste code carries the hazard marker (*), when its class is hazardous
whatever the code (every entry of the List mapped to it carries the marker: ``taxonomy.hazardous_classes``), or
when the company declared it so (a label quoting a hazardous code is stored so). The reason is given as data, the
page words it. Framework-free: plain values in, a plain value out.
"""

from __future__ import annotations

from dataclasses import dataclass

CODE, QUOTED, CLASS, DECLARED = "code", "quoted", "class", "declared"


@dataclass(frozen=True)
class Hazard:
    """``reason``: ``CODE`` (its own code says it), ``QUOTED`` (declared hazardous, its label quoting a hazardous
    code), ``CLASS`` (a class hazardous whatever the code) or ``DECLARED`` (the company said so, nothing else);
    ``code6`` the code for the first two, ``material_class`` the class for the third."""

    reason: str
    code6: str = ""
    material_class: str = ""


def quoted_code(label: str | None, waste: dict[str, bool] | None = None) -> str | None:
    """The hazardous List-of-Waste code a label quotes (« Boues d'hydroxydes (11 01 09*) »), six digits, or None.
    ``waste``: code6 -> hazardous from the reference table (an import's); the shipped List when not given."""
    if not label or not isinstance(label, str) or not any(c.isdigit() for c in label):
        return None
    from .classify import ewc_in_label
    from .taxonomy import ewc_table

    code6 = ewc_in_label(label)
    if code6 is None:
        return None
    if waste is not None and code6 in waste:
        return code6 if waste[code6] else None
    return code6 if code6 in ewc_table() and ewc_table()[code6][1] else None


def why_hazardous(*, declared: bool | None, ewc_code6: str | None, ewc_hazardous: bool | None,
                  material_class: str | None, label: str | None = None) -> Hazard | None:
    """Why the flow is a hazardous waste (the most telling reason first), None when it is not one."""
    from .taxonomy import hazardous_classes

    if ewc_hazardous:
        return Hazard(CODE, code6=ewc_code6 or "")
    quoted = quoted_code(label) if declared else None
    if quoted:
        return Hazard(QUOTED, code6=quoted)
    if material_class and material_class in hazardous_classes():
        return Hazard(CLASS, material_class=material_class)
    if declared:
        return Hazard(DECLARED)
    return None


def of_flow(flow) -> Hazard | None:
    """:func:`why_hazardous` of a ``flows.models.Flow`` (its ``ewc`` loaded or not)."""
    ewc = flow.ewc if flow.ewc_id else None
    return why_hazardous(declared=flow.hazardous, ewc_code6=ewc.code6 if ewc else None,
                         ewc_hazardous=ewc.hazardous if ewc else None, material_class=flow.material_class,
                         label=flow.label)
