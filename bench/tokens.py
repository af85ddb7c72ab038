"""Benchmark: token counts and budget plans for real papers, against ``len(text)//4``.

    python -m bench.tokens [--dir DIR] [--model M] [--overhead N]

For every PDF in ``../shared/fixtures/real/pdfs/`` (next to the repository): the
tokens of its whole extracted text (:func:`summarizer.papers.pdf_text.extract_pdf` ``.text``)
in the model's encoding and the time to count them (best of 3); in the same run the
baseline, a plain ``len(text) // 4``, and :func:`summarizer.llm.tokens.cheap_estimate`,
each with its error against the real count; and what the default budgets send
(:func:`summarizer.drafting.budget.plan_full_text`): gpt-4o-mini's 12,000 tokens and the
embedded model's 2,500, with ``--overhead`` tokens of prompt (default 1,000: the
summary prompt with its few-shot examples is 962).  "appx" is the part of the text
in appendix sections, which map-reduce sends too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench.timing import best_of
from summarizer.drafting import budget
from summarizer.llm import tokens
from summarizer.llm.backend import LOCAL, SERVER
from summarizer.papers.pdf_text import extract_pdf

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "fixtures" / "real" / "pdfs"
BUDGETS = {
    "12k": SERVER.default_input_tokens,
    "2.5k": LOCAL.default_input_tokens,
}


def _error(estimate: float, real: int) -> str:
    return f"{(estimate - real) / real * 100:+.0f}%" if real else "-"


def _mode(plan: budget.BudgetPlan) -> str:
    return "single" if plan.mode == "single" else f"MR x{len(plan.chunks)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tokens", description=__doc__)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of PDFs")
    parser.add_argument("--model", default="gpt-4o-mini", help="model whose encoding counts")
    parser.add_argument("--overhead", type=int, default=1_000, help="prompt tokens per call")
    args = parser.parse_args(argv)

    files = sorted(args.dir.glob("*.pdf")) if args.dir.is_dir() else []
    if not files:
        print(f"skipped: no PDFs in {args.dir} (the real fixtures live in ../shared/)")
        return 0

    started = time.perf_counter()
    tokenizer = tokens.tokenizer_for(args.model)
    load = time.perf_counter() - started
    exactness = "approximate" if tokenizer.approximate else "exact"
    print(
        f"Token counts for {args.model}: {tokenizer.encoding} ({exactness}), "
        f"built in {load:.2f} s (once per process); prompt overhead {args.overhead} tokens"
    )
    header = (
        f"{'file':<18} {'chars':>7} {'tokens':>7} {'count ms':>8} {'len//4':>7} "
        f"{'estimate':>8} {'appx':>6} {'12k plan':>8} {'12k sent':>8} "
        f"{'2.5k plan':>9} {'2.5k sent':>9} {'plan ms':>7}"
    )
    print(header)
    print("-" * len(header))
    sent: dict[str, list[int]] = {name: [] for name in BUDGETS}
    totals = {"chars": 0, "tokens": 0, "count_s": 0.0}
    for path in files:
        document = extract_pdf(path)
        text = document.text
        count_s, real = best_of(3, lambda text=text: tokenizer.count(text))
        appendix = sum(tokenizer.count(s.text) for s in document.sections if s.name == "appendix")
        plans = {}
        plan_s = 0.0
        for name, max_input in BUDGETS.items():
            started = time.perf_counter()
            plans[name] = budget.plan_full_text(
                document.sections,
                model=args.model,
                max_input_tokens=max_input,
                prompt_overhead_tokens=args.overhead,
                tokenizer=tokenizer,
            )
            plan_s = max(plan_s, time.perf_counter() - started)
            sent[name].append(plans[name].sent_tokens)
        totals["chars"] += len(text)
        totals["tokens"] += real
        totals["count_s"] += count_s
        print(
            f"{path.stem:<18} {len(text):>7} {real:>7} {count_s * 1000:>8.1f} "
            f"{_error(len(text) // 4, real):>7} {_error(tokens.cheap_estimate(text), real):>8} "
            f"{appendix:>6} {_mode(plans['12k']):>8} {plans['12k'].sent_tokens:>8} "
            f"{_mode(plans['2.5k']):>9} {plans['2.5k'].sent_tokens:>9} {plan_s * 1000:>7.0f}"
        )
    print("-" * len(header))
    speed = totals["chars"] / totals["count_s"] / 1e6 if totals["count_s"] else 0.0
    print(f"counting speed: {speed:.1f} M chars/s ({totals['tokens']:,} tokens in all)")
    for name, values in sent.items():
        print(
            f"sent with the {name} budget: median {statistics.median(values):,.0f}, "
            f"max {max(values):,} tokens per paper"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
