"""French names of the most used Application Identifiers, for people (``boucle gs1 parse``).

GS1's data titles (``AIEntry.title``: "BEST BEFORE or BEST BY", "BATCH/LOT") are the short English
labels printed under a barcode; the command line names an AI in the reader's language when it is
listed here, and falls back to GS1's title otherwise.
"""

from boucle.messages import Label, Message, gettext_noop

from .dictionary import lookup

AI_NAMES = {
    "00": gettext_noop("numéro de colis (SSCC)"),
    "01": gettext_noop("code produit (GTIN)"),
    "02": gettext_noop("GTIN des articles contenus"),
    "10": gettext_noop("numéro de lot"),
    "11": gettext_noop("date de production"),
    "13": gettext_noop("date d'emballage"),
    "15": gettext_noop("date de durabilité minimale"),
    "16": gettext_noop("date limite de vente"),
    "17": gettext_noop("date limite d'utilisation"),
    "21": gettext_noop("numéro de série"),
    "22": gettext_noop("variante du produit"),
    "235": gettext_noop("numéro de série"),  # third-party controlled serial extension of a GTIN
    "30": gettext_noop("quantité variable"),
    "37": gettext_noop("nombre d'unités contenues"),
    "400": gettext_noop("numéro de commande"),
    "410": gettext_noop("livrer à (GLN)"),
    "414": gettext_noop("lieu physique (GLN)"),
    "417": gettext_noop("partie (GLN)"),
    "422": gettext_noop("pays d'origine"),
    "254": gettext_noop("extension du GLN"),
    "8003": gettext_noop("actif consigné (GRAI)"),
    "8004": gettext_noop("identifiant d'équipement (GIAI)"),
    "8200": gettext_noop("URL du produit"),
    # measures: the fourth digit is the decimal point's position
    "310": gettext_noop("poids net (kg)"),
    "330": gettext_noop("poids brut (kg)"),
}


def ai_name(ai: str) -> Message | Label:
    """The AI in words: a catalogue message when listed, else GS1's own title (both languages)."""
    key = ai if ai in AI_NAMES else ai[:3] if len(ai) == 4 and ai[:3] in ("310", "330") else None
    if key:
        return Message("gs1.ai-name." + key, AI_NAMES[key])
    entry = lookup(ai)
    title = entry.title if entry else ai
    return Label(title, title)
