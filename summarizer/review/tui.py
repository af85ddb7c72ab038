"""``summarize review``: go through the drafts one screen each, one key per action.

Per draft the screen shows the title line, the Japanese summary and the tags
(suggested ones with their scores, pre-selected), then the keys:

    a  accept all suggested tags and save      enter  save the selection shown
    1-9, 0  toggle tag 1-10                     t  add a tag (Tab completes, fuzzy)
    e  open the note in $EDITOR                 s  skip (stays a draft)
    q  quit                                     ?  more help

Saving goes through :func:`summarizer.notes.edit.save_decision`, which applies
the decision to the note as it is on disk at that moment (the person may have
edited it in another window) and changes nothing but the tag lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from summarizer.errors import NoteFormatError, SummarizerError
from summarizer.notes.edit import TagDecision, read_note_exact, save_decision
from summarizer.notes.index import NoteInfo
from summarizer.notes.note import MARKER, Note, section_content, tag_key, tag_list
from summarizer.review.session import decide
from summarizer.tags.match import rank_tags, record_candidates, resolve_tag
from summarizer.tags.vocabulary import Vocabulary

if TYPE_CHECKING:
    from rich.console import Console

TOGGLE_KEYS = "1234567890"
KEYS_LINE = (
    "[b]a[/] accept all  [b]enter[/] save selection  [b]1-9[/] toggle  [b]t[/] add tag  "
    "[b]e[/] edit  [b]s[/] skip  [b]q[/] quit  [b]?[/] help"
)
HELP = """\
a      accept every suggested tag (and the tags you added) and save
enter  save the tags marked [x]; unmarked suggestions are recorded as rejected
1-9 0  toggle tag 1-9 and 10; for more, type the tag's name after t
t      add a tag: type part of it, Tab completes (hallu → Hallucination), Enter adds;
       a name outside the vocabulary offers the closest ones, or n to use it as new
