"""Claims in a generated text: the numbers and the names it states, where they stand.

Used by :mod:`summarizer.drafting.factcheck`; see its documentation for what counts
as a number and as a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from summarizer.drafting.numerals import (
    APPROX_AFTER_RE,
    KANJI_NUMBER_RE,
    NUMBER_RE,
    SCIENTIFIC_RE,
    canonical_number,
    kanji_value,
    number_value,
    scientific_value,
)
from summarizer.notes.note import MARKER

# Latin-script acronyms that are vocabulary rather than names of a model, data set
# or method: they are never checked.  Compared case-insensitively, with a plural
# "s" removed (LLMs, GPUs).  Keep this small: a name missing here is at worst
# checked against the source, where it usually is.
GENERIC_ACRONYMS = frozenset(
    {
        # fields and kinds of model
        "AI", "ML", "DL", "NN", "NLP", "NLU", "NLG", "CV", "RL", "IR", "QA", "MT", "NMT",
        "ASR", "TTS", "LM", "LLM", "PLM", "SLM", "VLM", "LVLM", "MLLM", "CNN", "RNN",
        "GNN", "MLP", "KG",
        # generic techniques and terms
        "SOTA", "SFT", "RLHF", "ICL", "COT", "RAG", "OOD", "KV", "E2E",
        # computing
        "CPU", "GPU", "TPU", "OS", "API", "SDK", "OSS", "UI", "UX", "URL", "PDF", "HTML",
        "JSON", "XML", "ID", "OK",
        # references inside a paper (their numbers are still checked)
        "FIG", "FIGURE", "TABLE", "TAB", "SECTION", "SEC", "APPENDIX", "EQ",
    }
)  # fmt: skip

Kind = Literal["number", "name"]


@dataclass(frozen=True)
class Claim:
    """A number or a name as written in the generated text.

    ``normalized`` is what is compared with the source: for a number its absolute
    value after scaling, as a plain decimal (``"12000"``, ``"0.4"``); for a name its
    lowercase letters and digits (``"llama38b"``).
    """

    text: str
    kind: Kind
    normalized: str


# --- text folding -------------------------------------------------------------------

# Full-width ASCII (０-９, Ａ-Ｚ, ．, ，, ％, ＋ ...) to ASCII, the ideographic space and
# the minus sign to ASCII; one character for one, so offsets stay valid.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: ord(" "), 0x2212: ord("-"), 0x2013: ord("-")})


def fold_width(text: str) -> str:
    return text.translate(_FOLD)


_URL = re.compile(r"https?://\S+|www\.\S+")


def _mask_urls(text: str) -> str:
    return _URL.sub(lambda match: " " * len(match.group()), text)


# --- names ----------------------------------------------------------------------------

# A run of Latin letters and digits, joined by - _ . (GPT-3.5, Llama-3-8B, MS_MARCO)
# or by / before digits (ViT-B/16; "BLEU/ROUGE" stays two tokens).
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+|/\d+)*")
# A number with a unit or scale, possibly followed by lowercase words: numbers, not names.
_NUMERIC_TOKEN = re.compile(
    r"\d+(?:\.\d+)?"
    r"(?:[kKMBT]|[xX]|ms|s|sec|h|hr|min|fps|bits?|[KMGT]B|pts?|st|nd|rd|th|[kMG]?Hz|px)?"
    r"(?:-[a-z]+)*"
)
# A reference into the paper written as one token (Figure1, Fig.3, Table2): its number
# is checked like any other, the word is not a name.
_REFERENCE_TOKEN = re.compile(
    r"(?:fig|figure|table|tab|section|sec|eq|appendix)\.?\d+(?:\.\d+)*", re.IGNORECASE
)


def _is_numeric(token: str) -> bool:
    return bool(
        _NUMERIC_TOKEN.fullmatch(token)
        or _REFERENCE_TOKEN.fullmatch(token)
        or SCIENTIFIC_RE.fullmatch(token)  # 2e-5: a number, not a name
    )


def _is_generic(token: str) -> bool:
    upper = re.sub(r"[^A-Za-z0-9]", "", token).upper()
    return upper in GENERIC_ACRONYMS or (upper.endswith("S") and upper[:-1] in GENERIC_ACRONYMS)


def _compress(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _is_name(token: str) -> bool:
    letters = sum(char.isalpha() for char in token)
    has_digit = any(char.isdigit() for char in token)
    if letters == 0 or _is_numeric(token) or _is_generic(token):
        return False
    if has_digit:
        return True
    return letters >= 2 and any(char.isupper() for char in token)


def _name_spans(folded: str) -> list[tuple[int, int, str]]:
    """``(start, end, token)`` of every Latin token that is a name or holds one."""
    spans = []
    for match in _TOKEN.finditer(folded):
        token = match.group()
        if any(char.isalpha() for char in token) and not _is_numeric(token):
            spans.append((match.start(), match.end(), token))
    return spans


# --- mentions: claims with their place in the text -----------------------------------


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    claim: Claim


def _number_mentions(text: str) -> list[_Mention]:
    folded = _mask_urls(fold_width(text))
    in_names = _name_spans(folded)

    def inside_name(start: int, end: int) -> bool:
        return any(start < span_end and span_start < end for span_start, span_end, _ in in_names)

    # "2e-5" and "2×10^-5" are one number (0.00002), not 2, 10 and 5.
    mentions = [
        _Mention(m.start(), m.end(), Claim(text[m.start() : m.end()], "number", value))
        for m in SCIENTIFIC_RE.finditer(folded)
        if (value := canonical_number(scientific_value(m)))
    ]
    scientific = [(mention.start, mention.end) for mention in mentions]
    for match in NUMBER_RE.finditer(folded):
        if inside_name(match.start("num"), match.end("num")) or any(
            start <= match.start("num") < end for start, end in scientific
        ):
            continue
        value = number_value(match.group("num"), match.group("scale"))
        if value is None:
            continue
        end = match.end()
        if after := APPROX_AFTER_RE.match(folded, end):
            end = after.end()
        # The claim as written: with its sign, its "約" or "程度", its scale and unit.
        claim = Claim(text[match.start() : end], "number", canonical_number(value))
        mentions.append(_Mention(match.start(), end, claim))
    for match in KANJI_NUMBER_RE.finditer(folded):
        value = kanji_value(match.group("num"))
        if value is None:
            continue
        counter_end = match.end("counter")
        claim = Claim(text[match.start() : counter_end], "number", str(value))
        mentions.append(_Mention(match.start(), counter_end, claim))
    return sorted(mentions, key=lambda mention: mention.start)


def _name_mentions(text: str) -> list[_Mention]:
    folded = _mask_urls(fold_width(text))
    return [
        _Mention(start, end, Claim(text[start:end], "name", _compress(token)))
        for start, end, token in _name_spans(folded)
        if _is_name(token)
    ]


def find_mentions(text: str, *, numbers: bool = True, names: bool = True) -> list[_Mention]:
    """The claims of ``text`` with their place in it, markers left out of account.

    The analysis runs on the text without :data:`MARKER`, so a marked text has
    the same claims as the text before marking (a marker can split ``c1,000``).
    """
    clean, positions = _without_markers(text)
    found = (_number_mentions(clean) if numbers else []) + (_name_mentions(clean) if names else [])
    found.sort(key=lambda mention: mention.start)
    if positions is None:
        return found
    return [
        _Mention(positions[mention.start], positions[mention.end - 1] + 1, mention.claim)
        for mention in found
    ]


def _without_markers(text: str) -> tuple[str, list[int] | None]:
    """``text`` without markers, and where each of its characters was in ``text``."""
    if MARKER not in text:
        return text, None
    kept: list[str] = []
    positions: list[int] = []
    index = 0
    while index < len(text):
        if text.startswith(MARKER, index):
            index += len(MARKER)
            continue
        kept.append(text[index])
        positions.append(index)
        index += 1
    return "".join(kept), positions


def extract_numbers(text: str) -> list[Claim]:
    """Every number claim in ``text``, in order, one per occurrence."""
    return [mention.claim for mention in find_mentions(text, names=False)]


def extract_names(text: str) -> list[Claim]:
    """Every name claim (model, data set, method ...) in ``text``, one per occurrence."""
    return [mention.claim for mention in find_mentions(text, numbers=False)]
