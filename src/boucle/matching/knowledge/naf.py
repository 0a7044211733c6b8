"""Resolve a free-text activity ("brick works", "laiterie", "glass container plant") to NACE codes.

Most firms describe what they do in words, not codes, and inferred needs hang on NACE codes. Two
layers: a curated phrase table in thirteen European languages (precise, covers common trade
names that the nomenclature never uses: "brick works", "cimenterie", « Cementownia »), then a
fallback ranked search over the NACE Rev. 2 titles and explanatory notes, so an unseen phrase
("rock wool production", "pet food") still resolves. Confidences say how much the caller should
trust each code.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

DATA = Path(__file__).parent / "data"
NAF_LABELS = Path(__file__).resolve().parents[2] / "data" / "reference" / "naf.csv"

# Words that describe the *form* of a business rather than its activity.
STOP = frozenset("""
a an and the of for in on at to by with from or other n e c nec s its their etc such as incl including
plant plants factory factories works work company companies industry industries industrial production
producer producers manufacturer manufacturers manufacture manufacturing facility facilities site unit
activity activities products product processing operation operations services service supply group ltd
de du des la le les l d et en a au aux pour par sur une un usine societe entreprise fabrication
fabricant production industrie activite site
""".split())


_NON_WORD = re.compile(r"[^a-z0-9]+")
# Letters NFKD does not take apart, written in ASCII as their languages' own transliterations
# (Danish and Norwegian æ ø, Polish ł, Croatian đ, Icelandic ð þ, French œ, Turkish dotless ı),
# so that "kraftværk" and « Bełchatów » keep their letters rather than break into words.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "œ": "oe",
                       "ı": "i"})


def normalise(text: str) -> str:
    text = text.lower()
    if not text.isascii():  # ASCII has no accent to fold (NFKD leaves it as it is): most names are ASCII
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=1 << 13)
def _stem(word: str) -> str:
    """Crude EN/FR plural and suffix folding: enough to join 'bricks'/'brick', 'glasses'/'glass'."""
    for suffix in ("ies", "es", "s", "ing", "ed", "eries", "erie"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            base = word[:-2]
            if suffix == "es" and not (base.endswith(("ss", "x", "z", "ch", "sh")) or (base.endswith("s") and len(base) <= 3)):
                # "greenhouses", « serres »: the plural of a word ending in -e drops the s only
                return word[:-1]
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def tokens(text: str) -> list[str]:
    return [_stem(w) for w in normalise(text).split() if w not in STOP and len(w) > 1 and not w.isdigit()]


@lru_cache(maxsize=4096)  # read for each of a region's 50,000 receivers, which hold a few hundred codes
def normalise_naf(code: str | None) -> str | None:
    """'23.51Z', '2351', '23.5', '23', '2351*' → '23.51', '23.51', '23.5', '23'; None if unreadable."""
    if not code:
        return None
    digits = re.sub(r"[^0-9]", "", str(code).split(";")[0])
    if len(digits) < 2:
        return None
    if len(digits) == 2:
        return digits
    if len(digits) == 3:
        return f"{digits[:2]}.{digits[2]}"
    return f"{digits[:2]}.{digits[2:4]}"


# A row whose phrase starts with "-" is the last part of compound words only ("-værket" of a
# Danish power station named "<place>værket", "-kraft" in "Vattenkraft"): alone the word says
# too little ("Kraft" is a surname and a brand), so it is no phrase of its own.
HEAD_ONLY = "-"


def french_plural(phrase: str) -> str:
    """A French trade phrase with its nouns in -erie in the plural: names say « Sucreries du Littoral »,
    « Papeteries … », « Briqueteries du Nord » as often as the singular (the plural of a French noun adds
    -s: Grevisse, Le Bon Usage § 514). The stems of « sucreries » and « sucrerie » differ (the English
    plural « -ies » is folded to « -y »), so the plural is a phrase of its own."""
    return " ".join(w + "s" if w.endswith("erie") else w for w in phrase.split())


# Italian, Spanish and Portuguese names say the trade in the plural as often as French ones (« Cartiere del
# Garda », "Papeleras Reunidas", « Cimentos »…): a noun's plural is regular (Serianni, Grammatica italiana, III
# 105-120: -a > -e, -o > -i, -e > -i, -ca/-ga > -che/-ghe, -io > -i; RAE, Nueva gramática de la lengua española,
# § 3.2: a vowel adds -s, a consonant -es, -z > -ces; Cunha & Cintra, Nova gramática do português contemporâneo,
# ch. 9: a vowel adds -s, -ão > -ões, -l > -is, -m > -ns, -r/-z add -es). The nouns and adjectives before the first
# preposition take it (« centrale termica » > « centrali termiche », « usina de açúcar » > « usinas de açúcar »).
_ROMANCE_PREPOSITIONS = frozenset("de di da del della dello dei delle do dos das per para por".split())


def _romance_plural_word(word: str, lang: str) -> tuple[str, ...]:
    if len(word) < 3 or not word.isalpha():
        return (word,)
    if lang == "it":
        if word.endswith(("ca", "ga")):
            return (word[:-1] + "he",)
        if word.endswith("io"):
            return (word[:-1],)
        if word.endswith(("co", "go")):  # -ci or -chi, by the word: both
            return (word[:-1] + "i", word[:-1] + "hi")
        if word.endswith("a"):
            return (word[:-1] + "e",)
        if word.endswith(("o", "e")):
            return (word[:-1] + "i",)
        return (word,)
    if lang == "pt":
        if word.endswith("ao"):
            return (word[:-2] + "oes",)
        if word.endswith("l"):
            return (word[:-1] + "is",)
        if word.endswith("m"):
            return (word[:-1] + "ns",)
        if word.endswith(("r", "z", "s")):
            return (word + "es",)
        return (word + "s",)
    if word.endswith("z"):  # es
        return (word[:-1] + "ces",)
    return (word + "s",) if word[-1] in "aeiou" else (word + "es",)


def romance_plural(phrase: str, lang: str) -> tuple[str, ...]:
    """The plural forms of an Italian, Spanish or Portuguese trade phrase (normalised), see above."""
    words = phrase.split()
    cut = next((i for i, w in enumerate(words) if w in _ROMANCE_PREPOSITIONS), len(words))
    forms = [""]
    for i, w in enumerate(words):
        choices = _romance_plural_word(w, lang) if i < cut else (w,)
        forms = [f"{f} {c}".strip() for f in forms for c in choices]
    return tuple(f for f in forms if f != phrase)


ROMANCE_LANGS = frozenset({"it", "es", "pt"})


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[str]]:
    table: dict[str, list[str]] = defaultdict(list)
    plurals: dict[str, list[str]] = defaultdict(list)
    with (DATA / "activity_phrases.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["phrase"].startswith(HEAD_ONLY):
                continue
            key = normalise(row["phrase"])
            keys = (key, french_plural(key)) if row["lang"] == "fr" else (key,)
            for k in dict.fromkeys(keys):
                if row["naf_code"] not in table[k]:
                    table[k].append(row["naf_code"])
            if row["lang"] in ROMANCE_LANGS:
                for k in romance_plural(key, row["lang"]):
                    if row["naf_code"] not in plurals[k]:
                        plurals[k].append(row["naf_code"])
    # a plural form never replaces a phrase of the table spelt the same way
    for k, codes in plurals.items():
        if k not in table:
            table[k] = codes
    return dict(table)


@lru_cache(maxsize=1)
def nace_titles() -> dict[str, str]:
    with (DATA / "nace_rev2_notes.csv").open(encoding="utf-8") as fh:
        return {r["code"]: r["title"] for r in csv.DictReader(fh)}


class _NaceIndex:
    """BM25 over NACE titles (counted three times) and notes, on stemmed words.

    Titles weigh more because notes list side activities. A query word also matches note words
    sharing its first five letters ("gasifier" ~ "gasification"), at a discount, since trade
    phrases rarely use the nomenclature's exact word forms. Only groups and classes are indexed:
    divisions are too broad to be a useful answer.
    """

    K1, B, PREFIX = 1.2, 0.5, 5

    def __init__(self) -> None:
        self.docs: dict[str, Counter] = {}
        with (DATA / "nace_rev2_notes.csv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["level"] not in ("3", "4"):
                    continue
                words = tokens(r["title"]) * 3 + tokens(r["includes"]) + tokens(r["also_includes"])
                self.docs[r["code"]] = Counter(words)
        df: Counter = Counter()
        for bag in self.docs.values():
            df.update(bag.keys())
        n = len(self.docs)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.avglen = sum(sum(b.values()) for b in self.docs.values()) / n
        self.by_prefix: dict[str, list[str]] = defaultdict(list)
        for w in self.idf:
            if len(w) >= self.PREFIX:
                self.by_prefix[w[: self.PREFIX]].append(w)

    def _expand(self, word: str) -> list[tuple[str, float]]:
        out = [(word, 1.0)] if word in self.idf else []
        if len(word) >= self.PREFIX:
            out += [(w, 0.6) for w in self.by_prefix.get(word[: self.PREFIX], []) if w != word]
        return out

    def search(self, text: str, k: int = 3) -> list[tuple[str, float, float]]:
        """(code, score, coverage): coverage is the share of the query's idf mass found."""
        words = list(dict.fromkeys(tokens(text)))
        if not words:
            return []
        known = {w: self._expand(w) for w in words}
        mass = sum(max((self.idf[v] for v, _ in known[w]), default=2.0) for w in words)
        results = []
        for code, bag in self.docs.items():
            norm = self.K1 * (1 - self.B + self.B * sum(bag.values()) / self.avglen)
            score = cover = 0.0
            for w in words:
                best = 0.0
                for v, f in known[w]:
                    tf = bag.get(v, 0)
                    if tf:
                        best = max(best, f * self.idf[v] * tf * (self.K1 + 1) / (tf + norm))
                        cover_w = f * self.idf[v]
                if best:
                    score += best
                    cover += min(cover_w, max(self.idf[v] for v, _ in known[w]))
            if score > 0:
                results.append((score, len(code), code, cover / mass))
        results.sort(key=lambda t: (-t[0], -t[1], t[2]))
        return [(code, s, c) for s, _, code, c in results[:k]]


