"""Parse the arXiv references researchers paste: URLs, IDs, ``arXiv:`` citations and DOIs.

Everything the CLI accepts as "a paper" goes through :func:`parse_reference`, which
turns it into a :class:`PaperRef` carrying the canonical, versionless ID and the
version when one was given.  Anything that is not exactly one arXiv reference is
rejected with :class:`~summarizer.errors.InvalidReferenceError` and a short reason,
so the user learns what to fix before any request is made.

Identifier rules follow arXiv's own (https://info.arxiv.org/help/arxiv_identifier.html):

* new style, from April 2007: ``YYMM.NNNN`` up to 1412, ``YYMM.NNNNN`` from 1501;
* old style, August 1991 to March 2007: ``archive[.SC]/YYMMNNN`` (``hep-th/9901001``,
  ``math.GT/0309136``);
* either may carry a version suffix ``vN`` with N >= 1.

This module is imported on the CLI's fast path, so it uses the standard library only.

Length: one grammar.  A third of the module is the tables and patterns of arXiv's
identifier rules (archives, date ranges, hosts, URL paths), which the parsing
functions below read together; split, they would only export each other's
internals.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from summarizer.errors import InvalidReferenceError

log = logging.getLogger(__name__)

__all__ = ["PaperRef", "find_references", "is_arxiv_reference", "parse_reference"]

# Archives that issued old-style IDs.  The old scheme was frozen in March 2007, so this
# list is complete; it lets us reject "foo/9901001" here rather than after a round trip
# to arXiv, and keeps find_references from reporting "and/0101001" in prose.
# fmt: off
_OLD_ARCHIVES = frozenset({
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
    "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
    "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin",
    "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph",
    "solv-int", "supr-con",
})
# fmt: on

_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_URL_HOSTS = _ARXIV_HOSTS | _DOI_HOSTS

# arXiv's DataCite prefix; DOIs under any other prefix name something else.
_ARXIV_DOI_PREFIX = "10.48550"

# First and last (year, month) of each scheme.
_NEW_STYLE_START = (2007, 4)
_FIVE_DIGIT_START = (2015, 1)
_OLD_STYLE_START = (1991, 8)
_OLD_STYLE_END = (2007, 3)

# Nothing longer can be a reference; refusing early keeps error messages readable.
_MAX_LENGTH = 2048

# Japanese IMEs in full-width mode produce "ａｒＸｉｖ：２５０６．１２３４５".
# Folding full-width ASCII (U+FF01..U+FF5E) and the ideographic space to ASCII is a
# one-to-one character map, so offsets reported by find_references stay valid.
_FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TO_ASCII[0x3000] = ord(" ")

# str.strip() leaves these alone, but copying from web pages and PDFs brings them along.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"

# The ID grammar is deliberately looser than arXiv's so that near misses ("2506.1234",
# "2513.12345", "hep-th/99010", "2506.12345v0") reach _parse_id and get a precise reason
# instead of a generic "unrecognised form".  re.ASCII keeps \d-like classes from
# matching other scripts' digits.
_ID_RE = re.compile(
    r"""
    (?:
        (?P<yymm>[0-9]+)\.(?P<seq>[0-9]+)                       # new style: 2506.12345
      | (?P<archive>[A-Za-z]+(?:-[A-Za-z]+)?)                   # old style: hep-th
        (?:\.(?P<subject>[A-Za-z]+))?                           #   optional class: .GT
        /(?P<number>[0-9]+)                                     #   /9901001
    )
    (?:(?P<v>[vV])(?P<version>[0-9]+))?
    """,
    re.VERBOSE | re.ASCII,
)

# "arXiv:2506.12345", "arxiv: 2506.12345v2" (the PDF stamp and most bibliographies).
_ARXIV_PREFIX_RE = re.compile(r"arxiv:[ \t]*(?P<rest>.*)", re.IGNORECASE | re.DOTALL)

# "10.48550/arXiv.2506.12345", optionally written "doi:10.48550/...".
_DOI_RE = re.compile(r"(?:doi:[ \t]*)?(?P<doi>10\.[0-9]+/.*)", re.IGNORECASE | re.DOTALL | re.ASCII)
_ARXIV_DOI_SUFFIX_RE = re.compile(r"arxiv\.(?P<id>.+)", re.IGNORECASE | re.DOTALL)

# Split a URL with or without a scheme.  Hand-rolled rather than urllib.parse.urlsplit
# because urlsplit cannot tell "arxiv.org/abs/..." (host first) from a relative path.
_SCHEME_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://", re.ASCII)
_URL_RE = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?P<host>[^/?#]*)"
    r"(?P<path>[^?#]*)"
    r"(?:\?[^#]*)?"  # query (?context=cs) is ignored
    r"(?:#.*)?",  # and so is the fragment
    re.ASCII | re.DOTALL,
)
# /abs/<id>, /pdf/<id>[.pdf], /html/<id>, each with an optional trailing slash.  An
# old-style ID spans two segments; anything deeper ("/../x") does not match.
_ARXIV_PATH_RE = re.compile(
    r"/(?P<kind>abs|pdf|html)/(?P<id>[^/]+(?:/[^/]+)?)/?", re.IGNORECASE | re.ASCII
)
# Looks like a host name: dotted labels ending in an alphabetic TLD, so "2506.12345/.."
# is not mistaken for one.
_DOMAIN_RE = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*", re.ASCII)
_SEGMENT_END_RE = re.compile(r"[/?#]")
_SUBJECT_CLASS_RE = re.compile(r"[A-Z]{2}", re.ASCII)

# find_references: the accepted forms, strictly, inside running text.  Every hit is
# re-checked with parse_reference, so this only has to find candidates.  The
# boundaries are ASCII-only on purpose: Japanese text puts IDs right next to kana and
# kanji ("論文2506.12345を参照"), which Unicode \w would treat as part of a word.
_FIND_ID = (
    r"(?:[0-9]{4}\.[0-9]{4,5}"
    r"|(?i:[a-z]+(?:-[a-z]+)?)(?:\.[A-Z]{2})?/[0-9]{7})"
    r"(?:v[0-9]+)?"
)
_FIND_RE = re.compile(
    r"(?<![0-9A-Za-z_./-])"
    r"(?:"
    r"(?i:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)"
    + _FIND_ID
    + r"(?i:\.pdf)?"
    + r"|(?i:(?:https?://)?(?:www\.|dx\.)?doi\.org/|doi:[ \t]*)?(?i:10\.48550/arxiv\.)"
    + _FIND_ID
    + r"|(?i:arxiv:)[ \t]*"
    + _FIND_ID
    + r"|"
    + _FIND_ID
    + r")"
    r"(?![0-9A-Za-z_-])",
    re.ASCII,
)


class _RejectError(Exception):
    """Internal: a reason to reject, raised deep and re-raised with the user's text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PaperRef:
    """One arXiv paper, optionally pinned to a version.

    Build these with :func:`parse_reference`; the constructor only accepts an ID that
    is already canonical, which is what makes :attr:`safe_name` safe to use as a path.

    Attributes:
        arxiv_id: Canonical versionless ID: ``"2506.12345"``, ``"hep-th/9901001"``,
            ``"math.GT/0309136"``.
        version: The version the reference named (``3`` for ``v3``), or ``None``.
    """

    arxiv_id: str
    version: int | None = None

    def __post_init__(self) -> None:
        # Validate here too, so a PaperRef read back from a note's front matter can
        # never smuggle "../" into a file name.
        if not isinstance(self.arxiv_id, str):
            raise TypeError(f"arxiv_id must be a str, not {type(self.arxiv_id).__name__}")
        try:
            canonical, version = _parse_id(self.arxiv_id)
        except _RejectError as rejected:
            raise InvalidReferenceError(self.arxiv_id, rejected.reason) from None
        if version is not None:
            raise InvalidReferenceError(
                self.arxiv_id, f"the version belongs in PaperRef.version, not in {canonical!r}"
            )
        if canonical != self.arxiv_id:
            raise InvalidReferenceError(
                self.arxiv_id, f"not a canonical ID; use parse_reference() or {canonical!r}"
            )
        # bool is an int subclass; PaperRef("…", True) is a bug, not version 1.
        if self.version is not None and (
            not isinstance(self.version, int) or isinstance(self.version, bool)
        ):
            raise TypeError(f"version must be an int or None, not {type(self.version).__name__}")
        if self.version is not None and self.version < 1:
            raise InvalidReferenceError(self.versioned_id, "versions start at v1")

    @property
    def versioned_id(self) -> str:
        """The ID with its version suffix, or the bare ID when no version was given."""
        if self.version is None:
            return self.arxiv_id
        return f"{self.arxiv_id}v{self.version}"

    @property
    def safe_name(self) -> str:
        """A file-name stem for this paper: the versionless ID with ``/`` replaced by ``_``.

        ``"hep-th/9901001"`` becomes ``"hep-th_9901001"``.  Because the ID was validated,
        the result contains no ``/``, ``\\`` or ``..``.
        """
        return self.arxiv_id.replace("/", "_")

    @property
    def abs_url(self) -> str:
        """The versionless abstract-page URL, the form notes link to."""
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    def __str__(self) -> str:
        return self.versioned_id


