"""PDF to clean text: each cleaning step, every failure kind, and the real arXiv PDFs."""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import sys
import time
from pathlib import Path

import pytest

from summarizer.errors import EXIT_BAD_INPUT
from summarizer.papers import pdf_text, pdf_worker
from summarizer.papers.pdf_clean import (
    clean_page_text,
    dehyphenate,
    remove_arxiv_stamp,
    remove_running_lines,
)
from summarizer.papers.pdf_text import (
    EncryptedPdfError,
    ImageOnlyPdfError,
    MalformedPdfError,
    PdfDocument,
    PdfTextError,
    PdfTimeoutError,
    Section,
    canonical_section_name,
    extract_pdf,
    find_abstract,
    find_sections,
    split_references,
)
from tests import pdfs

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
REAL = ROOT.parent / "shared" / "fixtures" / "real" / "pdfs"
AWKWARD = REAL / "awkward"


@pytest.fixture(scope="module")
def paper() -> PdfDocument:
    return extract_pdf(pdfs.paper_pdf())


# --- character cleaning -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ﬁne-tuning the eﬃcient ﬂow", "fine-tuning the efficient flow"),  # ligatures (NFKC)
        ("each row \x8d corresponds", "each row corresponds"),  # C1 control (2206.10883)
        ("bracket \uf8ee\uf8f0 glyphs", "bracket glyphs"),  # Private Use Area (1111.2011)
        ("Universit´e de Montr´eal", "Université de Montréal"),  # pdfTeX's detached accents
        ("Z. Teˇsanovi´c and M. M¨uller", "Z. Tešanović and M. Müller"),
        ("ｆｕｌｌ\u3000width", "full width"),  # NFKC folds full-width forms
        ("  a \t b\u00a0c  \r\nnext", "a b c\nnext"),  # spaces, NBSP, CRLF
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("para\n\n\n\nnext\n", "para\n\nnext"),  # blank lines squeezed
        ("soft\u00adhy\u00ad\nphen", "softhy-\nphen"),  # a soft hyphen at a line end is a break
    ],
)
def test_clean_page_text(raw: str, clean: str) -> None:
    assert clean_page_text(raw) == clean


# --- de-hyphenation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("an addi-\ntion to it", "an addition\nto it"),
        ("the addi-\ntion.\nNext", "the addition.\nNext"),  # punctuation follows the word up
        ("a state-of-the-\nart model", "a state-of-the-art\nmodel"),  # compound chain: keep
        ("pre-\ntrained, as pre-trained models", "pre-trained,\nas pre-trained models"),
        ("the data-\nset; this dataset", "the dataset;\nthis dataset"),  # joined form is used
        ("task-\nspecific: a task is specific", "task-specific:\na task is specific"),
        ("GPT-\n3 and BERT-\nBase", "GPT-3\nand BERT-Base"),  # uppercase or digit: real hyphen
        ("end of line -\nnot a word break", "end of line -\nnot a word break"),
        ("addi-\ntion\nnext", "addition\nnext"),  # no empty line left behind
    ],
)
def test_dehyphenate(raw: str, joined: str) -> None:
    assert dehyphenate(raw) == joined


# --- running headers, footers, page numbers ---------------------------------------


WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]


def _body(n: int) -> str:
    return "\n".join(f"{w.title()} {WORDS[n]} line." for w in WORDS[:5])


def test_running_header_and_page_numbers_are_removed() -> None:
    pages = [f"Preprint. Under review.\n{_body(n)}\n{n + 1}" for n in range(4)]
    assert remove_running_lines(pages) == [_body(n) for n in range(4)]


def test_alternating_headers_with_page_numbers_are_removed() -> None:
    # Odd and even pages carry different headers with the page number inside.
    pages = [
        (f"{n + 1} Trilling et al." if n % 2 else f"DECam: Size distribution of NEOs {n + 1}")
        + f"\n{_body(n)}"
        for n in range(8)
    ]
    assert remove_running_lines(pages) == [_body(n) for n in range(8)]