@lru_cache(maxsize=1)
def _index() -> _NaceIndex:
    return _NaceIndex()


def _stems(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in normalise(text).split())


@lru_cache(maxsize=1)
def _phrase_stems() -> tuple[tuple[tuple[str, ...], str], ...]:
    return tuple((_stems(p), p) for p in _phrases())


@lru_cache(maxsize=1)
def _phrase_stem_index() -> dict[str, tuple[int, ...]]:
    """Stem -> positions in ``_phrase_stems()`` of the phrases holding it (the exact-word search
    of a site's name looks only at those)."""
    out: dict[str, list[int]] = {}
    for i, (stems, _phrase) in enumerate(_phrase_stems()):
        for s in set(stems):
            out.setdefault(s, []).append(i)
    return {k: tuple(v) for k, v in out.items()}


def _token_match(word: str, text_words: tuple[str, ...]) -> float:
    """1 for the same word, 0.9 for a near spelling of a long word ("embarkment"), else 0. A word of the
    text that the phrase table holds is spelt right: "regasification" (an LNG terminal) is not a
    misspelt "gasification" (a gas works)."""
    if word in text_words:
        return 1.0
    known = _phrase_stem_index()
    if len(word) >= 6 and any(len(t) >= 6 and t not in known and fuzz.ratio(word, t) >= 88 for t in text_words):
        return 0.9
    return 0.0


