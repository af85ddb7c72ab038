"""``python -m bench`` (``make bench``): every benchmark in turn, each with its baseline."""

from __future__ import annotations

from bench import (
    batch,
    batch_api,
    glossary,
    house_style,
    local_runtime,
    pdf_extract,
    related,
    tags,
    tags_llm,
    text_sources,
    tokens,
)

BENCHMARKS = {
    "pdf_extract": pdf_extract.main,
    "tokens": tokens.main,
    "tags": tags.main,
    "local_runtime": local_runtime.main,
    "house_style": house_style.main,
    "tags_llm": tags_llm.main,
    "batch": batch.main,
    "batch_api": batch_api.main,
    "text_sources": text_sources.main,
    "glossary": glossary.main,
    "related": related.main,
}


def main() -> int:
    failures = 0
    for name, run in BENCHMARKS.items():
        print(f"\n=== bench.{name} ===", flush=True)
        failures += run([]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
