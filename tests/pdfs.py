"""Small PDFs built in code for the pdf_text tests (fictional content only).

fpdf2 (a dev dependency) writes them with its built-in Helvetica, which needs no font
file, so the tests run on a bare CI machine.  Core fonts are Latin-1 only, so the
glyphs real arXiv PDFs contain -- the ``ﬁ``/``ﬂ`` ligatures, symbols that come out
as C1 control characters (U+008D) or Private Use Area code points (U+F8EE) -- are
produced the way pdfTeX produces them: the font's ``/Encoding /Differences`` maps a
spare Latin-1 byte to the glyph names ``/fi``, ``/fl``, ``/uni008D`` and
``/uniF8EE``, and pypdf then extracts exactly those characters.  Write the
placeholders below into the text to get them.
"""

from __future__ import annotations

import io
import re
import zlib
from datetime import UTC, datetime

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

# Latin-1 placeholders, remapped to these glyphs by _remap_glyphs.
FI, FL, C1, PUA = "\xa4", "\xa5", "\xa6", "\xa7"
_GLYPHS = ["/fi", "/fl", "/uni008D", "/uniF8EE"]

STAMP = "arXiv:2506.12345v2  [cs.CL]  14 Jun 2025"
TITLE = "Efficient Retrieval for Tiny Language Models"
AUTHORS = ["Ada Quillfeather", "Bruno Calloway", "Chiara Ventimiglia"]
AFFILIATION = "Institute for Imaginary Computing, Nowhere"
HEADER = "Preprint. Under review."
ABSTRACT = (
    "We study retrieval for language models with fewer than 100M parameters. "
    "Our method improves exact match by 4.2 points on three benchmarks while "
    "cutting latency by 35 ms per query."
)

# Each string is one page; "\n" ends a printed line, so the line breaks (and the
# hyphenated ones) are where the tests expect them.  (size, bold, text) per block.
_PAGE_ONE = [
    (10, True, "Abstract"),
    (10, False, ABSTRACT.replace("three benchmarks while ", "three benchmarks while\n")),
    (11, True, "1 Introduction"),
    (
        10,
        False,
        f"Small models need ef{FI}cient retrieval. In addi-\ntion, they need a "
        f"state-of-the-\nart reranker and a {FL}exible index.\n"
        f"Each row {C1} corresponds to one query {PUA} in the table.",
    ),
    (11, True, "2 Related Work"),
    (10, False, "Dense retrieval is well studied for large models [1]."),
]
_PAGE_TWO = [
    (11, True, "3 Method"),
    (
        10,
        False,
        "We rerank passages with a tiny cross-encoder [2]. The reranker is\ntrained on "
        "synthetic queries.",
    ),
    (11, True, "4 Experiments"),
    (10, False, "On three benchmarks the method improves exact match by 4.2 points."),
    (11, True, "5 Conclusion"),
    (10, False, "Retrieval helps tiny models too."),
    (11, True, "References"),
    (
        10,
        False,
        "[1] A. Writer. Dense Retrieval Revisited. Journal of Examples, 2021.\n"
        "[2] B. Author and C. Person. Tiny Cross-Encoders. In Proceedings of Nothing, 2023.\n"
        "[3] D. Scholar. A Primer on Fictional Benchmarks. Imaginary Press, 2019.",
    ),
]
_PAGE_THREE = [
    (11, True, "A Proofs"),
    (10, False, "The reranker never reads more than twelve passages."),
]


class _Paper(FPDF):
    """A page with a running header, and a page number in the footer."""

    header_text: str | None = HEADER
    page_numbers = True

    def header(self) -> None:
        if self.header_text:
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, self.header_text, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

    def footer(self) -> None:
        if not self.page_numbers:
            return
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, str(self.page_no()), align="C")


def _new_pdf(*, header: str | None = HEADER) -> _Paper:
    pdf = _Paper()
    pdf.header_text = header
    pdf.set_creation_date(datetime(2025, 6, 14, tzinfo=UTC))  # reproducible bytes
    pdf.set_auto_page_break(True, margin=20)
    return pdf