# Abbreviations shorter than four letters read as a word of their own (shorter words are
# otherwise skipped: most are particles or pieces of names): "CHP" (combined heat and power),
# "KWK" (Kraft-Wärme-Kopplung), "WKC" (warmtekrachtcentrale), "HKW" (Heizkraftwerk), "MVA"
# (Müllverbrennungsanlage), "LNG" (liquefied natural gas: a terminal or a
# liquefaction plant), "MRF" (materials recovery facility), "MBT" (mechanical biological treatment), "UVE" (unité de
# valorisation énergétique), "TMB" (tri mécano-biologique) (IATE); "EfW" (energy from waste), "ERF" (energy recovery
# facility) (UK Defra, Energy from waste: a guide to the debate, 2014); "SNG" (synthetic natural gas, IATE); "KVA"
# (Kehrichtverwertungsanlage, Swiss FOEN), "AVI" (afvalverbrandingsinstallatie, IATE), "OSB" (oriented strand board,
# EN 300), "CVO" (centre de valorisation organique: ADEME, a plant that composts or digests bio-waste). "KVA" and "MVA" are also the units kVA and MVA of transformers and generators: after a number they are a
# measure and dropped before reading (_MEASURE).
SHORT_WORDS = frozenset({"chp", "kwk", "hkw", "mva", "kva", "avi", "wkc", "lng", "mrf", "mbt", "uve", "tmb", "efw", "erf", "sng",
                         "osb", "cvo"})


