"""Benchmark: PDF text extraction, our pipeline against plain pypdf.

    python -m bench.pdf_extract [--dir DIR] [--repeat N] [--parallelism]

For every PDF in ``../shared/fixtures/real/pdfs/`` (next to the repository), in the
same run: the pipeline (:func:`summarizer.papers.pdf_text.extract_pdf`: worker process,
cleaning, sections) and the baseline, plain ``PdfReader(path).pages[i].extract_text()``
over all pages in this process.  Each time is the best of ``--repeat`` runs.  The
"in-proc" column is the same pipeline without the worker process, so "pipeline"
minus "in-proc" is what the killable worker costs.

``--parallelism`` adds the measurements behind the decision not to extract pages
in parallel: the plain pypdf loop split over 2 threads and over 2 forked processes.
"""

from __future__ import annotations

import argparse
import io
import logging
import multiprocessing
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.timing import best_of
from summarizer.papers import pdf_text, pdf_worker

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "fixtures" / "real" / "pdfs"


def _plain_pypdf(data: bytes, part: int = 0, parts: int = 1) -> int:
    """The baseline: every page's extract_text(), nothing else.  Returns characters."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return sum(len(reader.pages[i].extract_text()) for i in range(part, len(reader.pages), parts))


def _in_process(path: Path) -> pdf_text.PdfDocument:
    raw = pdf_worker.extract_raw(str(path), None)
    return pdf_text.build_document(raw, str(path), truncated=False)


def _threads(data: bytes) -> int:
    with ThreadPoolExecutor(2) as pool:
        return sum(pool.map(lambda part: _plain_pypdf(data, part, 2), (0, 1)))


def _processes(data: bytes) -> int:
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return sum(pool.starmap(_plain_pypdf, [(data, 0, 2), (data, 1, 2)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf_extract", description=__doc__)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of PDFs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    parser.add_argument("--parallelism", action="store_true", help="also time 2 threads/procs")
    args = parser.parse_args(argv)

    files = sorted(args.dir.glob("*.pdf")) if args.dir.is_dir() else []
    if not files:
        print(f"skipped: no PDFs in {args.dir} (the real fixtures live in ../shared/)")
        return 0
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # the baseline's warnings: not news

    extra = "  2 threads  2 procs" if args.parallelism else ""
    python = sys.version.split()[0]
    print(f"PDF text extraction, best of {args.repeat}, {os.cpu_count()} CPUs, Python {python}")
    header = (
        f"{'file':<18} {'pages':>5} {'pypdf chars':>11} {'clean chars':>11} "
        f"{'pypdf s':>8} {'pipeline s':>10} {'ratio':>6} {'in-proc s':>9}{extra}"
    )
    print(header)
    print("-" * len(header))
    totals = [0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0]
    for path in files:
        data = path.read_bytes()
        t_base, base_chars = best_of(args.repeat, lambda data=data: _plain_pypdf(data))
        t_pipe, doc = best_of(args.repeat, lambda path=path: pdf_text.extract_pdf(path))
        t_local, _ = best_of(args.repeat, lambda path=path: _in_process(path))
        assert isinstance(doc, pdf_text.PdfDocument)
        assert isinstance(base_chars, int)
        row = [doc.pages, base_chars, doc.char_count, t_base, t_pipe, t_local]
        line = (
            f"{path.name:<18} {doc.pages:>5} {base_chars:>11,} {doc.char_count:>11,} "
            f"{t_base:>8.2f} {t_pipe:>10.2f} {t_pipe / t_base:>6.2f} {t_local:>9.2f}"
        )
        if args.parallelism:
            t_threads, _ = best_of(args.repeat, lambda data=data: _threads(data))
            t_procs, _ = best_of(args.repeat, lambda data=data: _processes(data))
            row += [t_threads, t_procs]
            line += f"  {t_threads:>9.2f} {t_procs:>8.2f}"
        for i, value in enumerate(row):
            totals[i] += value
        print(line, flush=True)
    print("-" * len(header))
    pages, base_chars, clean_chars, t_base, t_pipe, t_local, *par = totals
    line = (
        f"{'total':<18} {pages:>5} {base_chars:>11,} {clean_chars:>11,} "
        f"{t_base:>8.2f} {t_pipe:>10.2f} {t_pipe / t_base:>6.2f} {t_local:>9.2f}"
    )
    if args.parallelism:
        line += f"  {par[0]:>9.2f} {par[1]:>8.2f}"
    print(line)
    print(
        f"worker process overhead: {(t_pipe - t_local) / len(files) * 1000:.0f} ms per file "
        f"(start method here: {pdf_worker.start_method()})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