def test_numbers_and_lines_inside_the_text_are_kept() -> None:
    pages = ["Title\nText.\n17\nMore text.\nEnd.", "Other\nWords.\n(3)\nHere.\nDone."]
    assert remove_running_lines(pages) == pages  # "17" is not at the top or bottom
    assert remove_running_lines(["Only page\n1"]) == ["Only page"]  # bare page number
    assert remove_running_lines(["Same header\nA", "Same header\nB"]) == ["A", "B"]


# --- the arXiv stamp --------------------------------------------------------------


def test_arxiv_stamp_at_the_start() -> None:
    text, ref = remove_arxiv_stamp("arXiv:2506.12345v2  [cs.CL]  14 Jun 2025\nTitle\nBody")
    assert text == "Title\nBody"
    assert ref is not None
    assert (ref.arxiv_id, ref.version) == ("2506.12345", 2)


def test_arxiv_stamp_inside_page_one_glued_to_text() -> None:
    # pdfTeX files put it later in page 1, sometimes with no line break before it.
    text, ref = remove_arxiv_stamp("some footnote zarXiv:1706.03762v5 [cs.CL] 6 Dec 2017\nmore")
    assert text == "some footnote z\nmore"
    assert ref is not None
    assert ref.versioned_id == "1706.03762v5"


def test_old_style_stamp_and_no_stamp() -> None:
    _, ref = remove_arxiv_stamp("arXiv:hep-th/9901001v1 [hep-th] 4 Jan 1999\nx")
    assert ref is not None
    assert ref.arxiv_id == "hep-th/9901001"
    text = "We cite arXiv:2506.12345 in the text."  # a citation, not the stamp
    assert remove_arxiv_stamp(text) == (text, None)


# --- references and appendix ------------------------------------------------------


@pytest.mark.parametrize("heading", ["References", "REFERENCES", "7 References", "Bibliography"])
def test_references_are_split_off(heading: str) -> None:
    body, refs, appendix = split_references(f"Intro\nText.\n{heading}\n[1] A. B. Title. 2020.")
    assert (body, refs, appendix) == ("Intro\nText.", "[1] A. B. Title. 2020.", "")


def test_appendix_after_references_is_kept_apart() -> None:
    text = (
        "Body.\nReferences\nA. Author. 2019. A thing.\nYoav G. 2016.\n"
        "A Primer on Neural Network Models for Natural\nLanguage Processing. JAIR, 2016.\n"
        "A Proofs\nLemma 1 holds.\nB More Results\nTable 9."
    )
    body, refs, appendix = split_references(text)
    assert body == "Body."
    assert refs.endswith("JAIR, 2016.")  # the wrapped title "A Primer ..." is no heading
    assert appendix == "A Proofs\nLemma 1 holds.\nB More Results\nTable 9."
    assert [(s.name, s.heading) for s in find_sections(body, appendix)] == [
        ("appendix", "A Proofs"),
        ("appendix", "B More Results"),
    ]


def test_headless_revtex_reference_list() -> None:
    body_lines = [f"Body line {i}." for i in range(20)]
    refs = "1 D. C. Johnston, Adv. Phys. 59, 803 (2010).\n2 D. Jérome, Adv. Phys. 31, 299 (1982)."
    body, found, _ = split_references("\n".join([*body_lines, refs]))
    assert found == refs
    assert body.endswith("Body line 19.")


def test_no_references() -> None:
    assert split_references("Just\ntext.") == ("Just\ntext.", "", "")


# --- sections ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("Abstract", "abstract"),
        ("1 Introduction", "introduction"),
        ("2. Related Work", "related_work"),
        ("2 Background", "related_work"),
        ("III. METHOD", "method"),
        ("3 Model Architecture", "method"),
        ("4 Experiments", "experiments"),
        ("5 Experimental Results", "results"),
        ("5 Results and Discussion", "results"),
        ("7 LIMITATIONS AND FUTURE WORK", "discussion"),
        ("Conclusions", "conclusion"),
        ("6 Conclusion and Discussion", "conclusion"),
        ("Appendix A Proofs", "appendix"),
        ("4 Why Self-Attention", "other"),
        ("Acknowledgments", "other"),
    ],
)
def test_canonical_section_name(heading: str, name: str) -> None:
    assert name in pdf_text.SECTION_NAMES
    assert canonical_section_name(heading) == name


