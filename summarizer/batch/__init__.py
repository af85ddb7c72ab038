"""Drafting a reading list: the runner, its journal, list parsing."""