def parse_reference(text: str) -> PaperRef:
    """Parse one arXiv reference.

    Accepted, with surrounding whitespace ignored and scheme, host and prefixes matched
    case-insensitively:

    * URLs on ``arxiv.org``, ``www.arxiv.org`` or ``export.arxiv.org``, with ``http``,
      ``https`` or no scheme: ``/abs/<id>``, ``/pdf/<id>``, ``/pdf/<id>.pdf``,
      ``/html/<id>``, optionally with a trailing slash, query string or fragment;
    * bare IDs, new or old style, with an optional ``vN`` suffix;
    * ``arXiv:<id>``, with an optional space after the colon;
    * arXiv DOIs: ``10.48550/arXiv.<id>``, ``doi:10.48550/arXiv.<id>`` and
      ``https://doi.org/10.48550/arXiv.<id>``.

    Full-width characters typed with a Japanese IME are read as their ASCII forms.

    Args:
        text: What the user typed or pasted.

    Returns:
        The reference, with the canonical ID and the version if one was given.

    Raises:
        InvalidReferenceError: ``text`` is not exactly one reference of an accepted
            form; the error carries ``text`` unchanged and a short reason.
    """
    try:
        arxiv_id, version = _parse(text)
    except _RejectError as rejected:
        raise InvalidReferenceError(text, rejected.reason) from None
    ref = PaperRef(arxiv_id, version)
    if text.translate(_FULLWIDTH_TO_ASCII) != text:
        # Deliberate, but said: the person sees which paper the full-width text named.
        log.warning("read the full-width reference %r as arXiv:%s", text.strip(), ref)
    return ref


