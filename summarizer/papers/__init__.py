"""Papers in: references, the arXiv API, PDFs and their text."""
