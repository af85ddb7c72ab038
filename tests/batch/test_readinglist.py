"""Reading lists: text, Markdown and BibTeX files, stdin, dedup, invalid lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from summarizer.batch.readinglist import (
    ListEntry,
    deduplicate,
    detect_format,
    parse_reading_list,
    read_reading_list,
)
from summarizer.errors import BadInputError
from summarizer.papers.refs import PaperRef


def ids(entries: list[ListEntry]) -> list[str]:
    return [entry.ref.versioned_id for entry in entries]


def lines(entries: list[ListEntry]) -> list[int]:
    return [entry.line for entry in entries]


# --- text ---------------------------------------------------------------------------

TEXT_LIST = """\
# papers for Friday
2506.12345

https://arxiv.org/abs/1412.6980v3   # Adam
  arXiv:hep-th/9901001
# 2401.00001 is commented out
https://arxiv.org/pdf/2401.00002.pdf
10.48550/arXiv.2402.00003
"""


def test_text_list_reads_every_reference_form_with_its_line() -> None:
    parsed = parse_reading_list(TEXT_LIST, "text", "list.txt")
    assert ids(parsed.entries) == [
        "2506.12345",
        "1412.6980v3",
        "hep-th/9901001",
        "2401.00002",
        "2402.00003",
    ]
    assert lines(parsed.entries) == [2, 4, 5, 7, 8]
    assert parsed.entries[1].text == "https://arxiv.org/abs/1412.6980v3"
    assert parsed.invalid == []
    assert parsed.ignored == []


def test_text_list_reports_invalid_lines_by_number_and_keeps_the_rest() -> None:
    text = "2506.12345\nnot a paper\n2513.12345\nhttps://example.org/paper.pdf\n1412.6980\n"
    parsed = parse_reading_list(text, "text", "list.txt")
    assert ids(parsed.entries) == ["2506.12345", "1412.6980"]
    assert [(p.line, p.text) for p in parsed.invalid] == [
        (2, "not a paper"),
        (3, "2513.12345"),
        (4, "https://example.org/paper.pdf"),
    ]
    assert "month 13 does not exist" in parsed.invalid[1].reason
    assert "example.org is not an arXiv host" in parsed.invalid[2].reason
    assert str(parsed.invalid[0]).startswith("line 2: 'not a paper': not an arXiv reference")


def test_a_url_fragment_is_not_a_comment() -> None:
    parsed = parse_reading_list("https://arxiv.org/abs/2506.12345#section\n", "text", "x")
    assert ids(parsed.entries) == ["2506.12345"]


# --- dedup ----------------------------------------------------------------------------


def test_duplicates_in_other_forms_and_versions_are_drafted_once() -> None:
    text = (
        "2506.12345v1\n"
        "https://arxiv.org/abs/2506.12345v3\n"
        "arxiv.org/pdf/2506.12345v2.pdf\n"
        "1412.6980\n"
        "ARXIV:1412.6980v2\n"
    )
    parsed = parse_reading_list(text, "text", "x")
    # The highest version named wins; an unversioned mention ("the latest") beats any.
    assert ids(parsed.entries) == ["2506.12345v3", "1412.6980"]
    # Reported at the first mention, with the other lines listed.
    assert lines(parsed.entries) == [1, 4]
    assert parsed.entries[0].duplicate_lines == (2, 3)
    assert parsed.entries[1].duplicate_lines == (5,)


def test_an_unversioned_mention_wins_whatever_the_order() -> None:
    found = [
        (1, "a", PaperRef("2506.12345")),
        (2, "b", PaperRef("2506.12345", 4)),
    ]
    assert ids(deduplicate(found)) == ["2506.12345"]
    assert ids(deduplicate(list(reversed(found)))) == ["2506.12345"]


# --- Markdown -------------------------------------------------------------------------

MARKDOWN_LIST = """\
# Reading list

