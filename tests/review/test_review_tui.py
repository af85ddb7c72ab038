"""``summarize review`` driven through a real pseudo-terminal (pexpect): keys,
fuzzy tag completion, the closest-match chooser, ``$EDITOR``, skip and quit."""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from summarizer.notes.note import NoteState, note_state, parse_note, read_note
from summarizer.review.choices import ReviewState
from tests.review_support import cli_env, three_drafts, write_vocabulary

pytestmark = pytest.mark.slow

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)
_CLEAR = "\x1b[2J"

# The person's editor: rewrites a sentence of the summary and comments the front matter.
FAKE_EDITOR = """\
import pathlib, sys
path = pathlib.Path(sys.argv[1])
text = path.read_text(encoding="utf-8")
text = text.replace("4.2ポイント向上。", "4.2ポイント向上(本文で確認)。")
text = text.replace("status: draft\\n", "status: draft\\n# 田中: 要約を直した\\n")
path.write_text(text, encoding="utf-8")
"""


class Terminal:
    """What the program shows on the pty, read as plain text (escape codes removed)."""

    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.raw = ""
        self.seen = 0  # offset in the plain text already matched

    def plain(self) -> str:
        return _ANSI.sub("", self.raw.replace(_CLEAR, "\f")).replace("\r", "")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        """Wait until ``text`` is shown after what was matched before; returns the
        current screen (the text since the program last cleared it)."""
        deadline = time.monotonic() + timeout
        while True:
            plain = self.plain()
            found = plain.find(text, self.seen)
            if found >= 0:
                self.seen = found + len(text)
                return plain[plain.rfind("\f", 0, found) + 1 :]
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not shown; the terminal shows:\n{plain[-3000:]}")
            try:
                self.raw += self.child.read_nonblocking(4096, timeout=0.2)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                if text not in self.plain()[self.seen :]:
                    raise AssertionError(
                        f"{text!r} not shown before exit:\n{plain[-3000:]}"
                    ) from None

    def send(self, keys: str) -> None:
        """Type ``keys``; only what is shown after this counts for the next wait."""
        while True:
            try:
                self.raw += self.child.read_nonblocking(4096, timeout=0.05)
            except (pexpect.TIMEOUT, pexpect.EOF):
                break
        self.seen = len(self.plain())
        self.child.send(keys)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF, timeout=20)
        self.raw += self.child.before or ""
        self.child.close()
        return self.child.exitstatus


@pytest.fixture
def notes(tmp_path: Path) -> list[Path]:
    return three_drafts(tmp_path / "notes")


def start_review(tmp_path: Path, *args: str, size: tuple[int, int] = (40, 120)) -> Terminal:
    env = cli_env(tmp_path / "home", tmp_path / "notes", write_vocabulary(tmp_path))
    editor = tmp_path / "fake_editor.py"
    editor.write_text(FAKE_EDITOR, encoding="utf-8")
    env.update(
        {
            "EDITOR": f"{sys.executable} {editor}",
            "VISUAL": "",
            "TERM": "xterm-256color",
            # pexpect does not answer prompt_toolkit's cursor-position query.
            "PROMPT_TOOLKIT_NO_CPR": "1",
        }
    )
    # The screen's size is the pty's: a COLUMNS/LINES inherited from the test runner
    # (pytest-xdist workers set them) would override it.
    for variable in ("COLUMNS", "LINES"):
        env.pop(variable, None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "summarizer", "review", *args],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        dimensions=size,
        timeout=20,
    )
    return Terminal(child)


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return (
        [line[2:] for line in diff if line.startswith("- ")],
        [line[2:] for line in diff if line.startswith("+ ")],
    )


