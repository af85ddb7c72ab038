"""TF-IDF for the tag suggester's folds, from term counts made once.

Fitting the suggester weighs the same notes' words for every fold of its
cross-validation.  :class:`TermCounts` analyses the notes once (word 1-2 grams,
character 2-5 grams); :class:`TermWeights` then gives, from the rows of a fold,
exactly what ``TfidfVectorizer(sublinear_tf=True, min_df=...)`` fitted on that
fold would (the same terms, idf and L2 rows; scores agree to 1e-13), without
reading the text again: a fit on 163 notes went from 6 analyses to 1.

Numerical libraries run on one thread inside :func:`one_thread`: on a busy
machine OpenMP's waiting threads made a fit 3-4 times slower, not faster.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits


@contextmanager
def one_thread() -> Iterator[None]:
    """OpenMP and BLAS on one thread: the matrices are small, and on a shared
    machine (2 cores, other work running) their spinning threads cost more than
    they bring: 48 s instead of 13 s for a fit on 163 notes."""
    with threadpool_limits(limits=1):
        yield


# --- term weights ---------------------------------------------------------------------


@dataclass
class TermCounts:
    """The history's word 1-2 gram and character 2-5 gram counts, analysed once."""

    word_counter: CountVectorizer
    word: sparse.csr_matrix
    char_counter: CountVectorizer | None
    char: sparse.csr_matrix | None

    @classmethod
    def of(cls, texts: list[str], *, chars: bool) -> TermCounts:
        word_counter = CountVectorizer(ngram_range=(1, 2), stop_words="english")
        word = word_counter.fit_transform(texts).tocsr()
        char_counter = char = None
        if chars:
            char_counter = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))
            char = char_counter.fit_transform(texts).tocsr()
        return cls(word_counter, word, char_counter, char)


class TermWeights:
    """Sublinear TF-IDF, L2-normalised, as ``TfidfVectorizer(sublinear_tf=True,
    min_df=...)`` fitted on some rows of a count matrix weighs any text."""

    def __init__(self, counter: CountVectorizer, train: sparse.csr_matrix, min_df: int) -> None:
        document_frequency = np.bincount(train.indices, minlength=train.shape[1])
        self.counter = counter
        self.keep = np.flatnonzero(document_frequency >= min_df)
        n = train.shape[0]
        self.idf = np.log((1.0 + n) / (1.0 + document_frequency[self.keep])) + 1.0

    def weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Rows of counts (columns of the counter's vocabulary) as TF-IDF vectors."""
        kept = sparse.csr_matrix(counts[:, self.keep], dtype=np.float64)
        kept.data = np.log(kept.data) + 1.0
        return normalize(sparse.csr_matrix(kept.multiply(self.idf)))

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return self.weigh(self.counter.transform(texts))