- [EviGraph](https://arxiv.org/abs/2506.12345v3): evidence graphs
- Adam, arXiv:1412.6980. Also on [the PDF](https://arxiv.org/pdf/1412.6980v2)
- A blog post: https://example.com/posts/2401.00001 (not arXiv)
- Typo: https://arxiv.org/abs/2513.00001
- 論文2401.00002を参照

Code: `hep-th/9901001`
"""


def test_markdown_list_finds_every_arxiv_mention_with_its_line() -> None:
    parsed = parse_reading_list(MARKDOWN_LIST, "markdown", "list.md")
    assert ids(parsed.entries) == ["2506.12345v3", "1412.6980", "2401.00002", "hep-th/9901001"]
    assert lines(parsed.entries) == [3, 4, 7, 9]
    assert parsed.entries[1].duplicate_lines == (4,)
    assert parsed.entries[2].text == "2401.00002"


def test_markdown_reports_an_arxiv_link_that_is_not_a_paper() -> None:
    parsed = parse_reading_list(MARKDOWN_LIST, "markdown", "list.md")
    assert [(p.line, p.text) for p in parsed.invalid] == [(6, "https://arxiv.org/abs/2513.00001")]
    assert "month 13" in parsed.invalid[0].reason


# --- BibTeX ---------------------------------------------------------------------------

BIBTEX_LIST = """\
@string{arxiv = "arXiv preprint"}
Text between entries is a comment in BibTeX.

@article{tanabe2025evigraph,
  title         = {{EviGraph}: Evidence-Graph Retrieval},
  author        = {Tanabe, Mariko and Others},
  eprint        = {2506.12345},
  archivePrefix = {arXiv},
  primaryClass  = {cs.CL},
}

@misc{kingma2014adam,
  title   = "Adam: A Method for {Stochastic} Optimization",
  journal = {arXiv preprint arXiv:1412.6980},
  year    = 2014
}

@inproceedings{nobody2020,
  title = {A Conference Paper},
  doi   = {10.1000/182},
}

@online{byurl,
  url = {https://arxiv.org/abs/2401.00001v2}
}

@article{bydoi, doi = "10.48550/" # "arXiv.2402.00003"}

@article{typo, eprint = {2513.12345}, archivePrefix = {arXiv}}

@article{hal, eprint = {hal-01234567}, archivePrefix = {HAL}}

@comment{@article{hidden, eprint = {2403.00004}}}
"""


def test_bibtex_list_reads_eprint_journal_url_and_doi_fields() -> None:
    parsed = parse_reading_list(BIBTEX_LIST, "bibtex", "refs.bib")
    assert ids(parsed.entries) == ["2506.12345", "1412.6980", "2401.00001v2", "2402.00003"]
    assert lines(parsed.entries) == [4, 12, 23, 27]
    assert parsed.entries[0].text == "@tanabe2025evigraph"


def test_bibtex_entries_without_arxiv_are_ignored_and_malformed_ones_invalid() -> None:
    parsed = parse_reading_list(BIBTEX_LIST, "bibtex", "refs.bib")
    assert [(p.line, p.text) for p in parsed.ignored] == [(18, "@nobody2020"), (31, "@hal")]
    assert [(p.line, p.text) for p in parsed.invalid] == [(29, "@typo")]
    assert "eprint '2513.12345'" in parsed.invalid[0].reason


def test_an_unclosed_bibtex_entry_is_reported_and_earlier_ones_kept() -> None:
    text = "@article{a, eprint={2506.12345}}\n\n@article{b, title={never closed\n"
    parsed = parse_reading_list(text, "bibtex", "refs.bib")
    assert ids(parsed.entries) == ["2506.12345"]
    assert [(p.line, p.reason) for p in parsed.invalid] == [(3, "entry is never closed")]


# --- files, stdin and format detection -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("list.txt", "text"),
        ("reading", "text"),
        ("papers.md", "markdown"),
        ("papers.MARKDOWN", "markdown"),
        ("refs.bib", "bibtex"),
    ],
)
def test_format_follows_the_extension(name: str, expected: str) -> None:
    assert detect_format(name, "@article{x, eprint={2506.12345}}") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2506.12345\n# a comment\n", "text"),
        ("- [a](https://arxiv.org/abs/2506.12345)\n", "markdown"),
        ("@misc{x, eprint={2506.12345}}\n", "bibtex"),
    ],
)
def test_stdin_format_is_guessed_from_the_content(text: str, expected: str) -> None:
    assert detect_format("-", text) == expected


def test_read_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{x, eprint = {2506.12345}}\n", encoding="utf-8")
    from_file = read_reading_list(str(path))
    assert (from_file.format, from_file.source) == ("bibtex", str(path))
    assert ids(from_file.entries) == ["2506.12345"]
    from_stdin = read_reading_list("-", stdin=io.StringIO("\ufeff1412.6980\n"))
    assert (from_stdin.format, from_stdin.source) == ("text", "<stdin>")
    assert ids(from_stdin.entries) == ["1412.6980"]


def test_an_explicit_format_overrides_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("See https://arxiv.org/abs/2506.12345 and more prose.\n", encoding="utf-8")
    assert ids(read_reading_list(str(path), "markdown").entries) == ["2506.12345"]
    assert len(read_reading_list(str(path)).invalid) == 1


def test_a_missing_or_unreadable_list_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        read_reading_list(str(tmp_path / "missing.txt"))
    with pytest.raises(BadInputError, match="is a folder"):
        read_reading_list(str(tmp_path))
    binary = tmp_path / "list.txt"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    with pytest.raises(BadInputError, match="not UTF-8"):
        read_reading_list(str(binary))