def test_review_a_draft_with_every_key(tmp_path: Path, notes: list[Path]) -> None:
    oldest, middle, newest = notes
    middle_before = middle.read_bytes()
    term = start_review(tmp_path)
    screen = term.wait_for("q quit")
    assert "1/3" in screen
    assert "notes/2506.00003.md" in screen  # newest first
    assert "[Paper Note] Paper number 3, Aiko Tanaka+" in screen
    assert "検索結果を整理する手法を提案。正答率が4.2ポイント向上。" in screen
    assert re.search(r"1\s+\[x\]\s+#NLP\s+0\.91", screen)
    assert re.search(r"2\s+\[x\]\s+#RAG\(RetrievalAugmentedGeneration\)\s+0\.48", screen)

    term.send("2")  # toggle RAG off
    screen = term.wait_for("q quit")
    assert re.search(r"2\s+\[ \]\s+#RAG", screen)

    # Fuzzy completion: "hallu" offers Hallucination; Tab takes it, Enter adds it.
    term.send("t")
    term.wait_for("add tag")
    term.send("hallu")
    term.wait_for("Hallucination")
    term.send("\t")
    term.send("\r")
    screen = term.wait_for("added #Hallucination")
    assert re.search(r"3\s+\[x\]\s+#Hallucination\s+added", screen)

    # A misspelt tag: the closest vocabulary tags to choose from.
    term.send("t")
    term.wait_for("add tag")
    term.send("optimiser\r")
    term.wait_for("is not in the vocabulary")
    term.send("1")
    term.wait_for("added #Optimizer")

    # A tag outside the vocabulary, used anyway.
    term.send("t")
    term.wait_for("add tag")
    term.send("Tidy Notes\r")
    term.wait_for("is not in the vocabulary")
    term.send("n")
    term.wait_for("added #Tidy Notes (new")

    # $EDITOR: the screen shows the person's change when they come back.
    term.send("e")
    screen = term.wait_for("re-read after editing")
    assert "4.2ポイント向上(本文で確認)。" in screen
    assert "draft (edited)" in screen
    edited = newest.read_text(encoding="utf-8")

    term.send("\r")  # save the selection
    screen = term.wait_for("q quit")
    assert "2/3" in screen
    assert "saved notes/2506.00003.md: #NLP #Hallucination #Optimizer #Tidy Notes" in screen
    term.send("s")  # skip the middle one
    screen = term.wait_for("q quit")
    assert "3/3" in screen
    term.send("a")  # save what is ticked on the oldest (all of it)
    term.wait_for("reviewed 2, skipped 1, left 0 of 3 draft(s)")
    assert term.finish() == 0

    front = read_note(newest).front_matter
    assert front["tags"] == ["NLP", "Hallucination", "Optimizer", "Tidy Notes"]
    assert front["rejected_tags"] == ["RAG(RetrievalAugmentedGeneration)"]
    # Everything the person changed in the editor is still there, byte for byte;
    # only the review's own lines differ.
    final = newest.read_text(encoding="utf-8")
    removed, added = changed_lines(edited, final)
    assert removed == [
        "status: draft",
        "tags: []",
        next(line for line in edited.splitlines() if line.startswith("draft_sha256: ")),
        "#NLP #RAG(RetrievalAugmentedGeneration)",
    ]
    assert added[0] == "status: reviewed"
    assert added[1].startswith("reviewed_at: ")
    assert added[2:] == [
        "tags:",
        "- NLP",
        "- Hallucination",
        "- Optimizer",
        "- Tidy Notes",
        "rejected_tags:",
        "- RAG(RetrievalAugmentedGeneration)",
        "#NLP #Hallucination #Optimizer #Tidy Notes",
    ]
    assert "# 田中: 要約を直した\n" in final
    assert middle.read_bytes() == middle_before
    assert note_state(middle) is NoteState.DRAFT
    assert read_note(oldest).front_matter["tags"] == ["NLP", "RAG(RetrievalAugmentedGeneration)"]
    candidates = (tmp_path / "home" / "vocabulary-candidates.tsv").read_text(encoding="utf-8")
    assert "\nTidy Notes\t" in candidates


def test_quit_leaves_every_draft_as_it_was(tmp_path: Path, notes: list[Path]) -> None:
    before = [path.read_bytes() for path in notes]
    term = start_review(tmp_path, str(tmp_path / "notes"))
    term.wait_for("q quit")
    term.send("?")
    screen = term.wait_for("stop here")
    assert "Tab completes" in screen
    term.send("q")
    term.wait_for("reviewed 0, skipped 0, left 3 of 3 draft(s)")
    assert term.finish() == 0
    assert [path.read_bytes() for path in notes] == before