def test_find_sections_numbered_in_sequence() -> None:
    text = (
        "Title\n1 University of Somewhere\n2 Other Institute\nAbstract\nWe do it.\n"
        "1 Introduction\nIntro text:\n1. We propose a thing that\n2. We show it\n"
        "2 Related Work\nPrior.\nTable 3 Results\n3 Method\nHow.\nConclusion\nEnd."
    )
    sections = find_sections(text)
    assert [(s.name, s.heading) for s in sections] == [
        ("abstract", "Abstract"),
        ("introduction", "1 Introduction"),
        ("related_work", "2 Related Work"),
        ("method", "3 Method"),
        ("conclusion", "Conclusion"),
    ]
    assert sections[1].text == "Intro text:\n1. We propose a thing that\n2. We show it"


def test_find_sections_roman_and_unnumbered_styles() -> None:
    roman = find_sections(
        "I. INTRODUCTION\nx\nII. SELF-CONSISTENT ACTION IN THE\ny\nIII. METHOD\nz"
    )
    assert [s.heading for s in roman] == [
        "I. INTRODUCTION",
        "II. SELF-CONSISTENT ACTION IN THE",
        "III. METHOD",
    ]
    plain = find_sections(
        "Introduction\nWe list:\n1. Retrieval Augmented Prompt Tuning\nResults\nr"
    )
    assert [s.name for s in plain] == ["introduction", "results"]  # no numbered style here


# --- abstract ---------------------------------------------------------------------


def test_find_abstract_after_heading_until_next_section() -> None:
    text = "Title\nAbstract\nWe propose X.\nIt works well.\n1 Introduction\nText."
    assert find_abstract(text) == "We propose X. It works well."


def test_find_abstract_inline_and_keywords() -> None:
    text = "Title\nAbstract—In this paper we\nstudy Y.\nIndex Terms—graphs\nI. INTRODUCTION\nx"
    assert find_abstract(text) == "In this paper we study Y."


def test_find_abstract_revtex_and_none() -> None:
    text = "Title\nA. Author\n(Dated: April 3, 2012)\nWe study nodes.\nI. INTRODUCTION\nx"
    assert find_abstract(text) == "We study nodes."
    assert find_abstract("No such heading\n1 Introduction\nx") is None


# --- the fake paper, end to end ---------------------------------------------------


def test_fake_paper_metadata(paper: PdfDocument) -> None:
    assert paper.pages == 3
    assert paper.title == pdfs.TITLE
    assert paper.authors == pdfs.AUTHORS
    assert paper.abstract == pdfs.ABSTRACT
    assert (paper.arxiv_id, paper.arxiv_version) == ("2506.12345", 2)
    assert paper.warnings == []
    assert paper.char_count == len(paper.text)


def test_fake_paper_text_is_clean(paper: PdfDocument) -> None:
    text = paper.text
    assert "efficient retrieval" in text
    assert "flexible index" in text
    assert "addition" in text
    assert "state-of-the-art" in text
    assert "Each row corresponds to one query in the table." in text  # C1 and PUA gone
    assert "arXiv:" not in text
    assert "Preprint. Under review." not in text
    assert not any(line.strip().isdigit() for line in text.splitlines())  # page numbers
    assert "[1] A. Writer" not in text
    assert "References" not in text
    assert text.endswith("The reranker never reads more than twelve passages.")  # appendix
    assert paper.references.splitlines()[0].startswith("[1] A. Writer.")
    assert len(paper.references.splitlines()) == 3


def test_fake_paper_sections(paper: PdfDocument) -> None:
    assert [(s.name, s.heading) for s in paper.sections] == [
        ("abstract", "Abstract"),
        ("introduction", "1 Introduction"),
        ("related_work", "2 Related Work"),
        ("method", "3 Method"),
        ("experiments", "4 Experiments"),
        ("conclusion", "5 Conclusion"),
        ("appendix", "A Proofs"),
    ]
    method = paper.sections[3]
    assert method == Section(
        "method",
        "3 Method",
        "We rerank passages with a tiny cross-encoder [2]. The reranker is\n"
        "trained on synthetic queries.",
    )


