"""Drafting a note: the chains, the token budget, the fact check, the pipeline."""
