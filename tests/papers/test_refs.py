"""Tests for summarizer.papers.refs: every accepted and rejected form of arXiv reference."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from summarizer.errors import EXIT_BAD_INPUT, InvalidReferenceError
from summarizer.papers.refs import PaperRef, find_references, is_arxiv_reference, parse_reference

# --- accepted forms -------------------------------------------------------------------

ACCEPTED: list[tuple[str, str, int | None]] = [
    # abs / pdf / html URLs, every variant the brief lists
    ("https://arxiv.org/abs/2506.12345", "2506.12345", None),
    ("https://arxiv.org/abs/2506.12345v3", "2506.12345", 3),
    ("https://arxiv.org/pdf/2506.12345v3", "2506.12345", 3),
    ("https://arxiv.org/pdf/2506.12345.pdf", "2506.12345", None),
    ("https://arxiv.org/pdf/2506.12345v3.pdf", "2506.12345", 3),
    ("https://arxiv.org/pdf/2506.12345", "2506.12345", None),
    ("https://arxiv.org/html/2506.12345v1", "2506.12345", 1),
    ("https://arxiv.org/html/2506.12345v1/", "2506.12345", 1),
    ("https://arxiv.org/html/2506.12345", "2506.12345", None),
    # hosts and schemes
    ("https://www.arxiv.org/abs/2506.12345", "2506.12345", None),
    ("https://export.arxiv.org/abs/2506.12345", "2506.12345", None),
    ("http://arxiv.org/abs/2506.12345", "2506.12345", None),
    ("http://export.arxiv.org/pdf/2506.12345v2", "2506.12345", 2),
    ("arxiv.org/abs/2506.12345", "2506.12345", None),
    ("www.arxiv.org/pdf/2506.12345v2.pdf", "2506.12345", 2),
    ("export.arxiv.org/html/2506.12345v4/", "2506.12345", 4),
    # case-insensitive scheme, host and path prefix
    ("HTTPS://ARXIV.ORG/ABS/2506.12345", "2506.12345", None),
    ("Https://ArXiv.org/abs/2506.12345v2", "2506.12345", 2),
    ("https://arxiv.org/PDF/2506.12345v2.PDF", "2506.12345", 2),
    # trailing slash, query string, fragment
    ("https://arxiv.org/abs/2506.12345/", "2506.12345", None),
    ("https://arxiv.org/abs/2506.12345v2/", "2506.12345", 2),
    ("https://arxiv.org/pdf/2506.12345v2.pdf/", "2506.12345", 2),
    ("https://arxiv.org/abs/2506.12345?context=cs", "2506.12345", None),
    ("https://arxiv.org/abs/2506.12345v2?context=cs.CL&x=1", "2506.12345", 2),
    ("https://arxiv.org/abs/2506.12345#abstract", "2506.12345", None),
    ("https://arxiv.org/html/2506.12345v1/#S3.SS2", "2506.12345", 1),
    ("https://arxiv.org/pdf/2506.12345v1.pdf#page=3", "2506.12345", 1),
    ("arxiv.org/abs/2506.12345?context=cs#x", "2506.12345", None),
    # bare IDs and arXiv: prefixes
    ("2506.12345", "2506.12345", None),
    ("2506.12345v2", "2506.12345", 2),
    ("2506.12345v12", "2506.12345", 12),
    ("arXiv:2506.12345", "2506.12345", None),
    ("arxiv:2506.12345v2", "2506.12345", 2),
    ("ARXIV:2506.12345", "2506.12345", None),
    ("arXiv: 2506.12345", "2506.12345", None),
    ("arXiv: 2506.12345v2", "2506.12345", 2),
    ("arXiv:hep-th/9901001", "hep-th/9901001", None),
    ("arXiv:math.GT/0309136v2", "math.GT/0309136", 2),
    # whitespace around the input is stripped
    ("  2506.12345\n", "2506.12345", None),
    ("\thttps://arxiv.org/abs/2506.12345v3 \r\n", "2506.12345", 3),
    ("\u00a02506.12345\u00a0", "2506.12345", None),  # no-break space from web pages
    ("\ufeff2506.12345\u200b", "2506.12345", None),  # BOM / zero-width space
    # 4-digit sequences (0704..1412) and 5-digit ones (1501 on)
    ("0704.0001", "0704.0001", None),
    ("1412.6980", "1412.6980", None),
    ("1412.6980v9", "1412.6980", 9),
    ("0812.9999", "0812.9999", None),
    ("1501.00001", "1501.00001", None),
    ("1706.03762", "1706.03762", None),
    ("9912.99999", "9912.99999", None),
    ("https://arxiv.org/abs/0704.0001v1", "0704.0001", 1),
    # old-style IDs
    ("hep-th/9901001", "hep-th/9901001", None),
    ("math.GT/0309136v2", "math.GT/0309136", 2),
    ("math.GT/0309136", "math.GT/0309136", None),
    ("cond-mat/0102536", "cond-mat/0102536", None),
    ("astro-ph/0601001", "astro-ph/0601001", None),
    ("quant-ph/0201082v1", "quant-ph/0201082", 1),
    ("hep-th/9108001", "hep-th/9108001", None),  # the first month of arXiv
    ("cs/0703999", "cs/0703999", None),  # the last month of the old scheme
    ("cs.AI/0101001", "cs.AI/0101001", None),
    ("q-bio/0309001", "q-bio/0309001", None),
    ("HEP-TH/9901001", "hep-th/9901001", None),  # archive is lowercased
    ("Math.GT/0309136", "math.GT/0309136", None),
    # old-style IDs inside URLs
    ("https://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001", 1),
    ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", None),
    ("https://arxiv.org/abs/hep-th/9901001/", "hep-th/9901001", None),
    ("https://arxiv.org/pdf/math.GT/0309136v2.pdf", "math.GT/0309136", 2),
    ("https://arxiv.org/pdf/math.GT/0309136v2", "math.GT/0309136", 2),
    ("arxiv.org/abs/cond-mat/0102536?context=cond-mat", "cond-mat/0102536", None),
    # arXiv's own DOIs
    ("10.48550/arXiv.2506.12345", "2506.12345", None),
    ("10.48550/arxiv.2506.12345", "2506.12345", None),
    ("doi:10.48550/arXiv.2506.12345", "2506.12345", None),
    ("DOI: 10.48550/arXiv.2506.12345", "2506.12345", None),
    ("https://doi.org/10.48550/arXiv.2506.12345", "2506.12345", None),
    ("http://dx.doi.org/10.48550/arXiv.2506.12345", "2506.12345", None),
    ("doi.org/10.48550/ARXIV.1706.03762", "1706.03762", None),
    ("10.48550/arXiv.hep-th/9901001", "hep-th/9901001", None),
    # full-width input from a Japanese IME
    ("２５０６．１２３４５", "2506.12345", None),
    ("ａｒＸｉｖ：２５０６．１２３４５ｖ２", "2506.12345", 2),
    ("\u30002506.12345\u3000", "2506.12345", None),  # ideographic spaces
]


@pytest.mark.parametrize(("text", "arxiv_id", "version"), ACCEPTED)
def test_accepted_forms(text: str, arxiv_id: str, version: int | None) -> None:
    ref = parse_reference(text)
    assert ref == PaperRef(arxiv_id, version)
    assert ref.arxiv_id == arxiv_id
    assert ref.version == version
    assert is_arxiv_reference(text)


@pytest.mark.parametrize(("text", "arxiv_id", "version"), ACCEPTED)
def test_round_trip(text: str, arxiv_id: str, version: int | None) -> None:
    ref = parse_reference(text)
    assert parse_reference(str(ref)) == ref
    assert parse_reference(ref.versioned_id) == ref
    assert parse_reference(ref.abs_url) == PaperRef(ref.arxiv_id)


# --- rejected forms -------------------------------------------------------------------

REJECTED: list[tuple[str, str]] = [
    # (text, a fragment the reason must contain)
    ("", "empty reference"),
    ("   \n\t", "empty reference"),
    ("\u3000", "empty reference"),
    ("abc", "unrecognised form"),
    ("arXiv", "unrecognised form"),
    ("arXiv:", "nothing after 'arXiv:'"),
    ("arXiv:abc", "unrecognised form"),
    ("2506", "unrecognised form"),
    ("2506.", "unrecognised form"),
    # sequence length by year
    ("2506.1234", "sequence of a 2025 ID has 5 digits"),
    ("2506.123456", "sequence of a 2025 ID has 5 digits"),
    ("1501.0001", "sequence of a 2015 ID has 5 digits"),
    ("0808.05394", "sequence of a 2008 ID has 4 digits"),
    ("1412.69801", "sequence of a 2014 ID has 4 digits"),
    ("2506.00000", "sequence numbers start at 1"),
    ("0704.0000", "sequence numbers start at 1"),
    # months and the start of the scheme
    ("2513.12345", "month 13 does not exist"),
    ("2500.12345", "month 00 does not exist"),
    ("0703.1234", "start at 0704"),
    ("0001.1234", "start at 0704"),
    ("250.12345", "starts with 4 digits"),
    ("12506.12345", "starts with 4 digits"),
    # versions
    ("2506.12345v0", "versions start at v1"),
    ("2506.12345v00", "versions start at v1"),
    ("2506.12345v02", "leading zero"),
    ("2506.12345V2", "lowercase v"),
    ("2506.12345v", "unrecognised form"),
    ("2506.12345v-1", "unrecognised form"),
    ("2506.12345vv2", "unrecognised form"),
    # old style
    ("hep-th/99010", "7 digits"),
    ("hep-th/990100123", "7 digits"),
    ("hep-th/9913001", "month 13 does not exist"),
    ("hep-th/9900001", "month 00 does not exist"),
    ("hep-th/9107001", "run from 9108 to 0703"),
    ("hep-th/0704001", "run from 9108 to 0703"),
    ("hep-th/2501001", "run from 9108 to 0703"),
    ("hep-th/9901000", "paper numbers start at 001"),
    ("math.gt/0309136", "subject class 'gt'"),
    ("math.GTX/0309136", "subject class 'GTX'"),
    ("math.G/0309136", "subject class 'G'"),
    ("foo/9901001", "'foo' is not an arXiv archive"),
    ("hep-xx/9901001", "'hep-xx' is not an arXiv archive"),
    ("hep-th//9901001", "unrecognised form"),
    ("hep-th9901001", "unrecognised form"),
    # URLs on other hosts, other schemes, other pages
    ("https://example.com/abs/2506.12345", "example.com is not an arXiv host"),
    ("example.com/abs/2506.12345", "example.com is not an arXiv host"),
    ("https://arxiv.org.evil.com/abs/2506.12345", "arxiv.org.evil.com is not an arXiv host"),
    ("https://alphaxiv.org/abs/2506.12345", "alphaxiv.org is not an arXiv host"),
    ("https://arxiv.org:8080/abs/2506.12345", "not an arXiv host"),
    ("https://user@arxiv.org/abs/2506.12345", "not an arXiv host"),
    ("https:///abs/2506.12345", "empty host is not an arXiv host"),
    ("ftp://arxiv.org/abs/2506.12345", "unsupported scheme ftp://"),
    ("file:///etc/passwd", "unsupported scheme file://"),
    ("https://arxiv.org/list/cs.CL/recent", "not a paper page"),
    ("https://arxiv.org/", "not a paper page"),
    ("https://arxiv.org", "not a paper page"),
    ("arxiv.org", "not a paper page"),
    ("https://arxiv.org/abs/", "not a paper page"),
    ("https://arxiv.org/abs", "not a paper page"),
    ("https://arxiv.org/format/2506.12345", "not a paper page"),
    ("https://arxiv.org/abs/2506.12345/extra", "unrecognised form"),
    ("https://arxiv.org/abs/2506.12345/extra/more", "not a paper page"),
    ("https://arxiv.org/abs/2506.12345.pdf", "unrecognised form"),
    ("https://arxiv.org/html/2506.12345v1.pdf", "unrecognised form"),
    ("https://arxiv.org/abs/2513.12345", "month 13 does not exist"),
    ("https://arxiv.org/pdf/2506.12345v0.pdf", "versions start at v1"),
    ("https://arxiv.org/abs/hep-th%2F9901001", "unrecognised form"),
    # path traversal and other junk
    ("../etc/passwd", "unrecognised form"),
    ("hep-th/9901001/../../x", "unrecognised form"),
    ("https://arxiv.org/abs/hep-th/9901001/../../x", "not a paper page"),
    ("https://arxiv.org/abs/../2506.12345", "unrecognised form"),
    ("..", "unrecognised form"),
    ("2506.12345/..", "unrecognised form"),
    ("2506.12345/abs/2506.12345", "unrecognised form"),
    ("localhost/abs/2506.12345", "unrecognised form"),
    ("sub.example.co.jp/abs/2506.12345", "sub.example.co.jp is not an arXiv host"),
    ("C:\\papers\\2506.12345", "unrecognised form"),
    ("2506.12345,", "unrecognised form"),
    ("<https://arxiv.org/abs/2506.12345>", "unrecognised form"),
    ("x" * 3000, "far too long"),
    # more than one reference, or a reference plus other text
    ("2506.12345 2506.12346", "found 2 references; give one at a time"),
    ("2506.12345\n2506.12346\nhep-th/9901001", "found 3 references"),
    ("arXiv:2506.12345v2 [cs.CL] 3 Jun 2025", "did you mean 2506.12345v2?"),
    ("see https://arxiv.org/abs/2506.12345", "did you mean 2506.12345?"),
    ("2506. 12345", "contains whitespace"),
    ("https://arxiv.org/abs/ 2506.12345", "did you mean 2506.12345?"),
    # DOIs that are not arXiv's
    ("10.1145/3292500.3330701", "not an arXiv DOI"),
    ("https://doi.org/10.1038/nature14539", "not an arXiv DOI"),
    ("10.48550/2506.12345", "not an arXiv DOI"),
    ("10.48551/arXiv.2506.12345", "not an arXiv DOI"),
    ("10.48550/arXiv.2506.12345v2", "arXiv DOIs carry no version"),
    ("10.48550/arXiv.2513.12345", "month 13 does not exist"),
    ("doi:", "unrecognised form"),
]


@pytest.mark.parametrize(("text", "reason"), REJECTED)
def test_rejected_forms(text: str, reason: str) -> None:
    with pytest.raises(InvalidReferenceError) as caught:
        parse_reference(text)
    error = caught.value
    assert error.reference == text  # the user's text, unchanged
    assert repr(text) in str(error)  # and the message names it
    assert error.reason is not None
    assert reason in error.reason
    assert error.exit_code == EXIT_BAD_INPUT
    assert not is_arxiv_reference(text)


def test_rejection_message_is_one_line() -> None:
    with pytest.raises(InvalidReferenceError) as caught:
        parse_reference("2506.12345\n2506.12346")
    assert "\n" not in str(caught.value)  # repr() escapes the newline


# --- PaperRef -------------------------------------------------------------------------

OLD_STYLE_IDS = [
    "hep-th/9901001",
    "math.GT/0309136",
    "cond-mat/0102536",
    "astro-ph/0601001",
    "quant-ph/0201082",
    "cs.AI/0101001",
    "math-ph/0001001",
    "q-bio/0401001",
    "nlin.CD/0301001",
    "acc-phys/9411001",
    "supr-con/9611001",
]


@pytest.mark.parametrize("arxiv_id", OLD_STYLE_IDS)
@pytest.mark.parametrize("version", [None, 1, 12])
def test_safe_name_of_old_style_ids(arxiv_id: str, version: int | None) -> None:
    ref = parse_reference(f"{arxiv_id}v{version}" if version else arxiv_id)
    name = ref.safe_name
    assert "/" not in name
    assert "\\" not in name
    assert ".." not in name
    assert name == arxiv_id.replace("/", "_")


@pytest.mark.parametrize(
    ("text", "safe_name"),
    [
        ("hep-th/9901001", "hep-th_9901001"),
        ("math.GT/0309136v2", "math.GT_0309136"),
        ("2506.12345v3", "2506.12345"),
        ("0704.0001", "0704.0001"),
    ],
)
def test_safe_name_examples(text: str, safe_name: str) -> None:
    assert parse_reference(text).safe_name == safe_name


@pytest.mark.parametrize(
    ("ref", "versioned_id", "abs_url"),
    [
        (PaperRef("2506.12345", 3), "2506.12345v3", "https://arxiv.org/abs/2506.12345"),
        (PaperRef("2506.12345"), "2506.12345", "https://arxiv.org/abs/2506.12345"),
        (PaperRef("2506.12345", None), "2506.12345", "https://arxiv.org/abs/2506.12345"),
        (PaperRef("hep-th/9901001", 1), "hep-th/9901001v1", "https://arxiv.org/abs/hep-th/9901001"),
        (
            PaperRef("math.GT/0309136", None),
            "math.GT/0309136",
            "https://arxiv.org/abs/math.GT/0309136",
        ),
    ],
)
def test_paper_ref_properties(ref: PaperRef, versioned_id: str, abs_url: str) -> None:
    assert ref.versioned_id == versioned_id
    assert str(ref) == versioned_id
    assert ref.abs_url == abs_url


def test_paper_ref_is_frozen_and_hashable() -> None:
    ref = PaperRef("2506.12345", 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.version = 3  # type: ignore[misc]
    assert {ref, PaperRef("2506.12345", 2), PaperRef("2506.12345")} == {
        PaperRef("2506.12345", 2),
        PaperRef("2506.12345"),
    }
    assert PaperRef("2506.12345", 2) != PaperRef("2506.12345", 3)


@pytest.mark.parametrize(
    ("arxiv_id", "version", "reason"),
    [
        ("../etc/passwd", None, "unrecognised form"),
        ("hep-th/9901001/../x", None, "unrecognised form"),
        ("2513.12345", None, "month 13 does not exist"),
        ("2506.12345v2", None, "the version belongs in PaperRef.version"),
        ("HEP-TH/9901001", None, "not a canonical ID; use parse_reference() or 'hep-th/9901001'"),
        ("arXiv:2506.12345", None, "unrecognised form"),
        (" 2506.12345", None, "unrecognised form"),
        ("2506.12345", 0, "versions start at v1"),
        ("2506.12345", -1, "versions start at v1"),
    ],
)
def test_paper_ref_constructor_validates(arxiv_id: str, version: int | None, reason: str) -> None:
    with pytest.raises(InvalidReferenceError) as caught:
        PaperRef(arxiv_id, version)
    assert caught.value.reason is not None
    assert reason in caught.value.reason


@pytest.mark.parametrize(("arxiv_id", "version"), [(2506.12345, None), ("2506.12345", True)])
def test_paper_ref_constructor_checks_types(arxiv_id: object, version: object) -> None:
    with pytest.raises(TypeError):
        PaperRef(arxiv_id, version)  # type: ignore[arg-type]


# --- find_references ------------------------------------------------------------------

READING_LIST = """\
# 読書リスト

