"""``python -m summarizer`` runs the CLI."""

from summarizer.cli import main

main()
