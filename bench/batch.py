"""``python -m bench.batch``: a 100-paper ``summarize batch`` against its ideal bound.

The command runs in a subprocess, as a user runs it, against the fake servers: the
chat server answers every call after a fixed latency L (1 s), and arXiv requests are
spaced by the tool's real interval I (``SUMMARIZER_ARXIV_INTERVAL=3``).  The user
directory is fresh, so no reply or metadata is cached.

Ideal bound, for C model calls in flight and N papers, R = ceil(N / 100) metadata
requests and K model calls in all (counted at the fake server):

* abstract only (default): the calls of a paper (translation, summary, tags) are
  independent, so K calls need at least ceil(K / C) * L; and the last metadata
  request cannot start before (R - 1) * I, its papers' calls taking L after it:
  ``ideal = max(ceil(K / C) * L, (R - 1) * I + L)``.
* ``--full-text``: every PDF is an arXiv request too, spaced like the API, so the
  last of the R + N requests starts at (R + N - 1) * I at the earliest and that
  paper's Comment takes L after it:
  ``ideal = max(ceil(K / C) * L, (R + N - 1) * I + L)``.

The wall time includes the command's start-up (Python, LangChain imports, the
chain), which the bound leaves out; it is measured first with a 1-paper batch
and no model latency, and the ratio is printed with and without it.  Prints wall
time, ideal, their ratio and the arXiv requests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.pdfs import paper_pdf

ID_LIST_BATCH = 100  # summarizer.papers.arxiv.ID_LIST_BATCH


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__)
    parser.add_argument("--papers", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per model reply")
    parser.add_argument(
        "--interval", type=float, default=3.0, help="seconds between arXiv requests"
    )
    parser.add_argument("--full-text", action="store_true", help="read every PDF (slow: N * I)")
    return parser.parse_args(argv)


def ideal_seconds(
    *, papers: int, calls: int, concurrency: int, latency: float, interval: float, full_text: bool
) -> float:
    metadata_requests = math.ceil(papers / ID_LIST_BATCH)
    arxiv_requests = metadata_requests + (papers if full_text else 0)
    model_bound = math.ceil(calls / concurrency) * latency
    arxiv_bound = (arxiv_requests - 1) * interval + latency
    return max(model_bound, arxiv_bound)


def run(
    args: argparse.Namespace, papers: int, latency: float, *, full_text: bool
) -> dict[str, float | int | str]:
    with (
        FakeChatServer(latency=latency) as chat,
        FakeArxivServer() as arxiv,
        tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch,
    ):
        default_product_script(chat)
        ids = arxiv.add_generated_papers(papers, pdf=paper_pdf() if full_text else None)
        folder = Path(scratch)
        listing = folder / "reading-list.txt"
        listing.write_text("\n".join(ids) + "\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
        env.update(
            {
                "SUMMARIZER_HOME": str(folder / "home"),
                "OPENAI_BASE_URL": chat.base_url,
                "SUMMARIZER_ARXIV_API_URL": arxiv.api_url,
                "SUMMARIZER_ARXIV_PDF_URL": f"{arxiv.url}/pdf/",
                "SUMMARIZER_ARXIV_INTERVAL": str(args.interval),
                "SUMMARIZER_MODEL_TIMEOUT": "60",
            }
        )
        command = [
            sys.executable,
            "-m",
            "summarizer",
            "batch",
            str(listing),
            "--out",
            str(folder / "notes"),
            "--concurrency",
            str(args.concurrency),
            "--report",
            str(folder / "report.json"),
            "--quiet",
            *([] if full_text else ["--abstract-only"]),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"the batch failed ({done.returncode}): {done.stderr.strip()}")
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        calls = len(chat.chat_payloads)
        arxiv_requests = arxiv.request_count
    ideal = ideal_seconds(
        papers=papers,
        calls=calls,
        concurrency=args.concurrency,
        latency=latency,
        interval=args.interval,
        full_text=full_text,
    )
    return {
        "mode": "full text" if full_text else "abstract only",
        "drafted": report["totals"]["drafted"],
        "calls": calls,
        "arxiv": arxiv_requests,
        "wall": wall,
        "ideal": ideal,
    }


def main(argv: list[str]) -> int:
    args = _parse_args(argv)
    print(
        f"{args.papers} papers, concurrency {args.concurrency}, model latency {args.latency:g} s, "
        f"arXiv interval {args.interval:g} s",
        flush=True,
    )
    # Abstract only: a PDF would add an arXiv interval to the start-up.
    startup = float(run(args, 1, 0.0, full_text=False)["wall"])
    print(f"start-up (a 1-paper batch, no model latency): {startup:.1f} s", flush=True)
    result = run(args, args.papers, args.latency, full_text=args.full_text)
    wall, ideal = float(result["wall"]), float(result["ideal"])
    print(
        f"{'mode':<14} {'drafted':>7} {'model calls':>11} {'arXiv requests':>14} "
        f"{'wall (s)':>9} {'ideal (s)':>9} {'ratio':>6} {'ratio w/o start-up':>18}"
    )
    print(
        f"{result['mode']:<14} {result['drafted']:>7} {result['calls']:>11} "
        f"{result['arxiv']:>14} {wall:>9.1f} {ideal:>9.1f} {wall / ideal:>6.2f} "
        f"{(wall - startup) / ideal:>18.2f}"
    )
    return 0 if result["drafted"] == args.papers else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