def test_a_note_changed_on_disk_meanwhile_is_not_clobbered(
    tmp_path: Path, notes: list[Path]
) -> None:
    newest = notes[2]
    term = start_review(tmp_path, str(newest))
    term.wait_for("1/1")
    term.wait_for("q quit")
    # Another window saves a change while the note is on screen.
    changed = newest.read_text(encoding="utf-8").replace("# Comment\n", "# Comment\n- 別窓で追記\n")
    newest.write_text(changed, encoding="utf-8")
    term.send("\r")
    term.wait_for("reviewed 1, skipped 0, left 0 of 1 draft(s)")
    assert term.finish() == 0
    note = read_note(newest)
    assert "- 別窓で追記\n" in note.body
    assert note.front_matter["tags"] == ["NLP", "RAG(RetrievalAugmentedGeneration)"]


def test_review_without_a_terminal_points_to_tags_accept(tmp_path: Path, notes: list[Path]) -> None:
    env = cli_env(tmp_path / "home", tmp_path / "notes")
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "review"],
        env=env,
        input="a\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "summarize: error: 'summarize review' needs a terminal; "
        "in a script use 'summarize tags accept NOTE --all' (or --only A,B)"
    ]


# --- the choices themselves, without a terminal -------------------------------------------


def _note(tags: str = "[]") -> object:
    text = (
        "---\nsource: arxiv\nstatus: draft\nsuggested_tags: [NLP, Optimizer]\n"
        f"tags: {tags}\nsuggested_tag_scores: {{NLP: 0.8}}\n---\n#NLP #Optimizer\n"
    )
    return parse_note(Path("n.md"), text)


def test_review_state_toggles_adds_and_survives_a_reread() -> None:
    state = ReviewState.for_note(_note("[read-later]"))
    assert [(c.name, c.origin, c.selected, c.score) for c in state.choices] == [
        ("NLP", "suggested", True, 0.8),
        ("Optimizer", "suggested", True, None),
        ("read-later", "kept", True, None),
    ]
    assert state.toggle(1)
    assert not state.toggle(7)
    assert state.add("nlp") == "#NLP is selected"
    assert state.add("Tidy", new=True).startswith("added #Tidy (new")
    state.toggle(2)  # drop read-later
    decision = state.decision(_note("[read-later]"), vocabulary=None)  # type: ignore[arg-type]
    assert decision.accepted == ["NLP", "Tidy"]
    assert decision.rejected == ["Optimizer", "read-later"]
    reread = ReviewState.for_note(_note("[read-later]"), previous=state)
    assert [(c.name, c.selected) for c in reread.choices] == [
        ("NLP", True),
        ("Optimizer", False),
        ("read-later", False),
        ("Tidy", True),
    ]
    assert reread.new_tags() == ["Tidy"]
    assert reread.has_changes(_note("[read-later]"))
    assert not ReviewState.for_note(_note("[read-later]")).has_changes(_note("[read-later]"))
    reread.select_all()
    assert [c.selected for c in reread.choices] == [True, True, True, True]


def test_new_suggestions_on_disk_are_shown_before_saving(tmp_path: Path, notes: list[Path]) -> None:
    newest = notes[2]
    term = start_review(tmp_path, str(newest))
    term.wait_for("q quit")
    text = newest.read_text(encoding="utf-8")
    newest.write_text(text.replace("suggested_tags:\n", "suggested_tags:\n- Optimizer\n"), "utf-8")
    term.send("\r")
    screen = term.wait_for("check the tags and save again")
    assert re.search(r"1\s+\[x\]\s+#Optimizer", screen)
    term.send("1")  # not this one
    term.wait_for("q quit")
    term.send("\r")
    term.wait_for("reviewed 1, skipped 0, left 0 of 1 draft(s)")
    assert term.finish() == 0
    front = read_note(newest).front_matter
    assert front["tags"] == ["NLP", "RAG(RetrievalAugmentedGeneration)"]
    assert front["rejected_tags"] == ["Optimizer"]