# A near spelling is a misspelt English, French or German word (the languages of the activities
# people type here), not a word of another language: "cellulose" is not « celulosa » (pulp),
# "ceramic" not « cerámica ».
SPELT_NEAR_LANGS = frozenset({"en", "fr", "de"})


@lru_cache(maxsize=1)
def _spelt_near() -> frozenset:
    """Phrases (normalised) that may be found by a near spelling of their words."""
    with (DATA / "activity_phrases.csv").open(encoding="utf-8") as fh:
        return frozenset(normalise(r["phrase"]) for r in csv.DictReader(fh)
                         if r["lang"] in SPELT_NEAR_LANGS and not r["phrase"].startswith(HEAD_ONLY))


@lru_cache(maxsize=1)
def _phrase_rows() -> tuple[tuple[tuple[str, ...], str, str | None], ...]:
    """``_phrase_stems()`` with each phrase's stems as one string to look for in a text (None for a
    phrase never read: no word, or one word shorter than four letters and no known abbreviation)."""
    return tuple((stems, phrase, None if not stems or (len(stems) == 1 and len(stems[0]) < 4
                                                       and stems[0] not in SHORT_WORDS)
                  else " " + " ".join(stems) + " ") for stems, phrase in _phrase_stems())


@lru_cache(maxsize=1)
def _spelt_near_positions() -> tuple[tuple[int, ...], frozenset]:
    """Positions in ``_phrase_stems()`` of the phrases :func:`_spelt_near` holds (in order, and as a set)."""
    near = _spelt_near()
    positions = tuple(i for i, (_stems, phrase) in enumerate(_phrase_stems()) if phrase in near)
    return positions, frozenset(positions)


def _phrase_hits(norm: str, fuzzy: bool = True) -> dict[str, float]:
    """Known phrases found in the text, on word stems: contiguous (0.9), scattered ("glass and
    glass-ceramic production" holds "glass production", 0.85) or with a near spelling (0.8). A
    phrase whose words are all inside a longer matched phrase gives way to it."""
    return _hits_in(_stems(norm), fuzzy)


def _hits_in(words: tuple[str, ...], fuzzy: bool) -> dict[str, float]:
    """:func:`_phrase_hits` on the text's word stems ("" for a word no phrase holds)."""
    joined = " " + " ".join(words) + " "
    matched: list[tuple[frozenset, str, float]] = []
    rows = _phrase_rows()
    # Every stem of a phrase read without near spellings must be a word of the text: only the
    # phrases holding one of its words can match.
    index = _phrase_stem_index()
    candidates = {i for w in set(words) for i in index.get(w, ())}
    near_count = 0
    if fuzzy:  # the phrases that may be spelt near, then the others holding a word of the text
        near_positions, near_set = _spelt_near_positions()
        near_count = len(near_positions)
        positions = list(near_positions) + list(candidates - near_set)
    else:
        positions = list(candidates)
    for n, i in enumerate(positions):
        stems, phrase, key = rows[i]
        if key is None:
            continue
        if key in joined:
            conf = 0.9
        else:
            near, worst = n < near_count, 1.0
            for w in stems:  # the first word missing ends the look
                score = _token_match(w, words) if near else float(w in words)
                if not score:
                    break
                worst = min(worst, score)
            else:
                conf = 0.85 if worst == 1.0 else 0.8
                matched.append((frozenset(stems), phrase, conf))
            continue
        matched.append((frozenset(stems), phrase, conf))
    found: dict[str, float] = {}
    for stems, phrase, conf in matched:
        if any(stems < other for other, _, _ in matched):
            continue
        for code in _phrases()[phrase]:
            found[code] = max(found.get(code, 0.0), conf)
    return found


