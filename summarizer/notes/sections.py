"""The level-1 sections of a note body (``# URL``, ``# Summary (by MODEL)``, ...)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoteSection:
    """One ``# heading`` of a note body and the lines under it.

    Not the section of a paper's PDF text (:class:`summarizer.papers.pdf_layout.Section`).
    """

    heading: str  # the heading line without "# ", e.g. "Summary (by gpt-4o-mini)"
    content: str  # the lines under it, up to the next level-1 heading

    @property
    def name(self) -> str:
        """``Summary`` for ``Summary (by gpt-4o-mini)``: the model label is not the name."""
        return self.heading.split(" (by ", 1)[0].strip()


def body_sections(body: str) -> list[NoteSection]:
    """The level-1 sections of a note body, in order (text before the first is left out)."""
    sections: list[NoteSection] = []
    heading: str | None = None
    lines: list[str] = []
    for line in body.splitlines():
        if line.startswith("# "):
            if heading is not None:
                sections.append(NoteSection(heading, "\n".join(lines).strip("\n")))
            heading, lines = line[2:].strip(), []
        elif heading is not None:
            lines.append(line)
    if heading is not None:
        sections.append(NoteSection(heading, "\n".join(lines).strip("\n")))
    return sections


def section_content(body: str, name: str) -> str | None:
    """The content of the first section called ``name`` (case-insensitive), or None."""
    for section in body_sections(body):
        if section.name.casefold() == name.casefold():
            return section.content
    return None
