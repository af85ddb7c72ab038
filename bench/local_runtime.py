"""``python -m bench.local_runtime``: the embedded model's runtime, against the bare llama.cpp.

Each runtime runs in a child process of its own (so its peak memory is its own) on
the same GGUF file, with the same chat prompts (the shipped translation and summary
prompts for two fictional abstracts), greedy decoding and a fixed seed:

* ``xllamacpp`` through :mod:`summarizer.llm.local_runtime` exactly as drafting
  uses it (llama.cpp's server in-process, OpenAI format, the Chinese-only token ban);
* ``llama-cpp-python``'s ``create_chat_completion`` (the runtime before), when it
  is installed — it no longer is by default, so its row is then skipped.

Printed per runtime: load seconds, peak RSS, prompt and generation tokens per
second (llama.cpp's own timings where it reports them), seconds for all calls, and
the Japanese ratio and Chinese-only characters of the replies.  llama-cpp-python
reports no prompt/generation split, so its rate is tokens generated per second of
the whole call.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ABSTRACTS = [
    "Retrieval-augmented generation systems usually pass every retrieved passage to the "
    "model, although most answers need only a few of them. We present Ledger, a "
    "bookkeeping layer that records which passages a generated answer actually uses and "
    "drops the rest after the first turn. On three multi-turn QA benchmarks Ledger removes "
    "63% of context tokens while exact match changes by less than 0.4 points.",
    "Speculative decoding accelerates generation by letting a small draft model propose "
    "tokens that a large model verifies in parallel. We introduce draft heads attached to "
    "intermediate layers and trained on 0.5% of the parameters, reaching a 2.3x speed-up "
    "on four benchmarks with identical outputs.",
]
MAX_TOKENS = 200


def _messages(prompt: str, abstract: str) -> list[dict[str, str]]:
    from summarizer.llm.prompts import load_prompt

    chat = load_prompt(prompt).to_chat_prompt()
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    formatted = chat.format_messages(title="A fictional paper", abstract=abstract)
    return [{"role": roles[m.type], "content": str(m.content)} for m in formatted]


def _calls() -> list[list[dict[str, str]]]:
    return [_messages(p, a) for a in ABSTRACTS for p in ("translate", "summarize")]


def run_child(runtime: str, model: Path, cache_dir: Path) -> dict[str, object]:
    """One runtime's figures (runs in the child process)."""
    started = time.perf_counter()
    replies: list[str] = []
    prompt_n = prompt_ms = gen_n = gen_ms = 0.0
    if runtime == "xllamacpp":
        from summarizer.llm.local_runtime import runtime_for
        from summarizer.llm.local_vocab import ban_list

        server = runtime_for(model)
        bias = ban_list(model, cache_dir)
        loaded = time.perf_counter() - started
        begin = time.perf_counter()
        for messages in _calls():
            status, reply = server.chat(
                {
                    "messages": messages,
                    "max_tokens": MAX_TOKENS,
                    "temperature": 0,
                    "seed": 1234,
                    "logit_bias": bias,
                }
            )
            replies.append(reply["choices"][0]["message"]["content"] if status == 200 else "")
        figures = server.figures
        prompt_n, prompt_ms = figures.prompt_tokens, figures.prompt_ms
        gen_n, gen_ms = figures.generated_tokens, figures.generation_ms
    else:
        import llama_cpp

        llama = llama_cpp.Llama(model_path=str(model), n_ctx=4096, seed=1234, verbose=False)
        loaded = time.perf_counter() - started
        begin = time.perf_counter()
        for messages in _calls():
            t0 = time.perf_counter()
            reply = llama.create_chat_completion(
                messages=messages, max_tokens=MAX_TOKENS, temperature=0, seed=1234
            )
            seconds = time.perf_counter() - t0
            replies.append(reply["choices"][0]["message"]["content"] or "")
            usage = reply["usage"]
            # llama-cpp-python reports no split: all of the call counts as generation.
            gen_n += usage["completion_tokens"]
            gen_ms += seconds * 1000
            prompt_n += usage["prompt_tokens"]
    calls_seconds = time.perf_counter() - begin
    return {
        "runtime": runtime,
        "load_s": round(loaded, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "prompt_tps": round(prompt_n / (prompt_ms / 1000), 1) if prompt_ms else None,
        "gen_tps": round(gen_n / (gen_ms / 1000), 1) if gen_ms else None,
        "generated": int(gen_n),
        "calls_s": round(calls_seconds, 1),
        "replies": replies,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.local_runtime", description=__doc__)
    parser.add_argument("--child", choices=["xllamacpp", "llama_cpp"], help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from summarizer.errors import SummarizerError
    from summarizer.llm.local_model import ensure_gguf
    from summarizer.settings import load_settings

    cache_dir = load_settings({}).cache_dir
    if args.child:
        print(json.dumps(run_child(args.child, args.model, cache_dir / "models")))
        return 0
    try:
        model = args.model or ensure_gguf(cache_dir)
    except SummarizerError as error:
        print(f"skipped: {error}")
        return 0
    from summarizer.drafting.house_style import chinese_only_characters
    from summarizer.drafting.japanese import japanese_ratio

    rows = []
    for runtime in ("llama_cpp", "xllamacpp"):
        child = subprocess.run(
            [sys.executable, "-m", "bench.local_runtime", "--child", runtime, "--model", model],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            reason = (child.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"{runtime}: skipped ({reason})")
            continue
        row = json.loads(child.stdout.strip().splitlines()[-1])
        text = "".join(row.pop("replies"))
        row["ja_ratio"] = round(japanese_ratio(text), 2)
        row["zh_chars"] = len(chinese_only_characters(text))
        rows.append(row)
    if rows:
        keys = list(rows[0])
        widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
        print("  ".join(k.rjust(widths[k]) for k in keys))
        for row in rows:
            print("  ".join(str(row[k]).rjust(widths[k]) for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