def _write(pdf: FPDF, blocks: list[tuple[int, bool, str]]) -> None:
    for size, bold, text in blocks:
        pdf.set_font("Helvetica", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def _remap_glyphs(data: bytes) -> bytes:
    """Map the placeholder bytes to ligature/C1/PUA glyph names in every font."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    differences = ArrayObject([NumberObject(ord(FI)), *(NameObject(g) for g in _GLYPHS)])
    for page in writer.pages:
        fonts = page["/Resources"]["/Font"]
        for key in fonts:
            font = fonts[key].get_object()
            font[NameObject("/Encoding")] = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Encoding"),
                    NameObject("/BaseEncoding"): NameObject("/WinAnsiEncoding"),
                    NameObject("/Differences"): differences,
                }
            )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def paper_pdf(
    *,
    metadata: bool = True,
    stamp: bool = True,
    header: bool = True,
    meta_title: str = TITLE,
    meta_author: str = ", ".join(AUTHORS),
) -> bytes:
    """A 3-page fake paper: stamp, title, authors, abstract, numbered sections with
    ligatures and hyphenated line breaks, running header, page numbers, References
    and an appendix ("A Proofs") after them.  /Title and /Author can be overridden
    (junk such as "Microsoft Word - x.docx") or left out (``metadata=False``)."""
    pdf = _new_pdf(header=HEADER if header else None)
    if metadata:
        pdf.set_title(meta_title)
        pdf.set_author(meta_author)
    pdf.add_page()
    if stamp:
        with pdf.rotation(90, 10, 200):
            pdf.set_font("Helvetica", size=14)
            pdf.text(10, 200, STAMP)
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, TITLE.replace("Efficient", f"Ef{FI}cient"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    authors = f"{AUTHORS[0]}, {AUTHORS[1]} and {AUTHORS[2]}"
    pdf.multi_cell(0, 6, authors, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, AFFILIATION, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for blocks in (_PAGE_ONE, _PAGE_TWO, _PAGE_THREE):
        if blocks is not _PAGE_ONE:
            pdf.add_page()
        _write(pdf, blocks)
    return _remap_glyphs(bytes(pdf.output()))


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """The fake paper, RC4-128 encrypted (needs no ``cryptography``)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(paper_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner-pw", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png(width: int = 8, height: int = 8) -> bytes:
    """A grey PNG, written by hand so the builder needs no imaging library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def image_only_pdf(pages: int = 2) -> bytes:
    """Pages holding only an image, like a scan without OCR."""
    pdf = _new_pdf(header=None)
    pdf.page_numbers = False  # no text at all
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(_png()), x=20, y=20, w=100)
    return bytes(pdf.output())


def truncated_pdf() -> bytes:
    """The fake paper cut in half, like an interrupted download."""
    data = paper_pdf()
    return data[: len(data) // 2]


def corrupt_page_pdf() -> bytes:
    """Two pages; the second page's content stream will not inflate, so pypdf logs
    a warning and finds no text there."""
    pdf = _new_pdf(header=None)
    for text in ("The first page reads fine.", "The second page is damaged."):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    data = bytearray(pdf.output())
    # fpdf2 writes each page's content stream right after its page object.
    second = [m.end() for m in re.finditer(rb">>\s*stream\r?\n", data)][1]
    data[second : second + 2] = b"\x00\x00"  # break the zlib header, keep every offset
    return bytes(data)


def text_pages_pdf(pages: list[str], *, header: str | None = HEADER) -> bytes:
    """One page per string, with the running header and page numbers."""
    pdf = _new_pdf(header=header)
    for text in pages:
        pdf.add_page()
        _write(pdf, [(10, False, text)])
    return bytes(pdf.output())


HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head>\n"
    b"<body><h1>Access denied</h1><p>Please verify you are a human.</p></body></html>\n"
)
