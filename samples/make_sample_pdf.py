"""Build samples/sample-paper.pdf from samples/sample-paper.md (fpdf2, a dev dependency).

    python samples/make_sample_pdf.py [OUT.pdf]

The Markdown is deliberately simple: ``# Title``, an ``Authors:`` line, ``## Heading``
sections and paragraphs separated by blank lines.  The PDF gets /Title and /Author
metadata, a fixed creation date (so rebuilding gives the same bytes with the same
fpdf2), and uses the built-in Helvetica font, so no font file is needed and the text
must stay within Latin-1.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "sample-paper.md"
OUTPUT = HERE / "sample-paper.pdf"


def parse(markdown: str) -> tuple[str, list[str], list[tuple[str, list[str]]]]:
    """Return the title, the authors and the (heading, paragraphs) sections."""
    title, authors = "", []
    sections: list[tuple[str, list[str]]] = []
    for block in (b.strip() for b in markdown.split("\n\n")):
        if block.startswith("# "):
            title = block[2:].strip()
        elif block.startswith("Authors:"):
            authors = [a.strip() for a in block.removeprefix("Authors:").split(",")]
        elif block.startswith("## "):
            sections.append((block[3:].strip(), []))
        elif block:
            sections[-1][1].append(" ".join(block.split()))
    return title, authors, sections


def build(markdown: str) -> bytes:
    """Lay the paper out as a PDF and return its bytes."""
    title, authors, sections = parse(markdown)
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(", ".join(authors))
    pdf.set_creator("summarize samples/make_sample_pdf.py")
    pdf.set_creation_date(datetime(2025, 6, 1, tzinfo=UTC))
    pdf.set_margins(25, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, ", ".join(authors), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for heading, paragraphs in sections:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.ln(2)
    return bytes(pdf.output())


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUTPUT
    out.write_bytes(build(SOURCE.read_text(encoding="utf-8")))
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
