"""Map a declared offer/need to a material class: from an EWC code, or from a free-text label.

The label classifier is lexical on purpose (no model to download, explainable, instant): a
facilitator who sees a wrong class fixes it by adding a synonym to `data/synonyms.csv`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .taxonomy import MaterialClass, class_index, ewc_table, get_class, load_classes
from .text import guess_lang, head_noun, parse_temperature, tokens

__all__ = [
    "Match", "MaterialClass", "class_for_ewc", "class_index", "classify_label",
    "classify_labels", "ewc_digits", "ewc_in_label", "get_class", "load_classes", "normalise_ewc",
    "is_total_label", "parse_temperature",
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
    toks = tokens(label)
    if not toks:
        return []
    lang = lang if lang in ("fr", "en") else None
    class_scores, entry_scores, entry_methods = _scores([toks], _heads([label], [toks], lang))
    scores = class_scores[0]
    keys = [c.key for c in load_classes()]
    order = [int(i) for i in np.argsort(-scores, kind="stable")[:top] if scores[i] >= MIN_SCORE]
    matches, seen = [], set()
    for rank, ci in enumerate(order):
        entries = np.flatnonzero(idx.entry_class == ci)
        best = entries[np.argmax(entry_scores[0, entries])]
        code = int(entry_methods[0, best])
        method = "fuzzy" if code < 0 else METHODS[code]
        if entry_scores[0, best] < scores[ci]:
            method = "token"  # the class bag explained more than any single synonym
        if rank == 0:
            ci = _battery_by_chemistry(_heat_by_temperature(ci, label, keys), label, keys)
        if ci in seen:
            continue
        seen.add(ci)
        matches.append(Match(keys[ci], round(float(min(scores[order[rank]], 1.0)), 4), method))
    return matches


# A flow declared as energy or water is counted in MWh or m3: its class must be of that kind. A label
# whose best reading is a material ("Chaleur de l'incinération" read as incinerator fly ash) takes the
# best candidate of the declared kind instead, and none when no candidate is of that kind.
KIND_BOUND = ("energy", "water")


def class_of_kind(label: str, kind: str, temperature_c: float | None = None) -> Match | None:
    """The best class of the declared ``kind`` for a label, heat graded by its stated temperature."""
    kinds = {c.key: c.kind for c in load_classes()}
    match = next((m for m in classify_label(label, top=8) if kinds.get(m.key) == kind), None)
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
    toks_list = [tokens(s) for s in uniq_labels]
    keys = [c.key for c in load_classes()]
    best = np.full(len(uniq_labels), -1, dtype=np.int64)
    conf = np.zeros(len(uniq_labels), dtype=np.float32)
    for start in range(0, len(uniq_labels), CHUNK):
        chunk = slice(start, start + CHUNK)
        class_scores = _batch_scores(toks_list[chunk],
                                     _heads(uniq_labels[chunk], toks_list[chunk], lang))
        top = class_scores.argmax(axis=1)
        top_score = class_scores[np.arange(len(top)), top]
        ok = top_score >= MIN_SCORE
        best[chunk] = np.where(ok, top, -1)
        conf[chunk] = np.where(ok, np.minimum(top_score, 1.0), 0.0)
    for i, pos in enumerate(best):
        if pos >= 0 and keys[pos] in HEAT:
            best[i] = _heat_by_temperature(int(pos), uniq_labels[i], keys)
        elif pos >= 0 and keys[pos] in BATTERY_FAMILY:
            best[i] = _battery_by_chemistry(int(pos), uniq_labels[i], keys)
    empty = np.array([not t for t in toks_list], dtype=bool)
    best[empty], conf[empty] = -1, 0.0
    positions = class_index()
    for i, label in enumerate(uniq_labels):
        if any(c.isdigit() for c in label):
            code6 = ewc_in_label(label)
            if code6 is not None:
                best[i], conf[i] = positions[ewc_table()[code6][0]], EWC_IN_LABEL_CONFIDENCE
    return best[inverse], conf[inverse]
