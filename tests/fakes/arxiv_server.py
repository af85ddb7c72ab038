"""A fake of the arXiv API (export.arxiv.org) and of arXiv's PDF download URLs.

``GET /api/query?id_list=...`` answers with an Atom feed in the exact format of
the current arXiv API, composed from the ``<entry>`` blocks of the fictional
fixture feeds in ``tests/fixtures/arxiv_api/`` plus entries registered with
:meth:`FakeArxivServer.add_entry` (see :func:`make_entry`).  Like the real API
it answers HTTP 400 with an ``Error`` entry for a malformed ID and an empty
feed (``totalResults`` 0) for a well-formed ID it does not know.

``GET /pdf/<id>`` and ``/pdf/<id>.pdf`` serve bytes registered with
:meth:`FakeArxivServer.add_pdf`; ``GET /e-print/<id>`` (the LaTeX source) and
``/html/<id>`` (arXiv's LaTeXML page) those registered with
:meth:`FakeArxivServer.add_eprint` and :meth:`FakeArxivServer.add_html`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from tests.fakes.server import FakeServer, RecordedRequest, Response

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "FIXTURE_DIR",
    "FakeArxivServer",
    "compose_feed",
    "make_entry",
    "parse_arxiv_id",
]

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv_api"
ERROR_TEMPLATE = "error_400.xml"

# What the fake accepts in id_list: new-style 2506.12345(v3) / 1412.6980 and
# old-style hep-th/9901001(v2) or math.AG/0101001.  Anything else gets the 400.
_NEW_STYLE = r"\d{4}\.\d{4,5}"
_OLD_STYLE = r"[a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_ID_RE = re.compile(rf"(?P<base>{_NEW_STYLE}|{_OLD_STYLE})(?:v(?P<version>\d+))?")

_ENTRY_RE = re.compile(r"<entry>.*?</entry>", re.DOTALL)
_ENTRY_ID_RE = re.compile(r"<id>http://arxiv\.org/abs/(?P<id>[^<]+)</id>")
_PDF_PATH_RE = re.compile(r"/pdf/(?P<id>.+?)(?:\.pdf)?/?")
_SOURCE_PATH_RE = re.compile(r"/(?P<kind>e-print|html)/(?P<id>.+?)/?")

_ATOM_SCHEME = "http://arxiv.org/schemas/atom"

# The abstract of every generated paper: a fictional evidence-graph method whose
# numbers and names are those the product script's replies mention.
GENERATED_ABSTRACT = (
    "We study EviGraph-style retrieval-augmented generation (RAG) for multi-hop question "
    "answering with large language models (LLMs). Retrieved passages become an evidence "
    "graph of sentence-level claims; a reranker keeps a connected subgraph of at most 12 "
    "claims. On HotpotQA, 2WikiMultiHopQA and MuSiQue the method gains 4.2 points of exact "
    "match with an 8B backbone and raises citation precision from 61.3% to 78.9%, adding "
    "35 ms per question and cutting prompts by 41%."
)
_FEED_CONTENT_TYPE = "application/atom+xml"
_DEFAULT_MAX_RESULTS = 10  # the real API's default

_FEED_HEAD = """\
<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" \
xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/{feed_id}</id>
  <title>arXiv Query: search_query={search}&amp;id_list={ids}&amp;start={start}\
&amp;max_results={max_results}</title>
  <updated>{updated}</updated>
  <link href="https://arxiv.org/api/query?search_query={search}&amp;start={start}\
&amp;max_results={max_results}&amp;id_list={ids}" type="application/atom+xml"/>
  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
