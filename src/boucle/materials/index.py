"""Sparse lexical index of the synonym list, scored in bulk with scipy.

One row per synonym (plus each class's own labels). A query is scored against every row at once
with three signals, all sparse matrix products:

- *phrase*: every token of the synonym occurs in the query ("cendres volantes" inside
  "big bags de cendres volantes"); the score grows with the share of the query it explains,
  weighted by IDF so that "friture" outweighs "usagé";
- *token*: IDF-weighted Dice overlap, for partial matches;
- *bag*: the share of the query covered by all the words of a class taken together, so that
  "scorie LD" finds steel slag although no single synonym holds both words;
- *ngram*: cosine of character 3-gram TF-IDF vectors, for word forms the crude singulariser
  misses ("granule"/"granulé", "desulfuration"/"désulfuration"); only consulted when the word
  signals stay below NGRAM_GATE, which also keeps the batch path fast.

The best row of each class gives the class score. Token IDF is computed over classes rather than
rows so that a word shared by many classes ("déchet", "boue", "waste") counts for little.
"""
from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from .taxonomy import load_classes, load_synonyms
from .text import QUALIFIERS, tokens

PHRASE_BASE, PHRASE_SPAN = 0.55, 0.45
TOKEN_WEIGHT, NGRAM_WEIGHT, BAG_WEIGHT = 0.85, 0.8, 0.8
HEAD_BOOST, EQUIPMENT_MODIFIER = 2.0, 0.5  # see LexicalIndex._boost
# Words that say the form a material comes in, not what it is: pellets and granules are made of
# wood, of any polymer (CN chapter 39, note 6: "granules, flakes and similar bulk forms" are primary
# forms of plastics), of rubber (EN 14243: granulates of end-of-life tyres), of slag or of ore. Next
# to a word that names the material ("plastic pellets", "PET pellets") they count half, and a
# synonym made of them alone (« granulés », "pellets" for wood pellets) is no phrase match; alone
# ("pellets", « granulés ») they still decide.
FORM_WORDS = frozenset("pellet granule granulate regranulate flake regrind crumb".split())
FORM_MODIFIER = 0.5
# Words that say the state or grade of a thing, never what it is made of: a batch is "off-spec",
# « déclassé », « périmé », "unused", "surplus" whatever the material (List of Waste 16 03
# "off-specification batches and unused products", with entries for inorganic and organic wastes
# alike; 02 xx 01/02 03 04/02 05 01 "materials unsuitable for consumption or processing" in every
# food sub-chapter), and « produit »/"product" is the head of any of them. A partial match (word
# overlap, a class's words taken together) must share a word that names a material: « Lactosérum et
# produits déclassés » is whey, not « produits chimiques déclassés » (chemical waste) for the two
# words they share. A synonym made of such words alone, all present, still matches as a phrase.
# Kept as written and as ``tokens`` reads them (« surplus » is the token "surplu").
STATE_WORDS = frozenset(t for w in QUALIFIERS | set("produit product offspec perime expired invendu unsold excedent".split())
                        for t in (w, *tokens(w)))
# "By-product" says what a substance is in law (Directive 2008/98/EC art. 5: a substance resulting
# from a production process whose primary aim is not its production), never what it is made of:
# "refinery by-products", "steel by-products", « sous-produits de raffinerie » are no food or animal
# by-products. Next to another word, its letters are no evidence (the n-gram fallback skips it) and a
# word overlap must share another word (STATE_WORDS); alone, or as a phrase ("animal by-products"),
# it still matches.
STATUS_WORDS = frozenset({"byproduct", "sou"})
STATE_WORDS = STATE_WORDS | STATUS_WORDS
NGRAM_GATE = 0.6  # character n-grams are a fallback, consulted when words explain too little
TYPO_MIN_LEN, TYPO_CUTOFF = 5, 86.0
_COUNT_CODE = 1000.0
FLOOR = 0.15  # scores below this are never reported (see classify.MIN_SCORE)
METHODS = ("exact_synonym", "token", "token", "ngram")  # exact, phrase, dice, ngram

_PARENS = re.compile(r"\(([^)]*)\)")


def _label_variants(label: str) -> list[str]:
    """A class label and, separately, its parenthesised part ("REFIOM", "DIB DAE")."""
    inner = _PARENS.findall(label)
    return [_PARENS.sub(" ", label)] + inner


def char_ngrams(toks: tuple[str, ...], n: int = 3) -> list[str]:
    grams = []
    for t in toks:
        padded = f" {t} "
        grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


