"""The house glossary on disk: a TSV in the user directory the person may edit.

``glossary.tsv`` (``$SUMMARIZER_HOME/glossary.tsv``) has a comment header recording
the history it was learned from, then one row per term::

    term        kind       japanese              notes  share
    LLM         keep       LLM                   28     0.96
    fine-tuning translate  ファインチューニング  22     0.75

The person may change a rendering, delete a row or add one (``notes`` and ``share``
may be left empty).  A rebuild never loses that: the learned table is also kept in
the cache (``glossary.learned.tsv``), so a row of ``glossary.tsv`` that differs from
what was learned last time is the person's and wins over the new table, and a row
they deleted stays deleted.  Without that copy every row present is taken as theirs.

:func:`load_glossary` rebuilds when the history's fingerprint changed, so the
glossary follows the notes without a command.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.errors import GlossaryFormatError
from summarizer.fsutil import atomic_write_text, read_user_text
from summarizer.tags.glossary import Term, learn_glossary
from summarizer.tags.history import histories_fingerprint
from summarizer.tags.log_notes import load_log

if TYPE_CHECKING:
    from summarizer.settings import Settings

COLUMNS = ("term", "kind", "japanese", "notes", "share")
_FINGERPRINT = "# history: "
_HEADER = (
    "# The house glossary of summarize, learned from your notes (summarize glossary build).\n"
    "# Edit freely: change a rendering, delete a row, add your own (notes and share may\n"
    "# stay empty).  Rebuilding keeps your changes.  kind: keep (English as is) | translate\n"
)
# Larger files are no glossary a person keeps by hand.
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Glossary:
    terms: list[Term]
    fingerprint: str = ""  # of the history it was learned from ('' if unknown)


@dataclass(frozen=True)
class BuildResult:
    path: Path
    terms: list[Term]
    learned: int  # rows learned from the history
    hand_rows: int  # rows of the person's (changed or added) kept over the learned ones
    notes: int  # notes of the history with Japanese text


def glossary_path(settings: Settings) -> Path:
    return settings.home / "glossary.tsv"


def learned_path(settings: Settings) -> Path:
    return settings.cache_dir / "glossary.learned.tsv"


def read_glossary(path: Path) -> Glossary:
    """The glossary at ``path``; a row that cannot be used raises :class:`GlossaryFormatError`."""
    if path.exists() and path.stat().st_size > MAX_BYTES:
        raise GlossaryFormatError(str(path), f"larger than {MAX_BYTES // 1_000_000} MB")
    text = read_user_text(path, GlossaryFormatError)
    fingerprint = ""
    terms: dict[str, Term] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(_FINGERPRINT):
            fingerprint = line.removeprefix(_FINGERPRINT).strip()
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if cells[: len(COLUMNS)] == list(COLUMNS):
            continue  # the column names
        term = _row(cells, str(path), number)
        terms[term.key] = term  # a term written twice: the later row wins
    return Glossary(list(terms.values()), fingerprint)


def write_glossary(path: Path, terms: Sequence[Term], fingerprint: str) -> None:
    buffer = io.StringIO()
    buffer.write(_HEADER)
    buffer.write(f"{_FINGERPRINT}{fingerprint}\n")
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    writer.writerow(COLUMNS)
    for t in terms:
        share = f"{t.share:.2f}" if t.notes else ""
        writer.writerow([t.term, t.kind, t.japanese, t.notes or "", share])
    atomic_write_text(path, buffer.getvalue(), replace=True)


def build_glossary(path: Path, learned: Path, sources: Sequence[Path]) -> BuildResult:
    """Learn the glossary from ``sources`` and write it, keeping the person's edits."""
    log = load_log(sources)
    fingerprint = histories_fingerprint(sources)
    new = learn_glossary(log)
    merged, hand = _merge(new, path, learned)
    write_glossary(learned, new, fingerprint)
    write_glossary(path, merged, fingerprint)
    with_japanese = sum(1 for note in log if note.translation or note.summary)
    return BuildResult(path, merged, len(new), hand, with_japanese)


def load_glossary(path: Path, learned: Path, sources: Sequence[Path]) -> list[Term]:
    """The glossary, rebuilt first if the history changed since it was learned.

    No sources and no file: no glossary (a user without history sees no change).
    """
    if not sources:
        return read_glossary(path).terms if path.exists() else []
    if path.exists():
        current = read_glossary(path)
        if current.fingerprint == histories_fingerprint(sources):
            return current.terms
    return build_glossary(path, learned, sources).terms


def _merge(new: list[Term], path: Path, learned: Path) -> tuple[list[Term], int]:
    if not path.exists():
        return new, 0
    current = {t.key: t for t in read_glossary(path).terms}
    before = {t.key: t for t in read_glossary(learned).terms} if learned.exists() else {}
    hand = {k: t for k, t in current.items() if _rule(before.get(k)) != _rule(t)}
    deleted = set(before) - set(current)
    merged = [t for t in new if t.key not in deleted and t.key not in hand]
    return [*hand.values(), *merged], len(hand)


def _rule(term: Term | None) -> tuple[str, str, str] | None:
    return None if term is None else (term.term, term.kind, term.japanese)


def _row(cells: list[str], path: str, number: int) -> Term:
    if len(cells) < 3 or not cells[0] or not cells[2]:
        raise GlossaryFormatError(
            path, "a row needs term, kind and japanese, tab-separated", number
        )
    term, kind, japanese = cells[:3]
    if kind not in ("keep", "translate"):
        raise GlossaryFormatError(path, f"kind {kind!r} is not keep or translate", number)
    try:
        notes = int(cells[3]) if len(cells) > 3 and cells[3] else 0
        share = float(cells[4]) if len(cells) > 4 and cells[4] else 1.0
    except ValueError:
        raise GlossaryFormatError(
            path, "notes must be a whole number and share a number", number
        ) from None
    return Term(term, kind, japanese, notes, share)  # type: ignore[arg-type]
