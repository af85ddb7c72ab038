"""The number check reads a paper's table cells, and notes say which text they came from."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from summarizer.drafting.factcheck import check_against_source
from summarizer.drafting.pipeline import draft_note
from summarizer.papers.latex_source import flatten
from summarizer.papers.latex_text import parse_latex
from summarizer.papers.tarball import read_source_archive
from summarizer.settings import Settings
from tests import latex_trees
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.pdfs import paper_pdf


def test_every_table_number_of_the_comment_is_in_the_latex_text() -> None:
    text = parse_latex(flatten(read_source_archive(latex_trees.multi_file_eprint())).text).text
    result = check_against_source(latex_trees.TABLE_COMMENT, text)
    assert [claim.text for claim in result.unsupported] == []
    supported = {claim.normalized for claim in result.supported}
    assert set(latex_trees.TABLE_ONLY_NUMBERS) <= supported
    assert {"1", "2", "3"} <= supported  # 表1, 表2, 表3: the tables as the paper numbers them


@pytest.mark.parametrize(
    ("claimed", "cell"),
    [
        ("学習率は0.00002", "learning rate | 2e-5"),
        ("学習率は2×10^-5", "learning rate | 2e-5"),
        ("学習率は0.00002", "learning rate | $2\\times10^{-5}$"),
        ("学習率は0.003", "lr | $3 \\cdot 10^{-3}$"),
        ("1500件", "examples | 1.5E+3"),
    ],
)
def test_scientific_notation_in_a_cell_supports_the_value(claimed: str, cell: str) -> None:
    assert check_against_source(claimed, cell).ok


@pytest.mark.parametrize("pdf_text", ["learning rate 1 × 10\u22125", "epsilon = 10\u22125"])
def test_a_flattened_superscript_after_a_times_or_a_math_minus_is_a_power(pdf_text: str) -> None:
    assert check_against_source("学習率は0.00001", pdf_text).ok


@pytest.mark.parametrize("pdf_text", ["ranges 10-5 and 2-5", "layers 10\u20135"])
def test_a_hyphen_or_dash_after_10_is_not_read_as_a_power(pdf_text: str) -> None:
    # "10-5" may be a range: no guess.
    assert not check_against_source("学習率は0.00001", pdf_text).ok


def _settings(tmp_path: Path, chat: FakeChatServer, arxiv: FakeArxivServer) -> Settings:
    return Settings(
        home=tmp_path / "home",
        base_url=chat.base_url,
        api_key="k",  # type: ignore[arg-type]
        arxiv_api_url=arxiv.api_url,
        arxiv_pdf_url=f"{arxiv.url}/pdf/",
        arxiv_interval=0,
        http_timeout=2,
        model_timeout=5,
        notes_dir=tmp_path / "notes",
    )


def _front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


@pytest.mark.parametrize(
    ("eprint", "source", "fallback"),
    [
        (latex_trees.multi_file_eprint, "latex", None),
        (latex_trees.symlink_eprint, "pdf", "latex: the archive holds a link"),
    ],
    ids=["latex", "hostile"],
)
def test_the_note_says_which_text_the_comment_read(
    tmp_path: Path,
    chat_server: FakeChatServer,
    arxiv_server: FakeArxivServer,
    eprint,
    source: str,
    fallback: str | None,
) -> None:
    default_product_script(chat_server)
    (paper_id,) = arxiv_server.add_generated_papers(1, pdf=paper_pdf())
    arxiv_server.add_eprint(paper_id, eprint())
    result = draft_note(paper_id, _settings(tmp_path, chat_server, arxiv_server))
    front = _front(result.path)
    assert front["full_text"]["source"] == source
    if fallback is None:
        assert "fallbacks" not in front["full_text"]
        assert "comment" not in front.get("unsupported_claims", {})
    else:
        assert front["full_text"]["fallbacks"][0].startswith(fallback)
        assert any("LaTeX source was not used" in w for w in front["warnings"])
    assert sorted(p.name for p in (tmp_path / "notes").iterdir()) == [f"{paper_id}.md"]
