"""``python -m bench.tags_llm``: does the chat model's re-ranking improve the tags?

The same 5-fold split as ``bench.tags``; for the first ``--notes`` test notes
(taken round-robin over the folds, so every fold is represented), the chat model
the settings name (the embedded local model when no server or key is configured,
as in ``make demo``) picks among the suggester's 30 candidates once per note, and
the topic tags are ranked in several ways from the same pick:

* the suggester alone (``--no-llm``);
* suggester scores plus a bonus for the model's picks (``merge_model_choice``),
  for the bonus the product uses and two others;
* the model's picks first, in its order (trusting the model outright).

Prints micro P/R/F1 at k = 3 and 5 for each on the same notes, and the seconds
the model took per paper.  Replies are not cached, so the figures are the model's
own.  Skipped, with a message, when the corpus is absent.
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings
from collections.abc import Callable

from sklearn.model_selection import KFold

from bench.tags import CORPUS, FOLDS, SEED
from summarizer.drafting.chains import make_chains
from summarizer.drafting.tag_chain import (
    CANDIDATES,
    MIN_TAG_SCORE,
    MODEL_PICK_BONUS,
    merge_model_choice,
)
from summarizer.llm.models import make_chat_model, model_errors, model_label
from summarizer.settings import load_settings
from summarizer.tags.history import HistoryItem, load_history
from summarizer.tags.suggest import TagSuggester
from summarizer.tags.vocabulary import Vocabulary, load_vocabulary

KS = (3, 5)


def _picked(items: list[HistoryItem], notes: int) -> list[tuple[list[int], int]]:
    """(training rows, test row) for ``notes`` test notes, round-robin over the folds."""
    folds = list(KFold(n_splits=FOLDS, shuffle=True, random_state=SEED).split(items))
    rounds = itertools.zip_longest(*(list(test) for _, test in folds))
    picked: list[tuple[list[int], int]] = []
    for row in rounds:
        for fold, test_row in enumerate(row):
            if test_row is not None and len(picked) < notes:
                picked.append((list(folds[fold][0]), int(test_row)))
    return picked


def _scores(hits: dict[int, int], gold: int, notes: int) -> str:
    cells = []
    for k in KS:
        precision = hits[k] / (k * notes)
        recall = hits[k] / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        cells.append(f"  {precision:.3f} {recall:.3f} {f1:.3f}")
    return "".join(cells)


def run(notes: int) -> int:
    notes_path, vocab_path = CORPUS / "notes_dev.jsonl", CORPUS / "vocabulary.tsv"
    if not notes_path.exists() or not vocab_path.exists():
        print(f"bench.tags_llm: skipped, no corpus at {CORPUS}")
        return 0
    items = load_history(notes_path)
    vocabulary: Vocabulary = load_vocabulary()
    settings = load_settings({"cache": False})
    model = make_chat_model(settings)
    label = model_label(model, settings)
    picked = _picked(items, notes)
    suggesters: dict[tuple[int, int], TagSuggester] = {}
    rankers: dict[str, Callable[[list[tuple[str, float]], list[str]], list[str]]] = {
        "suggester alone (--no-llm)": lambda ranked, chosen: merge_model_choice(ranked, [], 8),
        **{
            f"+ model pick bonus {bonus:g}{' (used)' if bonus == MODEL_PICK_BONUS else ''}": (
                lambda ranked, chosen, bonus=bonus: merge_model_choice(
                    ranked, chosen, 8, bonus=bonus
                )
            )
            for bonus in sorted({0.05, MODEL_PICK_BONUS, 0.3})
        },
        "model's picks first": _model_first,
    }
    hits = {name: dict.fromkeys(KS, 0) for name in rankers}
    gold_total = 0
    seconds = 0.0
    print(f"{len(picked)} notes, model {label}; one pick per note, ranked several ways")
    with model_errors(settings), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for train, test_row in picked:
            key = (train[0], len(train))  # one suggester per fold
            if key not in suggesters:
                suggesters[key] = TagSuggester().fit([items[i] for i in train], vocabulary)
            chain = make_chains(settings, model, vocabulary, suggester=suggesters[key]).draft
            item = items[test_row]
            gold = set(vocabulary.filter(item.tags, kind="topic"))
            gold_total += len(gold)
            ranked = suggesters[key].suggest(item.title, item.abstract, top_k=CANDIDATES)
            start = time.perf_counter()
            inputs = {"title": item.title, "abstract": item.abstract}
            chosen = chain.choose_among(inputs, [tag for tag, _ in ranked]).tags
            seconds += time.perf_counter() - start
            for name, rank in rankers.items():
                tags = rank(ranked, chosen)
                for k in KS:
                    hits[name][k] += len(set(tags[:k]) & gold)
    print(f"{'ranking':34}" + "".join(f"  P@{k}   R@{k}   F1@{k} " for k in KS))
    for name in rankers:
        print(f"{name:34}{_scores(hits[name], gold_total, len(picked))}")
    print(f"model pick: {seconds / max(len(picked), 1):.1f} s per paper")
    return 0


def _model_first(ranked: list[tuple[str, float]], chosen: list[str]) -> list[str]:
    """The model's picks in its order, then the suggester's confident tags."""
    confident = [tag for tag, score in ranked if score >= MIN_TAG_SCORE]
    candidates = {tag for tag, _ in ranked}
    first = [tag for tag in chosen if tag in candidates]
    return [*first, *(tag for tag in confident if tag not in first)][:8]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tags_llm", description=__doc__)
    parser.add_argument("--notes", type=int, default=20, help="test notes to re-rank")
    args = parser.parse_args(argv)
    return run(args.notes)


if __name__ == "__main__":
    raise SystemExit(main())
