"""``summarize review``: go through the drafts one screen each, one key per action.

Per draft the screen shows the title line, the Japanese summary and the tags
(suggested ones with their scores, pre-selected), then the keys:

    a, enter  save the ticked tags              x  tick every tag
    1-9, 0  toggle tag 1-10                     t  add a tag (Tab completes, fuzzy)
    e  open the note in $EDITOR                 s  skip (stays a draft)
    q  quit (asks first if this screen has unsaved changes)
    ?  help (Esc or ? closes it)

Esc never quits: it closes the help or cancels the tag being typed.

Saving goes through :func:`summarizer.notes.edit.save_decision`, which applies
the decision to the note as it is on disk at that moment (the person may have
edited it in another window) and changes nothing but the tag lines.

This module is the key handling; the screen is drawn by
:mod:`summarizer.review.screen` and the tag choices live in
:mod:`summarizer.review.choices`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from summarizer.errors import NoteFormatError, SummarizerError
from summarizer.notes.edit import read_note_exact, save_decision
from summarizer.notes.index import NoteInfo
from summarizer.notes.note import Note
from summarizer.notes.related_block import drop_related
from summarizer.review.choices import ReviewState
from summarizer.review.screen import (
    QUIT_QUESTION,
    TOGGLE_KEYS,
    error_text,
    render_screen,
    shown_path,
    warning_text,
)
from summarizer.tags.match import rank_tags, record_candidates, resolve_tag
from summarizer.tags.vocabulary import Vocabulary

if TYPE_CHECKING:
    from rich.console import Console

ReadKey = Callable[[], str]
# What click.getchar() returns for Esc alone (an arrow key is a longer sequence).
ESCAPE = "\x1b"
AskTag = Callable[[Vocabulary], str | None]


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
            render_screen(
                self.console,
                note,
                state,
                position=position,
                total=total,
                notice=self.notice,
                message=message,
                show_help=show_help,
            )
            self.notice = ""  # shown once
            message = ""
            try:
                key = self.read_key()
            except (KeyboardInterrupt, EOFError):
                key = "q"
            if key == "q":
                if not state.has_changes(note) or self._confirm_quit():
                    self.outcome.quit = True
                    return
                message = "not quit; your changes are still on screen"
                continue
            if key == "s":
                self.outcome.skipped.append(path)
                return
            if key == ESCAPE:
                show_help = False  # closes the help; never quits
            elif key == "?":
                show_help = not show_help
            elif key == "x":
                state.select_all()
            elif key in TOGGLE_KEYS:
                if not state.toggle(TOGGLE_KEYS.index(key)):
                    message = f"there is no tag {key}"
            elif key == "t":
                message = self._add_tag(state)
            elif key == "r":
                message = self._toggle_related(note, state)
            elif key == "e":
                note, state, message = self._edit(path, note, state)
                if note.status != "draft":
                    self.notice = f"{shown_path(path)} is {note.status} now; moving on"
                    return
            elif key in ("a", "\r", "\n"):
                message = self._save(path, note, state)
                if not message:
                    return
                note = _reread(path, note)  # show what is on disk now
            else:
                message = "unknown key; press ? for help"

    def _confirm_quit(self) -> bool:
        """Ask before dropping the ticks and tags changed on this screen."""
        self.console.print(warning_text(QUIT_QUESTION))
        try:
            key = self.read_key()
        except (KeyboardInterrupt, EOFError):
            return True  # a second Ctrl-C (or no input left) means it
        return key.lower() == "y"

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

    def _toggle_related(self, note: Note, state: ReviewState) -> str:
        """``r`` then a digit: drop related note N from the ``関連:`` block, or keep it."""
        if not note.meta.related:
            return "this draft lists no related notes"
        try:
            key = self.read_key()
        except (KeyboardInterrupt, EOFError):
            return ""
        if key.isdigit() and state.toggle_related(note, int(key) - 1):
            dropped = int(key) - 1 in state.dropped_related
            return f"related note {key} will be {'dropped' if dropped else 'kept'}"
        return f"there is no related note {key}"

    def _edit(
        self, path: Path, note: Note, state: ReviewState
    ) -> tuple[Note, ReviewState, str | Text]:
        self.edit(path)
        try:
            fresh = read_note_exact(path)
        except (NoteFormatError, OSError) as error:
            return note, state, error_text(f"cannot read the note now: {error}; press e to fix it")
        return fresh, ReviewState.for_note(fresh, previous=state), "re-read after editing"

    def _save(self, path: Path, shown: Note, state: ReviewState) -> str | Text:
        """Save; '' on success, else the message to show (the note stays on screen)."""
        try:
            current = read_note_exact(path)
        except (NoteFormatError, OSError) as error:
            return error_text(f"not saved: {error}")
        if current.status != "draft":
            self.outcome.skipped.append(path)
            self.notice = f"{shown_path(path)} was {current.status} meanwhile; left as it is"
            return ""
        if current.text != shown.text:
            # Changed in another window since it was shown: the choices apply to the
            # current text, whose suggestions might differ; show it once more.
            new_state = ReviewState.for_note(current, previous=state)
            if [c.name for c in new_state.choices] != [c.name for c in state.choices]:
                state.choices[:] = new_state.choices
                return warning_text("the note changed on disk; check the tags and save again")
        decision = state.decision(current, self.vocabulary)
        try:
            save_decision(path, decision)
            drop_related(path, state.related_to_drop(current))
        except (NoteFormatError, OSError) as error:
            return error_text(f"not saved: {error}")
        new = state.new_tags()
        if new:
            record_candidates(self.home, new, path)
        self.outcome.reviewed.append(path)
        kept = " ".join(f"#{t}" for t in decision.accepted) or "(no tags)"
        # Shown on the next screen (this one is cleared) and after the last note.
        self.notice = f"saved {shown_path(path)}: {kept}"
        return ""


def _reread(path: Path, note: Note) -> Note:
    try:
        return read_note_exact(path)
    except (NoteFormatError, OSError):
        return note


# --- the terminal parts: keys, the tag prompt, the editor --------------------------------


def read_key() -> str:
    import click

    return click.getchar()


def ask_tag(vocabulary: Vocabulary) -> str | None:
    """Prompt for a tag with fuzzy completion from the vocabulary; None if cancelled."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    # eager: Esc cancels at once instead of waiting to see if an Alt-key follows.
    @bindings.add("escape", eager=True)
    def _cancel(event: Any) -> None:
        event.app.exit(result=None)

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
            "add tag (Tab completes, Enter adds, Esc cancels)> ",
            completer=TagCompleter(),
            key_bindings=bindings,
            complete_while_typing=True,
        )
    except (KeyboardInterrupt, EOFError):
        return None


def edit_in_editor(path: Path) -> None:
    import click

    # $VISUAL, then $EDITOR, then a default; run through the shell so "code -w" works.
    click.edit(filename=str(path), require_save=False)
