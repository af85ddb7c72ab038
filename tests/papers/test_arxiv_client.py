"""The arXiv client against a real local HTTP server, faults included."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from summarizer.errors import ArxivRejectedQueryError, ArxivUnavailableError, PaperNotFoundError
from summarizer.papers.arxiv import ArxivClient
from summarizer.papers.metadata_cache import MetadataCache
from summarizer.papers.refs import PaperRef, parse_reference
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.server import Fault


class FakeClock:
    """Time that passes only when the client sleeps, so waits are checked without waiting."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps(clock: FakeClock) -> list[float]:
    return clock.sleeps


@pytest.fixture
def client(arxiv_server: FakeArxivServer, clock: FakeClock) -> Iterator[ArxivClient]:
    with ArxivClient(
        arxiv_server.api_url,
        min_interval=3.0,
        max_attempts=4,
        timeout=1.0,
        sleep=clock.sleep,
        clock=clock.time,
    ) as arxiv:
        yield arxiv


def test_fetches_and_normalises_metadata(client: ArxivClient) -> None:
    paper = client.fetch(parse_reference("https://arxiv.org/abs/2506.12345"))
    assert paper.arxiv_id == "2506.12345"
    assert paper.version == 3
    assert paper.title == (
        "EviGraph: Evidence-Graph Retrieval for Faithful Multi-Hop Question Answering with "
        "Large Language Models"
    )
    assert paper.authors[0] == "Mariko Tanabe"
    assert "Jürgen Weiß" in paper.authors
    assert len(paper.authors) == 4
    assert "\n" not in paper.abstract
    assert "  " not in paper.abstract
    assert "<3 and >=3 hops" in paper.abstract  # XML entities decoded
    assert paper.published == datetime(2025, 6, 14, 9, 31, 5, tzinfo=UTC)
    assert paper.updated.date().isoformat() == "2025-09-02"
    assert paper.primary_category == "cs.CL"
    assert paper.categories == ["cs.CL", "cs.AI"]
    assert paper.comment == "Accepted at ACL 2025. 9 pages, 4 figures"
    assert paper.doi == "10.5555/evigraph.2025.0612"


def test_old_style_id_and_journal_ref(client: ArxivClient) -> None:
    paper = client.fetch(parse_reference("hep-th/9901001"))
    assert paper.arxiv_id == "hep-th/9901001"
    assert paper.journal_ref
    assert paper.published.year == 1999


def test_versioned_request_returns_that_version(
    client: ArxivClient, arxiv_server: FakeArxivServer
) -> None:
    paper = client.fetch(parse_reference("2506.12345v2"))
    assert paper.version == 2
    assert arxiv_server.requests[-1].param("id_list") == "2506.12345v2"


def test_requests_are_spaced_by_the_interval(arxiv_server: FakeArxivServer) -> None:
    with ArxivClient(arxiv_server.api_url, min_interval=0.2) as client:
        client.fetch(PaperRef("2506.12345"))
        client.fetch(PaperRef("2401.00001"))
        client.fetch(PaperRef("1412.6980"))
    times = [request.time for request in arxiv_server.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.19 for gap in gaps), gaps


def test_spacing_is_shared_across_clients_through_the_state_file(
    arxiv_server: FakeArxivServer, tmp_path: Path
) -> None:
    state = tmp_path / "last-request"
    for arxiv_id in ("2506.12345", "2401.00001"):
        # Two separate clients, as two separate `summarize` processes would have.
        with ArxivClient(arxiv_server.api_url, min_interval=0.3, rate_state_file=state) as client:
            client.fetch(PaperRef(arxiv_id))
    first, second = (request.time for request in arxiv_server.requests)
    assert second - first >= 0.29


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=503),
        Fault(status=500),
        Fault(truncate=True),
        Fault(malformed=True),
        Fault(empty=True),
        Fault(delay=1.5),
    ],
    ids=["503", "500", "truncated", "malformed", "empty-feed", "timeout"],
)
def test_transient_faults_are_retried(
    client: ArxivClient, arxiv_server: FakeArxivServer, sleeps: list[float], fault: Fault
) -> None:
    arxiv_server.inject(fault, fault)
    paper = client.fetch(PaperRef("2506.12345"))
    assert paper.version == 3
    assert len(arxiv_server.requests) == 3
    # Exponential backoff from the politeness interval: 3 s, then 6 s.
    assert sleeps == [3.0, 6.0]


def test_429_honours_retry_after(
    client: ArxivClient, arxiv_server: FakeArxivServer, sleeps: list[float]
) -> None:
    arxiv_server.inject(Fault(status=429, retry_after=20))
    client.fetch(PaperRef("2506.12345"))
    assert sleeps == [20.0]


