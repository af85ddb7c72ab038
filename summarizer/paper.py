"""The paper metadata that crosses from the arXiv API into the chain and the note."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


def normalize_whitespace(text: str) -> str:
    """Collapse line breaks and runs of spaces, as the house title line requires."""
    return " ".join(text.split())


class Paper(BaseModel):
    """Metadata of one version of an arXiv paper."""

    model_config = ConfigDict(frozen=True)

    arxiv_id: str = Field(description="canonical ID without version, e.g. 2506.12345")
    version: int = Field(ge=1)
    title: str
    authors: list[str] = Field(min_length=1)
    abstract: str
    published: datetime = Field(description="date of the first version")
    updated: datetime = Field(description="date of this version")
    primary_category: str | None = None
    categories: list[str] = Field(default_factory=list)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    @field_validator("title", "abstract")
    @classmethod
    def _collapse(cls, value: str) -> str:
        return normalize_whitespace(value)

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.versioned_id}"
