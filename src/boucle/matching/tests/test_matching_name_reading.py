"""A site's name is read for its sector words the same way, however many names a region holds.

``naf.name_to_naf`` reads each distinct run of useful words once and looks compound heads up by
their endings (a region has 50,000 names). Here it must give exactly the answers of the plain
reading -- every phrase of the table tried against every name, every compound head (German,
Dutch, Nordic, Finnish) against every word -- on a large varied list of names: sector words,
company and place names, compounds, hyphenated towns, « non dangereux », numbers, accents, capitals.
"""

import csv
import random
import re
import unicodedata

from boucle.matching.knowledge import naf

COMMUNES = naf.NAF_LABELS.parents[1] / "geo" / "communes.csv"


FOLD = {"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "œ": "oe", "ı": "i"}
COMPOUND_LANGS = {"de", "nl", "da", "no", "sv", "fi", "ru"}
# the endings of a compound head's inflected forms (German, Dutch and Scandinavian plural and definite forms)
ENDINGS = {"de": ("e", "en", "n"), "nl": ("en", "s", "n"), "sv": ("en", "et", "n", "t", "na"),
           "da": ("en", "et", "n", "t", "e", "ene"), "no": ("en", "et", "n", "t", "e", "ene")}


def _plain_normalise(text: str) -> str:
    text = text.lower()
    for letter, ascii_ in FOLD.items():
        text = text.replace(letter, ascii_)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _plain_stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ing", "ed", "eries", "erie"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            base = word[:-2]
            if suffix == "es" and not (base.endswith(("ss", "x", "z", "ch", "sh")) or (base.endswith("s") and len(base) <= 3)):
                return word[:-1]
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _plain_strip_place_names(text: str) -> str:
    text = naf._HYPHEN_CHAIN.sub(lambda m: " " if naf._is_place_chain(m.group(0)) else m.group(0), text)

    def generic(m):
        head, proper = m.group(1), m.group(2)
        return " " if head.lower() in naf._TOPONYMIC_GENERICS and not naf._known(proper) else m.group(0)
    return naf._CAPITALISED.sub(generic, text)


def _rows() -> list[dict]:
    with (naf.DATA / "activity_phrases.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class PlainReading:
    """The straightforward reading of a name, written from its definition."""

    def __init__(self) -> None:
        self.phrases: dict[str, list[str]] = {}
        self.heads: list[tuple[str, str]] = []
        for row in _rows():
            key = _plain_normalise(row["phrase"])
            if row["lang"] in COMPOUND_LANGS and " " not in key and len(key) >= 5:
                self.heads.append((key, row["naf_code"]))
            if row["phrase"].startswith("-"):  # the end of compounds only
                continue
            # a French noun in -erie is read in the plural too (« Sucreries du Littoral »)
            plural = " ".join(w + "s" if w.endswith("erie") else w for w in key.split())
            for k in dict.fromkeys((key, plural) if row["lang"] == "fr" else (key,)):
                codes = self.phrases.setdefault(k, [])
                if row["naf_code"] not in codes:
                    codes.append(row["naf_code"])
        plurals: dict[str, list[str]] = {}
        for row in _rows():  # Italian, Spanish, Portuguese plurals, never in place of a phrase
            if row["lang"] in ("it", "es", "pt") and not row["phrase"].startswith("-"):
                for k in naf.romance_plural(_plain_normalise(row["phrase"]), row["lang"]):
                    if row["naf_code"] not in plurals.setdefault(k, []):
                        plurals[k].append(row["naf_code"])
        for k, codes in plurals.items():
            self.phrases.setdefault(k, codes)
        head_words = {h for h, _ in self.heads}
        self.inflected: list[tuple[str, str, bool]] = []  # (form, code, read alone)
        for row in _rows():
            key = _plain_normalise(row["phrase"])
            if row["lang"] in ENDINGS and key in head_words:
                for e in ENDINGS[row["lang"]]:
                    if key + e not in head_words and key + e not in self.phrases:
                        self.inflected.append((key + e, row["naf_code"], key in self.phrases))
        self.stems = {p: tuple(_plain_stem(w) for w in p.split()) for p in self.phrases}

    def __call__(self, name: str) -> list[tuple[str, float]]:
        norm = _plain_normalise(_plain_strip_place_names(name))
        if not norm:
            return []
        if norm in self.phrases:
            found = {c: 1.0 for c in self.phrases[norm]}
        else:
            words = tuple(_plain_stem(w) for w in norm.split())
            joined = " " + " ".join(words) + " "
            matched = []
            for phrase, stems in self.stems.items():
                if not stems or (len(stems) == 1 and len(stems[0]) < 4 and stems[0] not in naf.SHORT_WORDS):
                    continue
                if " " + " ".join(stems) + " " in joined:
                    matched.append((frozenset(stems), phrase, 0.9))
                elif all(s in words for s in stems):
                    matched.append((frozenset(stems), phrase, 0.85))
            found = {}
            for stems, phrase, conf in matched:
                if not any(stems < other for other, _, _ in matched):
                    for code in self.phrases[phrase]:
                        found[code] = max(found.get(code, 0.0), conf)
        head_words = {h for h, _ in self.heads}
        forms = {f for f, _, _ in self.inflected}
        for word in norm.split():
            if word in head_words:  # a head itself: read as its phrase only
                continue
            if word in forms:  # an inflected head, read alone unless its head only ends compounds
                codes = [c for f, c, alone in self.inflected if f == word and all(
                    a for f2, _, a in self.inflected if f2 == word)]
            else:
                ends = [h for h in head_words | forms if len(word) > len(h) and word.endswith(h)]
                longest = max(ends, key=len, default=None)  # the compound's meaning is its longest head
                codes = [c for h, c in self.heads if h == longest] or [c for f, c, _ in self.inflected if f == longest]
                codes = list(dict.fromkeys(codes))
                if longest:  # the first word names a finer code inside the head's (« Aluminiumschmelzwerk »)
                    modifier = word[: len(word) - len(longest)]
                    for j in range(len(modifier), 4, -1):
                        finer = [c for c in self.phrases.get(modifier[:j], [])
                                 if any(c != h and c.startswith(h) for h in codes)]
                        if finer:
                            codes = finer
                            break
            for code in codes:
                found[code] = max(found.get(code, 0.0), 0.85)
        if re.search(r"\b(?:non|not|nicht) (?:dangereu\w*|hazardous|gefahrlich\w*)\b", norm):
            found = {c: v for c, v in found.items() if not c.startswith(("38.12", "38.22"))}
        return sorted(((c, round(v * naf.NAME_FACTOR, 3)) for c, v in found.items()), key=lambda t: (-t[1], t[0]))


FIRMS = ["Clément", "Dupont & Fils", "Müller", "Arkema", "Novo Nordisk", "Smith and Sons", "Gebrüder Weiß",
         "ÉTS LEFÈVRE", "Société Nouvelle", "Holding", "GmbH", "SAS", "Ltd", "AG", "S.A.", "Groupe", "n°4", "Lot 12B",
         "Site", "Usine", "Werk", "plant", "Nord", "Süd"]
GLUE = ["de", "du", "la", "des", "sur", "the", "of", "and", "et", "und", "für", "-", "/", "(", ")", ","]
HAZARD = ["déchets non dangereux", "Non-hazardous waste landfill", "nicht gefährliche Abfälle", "not hazardous",
          "déchets dangereux", "hazardous waste treatment", "Sondermüll"]
PREFIXES = ["Heiz", "Nord", "Groß", "Alt", "Süd", "Ost", "West", "Neu", "Kohle", "X"]


def varied_names(n: int = 2500, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    rows = _rows()
    phrases = [r["phrase"] for r in rows]
    heads = [r["phrase"].lstrip("-") for r in rows if r["lang"] in COMPOUND_LANGS and " " not in r["phrase"]]
    with COMMUNES.open(encoding="utf-8") as fh:
        towns = [r["nom"] for r in csv.DictReader(fh)]
    words = sorted({w for p in phrases for w in p.split()})
    names = [f"Site {i}" for i in range(50)] + HAZARD + FIRMS
    names += [p for p in rng.sample(phrases, 300)]
    names += [h.capitalize() for h in heads] + [rng.choice(PREFIXES) + h.lower() for h in heads]
    names += [rng.choice(PREFIXES) + h.lower() + rng.choice(["", "e", "en", " GmbH"]) + " " + rng.choice(towns)
              for h in heads for _ in range(3)]
    makers = [
        lambda: f"{rng.choice(phrases).title()} de {rng.choice(towns)}",
        lambda: f"{rng.choice(FIRMS)} {rng.choice(phrases)}",
        lambda: f"{rng.choice(towns)} {rng.choice(phrases).upper()}",
        lambda: f"{rng.choice(phrases)} {rng.choice(HAZARD)}",
        lambda: f"{rng.choice(PREFIXES)}{rng.choice(heads)} {rng.choice(FIRMS)}",
        lambda: f"Port {rng.choice(towns)} {rng.choice(phrases)}",
        lambda: " ".join(rng.choice([rng.choice(words), rng.choice(words).capitalize(), rng.choice(FIRMS),
                                     rng.choice(GLUE), rng.choice(towns), str(rng.randrange(1000))])
                         for _ in range(rng.randint(1, 6))),
        lambda: "-".join(rng.choice(words + towns) for _ in range(rng.randint(2, 3))) + " " + rng.choice(phrases),
    ]
    while len(names) < n:
        names.append(rng.choice(makers)())
    return names


def test_names_read_as_the_plain_reading_does():
    plain = PlainReading()
    names = varied_names()
    assert sum(bool(plain(n)) for n in names) > len(names) // 3  # the list holds many readable names
    naf.name_to_naf.cache_clear()
    differ = [(n, naf.name_to_naf(n), plain(n)) for n in names if naf.name_to_naf(n) != plain(n)]
    assert not differ, differ[:5]


def test_text_is_folded_as_before():
    for name in varied_names(600, seed=3) + ["Straße", "İzmir", "Œuvre", "ﬁbre", "Ångström", "ÆBLE", "naïve café",
                             "Nordjyllandsværket", "Elektrownia Bełchatów", "Þórshöfn", "Ørsted", "Đakovo"]:
        assert naf.normalise(name) == _plain_normalise(name), name
