"""The paper metadata that crosses from the arXiv API into the chain and the note."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def normalize_whitespace(text: str) -> str:
    """Collapse line breaks and runs of spaces, as the house title line requires."""
    return " ".join(text.split())


class Paper(BaseModel):
    """Metadata of one paper: an arXiv version, or a PDF read from disk.

    A PDF may lack what arXiv always has (an ID, dates, even authors); those
    fields are then None or empty and the note leaves them out.
    """

    model_config = ConfigDict(frozen=True)

    arxiv_id: str | None = Field(
        default=None, description="canonical ID without version, e.g. 2506.12345"
    )
    version: int | None = Field(default=None, ge=1)
    title: str
    authors: list[str] = Field(default_factory=list)
    abstract: str
    published: datetime | None = Field(default=None, description="date of the first version")
    updated: datetime | None = Field(default=None, description="date of this version")
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    source: Literal["arxiv", "pdf"] = "arxiv"
    pdf_path: str | None = Field(default=None, description="the local PDF the text came from")

    @field_validator("title", "abstract")
    @classmethod
    def _collapse(cls, value: str) -> str:
        return normalize_whitespace(value)

    @property
    def versioned_id(self) -> str | None:
        if self.arxiv_id is None:
            return None
        return f"{self.arxiv_id}v{self.version}" if self.version else self.arxiv_id

    @property
    def abs_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.versioned_id}" if self.arxiv_id else None
