"""arXiv's LaTeXML HTML into the same structured text as the LaTeX source."""

from __future__ import annotations

from summarizer.papers.html_text import parse_arxiv_html
from tests import latex_trees


def test_sections_tables_math_and_captions() -> None:
    paper = parse_arxiv_html(latex_trees.arxiv_html())
    assert paper.title == "EviGraph: Evidence Graphs for Multi-Hop Question Answering"
    assert [(s.name, s.heading) for s in paper.sections] == [
        ("abstract", "Abstract"),
        ("introduction", "1 Introduction"),
        ("method", "2 Method"),
        ("experiments", "3 Experiments"),
        ("appendix", "Appendix A Training details"),
    ]
    (table,) = paper.tables
    assert (table.number, table.caption) == ("1", "Main results (EM / F1) on the three benchmarks.")
    assert table.rows == [["Method", "EM", "F1"], ["Dense RAG", "47.3", "60.8"],
                          ["EviGraph", "52.9", "66.1"]]  # fmt: skip
    method = paper.sections[2].text
    assert method.startswith("2.1 Evidence graphs\n\nThe reranker scores a claim $c$ with")
    assert "$$\\operatorname{score}(c)=\\sigma(w^{\\top}h_{c}+b)$$ (1)" in method
    experiments = paper.sections[3].text
    assert (
        "Table 1: Main results (EM / F1) on the three benchmarks.\nMethod | EM | F1" in experiments
    )
    assert "Figure 1: Latency per question." in experiments


def test_citations_and_the_bibliography_are_left_out() -> None:
    text = parse_arxiv_html(latex_trees.arxiv_html()).text
    assert "[1]" not in text
    assert "Lewis" not in text
    assert "References" not in text
    assert "checkable." in text
    assert " ." not in text


def test_a_page_without_latexml_structure_has_no_sections() -> None:
    paper = parse_arxiv_html(
        b"<html><body><p>HTML is not available for the source.</p></body></html>"
    )
    assert paper.sections == []
    assert paper.tables == []
