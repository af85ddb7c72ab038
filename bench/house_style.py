"""``python -m bench.house_style``: drafts measured against the person's own notes.

For ``-n`` notes of ``../shared/corpus/notes_dev.jsonl`` (spread evenly over the
file), the paper's metadata is served by the fake arXiv server and the note is
drafted in abstract mode with the chosen backend (the embedded model by default),
exactly as ``summarize REF --abstract-only`` drafts it, with no reply cache.  The
Translation and Summary are then measured against the house (shared/house-style.md)
and against what the person wrote for the same paper:

* Japanese ratio (:func:`~summarizer.drafting.japanese.japanese_ratio`) of each;
* Chinese-only characters (Han with no Shift-JIS encoding, simplified forms);
* plain endings: the share of the summary's sentence ends in である調/体言止め;
* the summary's length, and whether it is inside the house's middle half (169-240);
* character-bigram F1 of the Summary against the person's summary and of the
  Translation against the person's translation;
* numbers kept: of the numbers the person's summary took from the abstract, the
  share the draft's summary also gives;
* seconds per note, prompt and generated tokens, and ``needs_attention`` flags.

Baselines in the same run: the person's own notes (the house figures) and "the
first 200 characters of the person's translation" as a summary, the floor a
summary must beat to be worth generating.  ``--compare-prompts DIR`` drafts the
same notes a second time with the prompt files of DIR and prints both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from summarizer.drafting.house_style import (
    HouseRange,
    bigram_f1,
    chinese_only_characters,
    numbers,
    plain_share,
)
from summarizer.drafting.japanese import japanese_ratio
from summarizer.tags.glossary import Term, adherence, glossary_for, learn_glossary

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "notes_dev.jsonl"
HOUSE = HouseRange()
BASELINE_PREFIX_CHARS = 200


@dataclass(frozen=True)
class Measured:
    """One note's figures (a draft's, or the person's own for the house row)."""

    arxiv_id: str
    translation_ja: float
    summary_ja: float
    chinese_only: int
    plain: float | None
    summary_chars: int
    in_house_range: bool
    summary_f1: float
    translation_f1: float
    numbers_kept: float | None
    seconds: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    attention: int = 0
    # Glossary terms the paper uses that the translation renders as the house does.
    glossary_followed: int = 0
    glossary_terms: int = 0


def measure(row: dict, translation: str, summary: str, **run: float | int) -> Measured:
    wanted = numbers(row["summary_ja"]) & numbers(row["abstract"])
    return Measured(
        arxiv_id=row["arxiv_id"],
        translation_ja=japanese_ratio(translation),
        summary_ja=japanese_ratio(summary),
        chinese_only=len(chinese_only_characters(translation + summary)),
        plain=plain_share(summary),
        summary_chars=len(summary),
        in_house_range=HOUSE.contains(summary),
        summary_f1=bigram_f1(summary, row["summary_ja"]),
        translation_f1=bigram_f1(translation, row["translation_ja"]),
        numbers_kept=len(wanted & numbers(summary)) / len(wanted) if wanted else None,
        **run,  # type: ignore[arg-type]
    )


def pick_notes(rows: Sequence[dict], count: int) -> list[dict]:
    """``count`` notes spread evenly over the corpus (deterministic)."""
    count = min(count, len(rows))
    return [rows[(i * len(rows)) // count] for i in range(count)]


def section(note: str, heading: str) -> str:
    """The text under ``# {heading} (by …)``, without the list marker and flags."""
    lines = note.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"# {heading}"))
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("# "):
            break
        if line.startswith(">"):  # the "⚠ 要確認" flag line
            continue
        body.append(line.removeprefix("- ").strip())
    return "".join(body).strip()


@contextmanager
def fake_arxiv(rows: Sequence[dict]) -> Iterator[str]:
    """The fake arXiv API serving ``rows``' metadata; yields its API URL."""
    from tests.fakes.arxiv_server import FakeArxivServer, make_entry

    server = FakeArxivServer()
    for row in rows:
        server.add_entry(
            make_entry(
                row["arxiv_id"],
                1,
                row.get("arxiv_title") or _paper_title(row["title"]),
                row["authors"] or ["Anonymous"],
                row["abstract"],
                published=f"{row['issue_date']}T00:00:00Z",
                updated=f"{row['issue_date']}T00:00:00Z",
            )
        )
    with server:
        yield server.api_url


