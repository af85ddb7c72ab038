"""``python -m bench.batch_api``: ``summarize batch --batch-api`` against a synchronous run.

Both runs draft the same generated papers against the same fake servers (scripted
replies, so the answers are the same), each with a fresh user directory, and the
synchronous run is the baseline.  Printed for each mode (abstract only, full text,
and full text read part by part):

* papers written, model requests, and how many the batches ran (each once: 0
  duplicates) in how many batches per round;
* notes identical to the synchronous run's (apart from their creation time);
* the cost both ways (the batch price is half the price table's).

Wall times are of the fakes (batches end at once), so they show the overhead of
running the pipeline once per round, not the Batch API's hours.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from summarizer.batch.batch_api import BatchService
from summarizer.batch.readinglist import parse_reading_list
from summarizer.batch.rounds import ApiOptions, run_batch_api
from summarizer.batch.run import BatchOptions, run_batch
from summarizer.settings import Settings
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.pdfs import paper_pdf, text_pages_pdf

_WHEN = re.compile(r"^(created|draft_sha256): .*$", re.MULTILINE)


def _long_pdf() -> bytes:
    sentence = (
        "The claim graph links sentences that mention the same entity, and the reranker "
        "keeps a connected subgraph of at most twelve claims for the generator. "
    )
    titles = ["Introduction", "Method", "Experiments", "Results", "Analysis", "Conclusion"]
    return text_pages_pdf([f"{n} {t}\n" + sentence * 18 for n, t in enumerate(titles, 1)])


def _settings(
    root: Path, chat: FakeChatServer, arxiv: FakeArxivServer, **extra: object
) -> Settings:
    values: dict[str, object] = {
        "home": root / "home",
        "notes_dir": root / "notes",
        "base_url": chat.base_url,
        "arxiv_api_url": arxiv.api_url,
        "arxiv_pdf_url": f"{arxiv.url}/pdf/",
        "arxiv_interval": 0,
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def _notes(folder: Path) -> dict[str, str]:
    return {p.name: _WHEN.sub("", p.read_text(encoding="utf-8")) for p in folder.glob("*.md")}


def measure(label: str, papers: int, pdf: bytes | None, extra: dict[str, object]) -> None:
    with FakeChatServer() as chat, FakeArxivServer() as arxiv, tempfile.TemporaryDirectory() as tmp:
        default_product_script(chat)
        ids = arxiv.add_generated_papers(papers, **({"pdf": pdf} if pdf else {}))
        listing = parse_reading_list("\n".join(ids) + "\n", "text", "list.txt")
        full = {"full_text": pdf is not None, **extra}
        began = time.monotonic()
        sync = run_batch(listing, _settings(Path(tmp, "sync"), chat, arxiv, **full), BatchOptions())
        sync_seconds = time.monotonic() - began
        sync_requests = len(chat.chat_payloads)

        settings = _settings(Path(tmp, "api"), chat, arxiv, **full)
        service = BatchService(settings, sleep=lambda _s: None)
        began = time.monotonic()
        outcome = run_batch_api(
            listing, settings, BatchOptions(), ApiOptions(poll_seconds=0), service=service
        )
        api_seconds = time.monotonic() - began
        service.close()
        assert outcome.report is not None
        ran = Counter(chat.batch_api.executed)
        same = _notes(Path(tmp, "api", "notes")) == _notes(Path(tmp, "sync", "notes"))
        sync_cost, api_cost = sync.totals()["cost_usd"], outcome.report.totals()["cost_usd"]
        print(
            f"{label:<22} papers {outcome.report.totals()['drafted']:>3}/{papers:<3} "
            f"requests {sync_requests:>4} sync / {sum(ran.values()):>4} in batches "
            f"(duplicates {sum(n - 1 for n in ran.values())}) · rounds {len(outcome.created)}, "
            f"batches per round {[len(r) for r in outcome.created]} · notes identical: {same} · "
            f"cost ${sync_cost:.4f} sync -> ${api_cost:.4f} batch "
            f"({api_cost / sync_cost:.0%}) · {sync_seconds:.1f} s sync, {api_seconds:.1f} s batch"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.batch_api", description=__doc__)
    parser.add_argument("--abstract-papers", type=int, default=100)
    parser.add_argument("--full-text-papers", type=int, default=20)
    args = parser.parse_args(argv)
    measure("abstract only", args.abstract_papers, None, {})
    measure("full text", args.full_text_papers, paper_pdf(), {})
    measure("full text, map-reduce", 5, _long_pdf(), {"max_input_tokens": 1000})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
