"""The full-text cascade through the local arXiv server: LaTeX, then HTML, then the PDF."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from summarizer.papers.reader import Clients, read_full_text
from summarizer.papers.text_sources import SourcedDocument, text_source_record
from summarizer.settings import Settings
from tests import latex_trees
from tests.factories import make_paper
from tests.fakes.arxiv_server import FakeArxivServer
from tests.pdfs import paper_pdf

PAPER = make_paper(arxiv_id="2507.00001", version=1)


@pytest.fixture
def read(arxiv_server: FakeArxivServer, tmp_path: Path) -> Iterator[Callable[..., tuple]]:
    arxiv_server.add_pdf("2507.00001", paper_pdf())
    opened: list[Clients] = []

    def run(mode: str = "auto", **extra: object) -> tuple:
        values: dict[str, object] = {
            "home": tmp_path / "home",
            "arxiv_api_url": arxiv_server.api_url,
            "arxiv_pdf_url": f"{arxiv_server.url}/pdf/",
            "arxiv_interval": 0,
            "http_timeout": 2,
            "text_source": mode,
            **extra,
        }
        settings = Settings(**values)  # type: ignore[arg-type]
        clients = Clients(settings)
        opened.append(clients)
        return read_full_text(clients, PAPER, settings, lambda _m: None)

    yield run
    for clients in opened:
        clients.close()


def _paths(server: FakeArxivServer) -> list[str]:
    return [request.path for request in server.requests]


def test_the_latex_source_comes_first_and_is_cached(
    read: Callable[..., tuple], arxiv_server: FakeArxivServer, tmp_path: Path
) -> None:
    arxiv_server.add_eprint("2507.00001", latex_trees.multi_file_eprint())
    document, warnings = read()
    assert isinstance(document, SourcedDocument)
    assert (document.source, document.fallbacks, document.tables, warnings) == ("latex", [], 3, [])
    assert document.sections[3].heading == "3 Experiments"
    assert "EviGraph | 52.9 | 66.1" in document.text
    assert _paths(arxiv_server) == ["/e-print/2507.00001v1"]
    # Cached per server, as the PDFs are.
    assert len(list((tmp_path / "home/cache/eprint").glob("*/2507.00001v1.src"))) == 1
    again, _ = read()
    assert again.text == document.text
    assert len(arxiv_server.requests) == 1


def test_no_source_falls_back_to_the_html_quietly(
    read: Callable[..., tuple], arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.add_html("2507.00001v1", latex_trees.arxiv_html())
    document, warnings = read()
    assert document.source == "html"
    assert document.fallbacks == ["latex: arXiv has none (HTTP 404)"]
    assert warnings == []
    assert text_source_record(document) == {
        "source": "html", "fallbacks": ["latex: arXiv has none (HTTP 404)"],
    }  # fmt: skip
    assert _paths(arxiv_server) == ["/e-print/2507.00001v1", "/html/2507.00001v1"]


def test_none_of_either_reads_the_pdf_and_remembers_the_404s(
    read: Callable[..., tuple], arxiv_server: FakeArxivServer
) -> None:
    document, _ = read()
    assert document.source == "pdf"
    assert document.fallbacks == [
        "latex: arXiv has none (HTTP 404)", "html: arXiv has none (HTTP 404)",
    ]  # fmt: skip
    read()
    assert _paths(arxiv_server) == [
        "/e-print/2507.00001v1", "/html/2507.00001v1", "/pdf/2507.00001v1",
    ]  # the second read asked for nothing: the 404s and the PDF are cached  # fmt: skip


@pytest.mark.parametrize(
    ("eprint", "reason"),
    [
        (latex_trees.traversal_eprint, "names a file outside itself"),
        (latex_trees.symlink_eprint, "holds a link"),
        (latex_trees.bomb_eprint, "decompression bomb"),
        (latex_trees.truncated_eprint, "cut short"),
    ],
    ids=["traversal", "symlink", "bomb", "truncated"],
)
def test_hostile_sources_fall_back_to_the_pdf_saying_why(
    read: Callable[..., tuple],
    arxiv_server: FakeArxivServer,
    tmp_path: Path,
    eprint: Callable[[], bytes],
    reason: str,
) -> None:
    arxiv_server.add_eprint("2507.00001", eprint())
    document, warnings = read()
    assert document.source == "pdf"
    assert reason in document.fallbacks[0]
    assert len(warnings) == 1
    assert "LaTeX source was not used" in warnings[0]
    assert reason in warnings[0]
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert all(name.startswith("home/") for name in written), written
    assert not any("escaped" in name or "passwd" in name for name in written)


@pytest.mark.parametrize(
    ("eprint", "fallback"),
    [
        (latex_trees.plain_pdf_eprint, "latex: arXiv has no source for this paper, only its PDF"),
        (latex_trees.pdf_only_eprint, "latex: the source archive has no TeX file"),
    ],
)
def test_a_pdf_as_the_source(
    read: Callable[..., tuple],
    arxiv_server: FakeArxivServer,
    eprint: Callable[[], bytes],
    fallback: str,
) -> None:
    arxiv_server.add_eprint("2507.00001", eprint())
    document, _ = read("latex")
    assert document.source == "pdf"
    assert document.fallbacks[0].startswith(fallback)
    assert "/html/2507.00001v1" not in _paths(arxiv_server)  # latex: then the PDF only


def test_a_stub_source_is_too_small(
    read: Callable[..., tuple], arxiv_server: FakeArxivServer
) -> None:
    stub = b"\\documentclass{article}\\begin{document}See the PDF.\\end{document}"
    arxiv_server.add_eprint("2507.00001", stub)
    document, warnings = read("latex")
    assert document.source == "pdf"
    assert document.fallbacks[0].startswith("latex: too small (")
    assert "too small" in warnings[0]


def test_pdf_mode_asks_for_the_pdf_only(
    read: Callable[..., tuple], arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.add_eprint("2507.00001", latex_trees.multi_file_eprint())
    document, _ = read("pdf")
    assert (document.source, document.fallbacks) == ("pdf", [])
    assert _paths(arxiv_server) == ["/pdf/2507.00001v1"]


def test_the_html_mode_skips_the_source(
    read: Callable[..., tuple], arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.add_eprint("2507.00001", latex_trees.multi_file_eprint())
    arxiv_server.add_html("2507.00001", latex_trees.arxiv_html())
    document, _ = read("html")
    assert document.source == "html"
    assert _paths(arxiv_server) == ["/html/2507.00001v1"]


def test_source_requests_keep_the_arxiv_spacing(
    read: Callable[..., tuple], arxiv_server: FakeArxivServer
) -> None:
    read(arxiv_interval=0.3)
    times = [request.time for request in arxiv_server.requests]
    assert len(times) == 3
    assert all(later - earlier >= 0.2 for earlier, later in itertools.pairwise(times))


def test_the_sibling_urls_follow_the_pdf_url_unless_set() -> None:
    settings = Settings(home=Path("/h"), arxiv_pdf_url="http://mirror.test/arxiv/pdf/")
    assert settings.arxiv_sibling_url("e-print") == "http://mirror.test/arxiv/e-print/"
    assert Settings(home=Path("/h")).arxiv_sibling_url("html") == "https://arxiv.org/html/"
    own = Settings(home=Path("/h"), arxiv_eprint_url="http://src.test/e/")
    assert own.arxiv_sibling_url("e-print") == "http://src.test/e/"