# A sector word inside a place name is not the site's activity: « Port-Jérôme », "Port Talbot",
# « Forges-les-Eaux », « La Chaux-de-Fonds » name a town, not port, forging or lime work. Place
# names are recognised by their form, never by a list of places: a hyphenated chain with a
# capitalised element after the first (French and German compound toponyms, "Stoke-on-Trent") or
# a toponymic particle (« -sur- », « -les- », « -de- », "-upon-", "-am-"…) (IGN, « Toponymie : les
# noms de lieux », the French hyphenation rule for compound place names; UNGEGN Glossary of
# terms for the standardization of geographical names, "generic element"); and a toponymic generic
# (port, fort, mount, saint…) followed by a capitalised word that is no word of the vocabulary
# ("Port Talbot", not "Port Authority"). Lower-case compounds ("chlor-alkali", "coal-fired") and
# a capitalised first element only ("Coal-fired") are words, kept, and so is a chain whose
# capitalised elements are words of the vocabulary (« Agro-Alimentaire » in a title-case name).
_PARTICLES = frozenset("""sur sous les lès la le de du des en aux d l saint sainte st ste upon on am an im bei
ob der di del della sul""".split())
_CHAIN_MARK = re.compile(r"[-‑'’]")
_HYPHEN_CHAIN = re.compile(r"\b[^\W\d_]+(?:[-‑'’][^\W\d_]+)+\b")
_TOPONYMIC_GENERICS = frozenset("port fort mount mont saint sainte san santa bad".split())
_CAPITALISED = re.compile(r"(?<![\w-])([^\W\d_]+) ([A-ZÀ-Ý][^\W\d_]+)")


def _is_place_chain(chain: str) -> bool:
    parts = re.split(r"[-‑'’]", chain)
    if any(p.lower() in _PARTICLES for p in parts[1:-1]):
        return True
    return any(p[:1].isupper() and p[1:2].islower() and not _known(p) for p in parts[1:])


# Legal forms of a port authority (« port autonome », « grand port maritime »: Code des
# transports L5312-1; "Port Authority"): the port is the activity there.
_PORT_FORMS = frozenset("autonome authority authoritie maritime".split())


def _known(word: str) -> bool:
    stem = _stem(normalise(word))
    return stem in _vocabulary() or stem in _PORT_FORMS


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset:
    """Stems of every word the phrase table, the NACE notes and the NAF labels (French and
    English) know: a word of an activity, not a proper noun."""
    words = {s for stems, _ in _phrase_stems() for s in stems}
    with NAF_LABELS.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            words.update(_stems(row["label_fr"] + " " + row["label_en"]))
    return frozenset(words | set(_index().idf))


# The official title of a code is the code, not a description of the site. Registers (SIRENE, IREP,
# national business registers) and many imports fill the activity with the title of the site's NAF /
# NACE code, « Fabrication d'ouvrages en fibre-ciment » for 23.65: read as words, its « ciment »
# made the fibre-cement works a cement works, « Récupération de déchets triés » (38.32) a waste
# collector, « Fabrication de tubes ... en acier » (24.20) a steelworks. The title of a declared code
# (or of a division or group above it) says nothing the code does not say (INSEE, NAF rév. 2 :
# intitulés des postes; Eurostat, NACE Rev. 2 — Statistical classification of economic activities,
# titles and explanatory notes, 2008).
@lru_cache(maxsize=1)
def _code_titles() -> dict[str, frozenset]:
    """NACE code (normalised: '23.65', '23.6', '23') -> normalised titles, French and English."""
    out: dict[str, set] = defaultdict(set)
    with NAF_LABELS.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = normalise_naf(row["code"])
            if code:
                out[code].update(t for t in (normalise(row["label_fr"]), normalise(row["label_en"])) if t)
    for code, title in nace_titles().items():
        code = normalise_naf(code)
        if code and title:
            out[code].add(normalise(title))
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _title_index() -> dict[str, tuple[str, ...]]:
    """Normalised title -> the finest codes bearing it (« fabrication de ciment » is group 23.5
    and class 23.51: 23.51)."""
    out: dict[str, list[str]] = defaultdict(list)
    for code, titles in _code_titles().items():
        for t in titles:
            out[t].append(code)
    return {t: tuple(sorted(c for c in codes if not any(o != c and o.startswith(c) for o in codes)))
            for t, codes in out.items()}


def _titled(norm: str) -> tuple[str, ...]:
    return _title_index().get(norm, ())


