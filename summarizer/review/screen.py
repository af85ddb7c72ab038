"""What ``summarize review`` shows for one draft: title, summary, tags, keys.

Drawing only; which key does what is :mod:`summarizer.review.tui`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from summarizer.notes.note import MARKER, Note
from summarizer.notes.sections import section_content
from summarizer.review.choices import ReviewState, TagChoice

if TYPE_CHECKING:
    from rich.console import Console

# Key i toggles tag i (0 is the tenth).
TOGGLE_KEYS = "1234567890"
# One line of at most 80 columns.
KEYS_LINE = (
    "[b]a[/] save ticked  [b]x[/] tick all  [b]1-9[/] toggle  [b]t[/] add tag  "
    "[b]e[/] edit  [b]s[/] skip  [b]q[/] quit  [b]?[/] help"
)
# The help replaces the screen, so it fits an 80x24 terminal on its own.
HELP = """\
a, enter  save: the tags marked [x] are accepted, unmarked suggestions
          are recorded as rejected
x         tick every tag (then a saves them all)
1-9, 0    toggle tag 1-9 and 10; for more, add the tag by name with t
t         add a tag: type part of it, Tab completes, Enter adds, Esc cancels.
          Completion knows the vocabulary's aliases: hallu → Factuality
          (alias "hallucination"). A name outside the vocabulary offers the
          closest tags, or n to use it as a new tag
r, 1-3    drop related note 1-3 from the Comment's 関連: block (again: keep)
e         open the note in $EDITOR; the screen shows your changes afterwards
s         leave this note a draft and go to the next one
q         stop here; notes already saved stay saved, and unsaved changes on
          this screen are asked about first
?, Esc    close this help (Esc never quits)"""
QUIT_QUESTION = "Quit and drop your unsaved changes to this note's tags? (y/n)"


def render_screen(
    console: Console,
    note: Note,
    state: ReviewState,
    *,
    position: int,
    total: int,
    notice: str,
    message: str | Text,
    show_help: bool,
) -> None:
    """Clear the terminal and draw the screen for ``note``.

    ``notice`` is what the last save did (shown once, in green); ``message`` the
    answer to the last key on this screen.
    """
    from rich.panel import Panel
    from rich.table import Table

    console.clear()
    if show_help:
        header = f"{position}/{total}  {shown_path(note.path)}  keys"
        console.print(Text(header, style="bold"))
        console.print()
        console.print(HELP, markup=False, highlight=False)
        return
    if notice:
        console.print(Text(notice, style="green"))
    meta = note.meta
    edited = " (edited)" if note.status == "draft" and not note.is_unedited_draft else ""
    title = Text(meta.title_line or meta.title or note.path.name)
    header = f"{position}/{total}  {shown_path(note.path)}  {note.status}{edited}"
    console.print(Panel(title, title=Text(header), title_align="left", style="bold"))
    summary = section_content(note.body, "Summary") or "(no summary)"
    console.print("[b]Summary[/]")
    text = "\n".join(line.removeprefix("- ") for line in summary.splitlines())
    console.print(Text("\n".join(wrap_japanese(text, console.width))), soft_wrap=True)
    console.print()
    table = Table(box=None, show_header=True, header_style="dim", pad_edge=False)
    for column, justify in (("key", "right"), ("", "left"), ("tag", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    table.add_column("score", justify="right")
    table.add_column("", style="dim")
    for index, choice in enumerate(state.choices):
        key = TOGGLE_KEYS[index] if index < len(TOGGLE_KEYS) else ""
        mark = Text("[x]", style="green") if choice.selected else Text("[ ]")
        score = f"{choice.score:.2f}" if choice.score is not None else ""
        table.add_row(key, mark, Text(f"#{choice.name}"), score, _origin(choice))
    if not state.choices:
        table.add_row("", "", "(no suggested tags: press t to add one)", "", "")
    console.print(table)
    _print_related(console, note, state)
    for line in _attention(note):
        console.print(warning_text(f"⚠ {line}"))
    if message:
        console.print(message, markup=False)
    console.print()
    console.print(KEYS_LINE, highlight=False)


def error_text(message: str) -> Text:
    return Text(message, style="red")


def warning_text(message: str) -> Text:
    return Text(message, style="yellow")


# Characters Japanese typesetting never puts at a line start (kinsoku): rich wraps
# CJK text at any character and left 。 and 、 at line starts in the review screen.
NO_LINE_START = frozenset(
    "。、，．・：；？！ー」』）〕］｝〉》’”ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ)]}.,:;!?"
)


def wrap_japanese(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells (a CJK character is two), where no
    line starts with a character of :data:`NO_LINE_START`: the character before it
    moves down with it (追い出し; hanging it over the width would make the terminal
    wrap it anyway).  Existing line breaks are kept; English words are not split."""
    from rich.cells import cell_len

    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9_.%+-]*|\s+|.", paragraph):
            if cell_len(line + token) <= width or not line.strip():
                line += token
            elif token[0] in NO_LINE_START and len(line.rstrip()) > 1:
                lines.append(line.rstrip()[:-1])
                line = line.rstrip()[-1] + token
            else:
                lines.append(line.rstrip())
                line = token.lstrip()
        lines.append(line.rstrip())
    return lines


def shown_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (shorter on screen)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _print_related(console: Console, note: Note, state: ReviewState) -> None:
    """The related notes offered for the ``関連:`` block, each kept unless dropped."""
    related = note.meta.related
    if not related:
        return
    console.print()
    console.print("[b]関連[/] related notes from your log (r then 1-3: drop or keep)")
    for index, item in enumerate(related):
        kept = index not in state.dropped_related
        mark = Text("[x]", style="green") if kept else Text("[ ]")
        line = Text.assemble(
            f"r{index + 1} ", mark, f" {item.title_line}  ", (f"{item.score:.2f}", "dim")
        )
        console.print(line)


def _origin(choice: TagChoice) -> str:
    if choice.origin == "added":
        return "added, new" if choice.new else "added"
    return "in tags" if choice.origin == "kept" else ""


def _attention(note: Note) -> list[str]:
    lines: list[str] = []
    sections = note.meta.needs_attention
    if sections:
        lines.append(f"check: {', '.join(sections)} (the model did not write Japanese)")
    marks = note.body.count(MARKER)
    if marks:
        lines.append(f"{marks} {MARKER} mark(s): numbers or names the paper does not contain")
    return lines