def is_arxiv_reference(text: str) -> bool:
    """Return whether :func:`parse_reference` would accept ``text``."""
    try:
        PaperRef(*_parse(text))
    except (_RejectError, InvalidReferenceError):
        return False
    return True


def find_references(text: str) -> list[tuple[int, PaperRef]]:
    """Find every arXiv reference in free text such as a Markdown reading list.

    Recognises the same forms as :func:`parse_reference` (minus query strings and
    fragments, which are simply left behind), keeps only those that are valid, and
    ignores IDs embedded in other sites' URLs.  Duplicates are kept, in order.

    Args:
        text: Any text.

    Returns:
        ``(offset, ref)`` pairs in order of appearance, where ``offset`` is the 0-based
        index in ``text`` at which the reference (URL, prefix or ID) starts.
    """
    folded = text.translate(_FULLWIDTH_TO_ASCII)
    found: list[tuple[int, PaperRef]] = []
    for match in _FIND_RE.finditer(folded):
        try:
            arxiv_id, version = _parse(match.group())
        except _RejectError:
            continue  # looked like an ID but is not one (month 13, v0, ...)
        found.append((match.start(), PaperRef(arxiv_id, version)))
    return found


# --- internals ------------------------------------------------------------------------


def _parse(text: str) -> tuple[str, int | None]:
    """Parse ``text`` into ``(canonical_id, version)`` or raise :class:`_RejectError`."""
    candidate = text.translate(_FULLWIDTH_TO_ASCII).strip().strip(_INVISIBLE).strip()
    if not candidate:
        raise _RejectError("empty reference")
    if len(candidate) > _MAX_LENGTH:
        raise _RejectError("far too long to be a reference")

    prefixed = _ARXIV_PREFIX_RE.fullmatch(candidate)
    doi = _DOI_RE.fullmatch(candidate)
    # The only whitespace a single reference may contain is after "arXiv:" or "doi:".
    body = prefixed.group("rest") if prefixed else doi.group("doi") if doi else candidate
    if any(char.isspace() for char in body):
        raise _RejectError(_why_not_one(candidate))

    if prefixed:
        if not body:
            raise _RejectError("nothing after 'arXiv:'")
        return _parse_id(body)
    if doi:
        return _parse_doi(body)
    if _SCHEME_RE.match(candidate) or _first_segment(candidate).lower() in _URL_HOSTS:
        return _parse_url(candidate)
    if _ID_RE.fullmatch(candidate):
        return _parse_id(candidate)
    first = _first_segment(candidate)
    if first != candidate and _DOMAIN_RE.fullmatch(first):
        raise _RejectError(f"{first} is not an arXiv host")
    raise _RejectError("unrecognised form")