def is_code_title(text: str | None, code: str | None) -> bool:
    """Whether ``text`` is the official title (French or English) of ``code`` or of a division or
    group above it (« Fabrication d'ouvrages en fibre-ciment » of 23.65)."""
    code = normalise_naf(code)
    norm = normalise(text or "")
    if not code or not norm:
        return False
    titles = _code_titles()
    levels = {code, code[:2], code[:4]}
    return any(norm in titles.get(c, ()) for c in levels)


def strip_place_names(text: str) -> str:
    """The text without the place names it holds (see above), on its original spelling (case)."""
    if _CHAIN_MARK.search(text):  # else no chain to look at
        text = _HYPHEN_CHAIN.sub(lambda m: " " if _is_place_chain(m.group(0)) else m.group(0), text)

    def generic(m: re.Match) -> str:
        head, proper = m.group(1), m.group(2)
        if head.lower() in _TOPONYMIC_GENERICS and not _known(proper):
            return " "
        return m.group(0)
    return _CAPITALISED.sub(generic, text)


# German writes the shared end of compounds once, the first left with a hyphen (Ergänzungsstrich, Duden
# D 31): « Bau- und Möbeltischlerei » is « Bautischlerei und Möbeltischlerei », « Säge- und Hobelwerk » a
# Sägewerk and a Hobelwerk. The elided word takes the known compound head the next word ends with.
_ELIDED = re.compile(r"\b(\w+)-\s+(?:und|oder|sowie|bzw\.?|&|,)\s+(\w+)")


def _expand_elided(text: str) -> str:
    if "-" not in text:
        return text

    def expand(m: re.Match) -> str:
        last = normalise(m.group(2))
        for i in range(1, len(last) - COMPOUND_MIN + 1):
            if last[i:] in _heads_by_word():
                return f"{m.group(1)}{last[i:]} {m.group(0)[len(m.group(1)) + 1:].lstrip()}"
        return m.group(0)
    return _ELIDED.sub(expand, text)


# A unit of electrical power or energy (IEC 60050) after a number is a measure, not a trade: « Poste 2 x 36 MVA »
# is a transformer, not a Müllverbrennungsanlage (« MVA »), as « 630 kVA » is no Kehrichtverbrennungsanlage.
_MEASURE = re.compile(r"\b(\d+(?:[.,]\d+)?) ?(?:kva|mva|gva|kw|mw|gw|kwe|mwe|mwth|kv|kwh|mwh|gwh)\b")


def _read_words(text: str | None) -> str:
    """A site's activity or name as the readers see it: normalised, place names and measures dropped."""
    return _MEASURE.sub(r"\1", normalise(strip_place_names(_expand_elided(text or ""))))


@lru_cache(maxsize=4096)
def activity_to_naf(text: str | None) -> list[tuple[str, float]]:
    """Best NACE codes for an activity phrase, best first, with a confidence in (0, 1].

    Exact phrase → 1.0; known phrases inside the text → 0.8-0.9; otherwise the NACE notes
    search, whose confidence (≤ 0.6) reflects its similarity so that a vague phrase yields weak
    inferred needs rather than confident wrong ones.
    """
    norm = _read_words(text)
    if not norm:
        return []
    titled = _titled(norm)
    if titled:  # an official title is its code (see is_code_title), the finest one that bears it
        return [(c, 1.0) for c in titled]
    if NOT_HAZARDOUS.search(norm):
        # "déchets non dangereux", "non-hazardous waste", "nicht gefährliche Abfälle": the words
        # of the hazardous-waste classes are there, the meaning is the opposite.
        return [(c, conf) for c, conf in _activity_to_naf(NOT_HAZARDOUS.sub(" ", norm))
                if not c.startswith(HAZARDOUS_WASTE_CODES)]
    return _activity_to_naf(norm)


# A site's name is read only for sector words (« Cimenterie de … », "… Power Station",
# "Heizkraftwerk …"), through the same phrase table as activities, never the search in the NACE
# notes (a company name is not a description) and never a company name itself (the table holds
# no company name: test_matching_knowledge). Trusted a little less than an activity phrase.
NAME_FACTOR = 0.9
# German, Dutch, the Nordic languages and Finnish write trades as one compound word:
# "Heizkraftwerk" ends with "kraftwerk", "fjernvarmeværk" with "varmeværk", "tuulivoima" with
# "voima"; Russian firms' names join the stumps of their words (« Mosenergo », « Nizhnekamskneftekhim »:
# slozhnosokrashchyonnye slova, Russian Grammar of the Academy of Sciences 1980, § 445).
COMPOUND_MIN = 5
COMPOUND_LANGS = frozenset({"de", "nl", "da", "no", "sv", "fi", "ru"})


