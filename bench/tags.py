"""``python -m bench.tags``: topic-tag suggestions from the user's history vs. baselines.

5-fold cross-validation (fixed seed) on the dev corpus of notes, topic tags only
(``kind`` topic in the corpus vocabulary).  Micro precision / recall / F1 at
k = 3, 5, 8 for :class:`summarizer.tags.suggest.TagSuggester`, two baselines

* kNN: TF-IDF (word 1-2 grams) cosine, similarity-weighted votes of 10 neighbours;
* SVM: a LinearSVC per tag over TF-IDF, ranked by decision function
  (the arxiv-sanity-lite recipe),

and an ablation of the suggester: each signal removed, and the corpus vocabulary
(names only) instead of the shipped one (the same names plus our aliases and
descriptions).  Also milliseconds per suggestion after fitting, and how well the
scores are calibrated (mean score vs. observed rate per score bin).  Skipped, with
a message, when the corpus is absent.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

from summarizer.tags.history import HistoryItem, load_history
from summarizer.tags.suggest import DEFAULT_SIGNALS, SIGNALS, TagSuggester
from summarizer.tags.vocabulary import Vocabulary, load_vocabulary

CORPUS = Path(os.environ.get("SUMMARIZER_CORPUS", "/work/shared/corpus"))
KS = (3, 5, 8)
SEED = 0
FOLDS = 5

Ranker = Callable[[str, str], list[str]]
Fitter = Callable[[list[HistoryItem], Vocabulary], Ranker]


def fit_suggester(
    signals: Sequence[str] = DEFAULT_SIGNALS, *, vocabulary_override: Vocabulary | None = None
) -> Fitter:
    def fit(train: list[HistoryItem], vocabulary: Vocabulary) -> Ranker:
        used = vocabulary_override or vocabulary
        suggester = TagSuggester(signals=signals).fit(train, used)
        return lambda title, abstract: [
            t for t, _ in suggester.suggest(title, abstract, top_k=max(KS))
        ]

    return fit


def _topic_labels(train: list[HistoryItem], vocabulary: Vocabulary) -> tuple[list[str], np.ndarray]:
    tags = vocabulary.names("topic")
    index = {t: i for i, t in enumerate(tags)}
    y = np.zeros((len(train), len(tags)))
    for row, item in enumerate(train):
        for tag in vocabulary.filter(item.tags, kind="topic"):
            y[row, index[tag]] = 1
    return tags, y


def fit_knn(train: list[HistoryItem], vocabulary: Vocabulary) -> Ranker:
    tags, y = _topic_labels(train, vocabulary)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    docs = vectorizer.fit_transform([item.text for item in train])

    def rank(title: str, abstract: str) -> list[str]:
        sims = (docs @ vectorizer.transform([f"{title}\n{abstract}"]).T).toarray().ravel()
        top = np.argsort(-sims, kind="stable")[:10]
        votes = sims[top] @ y[top]
        order = np.argsort(-votes, kind="stable")
        return [tags[j] for j in order[: max(KS)] if votes[j] > 0]

    return rank


def fit_svm(train: list[HistoryItem], vocabulary: Vocabulary) -> Ranker:
    tags, y = _topic_labels(train, vocabulary)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x = vectorizer.fit_transform([item.text for item in train])
    models: list[tuple[int, LinearSVC]] = []
    for j in range(len(tags)):
        if 0 < y[:, j].sum() < len(train):
            svm = LinearSVC(C=0.1, class_weight="balanced", tol=1e-6, max_iter=10000)
            models.append((j, svm.fit(x, y[:, j])))

    def rank(title: str, abstract: str) -> list[str]:
        v = vectorizer.transform([f"{title}\n{abstract}"])
        scores = {j: float(svm.decision_function(v)[0]) for j, svm in models}
        order = sorted(scores, key=lambda j: (-scores[j], tags[j]))
        return [tags[j] for j in order[: max(KS)]]

    return rank


def evaluate(
    fitter: Fitter, items: list[HistoryItem], vocabulary: Vocabulary
) -> tuple[dict[int, tuple[float, float, float]], float]:
    """Micro P/R/F1 at each k, and ms per suggestion (mean over all test notes)."""
    hits = dict.fromkeys(KS, 0)
    gold_total = 0
    seconds = 0.0
    folds = KFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_idx, test_idx in folds.split(items):
        rank = fitter([items[i] for i in train_idx], vocabulary)
        for i in test_idx:
            item = items[i]
            gold = set(vocabulary.filter(item.tags, kind="topic"))
            gold_total += len(gold)
            start = time.perf_counter()
            ranked = rank(item.title, item.abstract)
            seconds += time.perf_counter() - start
            for k in KS:
                hits[k] += len(set(ranked[:k]) & gold)
    results = {}
    for k in KS:
        precision = hits[k] / (k * len(items))
        recall = hits[k] / gold_total if gold_total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results[k] = (precision, recall, f1)
    return results, 1000 * seconds / len(items)


def calibration(items: list[HistoryItem], vocabulary: Vocabulary) -> None:
    """Out-of-fold scores of every topic tag against the gold tags, in 5 bins."""
    scores: list[float] = []
    gold: list[bool] = []
    folds = KFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_idx, test_idx in folds.split(items):
        suggester = TagSuggester().fit([items[i] for i in train_idx], vocabulary)
        for i in test_idx:
            tags = set(vocabulary.filter(items[i].tags, kind="topic"))
            for tag, score in suggester.suggest(items[i].title, items[i].abstract, 10_000):
                scores.append(score)
                gold.append(tag in tags)
    s, g = np.array(scores), np.array(gold, dtype=float)
    edges = [0.0, 0.1, 0.3, 0.5, 0.7, 1.0001]
    print("\ncalibration of the suggester's scores (out of fold, every topic tag):")
    print(f"{'score bin':12}{'tags':>8}{'mean score':>12}{'observed':>10}")
    error = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (s >= low) & (s < high)
        if inside.any():
            error += inside.sum() * abs(s[inside].mean() - g[inside].mean())
            print(
                f"{low:.1f}-{min(high, 1.0):.1f}     {inside.sum():8d}"
                f"{s[inside].mean():12.3f}{g[inside].mean():10.3f}"
            )
    print(f"expected calibration error: {error / len(s):.4f}")


def run(corpus: Path = CORPUS, *, ablation: bool = True) -> dict[str, dict[int, tuple]] | None:
    notes, vocab_path = corpus / "notes_dev.jsonl", corpus / "vocabulary.tsv"
    if not notes.exists() or not vocab_path.exists():
        print(f"bench.tags: skipped, no corpus at {corpus} (notes_dev.jsonl, vocabulary.tsv)")
        return None
    items = load_history(notes)
    # The shipped vocabulary has the corpus's names (a test checks it) plus our own
    # aliases and descriptions; the baselines do not read either.
    corpus_vocabulary = load_vocabulary(vocab_path)
    vocabulary = load_vocabulary()
    systems: dict[str, Fitter] = {
        "suggester": fit_suggester(),
        "baseline kNN (TF-IDF, 10 nn)": fit_knn,
        "baseline SVM (LinearSVC/tag)": fit_svm,
    }
    if ablation:
        for signal in SIGNALS:
            if signal in DEFAULT_SIGNALS:
                without = [s for s in DEFAULT_SIGNALS if s != signal]
                systems[f"suggester - {signal}"] = fit_suggester(without)
            else:
                systems[f"suggester + {signal}"] = fit_suggester([*DEFAULT_SIGNALS, signal])
        systems["suggester, corpus vocabulary"] = fit_suggester(
            vocabulary_override=corpus_vocabulary
        )
    print(
        f"{len(items)} notes, {len(vocabulary.names('topic'))} topic tags, "
        f"{FOLDS}-fold CV (seed {SEED}); micro P/R/F1 at k"
    )
    header = f"{'system':32}" + "".join(f"  P@{k}   R@{k}   F1@{k} " for k in KS) + "  ms/paper"
    print(header)
    print("-" * len(header))
    table: dict[str, dict[int, tuple]] = {}
    for name, fitter in systems.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results, ms = evaluate(fitter, items, vocabulary)
        table[name] = results
        cells = "".join(f"  {p:.3f} {r:.3f} {f:.3f}" for p, r, f in results.values())
        print(f"{name:32}{cells}  {ms:8.2f}", flush=True)
    best_baseline = max(table[n][5][2] for n in table if n.startswith("baseline"))
    margin = table["suggester"][5][2] - best_baseline
    print(f"\nF1@5 margin over the better baseline: {margin:+.3f} (target +0.100)")
    calibration(items, vocabulary)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tags", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-ablation", action="store_true")
    args = parser.parse_args(argv)
    run(args.corpus, ablation=not args.no_ablation)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