def test_429_with_an_absurd_retry_after_fails_at_once(
    client: ArxivClient, arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.inject(Fault(status=429, retry_after=3600))
    with pytest.raises(ArxivUnavailableError, match="asked to wait 3600 s"):
        client.fetch(PaperRef("2506.12345"))
    assert len(arxiv_server.requests) == 1


def test_persistent_failure_gives_up_after_the_attempt_budget(
    client: ArxivClient, arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.inject(*[Fault(status=503)] * 4)
    with pytest.raises(ArxivUnavailableError, match="after 4 attempt") as caught:
        client.fetch(PaperRef("2506.12345"))
    assert caught.value.exit_code == 1
    assert "HTTP 503" in str(caught.value)


def test_unknown_id_is_not_found_after_a_few_tries(
    client: ArxivClient, arxiv_server: FakeArxivServer
) -> None:
    with pytest.raises(PaperNotFoundError, match=r"2507\.99999") as caught:
        client.fetch(PaperRef("2507.99999"))
    assert caught.value.exit_code == 2
    assert len(arxiv_server.requests) == 3


def test_version_that_does_not_exist_is_not_found(client: ArxivClient) -> None:
    with pytest.raises(PaperNotFoundError, match=r"2506\.12345v9"):
        client.fetch(parse_reference("2506.12345v9"))


def test_arxiv_rejection_is_bad_input_and_not_retried(
    client: ArxivClient, arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.inject(Fault(status=400))
    with pytest.raises(ArxivRejectedQueryError, match="arXiv rejected the ID") as caught:
        client.fetch(PaperRef("2506.12345"))
    assert caught.value.exit_code == 2
    assert len(arxiv_server.requests) == 1


def test_other_client_errors_are_not_retried(
    client: ArxivClient, arxiv_server: FakeArxivServer
) -> None:
    arxiv_server.inject(Fault(status=403))
    with pytest.raises(ArxivUnavailableError, match="HTTP 403"):
        client.fetch(PaperRef("2506.12345"))
    assert len(arxiv_server.requests) == 1


def test_cache_makes_a_rerun_free(arxiv_server: FakeArxivServer, tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path)
    with ArxivClient(arxiv_server.api_url, min_interval=0, cache=cache) as client:
        first = client.fetch(PaperRef("2506.12345"))
        second = client.fetch(PaperRef("2506.12345"))
        by_version = client.fetch(PaperRef("2506.12345", 3))
    assert first == second == by_version
    assert len(arxiv_server.requests) == 1


def test_damaged_cache_entry_is_refetched(arxiv_server: FakeArxivServer, tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path)
    with ArxivClient(arxiv_server.api_url, min_interval=0, cache=cache) as client:
        client.fetch(PaperRef("2506.12345"))
        (entry,) = tmp_path.rglob("2506.12345.json")
        entry.write_text('{"fetched_at": "x", "pap', "utf-8")
        assert client.fetch(PaperRef("2506.12345")).version == 3
    assert len(arxiv_server.requests) == 2
    # Moved aside, not lost: the damaged entry can be looked at.
    assert len(list(entry.parent.glob("2506.12345.json.corrupt-*"))) == 1


def test_the_cache_is_kept_per_server(arxiv_server: FakeArxivServer, tmp_path: Path) -> None:
    """Fake, mirror and real answers never mix: another API URL does not hit this cache."""
    cache = MetadataCache(tmp_path)
    with ArxivClient(arxiv_server.api_url, min_interval=0, cache=cache) as client:
        client.fetch(PaperRef("2506.12345"))
    mirror = arxiv_server.api_url.replace("127.0.0.1", "localhost")
    with ArxivClient(mirror, min_interval=0, cache=cache) as client:
        client.fetch(PaperRef("2506.12345"))
    assert len(arxiv_server.requests) == 2
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2


def test_a_200_that_is_not_atom_is_an_outage_not_a_missing_paper(
    arxiv_server: FakeArxivServer,
) -> None:
    arxiv_server.html_pages = 10
    with (
        ArxivClient(arxiv_server.api_url, min_interval=0, max_attempts=2) as client,
        pytest.raises(ArxivUnavailableError, match=r"arXiv is unavailable \(HTTP 200, text/html\)"),
    ):
        client.fetch(PaperRef("2506.12345"))
    assert len(arxiv_server.requests) == 2


def test_connection_refused_is_a_remote_failure(clock: FakeClock) -> None:
    client = ArxivClient(
        "http://127.0.0.1:9/api/query", max_attempts=2, sleep=clock.sleep, clock=clock.time
    )
    with client, pytest.raises(ArxivUnavailableError, match="connection failed"):
        client.fetch(PaperRef("2506.12345"))
