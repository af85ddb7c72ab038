"""What can go wrong reading a PDF: one error type per cause, each saying what to do."""

from __future__ import annotations

from summarizer.errors import BadInputError


class PdfTextError(BadInputError):
    """A PDF whose text cannot be extracted.  Exit code 2: for a local file it is the
    user's input; for a downloaded PDF the caller decides whether to fall back."""


class EncryptedPdfError(PdfTextError):
    """The PDF needs a password (the empty one was tried), or a missing package."""


class ImageOnlyPdfError(PdfTextError):
    """The PDF has no text layer, e.g. a scan."""


class MalformedPdfError(PdfTextError):
    """pypdf cannot read the file, or it is not a PDF at all."""


class PdfTimeoutError(PdfTextError):
    """Extraction took longer than the per-document time limit."""
