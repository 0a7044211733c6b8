"""Words for the taxonomy's stable keys (groups and roles), for people; ``--json`` and the API keep the keys.

A test checks that every group and role found in ``data/classes.csv`` has its words here.
"""

from django.utils.translation import gettext_lazy as _

GROUP_LABELS = {
    "ashes_slags": _("cendres et mâchefers"),
    "chemicals": _("produits chimiques"),
    "construction": _("matériaux de construction"),
    "electronics": _("électronique"),
    "energy": _("énergie"),
    "equipment": _("équipements"),
    "fuels": _("combustibles"),
    "gases": _("gaz"),
    "glass": _("verre"),
    "metals": _("métaux"),
    "minerals": _("minéraux"),
    "mixed_waste": _("déchets en mélange"),
    "organics": _("matières organiques"),
    "packaging": _("emballages"),
    "paper": _("papiers-cartons"),
    "plastics": _("plastiques"),
    "services": _("services"),
    "sludges": _("boues"),
    "textiles": _("textiles"),
    "water": _("eau"),
    "wood": _("bois"),
}

ROLE_LABELS = {
    "by_product": _("sous-produit"),
    "virgin": _("matière vierge"),
    "utility": _("utilité"),
    "product": _("produit"),
    "equipment": _("équipement"),
}


def group_label(key: str) -> str:
    return str(GROUP_LABELS.get(key, key))


def role_label(key: str) -> str:
    return str(ROLE_LABELS.get(key, key))
