"""LaTeX source trees into structured text: main file, inputs, macros, sections, tables."""

from __future__ import annotations

import re

import pytest

from summarizer.papers.latex_source import (
    NoMainFileError,
    expand_macros,
    find_main_file,
    flatten,
    strip_comments,
)
from summarizer.papers.latex_text import parse_latex
from summarizer.papers.tarball import SourceFiles, read_source_archive
from tests import latex_trees


def _paper(eprint: bytes):
    return parse_latex(flatten(read_source_archive(eprint)).text)


def test_the_multi_file_paper_keeps_its_structure() -> None:
    paper = _paper(latex_trees.multi_file_eprint())
    assert [(s.name, s.heading) for s in paper.sections] == [
        ("abstract", "Abstract"),
        ("introduction", "1 Introduction"),
        ("method", "2 Method"),
        ("experiments", "3 Experiments"),
        ("conclusion", "4 Conclusion"),
        ("appendix", "A Training details"),
    ]
    assert paper.title == "EviGraph: Evidence Graphs for Multi-Hop Question Answering"
    assert paper.abstract is not None
    assert paper.abstract.startswith("We study EviGraph-style")
    method = paper.sections[2].text
    assert "2.1 Evidence graphs" in method
    assert "2.2 Generation" in method


def test_tables_come_out_as_rows_of_cells_under_their_numbered_caption() -> None:
    paper = _paper(latex_trees.multi_file_eprint())
    main, ablation, hyper = paper.tables
    assert (main.number, main.caption) == ("1", "Main results (EM / F1) on the three benchmarks.")
    assert main.rows[1] == ["Method", "EM", "F1", "EM", "F1", "EM", "F1"]
    assert main.rows[3] == ["EviGraph", "52.9", "66.1", "48.5", "55.9", "26.0", "35.3"]
    assert ablation.rows[-1] == ["without entity edges", "50.6"]
    assert hyper.number == "3"
    assert ["batch size", "64"] in hyper.rows
    experiments = paper.sections[3].text
    assert "Table 2: Ablation on HotpotQA (EM).\nVariant | EM\nEviGraph | 52.9" in experiments
    assert "Figure 1: Latency per question; the reranker adds 35 ms." in experiments


def test_references_macros_math_citations_and_comments() -> None:
    text = _paper(latex_trees.multi_file_eprint()).text
    assert "Section 2 describes the graph and Section 3 the experiments" in text
    assert "Table 1 holds the main results" in text
    assert "$${\\operatorname{score}}(c) = \\sigma\\left(w^\\top h_c + b \\right),$$ (1)" in text
    assert "Equation (1) is" in text
    assert "EviGraph-R variant" in text  # \def\ours{\method-R}, expanded twice
    assert "does not support their answer." in text  # \cite dropped, no " ." left
    for gone in ("99.9", "reviewers asked", "lewis2020", "Retrieval-augmented generation. 2020"):
        assert gone not in text
    assert not re.search(r"\\[a-zA-Z]+", re.sub(r"\$\$.*?\$\$|\$[^$]*\$", "", text))


@pytest.mark.parametrize(
    "eprint", [latex_trees.single_tex_eprint, latex_trees.two_candidates_eprint]
)
def test_other_shapes_read_the_same_paper(eprint) -> None:
    paper = _paper(eprint())
    assert [s.name for s in paper.sections][:4] == [
        "abstract", "introduction", "method", "experiments",
    ]  # fmt: skip
    assert len(paper.tables) == 2


def test_the_main_file_is_the_one_named_after_the_bbl_not_the_letter() -> None:
    tree = read_source_archive(latex_trees.two_candidates_eprint())
    assert find_main_file(tree) == "acl2024.tex"


def test_an_included_file_with_a_documentclass_is_not_the_main_file() -> None:
    tree = SourceFiles(
        {
            "a.tex": b"\\documentclass{article}\\begin{document}\\input{b}\\end{document}",
            "b.tex": b"\\documentclass[../a]{subfiles}\\begin{document}Body.\\end{document}",
        }
    )
    assert find_main_file(tree) == "a.tex"


def test_no_documentclass_is_no_main_file() -> None:
    with pytest.raises(NoMainFileError):
        find_main_file(SourceFiles({"notes.tex": b"Just text."}))


def test_missing_and_cyclic_inputs_are_listed_not_fatal() -> None:
    tree = SourceFiles(
        {
            "main.tex": b"\\documentclass{article}\\begin{document}"
            b"\\input{gone}\\input{loop}\\end{document}",
            "loop.tex": b"Loop \\input{loop}",
        }
    )
    flat = flatten(tree)
    assert flat.missing_inputs == ["gone", "loop"]
    assert "Loop" in flat.text


def test_comments_keep_escaped_percent_and_iffalse_keeps_its_else() -> None:
    text = "50\\% done % a comment\n\\iffalse old \\ifx a b \\fi \\else new \\fi end"
    assert strip_comments(text) == "50\\% done \n new  end"


def test_macros_with_arguments_and_defaults() -> None:
    text = (
        "\\newcommand{\\sota}[2][EM]{#2 (#1)}\\newcommand\\x{X}\\sota{52.9} \\sota[F1]{66.1} \\x y"
    )
    expanded, count = expand_macros(text)
    assert count == 2
    assert expanded == "52.9 (EM) 66.1 (F1) {X} y"


def test_a_self_referencing_macro_stops() -> None:
    expanded, _ = expand_macros("\\def\\loop{a\\loop}\\loop")
    assert expanded.count("a") == 6


def test_redefined_structure_commands_keep_their_meaning() -> None:
    text = "\\renewcommand{\\section}[1]{\\textbf{#1}}\\section{Intro}"
    assert expand_macros(text)[0] == "\\section{Intro}"