def _paper_title(house_title: str) -> str:
    """The paper's title from the house title line (``[Paper Note] T, A+, …``)."""
    title = house_title.removeprefix("[Paper Note]").strip()
    return title.rsplit(", ", 2)[0] if title.count(", ") >= 2 else title


def draft_all(
    rows: Sequence[dict],
    backend: str,
    prompts: Path | None,
    out: Path,
    overrides: dict[str, object] | None = None,
    glossary: Sequence[Term] = (),
) -> list[Measured]:
    from summarizer.drafting.pipeline import draft_note
    from summarizer.llm import prompts as prompt_files
    from summarizer.settings import load_settings

    if prompts is None:
        os.environ.pop("SUMMARIZER_PROMPTS_DIR", None)
    else:
        os.environ["SUMMARIZER_PROMPTS_DIR"] = str(prompts)
    prompt_files.load_prompt.cache_clear()
    settings = load_settings(
        {"backend": backend, "full_text": False, "cache": False, **(overrides or {})}
    )
    results = []
    for number, row in enumerate(rows, start=1):
        start = time.perf_counter()
        result = draft_note(row["arxiv_id"], settings, out_dir=out, force=True)
        seconds = time.perf_counter() - start
        note = result.path.read_text(encoding="utf-8")
        total = result.sections.usage_table()["total"]
        measured = measure(
            row,
            section(note, "Translation"),
            section(note, "Summary"),
            seconds=seconds,
            input_tokens=total["input_tokens"],
            output_tokens=total["output_tokens"],
            attention=note.count("> ⚠ 要確認"),
        )
        terms = glossary_for(f"{row['title']}\n{row['abstract']}", glossary)
        followed, total = adherence(section(note, "Translation"), terms)
        measured = replace(measured, glossary_followed=followed, glossary_terms=total)
        results.append(measured)
        print(
            f"  [{number}/{len(rows)}] {row['arxiv_id']}: {seconds:.0f} s, "
            f"summary {measured.summary_chars} chars, ja {measured.summary_ja:.2f}, "
            f"F1 {measured.summary_f1:.2f}",
            flush=True,
        )
    return results


def _median(values: Sequence[float | None]) -> float:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else float("nan")


def _mean(values: Sequence[float | None]) -> float:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else float("nan")


def summary_row(name: str, results: Sequence[Measured]) -> list[str]:
    n = len(results)
    seconds = [r.seconds for r in results if r.seconds]
    out_tokens = sum(r.output_tokens for r in results)
    rate = out_tokens / sum(seconds) if seconds else 0.0
    return [
        name,
        f"{_mean([r.translation_ja for r in results]):.2f}",
        f"{_mean([r.summary_ja for r in results]):.2f}",
        str(sum(r.chinese_only for r in results)),
        f"{_mean([r.plain for r in results]) * 100:.0f} %",
        f"{_median([r.summary_chars for r in results]):.0f}",
        f"{sum(r.in_house_range for r in results)}/{n}",
        f"{_mean([r.summary_f1 for r in results]):.3f}",
        f"{_mean([r.translation_f1 for r in results]):.3f}",
        f"{_mean([r.numbers_kept for r in results]) * 100:.0f} %",
        f"{_median(seconds):.0f}" if seconds else "-",
        f"{_median([r.input_tokens for r in results]):.0f}/"
        f"{_median([r.output_tokens for r in results]):.0f}"
        if seconds
        else "-",
        f"{rate:.1f}" if seconds else "-",
        f"{sum(r.attention > 0 for r in results)}/{n}" if seconds else "-",
        _share(sum(r.glossary_followed for r in results), sum(r.glossary_terms for r in results)),
    ]


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole}" if whole else "-"


HEADER = [
    "run",
    "ja trans",
    "ja summ",
    "zh chars",
    "plain ends",
    "summ chars (med)",
    "in 169-240",
    "summ F1",
    "trans F1",
    "numbers kept",
    "s/note (med)",
    "tokens in/out (med)",
    "out tok/s",
    "flagged",
    "glossary kept",
]