def test_title_and_authors_from_the_first_page_without_metadata() -> None:
    doc = extract_pdf(pdfs.paper_pdf(metadata=False, stamp=False))
    assert doc.title == pdfs.TITLE
    assert doc.authors == pdfs.AUTHORS
    assert doc.arxiv_id is None
    assert doc.arxiv_version is None


@pytest.mark.parametrize(
    ("meta_title", "meta_author"),
    [
        ("Microsoft Word - paper_final_v3.docx", "Administrator"),  # junk
        ("Instructions for NAACL-HLT 2019 Proceedings", "Jane Template"),  # stale template
        ("untitled", ""),
        ("Abstract", "Author"),  # on the page, but no title
    ],
)
def test_junk_or_stale_metadata_is_ignored(meta_title: str, meta_author: str) -> None:
    doc = extract_pdf(pdfs.paper_pdf(meta_title=meta_title, meta_author=meta_author))
    assert doc.title == pdfs.TITLE
    assert doc.authors == pdfs.AUTHORS


def test_path_and_bytes_give_the_same_document(tmp_path: Path, paper: PdfDocument) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdfs.paper_pdf())
    assert extract_pdf(path) == paper


# --- failures ---------------------------------------------------------------------


def _error(source: bytes | Path, **kwargs: object) -> PdfTextError:
    with pytest.raises(PdfTextError) as caught:
        extract_pdf(source, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert error.exit_code == EXIT_BAD_INPUT
    assert "\n" not in str(error)  # one line on stderr
    return error


def test_encrypted_needs_a_password() -> None:
    error = _error(pdfs.encrypted_pdf("secret"))
    assert isinstance(error, EncryptedPdfError)
    assert "encrypted and needs a password" in str(error)


def test_encrypted_with_the_right_and_the_wrong_password() -> None:
    doc = extract_pdf(pdfs.encrypted_pdf("secret"), password="secret")
    assert doc.title == pdfs.TITLE
    assert "encrypted" in doc.warnings[-1]
    error = _error(pdfs.encrypted_pdf("secret"), password="nope")
    assert isinstance(error, EncryptedPdfError)
    assert "password given" in str(error)
    assert "wrong" in str(error)


def test_empty_user_password_opens() -> None:
    doc = extract_pdf(pdfs.encrypted_pdf(""))
    assert doc.title == pdfs.TITLE
    assert doc.abstract == pdfs.ABSTRACT


def test_image_only() -> None:
    error = _error(pdfs.image_only_pdf(pages=2))
    assert isinstance(error, ImageOnlyPdfError)
    assert "no text layer (2 page(s)" in str(error)
    assert "run OCR (e.g. ocrmypdf) first" in str(error)


def test_truncated() -> None:
    error = _error(pdfs.truncated_pdf())
    assert isinstance(error, MalformedPdfError)
    assert "looks truncated" in str(error)
    assert "download it again" in str(error)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (pdfs.HTML_ERROR_PAGE, "is not a PDF: it looks like an HTML page"),
        (b"", "is not a PDF: it is empty (0 bytes)"),
        (b'{"error": "rate limited"}', "is not a PDF: it looks like JSON"),
        (b"\x00\x01garbage", "is not a PDF: it starts with b'\\x00\\x01garbage'"),
    ],
)
def test_not_a_pdf(data: bytes, expected: str) -> None:
    error = _error(data)
    assert isinstance(error, MalformedPdfError)
    assert expected in str(error)


