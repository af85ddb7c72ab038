"""Topic-tag suggestions learned from the user's own tagged notes (no model calls).

:class:`TagSuggester` combines four kinds of evidence for every topic tag of the
vocabulary, then a learned combiner turns them into one calibrated score:

``knn`` (off by default: see :data:`DEFAULT_SIGNALS`)
    nearest neighbours among the user's notes (TF-IDF word 1-2 grams, cosine),
    similarity-weighted tag votes of the 10 nearest.
``linear``
    a per-tag linear model (one multi-output ridge regression) over TF-IDF word
    1-2 grams and character 2-5 grams, and the tag's rank among the paper's tags
    by that model.
``match``
    the tag's name, aliases and derived aliases written in the title or abstract,
    and how reliable such a match was for this tag in the user's history; plus the
    TF-IDF cosine between the paper and the tag's description, and the share of the
    description's words the paper uses (descriptions help tags whose name a paper
    never writes, such as ``Dataset`` or ``OpenWeight``).
``prior``
    how often the user uses the tag, and co-occurrence with the tags the other
    signals point at (``LanguageModel`` brings ``NLP``).

The combiner (the mean of gradient-boosted trees and a logistic regression over
the signals, both log-loss) is fitted on out-of-fold signals of the history
(5 folds), so its output is a probability estimate in [0, 1].  Everything is
deterministic; the notes' text is analysed once for all folds
(:mod:`summarizer.tags.term_weights`).
Only topic tags of the vocabulary are ever returned: tags in the history that
the vocabulary does not list are dropped when fitting, rejected tags
(``rejected_tags`` of reviewed notes) count as strong negatives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold

from summarizer.tags.combiner import fit_combiners
from summarizer.tags.history import HistoryItem
from summarizer.tags.tag_text import STOP_WORDS, compact, padded, tag_phrases
from summarizer.tags.term_weights import TermCounts, TermWeights, one_thread
from summarizer.tags.vocabulary import Vocabulary

SIGNALS = ("knn", "linear", "match", "prior")
# kNN votes are off by default: on the dev corpus they cost 0.008 F1@5 (bench/tags
# prints the ablation); the dual ridge, a similarity-weighted model over the same
# notes, already carries what the neighbours know.
DEFAULT_SIGNALS = ("linear", "match", "prior")
_NEIGHBOURS = 10
_INNER_FOLDS = 5
_REJECTED_WEIGHT = 3.0
_RIDGE_ALPHA = 1.0


# --- the suggester -----------------------------------------------------------------


@dataclass
class _Base:
    """What the per-tag signals need, fitted on some set of notes."""

    word: TermWeights
    char: TermWeights | None
    doc_vectors: sparse.csr_matrix  # word TF-IDF of the notes, L2-normalised
    labels: np.ndarray  # notes x tags, 1 = tagged
    char_vectors: sparse.csr_matrix | None  # char TF-IDF of the notes
    dual: np.ndarray | None  # linear-kernel ridge: notes x tags dual coefficients
    label_means: np.ndarray
    counts: np.ndarray  # how many notes carry each tag
    cooc: np.ndarray  # P(tag j | tag i) with a little smoothing, diagonal 0
    reliability: np.ndarray  # P(tag | its name matched), smoothed
    n_docs: int


class TagSuggester:
    """Learns topic tags from a user's history; see the module docstring."""

    def __init__(
        self, *, signals: Sequence[str] = DEFAULT_SIGNALS, use_char_ngrams: bool = True
    ) -> None:
        unknown = set(signals) - set(SIGNALS)
        if unknown:
            raise ValueError(f"unknown signals {sorted(unknown)}; known: {SIGNALS}")
        self.signals = tuple(s for s in SIGNALS if s in signals)
        self.use_char_ngrams = use_char_ngrams
        self.tags: list[str] = []
        self._fitted = False

    # --- fitting ---------------------------------------------------------------

    def fit(self, history: Sequence[HistoryItem], vocabulary: Vocabulary) -> TagSuggester:
        self.tags = vocabulary.names("topic")
        self.vocabulary_fingerprint = vocabulary.fingerprint()
        index = {tag: i for i, tag in enumerate(self.tags)}
        by_name = {tag.name: tag for tag in vocabulary}
        self._phrases = [tag_phrases(t, by_name[t].aliases) for t in self.tags]
        self._descriptions = [by_name[t].description for t in self.tags]
        self._fit_descriptions([item.text for item in history])
        texts = [item.text for item in history]
        labels = np.zeros((len(history), len(self.tags)), dtype=np.float64)
        rejected = np.zeros_like(labels, dtype=bool)
        for row, item in enumerate(history):
            for tag in vocabulary.filter(item.tags, kind="topic"):
                labels[row, index[tag]] = 1.0
            for tag in vocabulary.filter(item.rejected, kind="topic"):
                if labels[row, index[tag]] == 0:
                    rejected[row, index[tag]] = True
        self._n_history = len(history)
        with one_thread():
            self._fit_signals(texts, labels, rejected)
        self._fitted = True
        return self

    def _fit_signals(self, texts: list[str], labels: np.ndarray, rejected: np.ndarray) -> None:
        descriptions = self._description_features(texts)
        matches = [
            self._match_features(text, described)
            for text, described in zip(texts, descriptions, strict=True)
        ]
        counts = TermCounts.of(texts, chars=self.use_char_ngrams) if texts else None

        # Out-of-fold signals for the combiner, then the base signals on everything.
        rows: list[np.ndarray] = []
        targets: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        if counts is not None and len(texts) >= 4:
            folds = KFold(n_splits=min(_INNER_FOLDS, len(texts)), shuffle=True, random_state=0)
            for train, test in folds.split(texts):
                base = self._fit_base(counts, train, labels[train], [matches[i] for i in train])
                words = base.word.weigh(counts.word[test])
                chars = base.char.weigh(counts.char[test]) if base.char is not None else None
                for row, i in enumerate(test):
                    char = chars[row] if chars is not None else None
                    rows.append(self._features(base, words[row], char, matches[i]))
                    targets.append(labels[i])
                    weights.append(np.where(rejected[i], _REJECTED_WEIGHT, 1.0))
        self._base = self._fit_base(counts, np.arange(len(texts)), labels, matches)
        self._combiners: list[Any] = []
        if rows:
            x = np.vstack(rows)
            y = np.concatenate(targets)
            w = np.concatenate(weights)
            if 0 < y.sum() < len(y):
                self._combiners = fit_combiners(x, y, w)

    def _fit_descriptions(self, texts: list[str]) -> None:
        """TF-IDF profiles of the tags' descriptions (with name and aliases).

        Fitted on the history and the descriptions together, so a word common in the
        user's notes ("model", "task") weighs little and a telling one ("benchmark",
        "on-device") much.  Tags without a description get an empty profile.
        """
        profiles = [
            f"{' '.join(phrases)} {description}" if description else ""
            for phrases, description in zip(self._phrases, self._descriptions, strict=True)
        ]
        self._description_vectors = None
        if not any(profiles):
            return
        self._profile_words = TfidfVectorizer(
            stop_words=STOP_WORDS, sublinear_tf=True, preprocessor=padded, dtype=np.float64
        ).fit([*texts, *profiles])
        self._description_vectors = self._profile_words.transform(profiles)
        # Which words each description has, and how many: fixed once fitted.
        self._description_words = (self._description_vectors > 0).astype(np.float64)
        self._description_sizes = np.asarray(self._description_words.sum(axis=1)).ravel()

    def _description_features(self, texts: list[str]) -> np.ndarray:
        """Per text and tag: [cosine to the description profile, share of its words
        in the text] (texts x 2 x tags), all texts in one pass."""
        out = np.zeros((len(texts), 2, len(self.tags)))
        if self._description_vectors is None or not texts:
            return out
        vectors = self._profile_words.transform(texts)
        out[:, 0] = (vectors @ self._description_vectors.T).toarray()
        in_text = (vectors > 0).astype(np.float64)
        covered = (in_text @ self._description_words.T).toarray()
        sizes = self._description_sizes
        out[:, 1] = np.divide(covered, sizes, out=np.zeros_like(covered), where=sizes > 0)
        return out

    def _fit_base(
        self, counts: TermCounts | None, rows: np.ndarray, labels: np.ndarray, matches: list
    ) -> _Base:
        """The signals' state learned from the notes ``rows`` of ``counts``."""
        n = len(rows)
        word = docs = char = char_vectors = dual = None
        if counts is not None and n:
            word = TermWeights(counts.word_counter, counts.word[rows], min_df=1)
            docs = word.weigh(counts.word[rows])
        label_means = labels.mean(axis=0) if n else np.zeros(len(self.tags))
        if "linear" in self.signals and docs is not None and labels.sum() > 0:
            # Ridge regression per tag in its dual form (a few hundred notes, many
            # features): one small solve for all tags at once.
            kernel = (docs @ docs.T).toarray()
            if counts.char is not None:
                train = counts.char[rows]
                char = TermWeights(counts.char_counter, train, min_df=2 if n > 20 else 1)
                char_vectors = char.weigh(train)
                kernel += (char_vectors @ char_vectors.T).toarray()
            dual = np.linalg.solve(kernel + _RIDGE_ALPHA * np.eye(n), labels - label_means)
        counts = labels.sum(axis=0)
        together = labels.T @ labels
        cooc = together / (counts[:, None] + 1.0)
        np.fill_diagonal(cooc, 0.0)
        matched = np.array([m[0] for m in matches]).reshape(len(matches), len(self.tags))
        hits = (matched * labels).sum(axis=0)
        seen = matched.sum(axis=0)
        overall = (hits.sum() + 1.0) / (seen.sum() + 2.0)
        reliability = (hits + 2.0 * overall) / (seen + 2.0)
        return _Base(
            word,
            char,
            docs,
            labels,
            char_vectors,
            dual,
            label_means,
            counts,
            cooc,
            reliability,
            n,
        )

    # --- signals --------------------------------------------------------------------

    def _match_features(self, text: str, described: np.ndarray) -> np.ndarray:
        """Per tag: [in title/abstract (0/1), mentions (log), in title (0/1), word overlap,
        description cosine, description word share], the last two ``described``."""
        title = text.partition("\n")[0]
        padded_title, padded_all = padded(title), padded(text)
        compact_all = compact(text)
        words = set(padded_all.split())
        out = np.zeros((4, len(self.tags)))
        for j, phrases in enumerate(self._phrases):
            count = 0
            in_title = 0.0
            overlap = 0.0
            for phrase in phrases:
                needle = f" {phrase} "
                n = padded_all.count(needle)
                if n == 0 and " " in phrase and len(phrase) >= 8:
                    # "In-ContextLearning" written "in context learning" or "incontext".
                    n = compact_all.count(phrase.replace(" ", ""))
                count += n
                if n and needle in padded_title:
                    in_title = 1.0
                parts = phrase.split()
                if len(parts) > 1:
                    overlap = max(overlap, sum(p in words for p in parts) / len(parts))
            out[0, j] = 1.0 if count else 0.0
            out[1, j] = math.log1p(count)
            out[2, j] = in_title
            out[3, j] = overlap if not count else 1.0
        return np.vstack([out, described])

    def _features(self, base: _Base, vector: Any, char: Any, match: np.ndarray) -> np.ndarray:
        """tags x features, each column one piece of evidence (0 when its signal is off);
        ``vector``/``char``: the paper's word/char TF-IDF rows as ``base`` weighs them."""
        n = len(self.tags)
        cols: list[np.ndarray] = []
        knn = np.zeros(n)
        knn_max = np.zeros(n)
        if "knn" in self.signals and vector is not None:
            sims = (base.doc_vectors @ vector.T).toarray().ravel()
            top = np.argsort(-sims, kind="stable")[:_NEIGHBOURS]
            weights = sims[top]
            if weights.sum() > 0:
                knn = weights @ base.labels[top] / weights.sum()
                knn_max = (base.labels[top] * weights[:, None]).max(axis=0)
        cols += [knn, knn_max]
        linear = np.zeros(n)
        if "linear" in self.signals and base.dual is not None and vector is not None:
            similarity = (base.doc_vectors @ vector.T).toarray().ravel()
            if base.char is not None and char is not None:
                similarity = similarity + (base.char_vectors @ char.T).toarray().ravel()
            linear = similarity @ base.dual + base.label_means
        cols.append(np.clip(linear, -0.5, 1.5))
        # Where the tag stands among this paper's tags: a top-k list is a choice
        # within one paper, which scores of single (paper, tag) pairs do not see.
        top = linear.max()
        if top > 0:
            order = np.argsort(np.argsort(-linear, kind="stable"), kind="stable")
            cols += [1.0 / (1.0 + order), linear / top]
        else:
            cols += [np.zeros(n)] * 2
        if "match" in self.signals:
            present = match[0]
            cols += [
                present,
                match[1],
                match[2],
                match[3],
                present * base.reliability,
                present * (base.counts == 0),
                match[4],
                match[5],
            ]
        else:
            cols += [np.zeros(n)] * 8
        if "prior" in self.signals and base.n_docs:
            freq = base.counts / base.n_docs
            evidence = np.maximum.reduce([knn, np.clip(linear, 0, 1), match[0] * base.reliability])
            cooc = (evidence[:, None] * base.cooc).max(axis=0)
            cols += [np.log((base.counts + 0.5) / (base.n_docs + 1.0)), freq, cooc]
        else:
            cols += [np.zeros(n)] * 3
        return np.column_stack(cols)

    # --- suggesting -----------------------------------------------------------------

    @property
    def history_size(self) -> int:
        """How many notes it learned from."""
        return self._n_history

    def scores(self, title: str, abstract: str) -> np.ndarray:
        """A score in [0, 1] for every topic tag, in :attr:`tags` order."""
        if not self._fitted:
            raise RuntimeError("TagSuggester.fit() first")
        text = f"{title}\n{' '.join(abstract.split())}"
        match = self._match_features(text, self._description_features([text])[0])
        if self._combiners:
            base = self._base
            with one_thread():
                vector = base.word.transform([text]) if base.word is not None else None
                char = base.char.transform([text]) if base.char is not None else None
                x = self._features(base, vector, char, match)
                return np.mean([c.predict_proba(x)[:, 1] for c in self._combiners], axis=0)
        # Too little history to learn a combination: the tag named in the paper (in
        # full, or some of its words), then how often the user tagged with it.
        frequency = self._base.counts / max(self._base.n_docs, 1)
        return np.clip(0.6 * match[0] + 0.3 * match[3] + 0.1 * frequency, 0, 1)

    def suggest(self, title: str, abstract: str, top_k: int = 8) -> list[tuple[str, float]]:
        """The ``top_k`` best topic tags with their scores, best first."""
        scores = self.scores(title, abstract)
        order = sorted(range(len(self.tags)), key=lambda j: (-scores[j], self.tags[j]))
        return [(self.tags[j], float(scores[j])) for j in order[: max(top_k, 0)]]
