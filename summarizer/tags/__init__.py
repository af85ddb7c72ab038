"""Hashtags: the controlled vocabulary, the history of tagged notes, the learned suggester."""