def test_pdf_that_pypdf_cannot_read() -> None:
    error = _error(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n")
    assert isinstance(error, MalformedPdfError)
    assert str(error).startswith("pypdf cannot read the PDF (")


def test_unreadable_path(tmp_path: Path) -> None:
    error = _error(tmp_path / "missing.pdf")
    assert type(error) is PdfTextError
    assert "cannot read" in str(error)
    assert "missing.pdf" in str(error)


def test_pypdf_warnings_are_summarised_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    doc = extract_pdf(pdfs.corrupt_page_pdf())
    assert doc.text == "The first page reads fine."
    assert doc.warnings[0] == "1 of 2 pages had no text"
    assert any(w.startswith("pypdf: ") and "decompress" in w for w in doc.warnings)
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


# --- never a hang, never a crash --------------------------------------------------


def _sleep_forever(source: object, password: object) -> object:
    time.sleep(60)
    raise AssertionError("not reached")


def _die(source: object, password: object) -> object:
    os._exit(7)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="patches the forked worker")
def test_timeout_kills_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_worker, "start_method", lambda: "fork")  # the child sees the patch
    monkeypatch.setattr(pdf_worker, "extract_raw", _sleep_forever)
    start = time.monotonic()
    error = _error(pdfs.paper_pdf(), timeout=0.5)
    assert isinstance(error, PdfTimeoutError)
    assert "took longer than 0.5 s" in str(error)
    assert time.monotonic() - start < 5
    assert not [p for p in multiprocessing.active_children() if p.name == "pdf-text"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="patches the forked worker")
def test_a_crashing_worker_is_a_malformed_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_worker, "start_method", lambda: "fork")
    monkeypatch.setattr(pdf_worker, "extract_raw", _die)
    error = _error(pdfs.paper_pdf())
    assert isinstance(error, MalformedPdfError)
    assert "pypdf crashed" in str(error)
    assert "exit code 7" in str(error)


def test_spawned_worker_gives_the_same_result(
    monkeypatch: pytest.MonkeyPatch, paper: PdfDocument
) -> None:
    # What runs when the caller has other threads (fork would be unsafe) or on macOS.
    monkeypatch.setattr(pdf_worker, "start_method", lambda: "spawn")
    assert extract_pdf(pdfs.paper_pdf()) == paper


def test_fork_only_when_single_threaded() -> None:
    assert pdf_worker.start_method() in ("fork", "spawn")
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert pdf_worker.start_method() == "spawn"
    finally:
        stop.set()
        thread.join()


# --- the sample paper for the demo ------------------------------------------------


def _sample_source() -> tuple[str, list[str], str]:
    sys.path.insert(0, str(SAMPLES))
    try:
        from make_sample_pdf import parse  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(SAMPLES))
    title, authors, sections = parse((SAMPLES / "sample-paper.md").read_text(encoding="utf-8"))
    assert sections[0][0] == "Abstract"
    return title, authors, sections[0][1][0]


def test_sample_paper_round_trips_title_authors_abstract() -> None:
    title, authors, abstract = _sample_source()
    pdf = SAMPLES / "sample-paper.pdf"
    assert pdf.stat().st_size < 50_000
    doc = extract_pdf(pdf)
    assert (doc.title, doc.authors, doc.abstract) == (title, authors, abstract)
    assert 130 <= len(abstract.split()) <= 170
    assert doc.references.count("\n[") == 2
    assert doc.warnings == []
    assert [s.name for s in doc.sections][:2] == ["abstract", "introduction"]


