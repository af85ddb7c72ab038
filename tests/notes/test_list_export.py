"""``summarize list`` and ``summarize export`` (issue and tag page), in a real subprocess."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len

from summarizer.notes.edit import TagDecision, save_decision
from summarizer.notes.export import IMPRESSION_PLACEHOLDER, publishable
from summarizer.notes.note import ATTENTION_MARK, MARKER, read_note
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import PRODUCT_SUMMARY_JA, default_product_script
from tests.pdfs import paper_pdf
from tests.review_support import (
    assert_one_line_error,
    cli_env,
    run_cli,
    three_drafts,
    write_draft,
    write_vocabulary,
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "home", tmp_path / "notes", write_vocabulary(tmp_path))


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """Three drafts (2506.00001-3) and two reviewed notes (2506.00011-12)."""
    folder = tmp_path / "notes"
    three_drafts(folder)
    for number, (day, tags) in enumerate(
        [(10, ["NLP", "Hallucination"]), (12, ["Optimizer", "Hallucination", "ACL"])], start=11
    ):
        path = write_draft(
            folder,
            f"2506.000{number}",
            created=datetime(2025, 5, day, tzinfo=UTC),
            title=f"Reviewed paper {number}",
            summary=f"要約{number}。手法を提案。",
            comment="## 概要\n- 自分のメモ。",
        )
        save_decision(
            path, TagDecision(tags, ["NLP"]), reviewed_at=datetime(2025, 7, day, 8, tzinfo=UTC)
        )
    (folder / "README.md").write_text("# my notes\n", encoding="utf-8")  # not a note
    return folder


def test_list_json_newest_first_with_filters(env: dict[str, str], notes: Path) -> None:
    run = run_cli(env, "list", "--json")
    assert run.code == 0, run.stderr
    rows = json.loads(run.stdout)
    assert [Path(row["path"]).name for row in rows] == [
        "2506.00003.md",
        "2506.00002.md",
        "2506.00001.md",
        "2506.00012.md",
        "2506.00011.md",
    ]
    assert rows[0]["status"] == "draft"
    assert rows[0]["edited"] is False
    assert rows[3]["tags"] == ["Optimizer", "Hallucination", "ACL"]
    assert rows[3]["reviewed_at"] == "2025-07-12T08:00:00+00:00"
    reviewed = json.loads(run_cli(env, "list", "--json", "--status", "reviewed").stdout)
    assert [Path(row["path"]).name for row in reviewed] == ["2506.00012.md", "2506.00011.md"]
    # A draft carries its suggested tags; "llm"-style aliases and case do not matter.
    rag = json.loads(run_cli(env, "list", "--json", "--tag", "rag").stdout)
    assert len(rag) == 3
    hallu = json.loads(run_cli(env, "list", str(notes), "--json", "--tag", "HALLUCINATION").stdout)
    assert len(hallu) == 2


def test_list_piped_is_one_tab_separated_line_per_note(env: dict[str, str], notes: Path) -> None:
    run = run_cli({**env, "COLUMNS": "80"}, "list", "--status", "reviewed")
    assert run.code == 0, run.stderr
    rows = [line.split("\t") for line in run.stdout.splitlines()]
    assert [row[:3] for row in rows] == [
        ["2506.00012.md", "reviewed", "2025-07-12"],
        ["2506.00011.md", "reviewed", "2025-07-10"],
    ]
    assert rows[0][3].startswith("[Paper Note] Reviewed paper 12")
    assert rows[0][4] == "#Optimizer #Hallucination #ACL"


def test_list_on_an_80_column_terminal_keeps_each_note_on_one_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], notes: Path
) -> None:
    from summarizer.cli.notes_table import print_notes
    from summarizer.notes.index import find_notes

    long_title = "検索拡張生成における長い文脈の評価と改善について" * 4
    write_draft(notes, "2506.00099", created=datetime(2025, 8, 1, tzinfo=UTC), title=long_title)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    print_notes(find_notes([notes]), notes)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    lines = shown.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    rows = [line for line in lines if ".md" in line]
    assert len(rows) == 6  # one row per note, however long its title
    assert "…" in next(row for row in rows if "2506.00099" in row)


def test_an_empty_list_says_what_there_is(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    three_drafts(folder)
    run = run_cli(env, "list", "--status", "reviewed")
    assert (run.code, run.stdout.strip()) == (0, f"no reviewed notes in {folder} (3 drafts)")
    tagged = run_cli(env, "list", "--tag", "Nowhere")
    assert tagged.stdout.strip() == f"no notes tagged #Nowhere in {folder} (3 drafts)"


def test_the_notes_folder_by_option_or_position(env: dict[str, str], notes: Path) -> None:
    elsewhere = {**env, "SUMMARIZER_NOTES_DIR": str(notes.parent / "empty")}
    for args in (["--notes-dir", str(notes)], ["--out", str(notes)], [str(notes)]):
        run = run_cli(elsewhere, "list", "--json", *args)
        assert run.code == 0, run.stderr
        assert len(json.loads(run.stdout)) == 5


def test_list_without_a_notes_folder(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home", tmp_path / "nowhere")
    assert_one_line_error(run_cli(env, "list"), "no notes folder", "SUMMARIZER_NOTES_DIR")


def test_export_page_in_the_house_layout(env: dict[str, str], notes: Path) -> None:
    run = run_cli(env, "export", "--format", "page", "--tag", "hallucination")
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout == (
        "Hallucination\n"
        "\n"
        "#Optimizer #Hallucination #ACL\n"
        "Issue Date: 2025-07-12\n"
        "[Paper Note] Reviewed paper 12, Aiko Tanaka+, arXiv'25, 2025.06\n"
        "Summary\n"
        "要約12。手法を提案。\n"
        "Comment\n"
        "## 概要\n"
        "- 自分のメモ。\n"
        "\n"
        "#NLP #Hallucination\n"
        "Issue Date: 2025-07-10\n"
        "[Paper Note] Reviewed paper 11, Aiko Tanaka+, arXiv'25, 2025.06\n"
        "Summary\n"
        "要約11。手法を提案。\n"
        "Comment\n"
        "## 概要\n"
        "- 自分のメモ。\n"
    )


def test_export_page_of_a_tag_nobody_carries(env: dict[str, str], notes: Path) -> None:
    run = run_cli(env, "export", "--format", "page", "--tag", "Optimiser")
    assert_one_line_error(
        run, "no reviewed note carries #Optimiser", "closest tags in use: Optimizer"
    )
    assert_one_line_error(run_cli(env, "export", "--format", "page"), "needs --tag")
    assert_one_line_error(run_cli(env, "export", str(notes)), "name its file")


def test_export_issue_leaves_out_the_reviewer_aids(env: dict[str, str], tmp_path: Path) -> None:
    path = write_draft(
        tmp_path / "notes",
        "2506.00021",
        created=datetime(2025, 6, 2, tzinfo=UTC),
        summary=f"手法を提案。精度が9.9{MARKER}ポイント向上。",
        comment="## 概要\n- 自分のメモ。\n\n" + IMPRESSION_PLACEHOLDER,
    )
    text = path.read_text(encoding="utf-8").replace(
        "# Summary (by gpt-4o-mini)\n", f"# Summary (by gpt-4o-mini)\n{ATTENTION_MARK} check\n"
    )
    path.write_text(text, encoding="utf-8")
    run = run_cli(env, "export", str(path))
    assert run.code == 0, run.stderr
    title, blank, *body = run.stdout.split("\n")
    assert title == read_note(path).front_matter["title_line"]
    assert title.startswith("[Paper Note] Tidy Retrieval: Fewer Passages, Better Answers, ")
    assert blank == ""
    body_text = "\n".join(body)
    assert body_text == publishable(read_note(path).body)
    assert ATTENTION_MARK not in body_text
    assert "ここに所感" not in body_text
    assert f"9.9{MARKER}" in body_text  # kept: it flags an unchecked number
    assert body_text.endswith("# Comment\n## 概要\n- 自分のメモ。\n")
    warnings = run.stderr.splitlines()
    assert "is not reviewed yet" in warnings[0]
    assert f"still has 1 {MARKER} mark(s)" in warnings[1]


def test_publishable_drops_an_empty_comment_heading() -> None:
    body = "#NLP\n\n# URL\n- u\n\n# Comment\n" + IMPRESSION_PLACEHOLDER + "\n"
    assert publishable(body) == "#NLP\n\n# URL\n- u\n"


def test_placeholder_matches_the_comment_draft() -> None:
    from summarizer.drafting.comment import IMPRESSION_PLACEHOLDER as DRAFTED

    assert IMPRESSION_PLACEHOLDER == DRAFTED


@pytest.mark.slow
def test_draft_accept_and_export_an_issue_end_to_end(
    tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer
) -> None:
    """The real draft command against the fake servers, then accept and export."""
    default_product_script(chat_server)
    arxiv_server.add_pdf("2506.12345", paper_pdf())
    env = cli_env(tmp_path / "home", tmp_path / "notes")
    env.update(
        {
            "OPENAI_BASE_URL": chat_server.base_url,
            "SUMMARIZER_ARXIV_API_URL": arxiv_server.api_url,
            "SUMMARIZER_ARXIV_PDF_URL": f"{arxiv_server.url}/pdf/",
            "SUMMARIZER_ARXIV_INTERVAL": "0",
        }
    )
    drafted = run_cli(env, "2506.12345")
    assert drafted.code == 0, drafted.stderr
    note = Path(drafted.stdout.strip())
    accepted = run_cli(env, "tags", "accept", str(note), "--only", "NLP,LanguageModel")
    assert accepted.code == 0, accepted.stderr
    run = run_cli(env, "export", str(note), "--json")
    assert run.code == 0, run.stderr
    assert run.stderr == ""  # reviewed, and no unchecked marks
    issue = json.loads(run.stdout)
    assert issue["title"] == read_note(note).front_matter["title_line"]
    assert issue["labels"] == ["NLP", "LanguageModel"]
    body = issue["body"]
    headings = [line for line in body.splitlines() if line.startswith("# ")]
    assert headings == [
        "# URL",
        "# Authors",
        "# Abstract",
        "# Translation (by gpt-4o-mini)",
        "# Summary (by gpt-4o-mini)",
        "# Comment",
    ]
    assert body.startswith("#NLP #LanguageModel\n\n# URL\n")
    assert f"- {PRODUCT_SUMMARY_JA}\n" in body
    assert "## 概要" in body
    assert "ここに所感" not in body
    assert "arxiv_id" not in body