"""

_HTML_PAGE = """\
<!DOCTYPE html>
<html lang="en"><head><title>{status} {reason}</title></head>
<body><h1>{reason}</h1><p>{message}</p></body></html>
"""

_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}

AuthorSpec = str | tuple[str, ...]
"""An author: ``"Name"`` or ``("Name", "Affiliation", ...)``."""


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Split ``2506.12345v3`` into ``("2506.12345", 3)``; ``None`` if not an arXiv ID."""
    match = _ID_RE.fullmatch(text)
    if match is None:
        return None
    version = match.group("version")
    return match.group("base"), int(version) if version else None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp(value: str | datetime) -> str:
    """Atom timestamp as arXiv writes it; a bare date gets midnight UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value}T00:00:00Z" if len(value) == 10 else value


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def make_entry(
    arxiv_id: str,
    version: int,
    title: str,
    authors: Sequence[AuthorSpec],
    abstract: str,
    published: str | datetime,
    updated: str | datetime,
    primary_category: str = "cs.CL",
    categories: Sequence[str] = (),
    comment: str | None = None,
    journal_ref: str | None = None,
    doi: str | None = None,
) -> str:
    """An ``<entry>`` element in the exact layout of the current arXiv API.

    ``arxiv_id`` is versionless (``2506.12345`` or ``hep-th/9901001``).  Text is
    XML-escaped but otherwise kept verbatim, so hard line breaks or leading
    spaces in ``title``/``abstract`` reach the client like arXiv's do.
    ``categories`` defaults to just the primary one, which always comes first.
    The result starts with ``<entry>`` and ends with ``</entry>`` (inner lines
    indented as inside a feed); pass it to :meth:`FakeArxivServer.add_entry`.
    """
    versioned = f"{arxiv_id}v{version}"
    all_categories = [primary_category, *(c for c in categories if c != primary_category)]
    lines = [
        "<entry>",
        f"    <id>http://arxiv.org/abs/{versioned}</id>",
        f"    <title>{escape(title)}</title>",
        f"    <updated>{_timestamp(updated)}</updated>",
        f'    <link href="https://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{versioned}" rel="related"'
        ' type="application/pdf" title="pdf"/>',
        f"    <summary>{escape(abstract)}</summary>",
        *(f'    <category term="{_attr(c)}" scheme="{_ATOM_SCHEME}"/>' for c in all_categories),
        f"    <published>{_timestamp(published)}</published>",
    ]
    if comment is not None:
        lines.append(f"    <arxiv:comment>{escape(comment)}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{_attr(primary_category)}"/>')
    if journal_ref is not None:
        lines.append(f"    <arxiv:journal_ref>{escape(journal_ref)}</arxiv:journal_ref>")
    for author in authors:
        name, *affiliations = (author,) if isinstance(author, str) else author
        lines.append("    <author>")
        lines.append(f"      <name>{escape(name)}</name>")
        lines.extend(
            f"      <arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations
        )
        lines.append("    </author>")
    if doi is not None:
        lines.append(f"    <arxiv:doi>{escape(doi)}</arxiv:doi>")
        lines.append(f'    <link rel="related" href="https://doi.org/{_attr(doi)}" title="doi"/>')
    lines.append("  </entry>")
    return "\n".join(lines)


def compose_feed(
    entries: Iterable[str],
    id_list: str = "",
    search_query: str = "",
    start: int = 0,
    max_results: int = _DEFAULT_MAX_RESULTS,
    total: int | None = None,
    updated: str | None = None,
) -> str:
    """A whole feed document around ``entries`` with the real API's header.

    The feed ``<id>`` is derived from the query (arXiv's is an opaque hash too)
    so the same request always gets the same id.
    """
    entries = list(entries)
    query = f"search_query={search_query}&id_list={id_list}&start={start}&max_results={max_results}"
    digest = base64.b64encode(hashlib.sha1(query.encode("utf-8")).digest()).decode("ascii")
    head = _FEED_HEAD.format(
        feed_id=digest.rstrip("="),
        search=escape(search_query),
        ids=escape(id_list),
        start=start,
        max_results=max_results,
        total=len(entries) if total is None else total,
        updated=updated or _now(),
    )
    return head + "".join(f"  {entry}\n" for entry in entries) + "</feed>\n"


@dataclass(frozen=True)
class _Entry:
    """A stored entry: versionless id, its version and the ``<entry>`` XML."""

    base: str
    version: int
    xml: str

    def as_version(self, version: int) -> str:
        """The entry with its id and abs/pdf links pointing at ``version``."""
        if version == self.version:
            return self.xml
        pattern = re.compile(rf"(arxiv\.org/(?:abs|pdf)/{re.escape(self.base)})v{self.version}\b")
        return pattern.sub(rf"\g<1>v{version}", self.xml)


def _parse_entry(xml: str) -> _Entry:
    xml = xml.strip()
    id_match = _ENTRY_ID_RE.search(xml)
    parsed = parse_arxiv_id(id_match.group("id")) if id_match else None
    if not (xml.startswith("<entry>") and xml.endswith("</entry>")) or parsed is None:
        raise ValueError(f"not an arXiv <entry> with a versioned abs id: {xml[:120]!r}")
    base, version = parsed
    if version is None:
        raise ValueError(f"entry id must be versioned (…v1): {xml[:120]!r}")
    return _Entry(base=base, version=version, xml=xml)


@functools.lru_cache(maxsize=4)
def _load_fixtures(directory: Path) -> tuple[tuple[_Entry, ...], str]:
    """Entries of every fixture feed plus the error template, read once per process."""
    entries: list[_Entry] = []
    for path in sorted(directory.glob("*.xml")):
        if path.name == ERROR_TEMPLATE:
            continue
        text = path.read_text(encoding="utf-8")
        entries.extend(_parse_entry(block) for block in _ENTRY_RE.findall(text))
    template = (directory / ERROR_TEMPLATE).read_text(encoding="utf-8")
    return tuple(entries), template


@dataclass(frozen=True)
class _Query:
    """The parameters of one ``/api/query`` request (GET query or POST form)."""

    id_list: str
    search_query: str
    start: int
    max_results: int

    @classmethod
    def from_request(cls, request: RecordedRequest) -> _Query:
        params = dict(request.query)
        if request.method == "POST":  # the real API also accepts form-encoded POSTs
            params.update(parse_qs(request.body.decode("utf-8"), keep_blank_values=True))

        def first(name: str) -> str:
            return params.get(name, [""])[0]

        def number(name: str, default: int) -> int:
            # The real API rejects non-integers; falling back is enough for a fake.
            try:
                return max(0, int(first(name)))
            except ValueError:
                return default

        return cls(
            id_list=first("id_list"),
            search_query=first("search_query"),
            start=number("start", 0),
            max_results=number("max_results", _DEFAULT_MAX_RESULTS),
        )

    def feed(self, found: list[str]) -> str:
        """The feed answering this query, given all matching entries."""
        page = found[self.start : self.start + self.max_results]
        return compose_feed(
            page, self.id_list, self.search_query, self.start, self.max_results, total=len(found)
        )


class FakeArxivServer(FakeServer):
    """The arXiv query API (``/api/query``) and PDF URLs (``/pdf/<id>``)."""

    def __init__(self, port: int = 0, fixture_dir: Path = FIXTURE_DIR) -> None:
        """Loads every ``*.xml`` feed in ``fixture_dir`` as known entries."""
        super().__init__(port)
        fixture_entries, self._error_template = _load_fixtures(fixture_dir)
        self._entries: dict[str, _Entry] = {e.base: e for e in fixture_entries}
        self._pdfs: dict[str, bytes] = {}
        self._sources: dict[str, dict[str, bytes]] = {"e-print": {}, "html": {}}
        self._data_lock = threading.Lock()
        # Fault mode: this many API queries get 200 with an HTML page (arXiv's
        # maintenance page, a captive portal) instead of an Atom feed.
        self.html_pages = 0

    @property
    def api_url(self) -> str:
        """The query endpoint, like ``https://export.arxiv.org/api/query``."""
        return f"{self.url}/api/query"

    @property
    def known_ids(self) -> list[str]:
        """Versionless IDs with an entry (fixtures and added ones)."""
        with self._data_lock:
            return sorted(self._entries)

    def add_entry(self, xml_entry: str) -> str:
        """Register (or replace) an entry, e.g. from :func:`make_entry`; returns its base id."""
        entry = _parse_entry(xml_entry)
        with self._data_lock:
            self._entries[entry.base] = entry
        return entry.base

    def add_generated_papers(
        self, count: int, *, first: int = 1, pdf: bytes | None = None
    ) -> list[str]:
        """Register ``count`` fictional papers ``2507.00001``, ``2507.00002``, … (from
        ``first``), each with its own title; serve ``pdf`` for each when given.

        Their abstracts state the facts of the product script's replies
        (:mod:`tests.fakes.product`), so drafts of them pass the fact check.
        """
        ids = []
        for number in range(first, first + count):
            arxiv_id = f"2507.{number:05d}"
            self.add_entry(
                make_entry(
                    arxiv_id,
                    1,
                    f"Generated Paper {number}: Evidence Graphs for Multi-Hop QA, Part {number}",
                    [f"Author {number}", "Second Author"],
                    GENERATED_ABSTRACT,
                    "2025-07-01",
                    "2025-07-01",
                )
            )
            if pdf is not None:
                self.add_pdf(arxiv_id, pdf)
            ids.append(arxiv_id)
        return ids

    def add_pdf(self, arxiv_id: str, data: bytes) -> None:
        """Serve ``data`` at ``/pdf/<id>``; a versionless id serves every version."""
        if parse_arxiv_id(arxiv_id) is None:
            raise ValueError(f"not an arXiv id: {arxiv_id!r}")
        with self._data_lock:
            self._pdfs[arxiv_id] = data

    def add_eprint(self, arxiv_id: str, data: bytes) -> None:
        """Serve ``data`` (a tarball, gzipped .tex or PDF) at ``/e-print/<id>``."""
        self._add_source("e-print", arxiv_id, data)

    def add_html(self, arxiv_id: str, data: bytes) -> None:
        """Serve ``data`` as arXiv's HTML rendering at ``/html/<id>``."""
        self._add_source("html", arxiv_id, data)

    def _add_source(self, kind: str, arxiv_id: str, data: bytes) -> None:
        if parse_arxiv_id(arxiv_id) is None:
            raise ValueError(f"not an arXiv id: {arxiv_id!r}")
        with self._data_lock:
            self._sources[kind][arxiv_id] = data

    # --- FakeServer hooks ------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Response:
        """Route ``/api/query`` and ``/pdf/<id>``; anything else is a 404 page."""
        if request.path.rstrip("/") == "/api/query":
            with self._data_lock:
                outage, self.html_pages = self.html_pages > 0, max(self.html_pages - 1, 0)
            if outage:
                page = _HTML_PAGE.format(status=200, reason="OK", message="Down for maintenance")
                return Response.of_text(page, content_type="text/html")
            return self._query(request)
        pdf = _PDF_PATH_RE.fullmatch(request.path)
        if pdf is not None and request.method == "GET":
            return self._pdf(pdf.group("id"))
        source = _SOURCE_PATH_RE.fullmatch(request.path)
        if source is not None and request.method == "GET":
            return self._source(source.group("kind"), source.group("id"))
        return self.error_response(404, f"{request.path} was not found on this server.")

    def error_response(self, status: int, message: str) -> Response:
        """A short HTML page, like arXiv's front end sends for 4xx/5xx."""
        reason = _REASONS.get(status, "Error")
        page = _HTML_PAGE.format(status=status, reason=reason, message=escape(message))
        return Response.of_text(page, status=status, content_type="text/html")

    def malformed_response(self, request: RecordedRequest) -> Response:
        """200 feed cut inside an element and followed by garbage (not well-formed)."""
        head = _Query.from_request(request).feed([]).rsplit("</feed>", 1)[0]
        broken = head + "  <entry>\n    <id>http://arxiv.org/abs/2506.12345v3</id>\n    <title>Evi"
        broken += "\x00<<garbage &&& ]]>"
        return Response.of_text(broken, content_type=_FEED_CONTENT_TYPE)

    def empty_response(self, request: RecordedRequest) -> Response:
        """The valid feed this request would get, with zero entries."""
        return self._query(request, force_empty=True)

    # --- internals -------------------------------------------------------------

    def _query(self, request: RecordedRequest, force_empty: bool = False) -> Response:
        query = _Query.from_request(request)
        found: list[str] = []
        for raw in (part for part in query.id_list.split(",") if part):
            parsed = parse_arxiv_id(raw)
            if parsed is None:
                return self._id_format_error(raw)
            entry_xml = self._lookup(*parsed)
            if entry_xml is not None and not force_empty:
                found.append(entry_xml)
        return Response.of_text(query.feed(found), content_type=_FEED_CONTENT_TYPE)

    def _lookup(self, base: str, version: int | None) -> str | None:
        with self._data_lock:
            entry = self._entries.get(base)
        if entry is None or (version is not None and version > entry.version):
            return None  # arXiv silently omits IDs it does not have
        return entry.as_version(version) if version is not None else entry.xml

    def _id_format_error(self, raw_id: str) -> Response:
        body = self._error_template.replace("{id}", escape(raw_id)).replace("{updated}", _now())
        return Response.of_text(body, status=400, content_type=_FEED_CONTENT_TYPE)

    def _source(self, kind: str, raw_id: str) -> Response:
        """An exact-version registration first, then a versionless one; else arXiv's 404."""
        parsed = parse_arxiv_id(raw_id)
        with self._data_lock:
            store = self._sources[kind]
            data = store.get(raw_id) or (store.get(parsed[0]) if parsed else None)
        if data is None:
            return self.error_response(404, f"No {kind} for {raw_id}")
        if kind == "html":
            return Response(body=data, content_type="text/html; charset=utf-8")
        return Response(body=data, content_type="application/x-eprint-tar")

    def _pdf(self, raw_id: str) -> Response:
        parsed = parse_arxiv_id(raw_id)
        data: bytes | None = None
        if parsed is not None:
            base, version = parsed
            with self._data_lock:
                # Exact version first, then a versionless registration, then (for a
                # versionless request) the newest registered version.
                data = self._pdfs.get(raw_id)
                if data is None:
                    data = self._pdfs.get(base)
                if data is None and version is None:
                    registered = (parse_arxiv_id(key) for key in self._pdfs)
                    versions = [p for p in registered if p and p[0] == base and p[1]]
                    if versions:
                        newest = max(versions, key=lambda p: p[1] or 0)
                        data = self._pdfs[f"{newest[0]}v{newest[1]}"]
        if data is None:
            return self.error_response(404, f"Paper {raw_id} not found")
        return Response(body=data, content_type="application/pdf")