def test_naming_a_reviewed_note_says_how_to_change_it(tmp_path: Path, notes: list[Path]) -> None:
    newest = notes[2]
    text = newest.read_text(encoding="utf-8").replace("status: draft", "status: reviewed")
    newest.write_text(text, encoding="utf-8")
    term = start_review(tmp_path, str(newest))
    term.wait_for(f"{newest} is reviewed; change its tags with 'summarize tags accept")
    term.wait_for(f"no drafts to review in {newest}")
    assert term.finish() == 0
    assert newest.read_text(encoding="utf-8") == text


# --- Esc, quitting with unsaved changes, `a` and `x` (issue 17) ---------------------------


def test_esc_closes_the_help_and_cancels_a_tag_but_never_quits(
    tmp_path: Path, notes: list[Path]
) -> None:
    before = [path.read_bytes() for path in notes]
    term = start_review(tmp_path)
    term.wait_for("q quit")
    term.send("?")
    term.wait_for("close this help")
    term.send("\x1b")  # closes the help: the note's screen is back
    screen = term.wait_for("q quit")
    assert "Summary" in screen
    assert "close this help" not in screen
    term.send("\x1b")  # nothing to close: still on the same screen
    term.send("2")
    screen = term.wait_for("q quit")
    assert "1/3" in screen
    assert re.search(r"2\s+\[ \]\s+#RAG", screen)
    term.send("t")
    term.wait_for("add tag")
    term.send("hallu")
    term.wait_for("Hallucination")
    term.send("\x1b")  # cancels the tag being typed
    screen = term.wait_for("q quit")
    assert "#Hallucination" not in screen
    term.send("q")
    term.wait_for("drop your unsaved changes")
    term.send("y")
    term.wait_for("reviewed 0, skipped 0, left 3 of 3 draft(s)")
    assert term.finish() == 0
    assert [path.read_bytes() for path in notes] == before


def test_quitting_with_unsaved_changes_asks_first(tmp_path: Path, notes: list[Path]) -> None:
    newest = notes[2]
    term = start_review(tmp_path)
    term.wait_for("q quit")
    term.send("1")  # untick NLP: an unsaved change
    term.wait_for("q quit")
    term.send("q")
    term.wait_for("drop your unsaved changes to this note's tags? (y/n)")
    term.send("n")
    screen = term.wait_for("not quit; your changes are still on screen")
    assert re.search(r"1\s+\[ \]\s+#NLP", screen)
    term.send("a")  # `a` saves what is ticked: NLP stays rejected
    screen = term.wait_for("q quit")
    assert "2/3" in screen
    assert "saved notes/2506.00003.md: #RAG(RetrievalAugmentedGeneration)" in screen
    term.send("q")  # nothing changed on this screen: quits at once
    term.wait_for("reviewed 1, skipped 0, left 2 of 3 draft(s)")
    assert term.finish() == 0
    front = read_note(newest).front_matter
    assert front["tags"] == ["RAG(RetrievalAugmentedGeneration)"]
    assert front["rejected_tags"] == ["NLP"]


def test_x_ticks_every_tag_before_saving(tmp_path: Path, notes: list[Path]) -> None:
    newest = notes[2]
    term = start_review(tmp_path, str(newest))
    term.wait_for("q quit")
    term.send("1")
    term.send("2")
    screen = term.wait_for("q quit")
    term.send("x")
    screen = term.wait_for("q quit")
    assert re.search(r"1\s+\[x\]\s+#NLP", screen)
    assert re.search(r"2\s+\[x\]\s+#RAG", screen)
    term.send("a")
    term.wait_for("reviewed 1, skipped 0, left 0 of 1 draft(s)")
    assert term.finish() == 0
    front = read_note(newest).front_matter
    assert front["tags"] == ["NLP", "RAG(RetrievalAugmentedGeneration)"]
    assert not front.get("rejected_tags")


def test_the_help_fits_80_by_24(tmp_path: Path, notes: list[Path]) -> None:
    term = start_review(tmp_path, size=(24, 80))
    term.wait_for("q quit")
    term.send("?")
    screen = term.wait_for("close this help")
    lines = screen.rstrip("\n").split("\n")
    assert len(lines) <= 24
    assert max(len(line) for line in lines) <= 80
    assert "hallu → Factuality" in screen
    term.send("q")
    term.wait_for("left 3 of 3")
    assert term.finish() == 0
