"""``python -m bench.text_sources``: the paper text from LaTeX against pypdf's from the PDF.

Three tables, each from one run:

1. **Source trees** (``tests/latex_trees``: a multi-file tree with ``\\input``, macros
   and a ``.bbl``; one gzipped ``.tex``; a conference main file beside a response
   letter, with ``\\subfile``).  For each, the LaTeX reader's figures, then pypdf's
   (our PDF pipeline, :func:`summarizer.papers.pdf_text.extract_pdf`) on a PDF of the
   *same* paper typeset by fpdf2 from the LaTeX reader's own sections: headings,
   paragraphs, the tables as HTML tables, superscripts as superscripts.  That PDF
   is single-column, ligature-free and has no arXiv stamp, so it flatters pypdf:
   real PDFs are harder (table 3).
2. **Notes with the fake model**: each paper drafted twice, ``--text-source latex``
   and ``--text-source pdf``, against the fake arXiv and chat servers; the fake
   Comment's 実験・結果 cites numbers that only the paper's tables hold.  Counted:
   those numbers the note marks ⚠要確認 (false flags: they are in the paper).
3. **Real arXiv PDFs** (``../shared/fixtures/real/pdfs``, when present): pypdf's
   figures alone (we have no LaTeX source for them).

Figures: sections found (top-level, abstract included), tables recovered as cells
(tables / cells), junk characters per 1,000 (TeX left in the text outside math:
``\\macro`` names, ``{``/``}``, ``<cit.>``/``??``; extraction debris: ``(cid:N)``,
Private Use Area and C1 control characters), characters of text, seconds.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

from summarizer.papers.latex_source import flatten
from summarizer.papers.latex_text import LatexPaper, parse_latex
from summarizer.papers.pdf_text import extract_pdf
from summarizer.papers.tarball import read_source_archive
from tests import latex_trees

ROOT = Path(__file__).resolve().parents[1]
REAL_PDFS = ROOT.parent / "shared" / "fixtures" / "real" / "pdfs"
TREES = {
    "multi-file": latex_trees.multi_file_eprint,
    "single .tex": latex_trees.single_tex_eprint,
    "two candidates": latex_trees.two_candidates_eprint,
}
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
_JUNK = re.compile(r"\\[a-zA-Z@]+|[{}]|<cit\.>|<ref>|\?\?|\(cid:\d+\)|[\ue000-\uf8ff]|[\x80-\x9f]")


def junk_per_1000(text: str) -> float:
    """Characters of junk per 1,000 characters of text (math excepted)."""
    prose = _MATH.sub(" ", text)
    junk = sum(len(match.group()) for match in _JUNK.finditer(prose))
    return 1000 * junk / max(len(text), 1)


def read_latex(eprint: bytes) -> tuple[LatexPaper, float]:
    start = time.perf_counter()
    paper = parse_latex(flatten(read_source_archive(eprint)).text)
    return paper, time.perf_counter() - start


def _typeset_math(tex: str) -> str:
    """Math as a typeset page shows it (HTML for fpdf2): symbols, superscripts."""
    text = tex.strip("$")
    script = r"\{([^}]*)\}|(\\[a-zA-Z]+|\S)"
    text = re.sub(rf"\^(?:{script})", lambda m: f"<sup>{m[1] or m[2]}</sup>", text)
    text = re.sub(rf"_(?:{script})", lambda m: f"<sub>{m[1] or m[2]}</sub>", text)
    for macro, glyph in (("\\times", "×"), ("\\cdot", "·"), ("\\in", "in"), ("\\top", "T")):
        text = text.replace(macro, glyph)
    return re.sub(r"\\[a-zA-Z]+|[{}]", "", text)


def _typeset(line: str) -> str:
    pieces = re.split(r"(\$\$.*?\$\$|\$[^$]*\$)", line)
    return "".join(_typeset_math(p) if p.startswith("$") else html.escape(p) for p in pieces)


def twin_pdf(paper: LatexPaper) -> bytes:
    """The paper typeset from the LaTeX reader's sections (see the module docstring)."""
    from fpdf import FPDF

    parts = [f"<h1>{html.escape(paper.title or '')}</h1>"]
    for section in paper.sections:
        if section.name == "appendix" and "<h2>References</h2>" not in parts:
            # Where a typeset paper has its bibliography (pdf_layout looks for it).
            parts += ["<h2>References</h2>", "<p>P. Lewis et al. Retrieval. 2020.</p>"]
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        rows: list[str] = []
        for line in [*section.text.split("\n"), ""]:
            if " | " in line:
                # fpdf2 has no <sup> in a cell: a superscript comes out flat, as
                # pypdf reads one from a real PDF anyway ("2 × 10-5").
                flat = (re.sub(r"</?su[bp]>", "", _typeset(c)) for c in line.split(" | "))
                cells = "".join(f"<td>{cell}</td>" for cell in flat)
                rows.append(f"<tr>{cells}</tr>")
                continue
            if rows:
                parts.append(f'<table border="1"><tbody>{"".join(rows)}</tbody></table>')
                rows = []
            if line.strip():
                parts.append(f"<p>{_typeset(line)}</p>")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.write_html("".join(parts).replace("−", "-"))
    return bytes(pdf.output())