@dataclass
class Query:
    bin: sparse.csr_matrix  # (n, V) token presence
    weighted: sparse.csr_matrix  # (n, V) token IDF, head noun boosted
    total: np.ndarray  # (n,) total weight, unknown words included
    grams: sparse.csr_matrix  # (n, G) l2-normalised 3-gram TF-IDF
    named: np.ndarray  # (n,) the label has a known word other than a form word (FORM_WORDS)
    material: sparse.csr_matrix = None  # (n, V) presence of the known words not in STATE_WORDS


@dataclass
class LexicalIndex:
    entry_class: np.ndarray  # (E,) class position of each row, sorted ascending
    entry_text: list[str]  # normalised text of each row (for fuzzy matching)
    class_starts: np.ndarray  # first row of each class, for np.maximum.reduceat
    vocab: dict[str, int]
    idf: np.ndarray  # (V,)
    unknown_idf: float
    entry_bin: sparse.csr_matrix  # (E, V) token presence
    entry_len: np.ndarray  # (E,) number of distinct tokens
    entry_w: np.ndarray  # (E,) sum of token idf
    entry_form_only: np.ndarray  # (E,) the synonym is form words only ("pellets"): see FORM_WORDS
    material_word: np.ndarray  # (V,) 1.0 for a word that is not a state word (STATE_WORDS)
    gram_vocab: dict[str, int]
    gram_idf: np.ndarray
    entry_grams: sparse.csr_matrix  # (E, G) l2-normalised tf-idf
    class_bag: sparse.csr_matrix  # (C, V) token presence in any row of the class
    n_classes: int
    vocab_list: list[str] = field(default_factory=list)
    lexicon: frozenset = frozenset()  # real words we do not index: never "corrected"
    token_lang: dict = field(default_factory=dict)  # word -> 'fr'/'en' if used in one only
    equipment_words: frozenset = frozenset()  # words naming an equipment/service on their own
    _typo_cache: dict = field(default_factory=dict)
    _gram_cache: dict = field(default_factory=dict)

    def correct(self, toks: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        """Replace misspelt words by the closest known word ("ferailles" -> "ferraille")."""
        out, changed = [], False
        for t in toks:
            if t not in self.vocab and t not in self.lexicon and len(t) >= TYPO_MIN_LEN:
                fixed = self._closest(t)
                if fixed is not None:
                    out.append(fixed)
                    changed = True
                    continue
            out.append(t)
        return tuple(out), changed

    def _closest(self, token: str) -> str | None:
        hit = self._typo_cache.get(token, "")
        if hit == "":
            from rapidfuzz import fuzz, process

            found = process.extractOne(token, self.vocab_list, scorer=fuzz.ratio,
                                       score_cutoff=TYPO_CUTOFF)
            hit = found[0] if found else None
            if len(self._typo_cache) > 200_000:  # a huge import of junk must not grow forever
                self._typo_cache.clear()
            self._typo_cache[token] = hit
        return hit

    def _token_grams(self, token: str) -> tuple[np.ndarray, int]:
        """Known 3-gram ids of a token, and how many of its 3-grams are unknown."""
        cached = self._gram_cache.get(token)
        if cached is None:
            ids = [self.gram_vocab.get(g) for g in char_ngrams((token,))]
            known = np.array([k for k in ids if k is not None], dtype=np.int64)
            cached = (known, len(ids) - len(known))
            self._gram_cache[token] = cached
        return cached

    def _boost(self, token: str, head: str | None) -> float:
        """An equipment word decides only as the head noun: "cuve inox" is a tank, but
        "cendres sous chaudière" is ash and "copeaux pour chaudière" are wood chips."""
        if head is None or head not in self.equipment_words:
            return EQUIPMENT_MODIFIER if token in self.equipment_words and token != head else 1.0
        return HEAD_BOOST if token == head else 1.0

    def query_matrices(self, toks_list: list[tuple[str, ...]],
                       heads: list[str | None] | None = None) -> Query:
        """Sparse matrices of a batch of tokenised labels; `heads` are their head nouns."""
        n = len(toks_list)
        heads = heads or [None] * n
        w_rows, w_cols, w_boost, unknown = [], [], [], np.zeros(n)
        named_q = np.zeros(n, dtype=bool)
        g_parts, g_lens, g_unknown = [], np.zeros(n, dtype=np.int64), np.zeros(n)
        for i, toks in enumerate(toks_list):
            named = named_q[i] = any(t in self.vocab and t not in FORM_WORDS for t in toks)
            for t in set(toks):
                j = self.vocab.get(t)
                if j is None:
                    unknown[i] += 1
                else:
                    w_rows.append(i)
                    w_cols.append(j)
                    w_boost.append(self._boost(t, heads[i]) * (FORM_MODIFIER if named and t in FORM_WORDS else 1.0))
            status_only = all(t in STATUS_WORDS for t in toks)
            for t in toks:
                if t in STATUS_WORDS and not status_only:
                    continue
                g, missing = self._token_grams(t)
                g_parts.append(g)
                g_lens[i] += len(g)
                g_unknown[i] += missing
        w_rows = np.asarray(w_rows, dtype=np.int64)
        w_cols = np.asarray(w_cols, dtype=np.int64)
        qbin = sparse.csr_matrix((np.ones(len(w_rows)), (w_rows, w_cols)),
                                 shape=(n, len(self.vocab)))
        qmat = sparse.csr_matrix((self.material_word[w_cols], (w_rows, w_cols)),
                                 shape=(n, len(self.vocab)))
        qmat.eliminate_zeros()
        weights = self.idf[w_cols] * np.asarray(w_boost, dtype=np.float64)
        qwt = sparse.csr_matrix((weights, (w_rows, w_cols)), shape=(n, len(self.vocab)))
        qw = unknown * self.unknown_idf + np.bincount(w_rows, weights, minlength=n)
        g_cols = np.concatenate(g_parts) if g_parts else np.zeros(0, dtype=np.int64)
        g_rows = np.repeat(np.arange(n), g_lens)
        qgram = sparse.csr_matrix((np.ones(len(g_cols)), (g_rows, g_cols)),
                                  shape=(n, len(self.gram_vocab)))  # duplicates summed = tf
        qgram.data *= self.gram_idf[qgram.indices]
        # 3-grams never seen in a synonym still lengthen the query vector: a label that only
        # shares one rare 3-gram with a synonym ("zzqx wvvk" / "WVO") must not look similar.
        norms = np.sqrt(np.asarray(qgram.multiply(qgram).sum(axis=1)).ravel()
                        + g_unknown * self.gram_idf.max() ** 2)
        qgram = sparse.diags(np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0)) @ qgram
        return Query(qbin, qwt, qw, qgram.tocsr(), named_q, qmat)

    def score_entries(self, q: Query):
        """(n, E) entry scores and (n, E) method codes (index into METHODS), dense.

        Used for single labels, where the per-synonym detail explains the match."""
        shared_n = (q.bin @ self.entry_bin.T).toarray()
        shared_w = (q.weighted @ self.entry_bin.T).toarray()
        shared_m = (q.material @ self.entry_bin.T).toarray()
        qw = q.total[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            coverage = np.where(qw > 0, shared_w / qw, 0.0)
            contained = ((shared_n == self.entry_len[None, :]) & (self.entry_len[None, :] > 0)
                         & ~(q.named[:, None] & self.entry_form_only[None, :]))
            phrase = np.where(contained, PHRASE_BASE + PHRASE_SPAN * coverage, 0.0)
            exact = contained & (coverage >= 1.0 - 1e-9)
            phrase = np.where(exact, 1.0, phrase)
            dice = TOKEN_WEIGHT * 2.0 * shared_w / (qw + self.entry_w[None, :])
            dice = np.where(shared_m > 0, dice, 0.0)  # see STATE_WORDS
        words = np.maximum(phrase, dice)
        word_best = np.maximum(self.class_scores(words), self.bag_scores(q))
        gated = word_best.max(axis=1) < NGRAM_GATE
        ngram = np.zeros_like(words)
        if gated.any():
            ngram[gated] = NGRAM_WEIGHT * (q.grams[gated] @ self.entry_grams.T).toarray()
        stacked = np.stack([np.where(exact, 1.0, 0.0), phrase, dice, ngram])
        method = stacked.argmax(axis=0)
        return stacked.max(axis=0), method

    def batch_class_scores(self, q: Query, ngrams: bool = True) -> np.ndarray:
        """(n, C) class scores, same formulas as `score_entries` + `class_scores` but touching
        only the (query, synonym) pairs that share a word or a 3-gram, so 100k labels fit.
        ``ngrams=False``: by words only (what the words say, no letters alike)."""
        n, qw = q.bin.shape[0], q.total
        # One product gives both the shared count and the shared weight: count * 1000 + weight.
        # and a third the count of shared material words (STATE_WORDS): * 1000 ** 2.
        coded = (q.weighted + q.bin * _COUNT_CODE + q.material * _COUNT_CODE ** 2) @ self.entry_bin.T
        coded = coded.tocoo()
        r, e = coded.row, coded.col
        shared_m = np.floor(coded.data / _COUNT_CODE ** 2 + 1e-9)
        rest = coded.data - shared_m * _COUNT_CODE ** 2
        shared_n = np.floor(rest / _COUNT_CODE + 1e-9)
        shared_w = rest - shared_n * _COUNT_CODE
        with np.errstate(divide="ignore", invalid="ignore"):
            coverage = np.where(qw[r] > 0, shared_w / qw[r], 0.0)
            contained = (shared_n == self.entry_len[e]) & ~(q.named[r] & self.entry_form_only[e])
            phrase = np.where(contained, PHRASE_BASE + PHRASE_SPAN * coverage, 0.0)
            phrase = np.where(contained & (coverage >= 1.0 - 1e-9), 1.0, phrase)
            dice = TOKEN_WEIGHT * 2.0 * shared_w / (qw[r] + self.entry_w[e])
            dice = np.where(shared_m > 0, dice, 0.0)  # see STATE_WORDS
        out = np.zeros(n * self.n_classes)
        np.maximum.at(out, r * self.n_classes + self.entry_class[e], np.maximum(phrase, dice))
        out = np.maximum(out.reshape(n, self.n_classes), self.bag_scores(q))
        gated = np.flatnonzero(out.max(axis=1) < NGRAM_GATE) if ngrams else ()
        if len(gated):
            grams = (q.grams[gated] @ self.entry_grams.T).tocoo()
            vals = NGRAM_WEIGHT * grams.data
            keep = vals >= FLOOR  # weak pairs cannot decide a match
            sub = out[gated].ravel()
            np.maximum.at(sub, grams.row[keep] * self.n_classes
                          + self.entry_class[grams.col[keep]], vals[keep])
            out[gated] = sub.reshape(len(gated), self.n_classes)
        return out

    def bag_scores(self, q: Query):
        """(n, C) IDF share of the query found anywhere in each class's vocabulary.

        Only counted when at least two query words are found: for one word, the phrase signal
        already says everything and the bag would tie every class that uses the word."""
        covered = (q.weighted @ self.class_bag.T).toarray()
        n_covered = (q.bin @ self.class_bag.T).toarray()
        m_covered = (q.material @ self.class_bag.T).toarray()
        qw = q.total
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where((qw[:, None] > 0) & (n_covered >= 2) & (m_covered > 0),
                             covered / qw[:, None], 0.0)
        return BAG_WEIGHT * share

    def class_scores(self, entry_scores, bag=None):
        """Best entry per class, or the class bag if it explains more: (n, C)."""
        best = np.maximum.reduceat(entry_scores, self.class_starts, axis=1)
        return best if bag is None else np.maximum(best, bag)


def _token_lang() -> dict[str, str]:
    """Words that occur in French synonyms only, or English ones only (language votes)."""
    seen: dict[str, set[str]] = {}
    for c in load_classes():
        for lang, label in (("fr", c.label_fr), ("en", c.label_en)):
            for t in tokens(label):
                seen.setdefault(t, set()).add(lang)
    for _key, lang, syn in load_synonyms():
        if lang in ("fr", "en"):
            for t in tokens(syn):
                seen.setdefault(t, set()).add(lang)
    return {t: next(iter(langs)) for t, langs in seen.items() if len(langs) == 1}


def _lexicon() -> frozenset:
    """Words of the 842 EWC descriptions (EN + FR): "powder" is a word, not a typo of "power"."""
    from .taxonomy import ewc_descriptions

    words = set()
    for en, fr in ewc_descriptions().values():
        words.update(tokens(en))
        words.update(tokens(fr))
    return frozenset(words)


# Evaluation only (boucle evaluate --strict-vocabulary): synonyms whose words equal these token
# tuples are left out of the index, so a case is judged without vocabulary equal to its labels.
_LEFT_OUT: frozenset = frozenset()


@contextmanager
def synonyms_left_out(labels):
    """Build the index without the synonyms equal to ``labels`` (compared on normalised words)
    while the block runs; the full index comes back after it."""
    global _LEFT_OUT
    previous = _LEFT_OUT
    _LEFT_OUT = frozenset(tokens(label) for label in labels if label)
    lexical_index.cache_clear()
    try:
        yield
    finally:
        _LEFT_OUT = previous
        lexical_index.cache_clear()


@lru_cache(maxsize=1)
def lexical_index() -> LexicalIndex:
    classes = load_classes()
    key_pos = {c.key: i for i, c in enumerate(classes)}
    texts: list[tuple[int, tuple[str, ...]]] = []
    for c in classes:
        for label in (c.label_fr, c.label_en, c.key.replace("_", " ")):
            for variant in _label_variants(label):
                texts.append((key_pos[c.key], tokens(variant)))
    for key, _lang, syn in load_synonyms():
        toks = tokens(syn)
        if toks not in _LEFT_OUT:
            texts.append((key_pos[key], toks))
    uniq = sorted({(ci, t) for ci, t in texts if t})
    entry_class = np.array([ci for ci, _ in uniq], dtype=np.int64)
    entry_toks = [t for _, t in uniq]

    vocab: dict[str, int] = {}
    class_df: dict[str, set[int]] = {}
    for ci, toks in uniq:
        for t in toks:
            vocab.setdefault(t, len(vocab))
            class_df.setdefault(t, set()).add(ci)
    n_classes = len(classes)
    idf = np.zeros(len(vocab))
    for t, j in vocab.items():
        idf[j] = math.log((n_classes + 1) / (len(class_df[t]) + 1)) + 1.0
    rows, cols = [], []
    for e, toks in enumerate(entry_toks):
        for t in set(toks):
            rows.append(e)
            cols.append(vocab[t])
    entry_bin = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                  shape=(len(entry_toks), len(vocab)))
    entry_len = np.asarray(entry_bin.sum(axis=1)).ravel()
    entry_w = entry_bin @ idf

    gram_vocab: dict[str, int] = {}
    gram_df: dict[int, int] = {}
    entry_gram_counts = []
    for toks in entry_toks:
        counts: dict[int, int] = {}
        for g in char_ngrams(toks):
            k = gram_vocab.setdefault(g, len(gram_vocab))
            counts[k] = counts.get(k, 0) + 1
        for k in counts:
            gram_df[k] = gram_df.get(k, 0) + 1
        entry_gram_counts.append(counts)
    n_entries = len(entry_toks)
    gram_idf = np.array([math.log((n_entries + 1) / (gram_df[k] + 1)) + 1.0
                         for k in range(len(gram_vocab))])
    g_rows, g_cols, g_vals = [], [], []
    for e, counts in enumerate(entry_gram_counts):
        ks = np.fromiter(counts, dtype=np.int64)
        vals = np.fromiter(counts.values(), dtype=np.float64) * gram_idf[ks]
        vals /= np.linalg.norm(vals)
        g_rows.extend([e] * len(ks))
        g_cols.extend(ks.tolist())
        g_vals.extend(vals.tolist())
    entry_grams = sparse.csr_matrix((g_vals, (g_rows, g_cols)),
                                    shape=(n_entries, len(gram_vocab)))
    present = np.unique(entry_class)
    if len(present) != n_classes:
        raise ValueError("every class needs at least one label or synonym")
    class_starts = np.searchsorted(entry_class, np.arange(n_classes))
    membership = sparse.csr_matrix(
        (np.ones(n_entries), (entry_class, np.arange(n_entries))), shape=(n_classes, n_entries))
    class_bag = (membership @ entry_bin).tocsr()
    class_bag.data[:] = 1.0
    return LexicalIndex(
        entry_class=entry_class, entry_text=[" ".join(t) for t in entry_toks],
        class_starts=class_starts, vocab=vocab, idf=idf,
        unknown_idf=float(np.percentile(idf, 50)),
        entry_bin=entry_bin,
        entry_len=entry_len, entry_w=entry_w, gram_vocab=gram_vocab, gram_idf=gram_idf,
        entry_form_only=np.array([all(t in FORM_WORDS for t in toks) for toks in entry_toks], dtype=bool),
        material_word=np.array([0.0 if t in STATE_WORDS else 1.0 for t in vocab]),
        entry_grams=entry_grams, class_bag=class_bag, n_classes=n_classes,
        vocab_list=list(vocab), lexicon=_lexicon(), token_lang=_token_lang(),
        equipment_words=frozenset(  # a whole synonym of an equipment class: "cuve", "pompe"
            toks[0] for ci, toks in uniq
            if len(toks) == 1 and classes[ci].kind in ("equipment", "service")),
    )
