"""Reviewing drafts: decisions on tags, and the terminal screen."""
