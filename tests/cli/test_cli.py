"""End to end: the `summarize` command in a real subprocess against the local servers."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.environment import clean_environment, server_variables
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import PRODUCT_SUMMARY_JA, PRODUCT_TAGS, default_product_script
from tests.fakes.server import Fault
from tests.pdfs import paper_pdf
from tests.review_support import MUSIC, reviewed_notes

pytestmark = pytest.mark.slow

SECRET = "sk-test-DO-NOT-LEAK-0123456789"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


@dataclass
class Env:
    home: Path
    notes: Path
    chat: FakeChatServer
    arxiv: FakeArxivServer
    variables: dict[str, str]

    def run(self, *args: str, **extra_env: str) -> Run:
        env = {**self.variables, **extra_env}
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def files(self) -> list[str]:
        return sorted(p.name for p in self.notes.iterdir()) if self.notes.exists() else []


@pytest.fixture
def env(tmp_path: Path, chat_server: FakeChatServer, arxiv_server: FakeArxivServer) -> Env:
    default_product_script(chat_server)
    arxiv_server.add_pdf("2506.12345", paper_pdf())
    variables = {
        **clean_environment(),
        **server_variables(chat_server, arxiv_server),
        "SUMMARIZER_HOME": str(tmp_path / "home"),
        "SUMMARIZER_NOTES_DIR": str(tmp_path / "notes"),
        "SUMMARIZER_MODEL_TIMEOUT": "1",
        "SUMMARIZER_HTTP_TIMEOUT": "1",
    }
    return Env(tmp_path / "home", tmp_path / "notes", chat_server, arxiv_server, variables)


def assert_one_line_error(run: Run, code: int, *fragments: str) -> None:
    assert run.code == code, run.stderr
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("summarize: error: ")
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def read_front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))


def test_quick_start_writes_the_note(env: Env) -> None:
    run = env.run("https://arxiv.org/abs/2506.12345")
    assert run.code == 0, run.stderr
    path = env.notes / "2506.12345.md"
    assert run.stdout.strip() == str(path)
    fm = read_front_matter(path)
    assert fm["title_line"] == (
        "[Paper Note] EviGraph: Evidence-Graph Retrieval for Faithful Multi-Hop Question "
        "Answering with Large Language Models, Mariko Tanabe+, arXiv'25, 2025.06"
    )
    assert fm["status"] == "draft"
    # Topics from the model, then the venue from the paper's comment ("Accepted at ACL 2025").
    assert fm["suggested_tags"] == [*PRODUCT_TAGS, "ACL"]
    assert fm["usage"]["total"]["calls"] == 4  # translation, summary, tags, comment
    assert fm["full_text"]["mode"] == "single"
    assert fm["full_text"]["sent_tokens"] > 0
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body.startswith("#NLP #LanguageModel #RAG(RetrievalAugmentedGeneration) #ACL\n")
    assert f"# Summary (by gpt-4o-mini)\n- {PRODUCT_SUMMARY_JA}\n" in body
    comment = body.split("# Comment\n", 1)[1]
    assert comment.startswith("## 概要\n- ")
    assert "## 所感" in comment


def test_json_output_contract(env: Env) -> None:
    run = env.run("arXiv:2506.12345v3", "--json", "--model", "my-model")
    assert run.code == 0, run.stderr
    result = json.loads(run.stdout)
    assert set(result) == {"path", "arxiv_id", "title_line", "suggested_tags", "usage"}
    assert result["arxiv_id"] == "2506.12345"
    assert result["suggested_tags"] == [*PRODUCT_TAGS, "ACL"]
    assert result["usage"]["total"]["calls"] == 4
    assert read_front_matter(Path(result["path"]))["model"] == "my-model"


def test_old_style_id_gets_a_safe_file_name(env: Env) -> None:
    run = env.run("https://arxiv.org/abs/hep-th/9901001v2", "--out", str(env.notes / "old"))
    assert run.code == 0, run.stderr
    assert (env.notes / "old" / "hep-th_9901001.md").is_file()


def test_rerun_refuses_without_force_and_costs_nothing(env: Env) -> None:
    assert env.run("2506.12345").code == 0
    path = env.notes / "2506.12345.md"
    first = path.read_text(encoding="utf-8")
    requests_before = len(env.chat.requests), len(env.arxiv.requests)
    run = env.run("2506.12345")
    assert_one_line_error(run, 2, "already exists", "--force")
    assert (len(env.chat.requests), len(env.arxiv.requests)) == requests_before
    assert path.read_text(encoding="utf-8") == first


def test_force_redrafts_from_cached_metadata(env: Env) -> None:
    assert env.run("2506.12345").code == 0
    arxiv_requests = len(env.arxiv.requests)
    run = env.run("2506.12345", "--force")
    assert run.code == 0, run.stderr
    assert len(env.arxiv.requests) == arxiv_requests  # metadata came from the cache


def test_force_never_overwrites_an_edited_note(env: Env) -> None:
    assert env.run("2506.12345").code == 0
    path = env.notes / "2506.12345.md"
    edited = path.read_text(encoding="utf-8").replace("# Comment", "# Comment\nメモ")
    path.write_text(edited, encoding="utf-8")
    run = env.run("2506.12345", "--force")
    assert_one_line_error(run, 2, "edited by a person")
    assert path.read_text(encoding="utf-8") == edited


@pytest.mark.parametrize(
    "reference", ["nonsense", "2513.12345", "https://example.com/abs/2506.12345"]
)
def test_bad_reference_is_exit_2_naming_the_input(env: Env, reference: str) -> None:
    run = env.run(reference)
    assert_one_line_error(run, 2, repr(reference), "expected an arXiv URL")
    assert env.files() == []
    assert env.arxiv.requests == []
    assert env.chat.requests == []


def test_unknown_paper_is_exit_2(env: Env) -> None:
    run = env.run("2507.99999")
    assert_one_line_error(run, 2, "arXiv has no paper 2507.99999")
    assert env.chat.requests == []


def test_missing_vocabulary_file_is_exit_2(env: Env) -> None:
    run = env.run("2506.12345", "--vocabulary", str(env.home / "missing.tsv"))
    assert_one_line_error(run, 2, "missing.tsv", "no such file")


def test_unknown_option_is_exit_2(env: Env) -> None:
    run = env.run("2506.12345", "--frobnicate")
    assert run.code == 2
    assert "No such option" in run.stderr


def test_openai_backend_without_key_or_server_is_exit_2(env: Env) -> None:
    run = env.run("2506.12345", "--backend", "openai", OPENAI_BASE_URL="")
    assert_one_line_error(run, 2, "OPENAI_API_KEY", "OPENAI_BASE_URL")


def test_local_backend_names_the_model_and_the_fix_when_weights_are_unusable(env: Env) -> None:
    # A model path that is not a GGUF file: the embedded backend is chosen with no
    # key or server configured, and fails with one line instead of a traceback.
    bogus = env.home / "not-a-model.gguf"
    bogus.parent.mkdir(parents=True, exist_ok=True)
    bogus.write_bytes(b"not a gguf file")
    run = env.run("2506.12345", OPENAI_BASE_URL="", SUMMARIZER_LOCAL_MODEL_PATH=str(bogus))
    assert run.code in (1, 2), run.stderr
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert env.files() == []


def test_pdf_on_disk_becomes_a_note(env: Env) -> None:
    sample = Path(__file__).resolve().parents[2] / "samples" / "sample-paper.pdf"
    run = env.run(str(sample), "--json")
    assert run.code == 0, run.stderr
    result = json.loads(run.stdout)
    assert Path(result["path"]).name == "sample-paper.md"
    fm = read_front_matter(Path(result["path"]))
    assert fm["source"] == "pdf"
    assert fm["pdf"] == str(sample)
    assert fm["title"].startswith("Ledger: Counting What")
    assert fm["authors"][0] == "Hanna Lindqvist"
    assert "arxiv_id" not in fm
    assert fm["title_line"] == (
        "[Paper Note] Ledger: Counting What a Retrieval-Augmented Answer Actually Uses, "
        "Hanna Lindqvist+"
    )
    prompt = json.dumps(env.chat.chat_payloads, ensure_ascii=False)
    assert "Ledger removes 63% of context tokens" in prompt  # the abstract came from the PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.pdf", None, "no such PDF file"),
        ("page.pdf", b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML"),
    ],
)
def test_unusable_pdf_is_exit_2(env: Env, name: str, content: bytes | None, message: str) -> None:
    path = env.home / name
    if content is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    run = env.run(str(path))
    assert_one_line_error(run, 2, message)
    assert env.chat.requests == []


@pytest.mark.parametrize(
    ("server", "faults"),
    [
        ("arxiv", [Fault(status=503)]),
        ("arxiv", [Fault(status=429, retry_after=0)]),
        ("arxiv", [Fault(truncate=True)]),
        ("arxiv", [Fault(malformed=True)]),
        ("arxiv", [Fault(empty=True)]),
        ("arxiv", [Fault(delay=1.2)]),
        ("chat", [Fault(status=429, retry_after=0.01)]),
        ("chat", [Fault(status=500, retry_after=0.01)]),
        ("chat", [Fault(status=503, retry_after=0.01)]),
        ("chat", [Fault(truncate=True)]),
        ("chat", [Fault(malformed=True)]),
        ("chat", [Fault(delay=1.5)]),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_one_transient_fault_still_writes_the_note(
    env: Env, server: str, faults: list[Fault]
) -> None:
    target = env.arxiv if server == "arxiv" else env.chat
    target.inject(*faults)
    run = env.run("2506.12345")
    assert run.code == 0, run.stderr
    assert (env.notes / "2506.12345.md").is_file()


def test_arxiv_down_is_exit_1_and_writes_nothing(env: Env) -> None:
    env.arxiv.inject(*[Fault(status=503)] * 4)
    run = env.run("2506.12345")
    assert_one_line_error(run, 1, "arXiv is unavailable", "HTTP 503", "after 4 attempt")
    assert env.files() == []


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault(status=503, retry_after=0.01), "HTTP 503 after retries"),
        (Fault(status=429, retry_after=0.01), "rate limited"),
        (Fault(malformed=True), "not valid JSON"),
        (Fault(truncate=True), "cut off"),
        (Fault(delay=1.5), "no answer within 1 s"),
    ],
    ids=["503", "429", "malformed", "truncated", "timeout"],
)
def test_model_down_is_exit_1_and_writes_nothing(env: Env, fault: Fault, message: str) -> None:
    env.chat.inject(*[fault] * 12)
    run = env.run("2506.12345")
    assert_one_line_error(run, 1, "chat model at 127.0.0.1", message)
    assert env.files() == []


def test_debug_shows_the_traceback(env: Env) -> None:
    env.arxiv.inject(*[Fault(status=503)] * 4)
    run = env.run("2506.12345", "--debug")
    assert run.code == 1
    assert "Traceback" in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("summarize: error: ")


def test_openai_key_is_never_sent_to_a_foreign_server_nor_written(env: Env) -> None:
    run = env.run("2506.12345", "--debug", OPENAI_API_KEY=SECRET)
    assert run.code == 0, run.stderr
    authorizations = {r.headers.get("authorization") for r in env.chat.requests}
    assert authorizations == {"Bearer no-key-needed"}
    assert_secret_absent(env, run)


def test_summarizer_key_is_sent_to_its_server_but_never_written(env: Env) -> None:
    run = env.run("2506.12345", "--debug", SUMMARIZER_API_KEY=SECRET)
    assert run.code == 0, run.stderr
    authorizations = {r.headers.get("authorization") for r in env.chat.requests}
    assert authorizations == {f"Bearer {SECRET}"}
    assert_secret_absent(env, run)


def test_rejected_key_names_the_key_rule(env: Env) -> None:
    env.chat.inject(Fault(status=401))
    run = env.run("2506.12345", OPENAI_API_KEY=SECRET)
    assert_one_line_error(run, 1, "HTTP 401", "SUMMARIZER_API_KEY")
    assert SECRET not in run.stderr


def assert_secret_absent(env: Env, run: Run) -> None:
    assert SECRET not in run.stdout + run.stderr
    for folder in (env.home, env.notes):
        for path in folder.rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path


def test_help_is_available_without_any_configuration(env: Env) -> None:
    run = env.run("--help")
    assert run.code == 0
    assert "REF" in run.stdout
    assert "draft" in run.stdout


# --- full text (issue 4) ---------------------------------------------------------------


def test_abstract_only_skips_the_pdf_and_the_comment(env: Env) -> None:
    run = env.run("2506.12345", "--abstract-only")
    assert run.code == 0, run.stderr
    fm = read_front_matter(env.notes / "2506.12345.md")
    assert fm["full_text"] is False
    assert fm["usage"]["total"]["calls"] == 3
    assert "comment" not in fm["usage"]
    assert not any(r.path.startswith("/pdf/") for r in env.arxiv.requests)


def test_missing_pdf_falls_back_to_the_abstract_with_a_warning(env: Env) -> None:
    run = env.run("2401.00001")
    assert run.code == 0, run.stderr
    fm = read_front_matter(env.notes / "2401.00001.md")
    assert fm["full_text"] is False
    assert any("full text unavailable" in w and "HTTP 404" in w for w in fm["warnings"])
    body = (env.notes / "2401.00001.md").read_text(encoding="utf-8")
    assert body.rstrip().endswith("# Comment")


def test_pdf_url_from_any_host(env: Env) -> None:
    run = env.run(f"{env.arxiv.url}/pdf/2506.12345.pdf", "--json")
    assert run.code == 0, run.stderr
    result = json.loads(run.stdout)
    # Named after the arXiv stamp printed in the PDF's margin.
    assert Path(result["path"]).name == "2506.12345.md"
    assert read_front_matter(Path(result["path"]))["source"] == "pdf"


def test_dry_run_estimates_without_calling_the_model(env: Env) -> None:
    run = env.run("2506.12345", "--dry-run", "--json")
    assert run.code == 0, run.stderr
    estimate = json.loads(run.stdout)
    assert env.chat.requests == []
    assert env.files() == []
    assert estimate["calls"] == 4
    assert estimate["input_tokens"] > 1000
    assert estimate["cost_usd"] > 0
    assert estimate["full_text_mode"] == "single"
    text = env.run("2506.12345", "--dry-run")
    assert "estimated cost: $" in text.stdout


def test_rerun_is_answered_from_the_reply_cache(env: Env) -> None:
    assert env.run("2506.12345").code == 0
    calls = len(env.chat.requests)
    assert env.run("2506.12345", "--force").code == 0
    assert len(env.chat.requests) == calls  # nothing asked twice
    assert env.run("2506.12345", "--force", "--no-cache").code == 0
    assert len(env.chat.requests) == 2 * calls


def test_numbers_not_in_the_paper_are_marked_for_the_reviewer(env: Env) -> None:
    env.chat.clear_script()
    env.chat.script("要約", "新手法を提案し、精度を99.9%まで改善。4.2ポイントの向上を達成。")
    default_product_script(env.chat)
    run = env.run("2506.12345", "--no-cache")
    assert run.code == 0, run.stderr
    text = (env.notes / "2506.12345.md").read_text(encoding="utf-8")
    assert "99.9%（⚠要確認）" in text
    assert "4.2ポイントの向上" in text  # supported: unmarked
    fm = read_front_matter(env.notes / "2506.12345.md")
    assert fm["unsupported_claims"]["summary"] == ["99.9%"]


# --- tags learned from the user's history ------------------------------------------------

HISTORY_TOPICS = [
    (
        "retrieval augmented generation for multi-hop question answering",
        ["NLP", "QuestionAnswering"],
    ),
    ("neural machine translation between languages", ["NLP", "MachineTranslation"]),
    ("image segmentation with convolutional networks", ["ComputerVision", "InventedTag"]),
    ("weight quantization of large language models", ["LanguageModel", "Quantization"]),
]


def write_history(path: Path, n: int = 24) -> Path:
    rows = []
    for i in range(n):
        text, tags = HISTORY_TOPICS[i % len(HISTORY_TOPICS)]
        rows.append(
            {"title": f"Paper {i}", "abstract": f"We study {text}. Variant {i}.", "tags": tags}
        )
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_tags_suggest_prints_one_json_line_per_paper_without_the_model(env: Env) -> None:
    env.home.mkdir(parents=True, exist_ok=True)
    history = write_history(env.home / "history.jsonl")
    papers = env.home / "papers.jsonl"
    papers.write_text(
        json.dumps(
            {"id": "a", "title": "Quantization of language models", "abstract": "4-bit weights."}
        )
        + "\n"
        + json.dumps(
            {"id": "b", "title": "Translation", "abstract": "Neural machine translation."}
        ),
        encoding="utf-8",
    )
    run = env.run("tags", "suggest", "--input", str(papers), "--history", str(history), "--no-llm")
    assert run.code == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert "Quantization" in lines[0]["tags"]
    assert "MachineTranslation" in lines[1]["tags"]
    for line in lines:
        assert set(line["tags"]) == set(line["scores"])
        assert all(0.0 <= score <= 1.0 for score in line["scores"].values())
        assert "InventedTag" not in line["tags"]  # in the history, not in the vocabulary
    assert env.chat.requests == []


def test_tags_suggest_with_the_model_reranks_candidates_only(env: Env) -> None:
    env.home.mkdir(parents=True, exist_ok=True)
    history = write_history(env.home / "history.jsonl")
    papers = env.home / "papers.jsonl"
    papers.write_text(
        json.dumps({"id": 1, "title": "Translation", "abstract": "Neural machine translation."}),
        encoding="utf-8",
    )
    env.chat.clear_script()
    env.chat.script(
        lambda request: "response_format" in request,
        json.dumps({"tags": ["MachineTranslation", "ComputerVision"]}),
    )
    run = env.run("tags", "suggest", "--input", str(papers), "--history", str(history))
    assert run.code == 0, run.stderr
    (line,) = [json.loads(text) for text in run.stdout.splitlines()]
    assert line["tags"][0] == "MachineTranslation"
    request = env.chat.chat_payloads[0]
    enum = request["response_format"]["json_schema"]["schema"]["properties"]["tags"]["items"]
    assert len(enum["enum"]) <= 30  # the model chooses among the suggester's candidates


def test_tags_suggest_rejects_a_bad_input_line(env: Env) -> None:
    env.home.mkdir(parents=True, exist_ok=True)
    history = write_history(env.home / "history.jsonl")
    papers = env.home / "papers.jsonl"
    papers.write_text('{"id": 1, "title": "T", "abstract": "A"}\n{not json\n', encoding="utf-8")
    run = env.run("tags", "suggest", "--input", str(papers), "--history", str(history), "--no-llm")
    assert_one_line_error(run, 2, "papers.jsonl, line 2")


def test_draft_with_history_and_no_llm_tags(env: Env) -> None:
    env.home.mkdir(parents=True, exist_ok=True)
    history = write_history(env.home / "history.jsonl")
    run = env.run("2506.12345", "--history", str(history), "--no-llm")
    assert run.code == 0, run.stderr
    fm = read_front_matter(env.notes / "2506.12345.md")
    # Scored topics from the history, then the unscored venue from the paper's comment.
    *topics, venue = fm["suggested_tags"]
    assert topics
    assert venue == "ACL"
    assert set(fm["suggested_tag_scores"]) == set(topics)
    assert "tags" not in fm["usage"] or fm["usage"]["tags"]["calls"] == 0
    assert not any(
        "response_format" in p and "TagSuggestion" in json.dumps(p) for p in env.chat.chat_payloads
    )


def test_no_llm_without_history_is_exit_2(env: Env) -> None:
    run = env.run("2506.12345", "--no-llm")
    assert_one_line_error(run, 2, "--history")


def test_venue_tag_comes_from_the_metadata_when_the_vocabulary_has_it(env: Env) -> None:
    env.home.mkdir(parents=True, exist_ok=True)
    vocabulary = env.home / "v.tsv"
    vocabulary.write_text(
        "name\tkind\nNLP\ttopic\nLanguageModel\ttopic\nACL\tvenue\nread-later\tworkflow\n",
        encoding="utf-8",
    )
    # 2506.12345's comment says "Accepted at ACL 2025".
    run = env.run("2506.12345", "--vocabulary", str(vocabulary), "--json")
    assert run.code == 0, run.stderr
    fm = read_front_matter(env.notes / "2506.12345.md")
    assert fm["suggested_tags"] == ["NLP", "LanguageModel", "ACL"]
    assert json.loads(run.stdout)["suggested_tags"] == fm["suggested_tags"]


def test_reviewed_notes_in_the_notes_folder_are_the_history(env: Env) -> None:
    """No --history: what the person accepted when reviewing teaches the next note."""
    reviewed_notes(env.notes, 12, accepted="Quantization", rejected="NLP")
    reviewed_notes(env.notes, 12, accepted="Music", rejected="NLP", paper=MUSIC, first=12)
    papers = env.home / "papers.jsonl"
    env.home.mkdir(parents=True, exist_ok=True)
    papers.write_text(
        json.dumps(
            {
                "id": "q",
                "title": "Low-bit weights for small models",
                "abstract": "We quantize the weights of a small model to four bits.",
            }
        ),
        encoding="utf-8",
    )
    run = env.run("tags", "suggest", "--input", str(papers), "--no-llm", "--top-k", "3")
    assert run.code == 0, run.stderr
    (line,) = [json.loads(text) for text in run.stdout.splitlines()]
    assert line["tags"][0] == "Quantization"
    assert line["scores"]["Quantization"] > line["scores"].get("NLP", 0.0)
    assert env.chat.requests == []
