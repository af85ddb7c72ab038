"""``python -m bench.related``: related notes from the person's log vs. plain TF-IDF.

Leave-one-out on the dev corpus: each note is the paper, the other notes are the
log.  The gold links are the person's own: notes whose comment writes the title of
another note of the corpus (``関連:`` / ``参考:`` blocks and inline mentions).
Prints recall@1/3 over those links for :class:`summarizer.tags.related.RelatedIndex`
(``blend``) and the plain TF-IDF baseline, and, for the threshold, how the top-3
scores of every note look: share of suggestions that share a topic tag with the
paper (a proxy for "related") and notes left with at least one suggestion, per
threshold.  Skipped, with a message, when the corpus is absent.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections.abc import Sequence
from pathlib import Path

from summarizer.tags.log_notes import LogNote, load_log
from summarizer.tags.related import THRESHOLD, RelatedIndex

CORPUS = Path(os.environ.get("SUMMARIZER_CORPUS", "/work/shared/corpus"))
METHODS = ("tfidf", "blend")
THRESHOLDS = (0.0, 0.10, 0.12, 0.15, 0.18, 0.20, 0.25, 0.30)


def gold_links(notes: Sequence[LogNote]) -> dict[int, set[int]]:
    """note index -> indices of the other corpus notes its comment names by title."""
    keys = [" ".join(n.title.casefold().split()) for n in notes]
    links: dict[int, set[int]] = {}
    for i, note in enumerate(notes):
        comment = " ".join(note.comment.casefold().split())
        linked = {j for j, key in enumerate(keys) if j != i and len(key) > 12 and key in comment}
        if linked:
            links[i] = linked
    return links


def topic_tags(corpus: Path) -> set[str]:
    with (corpus / "vocabulary.tsv").open(encoding="utf-8") as handle:
        return {
            row["label"] for row in csv.DictReader(handle, delimiter="\t") if row["kind"] == "topic"
        }


def jaccard(a: LogNote, b: LogNote, topics: set[str]) -> float:
    x, y = set(a.tags) & topics, set(b.tags) & topics
    return len(x & y) / len(x | y) if x | y else 0.0


def random_overlap(notes: Sequence[LogNote], topics: set[str]) -> float:
    pairs = [(a, b) for i, a in enumerate(notes) for b in notes[i + 1 :]]
    return sum(jaccard(a, b, topics) for a, b in pairs) / len(pairs)


def leave_one_out(
    notes: list[LogNote], method: str
) -> tuple[list[list[tuple[float, int]]], float, float]:
    """Per note, (score, index) of the 3 best other notes; seconds per fit and per query."""
    ranked: list[list[tuple[float, int]]] = []
    fitting = querying = 0.0
    for i, note in enumerate(notes):
        others = [j for j in range(len(notes)) if j != i]
        started = time.perf_counter()
        index = RelatedIndex([notes[j] for j in others], method=method)  # type: ignore[arg-type]
        fitted = time.perf_counter()
        scores = index.scores(note.title, note.abstract)
        querying += time.perf_counter() - fitted
        fitting += fitted - started
        ranked.append(sorted(zip(scores, others, strict=True), key=lambda p: -p[0])[:3])
    return ranked, fitting / len(notes), querying / len(notes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.related", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    path = args.corpus / "notes_dev.jsonl"
    if not path.exists():
        print(f"skipped: no corpus at {path}")
        return 0
    notes = load_log([path])
    links = gold_links(notes)
    n_links = sum(len(v) for v in links.values())
    topics = topic_tags(args.corpus)
    print(f"{len(notes)} notes; {len(links)} link to other corpus notes ({n_links} links)\n")
    print("| method | recall@1 | recall@3 | recall@3 above threshold | fit ms | query ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    results = {}
    for method in METHODS:
        ranked, fit, query = leave_one_out(notes, method)
        results[method] = ranked
        r1 = sum(len({j for _, j in ranked[i][:1]} & gold) for i, gold in links.items())
        r3 = sum(len({j for _, j in ranked[i]} & gold) for i, gold in links.items())
        r3t = sum(
            len({j for s, j in ranked[i] if s >= THRESHOLD} & gold) for i, gold in links.items()
        )
        print(
            f"| {method} | {r1}/{n_links} = {r1 / n_links:.2f} | {r3}/{n_links} = "
            f"{r3 / n_links:.2f} | {r3t}/{n_links} = {r3t / n_links:.2f} | "
            f"{fit * 1000:.0f} | {query * 1000:.1f} |"
        )
    print(
        "\nThreshold (blend): the top-3 suggestions of every note above it; topic overlap ="
        " mean Jaccard of the two notes' topic tags (random pairs: "
        f"{random_overlap(notes, topics):.3f})"
    )
    print("| threshold | suggestions | topic overlap | notes with ≥1 | gold links kept |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for threshold in THRESHOLDS:
        overlaps: list[float] = []
        with_any = gold_kept = 0
        for i, best in enumerate(results["blend"]):
            above = [j for s, j in best if s >= threshold]
            with_any += bool(above)
            overlaps += [jaccard(notes[i], notes[j], topics) for j in above]
            gold_kept += len(set(above) & links.get(i, set()))
        mean = sum(overlaps) / len(overlaps) if overlaps else 0.0
        print(
            f"| {threshold:.2f} | {len(overlaps)} | {mean:.3f} | {with_any}/{len(notes)} | "
            f"{gold_kept}/{n_links} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