def _cells(paper: LatexPaper) -> str:
    return f"{len(paper.tables)} / {sum(len(r) for t in paper.tables for r in t.rows)}"


def _row(name: str, reader: str, sections: int, tables: str, text: str, seconds: float) -> str:
    junk = junk_per_1000(text)
    figures = f"{sections:>8} {tables:>13} {junk:>10.2f} {len(text):>7,} {seconds:>6.2f}"
    return f"{name:<16} {reader:<7} {figures}"


def trees_table(workdir: Path) -> dict[str, bytes]:
    """Table 1; returns each tree's twin PDF for table 2."""
    print("1. Source trees: the LaTeX reader against pypdf on a PDF of the same paper")
    head = f"{'sections':>8} {'tables/cells':>13} {'junk/1000':>10} {'chars':>7} {'s':>6}"
    print(f"{'tree':<16} {'reader':<7} {head}")
    twins = {}
    for name, build in TREES.items():
        paper, seconds = read_latex(build())
        print(_row(name, "latex", len(paper.sections), _cells(paper), paper.text, seconds))
        twins[name] = twin_pdf(paper)
        path = workdir / f"{name}.pdf"
        path.write_bytes(twins[name])
        start = time.perf_counter()
        document = extract_pdf(path)
        seconds = time.perf_counter() - start
        print(_row(name, "pypdf", len(document.sections), "0 / 0", document.text, seconds))
    return twins


def notes_table(twins: dict[str, bytes], workdir: Path) -> None:
    """Table 2: full-text notes from LaTeX and from the PDF, with the fake model."""
    from summarizer.drafting.pipeline import draft_note
    from summarizer.settings import Settings
    from tests.fakes.arxiv_server import FakeArxivServer
    from tests.fakes.openai_server import FakeChatServer
    from tests.fakes.product import PRODUCT_COMMENT, default_product_script

    print("\n2. Notes with the fake model: the Comment's numbers that the paper's tables hold,")
    print("   and how many of them the note marks ⚠要確認 (false flags: they are in the paper)")
    print(f"{'tree':<16} {'source':<7} {'table numbers cited':>20} {'false ⚠要確認':>13}")
    comment = {**PRODUCT_COMMENT, "results": latex_trees.TABLE_COMMENT}
    with FakeChatServer() as chat, FakeArxivServer() as arxiv:
        chat.script(
            lambda request: "CommentDraft" in json.dumps(request),
            json.dumps(comment, ensure_ascii=False),
        )
        default_product_script(chat)
        for index, (name, build) in enumerate(TREES.items(), start=1):
            cited = _cited_table_numbers(read_latex(build())[0])
            (paper_id,) = arxiv.add_generated_papers(1, first=index, pdf=twins[name])
            arxiv.add_eprint(paper_id, build())
            for source in ("latex", "pdf"):
                settings = Settings(
                    home=workdir / source,
                    base_url=chat.base_url,
                    api_key="k",  # type: ignore[arg-type]
                    arxiv_api_url=arxiv.api_url,
                    arxiv_pdf_url=f"{arxiv.url}/pdf/",
                    arxiv_interval=0,
                    notes_dir=workdir / source / "notes",
                    text_source=source,
                )
                path = draft_note(paper_id, settings).path
                front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
                flagged = front.get("unsupported_claims", {}).get("comment", [])
                false = [claim for claim in flagged if _value(claim) in cited]
                used = front["full_text"]["source"]
                print(f"{name:<16} {used:<7} {len(cited):>20} {len(false):>13}  {' '.join(false)}")


def _value(claim: str) -> str | None:
    from summarizer.drafting.claims import find_mentions

    mentions = find_mentions(claim, names=False)
    return mentions[0].claim.normalized if mentions else None


def _cited_table_numbers(paper: LatexPaper) -> set[str]:
    """Values the Comment states that are in a cell of this paper's tables."""
    from summarizer.drafting.claims import find_mentions
    from summarizer.drafting.factcheck import check_against_source

    cells = "\n".join(" | ".join(row) for table in paper.tables for row in table.rows)
    in_cells = check_against_source(latex_trees.TABLE_COMMENT, cells).supported
    stated = {m.claim.normalized for m in find_mentions(latex_trees.TABLE_COMMENT, names=False)}
    return {claim.normalized for claim in in_cells if claim.kind == "number"} & stated


def real_pdfs_table(directory: Path) -> None:
    print(f"\n3. Real arXiv PDFs ({directory}): pypdf only, no LaTeX source to compare")
    if not directory.is_dir():
        print("   (absent: skipped)")
        return
    print(f"{'file':<22} {'sections':>8} {'junk/1000':>10} {'chars':>8} {'s':>6}")
    for path in sorted(directory.glob("*.pdf")):
        start = time.perf_counter()
        document = extract_pdf(path)
        seconds = time.perf_counter() - start
        junk = junk_per_1000(document.text)
        figures = f"{len(document.sections):>8} {junk:>10.2f} {len(document.text):>8,}"
        print(f"{path.name:<22} {figures} {seconds:>6.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.text_sources", description=__doc__)
    parser.add_argument("--real", type=Path, default=REAL_PDFS, help="folder of real arXiv PDFs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        twins = trees_table(Path(tmp))
        notes_table(twins, Path(tmp))
    real_pdfs_table(args.real)
    return 0


if __name__ == "__main__":
    sys.exit(main())