def print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, *rows]:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.house_style", description=__doc__)
    parser.add_argument("-n", type=int, default=8, help="notes to draft (default 8)")
    parser.add_argument("--backend", choices=["local", "openai"], default="local")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--compare-prompts", type=Path, metavar="DIR", help="draft again with DIR's prompts"
    )
    parser.add_argument("--json", type=Path, help="also write every note's figures here")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the drafted notes in DIR")
    parser.add_argument(
        "--history",
        action="store_true",
        help="the corpus as the person's history: fixed examples vs examples from the log "
        "(a paper's own note is never its example)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus} (the shared data is not here)")
        return 0
    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines()]
    picked = pick_notes(rows, args.n)
    house = [measure(row, row["translation_ja"], row["summary_ja"]) for row in rows]
    prefix = [
        measure(row, row["translation_ja"], row["translation_ja"][:BASELINE_PREFIX_CHARS])
        for row in picked
    ]
    table = [
        summary_row(f"the person's notes (all {len(rows)})", house),
        summary_row("baseline: translation[:200] as summary", prefix),
    ]
    runs: dict[str, list[Measured]] = {}
    _keep_local_model_weights()
    with tempfile.TemporaryDirectory() as tmp, fake_arxiv(picked) as api_url:
        os.environ.update(
            {
                "SUMMARIZER_ARXIV_API_URL": api_url,
                "SUMMARIZER_ARXIV_INTERVAL": "0",
                # Metadata of the fake server must not reach the user's cache.
                "SUMMARIZER_HOME": str(Path(tmp) / "home"),
            }
        )
        variants: dict[str, tuple[Path | None, dict[str, object]]] = {}
        glossary: list[Term] = []
        if args.history:
            # The history is the corpus without the drafted papers: no paper's own note
            # can be its example or teach its glossary.
            history = Path(tmp) / "history.jsonl"
            drafted = {row["arxiv_id"] for row in picked}
            history.write_text(
                "".join(
                    json.dumps(row, ensure_ascii=False) + "\n"
                    for row in rows
                    if row["arxiv_id"] not in drafted
                ),
                encoding="utf-8",
            )
            glossary = _glossary_of(history)
            log = {"history": history}
            variants["fixed examples"] = (
                None,
                {**log, "examples_from_log": False, "glossary": False},
            )
            variants["examples from the log"] = (
                None,
                {**log, "examples_from_log": True, "glossary": False},
            )
            variants["log examples + glossary"] = (
                None,
                {**log, "examples_from_log": True, "glossary": True},
            )
        else:
            variants["shipped prompts"] = (None, {})
        if args.compare_prompts is not None:
            variants[f"prompts of {args.compare_prompts}"] = (args.compare_prompts, {})
        for name, (prompts, overrides) in variants.items():
            print(f"{name}: {len(picked)} notes with the {args.backend} backend", flush=True)
            out = (args.keep or Path(tmp)) / f"notes-{len(runs)}"
            runs[name] = draft_all(picked, args.backend, prompts, out, overrides, glossary)
            table.append(summary_row(name, runs[name]))
    print()
    print_table(table)
    if args.json is not None:
        args.json.write_text(
            json.dumps({k: [vars(m) for m in v] for k, v in runs.items()}, indent=1) + "\n",
            encoding="utf-8",
        )
    return 0


def _glossary_of(history: Path) -> list[Term]:
    from summarizer.tags.log_notes import load_log

    return learn_glossary(load_log([history]))


def _keep_local_model_weights() -> None:
    """The weights assembled in the user's real folder, for the bench's fresh one."""
    if "SUMMARIZER_LOCAL_MODEL_PATH" in os.environ:
        return
    from summarizer.errors import SummarizerError
    from summarizer.llm.local_model import ensure_gguf
    from summarizer.settings import load_settings

    try:
        path = ensure_gguf(load_settings({}).cache_dir, None)
    except SummarizerError:
        return  # no local extra: the openai backend may still run
    os.environ["SUMMARIZER_LOCAL_MODEL_PATH"] = str(path)


if __name__ == "__main__":
    raise SystemExit(main())
