"""Run both fake servers in the foreground for trying the CLI by hand.

    python -m tests.fakes [--chat-port P] [--arxiv-port Q] [--papers N] [--latency S] [--env]

(from the repository root).  Prints the URLs and the environment variables
to export in another shell, then serves until Ctrl-C.  The variables start with
a scratch ``SUMMARIZER_HOME``: the fakes' papers and replies must never land in
your real caches.  ``--env`` prints only the ``export`` lines, for
``eval "$(python -m tests.fakes --env &)"``-style scripts.
"""

from __future__ import annotations

import argparse
import threading

from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.environment import server_variables
from tests.fakes.openai_server import FakeChatServer
from tests.fakes.product import default_product_script
from tests.pdfs import paper_pdf


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes",
        description="Local fake OpenAI-compatible chat server and arXiv API.",
    )
    parser.add_argument("--chat-port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--arxiv-port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument(
        "--papers", type=int, default=0, help="also serve N generated papers 2507.00001… (with PDF)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds before each model reply (default 0)"
    )
    parser.add_argument("--env", action="store_true", help="print only the export lines")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start both servers, print how to use them and serve until interrupted."""
    args = _parse_args(argv)
    chat = FakeChatServer(port=args.chat_port, latency=args.latency)
    arxiv = FakeArxivServer(port=args.arxiv_port)
    default_product_script(chat)
    # A small PDF of our own for 2506.12345, so the full-text path can be tried too.
    arxiv.add_pdf("2506.12345", paper_pdf())
    generated = arxiv.add_generated_papers(args.papers, pdf=paper_pdf()) if args.papers else []
    with chat, arxiv:
        exports = [
            "export SUMMARIZER_HOME=$(mktemp -d)",
            *(f"export {name}={value}" for name, value in server_variables(chat, arxiv).items()),
        ]
        if args.env:
            print("\n".join(exports), flush=True)
            return _serve()
        print(f"fake chat server:  {chat.base_url}  (POST /chat/completions)")
        print(f"fake arXiv API:    {arxiv.api_url}")
        fixtures = [i for i in arxiv.known_ids if i not in generated]
        print(f"known arXiv IDs:   {', '.join(fixtures)}")
        if generated:
            print(f"generated papers:  {generated[0]} … {generated[-1]} ({len(generated)})")
        print()
        print("In another shell (a scratch SUMMARIZER_HOME keeps fake data out of your caches):")
        for line in exports:
            print(f"  {line}")
        print()
        print("Serving; press Ctrl-C to stop.", flush=True)
        return _serve()


def _serve() -> int:
    try:
        threading.Event().wait()  # sleeps until KeyboardInterrupt
    except KeyboardInterrupt:
        print("\nstopping")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