e      open the note in $EDITOR; the screen shows your changes when you come back
s      leave this note a draft and go to the next one
q      stop here (notes already saved stay saved)"""

ReadKey = Callable[[], str]
AskTag = Callable[[Vocabulary], str | None]


@dataclass
class TagChoice:
    name: str
    origin: str  # "suggested", "kept" (already in `tags`) or "added"
    selected: bool = True
    score: float | None = None
    new: bool = False  # outside the vocabulary (recorded as a candidate on save)


@dataclass
class ReviewState:
    """The tag choices for one note; pure logic, no terminal."""

    choices: list[TagChoice] = field(default_factory=list)

    @classmethod
    def for_note(cls, note: Note, previous: ReviewState | None = None) -> ReviewState:
        before = {tag_key(c.name): c for c in previous.choices} if previous else {}
        scores = note.front_matter.get("suggested_tag_scores") or {}
        choices: list[TagChoice] = []
        seen: set[str] = set()
        for name in tag_list(note.front_matter.get("suggested_tags")):
            old = before.get(tag_key(name))
            score = scores.get(name) if isinstance(scores, dict) else None
            choices.append(
                TagChoice(
                    name,
                    "suggested",
                    selected=old.selected if old else True,
                    score=float(score) if isinstance(score, int | float) else None,
                )
            )
            seen.add(tag_key(name))
        for name in tag_list(note.front_matter.get("tags")):
            if tag_key(name) not in seen:
                old = before.get(tag_key(name))
                choices.append(TagChoice(name, "kept", selected=old.selected if old else True))
                seen.add(tag_key(name))
        for old in before.values():
            if old.origin == "added" and tag_key(old.name) not in seen:
                choices.append(old)
        return cls(choices)

    def toggle(self, index: int) -> bool:
        if 0 <= index < len(self.choices):
            self.choices[index].selected = not self.choices[index].selected
            return True
        return False

    def select_all_suggested(self) -> None:
        for choice in self.choices:
            if choice.origin == "suggested":
                choice.selected = True

    def add(self, name: str, *, new: bool = False) -> str:
        for choice in self.choices:
            if tag_key(choice.name) == tag_key(name):
                choice.selected = True
                return f"#{choice.name} is selected"
        self.choices.append(TagChoice(name, "added", new=new))
        return f"added #{name}" + (" (new: recorded as a vocabulary candidate)" if new else "")

    def decision(self, note: Note, vocabulary: Vocabulary) -> TagDecision:
        suggested = [c for c in self.choices if c.origin == "suggested"]
        return decide(
            note,
            accept_suggested=[c.name for c in suggested if c.selected],
            add=[c.name for c in self.choices if c.origin != "suggested" and c.selected],
            remove=[c.name for c in self.choices if c.origin == "kept" and not c.selected],
            vocabulary=vocabulary,
        )

    def new_tags(self) -> list[str]:
        return [c.name for c in self.choices if c.new and c.selected]


@dataclass
class ReviewOutcome:
    reviewed: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    quit: bool = False


class ReviewSession:
    """The interactive loop over the drafts."""

    def __init__(
        self,
        console: Console,
        vocabulary: Vocabulary,
        home: Path,
        *,
        read_key: ReadKey,
        ask_tag: AskTag,
        edit: Callable[[Path], None],
    ) -> None:
        self.console = console
        self.vocabulary = vocabulary
        self.home = home
        self.read_key = read_key
        self.ask_tag = ask_tag
        self.edit = edit
        self.outcome = ReviewOutcome()
        self.notice = ""  # what the last save did, shown once on the next screen

    def run(self, notes: list[NoteInfo]) -> ReviewOutcome:
        for position, info in enumerate(notes, start=1):
            if self.outcome.quit:
                break
            self._review_one(info.path, position, len(notes))
        if self.notice:
            self.console.print(Text(self.notice, style="green"))
        return self.outcome

    def _review_one(self, path: Path, position: int, total: int) -> None:
        try:
            note = read_note_exact(path)
        except (NoteFormatError, OSError):
            self.outcome.skipped.append(path)
            return
        if note.status != "draft":
            return  # reviewed meanwhile (another window, or `tags accept`)
        state = ReviewState.for_note(note)
        message: str | Text = ""
        show_help = False
        while True:
            self._render(note, state, position, total, message, show_help)
            message = ""
            try:
                key = self.read_key()
            except (KeyboardInterrupt, EOFError):
                key = "q"
            if key in ("q", "\x1b"):
                self.outcome.quit = True
                return
            if key == "s":
                self.outcome.skipped.append(path)
                return
            if key == "?":
                show_help = not show_help
            elif key in TOGGLE_KEYS:
                if not state.toggle(TOGGLE_KEYS.index(key)):
                    message = f"there is no tag {key}"
            elif key == "t":
                message = self._add_tag(state)
            elif key == "e":
                note, state, message = self._edit(path, note, state)
                if note.status != "draft":
                    self.notice = f"{_shown_path(path)} is {note.status} now; moving on"
                    return
            elif key in ("a", "\r", "\n"):
                if key == "a":
                    state.select_all_suggested()
                message = self._save(path, note, state)
                if not message:
                    return
                note = _reread(path, note)  # show what is on disk now
            else:
                message = "unknown key; press ? for help"

    def _add_tag(self, state: ReviewState) -> str | Text:
        self.console.print()
        typed = self.ask_tag(self.vocabulary)
        if typed is None or not typed.strip():
            return ""
        try:
            name, _ = resolve_tag(typed, self.vocabulary, allow_new=False)
            return state.add(name)
        except SummarizerError:
            pass
        closest = [m.name for m in rank_tags(typed, self.vocabulary, limit=3)]
        cleaned = " ".join(typed.strip().removeprefix("#").split())
        line = Text.assemble((f"{cleaned!r} is not in the vocabulary. ", "yellow"))
        for number, name in enumerate(closest, start=1):
            line.append_text(Text.assemble((str(number), "bold"), f" {name}  "))
        line.append_text(Text.assemble(("n", "bold"), " use it as a new tag  "))
        line.append_text(Text.assemble(("other key", "bold"), " cancel"))
        self.console.print(line)
        try:
            key = self.read_key()
        except (KeyboardInterrupt, EOFError):
            key = ""
        if key.isdigit() and 1 <= int(key) <= len(closest):
            return state.add(closest[int(key) - 1])
        if key == "n":
            return state.add(cleaned, new=True)
        return "nothing added"

    def _edit(
        self, path: Path, note: Note, state: ReviewState
    ) -> tuple[Note, ReviewState, str | Text]:
        self.edit(path)
        try:
            fresh = read_note_exact(path)
        except (NoteFormatError, OSError) as error:
            return note, state, _error(f"cannot read the note now: {error}; press e to fix it")
        return fresh, ReviewState.for_note(fresh, previous=state), "re-read after editing"

    def _save(self, path: Path, shown: Note, state: ReviewState) -> str | Text:
        """Save; '' on success, else the message to show (the note stays on screen)."""
        try:
            current = read_note_exact(path)
        except (NoteFormatError, OSError) as error:
            return _error(f"not saved: {error}")
        if current.status != "draft":
            self.outcome.skipped.append(path)
            self.notice = f"{_shown_path(path)} was {current.status} meanwhile; left as it is"
            return ""
        if current.text != shown.text:
            # Changed in another window since it was shown: the choices apply to the
            # current text, whose suggestions might differ; show it once more.
            new_state = ReviewState.for_note(current, previous=state)
            if [c.name for c in new_state.choices] != [c.name for c in state.choices]:
                state.choices[:] = new_state.choices
                return _warning("the note changed on disk; check the tags and save again")
        decision = state.decision(current, self.vocabulary)
        try:
            save_decision(path, decision)
        except (NoteFormatError, OSError) as error:
            return _error(f"not saved: {error}")
        new = state.new_tags()
        if new:
            record_candidates(self.home, new, path)
        self.outcome.reviewed.append(path)
        kept = " ".join(f"#{t}" for t in decision.accepted) or "(no tags)"
        # Shown on the next screen (this one is cleared) and after the last note.
        self.notice = f"saved {_shown_path(path)}: {kept}"
        return ""

    def _render(
        self,
        note: Note,
        state: ReviewState,
        position: int,
        total: int,
        message: str | Text,
        help_: bool,
    ) -> None:
        from rich.panel import Panel
        from rich.table import Table

        console = self.console
        console.clear()
        if self.notice:
            console.print(Text(self.notice, style="green"))
            self.notice = ""
        front = note.front_matter
        edited = " (edited)" if note.status == "draft" and not note.is_unedited_draft else ""
        title = Text(str(front.get("title_line") or front.get("title") or note.path.name))
        header = f"{position}/{total}  {_shown_path(note.path)}  {note.status}{edited}"
        console.print(Panel(title, title=Text(header), title_align="left", style="bold"))
        summary = section_content(note.body, "Summary") or "(no summary)"
        console.print("[b]Summary[/]")
        console.print(Text("\n".join(line.removeprefix("- ") for line in summary.splitlines())))
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
        for line in _attention(note):
            console.print(_warning(f"⚠ {line}"))
        if message:
            console.print(message, markup=False)
        console.print()
        console.print(HELP if help_ else KEYS_LINE, markup=not help_, highlight=False)


def _reread(path: Path, note: Note) -> Note:
    try:
        return read_note_exact(path)
    except (NoteFormatError, OSError):
        return note


def _error(message: str) -> Text:
    return Text(message, style="red")


def _warning(message: str) -> Text:
    return Text(message, style="yellow")


def _origin(choice: TagChoice) -> str:
    if choice.origin == "added":
        return "added, new" if choice.new else "added"
    return "in tags" if choice.origin == "kept" else ""


def _attention(note: Note) -> list[str]:
    lines: list[str] = []
    sections: Any = note.front_matter.get("needs_attention")
    if isinstance(sections, list) and sections:
        lines.append(f"check: {', '.join(map(str, sections))} (the model did not write Japanese)")
    marks = note.body.count(MARKER)
    if marks:
        lines.append(f"{marks} {MARKER} mark(s): numbers or names the paper does not contain")
    return lines


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- the terminal parts: keys, the tag prompt, the editor --------------------------------


def read_key() -> str:
    import click

    return click.getchar()


def ask_tag(vocabulary: Vocabulary) -> str | None:
    """Prompt for a tag with fuzzy completion from the vocabulary; None if cancelled."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion

    class TagCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Any:
            text = document.text_before_cursor
            for match in rank_tags(text, vocabulary, limit=12):
                meta = match.kind
                if match.spelling != match.name:
                    meta = f"{match.kind}: {match.spelling}"
                yield Completion(match.name, start_position=-len(text), display_meta=meta)

    session: PromptSession[str] = PromptSession()
    try:
        return session.prompt(
            "add tag (Tab completes, Enter adds, Ctrl-C cancels)> ",
            completer=TagCompleter(),
            complete_while_typing=True,
        )
    except (KeyboardInterrupt, EOFError):
        return None


def edit_in_editor(path: Path) -> None:
    import click

    # $VISUAL, then $EDITOR, then a default; run through the shell so "code -w" works.
    click.edit(filename=str(path), require_save=False)
