"""``python -m bench.glossary``: the house glossary learned from the dev corpus.

Prints how many terms are learned from the whole corpus, a fixed random sample of
them for checking by hand, and the sanity check: 5 folds, the glossary learned from
four, the person's own notes of the fifth against it (the terms of each abstract,
:func:`~summarizer.tags.glossary.glossary_for`; the translation renders them all, the
summary only some).  As a floor, the same count for a glossary that keeps every term
in English.  Skipped, with a message, when the corpus is absent.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from summarizer.tags.glossary import adherence, glossary_for, learn_glossary
from summarizer.tags.log_notes import load_log

CORPUS = Path(os.environ.get("SUMMARIZER_CORPUS", "/work/shared/corpus"))
FOLDS = 5
SAMPLE = 40
SEED = 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.glossary", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    path = args.corpus / "notes_dev.jsonl"
    if not path.exists():
        print(f"skipped: no corpus at {path}")
        return 0
    notes = load_log([path])
    started = time.perf_counter()
    glossary = learn_glossary(notes)
    seconds = time.perf_counter() - started
    keep = sum(1 for t in glossary if t.kind == "keep")
    print(
        f"{len(glossary)} terms from {len(notes)} notes ({keep} keep, "
        f"{len(glossary) - keep} translate) in {seconds:.1f} s\n"
    )
    print(f"Sample for checking by hand ({SAMPLE}, seed {SEED}):")
    for term in sorted(random.Random(SEED).sample(glossary, min(SAMPLE, len(glossary))), key=str):
        print(f"  {term.kind:<9} {term.term} -> {term.japanese}  ({term.notes} notes)")

    order = list(range(len(notes)))
    random.Random(SEED).shuffle(order)
    counts = {"translation": [0, 0], "summary": [0, 0], "all-English floor": [0, 0]}
    per_note: list[int] = []
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        learned = learn_glossary([n for i, n in enumerate(notes) if i not in held])
        for i in held:
            terms = glossary_for(notes[i].abstract, learned)
            per_note.append(len(terms))
            for name, text in (
                ("translation", notes[i].translation),
                ("summary", notes[i].summary),
            ):
                followed, total = adherence(text, terms)
                counts[name][0] += followed
                counts[name][1] += total
            floor = [replace(t, kind="keep") for t in terms]
            followed, total = adherence(notes[i].translation, floor)
            counts["all-English floor"][0] += followed
            counts["all-English floor"][1] += total
    print(f"\n{FOLDS}-fold: {sum(per_note) / len(per_note):.1f} glossary terms per abstract")
    print("| the person's own | followed / terms | adherence |")
    print("| --- | ---: | ---: |")
    for name, (followed, total) in counts.items():
        print(f"| {name} | {followed}/{total} | {followed / max(1, total):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
