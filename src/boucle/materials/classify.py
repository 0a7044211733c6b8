"""Map a declared offer/need to a material class: from an EWC code, or from a free-text label.

The label classifier is lexical on purpose (no model to download, explainable, instant): a
facilitator who sees a wrong class fixes it by adding a synonym to `data/synonyms.csv`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .taxonomy import MaterialClass, class_index, ewc_table, get_class, load_classes
from .index import STATE_WORDS
from .text import guess_lang, head_noun, head_part, parse_temperature, singular, tokens

__all__ = [
    "Match", "MaterialClass", "class_for_ewc", "class_index", "classify_label",
    "classify_labels", "ewc_digits", "ewc_in_label", "get_class", "load_classes", "normalise_ewc",
    "is_total_label", "is_soiled_water", "is_warm_return", "parse_temperature", "classify_components", "list_components",
]

MIN_SCORE = 0.2
TYPO_PENALTY = 0.9  # a match that needed a spelling fix is a little less certain
CHUNK = 4096
HEAT = ("waste_heat_low", "waste_heat_medium", "waste_heat_high")
HEAT_LIMITS = (100.0, 250.0)  # °C: low < 100 <= medium < 250 <= high

_EWC_IN_TEXT = re.compile(r"(?<![\d.,])(\d{2})[ .]?(\d{2})[ .]?(\d{2})(?![\d.,])\s*\*?")
EWC_IN_LABEL_CONFIDENCE = 0.95
_EWC = re.compile(r"^\s*(\d{2})\s*[ .-]?\s*(\d{2})\s*[ .-]?\s*(\d{2})\s*\*?\s*$")


# A declared figure that sums several materials (iREP's yearly « Déchets dangereux (total
# déclaré) », a register's "total waste", a German "Abfälle insgesamt") is information about the
# site, not a material anyone can take: it is never classified nor matched. "Aggregate" alone is
# a material (EN 13242 aggregates, "coal ash aggregate"): only "aggregated" marks a total.
_TOTAL = re.compile(r"\b(?:total|totale?s?|totaux|cumul|cumule|cumulated|aggregated|overall|sum of|somme des"
                    r"|gesamt|gesamtmenge|insgesamt|summe|all wastes?|tous (?:les )?dechets|ensemble des dechets)\b")


def is_total_label(label: str | None) -> bool:
    """Whether a label is a total over several materials (« Déchets dangereux (total déclaré) »)."""
    from .text import fold

    return bool(label) and bool(_TOTAL.search(fold(label)))


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    confidence: float  # 0..1
    method: str  # exact_synonym | token | fuzzy | ngram | ewc


def ewc_digits(code) -> str | None:
    """The six digits of a List-of-Waste code as people write it ('17 04 05', '170405',
    '17 04 05*', '17.04.05', '17-04-05'), or None when it is not shaped like one. Format only:
    whether the code exists is :func:`normalise_ewc`'s business. The one parser behind every
    form, importer and command that reads a waste code."""
    m = _EWC.match(code) if isinstance(code, str) else None
    return "".join(m.groups()) if m else None


def normalise_ewc(code: str) -> str:
    """'17 04 05', '170405', '17 04 05*', '17.04.05' -> '170405'. The star is dropped: hazard is
    a property of the code, looked up in the list, not something the declarant decides."""
    if not isinstance(code, str):
        raise ValueError(f"EWC code must be a string, got {type(code).__name__}")
    code6 = ewc_digits(code)
    if code6 is None:
        raise ValueError(
            f"invalid EWC code {code!r}: expected six digits such as '170405', '17 04 05' "
            f"or '17 04 05*'")
    if code6 not in ewc_table():
        raise ValueError(f"EWC code {code!r} is not in the European List of Waste")
    return code6


def class_for_ewc(code: str) -> str:
    """Material class key of an EWC code (every one of the 842 codes has one)."""
    return ewc_table()[normalise_ewc(code)][0]


def ewc_in_label(label: str) -> str | None:
    """A List-of-Waste code quoted inside a label ("17 04 05 - fer et acier"), if any."""
    for m in _EWC_IN_TEXT.finditer(label):
        code6 = "".join(m.groups())
        if code6 in ewc_table():
            return code6
    return None


def _heat_by_temperature(key_pos: int, label: str, keys: list[str]) -> int:
    """A waste-heat offer is graded by its stated temperature, whatever words it uses."""
    if keys[key_pos] not in HEAT:
        return key_pos
    t = parse_temperature(label)
    if t is None:
        return key_pos
    grade = HEAT[0] if t < HEAT_LIMITS[0] else HEAT[1] if t < HEAT_LIMITS[1] else HEAT[2]
    return class_index()[grade]


# Water that comes back warm from cooling is a heat source, not cooling water: once-through and
# recirculating cooling water leaves condensers and heat exchangers 8-15 K above its intake, at about
# 20-40 °C (EU BREF Industrial Cooling Systems 2001, 1.1 and 3.2: "low-grade heat"; its uses are
# heat pumps, greenhouses and aquaculture: EU BREF Energy Efficiency 2009, 3.3 and 3.4). A label
# read as cooling water (or process water, seawater) that says the water is warm (or states 30 °C or
# more) is low-temperature heat; plain « cooling water » stays water (what a site that cools takes in).
WARM_RETURN_C = 30.0
_WARM = re.compile(r"\b(?:warm|warme[nrs]?|lauwarm\w*|erwarmt\w*|heated|hot|tiede?s?|chaude?s?|rechauffee?s?"
                   r"|return|retour|rucklauf)\b|warmwasser|rucklauf")
# Said warm, process water and seawater are the same heat: "warm seawater" leaving a coastal plant
# is its once-through cooling water (EU BREF ICS 2001, 3.2: seawater once-through systems).
WATER_AS_HEAT = ("water_cooling", "water_process")
NOT_WARM = frozenset({"cold"})  # chilled water: the opposite of what a warm return offers


def is_warm_return(label: str | None) -> bool:
    """Whether a label says its water comes back warm (« eau de refroidissement tiède », "warm
    cooling water", « Kühlwasser (warm) », "cooling water at 35 °C")."""
    from .text import fold

    if not label:
        return False
    t = parse_temperature(label)
    return bool(_WARM.search(fold(label))) or (t is not None and t >= WARM_RETURN_C)


def _warm_grade(label: str) -> str:
    t = parse_temperature(label)
    return HEAT[0] if t is None or t < HEAT_LIMITS[0] else HEAT[1] if t < HEAT_LIMITS[1] else HEAT[2]


# A cooling-water reading this close to the label's best reading (« warm cooling water (sea water) »
# is as much process water as cooling water to the words) decides when the label says it is warm.
WARM_TIE = 0.95


def _water_as_heat(scores: np.ndarray, label: str, keys: list[str]) -> int | None:
    """The heat class a warm return water label is, from its class scores; None when it is not one."""
    ci = class_index()
    best = float(scores.max())
    if best <= 0 or not any(scores[ci[k]] >= WARM_TIE * best for k in WATER_AS_HEAT) or not is_warm_return(label):
        return None
    if kind_of(keys[int(scores.argmax())]) not in ("water", "energy"):
        return None
    return ci[_warm_grade(label)]


# Water that has washed something, or that the label says is soiled, is no longer water anyone can take
# in as process or cooling water: it is an aqueous liquid waste, collected by tanker and treated (List of
# Waste, Decision 2000/532/EC: 07 xx 01* aqueous washing liquids and mother liquors, 11 01 11* aqueous
# rinsing liquids, 12 03 01* aqueous washing liquids, 16 07 wastes from transport tank, storage tank and
# barrel cleaning, 16 10 01*/16 10 02 aqueous liquid wastes). Read from the words around a water word:
# soiled, contaminated, polluted (« eaux de lavage souillées », "dirty wash water", « Waschwasser
# verschmutzt »), a washing or rinsing water said used (« eaux de rinçage usées », "spent wash water"), or
# the water of washing an object (« eaux de lavage de cuves », "tank cleaning water",
# « Wasser aus der Tankreinigung »). Clean words keep the water path: « eau de lavage », "cooling water".
CLEAN_WATER = frozenset({"water_process", "water_cooling", "water_demineralised", "water_potable",
                         "water_irrigation", "water_rain"})
SOILED_WATER = "aqueous_liquid_waste"
WASTEWATER = "wastewater_industrial"
_MAYBE_WATER = re.compile(r"eau|water|wasser", re.IGNORECASE)
_WATER_WORD = re.compile(r"\beaux?\b|\bwaters?\b|wasser\b|\bwassers?\b")
_SOILED = re.compile(
    r"\b(?:souillee?s?|sales?|polluee?s?|contaminee?s?|dirty|soiled|contaminated|polluted|fouled"
    r"|\w*verschmutzt\w*|olhaltig\w*|schmutzig\w*|kontaminiert\w*|verunreinigt\w*)\b")
_WASH = r"(?:lavage|nettoyage|rincage|wash(?:ing)?|clean(?:ing)?|rins(?:e|ing)|wasch\w*|spul\w*|reinigung\w*)"
_USED = re.compile(r"\b(?:usee?s?|used|spent|gebraucht\w*)\b")
_WASH_WORD = re.compile(r"\b" + _WASH + r"\b|(?:wasch|spul)wasser")
_OBJECTS_FR = (r"(?:cuves?|citernes?|futs?|reservoirs?|sols?|camions?|vehicules?|engins?|machines?|equipements?"
               r"|installations?|ateliers?|bennes?|conteneurs?|containers?|bacs?|tanks?|pieces?|outils?|moules?"
               r"|cabines?|emballages?|toupies?|malaxeurs?)")
_OBJECTS_EN = (r"(?:tanks?|tankers?|drums?|containers?|vessels?|floors?|vehicles?|trucks?|lorr(?:y|ies)|equipment"
               r"|machines?|machinery|parts?|tools?|moulds?|molds?|booths?|mixers?|skips?|ibcs?)")
_OBJECTS_DE = r"(?:tank|behalter|fass|boden|fahrzeug|lkw|anlagen|maschinen|teile|werkzeug|form|kabinen|mischer)"
_WASHED_OBJECT = re.compile(
    r"\b(?:lavage|nettoyage|rincage)s?\s+(?:(?:de|des|du|d)\s+|d')?(?:(?:la|les|l)\s+|l')?" + _OBJECTS_FR + r"\b"
    r"|\b" + _OBJECTS_EN + r"\s+(?:wash(?:ing)?|clean(?:ing)?|rins(?:e|ing))\b"
    r"|\b(?:wash(?:ing)?|clean(?:ing)?|rins(?:e|ing))\s+(?:water\s+)?(?:from|of)\s+(?:the\s+)?" + _OBJECTS_EN + r"\b"
    r"|" + _OBJECTS_DE + r"\w*(?:wasch|reinigung|spul)")


def is_soiled_water(label: str | None) -> bool:
    """Whether a label names water that is soiled or has washed something (« eaux de lavage souillées »,
    "tank washing water", « Waschwasser verschmutzt »): an aqueous liquid waste, not water to take in."""
    from .text import fold

    if not label or not isinstance(label, str):
        return False
    if not _MAYBE_WATER.search(label):  # cheap first: most labels name no water
        return False
    text = fold(label)
    if not _WATER_WORD.search(text):
        return False
    return bool(_SOILED.search(text) or _WASHED_OBJECT.search(text)
                or (_USED.search(text) and _WASH_WORD.search(text)))


# Soiled by oil, the same water is oily water (List of Waste 13 05 07* oily water from oil/water separators,
# 16 07 08* tank cleaning wastes containing oil): « eaux souillées d'hydrocarbures », "oil contaminated water".
OILY_WATER = "oily_water"
_OILY = re.compile(r"\b(?:huiles?|huileu\w*|hydrocarbur\w*|oils?|oily|ol|olhaltig\w*|mineralol\w*)\b|olverschmutzt")


def _soiled(scores: np.ndarray, label: str, keys: list[str]) -> int | None:
    """The aqueous-liquid-waste class (oily water when the label names oil) for a label whose words say its
    water is soiled (``is_soiled_water``) and whose best reading is clean water, or no liquid at all while
    water is its head noun; None otherwise."""
    from .text import fold

    best = int(scores.argmax())
    if scores[best] < MIN_SCORE or not is_soiled_water(label):
        return None
    soiled = class_index()[OILY_WATER if _OILY.search(fold(label)) else SOILED_WATER]
    if keys[best] in CLEAN_WATER | {SOILED_WATER}:
        return soiled
    # Washing or rinsing water said used, soiled or of washed objects is the List of Waste's aqueous
    # washing and rinsing liquids (07 xx 01*, 11 01 11*/11 01 12 from the rinsing of treated metal
    # parts, 12 03 01*), taken by tanker to a liquid-waste treater, not a site's effluent to its sewer:
    # « eaux de rinçage des pièces » as « eaux de lavage souillées »
    if keys[best] == WASTEWATER and _WASH_WORD.search(fold(label)):
        return soiled
    # « eaux polluées » read as polluted soil: water said soiled is still a liquid, so a reading that is no
    # liquid (soil, packaging, rags) is no reading of it when water is the label's head noun
    toks = tokens(material_words(label))
    water_head = bool(toks) and (toks[0] == "eau" or toks[-1] == "water" or toks[-1].endswith("wasser"))
    if water_head and get_class(keys[best]).physical_state != "liquid":
        return soiled
    return None


def kind_of(key: str) -> str:
    return get_class(key).kind


# A named cell chemistry decides between battery classes: « modules NMC » are NMC batteries, not
# packs of unknown chemistry; « accumulateurs Li-ion » are lithium-ion, not "other batteries".
BATTERY_FAMILY = frozenset(("batteries_other", "battery_li_ion", "ev_battery_pack", "battery_li_ion_nmc",
                            "battery_li_ion_lfp", "battery_li_ion_nca"))
_CHEMISTRY = ((re.compile(r"(?<![a-z])(?:nmc|ncm)(?![a-z])"), "battery_li_ion_nmc"),
              (re.compile(r"(?<![a-z])(?:lfp|lifepo4)(?![a-z])|lithium[- ]?fer[- ]?phosphate|lithium iron phosphate"
                          r"|lithium-eisenphosphat"), "battery_li_ion_lfp"),
              (re.compile(r"(?<![a-z])nca(?![a-z])"), "battery_li_ion_nca"))
_LI_ION = re.compile(r"(?<![a-z])(?:li[- ]?ion|lithium[- ]?ion)")


def _battery_by_chemistry(key_pos: int, label: str, keys: list[str]) -> int:
    """The battery class of the chemistry a label names, when its best reading is a battery."""
    key = keys[key_pos]
    if key not in BATTERY_FAMILY:
        return key_pos
    from .text import fold

    folded = fold(label)
    for pattern, chemistry in _CHEMISTRY:
        if pattern.search(folded):
            return class_index()[chemistry]
    if key == "batteries_other" and _LI_ION.search(folded):
        return class_index()["battery_li_ion"]
    return key_pos


def _heads(labels, toks_list, lang=None) -> list[str | None]:
    from .index import lexical_index

    token_lang = lexical_index().token_lang
    return [head_noun(label, toks, lang or guess_lang(label, toks, token_lang))
            for label, toks in zip(labels, toks_list)]


def _scores(toks_list: list[tuple[str, ...]], heads: list[str | None]):
    """(n, C) class scores, (n, E) entry scores and (n, E) method codes for one chunk.

    Misspelt words are first snapped to the closest known word with rapidfuzz; a match that
    needed such a fix is reported with method "fuzzy" (code -1)."""
    from .index import lexical_index

    idx = lexical_index()
    fixed = [idx.correct(t) for t in toks_list]
    q = idx.query_matrices([t for t, _ in fixed], heads)
    entry_scores, entry_methods = idx.score_entries(q)
    class_scores = idx.class_scores(entry_scores, idx.bag_scores(q))
    corrected = np.array([c for _, c in fixed], dtype=bool)
    entry_methods[corrected] = -1
    class_scores[corrected] *= TYPO_PENALTY
    entry_scores[corrected] *= TYPO_PENALTY
    return class_scores, entry_scores, entry_methods


def _batch_scores(toks_list: list[tuple[str, ...]], heads: list[str | None]) -> np.ndarray:
    from .index import lexical_index

    idx = lexical_index()
    fixed = [idx.correct(t) for t in toks_list]
    scores = idx.batch_class_scores(idx.query_matrices([t for t, _ in fixed], heads))
    scores[np.array([c for _, c in fixed], dtype=bool)] *= TYPO_PENALTY
    return scores


# A label often says what the material is for: "treated waste water used as cooling water", "sewage
# sludge used as nutrient in bioremediation", "basic oxygen furnace slag as aggregate", "ash for landfill
# construction", « boues utilisées comme engrais ». The use names the receiver's need, not the material:
# read with it, the words made the water cooling water and the sludge soil. The material is read from
# the words before the use, unless they say nothing by themselves ("waste for recycling").
_PURPOSE = re.compile(r"(?<!well)\s+(?:(?:to be |being )?used (?:as|for|in)|for use (?:as|in)|intended for|as(?! well as)|for"
                      r"|utilis[eé]e?s? (?:comme|pour|en)|valoris[eé]e?s? (?:comme|en))\s+\S.*$", re.IGNORECASE)


def material_words(label: str) -> str:
    """The words of a label that name the material, without the use it states (``_PURPOSE``)."""
    cut = _PURPOSE.search(label) if isinstance(label, str) else None
    if cut is None:
        return label
    head = label[:cut.start()]
    toks = tokens(head)
    return head if toks and not all(t in GENERIC_WORDS for t in toks) else label


# The material a label names first decides (text.head_part): « waste sugar from resin separation » is
# sugar, a stream fermentation takes, not the resin its process used; « boues issues du traitement
# des effluents » are sludge, « Schlacke aus der Müllverbrennung » slag. The words before the complement
# are read alone: they name a material when a class reads them by words only at HEAD_MIN or more. Its
# readings are the classes whose words hold all of them (as many as any class holds); when the whole
# label's best reading is none of these, the label takes the one the whole label supports most. The
# whole label still chooses among them: "ash from wood combustion" stays biomass ash, "sludge from paper
# making" paper sludge. Words that say a piece, a form
# or an amount of something (« copeaux issus de l'usinage », "fibres from recycling", "mixture of oils")
# name no material alone: the whole label decides.
HEAD_MIN = 0.45
HEAD_COVER = 0.5
PART_WORDS = frozenset("""offcut chute scrap piece bit fragment dust poussiere powder poudre fine shaving copeau chip
particle particule fibre mixture mix melange blend part portion sample batch remnant remainder""".split())


def _head_texts(labels: list[str]) -> list[tuple[str, ...] | None]:
    """The words of each label before its complement (``text.head_part``) that may name a material
    ("waste" and the like left out), None unless one is more than a piece or a form (PART_WORDS,
    index.FORM_WORDS)."""
    from .index import FORM_WORDS

    out = []
    for label in labels:
        head = head_part(label) if isinstance(label, str) and len(label) > 6 else None
        toks = tokens(head) if head else ()
        named = tuple(t for t in toks if t not in GENERIC_WORDS)
        material = any(t not in PART_WORDS and t not in FORM_WORDS for t in named)
        out.append(named if material else None)
    return out


def _head_readings(heads: list[tuple[str, ...] | None]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Position -> ((C,) class scores of the first words by words only, (C,) the share of their weight
    each class's words hold), for the labels that have first words."""
    from .index import lexical_index

    pos = [i for i, h in enumerate(heads) if h]
    if not pos:
        return {}
    idx = lexical_index()
    q = idx.query_matrices([idx.correct(heads[i])[0] for i in pos], [None] * len(pos))
    scores = idx.batch_class_scores(q, ngrams=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.nan_to_num((q.weighted @ idx.class_bag.T).toarray() / q.total[:, None])
    return {i: (scores[j], cover[j]) for j, i in enumerate(pos)}


def _head_pick(scores: np.ndarray, head: tuple[np.ndarray, np.ndarray] | None) -> int | None:
    """The class a label's first words name, when its whole reading is none of theirs (see HEAD_MIN)."""
    if head is None:
        return None
    first, cover = head
    most = float(cover.max())
    if float(first.max()) < HEAD_MIN or most < HEAD_COVER:
        return None
    ours = np.flatnonzero(cover >= most - 1e-9)
    if int(scores.argmax()) in set(ours.tolist()):
        return None
    return int(ours[np.lexsort((-first[ours], -scores[ours]))[0]])


# An installation named in brackets (chaufferie, chaudière, boiler, four, kiln), and the words after « pour » /
# « destiné(e)s à », say where a material goes (a need) or whence it comes (an offer), never what it is:
# « Bois de récupération (chaufferie biomasse) » is wood a biomass boiler burns, not the ash of « cendres de
# chaufferie biomasse » its words share; « Plaquettes (chaudière) » is no boiler. Same grammar as the use of
# ``_PURPOSE`` and the complement of ``text.head_part`` (the head noun before the complement says what the thing
# is: Grevisse, Le Bon usage, complément du nom; Quirk et al. 1985, 17.37). When the words outside name a material
# (a reading of HEAD_MIN or more by words only), the label's readings are those of the family of their best
# reading (``_family``) or ones the words outside support nearly as much (OUTSIDE_SHARE); the complement still
# chooses among them (« Cendres (chaufferie biomasse) » is biomass ash, not coal fly ash). Other brackets may name
# the material or the product ("Industrial gases (carbon dioxide)", « (CSR) »): confining them all lowered the
# literature set (docs/matching-quality.md, Brackets round).
OUTSIDE_SHARE = 0.75
# Installations a material goes to or comes from (EU BREF LCP 2017 combustion plants: boilers, furnaces; BREF CLM
# 2013 cement and lime kilns; BREF WI 2019 incinerators; EN 16323 digesters; heat networks), in brackets
INSTALLATION_WORDS = frozenset(tokens("""chaufferie chaudiere boiler four furnace kiln incinerateur incinerator
cimenterie methaniseur digesteur digester reseau network chauffage heating"""))
_COMPLEMENT = re.compile(r"\((?![A-Z0-9][A-Z0-9 ./-]{0,9}\))[^)]*\)?|\s+(?:pour|destin[ée]e?s?\s+(?:à|a|aux?))\s+\S.*$")


def _outside_texts(labels: list[str]) -> list[tuple[str, ...] | None]:
    """The words of each label outside its parentheses and before « pour » (``_COMPLEMENT``) that may name
    a material, None when the label has no such complement or its other words name no material alone."""
    from .index import FORM_WORDS
    from .text import CONTAINER_WORDS, QUALIFIERS

    out = []
    for label in labels:
        rest = _COMPLEMENT.sub(" ", label) if isinstance(label, str) and ("(" in label or " pour " in label
                                                                           or "destin" in label) else label
        if not isinstance(rest, str) or rest == label:
            out.append(None)
            continue
        said = " ".join(m.group(0) for m in _COMPLEMENT.finditer(label))
        if "(" in said and not set(tokens(said)) & INSTALLATION_WORDS:
            # a bracket that names no installation may name the material itself (« Gaz industriels (CO2) »,
            # "Refinery (hydrogen)"): the whole label reads it
            out.append(None)
            continue
        named = tuple(t for t in tokens(rest) if t not in GENERIC_WORDS)
        vague = PART_WORDS | FORM_WORDS | CONTAINER_WORDS | QUALIFIERS | {"big"}
        out.append(named if any(t not in vague for t in named) else None)
    return out


def _confine(scores: np.ndarray, outside: tuple[np.ndarray, np.ndarray] | None, keys: list[str]) -> np.ndarray:
    """The label's class scores, without the readings its complement alone brings (see OUTSIDE_SHARE)."""
    if outside is None:
        return scores
    first = outside[0]
    most = float(first.max())
    if most < HEAD_MIN:
        return scores
    family = _family(keys[int(first.argmax())])
    keep = np.array([first[i] >= OUTSIDE_SHARE * most or _family(k) == family for i, k in enumerate(keys)])
    if not keep[int(scores.argmax())] and scores[keep].max(initial=0.0) < MIN_SCORE:
        return scores
    return np.where(keep, scores, 0.0)


# A German compound names its thing by its last part, the Grundwort, and says what it is of or how it was made
# by its first, the Bestimmungswort (Duden Grammatik, Komposition; text.split_compound). When the first part is
# a word we do not know (« Sandfangrückstände », « Faulschlamm », « Ofenschlacke ») its letters are no
# evidence: read as a whole, « Sortierrückstände » came near « Gärrückstände » (digestate) and « Schleifschlamm »
# near « Lackschlamm ». Such a compound is read by its Grundwort, as the class the German List of Waste gives
# that word when nothing else is said (data/german_heads.csv, each with its AVV entries), with less confidence
# than a named material. So are the machining words of AVV chapter 12 (« Dreh-, Fräs-, Bohr-, Feil-,
# Schleif-, Hon-, Läpp-, Stanz- »: 12 01 01/03 filings and turnings, 12 01 18* « Schleif-, Hon- und
# Läppschlämme »), which say how a metal was worked, never what it is (« Bohrspäne » are no drilling mud).
# A first part we know names the material and decides (« Holzasche », « Kupferspäne »), and so does any other
# word of the label that names one, or a synonym listed as a whole.
COMPOUND_HEAD_CONFIDENCE = 0.5
LISTED_CONFIDENCE = 0.9  # a label read this surely is a listed synonym or nearly: its compound is known
MACHINING_WORDS = frozenset("dreh fras frass bohr feil schleif hon lapp stanz".split())


def _known_tail(word: str, head_len: int) -> tuple[str, ...] | None:
    """The words of the longest end of ``word`` longer than its Grundwort whose words are all known
    (« Steinkohlenflugasche »: « Flugasche », read « flug asche »), its last known element; None when only
    the Grundwort is known."""
    from .index import lexical_index

    vocab = lexical_index().vocab
    for start in range(1, len(word) - head_len - 3):
        toks = tokens(word[start:])
        if toks and all(t in vocab for t in toks):
            return toks
    return None


def _known_lead(first: str, head: str) -> tuple[str, ...] | None:
    """A known word that begins an unknown first part, with the Grundwort (« Holzschleifstaub »: « holz staub »):
    the material it names is not contradicted by the Grundwort's class. None when no such word."""
    from .index import lexical_index

    vocab = lexical_index().vocab
    for end in range(len(first) - 1, 3, -1):
        lead = singular(first[:end])
        if lead in vocab and lead not in MACHINING_WORDS:
            return (lead, head)
    return None


def _word_class(toks: tuple[str, ...]) -> str | None:
    """The class known words name by words alone (no letters alike)."""
    from .index import lexical_index

    idx = lexical_index()
    scores = idx.batch_class_scores(idx.query_matrices([toks]), ngrams=False)[0]
    return load_classes()[int(scores.argmax())].key if scores.max() >= MIN_SCORE else None


@lru_cache(maxsize=1)
def _german_heads() -> dict[str, str]:
    """Folded form of a Grundwort -> the class it names alone (data/german_heads.csv)."""
    from .taxonomy import _read

    return {form: r["class"] for r in _read("german_heads.csv") for form in r["forms"].split("|")}


def compound_head_class(label: str) -> str | None:
    """The class a label names by the Grundwort of its German compound, when the compound's first part is
    unknown or a machining word and no other word of the label names a material; else None."""
    from .index import lexical_index
    from .text import _NON_WORD, fold, split_compound

    if not isinstance(label, str) or not label:
        return None
    heads = _german_heads()
    folded = fold(label)
    if not any(h in folded for h in heads):  # most labels: no Grundwort at all
        return None
    idx = lexical_index()
    found, used = None, set()
    for word in _NON_WORD.split(fold(material_words(label))):
        parts = split_compound(word)
        if len(parts) != 2 or parts[1] not in heads:
            continue
        first = singular(parts[0])
        if first in MACHINING_WORDS or (first not in idx.vocab and first not in idx.lexicon):
            known = _known_tail(word, len(parts[1])) or _known_lead(parts[0], singular(parts[1]))
            found = (_word_class(known) if known else None) or heads[parts[1]]
            used |= {first, singular(parts[1])}
    if found is None:
        return None
    others = [t for t in tokens(material_words(label)) if t not in used]
    if any(t in idx.vocab and t not in NO_MATERIAL_WORDS for t in others):
        return None
    return found


# French names a utility by its noun and says where it comes from with a plain « de »: « Chaleur de l'incinération »,
# « Chaleur des bains de teinture », « Vapeur de la chaudière » (Grevisse, Le Bon usage, complément du nom of origin;
# the List of Waste's French titles do so throughout, « boues de … », « cendres de … »). The complement's words
# (« incinération », « teinture ») belong to material classes and dilute the reading of the utility: the heat was
# read as heat, at 0.40-0.48, and its flow page said no material was recognised. When the whole label is read as an
# energy or a water and the words before the first « de » name that class alone (by words, at HEAD_MIN or more, with
# all their weight), the label is as sure as those words: the class never changes, only its confidence.
_FR_OF = re.compile(r"^(?P<head>[^\W\d][^,;()]*?)\s+(?:de|du|des|d')(?:\s|(?<=')|$)")


def _utility_words(label: str) -> tuple[str, ...]:
    """The words of a French label before its first « de » that may name a material (empty without such words)."""
    from .text import fold, strip_packaging

    m = _FR_OF.match(strip_packaging(fold(label)))
    return tuple(t for t in tokens(m.group("head")) if t not in GENERIC_WORDS) if m else ()


def _sure_as_head(first, key: str, score: float) -> float:
    pos = class_index()[key]
    if first is not None and first[1][pos] >= 1.0 - 1e-9 and first[0][pos] >= HEAD_MIN:
        return max(score, float(first[0][pos]))
    return score


def _utility_sure(label: str, match: Match) -> Match:
    return Match(match.key, round(min(utility_head_confidence(label, match.key, match.confidence), 1.0), 4), match.method)


def utility_head_confidence(label: str, key: str, score: float) -> float:
    """The confidence of a label read as the energy or water ``key`` from its words before « de » (see above), or
    from the Grundwort of its German compound (:func:`german_utility_confidence`)."""
    if kind_of(key) not in KIND_BOUND or not isinstance(label, str):
        return score
    score = german_utility_confidence(label, key, score)
    head = _utility_words(label)
    return _sure_as_head(_head_readings([head]).get(0), key, score) if head else score


# German names a utility by one compound whose last part, the Grundwort, says what it is (Duden Grammatik,
# Determinativkompositum): « Sattdampf », « Frischdampf », « Entnahmedampf », « Brüdendampf » are steam whatever
# their first part, « Ofenabwärme », « Kompressorabwärme » waste heat, « Abhitze » the hot gases of a furnace (EU BREF
# ENE 2009, German version: Hoch-, Mittel-, Niederdruckdampf, Abdampf, Abwärme, Abhitzekessel; Directive 2012/27/EU
# art. 14, German version: Abwärme). Their first parts are unknown words, so the label was read as steam or heat at
# 0.36-0.54 and its flow page said no material was recognised. A one-word label ending in such a Grundwort and read
# as its class is as sure as GERMAN_UTILITY_CONFIDENCE: the class never changes, only its confidence.
GERMAN_UTILITY_HEADS = (("dampf", frozenset({"steam"})),
                        ("warme", frozenset({"waste_heat_low", "waste_heat_medium", "waste_heat_high", "hot_water"})),
                        ("hitze", frozenset({"waste_heat_low", "waste_heat_medium", "waste_heat_high"})))
GERMAN_UTILITY_CONFIDENCE = 0.8


def german_utility_confidence(label: str, key: str, score: float) -> float:
    """``score`` raised to GERMAN_UTILITY_CONFIDENCE when ``label`` is one German word ending in a utility Grundwort
    whose class is ``key`` (see above)."""
    from .text import fold

    if score >= GERMAN_UTILITY_CONFIDENCE or not isinstance(label, str):
        return score
    word = fold(label).strip()
    if not word.isalpha():
        return score
    for head, keys in GERMAN_UTILITY_HEADS:
        if key in keys and word.endswith(head) and len(word) > len(head) + 2:
            return GERMAN_UTILITY_CONFIDENCE
    return score


# A material named by a compound term whose head is a common word (« liqueur noire », "black liquor",
# « Schwarzlauge »: a liquor is also a pickle liquor, a mother liquor, a corn steep liquor) is read only
# when the label says its name, the words of one of its synonyms in a row: its head word alone pulled
# every other liquor to it, ahead of their own readings (EU BREF PP 2015 names black liquor as such).
NAMED_ONLY = frozenset({"black_liquor"})


@lru_cache(maxsize=1)
def _named_only_names() -> dict[str, tuple[tuple[str, ...], ...]]:
    from .taxonomy import load_synonyms

    names: dict[str, set[tuple[str, ...]]] = {k: set() for k in NAMED_ONLY}
    for key, _lang, synonym in load_synonyms():
        if key in names and tokens(synonym):
            names[key].add(tuple(tokens(synonym)))
    return {k: tuple(v) for k, v in names.items()}


def _says_name(key: str, toks) -> bool:
    """Whether the label's tokens ``toks`` hold one of ``key``'s names, its words in a row."""
    text = f" {' '.join(toks)} "
    return any(f" {' '.join(name)} " in text for name in _named_only_names()[key])


def classify_label(label: str, lang: str | None = None, top: int = 5) -> list[Match]:
    """Candidate classes for a free-text label, best first (empty if nothing plausible).

    `lang` ('fr' or 'en'), when the caller knows it, says where the head noun is (first word
    in French, last before a preposition in English); otherwise it is guessed per label.
    """
    from .index import METHODS, lexical_index

    if not label or not isinstance(label, str):
        return []
    idx = lexical_index()
    code6 = ewc_in_label(label)
    if code6 is not None:  # the declarant's own code beats our reading of the words
        return [Match(ewc_table()[code6][0], EWC_IN_LABEL_CONFIDENCE, "ewc")]
    words = material_words(label)
    toks = tokens(words)
    if not toks:
        return []
    lang = lang if lang in ("fr", "en") else None
    class_scores, entry_scores, entry_methods = _scores([toks], _heads([words], [toks], lang))
    scores = class_scores[0]
    keys = [c.key for c in load_classes()]
    first = _head_readings(_head_texts([words])).get(0)
    named = _head_pick(scores, first)
    if named is not None:  # the material named first: its reading, as sure as the first words say it
        scores = scores.copy()
        scores[named] = max(float(scores.max()), float(first[0][named]))
    confined = _confine(scores, _head_readings(_outside_texts([words])).get(0), keys)
    if confined is not scores:  # the readings the words outside a parenthesis or « pour » allow
        scores = confined
    unnamed = [i for i, k in enumerate(keys) if k in NAMED_ONLY and scores[i] > 0 and not _says_name(k, toks)]
    if unnamed:  # see NAMED_ONLY
        scores = scores.copy()
        scores[unnamed] = 0.0
    order = [int(i) for i in np.argsort(-scores, kind="stable")[:top] if scores[i] >= MIN_SCORE]
    if named is not None and named in order:
        order = [named] + [i for i in order if i != named]
    warm = _water_as_heat(scores, label, keys)
    if warm is not None:  # the warm return first: it is what the label offers
        cooling = [i for i in order if keys[i] in WATER_AS_HEAT]
        order = cooling + [i for i in order if i not in cooling]
    soiled = _soiled(scores, label, keys) if warm is None else None
    if soiled is not None:  # soiled water is a liquid waste, and no clean water at all
        order = [soiled] + [i for i in order if i != soiled and keys[i] not in CLEAN_WATER]
    matches, seen = [], set()
    for rank, ci in enumerate(order):
        entries = np.flatnonzero(idx.entry_class == ci)
        best = entries[np.argmax(entry_scores[0, entries])]
        code = int(entry_methods[0, best])
        method = "fuzzy" if code < 0 else METHODS[code]
        if entry_scores[0, best] < scores[ci] or ci == soiled:
            method = "token"  # the class bag (or the words saying soiled) explained more than any synonym
        if rank == 0:
            ci = _battery_by_chemistry(_heat_by_temperature(ci, label, keys), label, keys)
        if keys[ci] in WATER_AS_HEAT and warm is not None:
            ci = warm
        if ci in seen or (warm is not None and keys[ci] in NOT_WARM):
            continue
        seen.add(ci)
        score = scores.max() if ci in (warm, soiled) else scores[order[rank]]
        matches.append(Match(keys[ci], round(float(min(score, 1.0)), 4), method))
    if matches:  # the reading's own confidence; class_of_kind does the same for the class of a declared kind
        matches[0] = _utility_sure(label, matches[0])
    compound = compound_head_class(label)
    if compound is not None and not (matches and matches[0].confidence >= LISTED_CONFIDENCE):
        others = [m for m in matches if m.key != compound]
        matches = [Match(compound, COMPOUND_HEAD_CONFIDENCE, "compound_head")] + others[:top - 1]
    if all(t in NO_MATERIAL_WORDS for t in toks) and not (matches and matches[0].method == "exact_synonym"):
        # « Déchets », « Déchets divers », "waste material", « Abfall »: words that name no material. Their
        # letters come near any class (« Déchets » read as untreated wood, "waste material" as asbestos at
        # 0.8); only a synonym listed as a whole (``synonyms.csv``) makes such a label a material.
        return []
    return matches


# A label that lists materials of several families (« papier, carton et plastiques », "packaging and
# wood wastes", « Glas und Metalle ») offers each of them: read as one phrase it is one class (often
# the wrong one, or the one its generic words suggest). Its components are read one by one; a shared
# English head goes to each ("paper and cardboard wastes" = paper wastes + cardboard wastes), a
# French complement takes the first component's head (« chutes de bois et de métal »). A component
# made of generic words only (« déchets », "other wastes", « divers ») names no material. A label
# that is a known phrase as a whole (« construction and demolition waste ») is one material.
_LIST_SEP = re.compile(r"\s*(?:[,;+]|\s&\s|\s/\s|(?<=[^\W\d]{3})/(?=[^\W\d]{3})|\b(?:and|et|und|as well as|ainsi que"
                       r"|sowie)\b)\s*", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)")
_FR_COMPLEMENT = re.compile(r"^(?:de |du |des |d')", re.IGNORECASE)
GENERIC_WORDS = frozenset("""waste dechet residue residu other autre divers diver various miscellaneous misc sonstige
andere abfall abfalle reste rest material materiau matiere product produit byproduct sous element item""".split())
# A label of generic words and words of state or grade only (« Produits déclassés », "off-spec product",
# « Surplus », « Invendus », « Produits périmés ») names no material either (see index.STATE_WORDS).
NO_MATERIAL_WORDS = GENERIC_WORDS | STATE_WORDS  # index.STATE_WORDS: what the words say of a state
# A component counts when the words say it (a synonym or the words of a class), not letters alike.
COMPONENT_METHODS = ("exact_synonym", "token", "ewc")
COMPONENT_CONFIDENCE = 0.6
MAX_COMPONENTS = 4


def _split(label: str) -> list[str]:
    parts = [p.strip(" .-") for p in _LIST_SEP.split(_PARENS.sub(" ", label))]
    return [p for p in parts if p]


def list_components(label: str | None) -> list[tuple[str, str]]:
    """(part as written, part as it would be written alone) for each part of a label that lists
    materials; [] when the label is not a list."""
    if not label or not isinstance(label, str):
        return []
    parts = _split(label)
    if len(parts) < 2:
        return []
    from .index import lexical_index

    lang = guess_lang(label, tokens(label), lexical_index().token_lang)
    last = parts[-1].split()
    out = []
    for i, part in enumerate(parts):
        alone = part
        if lang != "fr" and i < len(parts) - 1 and len(last) >= 2 and len(part.split()) <= 2:
            alone = f"{part} {last[-1]}"  # an English head shared: "paper and cardboard wastes"
        elif lang == "fr" and i > 0 and _FR_COMPLEMENT.match(part):
            alone = f"{parts[0].split()[0]} {part}"  # « chutes de bois et de métal »
        out.append((part, alone))
    return out


def _component_class(text: str) -> Match | None:
    if _is_generic(text):
        return None
    best = classify_label(text, top=1)
    if best and best[0].method in COMPONENT_METHODS and best[0].confidence >= COMPONENT_CONFIDENCE:
        return best[0]
    return None


def _is_generic(part: str) -> bool:
    return all(t in GENERIC_WORDS for t in tokens(part))


def names_no_material(label: str | None) -> bool:
    """Whether a label is made of generic words or words of state only (« Déchets divers », "other waste",
    « Produits déclassés ») and is no listed synonym: it names no material, so it is classed as none
    (``classify_label``)."""
    toks = tokens(material_words(label)) if isinstance(label, str) else ()
    return bool(toks) and all(t in NO_MATERIAL_WORDS for t in toks) and not classify_label(label, top=1)


def classify_components(label: str | None) -> list[tuple[str, Match]]:
    """(component, its class) for each material a label lists, one per class, in the label's
    order; [] unless at least two components name distinct known materials."""
    parts = list_components(label)
    if not parts:
        return []
    whole = classify_label(label, top=1)
    if whole and whole[0].method == "exact_synonym":
        return []
    out: list[tuple[str, Match]] = []
    for part, alone in parts[:MAX_COMPONENTS]:
        found = _component_class(alone) or (_component_class(part) if alone != part else None)
        if found is not None and all(found.key != m.key for _, m in out):
            out.append((alone, found))
    # Forms of one material (« bark and sawdust », "boiler and fly ashes", « papier et carton ») are
    # one stream for the same users: a list is read part by part only when it spans families.
    if len({_family(m.key) for _, m in out}) < 2:
        return []
    return out


# Wood chips and pellets are woody biomass (EN ISO 17225-1, solid biofuels: wood chips, pellets and
# bark from forest and wood-processing residues): the same family as sawdust and bark.
WOODY_FUELS = frozenset({"biomass_wood_chips", "wood_pellets"})


def _family(key: str) -> str:
    return "wood" if key in WOODY_FUELS else get_class(key).group


# A flow declared as energy or water is counted in MWh or m3: its class must be of that kind. A label
# whose best reading is a material ("Chaleur de l'incinération" read as incinerator fly ash) takes the
# best candidate of the declared kind instead, and none when no candidate is of that kind.
KIND_BOUND = ("energy", "water")


def class_of_kind(label: str, kind: str, temperature_c: float | None = None) -> Match | None:
    """The best class of the declared ``kind`` for a label, heat graded by its stated temperature."""
    kinds = {c.key: c.kind for c in load_classes()}
    match = next((m for m in classify_label(label, top=8) if kinds.get(m.key) == kind), None)
    match = _utility_sure(label, match) if match is not None else None
    if match is not None and match.key in HEAT and temperature_c is not None:
        grade = HEAT[0] if temperature_c < HEAT_LIMITS[0] else HEAT[1] if temperature_c < HEAT_LIMITS[1] else HEAT[2]
        match = Match(grade, match.confidence, match.method)
    return match


def _as_text(value) -> str:
    """Missing cells of a spreadsheet (None, NaN) are empty labels, not the word "nan"."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def classify_labels(labels, lang: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised top-1 for many labels: (class position array, confidence array).

    Positions index `load_classes()`; -1 with confidence 0 when nothing plausible matched.
    Identical labels are scored once, so a 100k-row import of repetitive declarations is fast.
    `lang` as in `classify_label`.
    """
    lang = lang if lang in ("fr", "en") else None
    labels = list(labels)
    uniq: dict[str, int] = {}
    inverse = np.fromiter((uniq.setdefault(_as_text(s), len(uniq)) for s in labels),
                          dtype=np.int64, count=len(labels))
    uniq_labels = list(uniq)
    words = [material_words(s) for s in uniq_labels]
    toks_list = [tokens(s) for s in words]
    keys = [c.key for c in load_classes()]
    best = np.full(len(uniq_labels), -1, dtype=np.int64)
    conf = np.zeros(len(uniq_labels), dtype=np.float32)
    cooling = [class_index()[k] for k in WATER_AS_HEAT]
    for start in range(0, len(uniq_labels), CHUNK):
        chunk = slice(start, start + CHUNK)
        class_scores = _batch_scores(toks_list[chunk],
                                     _heads(words[chunk], toks_list[chunk], lang))
        for j, first in _head_readings(_head_texts(words[chunk])).items():
            named = _head_pick(class_scores[j], first)
            if named is not None:  # the material named first (see _head_pick)
                class_scores[j, named] = max(float(class_scores[j].max()), float(first[0][named]))
        for j, outside in _head_readings(_outside_texts(words[chunk])).items():
            class_scores[j] = _confine(class_scores[j], outside, keys)  # as in classify_label
        for ci in (i for i, k in enumerate(keys) if k in NAMED_ONLY):  # as in classify_label
            for j in np.flatnonzero(class_scores[:, ci] > 0):
                if not _says_name(keys[ci], toks_list[start + j]):
                    class_scores[j, ci] = 0.0
        top = class_scores.argmax(axis=1)
        top_score = class_scores[np.arange(len(top)), top]
        ok = top_score >= MIN_SCORE
        best[chunk] = np.where(ok, top, -1)
        conf[chunk] = np.where(ok, np.minimum(top_score, 1.0), 0.0)
        for j in np.flatnonzero(ok & (class_scores[:, cooling] >= WARM_TIE * top_score[:, None]).any(axis=1)):
            warm = _water_as_heat(class_scores[j], uniq_labels[start + j], keys)
            if warm is not None:
                best[start + j] = warm
        for j in (j for j in np.flatnonzero(ok) if _MAYBE_WATER.search(uniq_labels[start + j])):
            soiled = _soiled(class_scores[j], uniq_labels[start + j], keys)
            if soiled is not None:
                best[start + j] = soiled
    for i, pos in enumerate(best):
        if pos >= 0 and keys[pos] in HEAT:
            best[i] = _heat_by_temperature(int(pos), uniq_labels[i], keys)
        elif pos >= 0 and keys[pos] in BATTERY_FAMILY:
            best[i] = _battery_by_chemistry(int(pos), uniq_labels[i], keys)
    empty = np.array([not t for t in toks_list], dtype=bool)
    best[empty], conf[empty] = -1, 0.0
    for i, toks in enumerate(toks_list):  # generic words only: a material only as a listed synonym (classify_label)
        if toks and best[i] >= 0 and all(t in NO_MATERIAL_WORDS for t in toks) \
                and not classify_label(uniq_labels[i], lang, top=1):
            best[i], conf[i] = -1, 0.0
    utility = [i for i in np.flatnonzero((best >= 0) & (conf < LISTED_CONFIDENCE))
               if kind_of(keys[best[i]]) in KIND_BOUND]  # one batch (see utility_head_confidence)
    firsts = _head_readings([_utility_words(uniq_labels[i]) for i in utility])
    for j, i in enumerate(utility):
        conf[i] = _sure_as_head(firsts.get(j), keys[best[i]],
                                german_utility_confidence(uniq_labels[i], keys[best[i]], float(conf[i])))
    positions = class_index()
    for i, label in enumerate(uniq_labels):
        compound = compound_head_class(label) if conf[i] < LISTED_CONFIDENCE else None
        if compound is not None:  # read by its Grundwort (compound_head_class)
            best[i], conf[i] = positions[compound], COMPOUND_HEAD_CONFIDENCE
    for i, label in enumerate(uniq_labels):
        if any(c.isdigit() for c in label):
            code6 = ewc_in_label(label)
            if code6 is not None:
                best[i], conf[i] = positions[ewc_table()[code6][0]], EWC_IN_LABEL_CONFIDENCE
    return best[inverse], conf[inverse]
