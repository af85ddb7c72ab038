"""The note's YAML front matter as a typed model: how every part of the tool reads it
and how :func:`summarizer.notes.note.render_note` writes it.

Two ways in, on purpose:

* ``FrontMatter(...)`` validates what the tool is about to write; a wrong type there
  is a bug in the tool and raises pydantic's ``ValidationError``.
* :meth:`FrontMatter.read` reads what is on disk, which a person may have edited by
  hand.  It never fails: a value of the wrong type (``tags: NLP``) reads as what the
  tool always made of it (lists keep their string items, anything else reads as
  empty or absent) and its key is listed in :attr:`FrontMatter.invalid_keys`, for the
  few readers that are strict (the tagging history refuses a reviewed note whose
  ``tags`` is not a list of strings).  Keys the tool does not know are kept, in order.

Changing an existing note never goes through this model: :mod:`summarizer.notes.edit`
edits its lines so that everything a person wrote stays byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, ValidationError
from pydantic.fields import FieldInfo


def dump_yaml(data: Mapping[str, Any]) -> str:
    """YAML as the notes write it: block style, key order kept, Unicode as is."""
    return yaml.safe_dump(
        dict(data), allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )


def tag_list(value: Any) -> list[str]:
    """A front-matter list as strings (numbers as written; anything else reads as empty)."""
    if not isinstance(value, list):
        return []
    return [str(item) for item in value if isinstance(item, str | int | float)]


def as_datetime(value: Any) -> datetime | None:
    """A front-matter timestamp (YAML gives datetime, date or str) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return as_datetime(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = as_datetime(value)
    if moment is None:
        raise ValueError("not a date or timestamp")
    return moment


# Timestamps read as aware datetimes: a naive one (hand-written) is taken as UTC.
Moment = Annotated[datetime | None, BeforeValidator(_moment)]
# ``rejected_tags:`` left empty means none; ``tags:`` left empty is not a tag list
# (the tagging history refuses it, as it always has).
OptionalTagList = Annotated[
    list[str], BeforeValidator(lambda value: [] if value is None else value)
]


class FullTextRecord(BaseModel):
    """How much of the paper the Comment draft was written from (``full_text``)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    mode: str
    calls: int
    paper_tokens: int
    sent_tokens: int
    tokens_approximate: bool
    dropped_sections: list[str] = []
    # Where the text came from (latex, html, pdf) and why better sources were skipped.
    source: str | None = None
    fallbacks: list[str] = []


class RelatedNote(BaseModel):
    """A note of the person's log offered as related (``related``), with its similarity."""

    model_config = ConfigDict(extra="allow", frozen=True)

    title_line: str
    link: str = ""
    score: float = 0.0


class PublishedIssue(BaseModel):
    """Where ``summarize publish`` filed the note (``github_issue``), so publishing it
    again updates that issue instead of filing a second one."""

    model_config = ConfigDict(extra="allow", frozen=True)

    repo: str
    number: int
    url: str
    published_at: Moment = None
    # The labels that publish set, so a later publish removes only those it set.
    labels: list[str] = []


class FrontMatter(BaseModel):
    """The front matter's fields, in the order a new note writes them."""

    model_config = ConfigDict(extra="allow", frozen=True)

    # The paper, from arXiv or the PDF.
    arxiv_id: str | None = None
    version: int | None = None
    title: str | None = None
    title_line: str | None = None
    url: str | None = None
    pdf: str | None = None
    authors: list[str] = []
    published: date | None = None
    updated: date | None = None
    primary_category: str | None = None
    arxiv_comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    source: str | None = None
    # The review: status goes from draft to reviewed (summarizer.notes.edit writes
    # reviewed_at after status and rejected_tags after tags).
    status: str = ""
    reviewed_at: Moment = None
    suggested_tags: list[str] = []
    tags: list[str] = []
    rejected_tags: OptionalTagList = []
    # The draft: which model wrote it, when, at what cost, and what to check.
    model: str | None = None
    created: Moment = None
    usage: dict[str, dict[str, int]] = {}
    suggested_tag_scores: dict[str, float] = {}
    # The person's notes whose Translation/Summary served as the prompts' examples.
    examples_from: list[str] = []
    full_text: FullTextRecord | Literal[False] | None = None
    unsupported_claims: dict[str, list[str]] = {}
    related: list[RelatedNote] = []
    warnings: list[str] = []
    needs_attention: list[str] = []
    # Written by summarize publish (the key is not "published": that is arXiv's date).
    github_issue: PublishedIssue | None = None
    # Written last, over the text without this line (see summarizer.notes.note).
    draft_sha256: str | None = None

    _invalid_keys: frozenset[str] = PrivateAttr(default=frozenset())

    @classmethod
    def read(cls, raw: Mapping[Any, Any]) -> FrontMatter:
        """The front matter as found in a note (see the module docstring); never raises."""
        data = {str(key): value for key, value in raw.items()}
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            invalid = {str(detail["loc"][0]) for detail in error.errors() if detail["loc"]}
        for key in invalid:
            data[key] = _salvage(cls.model_fields[key], data[key])
        front = cls.model_validate(data)
        front._invalid_keys = frozenset(invalid)
        return front

    @property
    def invalid_keys(self) -> frozenset[str]:
        """Keys present with a value of the wrong type (read leniently, see :meth:`read`)."""
        return self._invalid_keys

    def has(self, key: str) -> bool:
        """Whether the note writes ``key`` at all (with any value, even null or a wrong one)."""
        return key in self.model_fields_set or key in (self.model_extra or {})

    def mapping(self) -> dict[str, Any]:
        """The keys given (unknown ones included), in order; a null value is left out."""
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}

    def to_yaml(self) -> str:
        return dump_yaml(self.mapping())


def _salvage(field: FieldInfo, value: Any) -> Any:
    """What the tool has always made of a value of the wrong type."""
    if field.annotation == list[str]:
        return tag_list(value)
    if field.annotation == dict[str, float] and isinstance(value, dict):
        # One bad score leaves the others shown.
        return {str(k): float(v) for k, v in value.items() if isinstance(v, int | float)}
    return field.get_default(call_default_factory=True)