def test_sample_pdf_is_rebuilt_from_its_source(tmp_path: Path) -> None:
    out = tmp_path / "sample.pdf"
    spec = importlib.util.spec_from_file_location("make_sample_pdf", SAMPLES / "make_sample_pdf.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(out)]) == 0
    title, authors, abstract = _sample_source()
    doc = extract_pdf(out)
    assert (doc.title, doc.authors, doc.abstract) == (title, authors, abstract)


# --- the real arXiv PDFs in ../shared (skipped when absent) -----------------------

# First words of each title, as printed on the first page.
REAL_TITLES = {
    "1111.2011v2": "Quantum Criticality for Extended Nodes on a Bethe Lattice",
    "1406.2661v1": "Generative Adversarial Nets",
    "1512.04469v1": "Über die Klassifizierung von Knoten",
    "1706.03762v5": "Attention Is All You Need",
    "1707.04066v1": "THE SIZE DISTRIBUTION OF NEAR EARTH OBJECTS",
    "1810.04805v2": "BERT: Pre-training of Deep Bidirectional Transformers",
    "2202.00535v1": "Novelty Controlled Paraphrase Generation",
    "2203.02155v1": "Training language models to follow instructions",
    "2206.10883v3": "Multi-LexSum: Real-World Summaries",
    "2302.07302v1": "CiteSee: Augmenting Citations",
}
FIRST_AUTHORS = {
    "1406.2661v1": "Ian J. Goodfellow",
    "1706.03762v5": "Ashish Vaswani",
    "1810.04805v2": "Jacob Devlin",
    "2203.02155v1": "Long Ouyang",
    "2302.07302v1": "Joseph Chee Chang",
}


class TestRealPdfs:
    pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real PDFs not in {REAL}")

    # Every PDF in the folder, so a paper added to the fixtures is covered too.
    @pytest.mark.parametrize("stem", sorted(p.stem for p in REAL.glob("*.pdf")))
    def test_real_paper(self, stem: str) -> None:
        doc = extract_pdf(REAL / f"{stem}.pdf", timeout=60)
        assert f"{doc.arxiv_id}v{doc.arxiv_version}" == stem  # from the side stamp
        assert doc.title is not None
        assert doc.title.startswith(REAL_TITLES.get(stem, ""))
        assert doc.abstract is not None
        assert 300 <= len(doc.abstract) <= 2500
        assert len(doc.references) > 1000
        assert doc.references[:2000] not in doc.text
        assert "arXiv:" + stem not in doc.text
        assert doc.sections[0].name == "abstract"
        assert "introduction" in [s.name for s in doc.sections]
        assert not any(c in doc.text for c in "\x8d\uf8ee\ufb01\ufb02")
        # Without fontTools, pypdf warns about CFF fonts (same text): nothing else.
        assert [w for w in doc.warnings if "fontTools" not in w] == []
        if stem in FIRST_AUTHORS:
            assert doc.authors[0] == FIRST_AUTHORS[stem]

    def test_running_headers_are_gone_from_a_real_paper(self) -> None:
        doc = extract_pdf(REAL / "2302.07302v1.pdf")
        header = "CHI ’23, April 23–28, 2023, Hamburg, Germany Chang et al."
        assert header not in doc.text.splitlines()

    def test_encrypted(self) -> None:
        error = _error(AWKWARD / "encrypted-file.pdf")
        assert isinstance(error, EncryptedPdfError)
        doc = extract_pdf(AWKWARD / "encrypted-file.pdf", password="test")
        assert "Example" in doc.text

    def test_aes_encrypted(self) -> None:
        error = _error(AWKWARD / "crazyones-encrypted-256.pdf")
        assert isinstance(error, EncryptedPdfError)
        if importlib.util.find_spec("cryptography") is None:
            assert "needs the 'cryptography' package: pip install cryptography" in str(error)
        else:
            assert "needs a password" in str(error)
            doc = extract_pdf(AWKWARD / "crazyones-encrypted-256.pdf", password="password")
            assert "Crazy Ones" in doc.text

    def test_empty_user_password(self) -> None:
        assert "pdf encryption test" in extract_pdf(AWKWARD / "r2-empty-password.pdf").text

    def test_image_only(self) -> None:
        error = _error(AWKWARD / "imagemagick-CCITTFaxDecode.pdf")
        assert isinstance(error, ImageOnlyPdfError)

    def test_scan_with_ocr_layer(self) -> None:
        assert "VICKSBURG" in extract_pdf(AWKWARD / "Seige_of_Vicksburg_Sample_OCR.pdf").text

    def test_malformed_but_readable(self) -> None:
        doc = extract_pdf(AWKWARD / "arrayabruptending.pdf")
        assert "Duarte" in doc.text
        assert any("decompressing" in w for w in doc.warnings)

    def test_malformed_without_text(self) -> None:
        error = _error(AWKWARD / "2788_example_malformed.pdf")
        assert isinstance(error, MalformedPdfError)
        assert "pypdf found no readable text" in str(error)