@lru_cache(maxsize=1)
def _compound_heads() -> tuple[tuple[str, str], ...]:
    out = []
    with (DATA / "activity_phrases.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            p = normalise(row["phrase"].removeprefix(HEAD_ONLY))
            if row["lang"] in COMPOUND_LANGS and " " not in p and len(p) >= COMPOUND_MIN:
                out.append((p, row["naf_code"]))
    return tuple(out)


@lru_cache(maxsize=1)
def _heads_by_word() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for head, code in _compound_heads():
        out.setdefault(head, []).append(code)
    return {head: tuple(codes) for head, codes in out.items()}


# The heads of compounds are nouns, and names use them inflected: the German plural (« Zementwerke »,
# « Papierfabriken », « Brauereien », « Hütten »: Duden, Die Grammatik, §§ 279-303, plural endings -e, -en, -n; not
# the -s of loanwords and genitives, which an English plural glued to a firm's name shares), the Dutch plural (« suikerfabrieken », « centrales »: Algemene
# Nederlandse Spraakkunst § 3.2, -en, -s, -n), the Scandinavian definite and plural forms (« pappersbruket »,
# « kraftværket », « sågverken »: Svenska Akademiens grammatik, Dansk sproglære, Norsk referansegrammatikk: -en, -et,
# -n, -t, -e, -ene, -na). Finnish, with fifteen cases, is read in the forms the table gives.
INFLECTIONS = {"de": ("e", "en", "n"), "nl": ("en", "s", "n"), "sv": ("en", "et", "n", "t", "na"),
               "da": ("en", "et", "n", "t", "e", "ene"), "no": ("en", "et", "n", "t", "e", "ene")}


@lru_cache(maxsize=1)
def _inflected_heads() -> dict[str, tuple[str, ...]]:
    """An inflected form of a compound head (see INFLECTIONS) -> (the head's codes, whether the form is read alone
    too: not the form of a head that only ends compounds, « Kraften » as « Kraft »); never a form that is a head or
    a phrase itself."""
    heads, phrases = _heads_by_word(), _phrases()
    out: dict[str, list[str]] = {}
    alone: dict[str, bool] = {}
    with (DATA / "activity_phrases.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            p = normalise(row["phrase"].removeprefix(HEAD_ONLY))
            if row["lang"] not in INFLECTIONS or p not in heads:
                continue
            for ending in INFLECTIONS[row["lang"]]:
                form = p + ending
                if form in heads or form in phrases:
                    continue
                alone[form] = alone.get(form, True) and p in phrases
                for code in heads[p]:
                    if code not in out.setdefault(form, []):
                        out[form].append(code)
    return {form: (tuple(codes), alone[form]) for form, codes in out.items()}


# A compound whose head names a family of trades says which one by its first word when that word is a known
# phrase of a finer code inside the family: « Aluminiumschmelzwerk » is a non-ferrous smelter (« Schmelzwerk »,
# WZ 2008 24.4) of aluminium (24.42), as « Aluminiumwerk » reads.
def _refined(modifier: str, codes: tuple[str, ...]) -> tuple[str, ...]:
    phrases = _phrases()
    for j in range(len(modifier), COMPOUND_MIN - 1, -1):
        finer = tuple(c for c in phrases.get(modifier[:j], ()) if any(c != h and c.startswith(h) for h in codes))
        if finer:
            return finer
    return codes


@lru_cache(maxsize=1 << 13)
def _compound_codes(word: str) -> tuple[str, ...]:
    """Codes of the longest compound head a word ends with, the word being longer than the head:
    its endings of COMPOUND_MIN letters or more looked up, longest first (a region's names hold
    50,000 words). The longest head is the compound's meaning: "Fernheizkraftwerk" ends with
    "kraftwerk" too; a word that is a head itself is read as that phrase only ("vandværket",
    waterworks, ends with "værket" too). A head inflected (:func:`_inflected_heads`) is read as the
    head, alone (« Papierfabriken ») or ending a compound (« Zementwerke »)."""
    heads, inflected = _heads_by_word(), _inflected_heads()
    if word in heads:
        return ()
    if word in inflected:
        codes, alone = inflected[word]
        return codes if alone else ()
    for i in range(1, len(word) - COMPOUND_MIN + 1):
        end = word[i:]
        if end in heads or end in inflected:
            return _refined(word[:i], heads.get(end) or inflected[end][0])
    return ()


@lru_cache(maxsize=4096)
def name_to_naf(name: str | None) -> list[tuple[str, float]]:
    """NACE codes read from the sector words of a site's name, best first."""
    norm = _read_words(name)
    if not norm:
        return []
    return list(_read_name(_name_words(norm), bool(NOT_HAZARDOUS.search(norm))))


@lru_cache(maxsize=4096)
def name_sector_words(name: str | None) -> str:
    """The sector words of a site's name as normalised text, the other words one gap ("_") each:
    « Équarrissage Dupont Frères » -> "equarrissage _". What the readers of activity words (process
    scopes, named families, power process) read of a name when it stands for the activity."""
    norm = _read_words(name)
    return " ".join(w or "_" for w in _name_words(norm)) if norm else ""


def _name_words(norm: str) -> tuple[str | None, ...]:
    """The words of a name its reading can use, in order, each run of other words (a number, a
    proper noun: in no known phrase, ending with no compound head) kept as one gap (None), since
    they only keep phrases apart: « Site 1 » and « Site 2 », or 50,000 company names around a few
    sector words, are read once."""
    out: list[str | None] = []
    numbers = _numbers_readable()
    for word in norm.split():
        if (numbers or not word.isdigit()) and _readable(word):
            out.append(word)
        elif not out or out[-1] is not None:
            out.append(None)
    return tuple(out)


@lru_cache(maxsize=1 << 13)
def _readable(word: str) -> bool:
    return _stem(word) in _phrase_stem_index() or bool(_compound_codes(word))


@lru_cache(maxsize=1)
def _numbers_readable() -> bool:
    """Whether a number can be read (a phrase word or a compound head made of digits; none today):
    if not, a number in a name is a gap without a look at the word caches (a region's names hold
    tens of thousands of distinct numbers; a number is its own stem)."""
    return any(w.isdigit() for w in _phrase_stem_index()) or any(h.isdigit() for h in _heads_by_word())


@lru_cache(maxsize=1 << 14)
def _read_name(words: tuple[str | None, ...], not_hazardous: bool) -> tuple[tuple[str, float], ...]:
    phrases = _phrases()
    norm = None if None in words else " ".join(words)  # a gap: not a known phrase as a whole
    # Exact words only: a person's name is not a misspelt trade ("Clément" is not "ciment").
    if norm in phrases:
        found = {c: 1.0 for c in phrases[norm]}
    else:
        found = _hits_in(tuple(_stem(w) if w else "" for w in words), fuzzy=False)
    for word in words:
        for code in _compound_codes(word) if word else ():
            found[code] = max(found.get(code, 0.0), 0.85)
    if not_hazardous:
        found = {c: v for c, v in found.items() if not c.startswith(HAZARDOUS_WASTE_CODES)}
    return tuple(sorted(((c, round(v * NAME_FACTOR, 3)) for c, v in found.items()), key=lambda t: (-t[1], t[0])))


NOT_HAZARDOUS = re.compile(r"\b(?:non|not|nicht) (?:dangereu\w*|hazardous|gefahrlich\w*)\b")
HAZARDOUS_WASTE_CODES = ("38.12", "38.22")


def _activity_to_naf(norm: str) -> list[tuple[str, float]]:
    phrases = _phrases()
    if norm in phrases:
        return [(c, 1.0) for c in phrases[norm]]
    found = _phrase_hits(norm)
    if found:
        return sorted(found.items(), key=lambda t: (-t[1], t[0]))
    hits = _index().search(norm, k=3)
    if not hits:
        return []
    top, coverage = hits[0][1], hits[0][2]
    base = 0.15 + 0.45 * coverage  # a phrase only half found in the notes stays a weak guess
    return [(code, round(base * s / top, 3)) for code, s, _ in hits if s >= 0.6 * top]