def _why_not_one(candidate: str) -> str:
    """Explain why text containing whitespace is not a single reference."""
    found = find_references(candidate)
    if len(found) > 1:
        return f"found {len(found)} references; give one at a time"
    if len(found) == 1:
        # Typically the stamp in a PDF's margin: "arXiv:2506.12345v2 [cs.CL] 3 Jun 2025".
        return f"contains more than a reference; did you mean {found[0][1]}?"
    return "contains whitespace"


def _first_segment(candidate: str) -> str:
    """The text before the first ``/``, ``?`` or ``#``: the host, if this is a URL."""
    return _SEGMENT_END_RE.split(candidate, maxsplit=1)[0]


def _parse_url(url: str) -> tuple[str, int | None]:
    """Parse an arXiv or doi.org URL (scheme optional)."""
    match = _URL_RE.fullmatch(url)
    if match is None:  # pragma: no cover - the pattern accepts every string
        raise _RejectError("not a URL")
    scheme = match.group("scheme")
    if scheme is not None and scheme.lower() not in ("http", "https"):
        raise _RejectError(f"unsupported scheme {scheme}://")
    # Exact host comparison also rejects ports, user info and look-alikes such as
    # arxiv.org.example.com.
    host = match.group("host").lower()
    path = match.group("path")
    if host in _DOI_HOSTS:
        return _parse_doi(path.lstrip("/"))
    if host not in _ARXIV_HOSTS:
        raise _RejectError(f"{match.group('host') or 'empty host'} is not an arXiv host")
    page = _ARXIV_PATH_RE.fullmatch(path)
    if page is None:
        raise _RejectError("not a paper page; expected /abs/<id>, /pdf/<id> or /html/<id>")
    identifier = page.group("id")
    if page.group("kind").lower() == "pdf" and identifier.lower().endswith(".pdf"):
        identifier = identifier[: -len(".pdf")]
    return _parse_id(identifier)