- [Attention Is All You Need](https://arxiv.org/abs/1706.03762v5) — 必読
- Adam: arXiv:1412.6980, PDF <https://arxiv.org/pdf/2506.12345v2.pdf>
- 古典: hep-th/9901001 と math.GT/0309136v2。論文2506.00001を参照。
- DOI: https://doi.org/10.48550/arXiv.2301.00001
- 対象外: https://example.com/abs/2506.11111, 2513.12345, 2506.12345v0, foo/9901001
- 重複: 1706.03762
"""


def test_find_references_in_markdown() -> None:
    found = find_references(READING_LIST)
    assert [str(ref) for _, ref in found] == [
        "1706.03762v5",
        "1412.6980",
        "2506.12345v2",
        "hep-th/9901001",
        "math.GT/0309136v2",
        "2506.00001",
        "2301.00001",
        "1706.03762",
    ]
    # Offsets point at where each reference starts: URL, prefix or bare ID.
    starts = [READING_LIST[offset : offset + 12] for offset, _ in found]
    assert starts == [
        "https://arxi",
        "arXiv:1412.6",
        "https://arxi",
        "hep-th/99010",
        "math.GT/0309",
        "2506.00001を参",
        "https://doi.",
        "1706.03762\n",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("no references here, version 1.2.3 and 2506.", []),
        ("2506.12345", [(0, "2506.12345")]),
        ("see 2506.12345.", [(4, "2506.12345")]),
        ("(arXiv: 2506.12345v2)", [(1, "2506.12345v2")]),
        ("２５０６．１２３４５を読む", [(0, "2506.12345")]),  # full-width keeps offsets
        ("x https://arxiv.org/html/2506.12345v1/#S2 y", [(2, "2506.12345v1")]),
        ("https://arxiv.org/abs/2506.12345?context=cs", [(0, "2506.12345")]),
        ("v1.2506.12345", []),  # part of a longer dotted token
        ("12506.123456", []),  # part of a longer number
        ("2506.12345abc", []),
        ("see/hep-th/9901001", []),  # inside some other path
        ("https://alphaxiv.org/abs/2506.12345", []),
        ("2506.12345 2506.12345", [(0, "2506.12345"), (11, "2506.12345")]),  # duplicates kept
    ],
)
def test_find_references_edge_cases(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(offset, str(ref)) for offset, ref in find_references(text)] == expected


@pytest.mark.parametrize(("text", "arxiv_id", "version"), ACCEPTED)
def test_find_references_finds_accepted_forms(
    text: str, arxiv_id: str, version: int | None
) -> None:
    # Free text drops query strings and fragments, but the reference itself is found.
    found = find_references(text)
    assert [ref for _, ref in found] == [PaperRef(arxiv_id, version)]


# --- properties -----------------------------------------------------------------------


@st.composite
def new_style_ids(draw: st.DrawFn) -> tuple[str, int | None]:
    """A valid new-style ID (YYMM >= 0704, 4 digits to 1412, 5 from 1501) and version."""
    year = draw(st.integers(min_value=2007, max_value=2099))
    month = draw(st.integers(min_value=4 if year == 2007 else 1, max_value=12))
    digits = 5 if year >= 2015 else 4
    sequence = draw(st.integers(min_value=1, max_value=10**digits - 1))
    version = draw(st.none() | st.integers(min_value=1, max_value=999))
    return f"{year % 100:02d}{month:02d}.{sequence:0{digits}d}", version


URL_FORMS = [
    "https://arxiv.org/abs/{id}{v}",
    "http://arxiv.org/abs/{id}{v}/",
    "arxiv.org/abs/{id}{v}",
    "https://www.arxiv.org/abs/{id}{v}?context=cs",
    "https://export.arxiv.org/abs/{id}{v}#abstract",
    "https://arxiv.org/pdf/{id}{v}",
    "https://arxiv.org/pdf/{id}{v}.pdf",
    "HTTPS://ARXIV.ORG/PDF/{id}{v}.pdf",
    "https://arxiv.org/html/{id}{v}",
    "https://arxiv.org/html/{id}{v}/",
    "{id}{v}",
    "arXiv:{id}{v}",
    "arxiv: {id}{v}",
]


@given(new_style_ids())
@example(("0704.0001", None))
@example(("1412.9999", 9))
@example(("1501.00001", 1))
def test_every_url_form_parses_back(generated: tuple[str, int | None]) -> None:
    arxiv_id, version = generated
    suffix = f"v{version}" if version else ""
    expected = PaperRef(arxiv_id, version)
    for form in URL_FORMS:
        text = form.format(id=arxiv_id, v=suffix)
        assert parse_reference(text) == expected, text
    if version is None:  # arXiv DOIs are versionless
        assert parse_reference(f"https://doi.org/10.48550/arXiv.{arxiv_id}") == expected


# Random text, plus text from an alphabet of ID-like characters so that near misses
# ("2506.1234v", "hep-th/99.01") are generated too.
@given(st.text(max_size=80) | st.text(alphabet="0123456789./v:-#?ahpstrxiGT ", max_size=30))
@example("hep-th/9901001/../../x")
@example("https://arxiv.org/abs/..%2F..%2Fetc")
def test_arbitrary_text_parses_or_raises_invalid_reference(text: str) -> None:
    # Nothing a user pastes may crash the parser with anything but the typed error,
    # and whatever it accepts yields a safe file name.
    if is_arxiv_reference(text):
        name = parse_reference(text).safe_name
        assert "/" not in name
        assert "\\" not in name
        assert ".." not in name
    else:
        with pytest.raises(InvalidReferenceError) as caught:
            parse_reference(text)
        assert caught.value.reference == text
    find_references(text)  # must not raise either
