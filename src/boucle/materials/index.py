"""Sparse lexical index of the synonym list, scored in bulk with scipy.

One row per synonym (plus each class's own labels). A query is scored against every row at once
with three signals, all sparse matrix products:

- *phrase*: every token of the synonym occurs in the query ("cendres volantes" inside
  "big bags de cendres volantes"); the score grows with the share of the query it explains,
  weighted by IDF so that "friture" outweighs "usagé";
- *token*: IDF-weighted Dice overlap, for partial matches;
- *ngram*: cosine of character 3-gram TF-IDF vectors, for spelling variants and word forms
  the crude singulariser misses ("drèches"/"drêches", "polystyrène"/"polystyrene").

The best row of each class gives the class score. Token IDF is computed over classes rather than
rows so that a word shared by many classes ("déchet", "boue", "waste") counts for little.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from .taxonomy import load_classes, load_synonyms
from .text import tokens

PHRASE_BASE, PHRASE_SPAN = 0.55, 0.45
TOKEN_WEIGHT, NGRAM_WEIGHT = 0.85, 0.8
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
    gram_vocab: dict[str, int]
    gram_idf: np.ndarray
    entry_grams: sparse.csr_matrix  # (E, G) l2-normalised tf-idf
    n_classes: int

    def query_matrices(self, toks_list: list[tuple[str, ...]]):
        """Sparse token-presence and n-gram matrices for a batch of tokenised queries."""
        rows, cols, qw = [], [], np.zeros(len(toks_list))
        g_rows, g_cols, g_vals = [], [], []
        for i, toks in enumerate(toks_list):
            seen = set()
            for t in toks:
                if t in seen:
                    continue
                seen.add(t)
                j = self.vocab.get(t)
                if j is None:
                    qw[i] += self.unknown_idf
                else:
                    rows.append(i)
                    cols.append(j)
                    qw[i] += self.idf[j]
            counts: dict[int, int] = {}
            for g in char_ngrams(toks):
                k = self.gram_vocab.get(g)
                if k is not None:
                    counts[k] = counts.get(k, 0) + 1
            if counts:
                ks = np.fromiter(counts, dtype=np.int64)
                vals = np.fromiter(counts.values(), dtype=np.float64) * self.gram_idf[ks]
                vals /= np.linalg.norm(vals)
                g_rows.extend([i] * len(ks))
                g_cols.extend(ks.tolist())
                g_vals.extend(vals.tolist())
        n = len(toks_list)
        qbin = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(self.vocab)))
        qgram = sparse.csr_matrix((g_vals, (g_rows, g_cols)), shape=(n, len(self.gram_vocab)))
        return qbin, qw, qgram

    def score_entries(self, qbin, qw, qgram):
        """(n, E) entry scores and (n, E) method codes (index into METHODS)."""
        shared_n = (qbin @ self.entry_bin.T).toarray()
        shared_w = (qbin.multiply(self.idf[None, :]).tocsr() @ self.entry_bin.T).toarray()
        cosine = (qgram @ self.entry_grams.T).toarray()
        qw = qw[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            coverage = np.where(qw > 0, shared_w / qw, 0.0)
            contained = (shared_n == self.entry_len[None, :]) & (self.entry_len[None, :] > 0)
            phrase = np.where(contained, PHRASE_BASE + PHRASE_SPAN * coverage, 0.0)
            exact = contained & (coverage >= 1.0 - 1e-9)
            phrase = np.where(exact, 1.0, phrase)
            dice = TOKEN_WEIGHT * 2.0 * shared_w / (qw + self.entry_w[None, :])
        ngram = NGRAM_WEIGHT * cosine
        stacked = np.stack([np.where(exact, 1.0, 0.0), phrase, dice, ngram])
        method = stacked.argmax(axis=0)
        return stacked.max(axis=0), method

    def class_scores(self, entry_scores):
        """Best entry per class: (n, C)."""
        return np.maximum.reduceat(entry_scores, self.class_starts, axis=1)


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
        texts.append((key_pos[key], tokens(syn)))
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
    return LexicalIndex(
        entry_class=entry_class, entry_text=[" ".join(t) for t in entry_toks],
        class_starts=class_starts, vocab=vocab, idf=idf,
        unknown_idf=float(np.percentile(idf, 50)), entry_bin=entry_bin,
        entry_len=entry_len, entry_w=entry_w, gram_vocab=gram_vocab, gram_idf=gram_idf,
        entry_grams=entry_grams, n_classes=n_classes,
    )
