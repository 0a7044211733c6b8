"""Text normalisation for French and English material labels.

Declarations are short, noisy and bilingual ("big bags de cendres volantes", "vapeur BP 10 bar",
"copeaux alu"). The same normalisation is applied to the synonym list and to the queries, so
crude rules (an "s" stripped from "bois" or "gas") are harmless as long as they are symmetric.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STOP_WORDS = frozenset("""
a au aux avec ce ces d de des du en et l la le les leur notre nos ou par pour sans sur un une
dans issu issue issus issues provenant type env environ approx disponible disponibles dispo
quantite volume lot lots gisement an annee mois semaine jour apres avant chez nous notre
votre produisons
of the and or from for with in on to an at by per as our we available approx approximately
about some per year month week day lot quantity tonnes tons
aus dem der den des mit von vom fur zur zum und oder im am das einer eines
""".split())

_UNIT = (r"(?:°\s*[cf]\b|°|deg(?:res?|rees?)?\s*[cf]?\b|[ck]\b|%|bar[sga]?\b|kg\b|g\b|t\b"
         r"|tonnes?\b|tons?\b|m3\b|m³|m2\b|m²|l\b|litres?\b|liters?\b|hl\b|ml\b|kw(?:h|th|e)?\b"
         r"|mw(?:h|th|e)?\b|gwh\b|t/an\b|t/h\b|t/j\b|m3/h\b|ppm\b|mm\b|cm\b|km\b|m\b)")
_QUANTITY = re.compile(r"(?<![a-z0-9])[-−]?\d+(?:[.,]\d+)?\s*(?:[-–à/]\s*\d+(?:[.,]\d+)?\s*)?" + _UNIT)
_NUMBER = re.compile(r"(?<![a-z0-9])[-−]?\d+(?:[.,]\d+)*(?![a-z0-9])")
_TEMPERATURE = re.compile(
    r"(?P<a>[-−]?\d+(?:[.,]\d+)?)\s*(?:(?:[-–/]|à|to)\s*(?P<b>[-−]?\d+(?:[.,]\d+)?)\s*)?"
    r"(?:°\s*(?P<u1>[cf])?|deg(?:r[ée]s?|rees?)?\s*(?P<u2>[cf])?\b|(?P<u3>[ck])\b)",
    re.IGNORECASE,
)
_ELISION = re.compile(r"\b(?:d|l|qu|j|n|s)'")
_AMP = re.compile(r"\b([a-z])\s*&\s*([a-z])\b")
_SHORT_HYPHEN = re.compile(r"\b([a-z0-9]{1,3})-([a-z0-9]+)\b|\b([a-z0-9]+)-([a-z0-9]{1,3})\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_HAS_DIGIT = re.compile(r"\d")
_GRADE = re.compile(r"\b(classe|class|grade|categorie|category|cat)\s+([a-z0-9])\b")

# Word forms that mean the same thing to a buyer: trade clippings, US spellings, and the many
# ways of saying "spent" (its presence separates a spent acid from a fresh one).
CANONICAL = {
    "alu": "aluminium", "aluminum": "aluminium", "sulfur": "sulphur",
    "sulfuric": "sulphuric", "sulfate": "sulphate",
    "fiber": "fibre", "tire": "tyre", "desulfurization": "desulphurisation",
    "desulphurization": "desulphurisation", "desulfurisation": "desulphurisation",
    "usage": "use", "usagee": "use", "usee": "use", "epuise": "use", "epuisee": "use",
    "spent": "use", "used": "use", "exhausted": "use",
}
QUALIFIERS = frozenset("""vide empty use propre clean neuf new occasion bon etat casse broken old
vieux vieille hs reforme declasse excedentaire surplus excess spare unused inutilise""".split())

# A container word around a material says how it is packed, not what it is:
# "big bags de cendres" is ash; "big bags vides" stays a packaging offer.
_CONTAINERS = (r"(?:big ?-?bags?|bigbags?|bulk bags?|tonne bags?|sacs?|sacks?|bags?|futs?|drums?"
               r"|bidons?|bennes?|skips?|citernes?|tankers?|camions?|containers?|conteneurs?"
               r"|ibcs?|grvs?|palettes? de|loads?)")
_PACKED_PREFIX = re.compile(r"^\s*(?:\d+\s*)?" + _CONTAINERS + r"\s+(?:de |d'|of |du |des )")
_PACKED_SUFFIX = re.compile(r"\s+(?:en|in|on)\s+(?:" + _CONTAINERS + r"|vrac|bulk)\b.*$")


def fold(text: str) -> str:
    """Lowercase, strip accents, unify apostrophes and ligatures (non-ASCII symbols go)."""
    text = text.lower()
    if text.isascii():
        return text
    # « ß » is « ss » (Duden, Rechtschreibung: Eszett), not a letter to drop: « Gießerei » is « giesserei »
    text = text.replace("’", "'").replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def parse_temperature(label: str) -> float | None:
    """Temperature in °C stated in a label ("chaleur fatale 80 °C" -> 80.0), else None.

    A range gives its upper bound: the grade of a heat source is set by its hottest stream.
    Fahrenheit is converted; kelvin ("350 K") too.
    """
    best = None
    for m in _TEMPERATURE.finditer(label.replace("−", "-")):
        unit = (m.group("u1") or m.group("u2") or m.group("u3") or "c").lower()
        values = [float(v.replace(",", ".")) for v in (m.group("a"), m.group("b")) if v]
        value = max(values)
        if unit == "f":
            value = (value - 32.0) * 5.0 / 9.0
        elif unit == "k":
            value -= 273.15
        best = value if best is None else max(best, value)
    return best


@lru_cache(maxsize=65536)
def singular(token: str) -> str:
    """Crude FR/EN singular, symmetric by design (see module docstring)."""
    if len(token) < 4 or token.isdigit():
        return CANONICAL.get(token, token)
    if token.endswith(("eaux", "yaux")):  # copeaux, panneaux, eaux, tuyaux, noyaux
        token = token[:-1]
    elif token.endswith("aux") and len(token) > 4:  # metaux, mineraux, locaux
        token = token[:-3] + "al"
    elif token.endswith(("eux", "oux")):
        token = token[:-1]
    elif token.endswith("s") and not token.endswith(("ss", "is", "gas")):
        token = token[:-1]
    if token.endswith("ee") and len(token) >= 4:
        token = token[:-1]
    if token.endswith(("che", "she", "xe")) and len(token) >= 4:
        token = token[:-1]
    if token.endswith("ie") and len(token) > 4:
        token = token[:-2] + "y"
    return CANONICAL.get(token, token)


def strip_packaging(folded: str) -> str:
    """Drop a container phrase wrapped around a material name (input already folded)."""
    stripped = _PACKED_SUFFIX.sub("", _PACKED_PREFIX.sub("", folded))
    return stripped if stripped.strip() else folded


def tokens(label: str) -> tuple[str, ...]:
    """Normalised content tokens of a label: folded, units and numbers removed, singular."""
    folded = fold(label)
    toks = _tokens(strip_packaging(folded))
    if all(t in QUALIFIERS for t in toks):  # "fûts de 200 l vides" is about the drums
        toks = _tokens(folded)
    return toks


# German writes a material and its form or state as one word: « Messingschrott » (brass scrap),
# « Papierschlamm », « Holzspäne », « Zinkasche », « Sortierrückstände » (Duden Grammatik, Komposition:
# the last part, the Grundwort, says what the thing is, the first part, the Bestimmungswort, what it is
# of; a linking -s- may join them, the Fugenelement). The List of Waste's German titles use these
# Grundwörter for whole families (AVV: -schlamm/-schlämme 03 03 10, 11 01 09*, 19 08 05; -schrott 16 01 17;
# -späne 12 01 01/03; -staub 10 02 08; -asche 10 01 03; -schlacke 10 02 02; -abfälle 02 02 02; -reste;
# -rückstände 19 12 12; -mehl 01 04 10; -folien 15 01 02; -abwasser: WZ 37.00 « Abwasserentsorgung », DIN 4045). A long word ending in one of them is read as
# two: the part before, which names the material, and the Grundwort; labels and synonyms alike, so
# « Messingschrott » shares « messing » with « Messingspäne » and « schrott » with every scrap.
_DE_HEADS = ("schlamme", "schlamm", "schrott", "spane", "staube", "staub", "aschen", "asche", "schlacken",
             "schlacke", "abfalle", "abfall", "ruckstande", "ruckstand", "reste", "mehl", "folien", "abwasser")
_DE_COMPOUND = re.compile(r"^([a-z]{4,}?)(" + "|".join(_DE_HEADS) + r")$")


@lru_cache(maxsize=65536)
def split_compound(word: str) -> tuple[str, ...]:
    """A German compound ending in a Grundwort of materials, as its two parts (folded input)."""
    m = _DE_COMPOUND.match(word) if len(word) >= 8 else None
    return (m.group(1), m.group(2)) if m else (word,)


def _tokens(text: str) -> tuple[str, ...]:
    if _HAS_DIGIT.search(text):
        text = _NUMBER.sub(" ", _QUANTITY.sub(" ", text))
    if _GRADE.search(text):  # "bois de classe A" vs "classe B": the letter is the meaning
        text = _GRADE.sub(r"\1\2", text)
    if "&" in text:
        text = _AMP.sub(r"\1\2", text)
    if "'" in text:
        text = _ELISION.sub(" ", text)
    if "-" in text:
        text = _SHORT_HYPHEN.sub(lambda m: "".join(g for g in m.groups() if g), text)
    out = []
    for word in _NON_WORD.split(text):
        for raw in split_compound(word):
            if len(raw) < 2 or raw in STOP_WORDS:
                continue
            tok = singular(raw)
            if tok not in STOP_WORDS:
                out.append(tok)
    return tuple(out)


_FR_MARK = re.compile(r"\b(?:de|du|des|d'|l'|au|aux|pour|sous|avec|sans|et|la|le|les|en|sur)\b"
                      r"|[àâçéèêëîïôûùœ]")
_EN_MARK = re.compile(r"\b(?:of|from|for|with|the|and|in|on|at|to|by)\b")
_EN_CUT = re.compile(r"\b(?:of|from|for|with|in|at|on|to|by)\b|[,;(]")


def guess_lang(label: str, toks: tuple[str, ...], token_lang: dict[str, str]) -> str | None:
    """'fr', 'en' or None, from function words, accents, then the language of known words."""
    low = label.lower()
    fr, en = bool(_FR_MARK.search(low)), bool(_EN_MARK.search(low))
    if fr != en:
        return "fr" if fr else "en"
    votes = sum(1 if token_lang.get(t) == "fr" else -1 if token_lang.get(t) == "en" else 0
                for t in toks)
    return "fr" if votes > 0 else "en" if votes < 0 else None


# Container words carry a material ("waste skip", "benne de gravats"): never the head noun
# while the label names something else (the same rule as `strip_packaging`).
CONTAINER_WORDS = frozenset("""bag bigbag sac sack fut drum bidon benne skip citerne tanker
camion container conteneur ibc grv load""".split())


def head_noun(label: str, toks: tuple[str, ...], lang: str | None) -> str | None:
    """The word that says what the thing is: first noun in French ("cuve inox"), last noun
    before a preposition in English ("stainless steel tank", "ash from the boiler")."""
    skip = QUALIFIERS | CONTAINER_WORDS
    if all(t in skip for t in toks):
        skip = QUALIFIERS
    content = [t for t in toks if t not in skip]
    if not content or lang not in ("fr", "en"):
        return None
    if lang == "fr":
        return content[0]
    text = strip_packaging(fold(label))
    cut = _EN_CUT.search(text)
    if cut:
        prefix = [t for t in _tokens(text[:cut.start()]) if t not in skip]
        if prefix:
            return prefix[-1]
    return content[-1]


# A label "<material> from <where it comes from>" names the material first: the List of Waste writes
# every entry so ("sludges from on-site effluent treatment", 03 03 11; "fly ash from peat and untreated
# wood", 10 01 03; « boues provenant du traitement in situ des effluents »; AVV « Schlämme aus der
# betriebseigenen Abwasserbehandlung »; Decision 2000/532/EC in its English, French and German texts),
# and grammar agrees: the prepositional phrase postmodifies the head noun before it (Quirk et al., A
# Comprehensive Grammar of the English Language, 1985, 17.37; Grevisse, Le Bon usage, complément du nom
# introduced by « issu de », « provenant de »; Duden Grammatik, Präpositionalattribut « aus »). English
# "X from Y" and "X of Y", French « X issu(e)s de Y », « X provenant de Y », « X en provenance de Y »,
# German « X aus Y ».
_ORIGIN = re.compile(r"^(?P<head>\S.*?)\s+(?:from|of|(?:issue?s?|provenant|en provenance)\s+(?:de|du|des|d')|aus)"
                     r"(?:\s|(?<=')|$)")


def head_part(label: str) -> str | None:
    """The words before "from"/"of", « issu(e)s de »/« provenant de » or « aus » in a label (folded,
    container phrase dropped), None when the label has no such complement."""
    if not label or not isinstance(label, str):
        return None
    text = strip_packaging(fold(label))
    m = _ORIGIN.search(text)
    return m.group("head") if m else None
