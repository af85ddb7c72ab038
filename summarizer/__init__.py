"""summarize: draft Japanese paper notes in a researcher's house style.

The library API is :func:`summarizer.drafting.pipeline.draft_note`; the CLI in
:mod:`summarizer.cli` is a thin layer over it.  Submodules are imported on use so
that ``summarize --help`` stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