def _parse_doi(doi: str) -> tuple[str, int | None]:
    """Parse ``10.48550/arXiv.<id>``; arXiv DOIs name a paper, never a version."""
    prefix, _, suffix = doi.partition("/")
    arxiv_suffix = _ARXIV_DOI_SUFFIX_RE.fullmatch(suffix)
    if prefix != _ARXIV_DOI_PREFIX or arxiv_suffix is None:
        raise _RejectError(f"not an arXiv DOI; those start with {_ARXIV_DOI_PREFIX}/arXiv.")
    arxiv_id, version = _parse_id(arxiv_suffix.group("id"))
    if version is not None:
        raise _RejectError("arXiv DOIs carry no version")
    return arxiv_id, version


def _parse_id(text: str) -> tuple[str, int | None]:
    """Validate a bare ID with optional version; return ``(canonical_id, version)``."""
    match = _ID_RE.fullmatch(text)
    if match is None:
        raise _RejectError("unrecognised form")
    if match.group("yymm") is not None:
        arxiv_id = _new_style(match.group("yymm"), match.group("seq"))
    else:
        arxiv_id = _old_style(match.group("archive"), match.group("subject"), match.group("number"))
    return arxiv_id, _version(match.group("v"), match.group("version"))


def _new_style(yymm: str, seq: str) -> str:
    """Check a ``YYMM.NNNNN`` ID from April 2007 on and return it."""
    if len(yymm) != 4:
        raise _RejectError("a new-style ID starts with 4 digits YYMM")
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12:
        raise _RejectError(f"month {yymm[2:]} does not exist")
    if (year, month) < _NEW_STYLE_START:
        raise _RejectError(
            "IDs like YYMM.NNNN start at 0704, April 2007; older ones look like hep-th/9901001"
        )
    digits = 5 if (year, month) >= _FIVE_DIGIT_START else 4
    if len(seq) != digits:
        raise _RejectError(f"sequence of a {year} ID has {digits} digits")
    if int(seq) == 0:
        raise _RejectError("sequence numbers start at 1")
    return f"{yymm}.{seq}"


def _old_style(archive: str, subject: str | None, number: str) -> str:
    """Check an ``archive[.SC]/YYMMNNN`` ID from before April 2007 and return it."""
    # The archive is case-insensitive ("HEP-TH" happens in old bibliographies) but the
    # subject class is not: arXiv writes it "GT", and "gt" is not a class.
    archive = archive.lower()
    if archive not in _OLD_ARCHIVES:
        raise _RejectError(f"{archive!r} is not an arXiv archive")
    if subject is not None and not _SUBJECT_CLASS_RE.fullmatch(subject):
        raise _RejectError(f"subject class {subject!r} is not two capital letters, as in math.GT")
    if len(number) != 7:
        raise _RejectError("an old-style ID has 7 digits YYMMNNN after the slash")
    yy, month = int(number[:2]), int(number[2:4])
    if not 1 <= month <= 12:
        raise _RejectError(f"month {number[2:4]} does not exist")
    year = 1900 + yy if yy >= 91 else 2000 + yy
    if not _OLD_STYLE_START <= (year, month) <= _OLD_STYLE_END:
        raise _RejectError(
            "IDs like hep-th/YYMMNNN run from 9108 to 0703, August 1991 to March 2007"
        )
    if int(number[4:]) == 0:
        raise _RejectError("paper numbers start at 001")
    prefix = f"{archive}.{subject}" if subject else archive
    return f"{prefix}/{number}"


def _version(v: str | None, digits: str | None) -> int | None:
    """Check a ``vN`` suffix: lowercase ``v``, N >= 1, no leading zero."""
    if digits is None:
        return None
    if v != "v":
        raise _RejectError(f"write the version with a lowercase v (v{digits})")
    if int(digits) == 0:
        raise _RejectError("versions start at v1")
    if digits.startswith("0"):
        raise _RejectError(f"version has a leading zero; write v{int(digits)}")
    return int(digits)
